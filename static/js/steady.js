/* Steady's own behaviour, loaded from a file: the Content-Security-Policy allows no inline script. */
(function () {
  "use strict";
  // A button marked data-steady-print prints the page (session plans, the information pack).
  document.addEventListener("click", function (event) {
    var button = event.target.closest("[data-steady-print]");
    if (button) {
      event.preventDefault();
      window.print();
    }
  });
})();
