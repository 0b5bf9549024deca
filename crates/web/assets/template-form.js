// A template's page (`/staff/templates/{kind}/{language}`): the preview follows the typing.
// Progressive enhancement only: without this script the form still posts, an "Update the preview"
// button shows the message, and the server checks everything again on Save. The pages send
// `Content-Security-Policy: default-src 'self'`, so everything is wired here, never inline.
//
// The preview is the page's own preview part, rendered by the server from the same template
// (escaped there) with the same core preview as the API, so the live preview and the one after a
// reload cannot differ. It is asked for a moment after typing stops; an answer that arrives
// after a newer question is dropped.
//
// Expected markup:
//   <form id="template-form" data-preview-url="…/preview" data-preview-target="template-preview">
//   <div id="template-preview">…</div>
//   <button form="template-form" data-preview-button>…</button>   (hidden by this script)
(function () {
  "use strict";

  var DEBOUNCE_MS = 300;

  var form = document.getElementById("template-form");
  if (!form || !window.fetch || !window.URLSearchParams || !window.FormData) {
    return;
  }
  var target = document.getElementById(form.getAttribute("data-preview-target"));
  var url = form.getAttribute("data-preview-url");
  var button = document.querySelector("[data-preview-button]");
  if (!target || !url) {
    return;
  }

  var timer = null;
  var asked = 0;

  function showButton(show) {
    if (button) {
      button.hidden = !show;
    }
  }

  function refresh() {
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
        // A failed request leaves the last preview; the button is there again.
        showButton(true);
      })
      .then(function () {
        if (mine === asked) {
          target.removeAttribute("aria-busy");
        }
      });
  }

  form.addEventListener("input", function () {
    window.clearTimeout(timer);
    timer = window.setTimeout(refresh, DEBOUNCE_MS);
  });
  showButton(false);
})();
