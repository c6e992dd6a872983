// The display board: polls the cached board state every second, redraws, and announces new
// calls with a chime and, where the browser has an Indonesian voice, a spoken call.
(function () {
  "use strict";
  const body = document.body;
  const url = body.dataset.stateUrl;
  let soundOn = false;
  let seen = null; // "ticket@called_at" keys already announced

  function chime() {
    const Ctx = window.AudioContext || window.webkitAudioContext;
    if (!Ctx) return;
    const ctx = new Ctx();
    [660, 880].forEach(function (freq, i) {
      const osc = ctx.createOscillator();
      const gain = ctx.createGain();
      osc.frequency.value = freq;
      gain.gain.setValueAtTime(0.2, ctx.currentTime + i * 0.35);
      gain.gain.exponentialRampToValueAtTime(0.001, ctx.currentTime + i * 0.35 + 0.3);
      osc.connect(gain).connect(ctx.destination);
      osc.start(ctx.currentTime + i * 0.35);
      osc.stop(ctx.currentTime + i * 0.35 + 0.32);
    });
  }

  function speak(call) {
    if (!("speechSynthesis" in window)) return;
    const spelled = call.ticket.replace("-", " ").split("").join(" ");
    const text = body.dataset.sayTicket + " " + spelled + ", " + body.dataset.sayCounter + " " + call.counter;
    const utterance = new SpeechSynthesisUtterance(text);
    const voice = speechSynthesis.getVoices().find(function (v) { return v.lang.startsWith("id"); });
    if (voice) utterance.voice = voice;
    utterance.lang = "id-ID";
    speechSynthesis.speak(utterance);
  }

  function rows(el, items, render) {
    el.replaceChildren.apply(el, items.map(render));
  }

  function cell(tag, text) { const c = document.createElement(tag); c.textContent = text; return c; }

  function draw(state) {
    const fresh = [];
    const keys = new Set();
    state.current.forEach(function (c) {
      const key = c.ticket + "@" + c.called_at;
      keys.add(key);
      if (seen && !seen.has(key)) fresh.push(c);
    });
    rows(document.getElementById("current"), state.current, function (c) {
      const tr = document.createElement("tr");
      if (fresh.indexOf(c) >= 0) tr.className = "fresh";
      tr.append(cell("td", c.ticket), cell("td", c.counter));
      return tr;
    });
    rows(document.getElementById("last"), state.last_calls, function (c) {
      return cell("li", c.ticket + " → " + c.counter);
    });
    rows(document.getElementById("waiting"), state.waiting, function (w) {
      return cell("li", w.service + ": " + w.waiting);
    });
    if (soundOn && fresh.length) { chime(); fresh.forEach(speak); }
    seen = keys;
  }

  function poll() {
    fetch(url, { credentials: "same-origin", headers: { Accept: "application/json" } })
      .then(function (r) { return r.ok ? r.json() : null; })
      .then(function (state) { if (state) draw(state); })
      .catch(function () {})
      .finally(function () { setTimeout(poll, 1000); });
  }

  function tick() {
    document.getElementById("clock").textContent = new Date().toLocaleTimeString("id-ID", { hour: "2-digit", minute: "2-digit", timeZone: body.dataset.timezone });
  }

  document.getElementById("sound").addEventListener("click", function (event) {
    soundOn = !soundOn; // browsers allow audio only after a person has interacted
    event.target.setAttribute("aria-pressed", String(soundOn));
    if (soundOn) chime();
  });
  tick(); setInterval(tick, 15000);
  poll();
})();
