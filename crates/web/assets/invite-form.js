// The invite form (`/staff/invitations/new`): a live preview of the messages and sensible channel
// defaults. Progressive enhancement only: without this script the form still posts, a Preview
// button shows the messages, and the server checks everything again on submit. The pages send
// `Content-Security-Policy: default-src 'self'`, so everything is wired here, never inline.
//
// The preview is the page's own preview part, rendered by the server from the same template
// (escaped there), so the live preview and the one after a reload cannot differ. It is asked for
// a moment after typing stops; an answer that arrives after a newer question is dropped.
//
// Expected markup:
//   <form id="invite-form" data-preview-url="…/preview" data-preview-target="invite-preview">
//   <div id="invite-preview">…</div>
//   <button form="invite-form" data-preview-button>…</button>   (hidden by this script)
// Each person's fields are named with their prefix ("", "household_", "caregiver_"): `email`,
// `phone`, and the boxes `send_email`, `send_sms`, `send_voice`, `hand_over`.
(function () {
  "use strict";

  var DEBOUNCE_MS = 300;
  var PEOPLE = ["", "household_", "caregiver_"];
  var SENDS = ["send_email", "send_sms", "send_voice"];

  var form = document.getElementById("invite-form");
  if (!form || !window.fetch || !window.URLSearchParams || !window.FormData) {
    return;
  }
  var target = document.getElementById(form.getAttribute("data-preview-target"));
  var url = form.getAttribute("data-preview-url");

  function field(name) {
    return form.elements.namedItem(name);
  }

  // --- Live preview ---------------------------------------------------------------------------

  var timer = null;
  var asked = 0;

  function refresh() {
    if (!target || !url) {
      return;
    }
    asked += 1;
    var mine = asked;
    target.setAttribute("aria-busy", "true");
    fetch(url, {
      method: "POST",
      credentials: "same-origin",
      headers: { "Content-Type": "application/x-www-form-urlencoded" },
      body: new URLSearchParams(new FormData(form)).toString()
    })
      .then(function (response) {
        return response.ok ? response.text() : null;
      })
      .then(function (html) {
        if (mine !== asked || html === null) {
          return;
        }
        var parsed = new DOMParser().parseFromString(html, "text/html");
        target.replaceChildren.apply(target, Array.prototype.slice.call(parsed.body.childNodes));
      })
      .catch(function () {
        // A failed request leaves the last preview; the Preview button is there again.
        showButton(true);
      })
      .then(function () {
        if (mine === asked) {
          target.removeAttribute("aria-busy");
        }
      });
  }

  function soon() {
    window.clearTimeout(timer);
    timer = window.setTimeout(refresh, DEBOUNCE_MS);
  }

  function showButton(show) {
    var button = document.querySelector("[data-preview-button]");
    if (button) {
      button.hidden = !show;
    }
  }

  // --- Channel defaults -----------------------------------------------------------------------

  // A person's channels follow what is typed until staff tick a box themselves: an email address
  // ticks Email; a mobile number alone ticks Text message.
  var chosenByHand = {};

  function box(prefix, name) {
    return field(prefix + name);
  }

  function filled(prefix, name) {
    var input = field(prefix + name);
    return !!input && input.value.trim() !== "";
  }

  function followTyping(prefix) {
    if (chosenByHand[prefix]) {
      return;
    }
    var email = filled(prefix, "email");
    var phone = filled(prefix, "phone");
    var byEmail = box(prefix, "send_email");
    var bySms = box(prefix, "send_sms");
    var handOver = box(prefix, "hand_over");
    if (byEmail) {
      byEmail.checked = email;
    }
    if (bySms) {
      bySms.checked = phone && !email;
    }
    if (handOver && (email || phone)) {
      handOver.checked = false;
    }
  }

  // Sending and handing over exclude each other: ticking one clears the other.
  function keepExclusive(prefix, changed) {
    var handOver = box(prefix, "hand_over");
    if (!handOver) {
      return;
    }
    if (changed === prefix + "hand_over" && handOver.checked) {
      SENDS.forEach(function (name) {
        var b = box(prefix, name);
        if (b) {
          b.checked = false;
        }
      });
    } else if (changed !== prefix + "hand_over" && field(changed).checked) {
      handOver.checked = false;
    }
  }

  function personOf(name) {
    // The longest prefix first: "" matches every name.
    for (var i = PEOPLE.length - 1; i >= 0; i -= 1) {
      if (name.indexOf(PEOPLE[i]) === 0) {
        return PEOPLE[i];
      }
    }
    return "";
  }

  function isChannelBox(prefix, name) {
    var rest = name.slice(prefix.length);
    return rest === "hand_over" || SENDS.indexOf(rest) !== -1;
  }

  // --- Wiring ---------------------------------------------------------------------------------

  form.addEventListener("input", function (event) {
    var name = event.target && event.target.name;
    if (name) {
      var prefix = personOf(name);
      var rest = name.slice(prefix.length);
      if (rest === "email" || rest === "phone") {
        followTyping(prefix);
      }
    }
    soon();
  });

  form.addEventListener("change", function (event) {
    var name = event.target && event.target.name;
    if (name) {
      var prefix = personOf(name);
      if (isChannelBox(prefix, name)) {
        chosenByHand[prefix] = true;
        keepExclusive(prefix, name);
      }
    }
    soon();
  });

  // A form that came back with boxes ticked was chosen by hand already.
  PEOPLE.forEach(function (prefix) {
    chosenByHand[prefix] = ["send_email", "send_sms", "send_voice", "hand_over"].some(function (name) {
      var b = box(prefix, name);
      return b && b.checked;
    });
  });
  showButton(false);
})();
