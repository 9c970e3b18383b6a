/* Draws ```mermaid blocks (rendered as <pre class="mermaid"> by core/markdown.py). The
   5 MB library loads only on a page that has a diagram, and again draws what the editor's
   live preview swaps in. securityLevel "strict" keeps labels from carrying HTML or
   scripts. */
(function () {
  "use strict";
  var script = document.currentScript;
  var loading = null;

  function load() {
    if (!loading) {
      loading = new Promise(function (resolve, reject) {
        var tag = document.createElement("script");
        tag.src = script.dataset.mermaid;
        tag.onload = function () {
          window.mermaid.initialize({startOnLoad: false, securityLevel: "strict"});
          resolve(window.mermaid);
        };
        tag.onerror = reject;
        document.head.appendChild(tag);
      });
    }
    return loading;
  }

  function draw(root) {
    var nodes = root.querySelectorAll("pre.mermaid:not([data-processed])");
    if (!nodes.length) { return; }
    load().then(function (mermaid) {
      // A diagram with a syntax error shows mermaid's own error box instead of failing the page.
      return mermaid.run({nodes: Array.prototype.slice.call(nodes), suppressErrors: true});
    });
  }

  document.addEventListener("DOMContentLoaded", function () { draw(document); });
  document.body.addEventListener("htmx:afterSettle", function (event) { draw(event.target); });
}());
