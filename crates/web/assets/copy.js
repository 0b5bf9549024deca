// Copy buttons: `<button data-copy="ID" data-status="STATUS-ID" hidden>` copies the text of the
// element with id ID to the clipboard and says so in the live region STATUS-ID. Progressive
// enhancement: without this script (or without a clipboard) the text stays on the page to select
// by hand, and the button stays hidden. Pages send `Content-Security-Policy: default-src 'self'`,
// so this is wired here, never inline.
(function () {
  "use strict";

  function say(status, text) {
    if (status) {
      status.textContent = text;
    }
  }

  // Selects the element's text, so that a person can copy it by hand when the clipboard refuses.
  function select(element) {
    var range = document.createRange();
    range.selectNodeContents(element);
    var selection = window.getSelection();
    selection.removeAllRanges();
    selection.addRange(range);
  }

  function setUp(button) {
    var source = document.getElementById(button.getAttribute("data-copy"));
    var status = document.getElementById(button.getAttribute("data-status"));
    if (!source || !navigator.clipboard || typeof navigator.clipboard.writeText !== "function") {
      return;
    }
    button.hidden = false;
    button.addEventListener("click", function () {
      navigator.clipboard.writeText(source.textContent.trim()).then(
        function () {
          say(status, "Copied. Paste it into the other system now.");
        },
        function () {
          select(source);
          say(status, "Could not copy: the text is selected, copy it with your keyboard.");
        }
      );
    });
  }

  function start() {
    var buttons = document.querySelectorAll("button[data-copy]");
    for (var i = 0; i < buttons.length; i++) {
      setUp(buttons[i]);
    }
  }

  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", start);
  } else {
    start();
  }
})();
