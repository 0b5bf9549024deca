// The answer to a failed post of the registration entry (a code that was not accepted, too many
// tries) is a page at the post's address, with the status that says why (400, 422, 429). In the
// history that entry is a POST, so Back or reload would ask to send the form again ("Confirm Form
// Resubmission"). This script turns the entry into a plain visit of the form's own page, named by
// the script tag's `data-page`: Back and reload then show the form, and nothing is sent twice.
// The steps after the entry redirect instead (platform/flash.rs). The pages send
// `Content-Security-Policy: default-src 'self'`, so nothing here is inline.
(function () {
  "use strict";
  var script = document.currentScript;
  var page = script && script.getAttribute("data-page");
  if (page && page.charAt(0) === "/" && window.history && window.history.replaceState) {
    window.history.replaceState(null, "", page + window.location.hash);
  }
})();
