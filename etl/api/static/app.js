/* news-etl search page: plain DOM, no framework, no build step.
 *
 * Security: API data is never parsed as HTML. Everything is built with createElement and
 * textContent; highlight fragments (HTML-escaped text with literal <b>...</b> marks) are split on
 * the marks, their entities decoded by a small decoder, and emitted as text nodes inside <mark>.
 * Links are made only for http(s) URLs. The page state lives in the URL query string.
 */
(function () {
  "use strict";

  var FACETS = {
    articles: ["persons", "organizations", "locations", "speakers", "source", "source_agency", "authors", "language"],
    quotes: ["speaker", "speaker_label", "kind", "source", "language"]
  };
  var LABELS = {
    persons: "People", organizations: "Organizations", locations: "Places", speakers: "Speakers",
    source: "Source", source_agency: "News agency", authors: "Authors", language: "Language",
    speaker: "Speaker", speaker_label: "Speaker type", kind: "Kind of quote"
  };
  var NOUN = { articles: ["article", "articles"], quotes: ["quote", "quotes"] };
  var DEFAULT_SIZE = 10;
  var FACET_SIZE = 10;
  var MONTHS = ["Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"];

  var els = {};
  var state = null;
  var sequence = 0;          // answers to older requests are dropped
  var focusAfter = null;     // function returning the element to focus once results are drawn

  /* ---------- state <-> URL ---------- */

  function readState() {
    var p = new URLSearchParams(window.location.search);
    var tab = p.get("tab") === "quotes" ? "quotes" : "articles";
    var filters = [];
    p.getAll("filter").forEach(function (f) {
      var i = f.indexOf(":");
      if (i > 0) { filters.push([f.slice(0, i), f.slice(i + 1)]); }
    });
    return {
      tab: tab,
      q: p.get("q") || "",
      filters: filters,
      since: p.get("since") || "",
      until: p.get("until") || "",
      page: p.get("page") || "1",
      size: p.get("size") || "",
      interval: p.get("interval") || ""
    };
  }

  function stateQuery(s) {
    var p = new URLSearchParams();
    if (s.tab !== "articles") { p.set("tab", s.tab); }
    if (s.q) { p.set("q", s.q); }
    s.filters.forEach(function (f) { p.append("filter", f[0] + ":" + f[1]); });
    if (s.since) { p.set("since", s.since); }
    if (s.until) { p.set("until", s.until); }
    if (s.size) { p.set("size", s.size); }
    if (s.interval) { p.set("interval", s.interval); }
    if (String(s.page) !== "1") { p.set("page", String(s.page)); }
    return p;
  }

  function go(changes) {
    var next = Object.assign({}, state, changes);
    if (!("page" in changes)) { next.page = "1"; }   // a new search starts at its first page
    state = next;
    var qs = stateQuery(state).toString();
    window.history.pushState(null, "", qs ? "?" + qs : window.location.pathname);
    syncForm();
    load();
  }

  function apiUrl(s) {
    var p = new URLSearchParams();
    if (s.q) { p.set("q", s.q); }
    s.filters.forEach(function (f) { p.append("filter", f[0] + ":" + f[1]); });
    FACETS[s.tab].forEach(function (f) { p.append("facet", f); });
    p.set("facet_size", String(FACET_SIZE));
    if (s.since) { p.set("since", s.since); }
    if (s.until) { p.set("until", s.until); }
    p.set("size", s.size || String(DEFAULT_SIZE));
    p.set("page", String(s.page));
    if (s.interval) { p.set("interval", s.interval); }
    return (s.tab === "quotes" ? "api/quotes?" : "api/search?") + p.toString();
  }

  /* ---------- small DOM helpers ---------- */

  function el(tag, attrs, children) {
    var node = document.createElement(tag);
    if (attrs) {
      Object.keys(attrs).forEach(function (k) {
        var v = attrs[k];
        if (v === null || v === undefined || v === false) { return; }
        if (k === "text") { node.textContent = String(v); }
        else if (k === "className") { node.className = v; }
        else { node.setAttribute(k, v === true ? "" : String(v)); }
      });
    }
    (children || []).forEach(function (c) {
      if (c === null || c === undefined) { return; }
      node.appendChild(typeof c === "string" ? document.createTextNode(c) : c);
    });
    return node;
  }

  function clear(node) { while (node.firstChild) { node.removeChild(node.firstChild); } }

  var NAMED = { amp: "&", lt: "<", gt: ">", quot: "\"", apos: "'", nbsp: "\u00a0" };

  function decodeEntities(text) {
    return text.replace(/&(#[xX][0-9a-fA-F]{1,6}|#[0-9]{1,7}|[a-zA-Z]+);/g, function (m, e) {
      if (e.charAt(0) === "#") {
        var code = (e.charAt(1) === "x" || e.charAt(1) === "X") ? parseInt(e.slice(2), 16) : parseInt(e.slice(1), 10);
        if (code > 0 && code <= 0x10ffff && !(code >= 0xd800 && code <= 0xdfff)) { return String.fromCodePoint(code); }
        return m;
      }
      var named = NAMED[e.toLowerCase()];
      return named === undefined ? m : named;
    });
  }

  /* A highlight fragment as DOM: text nodes, matched words in <mark>. Nothing is parsed as HTML. */
  function fragmentNodes(fragment) {
    var out = document.createDocumentFragment();
    var marked = false;
    String(fragment).split(/(<\/?b>)/).forEach(function (part) {
      if (part === "<b>") { marked = true; return; }
      if (part === "</b>") { marked = false; return; }
      if (!part) { return; }
      var text = document.createTextNode(decodeEntities(part));
      if (marked) { out.appendChild(el("mark", null, [text])); } else { out.appendChild(text); }
    });
    return out;
  }

  function fragmentsNode(tag, className, fragments) {
    var node = el(tag, { className: className });
    fragments.forEach(function (f, i) {
      if (i > 0) { node.appendChild(document.createTextNode(" \u2026 ")); }
      node.appendChild(fragmentNodes(f));
    });
    return node;
  }

  function safeHref(url) {
    if (typeof url !== "string" || !url) { return null; }
    try {
      var u = new URL(url);
      return (u.protocol === "http:" || u.protocol === "https:") ? u.href : null;
    } catch (e) { return null; }
  }

  function linkOrText(url, content, className) {
    var href = safeHref(url);
    var node = href ? el("a", { href: href, rel: "noopener noreferrer nofollow", className: className })
                    : el("span", { className: className });
    node.appendChild(content);
    return node;
  }

  function formatDate(iso) {
    if (typeof iso !== "string" || !iso) { return null; }
    var m = /^(\d{4})-(\d{2})-(\d{2})/.exec(iso);
    if (!m) { return iso; }
    return parseInt(m[3], 10) + " " + MONTHS[parseInt(m[2], 10) - 1] + " " + m[1];
  }

  function plural(n, tab) { return NOUN[tab][n === 1 ? 0 : 1]; }

  function asList(v) {
    if (Array.isArray(v)) { return v.filter(function (x) { return x !== null && x !== undefined && x !== ""; }); }
    return (v === null || v === undefined || v === "") ? [] : [v];
  }

  /* ---------- loading ---------- */

  function load() {
    var mine = ++sequence;
    var s = state;
    document.body.setAttribute("data-status", "loading");
    els.results.setAttribute("aria-busy", "true");
    els.summary.textContent = "Searching\u2026";
    renderChips(s);
    loadTrending(s);
    document.title = (s.q ? s.q + " \u2013 " : "") + (s.tab === "quotes" ? "Quotes" : "News search");
    window.fetch(apiUrl(s), { headers: { Accept: "application/json" }, credentials: "same-origin" })
      .then(function (res) {
        return res.text().then(function (body) {
          var data = null;
          try { data = body ? JSON.parse(body) : null; } catch (e) { data = null; }
          return { ok: res.ok, status: res.status, data: data };
        });
      })
      .then(function (r) {
        if (mine !== sequence) { return; }
        if (!r.ok) { showError(r.status, r.data); return; }
        if (!r.data || typeof r.data !== "object" || !Array.isArray(r.data.hits)) {
          showError(r.status, { detail: "the search API sent an answer this page does not understand" });
          return;
        }
        render(s, r.data);
      })
      .catch(function () {
        if (mine !== sequence) { return; }
        showError(0, { detail: "could not reach the search API" });
      });
  }

  function errorText(data) {
    var d = data && data.detail;
    if (typeof d === "string") { return d; }
    if (Array.isArray(d)) {   // FastAPI's validation errors: [{loc, msg, type}]
      return d.map(function (x) {
        if (x && typeof x === "object") {
          var where = Array.isArray(x.loc) && x.loc.length ? String(x.loc[x.loc.length - 1]) + ": " : "";
          return where + (x.msg || JSON.stringify(x));
        }
        return String(x);
      }).join("; ");
    }
    if (d !== undefined && d !== null) { return JSON.stringify(d); }
    return "no reason given";
  }

  function finish(status) {
    document.body.setAttribute("data-status", status);
    els.results.removeAttribute("aria-busy");
    if (focusAfter) {
      var target = focusAfter();
      focusAfter = null;
      if (target) { target.focus(); }
    }
  }

  function showError(status, data) {
    clear(els.hits); clear(els.facets);
    els.histogram.hidden = true; els.pager.hidden = true; els.empty.hidden = true;
    els.summary.textContent = "";
    clear(els.error);
    els.error.appendChild(el("h2", { className: "error-title",
      text: status === 0 ? "The search could not run" : "The search was refused" + (status ? " (" + status + ")" : "") }));
    els.error.appendChild(el("p", { className: "error-detail", text: errorText(data) }));
    els.error.appendChild(el("p", { className: "error-help",
      text: "Change the search or remove a filter, then try again." }));
    els.error.hidden = false;
    finish("error");
  }

  /* ---------- rendering ---------- */

  function render(s, data) {
    els.error.hidden = true;
    var total = typeof data.total === "number" ? data.total : data.hits.length;
    var size = parseInt(s.size || DEFAULT_SIZE, 10) || DEFAULT_SIZE;
    var page = parseInt(s.page, 10) || 1;
    var pages = Math.max(1, Math.ceil(total / size));

    clear(els.summary);
    els.summary.appendChild(el("strong", { id: "total", "data-total": total, text: total.toLocaleString("en") }));
    els.summary.appendChild(document.createTextNode(" " + plural(total, s.tab)));
    if (total > 0 && pages > 1) {
      els.summary.appendChild(document.createTextNode(" \u00b7 page " + page + " of " + pages.toLocaleString("en")));
    }

    if (total === 0 || data.hits.length === 0) {
      clear(els.empty);
      els.empty.appendChild(el("p", { className: "empty-title",
        text: total === 0 ? "No " + NOUN[s.tab][1] + " match this search."
                          : "No more " + NOUN[s.tab][1] + " on this page." }));
      els.empty.appendChild(el("p", { className: "empty-help",
        text: total === 0 ? "Try fewer or other words, a wider date range, or remove a filter."
                          : "Go back to an earlier page." }));
      els.empty.hidden = false;
    } else {
      els.empty.hidden = true;
    }

    renderFacets(s, data.facets || {});
    renderHistogram(s, data.histogram || [], data.histogram_interval || "day");
    renderHits(s, data.hits);

    els.pager.hidden = total <= size && page === 1;
    els.prev.disabled = page <= 1;
    els.next.disabled = page >= pages;
    els.pageInfo.textContent = "Page " + page + " of " + pages.toLocaleString("en");
    finish("done");
  }

  /* ---------- trending: what stands out in the page's date range (or the last 30 days of data) ---------- */

  var TRENDING = ["persons", "organizations", "locations"];
  var trendingSequence = 0;

  function loadTrending(s) {
    var mine = ++trendingSequence;
    var box = document.getElementById("trending");
    if (s.tab !== "articles") { box.hidden = true; return; }
    var p = new URLSearchParams();
    if (s.since) { p.set("since", s.since); }
    if (s.until) { p.set("until", s.until); }
    TRENDING.forEach(function (f) { p.append("field", f); });
    p.set("size", "5");
    window.fetch("api/trending?" + p.toString(), { headers: { Accept: "application/json" }, credentials: "same-origin" })
      .then(function (res) { return res.ok ? res.json() : null; })
      .then(function (data) { if (mine === trendingSequence) { renderTrending(s, data); } })
      .catch(function () { if (mine === trendingSequence) { box.hidden = true; } });
  }

  function renderTrending(s, data) {
    var box = document.getElementById("trending");
    var lists = document.getElementById("trending-lists");
    var note = document.getElementById("trending-note");
    clear(lists);
    if (!data || typeof data.fields !== "object") { box.hidden = true; return; }
    var any = false;
    TRENDING.forEach(function (name) {
      var rows = Array.isArray(data.fields[name]) ? data.fields[name] : [];
      if (!rows.length) { return; }
      any = true;
      var list = el("ul", { className: "trend-values" });
      rows.forEach(function (r) {
        var value = String(r.value);
        list.appendChild(el("li", null, [
          el("button", { type: "button", className: "trend-value", "data-field": name, "data-value": value,
                         title: "Only " + (LABELS[name] || name) + ": " + value + " (" + r.count + " in range, " +
                                r.background_count + " in all)" }, [
            el("span", { className: "facet-name", text: value }),
            el("span", { className: "facet-count", text: String(r.count) })
          ])
        ]));
      });
      lists.appendChild(el("h3", { className: "trend-field", text: LABELS[name] || name }));
      lists.appendChild(list);
    });
    var span = (data.since || "the start") + " to " + (data.until || "the newest article");
    note.textContent = data.articles === 0 ? "No articles from " + span + ": nothing is trending."
                     : any ? "Stand out from " + span + " against all articles."
                           : "Nothing stands out from " + span + ".";
    box.hidden = false;
  }

  function isActive(s, field, value) {
    return s.filters.some(function (f) { return f[0] === field && f[1] === value; });
  }

  function renderChips(s) {
    clear(els.chips);
    s.filters.forEach(function (f) {
      var label = (LABELS[f[0]] || f[0]) + ": " + f[1];
      var button = el("button", { type: "button", className: "chip", "data-field": f[0], "data-value": f[1],
                                  "aria-label": "Remove filter " + label }, [
        el("span", { className: "chip-field", text: (LABELS[f[0]] || f[0]) + ":" }), " ",
        el("span", { className: "chip-value", text: f[1] }),
        el("span", { className: "chip-x", "aria-hidden": "true", text: "\u00d7" })
      ]);
      els.chips.appendChild(el("li", null, [button]));
    });
    els.filtersBox.hidden = s.filters.length === 0;
  }

  function renderFacets(s, facets) {
    clear(els.facets);
    FACETS[s.tab].forEach(function (name) {
      var buckets = Array.isArray(facets[name]) ? facets[name] : [];
      if (!buckets.length) { return; }
      var id = "facet-" + name;
      var list = el("ul", { className: "facet-values" });
      buckets.forEach(function (b) {
        var value = String(b.value);
        var active = isActive(s, name, value);
        list.appendChild(el("li", null, [
          el("button", { type: "button", className: "facet-value", "data-field": name, "data-value": value,
                         "aria-pressed": active ? "true" : "false",
                         title: (active ? "Remove filter " : "Only ") + (LABELS[name] || name) + ": " + value }, [
            el("span", { className: "facet-name", text: value }),
            el("span", { className: "facet-count", text: String(b.count) })
          ])
        ]));
      });
      els.facets.appendChild(el("section", { className: "facet", "data-facet": name, "aria-labelledby": id }, [
        el("h2", { id: id, className: "side-title", text: LABELS[name] || name }), list
      ]));
    });
  }

  function addDays(iso, n) {
    var d = new Date(iso + "T00:00:00Z");
    d.setUTCDate(d.getUTCDate() + n);
    return d.toISOString().slice(0, 10);
  }

  function bucketEnd(iso, interval) {
    var y = parseInt(iso.slice(0, 4), 10), m = parseInt(iso.slice(5, 7), 10);
    if (interval === "week") { return addDays(iso, 6); }
    if (interval === "month") { return new Date(Date.UTC(y, m, 0)).toISOString().slice(0, 10); }
    if (interval === "year") { return y + "-12-31"; }
    return iso;
  }

  function bucketLabel(iso, interval) {
    var y = iso.slice(0, 4), m = parseInt(iso.slice(5, 7), 10);
    if (interval === "year") { return y; }
    if (interval === "month") { return MONTHS[m - 1] + " " + y; }
    if (interval === "week") { return "week of " + formatDate(iso); }
    return formatDate(iso);
  }

  function renderHistogram(s, buckets, interval) {
    var chart = els.histogramChart;
    clear(chart);
    buckets = buckets.filter(function (b) { return b && typeof b.date === "string" && /^\d{4}-\d{2}-\d{2}/.test(b.date); });
    if (!buckets.length) { els.histogram.hidden = true; return; }
    var max = buckets.reduce(function (m, b) { return Math.max(m, b.count || 0); }, 0) || 1;
    els.histogramCaption.textContent = NOUN[s.tab][1].charAt(0).toUpperCase() + NOUN[s.tab][1].slice(1) +
      " per " + interval + " \u2014 pick a bar to narrow the dates";
    var bars = el("div", { className: "bars", role: "group", "aria-label": NOUN[s.tab][1] + " per " + interval });
    buckets.forEach(function (b, i) {
      var iso = b.date.slice(0, 10);
      var label = bucketLabel(iso, interval) + ": " + b.count + " " + plural(b.count, s.tab);
      var bar = el("button", { type: "button", className: "bar", title: label, "aria-label": label,
                               "data-date": iso, "data-end": bucketEnd(iso, interval), "data-count": b.count,
                               tabindex: i === 0 ? "0" : "-1" }, [el("span", { className: "bar-fill" })]);
      // CSSOM, not a style attribute: allowed under a CSP without 'unsafe-inline'.
      bar.firstChild.style.height = (b.count > 0 ? Math.max(2, Math.round(100 * b.count / max)) : 0) + "%";
      bars.appendChild(bar);
    });
    chart.appendChild(bars);
    var first = buckets[0].date.slice(0, 10), last = buckets[buckets.length - 1].date.slice(0, 10);
    chart.appendChild(el("div", { className: "axis" }, [
      el("span", { text: bucketLabel(first, interval) }),
      el("span", { text: buckets.length > 1 ? bucketLabel(last, interval) : "" })
    ]));
    els.histogram.hidden = false;
  }

  function metaLine(parts) {
    var p = el("p", { className: "meta" });
    parts.filter(Boolean).forEach(function (part, i) {
      if (i > 0) { p.appendChild(el("span", { className: "sep", "aria-hidden": "true", text: " \u00b7 " })); }
      p.appendChild(typeof part === "string" ? document.createTextNode(part) : part);
    });
    return p;
  }

  function timeNode(iso) {
    var text = formatDate(iso);
    return text ? el("time", { datetime: iso, text: text }) : null;
  }

  function titleContent(hit) {
    var h = hit.highlights || {};
    if (Array.isArray(h.title) && h.title.length) { return fragmentNodes(h.title[0]); }
    return document.createTextNode(hit.title ? String(hit.title) : "(untitled)");
  }

  function renderHits(s, hits) {
    clear(els.hits);
    var start = ((parseInt(s.page, 10) || 1) - 1) * (parseInt(s.size || DEFAULT_SIZE, 10) || DEFAULT_SIZE) + 1;
    els.hits.setAttribute("start", String(start));
    els.hits.className = "hits " + s.tab;
    hits.forEach(function (hit) {
      els.hits.appendChild(s.tab === "quotes" ? quoteItem(hit) : articleItem(hit));
    });
  }

  function articleItem(hit) {
    var h = hit.highlights || {};
    var li = el("li", { className: "hit", "data-id": hit.id });
    li.appendChild(el("h3", { className: "hit-title" }, [linkOrText(hit.url, titleContent(hit), "title-link")]));
    var authors = asList(hit.authors).map(String);
    li.appendChild(metaLine([
      hit.source ? el("span", { className: "source", text: String(hit.source) }) : null,
      agencyNode(hit),
      timeNode(hit.published_at),
      authors.length ? el("span", { className: "authors", text: "by " + authors.join(", ") }) : null,
      hit.language ? el("span", { className: "lang", text: String(hit.language) }) : null
    ]));
    if (Array.isArray(h.body) && h.body.length) { li.appendChild(fragmentsNode("p", "snippet", h.body)); }
    if (Array.isArray(h.quotes) && h.quotes.length) {
      var q = fragmentsNode("p", "snippet snippet-quotes", h.quotes);
      q.insertBefore(el("span", { className: "snippet-label", text: "Quoted: " }), q.firstChild);
      li.appendChild(q);
    }
    var url = safeHref(hit.url);
    if (url) { li.appendChild(el("p", { className: "hit-url", text: url })); }
    return li;
  }

  /* The wire service a story comes from, unless the source already says it (AP's own site). */
  function agencyNode(hit) {
    var agency = hit.source_agency ? String(hit.source_agency) : "";
    if (!agency || agency.toLowerCase() === String(hit.source || "").toLowerCase()) { return null; }
    return el("span", { className: "agency", title: LABELS.source_agency + ": " + agency }, [
      "via ", el("span", { className: "agency-name", text: agency })
    ]);
  }

  function quoteItem(hit) {
    var h = hit.highlights || {};
    var li = el("li", { className: "hit quote-hit", "data-id": hit.id, "data-kind": hit.kind || "" });
    var content = Array.isArray(h.text) && h.text.length ? fragmentsNode("span", "quote-inner", h.text)
                                                         : el("span", { className: "quote-inner", text: hit.text || "" });
    if (hit.kind === "indirect") {
      // Reported speech is not what was said word for word: never inside quotation marks.
      li.appendChild(el("p", { className: "quote-text reported" }, [
        el("span", { className: "quote-kind", text: "Reported: " }), content]));
    } else {
      li.appendChild(el("blockquote", { className: "quote-text" }, [el("p", null, [content])]));
    }
    var who = el("span", { className: "speaker" }, [
      el("strong", { className: "speaker-name", text: hit.speaker ? String(hit.speaker) : "unknown speaker" })
    ]);
    if (hit.speaker_label) { who.appendChild(el("span", { className: "speaker-label", text: " (" + hit.speaker_label + ")" })); }
    var kind = hit.kind && hit.kind !== "indirect" ? hit.kind : (hit.kind === "indirect" ? "reported" : null);
    li.appendChild(metaLine([
      who,
      hit.cue ? el("span", { className: "cue", text: String(hit.cue) }) : null,
      kind ? el("span", { className: "kind", text: kind }) : null
    ]));
    var article = linkOrText(hit.url, document.createTextNode(hit.title ? String(hit.title) : "(untitled article)"),
                             "title-link");
    li.appendChild(metaLine([
      el("span", { className: "in-article" }, ["in ", article]),
      hit.source ? el("span", { className: "source", text: String(hit.source) }) : null,
      timeNode(hit.published_at)
    ]));
    return li;
  }

  /* ---------- events ---------- */

  function syncForm() {
    els.q.value = state.q;
    els.since.value = /^\d{4}-\d{2}-\d{2}$/.test(state.since) ? state.since : "";
    els.until.value = /^\d{4}-\d{2}-\d{2}$/.test(state.until) ? state.until : "";
    ["articles", "quotes"].forEach(function (t) {
      var tab = document.getElementById("tab-" + t);
      var on = state.tab === t;
      tab.setAttribute("aria-selected", on ? "true" : "false");
      tab.tabIndex = on ? 0 : -1;
    });
  }

  function dateValue(input, previous) {
    // A date input holds only YYYY-MM-DD; keep a URL's other forms (7d, today) while the box is empty.
    if (input.value) { return input.value; }
    return /^\d{4}-\d{2}-\d{2}$/.test(previous) ? "" : previous;
  }

  function focusFacet(field, value) {
    return function () {
      var buttons = els.facets.querySelectorAll("button.facet-value");
      for (var i = 0; i < buttons.length; i++) {
        if (buttons[i].getAttribute("data-field") === field && buttons[i].getAttribute("data-value") === value) {
          return buttons[i];
        }
      }
      return els.q;
    };
  }

  function setup() {
    ["q", "since", "until", "summary", "error", "empty", "hits", "facets", "chips", "pager", "prev", "next",
     "results", "histogram"].forEach(function (id) { els[id] = document.getElementById(id); });
    els.form = document.getElementById("search-form");
    els.pageInfo = document.getElementById("page-info");
    els.filtersBox = document.getElementById("filters-box");
    els.histogramChart = document.getElementById("histogram-chart");
    els.histogramCaption = document.getElementById("histogram-caption");

    els.form.addEventListener("submit", function (e) {
      e.preventDefault();
      go({ q: els.q.value.trim(), since: dateValue(els.since, state.since), until: dateValue(els.until, state.until) });
    });
    document.getElementById("clear-dates").addEventListener("click", function () {
      els.since.value = ""; els.until.value = "";
      go({ since: "", until: "" });
    });
    document.getElementById("clear-filters").addEventListener("click", function () {
      focusAfter = function () { return els.q; };
      go({ filters: [] });
    });

    els.facets.addEventListener("click", function (e) {
      var b = e.target.closest("button.facet-value");
      if (!b) { return; }
      var field = b.getAttribute("data-field"), value = b.getAttribute("data-value");
      var filters = state.filters.filter(function (f) { return !(f[0] === field && f[1] === value); });
      if (filters.length === state.filters.length) { filters = filters.concat([[field, value]]); }
      focusAfter = focusFacet(field, value);
      go({ filters: filters });
    });

    document.getElementById("trending-lists").addEventListener("click", function (e) {
      var b = e.target.closest("button.trend-value");
      if (!b) { return; }
      var field = b.getAttribute("data-field"), value = b.getAttribute("data-value");
      if (isActive(state, field, value)) { return; }
      go({ filters: state.filters.concat([[field, value]]) });
    });

    els.chips.addEventListener("click", function (e) {
      var b = e.target.closest("button.chip");
      if (!b) { return; }
      var field = b.getAttribute("data-field"), value = b.getAttribute("data-value");
      focusAfter = focusFacet(field, value);
      go({ filters: state.filters.filter(function (f) { return !(f[0] === field && f[1] === value); }) });
    });

    els.histogramChart.addEventListener("click", function (e) {
      var b = e.target.closest("button.bar");
      if (!b) { return; }
      focusAfter = function () { return els.results; };
      go({ since: b.getAttribute("data-date"), until: b.getAttribute("data-end") });
    });
    els.histogramChart.addEventListener("keydown", function (e) {
      var b = e.target.closest("button.bar");
      if (!b) { return; }
      var next = null;
      if (e.key === "ArrowRight" || e.key === "ArrowUp") { next = b.nextElementSibling; }
      else if (e.key === "ArrowLeft" || e.key === "ArrowDown") { next = b.previousElementSibling; }
      else if (e.key === "Home") { next = b.parentNode.firstElementChild; }
      else if (e.key === "End") { next = b.parentNode.lastElementChild; }
      if (next) { e.preventDefault(); b.tabIndex = -1; next.tabIndex = 0; next.focus(); }
    });

    function toPage(delta) {
      focusAfter = function () { return els.results; };
      go({ page: String((parseInt(state.page, 10) || 1) + delta) });
      els.results.scrollIntoView({ block: "start" });
    }
    els.prev.addEventListener("click", function () { toPage(-1); });
    els.next.addEventListener("click", function () { toPage(1); });

    var tablist = document.querySelector("[role=tablist]");
    tablist.addEventListener("click", function (e) {
      var t = e.target.closest("[role=tab]");
      if (!t || t.getAttribute("data-tab") === state.tab) { return; }
      var tab = t.getAttribute("data-tab");
      // Keep the filters the other index also knows (source, language); the rest do not apply there.
      go({ tab: tab, filters: state.filters.filter(function (f) { return FACETS[tab].indexOf(f[0]) >= 0; }) });
    });
    tablist.addEventListener("keydown", function (e) {
      if (e.key !== "ArrowRight" && e.key !== "ArrowLeft") { return; }
      var tabs = tablist.querySelectorAll("[role=tab]");
      var i = Array.prototype.indexOf.call(tabs, document.activeElement);
      if (i < 0) { return; }
      var next = tabs[(i + (e.key === "ArrowRight" ? 1 : tabs.length - 1)) % tabs.length];
      e.preventDefault();
      next.focus();
      next.click();
    });

    window.addEventListener("popstate", function () {
      state = readState();
      syncForm();
      load();
    });

    // On a narrow screen the facets start folded, so the hits come first.
    if (window.matchMedia && window.matchMedia("(max-width: 48rem)").matches) {
      document.getElementById("facets-box").open = false;
    }

    state = readState();
    syncForm();
    load();
  }

  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", setup);
  } else {
    setup();
  }
}());
