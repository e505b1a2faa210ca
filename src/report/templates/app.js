/* assure report site: "Show archived", control filters (DESIGN.md §4.3) and tabs.
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

  /* ---- Dashboard: Show archived ---- */
  function initDashboard() {
    var box = document.getElementById("show-archived");
    var section = document.getElementById("archived");
    if (!box || !section) return;
    function apply(show) {
      box.checked = show;
      section.hidden = !show;
    }
    function fromHash() { apply(!box.disabled && readHash().anchor === "archived"); }
    box.addEventListener("change", function () {
      apply(box.checked);
      writeHash(box.checked ? "archived" : "");
    });
    window.addEventListener("hashchange", fromHash);
    fromHash();
  }

  /* ---- Assessment page: filters ---- */
  var KEYS = ["article", "control", "assigned", "status", "result"];

  function initFilters() {
    var form = document.getElementById("filters");
    if (!form) return;
    var article = document.getElementById("f-article");
    var control = document.getElementById("f-control");
    var assigned = document.getElementById("f-assigned");
    var boxes = form.querySelectorAll('input[type="checkbox"]');
    var controls = Array.prototype.slice.call(document.querySelectorAll("li.control[data-control]"));
    var families = Array.prototype.slice.call(document.querySelectorAll("details.family[data-family]"));
    var noMatch = document.getElementById("no-match");
    var count = document.getElementById("filter-count");

    function split(text) {
      return text.split(",").map(function (v) { return v.trim(); }).filter(function (v) { return v !== ""; });
    }
    function formState() {
      var s = { article: split(article.value), control: split(control.value), assigned: [], status: [], result: [] };
      Array.prototype.forEach.call(assigned.options, function (o) { if (o.selected) s.assigned.push(o.value); });
      Array.prototype.forEach.call(boxes, function (b) { if (b.checked) s[b.name].push(b.value); });
      return s;
    }
    function setForm(s) {
      article.value = (s.article || []).join(", ");
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
    /* The same rule as ops::filter: values of one filter OR, filters AND. */
    function matches(el, s) {
      var d = el.dataset;
      var articles = d.articles ? d.articles.split("\n") : [];
      return anyOf(s.article, function (a) {
        a = a.toLowerCase();
        return articles.some(function (x) { return x.toLowerCase().indexOf(a) >= 0; });
      }) && anyOf(s.control, function (c) {
        return d.control.toLowerCase().indexOf(c.toLowerCase()) >= 0;
      }) && anyOf(s.assigned, function (p) {
        return d.assigned !== "" && d.assigned === p.trim().toLowerCase();
      }) && anyOf(s.status, function (v) { return d.status === v; })
        && anyOf(s.result, function (v) { return d.result === v; });
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
      setForm(s);
      apply(formState());
      if (h.anchor) {
        var target = document.getElementById(decode(h.anchor));
        if (target) reveal(target);
      }
    }
    function fromForm() {
      var s = formState();
      apply(s);
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

  /* ---- Action items: tabs (WAI-ARIA tabs pattern, automatic activation) ---- */
  function initTabs() {
    Array.prototype.forEach.call(document.querySelectorAll('[role="tablist"]'), function (list) {
      var tabs = Array.prototype.slice.call(list.querySelectorAll('[role="tab"]'));
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

  /* A link to a control (#c-…) or a person on a page without filters. */
  function initAnchor() {
    if (document.getElementById("filters")) return;
    var h = readHash();
    if (h.anchor && h.anchor !== "archived") {
      var el = document.getElementById(decode(h.anchor));
      if (el && el.tagName === "LI") reveal(el);
    }
  }

  initDashboard();
  initFilters();
  initTabs();
  initAnchor();
})();
