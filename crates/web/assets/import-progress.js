// An import's progress, live: the server sends the counts (server-sent events) as batches are
// written, on whichever node runs it; the numbers, the bar and the time left follow. When the
// import ends the page reloads once, to show the report. Without EventSource the page still
// shows where the import was when it loaded.
(function () {
  "use strict";
  var section = document.querySelector("[data-import-events]");
  if (!section || !window.EventSource) {
    return;
  }
  var bar = section.querySelector("progress");
  var left = section.querySelector("[data-time-left]");
  var source = new EventSource(section.getAttribute("data-import-events"));
  source.addEventListener("progress", function (event) {
    var data = JSON.parse(event.data);
    var counts = data.counts;
    var cells = section.querySelectorAll("[data-count]");
    for (var i = 0; i < cells.length; i++) {
      var name = cells[i].getAttribute("data-count");
      if (counts[name] !== undefined) {
        cells[i].textContent = String(counts[name]);
      }
    }
    bar.value = counts.done;
    bar.textContent = counts.done + " of " + counts.total;
    if (left) {
      left.textContent = data.time_left;
    }
    if (data.state !== "running") {
      source.close();
      window.location.reload();
    }
  });
})();
