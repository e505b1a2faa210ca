/* assure report site: "Show archived", control filters (DESIGN.md §4.3), tabs and the
   person filter of the action items. Every page works without it (the script hides
   what it cannot do and <noscript> says so).
   Plain script, no modules and no requests, so the site works from file://.
   The filters read data-* attributes of the page; an assessment page's controls are
   drawn from its group's data script (data/GROUP.js). */
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

  /* ---- Assessment page: the controls, drawn from the group's data (data/GROUP.js,
     window.assureData; see src/report/site/group_data.rs). Elements are built with
     textContent and attributes only, never from markup, so no value can become HTML. ---- */
  function el(tag, attrs, children) {
    var e = document.createElement(tag);
    Object.keys(attrs || {}).forEach(function (k) { e.setAttribute(k, attrs[k]); });
    (children || []).forEach(function (c) {
      if (c === null || c === undefined || c === false) return;
      e.appendChild(typeof c === "string" ? document.createTextNode(c) : c);
    });
    return e;
  }
  function drawControls() {
    var section = document.getElementById("customer-controls");
    var data = window.assureData;
    if (!section || !data) return;
    var mine = data.assessments[Number(section.dataset.index)];
    if (!mine) return;
    var d = section.dataset;
    var EMPTY = "\u2014";
    function text(n) { return n === undefined || n === null ? null : data.texts[n]; }
    function badge(n, kind) {
      var l = data.labels[n];
      return el("span", { "class": "badge " + kind + "-" + l.value }, [l.label]);
    }
    function fresh(f, prefix) {
      if (!f) return null;
      return el("span", { "class": "badge fresh-" + f.word }, [
        el("span", { "aria-hidden": "true" }, [f.word === "expired" ? "\u26a0" : "\u23f3"]), " " + prefix + f.label]);
    }
    function field(name, value) { return el("div", {}, [el("dt", {}, [name]), el("dd", {}, value)]); }
    function history(entries) {
      return el("ol", { "class": "history" }, entries.map(function (e) {
        var when = el("p", { "class": "when" }, [el("time", {}, [e.date]), " \u00b7 ",
          el("span", { "class": "author", title: e.email }, [e.author]), " \u00b7 commit ", el("code", {}, [e.commit])]);
        if (e.summary) { when.appendChild(document.createTextNode(" \u00b7 ")); when.appendChild(el("span", { "class": "msg" }, [e.summary])); }
        return el("li", {}, [when, el("ul", { "class": "changes" }, e.changes.map(function (c) {
          if (c.diff.length) {
            return el("li", {}, [el("details", {}, [el("summary", {}, [el("span", { "class": "hfield" }, [c.what]), " changed"]),
              el("pre", { "class": "diff" }, [].concat.apply([], c.diff.map(function (l) {
                return [el("span", { "class": l.kind }, [(l.kind === "add" ? "+" : l.kind === "del" ? "-" : " ") + l.text]), "\n"];
              })))])]);
          }
          if (c.old !== null || c.new !== null) {
            return el("li", {}, [el("span", { "class": "hfield" }, [c.what]), ": ", el("span", { "class": "old" }, [c.old || ""]), " ",
              el("span", { "aria-hidden": "true" }, ["\u2192"]), el("span", { "class": "sr-only" }, [" changed to "]), " ",
              el("span", { "class": "new" }, [c.new || ""])]);
          }
          return el("li", {}, [c.what]);
        }))]);
      }));
    }
    function prose(heading, n) {
      return n === undefined ? [] : [el("h4", {}, [heading]), el("p", { "class": "prose" }, [text(n)])];
    }
    function links(list) { return el("ul", { "class": "links" }, list.map(function (x) { return el("li", {}, [x]); })); }
    function body(c) {
      var who = c.who === undefined ? null : data.people[c.who];
      var fields = [];
      if (d.reference) fields.push(field(d.reference, [c.refs && c.refs.length ? c.refs.join(", ") : EMPTY]));
      fields.push(field("Score value", [String(c.score)]), field("Status", [badge(c.st, "st")]),
        field("Test date", [c.date || EMPTY]), field("Test result", [badge(c.re, "res")]),
        field("Assigned to", who ? [el("a", { href: "../" + who.href }, [who.name]), " ", el("span", { "class": "muted" }, [who.email])] : ["nobody"]));
      if (c.action) {
        var a = c.action;
        fields.push(field("Action item", [a.priority ? el("span", { "class": "prio prio-" + a.priority }, [a.priority + " priority"]) : null,
          a.notify ? " \u00b7 email notification" : null, a.notes !== undefined ? el("p", { "class": "prose" }, [text(a.notes)]) : null]));
      }
      var parts = [c.desc !== undefined ? el("p", { "class": "desc" }, [text(c.desc)]) : null, el("dl", { "class": "fields" }, fields)];
      if (c.unstarted) parts.push(el("p", { "class": "muted" }, ["Not started: nothing is recorded on this control yet."]));
      parts = parts.concat(prose("Implementation", c.imp), prose("Test plan", c.plan), prose("Management response", c.resp));
      if (c.docs) {
        parts.push(el("h4", {}, ["Documents"]), el("ul", { "class": "docs" }, c.docs.map(function (doc) {
          return el("li", {}, [doc.href ? el("a", { href: doc.href }, [doc.path]) : el("code", {}, [doc.path]),
            doc.purpose ? " " : null, doc.purpose ? el("span", { "class": "muted" }, ["(" + doc.purpose + ")"]) : null,
            doc.collected_on ? " " : null, doc.collected_on ? el("span", { "class": "muted" }, ["collected " + doc.collected_on]) : null,
            doc.valid_until ? " " : null, doc.valid_until ? el("span", { "class": "muted" }, ["valid until " + doc.valid_until]) : null,
            doc.fresh ? " " : null, fresh(doc.fresh, "")]);
        })));
      }
      if (c["class"] !== undefined) {
        var own = Number(section.dataset.index);
        parts.push(el("h4", {}, ["Kept in sync with"]), links(data.classes[c["class"]].filter(function (m) {
          return !(m[0] === own && m[1] === c.id);
        }).map(function (m) {
          var page = data.pages[m[0]];
          return el("a", { href: page.href + "#c-" + (m[2] || m[1]) }, [page.name + " " + m[1]]);
        })));
      }
      if (c.related) {
        parts.push(el("h4", {}, ["Related controls"]), el("p", { "class": "muted" }, ["Not in any other active assessment of this group, so nothing is synced:"]), links(c.related));
      }
      if (c.see) parts.push(el("h4", {}, ["See also"]), links(c.see));
      if (c.history && c.history.recent.length) {
        parts.push(el("h4", {}, ["History"]), history(c.history.recent));
        var older = c.history.older.length;
        if (older) parts.push(el("details", { "class": "older" }, [el("summary", {}, [older + " older change" + (older !== 1 ? "s" : "")]), history(c.history.older)]));
      } else if (d.noHistory) {
        parts.push(el("p", { "class": "muted" }, ["History: " + d.noHistory + "."]));
      }
      return el("div", { "class": "control-body" }, parts);
    }
    function control(c) {
      var who = c.who === undefined ? null : data.people[c.who];
      var st = data.labels[c.st], re = data.labels[c.re];
      var badges = el("span", { "class": "badges" }, [badge(c.st, "st"), " ", badge(c.re, "res")]);
      if (who) { badges.appendChild(document.createTextNode(" ")); badges.appendChild(el("span", { "class": "who" }, [who.name])); }
      if (c.fresh) { badges.appendChild(document.createTextNode(" ")); badges.appendChild(fresh(c.fresh, "Evidence ")); }
      return el("li", { "class": "control", id: "c-" + c.id, "data-control": c.id, "data-status": st.value, "data-result": re.value,
        "data-assigned": who ? who.email.trim().toLowerCase() : "", "data-articles": (c.refs || []).join("\n") }, [
        el("details", {}, [el("summary", {}, [el("span", { "class": "cid" }, [c.id]), " ", el("span", { "class": "ctitle" }, [text(c.title)]), " ", badges]),
          body(c)])]);
    }
    var families = document.querySelectorAll("details.family[data-family]");
    Array.prototype.forEach.call(families, function (f, i) {
      f.appendChild(el("ul", { "class": "controls" }, (mine.customer[i] || []).map(control)));
    });
    var heads = ["Control", "Title", "Status", "Test date", "Test result", "Tested by", "Description"];
    Array.prototype.forEach.call(document.querySelectorAll("details.family[data-provider]"), function (f, i) {
      var name = f.querySelector("h3").textContent;
      var rows = (mine.provider[i] || []).map(function (c) {
        var title = [text(c.title)];
        if (c.refs && c.refs.length) title.push(el("span", { "class": "articles" }, [c.refs.join(", ")]));
        return el("tr", { "class": "provider-control", "data-control": c.id }, [
          el("th", { scope: "row", "data-label": "Control" }, [el("span", { "class": "cid" }, [c.id])]),
          el("td", { "data-label": "Title" }, title), el("td", { "data-label": "Status" }, [badge(c.st, "st")]),
          el("td", { "data-label": "Test date" }, [c.date]), el("td", { "data-label": "Test result" }, [badge(c.re, "res")]),
          el("td", { "data-label": "Tested by" }, [text(c.by)]), el("td", { "data-label": "Description" }, [text(c.desc)])]);
      });
      f.appendChild(el("div", { "class": "table-wrap", tabindex: "0", role: "region", "aria-label": "Provider-managed controls: " + name }, [
        el("table", { "class": "rows" }, [el("thead", {}, [el("tr", {}, heads.map(function (h) { return el("th", { scope: "col" }, [h]); }))]),
          el("tbody", {}, rows)])]));
    });
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
  drawControls();
  initFilters();
  initTabs();
  initPeople();
  initAnchor();
})();
