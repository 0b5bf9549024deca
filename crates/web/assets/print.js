// "Print hand-over sheet": shows the button (hidden without JavaScript, when the browser's own
// Print does the same) and opens the print dialog; the stylesheet prints only the sheets.
(function () {
  "use strict";
  var buttons = document.querySelectorAll("[data-print]");
  for (var i = 0; i < buttons.length; i++) {
    buttons[i].hidden = false;
    buttons[i].addEventListener("click", function () { window.print(); });
  }
})();
