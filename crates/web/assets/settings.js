// The settings page (`/staff/settings`): the Copy button beside the practice id. Without this
// script the button stays hidden and the id can be selected and copied by hand. The pages send
// `Content-Security-Policy: default-src 'self'`, so nothing here is inline.
//
// Expected markup: <button data-copy="id-of-the-element-whose-text-to-copy" hidden>…</button>
// and, for the result, <span data-copy-status aria-live="polite"></span> after it.
(function () {
  "use strict";
  if (!navigator.clipboard || !navigator.clipboard.writeText) {
    return;
  }
  Array.prototype.forEach.call(document.querySelectorAll("[data-copy]"), function (button) {
    var source = document.getElementById(button.getAttribute("data-copy"));
    var status = button.parentNode.querySelector("[data-copy-status]");
    if (!source) {
      return;
    }
    button.addEventListener("click", function () {
      navigator.clipboard.writeText(source.textContent.trim()).then(
        function () {
          if (status) {
            status.textContent = "Copied.";
          }
        },
        function () {
          if (status) {
            status.textContent = "Could not copy: select the id and copy it by hand.";
          }
        }
      );
    });
    button.hidden = false;
  });
})();
