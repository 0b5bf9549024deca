// The waiting list, live: the server says "changed" (server-sent events) whenever a request of
// the practice is made or answered, on any node; the list then reloads in place. Someone typing
// an answer keeps what they typed: the page only says new requests came in, and shows them when
// asked. Without EventSource (or scripts) the page works as before, with a reload.
(function () {
  "use strict";
  var live = document.querySelector("[data-live-visits]");
  if (!live || !window.EventSource || !window.fetch || !window.DOMParser) {
    return;
  }
  var status = document.getElementById("visits-live");
  var notice = document.getElementById("visits-new");
  var pending = null;
  var loading = false;
  var again = false;

  function current() {
    return document.querySelector("[data-live-visits]");
  }

  function typing(list) {
    if (list.contains(document.activeElement) && document.activeElement.tagName !== "BUTTON") {
      return true;
    }
    var fields = list.querySelectorAll("textarea, input[type=datetime-local]");
    for (var i = 0; i < fields.length; i++) {
      if (fields[i].value) {
        return true;
      }
    }
    return false;
  }

  function show(fresh) {
    var list = current();
    var before = Number(list.getAttribute("data-waiting"));
    var after = Number(fresh.getAttribute("data-waiting"));
    list.replaceWith(fresh);
    pending = null;
    notice.hidden = true;
    if (status && after !== before) {
      status.textContent = after === 1 ? "1 request waiting." : after + " requests waiting.";
    }
  }

  function reload() {
    if (loading) {
      // A change while the list loads: load once more afterwards, so none is missed.
      again = true;
      return;
    }
    loading = true;
    again = false;
    fetch(window.location.pathname, { credentials: "same-origin", headers: { Accept: "text/html" } })
      .then(function (res) {
        return res.ok && !res.redirected ? res.text() : null;
      })
      .then(function (html) {
        if (!html) {
          return;
        }
        var page = new DOMParser().parseFromString(html, "text/html");
        var fresh = page.querySelector("[data-live-visits]");
        // Unchanged: the page stays as it is (and so does whatever has focus).
        if (!fresh || fresh.innerHTML === current().innerHTML) {
          return;
        }
        if (typing(current())) {
          pending = fresh;
          notice.hidden = false;
        } else {
          show(fresh);
        }
      })
      .catch(function () {})
      .then(function () {
        loading = false;
        if (again) {
          reload();
        }
      });
  }

  notice.querySelector("[data-show-new]").addEventListener("click", function () {
    if (pending) {
      show(pending);
    }
  });
  var source = new EventSource(live.getAttribute("data-live-visits"));
  source.addEventListener("changed", reload);
  // (Re)connected: anything missed while the connection was down is fetched once.
  source.addEventListener("open", reload);
})();
