// Remembers the visitor's display choices (high contrast, larger text) on this device.
(function () {
  "use strict";
  var root = document.documentElement;
  var choices = [["contrast", "data-toggle-contrast"], ["large-text", "data-toggle-large-text"]];
  choices.forEach(function (choice) {
    var name = choice[0];
    if (localStorage.getItem("mpp-" + name) === "1") root.classList.add(name);
    document.addEventListener("DOMContentLoaded", function () {
      var button = document.querySelector("[" + choice[1] + "]");
      if (!button) return;
      button.setAttribute("aria-pressed", root.classList.contains(name));
      button.addEventListener("click", function () {
        var on = root.classList.toggle(name);
        localStorage.setItem("mpp-" + name, on ? "1" : "0");
        button.setAttribute("aria-pressed", on);
      });
    });
  });
})();

// Print buttons (no inline onclick: the Content-Security-Policy forbids inline scripts).
document.addEventListener("click", function (event) {
  if (event.target.closest && event.target.closest("[data-print]")) window.print();
});
