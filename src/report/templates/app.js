/* assure report site: "Show archived", control filters (DESIGN.md §4.3), tabs and the
   person filter of the action items. Every page works without it (the script hides
   what it cannot do and <noscript> says so).
   Plain script, no modules and no requests, so the site works from file://.
   Every piece of data comes from data-* attributes of the page. */
(function () {
  "use strict";
  document.documentElement.classList.add("js");

  /* The URL fragment holds the view: "archived", or "key=v1,v2&key=v3". */
  function readHash() {
    var raw = window.location.hash.replace(/^#/, "");
    var state = {};
    if (raw.indexOf("=") < 0) return { anchor: raw, state: state };
    raw.split("&").forEach(function (part) {
      var i = part.indexOf("=");
      if (i < 0) { state[decode(part)] = []; return; }
      var key = decode(part.slice(0, i));
      var values = part.slice(i + 1).split(",").map(decode).map(function (v) { return v.trim(); })
        .filter(function (v) { return v !== ""; });
      state[key] = (state[key] || []).concat(values);
    });
    return { anchor: "", state: state };
  }
  function decode(s) {
    try { return decodeURIComponent(s.replace(/\+/g, " ")); } catch (e) { return s; }
  }
  function writeHash(hash) {
    var url = window.location.href.replace(/#.*$/, "") + (hash ? "#" + hash : "");
    if (url === window.location.href) return;
    try { window.history.replaceState(null, "", url); } catch (e) { window.location.hash = hash; }
  }

  /* Open the <details> around an element and bring it into view. */
  function reveal(el) {
    for (var p = el; p; p = p.parentElement) {
      if (p.tagName === "DETAILS") p.open = true;
    }
    var inner = el.querySelector("details");
    if (inner) inner.open = true;
    el.scrollIntoView({ block: "start" });
  }

  /* ---- Dashboard: the archived assessments, a <details> (works without script);
     the script keeps it in the address (#archived) both ways. ---- */
  function initDashboard() {
    var section = document.getElementById("archived");
    if (!section || section.tagName !== "DETAILS") return;
    function fromHash() {
      if (readHash().anchor === "archived") section.open = true;
    }
    section.addEventListener("toggle", function () {
      var on = readHash().anchor === "archived";
      if (section.open !== on) writeHash(section.open ? "archived" : "");
    });
    window.addEventListener("hashchange", fromHash);
    fromHash();
  }

  /* ---- Assessment page: filters ---- */
  var KEYS = ["article", "control", "assigned", "status", "result"];

  function initFilters() {
    var form = document.getElementById("filters");
    if (!form) return;
    /* Without script the form is hidden (it could not filter) and <noscript> says so. */
    form.hidden = false;
    var article = document.getElementById("f-article");
    var control = document.getElementById("f-control");
    var assigned = document.getElementById("f-assigned");
    var boxes = form.querySelectorAll('input[type="checkbox"]');
    var controls = Array.prototype.slice.call(document.querySelectorAll("li.control[data-control]"));
    var families = Array.prototype.slice.call(document.querySelectorAll("details.family[data-family]"));
    var noMatch = document.getElementById("no-match");
    var unknown = document.getElementById("filter-unknown");
    var count = document.getElementById("filter-count");
    var referenceTerm = article ? article.labels[0].textContent : "";
    var providerIds = Array.prototype.map.call(document.querySelectorAll("tr.provider-control[data-control]"),
      function (el) { return el.dataset.control; });
    var customerIds = controls.map(function (el) { return el.dataset.control; });

    /* Text values: separated by commas (references hold spaces); control ids also by
       spaces. */
    function split(text, spaces) {
      return text.split(spaces ? /[\s,]+/ : ",").map(function (v) { return v.trim(); })
        .filter(function (v) { return v !== ""; });
    }
    function formState() {
      var s = {
        article: article ? split(article.value, false) : [],
        control: split(control.value, true),
        assigned: [], status: [], result: []
      };
      Array.prototype.forEach.call(assigned.options, function (o) { if (o.selected) s.assigned.push(o.value); });
      Array.prototype.forEach.call(boxes, function (b) { if (b.checked) s[b.name].push(b.value); });
      return s;
    }
    function setForm(s) {
      if (article) article.value = (s.article || []).join(", ");
      control.value = (s.control || []).join(", ");
      var people = (s.assigned || []).map(function (v) { return v.toLowerCase(); });
      Array.prototype.forEach.call(assigned.options, function (o) { o.selected = people.indexOf(o.value) >= 0; });
      Array.prototype.forEach.call(boxes, function (b) { b.checked = (s[b.name] || []).indexOf(b.value) >= 0; });
    }
    function toHash(s) {
      return KEYS.filter(function (k) { return s[k] && s[k].length; }).map(function (k) {
        return k + "=" + s[k].map(encodeURIComponent).join(",");
      }).join("&");
    }
    function anyOf(values, test) {
      return values.length === 0 || values.some(test);
    }
    /* The same rule as ops::filter: a control id matches itself alone (any case), or
       with a trailing "*" every id it begins; a reference matches as a substring. */
    function controlMatches(id, value) {
      id = id.toLowerCase();
      value = value.toLowerCase();
      if (value.charAt(value.length - 1) === "*") return id.indexOf(value.slice(0, -1)) === 0;
      return id === value;
    }
    function articleMatches(articles, value) {
      value = value.toLowerCase();
      return articles.some(function (x) { return x.toLowerCase().indexOf(value) >= 0; });
    }
    /* Values of one filter OR, filters AND. */
    function matches(el, s) {
      var d = el.dataset;
      var articles = d.articles ? d.articles.split("\n") : [];
      return anyOf(s.article, function (a) { return articleMatches(articles, a); })
        && anyOf(s.control, function (c) { return controlMatches(d.control, c); })
        && anyOf(s.assigned, function (p) {
          return d.assigned !== "" && d.assigned === p.trim().toLowerCase();
        }) && anyOf(s.status, function (v) { return d.status === v; })
        && anyOf(s.result, function (v) { return d.result === v; });
    }
    /* Each value that can match nothing on this page, said in words (an unknown name is
       an error, never a silently empty list). */
    function quoted(v) { return "\u201c" + v + "\u201d"; }
    function problems(s) {
      var out = [];
      Object.keys(s).forEach(function (k) {
        if (KEYS.indexOf(k) < 0) out.push("Unknown filter " + quoted(k) + ": the filters are " + KEYS.join(", ") + ".");
      });
      (s.control || []).forEach(function (v) {
        if (customerIds.some(function (id) { return controlMatches(id, v); })) return;
        if (providerIds.some(function (id) { return controlMatches(id, v); })) {
          out.push("No customer-managed control matches " + v + ": it is managed by the provider (see Provider-managed controls), and the filters apply to customer-managed controls.");
        } else if (v.charAt(v.length - 1) !== "*" && customerIds.some(function (id) { return controlMatches(id, v + "*"); })) {
          out.push("No control matches " + v + " exactly: did you mean " + v + "* (every control whose id begins with " + v + ")?");
        } else {
          out.push("No control matches " + v + ": no such control in this assessment.");
        }
      });
      if (article) (s.article || []).forEach(function (v) {
        var any = controls.some(function (el) {
          return articleMatches(el.dataset.articles ? el.dataset.articles.split("\n") : [], v);
        });
        if (!any) out.push("No control matches " + referenceTerm + " " + quoted(v) + ": no customer-managed control of this assessment cites it.");
      });
      if (!article && (s.article || []).length) {
        out.push("This certification's controls cite no references: the filter " + quoted("article") + " does not apply.");
      }
      (s.assigned || []).forEach(function (v) {
        var known = Array.prototype.some.call(assigned.options, function (o) { return o.value === v.trim().toLowerCase(); });
        if (!known) out.push("No control is assigned to " + v + " in this assessment.");
      });
      ["status", "result"].forEach(function (k) {
        var values = Array.prototype.filter.call(boxes, function (b) { return b.name === k; })
          .map(function (b) { return b.value; });
        (s[k] || []).forEach(function (v) {
          if (values.indexOf(v) < 0) {
            out.push("Unknown " + (k === "status" ? "status" : "test result") + " " + quoted(v) + ": use one of " + values.join(", ") + ".");
          }
        });
      });
      return out;
    }
    function showProblems(list) {
      while (unknown.firstChild) unknown.removeChild(unknown.firstChild);
      list.forEach(function (text) {
        var li = document.createElement("li");
        li.textContent = text;
        unknown.appendChild(li);
      });
      unknown.hidden = list.length === 0;
    }
    function apply(s) {
      var active = KEYS.some(function (k) { return s[k] && s[k].length; });
      var shown = 0;
      controls.forEach(function (el) {
        var ok = !active || matches(el, s);
        el.hidden = !ok;
        if (ok) shown += 1;
      });
      families.forEach(function (f) {
        var visible = f.querySelectorAll("li.control:not([hidden])").length;
        var total = f.querySelectorAll("li.control").length;
        f.hidden = active && visible === 0;
        var label = f.querySelector(".fam-shown");
        if (label) {
          label.hidden = !active;
          label.textContent = active ? "· " + visible + " of " + total + " shown" : "";
        }
        if (active && visible > 0) f.open = true;
      });
      if (active && shown === 1) {
        /* A filter down to one control: show its details. */
        var only = controls.filter(function (el) { return !el.hidden; })[0].querySelector("details");
        if (only) only.open = true;
      }
      noMatch.hidden = !(active && shown === 0);
      count.textContent = active
        ? shown + " of " + controls.length + " customer-managed controls match"
        : controls.length + " customer-managed controls";
    }
    function fromHash() {
      var h = readHash();
      var s = {};
      KEYS.forEach(function (k) { s[k] = h.state[k] || []; });
      s.control = split(s.control.join(","), true);
      setForm(s);
      /* The address as given: a value the form cannot show (an unknown person or
         status) still filters, and matches nothing; the problems say why. */
      apply(s);
      var given = {};
      Object.keys(h.state).forEach(function (k) { given[k] = h.state[k]; });
      if (given.control) given.control = s.control;
      showProblems(problems(given));
      if (h.anchor) {
        var target = document.getElementById(decode(h.anchor));
        if (target) reveal(target);
      }
    }
    function fromForm() {
      var s = formState();
      apply(s);
      showProblems(problems(s));
      writeHash(toHash(s));
    }
    form.addEventListener("input", fromForm);
    form.addEventListener("change", fromForm);
    form.addEventListener("submit", function (e) { e.preventDefault(); fromForm(); });
    document.getElementById("f-clear").addEventListener("click", function () {
      setForm({});
      fromForm();
    });
    window.addEventListener("hashchange", fromHash);
    fromHash();
  }

  /* ---- Action items: tabs (WAI-ARIA tabs pattern, automatic activation). The page
     is served as plain panels, each under its heading, with the tab list hidden: the
     script makes the tabs, so without it nothing is dead. ---- */
  function initTabs() {
    Array.prototype.forEach.call(document.querySelectorAll(".tablist[data-label]"), function (list) {
      var tabs = Array.prototype.slice.call(list.querySelectorAll('[role="tab"]'));
      list.setAttribute("role", "tablist");
      list.setAttribute("aria-label", list.dataset.label);
      list.hidden = false;
      tabs.forEach(function (t) {
        var panel = document.getElementById(t.getAttribute("aria-controls"));
        if (!panel) return;
        panel.setAttribute("role", "tabpanel");
        panel.setAttribute("aria-labelledby", t.id);
        panel.tabIndex = 0;
      });
      function select(tab, focus) {
        tabs.forEach(function (t) {
          var on = t === tab;
          t.setAttribute("aria-selected", on ? "true" : "false");
          t.tabIndex = on ? 0 : -1;
          var panel = document.getElementById(t.getAttribute("aria-controls"));
          if (panel) panel.hidden = !on;
        });
        if (focus) tab.focus();
      }
      tabs.forEach(function (tab, i) {
        tab.addEventListener("click", function () { select(tab, false); });
        tab.addEventListener("keydown", function (e) {
          var next = null;
          if (e.key === "ArrowRight") next = tabs[(i + 1) % tabs.length];
          else if (e.key === "ArrowLeft") next = tabs[(i - 1 + tabs.length) % tabs.length];
          else if (e.key === "Home") next = tabs[0];
          else if (e.key === "End") next = tabs[tabs.length - 1];
          if (next) { e.preventDefault(); select(next, true); }
        });
      });
      var current = tabs.filter(function (t) { return t.getAttribute("aria-selected") === "true"; })[0] || tabs[0];
      if (current) select(current, false);
    });
  }

  /* ---- Action items: one person's (#person=EMAIL, or #EMAIL as older links have it).
     A person with no items, or unknown, is said so rather than shown an empty page. */
  function initPeople() {
    var box = document.getElementById("person-filter");
    if (!box) return;
    var known = (box.dataset.known || "").split("\n").filter(function (v) { return v !== ""; });
    var sections = Array.prototype.slice.call(document.querySelectorAll("section.person"));
    function say(parts) {
      while (box.firstChild) box.removeChild(box.firstChild);
      parts.forEach(function (p) {
        if (typeof p === "string") { box.appendChild(document.createTextNode(p)); return; }
        var a = document.createElement("a");
        a.href = "#";
        a.textContent = p.link;
        box.appendChild(a);
      });
      box.hidden = false;
    }
    function apply() {
      var h = readHash();
      var anchor = decode(h.anchor);
      var person = (h.state.person || [])[0] || (anchor.indexOf("@") > 0 ? anchor : "");
      person = person.trim().toLowerCase();
      if (!person) {
        sections.forEach(function (s) { s.hidden = false; });
        box.hidden = true;
        return;
      }
      var mine = sections.filter(function (s) { return s.id === person; })[0];
      sections.forEach(function (s) { s.hidden = s !== mine; });
      if (mine) {
        var name = mine.querySelector("h2").firstChild.textContent.trim();
        say(["The action items of " + name + " (" + person + ") only. ", { link: "Show everyone\u2019s" }, "."]);
        mine.scrollIntoView({ block: "start" });
      } else if (known.indexOf(person) >= 0) {
        say([person + " has no action items: no control of an active assessment is assigned to them. ", { link: "Show everyone\u2019s" }, "."]);
      } else {
        say(["No person " + person + " is known: they are not among the people of assure.yaml and have no action items. ", { link: "Show everyone\u2019s" }, "."]);
      }
    }
    window.addEventListener("hashchange", apply);
    apply();
  }

  /* A link to a control (#c-…) or a person on a page without filters. */
  function initAnchor() {
    if (document.getElementById("filters")) return;
    var h = readHash();
    if (h.anchor && h.anchor !== "archived" && decode(h.anchor).indexOf("@") < 0) {
      var el = document.getElementById(decode(h.anchor));
      if (el && el.tagName === "LI") reveal(el);
    }
  }

  initDashboard();
  initFilters();
  initTabs();
  initPeople();
  initAnchor();
})();
