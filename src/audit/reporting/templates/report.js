/* The interactive parts of report.html. Data comes from the JSON block and is only ever
   written with textContent, setAttribute on inert attributes, or as an href checked
   to be http(s). Never innerHTML. */
(function () {
  "use strict";

  var SEVERITY_RANK = { error: 0, warning: 1, notice: 2 };
  var data = JSON.parse(document.getElementById("report-data").textContent);
  var numberFormat = new Intl.NumberFormat("en");

  function fmt(value) { return numberFormat.format(value); }
  function $(id) { return document.getElementById(id); }

  function el(tag, className, text) {
    var node = document.createElement(tag);
    if (className) node.className = className;
    if (text !== undefined && text !== null) node.textContent = String(text);
    return node;
  }

  function httpHref(url) {
    if (typeof url !== "string" || !/^\s*https?:\/\//i.test(url)) return null;
    try {
      var parsed = new URL(url.trim());
      return parsed.protocol === "http:" || parsed.protocol === "https:" ? parsed.href : null;
    } catch (error) {
      return null;
    }
  }

  function externalLink(url) {
    var href = httpHref(url);
    if (!href) return el("span", "url", url);
    var link = el("a", "url", url);
    link.setAttribute("href", href);
    link.setAttribute("rel", "noopener noreferrer nofollow");
    link.setAttribute("target", "_blank");
    return link;
  }

  function severityBadge(severity) {
    var known = Object.prototype.hasOwnProperty.call(SEVERITY_RANK, severity);
    var label = String(severity || "");
    return el("span", "badge sev-" + (known ? severity : "other"),
      label.charAt(0).toUpperCase() + label.slice(1));
  }

  function rows(fields, arrays) {
    return arrays.map(function (values) {
      var row = {};
      fields.forEach(function (name, index) { row[name] = values[index]; });
      return row;
    });
  }

  function lower(value) { return value === null || value === undefined ? "" : String(value).toLowerCase(); }
  function numeric(value) { return typeof value === "number" ? value : Number.POSITIVE_INFINITY; }

  function matchesTerms(haystack, query) {
    var terms = lower(query).split(/\s+/).filter(Boolean);
    for (var i = 0; i < terms.length; i++) if (haystack.indexOf(terms[i]) === -1) return false;
    return true;
  }

  function debounce(fn, wait) {
    var timer = null;
    return function () { clearTimeout(timer); timer = setTimeout(fn, wait); };
  }

  /* A sortable, paginated table that renders only the rows of the current page. */
  function DataTable(options) {
    var table = options.table;
    var columns = options.columns;
    var all = options.rows.slice();
    var view = all;
    var filter = null;
    var page = 0;
    var size = options.pageSize || 100;
    var sortColumn = -1;
    var sortDirection = 1;
    var headers = [];
    var thead = table.createTHead();
    var tbody = table.tBodies.length ? table.tBodies[0] : table.createTBody();
    var headRow = document.createElement("tr");

    columns.forEach(function (column, index) {
      var th = el("th", column.className);
      th.setAttribute("scope", "col");
      var button = el("button", null, column.label);
      button.type = "button";
      button.setAttribute("title", "Sort by " + column.label.toLowerCase());
      button.addEventListener("click", function () {
        sortBy(index, sortColumn === index ? -sortDirection : 1);
      });
      th.appendChild(button);
      headRow.appendChild(th);
      headers.push(th);
    });
    thead.appendChild(headRow);

    var pager = options.pager;
    function pagerButton(label, handler) {
      var button = el("button", null, label);
      button.type = "button";
      button.addEventListener("click", handler);
      pager.appendChild(button);
      return button;
    }
    var first = pagerButton("« First", function () { go(0); });
    var previous = pagerButton("‹ Previous", function () { go(page - 1); });
    var pageLabel = el("span", "pager-label");
    pager.appendChild(pageLabel);
    var next = pagerButton("Next ›", function () { go(page + 1); });
    var last = pagerButton("Last »", function () { go(Number.MAX_SAFE_INTEGER); });
    var sizeLabel = el("label", null, "Rows per page");
    var sizeSelect = el("select");
    [25, 50, 100, 250, 500].forEach(function (value) {
      var option = el("option", null, value);
      option.value = String(value);
      if (value === size) option.selected = true;
      sizeSelect.appendChild(option);
    });
    sizeSelect.addEventListener("change", function () {
      size = Number(sizeSelect.value);
      page = 0;
      render();
    });
    sizeLabel.appendChild(sizeSelect);
    pager.appendChild(sizeLabel);

    function sortBy(index, direction) {
      sortColumn = index;
      sortDirection = direction;
      var key = columns[index].sortKey;
      var keyed = all.map(function (row, position) { return [key(row), position, row]; });
      keyed.sort(function (a, b) {
        if (a[0] < b[0]) return -direction;
        if (a[0] > b[0]) return direction;
        return a[1] - b[1];
      });
      all = keyed.map(function (item) { return item[2]; });
      headers.forEach(function (th, position) {
        if (position === index) th.setAttribute("aria-sort", direction === 1 ? "ascending" : "descending");
        else th.removeAttribute("aria-sort");
      });
      refilter();
    }

    function refilter() {
      view = filter ? all.filter(filter) : all;
      render();
    }

    function go(target) {
      page = target;
      render();
      table.scrollIntoView({ block: "nearest" });
    }

    function render() {
      var total = view.length;
      var pages = Math.max(1, Math.ceil(total / size));
      page = Math.min(Math.max(0, page), pages - 1);
      var start = page * size;
      var end = Math.min(total, start + size);
      var fragment = document.createDocumentFragment();
      for (var i = start; i < end; i++) {
        var tr = document.createElement("tr");
        for (var c = 0; c < columns.length; c++) {
          var td = el("td", columns[c].className);
          var content = columns[c].cell(view[i]);
          if (content instanceof Node) td.appendChild(content);
          else td.textContent = content === null || content === undefined ? "" : String(content);
          tr.appendChild(td);
        }
        fragment.appendChild(tr);
      }
      if (!total) {
        var emptyRow = document.createElement("tr");
        var emptyCell = el("td", "empty", options.emptyText || "Nothing matches.");
        emptyCell.colSpan = columns.length;
        emptyRow.appendChild(emptyCell);
        fragment.appendChild(emptyRow);
      }
      tbody.textContent = "";
      tbody.appendChild(fragment);
      pageLabel.textContent = "Page " + fmt(page + 1) + " of " + fmt(pages);
      first.disabled = previous.disabled = page === 0;
      next.disabled = last.disabled = page >= pages - 1;
      pager.hidden = total <= 25;
      if (options.count) {
        options.count.textContent = total
          ? "Showing " + fmt(start + 1) + "–" + fmt(end) + " of " + fmt(total) + " " + options.noun +
            (total < all.length ? " (filtered from " + fmt(all.length) + ")" : "")
          : "No " + options.noun + " match" + (all.length ? " (of " + fmt(all.length) + ")" : "") + ".";
      }
    }

    this.setFilter = function (fn) { filter = fn; page = 0; refilter(); };
    if (options.sort) sortBy(options.sort[0], options.sort[1]);
    else refilter();
  }

  /* ---------- data ---------- */
  var urls = data.urls;
  var findings = rows(data.findingFields, data.findings);
  findings.forEach(function (finding) {
    finding.url = urls[finding.url];
    finding.fix = data.fixes[finding.fix];
    finding.hay = lower([finding.url, finding.rule, finding.code, finding.category, finding.severity,
      finding.message, finding.evidence, finding.selector, finding.fix].join("\n"));
  });
  var pages = rows(data.pageFields, data.pages);
  var pageByUrl = Object.create(null);
  pages.forEach(function (page) {
    page.url = urls[page.url];
    page.crawled = true;
    page.findings = [];
    pageByUrl[page.url] = page;
  });
  findings.forEach(function (finding) {
    var page = pageByUrl[finding.url];
    if (!page) {  /* a site-wide finding about an address that is not in the pages table */
      page = { url: finding.url, status: null, title: "", crawled: false, findings: [] };
      pageByUrl[finding.url] = page;
      pages.push(page);
    }
    page.findings.push(finding);
  });

  function urlCell(url) {
    if (!pageByUrl[url]) return el("span", "url", url);
    var button = el("button", "link-button", url);
    button.type = "button";
    button.setAttribute("title", "Show this page");
    button.addEventListener("click", function () { showPage(url, true); });
    return button;
  }

  function messageCell(row) {
    var wrap = el("div", null, row.message);
    if (row.evidence) wrap.appendChild(el("code", "evidence", row.evidence));
    return wrap;
  }

  var severityColumn = {
    label: "Severity", className: "col-severity",
    sortKey: function (row) { var rank = SEVERITY_RANK[row.severity]; return rank === undefined ? 9 : rank; },
    cell: function (row) { return severityBadge(row.severity); }
  };
  var ruleColumn = {
    label: "Rule", className: "col-rule", sortKey: function (row) { return lower(row.rule); },
    cell: function (row) { return el("code", null, row.rule); }
  };
  var messageColumn = {
    label: "Message", className: "col-message", sortKey: function (row) { return lower(row.message); },
    cell: messageCell
  };
  var fixColumn = {
    label: "How to fix", className: "col-fix", sortKey: function (row) { return lower(row.fix); },
    cell: function (row) { return row.fix; }
  };

  /* ---------- findings table ---------- */
  function fillSelect(select, values) {
    var counts = Object.create(null);
    values.forEach(function (value) { counts[value] = (counts[value] || 0) + 1; });
    Object.keys(counts).sort().forEach(function (value) {
      var option = el("option", null, value + " (" + fmt(counts[value]) + ")");
      option.value = value;
      select.appendChild(option);
    });
  }

  var search = $("f-search"), severity = $("f-severity"), category = $("f-category"), rule = $("f-rule");
  fillSelect(category, findings.map(function (row) { return row.category; }));
  fillSelect(rule, findings.map(function (row) { return row.rule; }));
  var findingsTable = new DataTable({
    table: $("f-table"), pager: $("f-pager"), count: $("f-count"), rows: findings, pageSize: 100,
    noun: "findings", emptyText: "No findings match these filters.",
    columns: [
      severityColumn,
      ruleColumn,
      { label: "Category", className: "col-category", sortKey: function (row) { return lower(row.category); },
        cell: function (row) { return row.category; } },
      { label: "Page", className: "col-url", sortKey: function (row) { return lower(row.url); },
        cell: function (row) { return urlCell(row.url); } },
      messageColumn,
      fixColumn
    ],
    sort: [0, 1]
  });

  function applyFindingFilters() {
    var query = search.value, wantSeverity = severity.value, wantCategory = category.value, wantRule = rule.value;
    findingsTable.setFilter(function (row) {
      return (!wantSeverity || row.severity === wantSeverity) &&
        (!wantCategory || row.category === wantCategory) &&
        (!wantRule || row.rule === wantRule) &&
        (!query || matchesTerms(row.hay, query));
    });
  }
  search.addEventListener("input", debounce(applyFindingFilters, 150));
  [severity, category, rule].forEach(function (select) { select.addEventListener("change", applyFindingFilters); });
  $("f-reset").addEventListener("click", function () {
    search.value = severity.value = category.value = rule.value = "";
    applyFindingFilters();
  });
  Array.prototype.forEach.call(document.querySelectorAll("[data-filter-severity], [data-filter-rule]"), function (link) {
    link.addEventListener("click", function () {
      search.value = category.value = "";
      severity.value = link.getAttribute("data-filter-severity") || "";
      rule.value = link.getAttribute("data-filter-rule") || "";
      applyFindingFilters();
    });
  });

  /* A link such as report.html#findings?severity=error&q=title opens with those filters set. */
  function filtersFromHash() {
    var hash = location.hash;
    if (hash.indexOf("#findings?") !== 0) return;
    var params = new URLSearchParams(hash.slice("#findings?".length));
    search.value = params.get("q") || "";
    [["severity", severity], ["category", category], ["rule", rule]].forEach(function (pair) {
      var wanted = params.get(pair[0]) || "";
      var known = Array.prototype.some.call(pair[1].options, function (option) { return option.value === wanted; });
      pair[1].value = known ? wanted : "";
    });
    applyFindingFilters();
    $("findings").scrollIntoView();
  }
  filtersFromHash();
  window.addEventListener("hashchange", filtersFromHash);

  /* ---------- per-page view ---------- */
  pages.forEach(function (page) { page.hay = lower(page.url + "\n" + (page.title || "")); });
  pages.sort(function (a, b) {
    return b.findings.length - a.findings.length || (a.url < b.url ? -1 : a.url > b.url ? 1 : 0);
  });
  var pageSearch = $("p-search"), pageList = $("p-list"), detail = $("p-detail");
  var selectedUrl = null;
  var LIST_LIMIT = 200;

  function renderPageList() {
    var query = pageSearch.value;
    var matching = pages.filter(function (page) { return !query || matchesTerms(page.hay, query); });
    pageList.textContent = "";
    matching.slice(0, LIST_LIMIT).forEach(function (page) {
      var item = document.createElement("li");
      var button = el("button");
      button.type = "button";
      button.setAttribute("aria-pressed", page.url === selectedUrl ? "true" : "false");
      button.appendChild(el("span", "page-url", page.url));
      button.appendChild(el("span", "page-title", page.title || (page.crawled ? "(no title)" : "(not in the crawl table)")));
      var worst = page.findings.reduce(function (best, finding) {
        var rank = SEVERITY_RANK[finding.severity];
        return rank !== undefined && rank < best ? rank : best;
      }, 9);
      var tone = ["sev-error", "sev-warning", "sev-notice"][worst] || "sev-other";
      var badge = el("span", "badge " + tone, fmt(page.findings.length));
      badge.setAttribute("title", fmt(page.findings.length) + " findings");
      button.appendChild(badge);
      button.addEventListener("click", function () { showPage(page.url, false); });
      item.appendChild(button);
      pageList.appendChild(item);
    });
    $("p-count").textContent = matching.length > LIST_LIMIT
      ? "Showing " + fmt(LIST_LIMIT) + " of " + fmt(matching.length) + " pages: refine the search to see others."
      : fmt(matching.length) + (matching.length === 1 ? " page" : " pages");
  }

  function fact(list, label, value) {
    if (value === null || value === undefined || value === "") return;
    list.appendChild(el("dt", null, label));
    var dd = el("dd");
    if (value instanceof Node) dd.appendChild(value);
    else dd.textContent = String(value);
    list.appendChild(dd);
  }

  function showPage(url, scroll) {
    var page = pageByUrl[url];
    if (!page) return;
    selectedUrl = url;
    detail.textContent = "";
    detail.appendChild(el("h3", null, page.title || url));
    var address = el("p", "url");
    address.appendChild(externalLink(url));
    detail.appendChild(address);
    var facts = el("dl", "facts");
    fact(facts, "Status", page.status === null || page.status === undefined
      ? (page.crawled ? "No response / blocked" : "Not crawled") : page.status);
    fact(facts, "Title", page.title);
    fact(facts, "Depth", page.depth);
    fact(facts, "Inlinks", page.inlinks);
    fact(facts, "Words", page.words);
    fact(facts, "Indexable", page.indexable === true ? "Yes" : page.indexable === false ? "No" : page.indexable);
    if (page.final_url && page.final_url !== url) fact(facts, "Redirects to", externalLink(page.final_url));
    if (page.canonical) fact(facts, "Canonical", externalLink(page.canonical));
    fact(facts, "Content type", page.content_type);
    fact(facts, "Meta description", page.meta_description);
    fact(facts, "H1", page.h1);
    fact(facts, "Outlinks", page.outlinks);
    fact(facts, "In sitemap", page.in_sitemap === true ? "Yes" : page.in_sitemap === false ? "No" : null);
    if (page.found_on) fact(facts, "Found on", externalLink(page.found_on));
    fact(facts, "Redirect chain", page.redirect_chain);
    fact(facts, "Size", typeof page.bytes === "number" ? fmt(page.bytes) + " bytes" : null);
    fact(facts, "Fetch time", typeof page.fetch_ms === "number" ? fmt(Math.round(page.fetch_ms)) + " ms" : null);
    fact(facts, "Error", page.error);
    detail.appendChild(facts);
    detail.appendChild(el("h4", null, "Findings on this page (" + fmt(page.findings.length) + ")"));
    if (page.findings.length) {
      var wrap = el("div", "table-wrap");
      var table = el("table", "data");
      table.appendChild(el("caption", "sr-only", "Findings on this page"));
      wrap.appendChild(table);
      var pager = el("div", "pager");
      detail.appendChild(wrap);
      detail.appendChild(pager);
      new DataTable({
        table: table, pager: pager, rows: page.findings, pageSize: 25, noun: "findings",
        columns: [severityColumn, ruleColumn, messageColumn, fixColumn], sort: [0, 1]
      });
    } else {
      detail.appendChild(el("p", null, "Nothing found on this page."));
    }
    Array.prototype.forEach.call(pageList.querySelectorAll("button"), function (button) {
      var label = button.querySelector(".page-url");
      button.setAttribute("aria-pressed", label && label.textContent === url ? "true" : "false");
    });
    if (scroll) {
      $("pages").scrollIntoView();
      detail.focus({ preventScroll: true });
    }
  }

  pageSearch.addEventListener("input", debounce(renderPageList, 150));
  if (pages.length) selectedUrl = pages[0].url;
  renderPageList();
  if (pages.length) showPage(pages[0].url, false);
  else detail.appendChild(el("p", null, "No pages in this run."));

  /* ---------- changes ---------- */
  if (data.hasDiff && $("d-table")) {
    var changes = rows(data.diffFields, data.diff);
    changes.forEach(function (row) {
      row.url = urls[row.url];
      row.hay = lower([row.change, row.url, row.rule, row.severity, row.message].join("\n"));
    });
    var changeSearch = $("d-search"), changeKind = $("d-change");
    var changesTable = new DataTable({
      table: $("d-table"), pager: $("d-pager"), count: $("d-count"), rows: changes, pageSize: 100,
      noun: "changes", emptyText: "No new or resolved findings.",
      columns: [
        { label: "Change", className: "col-change", sortKey: function (row) { return row.change; },
          cell: function (row) {
            return el("span", "badge change-badge-" + (row.change === "new" ? "new" : "resolved"),
              row.change === "new" ? "New" : "Resolved");
          } },
        severityColumn,
        ruleColumn,
        { label: "Page", className: "col-url", sortKey: function (row) { return lower(row.url); },
          cell: function (row) { return urlCell(row.url); } },
        messageColumn
      ]
    });
    var applyChangeFilters = function () {
      var query = changeSearch.value, kind = changeKind.value;
      changesTable.setFilter(function (row) {
        return (!kind || row.change === kind) && (!query || matchesTerms(row.hay, query));
      });
    };
    changeSearch.addEventListener("input", debounce(applyChangeFilters, 150));
    changeKind.addEventListener("change", applyChangeFilters);
  }
}());
