// Progressive enhancement: show one question at a time, move on after an answer.
// Without JavaScript the form stays one clear page.
(function () {
  "use strict";
  var form = document.querySelector("form.survey[data-stepper]");
  if (!form) return;
  var steps = Array.prototype.slice.call(form.querySelectorAll("fieldset.step"));
  var progress = form.querySelector("[data-progress]");
  var back = form.querySelector("[data-back]");
  var next = form.querySelector("[data-next]");
  var submit = form.querySelector("[data-submit]");
  var template = progress ? progress.getAttribute("data-template") : "";
  // Start at the first question with an error, or the first unanswered one.
  var index = steps.findIndex(function (s) { return s.querySelector(".errorlist"); });
  if (index < 0) index = steps.findIndex(function (s) { return s.querySelector("input[type=radio]") && !s.querySelector("input:checked"); });
  if (index < 0) index = 0;
  form.classList.add("stepper");
  function show(i) {
    index = Math.max(0, Math.min(steps.length - 1, i));
    steps.forEach(function (s, k) { s.classList.toggle("current", k === index); });
    if (progress) progress.textContent = template.replace("{n}", index + 1).replace("{total}", steps.length);
    back.hidden = index === 0;
    var last = index === steps.length - 1;
    next.hidden = last;
    submit.hidden = !last;
    var legend = steps[index].querySelector("legend");
    if (legend) { legend.setAttribute("tabindex", "-1"); legend.focus(); }
  }
  form.addEventListener("change", function (event) {
    if (event.target.type === "radio" && index < steps.length - 1) {
      window.setTimeout(function () { show(index + 1); }, 250);
    }
  });
  back.addEventListener("click", function () { show(index - 1); });
  next.addEventListener("click", function () { show(index + 1); });
  back.hidden = false;
  show(index);
})();
