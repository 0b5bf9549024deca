// The invitation list's "Select all on this page" and the count on "Re-send selected". Without
// this script the list still works: each box is ticked by hand and the button sends them. The
// pages send `Content-Security-Policy: default-src 'self'`, so nothing here is inline.
(function () {
  "use strict";
  var all = document.getElementById("select-all");
  var button = document.getElementById("resend-selected");
  var boxes = Array.prototype.slice.call(document.querySelectorAll("input.pick[name='ids']"));
  if (!all || !button || boxes.length === 0) {
    return;
  }
  var picked = function () {
    return boxes.filter(function (b) { return b.checked; }).length;
  };
  var update = function () {
    var n = picked();
    all.checked = n === boxes.length;
    all.indeterminate = n > 0 && n < boxes.length;
    button.textContent = n > 0 ? "Re-send " + n + " selected" : "Re-send selected";
  };
  all.addEventListener("change", function () {
    boxes.forEach(function (b) { b.checked = all.checked; });
    update();
  });
  boxes.forEach(function (b) { b.addEventListener("change", update); });
  all.parentNode.hidden = false;
  update();
})();
