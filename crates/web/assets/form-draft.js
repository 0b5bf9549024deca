// Keeps an intake form's draft while the patient types: a short pause after a change, the form's
// fields are posted to its draft address, and the status line says when the draft was kept. A
// reload shows the kept answers (the server renders them). Without this script the "Save for
// later" button does the same by hand. The pages send `Content-Security-Policy: default-src
// 'self'`, so nothing here is inline.
//
// Expected markup:
//   <form data-draft-url="/portal/messages/…/forms/…/draft" data-draft-status="draft-status">
//   <p id="draft-status" aria-live="polite"></p>
(function () {
  "use strict";

  var PAUSE_MS = 800;

  function start(form) {
    var url = form.getAttribute("data-draft-url");
    var status = document.getElementById(form.getAttribute("data-draft-status"));
    var timer = null;
    var sending = false;
    var again = false;

    function say(text) {
      if (status && status.textContent !== text) {
        status.textContent = text;
      }
    }

    function fields() {
      var data = new URLSearchParams();
      new FormData(form).forEach(function (value, name) {
        if (name !== "action") {
          data.append(name, value);
        }
      });
      return data;
    }

    function send() {
      timer = null;
      if (sending) {
        again = true;
        return;
      }
      sending = true;
      fetch(url, {
        method: "POST",
        body: fields(),
        credentials: "same-origin",
        headers: { "Content-Type": "application/x-www-form-urlencoded" }
      })
        .then(function (response) {
          if (response.status === 204) {
            var now = new Date();
            say("Draft saved at " + now.toLocaleTimeString([], { hour: "numeric", minute: "2-digit" }) + ".");
          } else if (response.status === 409) {
            say("This form has already been submitted. Reload the page to see the answers.");
          } else {
            say("Your draft could not be saved just now. Your answers are still here; press Save for later to try again.");
          }
        })
        .catch(function () {
          say("Your draft could not be saved just now (no connection). Your answers are still here.");
        })
        .then(function () {
          sending = false;
          if (again) {
            again = false;
            send();
          }
        });
    }

    function changed() {
      if (timer) {
        clearTimeout(timer);
      }
      timer = setTimeout(send, PAUSE_MS);
    }

    form.addEventListener("input", changed);
    form.addEventListener("change", changed);
  }

  var forms = document.querySelectorAll("form[data-draft-url]");
  for (var i = 0; i < forms.length; i++) {
    start(forms[i]);
  }
})();
