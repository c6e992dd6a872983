// Device pages (templates/device_base.html): back to the start page after a while without a
// touch, so the last visitor's ticket or half-filled form does not stay on screen; print the
// receipt once when the page asks for it.
(function () {
  "use strict";
  var body = document.body;
  var seconds = parseInt(body.getAttribute("data-idle-seconds"), 10);
  var home = body.getAttribute("data-idle-home");
  if (home && seconds > 0) {
    var timer = null;
    var restart = function () {
      if (timer) window.clearTimeout(timer);
      timer = window.setTimeout(function () { window.location.assign(home); }, seconds * 1000);
    };
    ["pointerdown", "keydown", "input", "touchstart"].forEach(function (name) {
      document.addEventListener(name, restart, { passive: true });
    });
    restart();
  }
  if (body.hasAttribute("data-autoprint")) {
    window.addEventListener("load", function () { window.print(); });
  }
})();
