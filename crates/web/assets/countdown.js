// A button that the server would refuse for a few more seconds (asking for another code too soon)
// is disabled and counts down on its label, then comes back. The server renders the button
// enabled with `data-countdown="<seconds>"`: without this script it still works, and an early
// press gets the server's "please wait" answer. The status element (`data-countdown-status`
// names it; an `aria-live` region) is written twice only — when the wait starts and when it ends —
// so a screen reader is not read a number every second. The pages send
// `Content-Security-Policy: default-src 'self'`, so nothing here is inline.
(function () {
  "use strict";

  function label(seconds) {
    var m = Math.floor(seconds / 60);
    var s = seconds % 60;
    return m + ":" + (s < 10 ? "0" : "") + s;
  }

  function start(button) {
    var seconds = parseInt(button.getAttribute("data-countdown"), 10);
    if (!(seconds > 0)) {
      return;
    }
    var text = button.textContent;
    var status = document.getElementById(button.getAttribute("data-countdown-status") || "");
    var ends = Date.now() + seconds * 1000;
    button.disabled = true;
    if (status) {
      status.textContent = "You can ask for a new code in " + seconds + " seconds.";
    }
    function tick() {
      var left = Math.ceil((ends - Date.now()) / 1000);
      if (left <= 0) {
        button.disabled = false;
        button.textContent = text;
        if (status) {
          status.textContent = "You can ask for a new code now.";
        }
        return;
      }
      button.textContent = text + " (" + label(left) + ")";
      window.setTimeout(tick, 250);
    }
    tick();
  }

  document.querySelectorAll("button[data-countdown]").forEach(start);
})();
