// Terms that must be scrolled through before they can be accepted. The server renders the accept
// button `disabled`; this script enables it once the terms box has been scrolled to its end (or
// needs no scrolling), and says so in a live status message. The pages send
// `Content-Security-Policy: default-src 'self'`, so nothing here is inline.
//
// Expected markup:
//   <div id="terms" class="terms" data-terms-box tabindex="0" role="region"
//        aria-label="Terms of service">…</div>
//   <p id="terms-status" aria-live="polite">Scroll to the end of the terms to accept them.</p>
//   <button type="submit" data-requires-scroll="terms" data-status="terms-status"
//           disabled>I accept</button>
// `data-requires-scroll` names the box's id; when it is empty, the box in the same form is used
// (or, failing that, the first on the page).
(function () {
  "use strict";

  // Browsers report fractional scroll positions at some zoom levels.
  var SLACK_PX = 4;
  var BEFORE = "Scroll to the end of the terms to accept them.";
  var AFTER = "You have reached the end of the terms. You can now accept.";

  function setText(element, text) {
    // Rewriting a live region with the same words makes some screen readers repeat them.
    if (element && element.textContent !== text) {
      element.textContent = text;
    }
  }

  function findBox(button) {
    var id = button.getAttribute("data-requires-scroll");
    if (id) {
      return document.getElementById(id);
    }
    var scope = button.form || document;
    return scope.querySelector("[data-terms-box]") || document.querySelector("[data-terms-box]");
  }

  function atEnd(box) {
    // A box that is not rendered (hidden, or in a closed section) has no height: nothing has been
    // read yet, so that is not the end.
    if (box.clientHeight === 0) {
      return false;
    }
    return box.scrollTop + box.clientHeight >= box.scrollHeight - SLACK_PX;
  }

  function setUp(button) {
    var box = findBox(button);
    var status = document.getElementById(button.getAttribute("data-status") || "");
    if (!box) {
      return;
    }
    var done = false;
    var observer = null;

    function stopWatching() {
      box.removeEventListener("scroll", update);
      window.removeEventListener("resize", update);
      window.removeEventListener("load", update);
      if (observer) {
        observer.disconnect();
      }
    }

    function update() {
      if (done || !atEnd(box)) {
        return;
      }
      // Once reached, the end stays reached: scrolling back up to reread does not undo it.
      done = true;
      button.disabled = false;
      button.removeAttribute("aria-disabled");
      setText(status, AFTER);
      stopWatching();
    }

    setText(status, BEFORE);
    box.addEventListener("scroll", update, { passive: true });
    // The box may grow or shrink (window size, zoom, fonts and images loading) until its end is
    // already in view.
    window.addEventListener("resize", update);
    window.addEventListener("load", update);
    if (typeof ResizeObserver === "function") {
      observer = new ResizeObserver(update);
      observer.observe(box);
    }
    update();
  }

  function start() {
    Array.prototype.forEach.call(
      document.querySelectorAll("button[data-requires-scroll]"),
      setUp
    );
  }

  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", start);
  } else {
    start();
  }
})();
