/* Many READMEs at once: each file is previewed, then imported, through the REST API one
   after another (each request stays under the upload limit), with a progress bar and a
   line per file. One file, or pasted text, uses the page's own preview instead. */
(function () {
  "use strict";
  var form = document.getElementById("import-form");
  if (!form) { return; }
  var input = form.querySelector('input[type="file"]');
  var batch = document.getElementById("batch");
  var bar = document.getElementById("batch-progress");
  var statusLine = document.getElementById("batch-status");
  var rows = document.getElementById("batch-rows");
  var commitButton = document.getElementById("batch-commit");
  var token = form.querySelector('input[name="csrfmiddlewaretoken"]').value;
  var files = [];

  function cell(row, text) {
    var td = document.createElement("td");
    td.textContent = text;
    row.appendChild(td);
    return td;
  }

  function send(file, dryRun) {
    var body = new FormData();
    body.append("file", file);
    body.append("status", form.querySelector('[name="status"]').value);
    body.append("dry_run", dryRun ? "true" : "false");
    return fetch(form.dataset.apiUrl, {
      method: "POST", body: body, credentials: "same-origin", headers: {"X-CSRFToken": token}
    }).then(function (response) {
      return response.json().then(function (data) { return {ok: response.ok, data: data}; },
        function () { return {ok: false, data: {error: {message: "HTTP " + response.status}}}; });
    }, function () { return {ok: false, data: {error: {message: "The server could not be reached."}}}; });
  }

  function run(dryRun) {
    var done = 0;
    var failed = 0;
    rows.textContent = "";
    bar.max = files.length;
    bar.value = 0;
    commitButton.hidden = true;
    var chain = Promise.resolve();
    files.forEach(function (file) {
      chain = chain.then(function () {
        statusLine.textContent = (dryRun ? "Previewing " : "Importing ") + file.name + " (" + (done + 1) + " of " + files.length + ")";
        return send(file, dryRun).then(function (answer) {
          var row = document.createElement("tr");
          cell(row, file.name);
          if (answer.ok) {
            var counts = answer.data.counts;
            cell(row, counts.create + " new, " + counts.update + " updated, " + counts.unchanged + " unchanged");
            cell(row, answer.data.coverage.percent + "%");
            cell(row, dryRun ? "ready" : "imported");
          } else {
            failed += 1;
            cell(row, "");
            cell(row, "");
            cell(row, answer.data.error ? answer.data.error.message : "failed").className = "errorlist";
          }
          rows.appendChild(row);
          done += 1;
          bar.value = done;
        });
      });
    });
    return chain.then(function () {
      statusLine.textContent = done + " of " + files.length + " files " + (dryRun ? "previewed" : "imported") +
        (failed ? ", " + failed + " with problems (see below)" : "") + ".";
      commitButton.hidden = !dryRun || failed === files.length;
      if (!dryRun) {
        var link = document.createElement("a");
        link.href = form.dataset.hubUrl;
        link.textContent = " Open your hub.";
        statusLine.appendChild(link);
      }
    });
  }

  form.addEventListener("submit", function (event) {
    if (!input.files || input.files.length < 2) { return; }
    event.preventDefault();
    files = Array.prototype.slice.call(input.files);
    batch.hidden = false;
    run(true);
  });
  commitButton.addEventListener("click", function () { run(false); });
}());
