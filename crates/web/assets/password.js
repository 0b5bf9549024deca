// Password helpers for the patient pages: a live strength check, suggested passphrases and a
// show/hide toggle. Progressive enhancement only: the server checks every password again on
// submit, so a page without this script (or with a failed request) still works. The pages send
// `Content-Security-Policy: default-src 'self'`, so everything is wired here, never inline, and
// text from the server is only ever set with `textContent`.
//
// Expected markup (ids are the page's choice; attributes are what this script reads):
//   <input type="password" id="password" name="password"
//          data-password-check="/api/public/password-check"
//          data-meter="password-meter" data-feedback="password-feedback">
//   <meter id="password-meter" min="0" max="4" low="2" high="3" optimum="4" value="0" hidden>
//   <p id="password-feedback" aria-live="polite"></p>
//   <button type="button" data-suggest-passphrase="/api/public/passphrase"
//           data-target="passphrase-suggestion" hidden>Suggest a passphrase</button>
//   <p id="passphrase-suggestion" aria-live="polite"></p>
//   <button type="button" data-use-passphrase="passphrase-suggestion" data-input="password"
//           data-confirm="password-confirm" hidden>Use this passphrase</button>
//   <button type="button" data-show-password data-input="password" aria-pressed="false"
//           hidden>Show password</button>
// Buttons that need this script are rendered `hidden`; the script reveals them.
(function () {
  "use strict";

  var DEBOUNCE_MS = 250;
  var MAX_PASSPHRASE_LENGTH = 128;
  var STRENGTH_WORDS = ["very weak", "weak", "fair", "strong", "very strong"];
  // The person's own details, sent so the check can refuse a password built from them.
  var PERSONAL_FIELDS = ["first_name", "last_name", "email", "birth_date"];

  // The latest suggestion shown in each target element, by the element's id.
  var suggestions = {};
  var lastSuggestion = null;

  function byId(id) {
    return id ? document.getElementById(id) : null;
  }

  function setText(element, text) {
    // Rewriting a live region with the same words makes some screen readers repeat them.
    if (element && element.textContent !== text) {
      element.textContent = text;
    }
  }

  // The value of the form control called `name` in `form`, or null when it is absent or empty.
  function fieldValue(form, name) {
    if (!form || !form.elements) {
      return null;
    }
    var field = form.elements.namedItem(name);
    if (!field || typeof field.value !== "string" || field.value.trim() === "") {
      return null;
    }
    return field.value;
  }

  // --- Strength check -------------------------------------------------------------------------

  function setUpCheck(input) {
    var url = input.getAttribute("data-password-check");
    var meter = byId(input.getAttribute("data-meter"));
    var feedback = byId(input.getAttribute("data-feedback"));
    if (!url || typeof window.fetch !== "function") {
      return;
    }
    var timer = null;
    // Each request gets the next number; an answer that is not for the latest one is stale.
    var sequence = 0;
    var inFlight = null;

    if (meter) {
      meter.min = 0;
      meter.max = 4;
      meter.low = 2;
      meter.high = 3;
      meter.optimum = 4;
      meter.hidden = false;
    }

    function clear() {
      if (meter) {
        meter.value = 0;
        meter.removeAttribute("aria-valuetext");
      }
      setText(feedback, "");
      if (feedback) {
        feedback.removeAttribute("data-acceptable");
      }
    }

    function show(answer) {
      var score = Math.max(0, Math.min(4, Math.round(Number(answer.score) || 0)));
      var words = STRENGTH_WORDS[score];
      if (meter) {
        meter.value = score;
        meter.setAttribute("aria-valuetext", words);
      }
      var text;
      if (answer.acceptable === true) {
        text = "Strength: " + words;
      } else if (typeof answer.message === "string" && answer.message !== "") {
        text = answer.message;
      } else if (Number(answer.length) < Number(answer.min_length)) {
        text =
          "Use at least " + answer.min_length + " characters (this one has " + answer.length + ").";
      } else {
        text = "Strength: " + words + ". This password would not be accepted.";
      }
      setText(feedback, text);
      if (feedback) {
        feedback.setAttribute("data-acceptable", answer.acceptable === true ? "true" : "false");
      }
      if (answer.acceptable === true) {
        clearServerError(input);
      }
    }

    function check() {
      timer = null;
      var password = input.value;
      var mine = ++sequence;
      if (inFlight) {
        inFlight.abort();
        inFlight = null;
      }
      if (password === "") {
        clear();
        return;
      }
      var body = { password: password };
      PERSONAL_FIELDS.forEach(function (name) {
        var value = fieldValue(input.form, name);
        if (value !== null) {
          body[name] = value;
        }
      });
      var controller = typeof AbortController === "function" ? new AbortController() : null;
      inFlight = controller;
      window
        .fetch(url, {
          method: "POST",
          headers: { "Content-Type": "application/json", Accept: "application/json" },
          body: JSON.stringify(body),
          credentials: "same-origin",
          cache: "no-store",
          signal: controller ? controller.signal : undefined,
        })
        .then(function (response) {
          if (!response.ok) {
            throw new Error("password check answered " + response.status);
          }
          return response.json();
        })
        .then(function (answer) {
          if (mine !== sequence) {
            return;
          }
          inFlight = null;
          if (!answer || typeof answer !== "object") {
            throw new Error("password check answered something other than an object");
          }
          show(answer);
        })
        .catch(function () {
          // The server checks again on submit; a stale verdict would mislead, so show none.
          if (mine === sequence) {
            inFlight = null;
            clear();
          }
        });
    }

    input.addEventListener("input", function () {
      if (timer !== null) {
        window.clearTimeout(timer);
        timer = null;
      }
      if (input.value === "") {
        check();
      } else {
        timer = window.setTimeout(check, DEBOUNCE_MS);
      }
    });

    // A browser that restores the form on "back" fills the field without an input event.
    if (input.value !== "") {
      check();
    } else {
      clear();
    }
  }

  // --- Suggested passphrases ------------------------------------------------------------------

  // Shows or hides the "use" buttons that take their passphrase from `targetId`, and those that
  // name no source and so take the latest suggestion.
  function setUsable(targetId, usable) {
    var buttons = document.querySelectorAll("button[data-use-passphrase]");
    Array.prototype.forEach.call(buttons, function (button) {
      var source = button.getAttribute("data-use-passphrase");
      if (source === targetId || source === "") {
        button.hidden = !usable;
      }
    });
  }

  function setUpSuggest(button) {
    var url = button.getAttribute("data-suggest-passphrase");
    var targetId = button.getAttribute("data-target");
    var target = byId(targetId);
    if (!url || !target || typeof window.fetch !== "function") {
      return;
    }
    var sequence = 0;
    button.type = "button";
    button.hidden = false;

    button.addEventListener("click", function () {
      var mine = ++sequence;
      button.setAttribute("aria-busy", "true");
      window
        .fetch(url, {
          method: "GET",
          headers: { Accept: "application/json" },
          credentials: "same-origin",
          cache: "no-store",
        })
        .then(function (response) {
          if (!response.ok) {
            throw new Error("passphrase suggestion answered " + response.status);
          }
          return response.json();
        })
        .then(function (answer) {
          if (mine !== sequence) {
            return;
          }
          var passphrase = answer && answer.passphrase;
          if (
            typeof passphrase !== "string" ||
            passphrase === "" ||
            passphrase.length > MAX_PASSPHRASE_LENGTH
          ) {
            throw new Error("passphrase suggestion answered without a passphrase");
          }
          suggestions[targetId] = passphrase;
          lastSuggestion = passphrase;
          setText(target, passphrase);
          setUsable(targetId, true);
        })
        .catch(function () {
          if (mine !== sequence) {
            return;
          }
          delete suggestions[targetId];
          lastSuggestion = null;
          setText(target, "Sorry, no passphrase could be suggested just now. Please try again.");
          setUsable(targetId, false);
        })
        .then(function () {
          if (mine === sequence) {
            button.removeAttribute("aria-busy");
          }
        });
    });
  }

  // Puts `value` into `field` as if typed, so the strength check and any other listener run.
  function fill(field, value) {
    field.value = value;
    field.dispatchEvent(new Event("input", { bubbles: true }));
    field.dispatchEvent(new Event("change", { bubbles: true }));
  }

  // The server's message from the last post ("easy to guess") is wrong once the password typed
  // since passes: it goes, with the field's error styling, so only what is true is shown.
  function clearServerError(input) {
    var error = byId(input.id + "-error");
    if (error) {
      error.hidden = true;
    }
    input.removeAttribute("aria-invalid");
    var described = (input.getAttribute("aria-describedby") || "")
      .split(" ")
      .filter(function (id) { return id !== "" && id !== input.id + "-error"; });
    input.setAttribute("aria-describedby", described.join(" "));
    var field = input.closest ? input.closest(".field") : null;
    if (field) {
      field.classList.remove("has-error");
    }
  }

  function setUpUse(button) {
    var input = byId(button.getAttribute("data-input"));
    if (!input) {
      return;
    }
    button.type = "button";
    // Shown once there is a suggestion to use.
    button.hidden = true;

    button.addEventListener("click", function () {
      var source = button.getAttribute("data-use-passphrase");
      var passphrase = source ? suggestions[source] : lastSuggestion;
      if (typeof passphrase !== "string" || passphrase === "") {
        return;
      }
      fill(input, passphrase);
      var confirm = byId(button.getAttribute("data-confirm"));
      if (confirm) {
        fill(confirm, passphrase);
      }
    });
  }

  // --- Show / hide ----------------------------------------------------------------------------

  function setUpToggle(button) {
    var input = byId(button.getAttribute("data-input"));
    if (!input) {
      return;
    }
    button.type = "button";
    button.setAttribute("aria-controls", input.id);

    function render(visible) {
      input.type = visible ? "text" : "password";
      button.setAttribute("aria-pressed", visible ? "true" : "false");
      button.textContent = visible ? "Hide password" : "Show password";
    }

    button.addEventListener("click", function () {
      render(input.type === "password");
    });
    // Hide it again before it is sent, so the browser does not treat it as plain text, and
    // whenever the page comes back from the back/forward cache.
    if (input.form) {
      input.form.addEventListener("submit", function () {
        render(false);
      });
    }
    window.addEventListener("pageshow", function () {
      render(false);
    });
    render(false);
    button.hidden = false;
  }

  function start() {
    var each = function (selector, setUp) {
      Array.prototype.forEach.call(document.querySelectorAll(selector), setUp);
    };
    each("input[data-password-check]", setUpCheck);
    each("button[data-use-passphrase]", setUpUse);
    each("button[data-suggest-passphrase]", setUpSuggest);
    each("button[data-show-password]", setUpToggle);
  }

  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", start);
  } else {
    start();
  }
})();
