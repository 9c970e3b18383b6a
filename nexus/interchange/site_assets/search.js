/* Nexus static export: offline search over window.NEXUS_SEARCH_INDEX (assets/search-index.js,
   loaded by a script tag because browsers refuse fetch() on file://). Every word of the
   query must appear in the title, summary, kind or hub; title matches rank first. */
(function () {
  "use strict";
  var MAX_RESULTS = 100;
  var index = window.NEXUS_SEARCH_INDEX || { fields: [], entries: [] };
  var input = document.getElementById("search-input");
  var status = document.getElementById("search-status");
  var list = document.getElementById("search-results");
  if (!input || !list) { return; }

  function fold(text) {
    return String(text || "").toLowerCase().normalize("NFD").replace(/[\u0300-\u036f]/g, "");
  }

  // [title, summary, kind, hub, url] with the folded text searched, computed once.
  var rows = index.entries.map(function (row) {
    return { row: row, title: fold(row[0]), text: fold(row.slice(0, 4).join(" \u0001 ")) };
  });

  function append(parent, tag, text, className) {
    var node = document.createElement(tag);
    if (text) { node.textContent = text; }
    if (className) { node.className = className; }
    parent.appendChild(node);
    return node;
  }

  function search(query) {
    var words = fold(query).split(/\s+/).filter(Boolean);
    list.textContent = "";
    if (!words.length) {
      status.textContent = rows.length + " entries. Type to search.";
      return;
    }
    var found = [];
    rows.forEach(function (item) {
      for (var i = 0; i < words.length; i++) {
        if (item.text.indexOf(words[i]) === -1) { return; }
      }
      var inTitle = words.filter(function (word) { return item.title.indexOf(word) !== -1; }).length;
      found.push({ item: item, score: inTitle });
    });
    found.sort(function (a, b) { return b.score - a.score || (a.item.title < b.item.title ? -1 : 1); });
    found.slice(0, MAX_RESULTS).forEach(function (match) {
      var row = match.item.row;
      var li = append(list, "li");
      var link = append(li, "a");
      link.href = row[4];
      append(link, "strong", row[0]);
      li.appendChild(document.createTextNode(" "));
      append(li, "span", row[2], "badge");
      append(li, "span", " in " + row[3], "muted");
      if (row[1]) { append(li, "span", " · " + row[1], "summary"); }
    });
    var shown = Math.min(found.length, MAX_RESULTS);
    status.textContent = found.length === 0 ? "No entry matches \u201c" + query + "\u201d."
      : found.length + " entr" + (found.length === 1 ? "y matches" : "ies match") +
        (shown < found.length ? "; the first " + shown + " are shown." : ".");
  }

  var params = new URLSearchParams(window.location.search);
  input.value = params.get("q") || "";
  input.addEventListener("input", function () {
    search(input.value);
    if (window.history && window.history.replaceState) {
      try { window.history.replaceState(null, "", "?q=" + encodeURIComponent(input.value)); } catch (e) { /* file:// in some browsers */ }
    }
  });
  document.getElementById("search-page-form").addEventListener("submit", function (event) {
    event.preventDefault();
    search(input.value);
  });
  search(input.value);
}());
