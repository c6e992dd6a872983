// The display board: polls the cached board state every second, redraws, and announces new
// calls with recorded clips (static/visits/calls/<language>/<name>.ogg, made by
// scripts/make_call_clips.py) played one after another; the browser's own voice only when a
// clip cannot be played. Sound on/off is kept per board device (localStorage); a new call
// stays highlighted for data-highlight-seconds.
(function () {
  "use strict";
  const body = document.body;
  const url = body.dataset.stateUrl;
  const clipUrls = JSON.parse(document.getElementById("call-clips").textContent); // name → URL
  const languages = (body.dataset.callLanguages || "id").split(",").filter(Boolean);
  const highlightMs = (parseInt(body.dataset.highlightSeconds, 10) || 10) * 1000;
  const SOUND_KEY = "mpp.board.sound";
  const audio = document.getElementById("call-audio");
  let soundOn = window.localStorage.getItem(SOUND_KEY) === "on";
  let seen = null; // "ticket@called_at" keys already announced
  const freshUntil = new Map(); // key → time the highlight ends
  const queue = []; // clip sequences waiting to be played
  let playing = false;

  // Indonesian numbers from a few clips: 12 → "belas" after "2"; 45 → "4 puluh 5"; 100 → "seratus".
  function idNumber(n) {
    if (n < 10) return [String(n)];
    if (n === 10) return ["sepuluh"];
    if (n === 11) return ["sebelas"];
    if (n < 20) return [String(n % 10), "belas"];
    if (n < 100) return [String(Math.floor(n / 10)), "puluh"].concat(n % 10 ? [String(n % 10)] : []);
    if (n < 1000) {
      const head = n < 200 ? ["seratus"] : [String(Math.floor(n / 100)), "ratus"];
      return head.concat(n % 100 ? idNumber(n % 100) : []);
    }
    return String(n).split("");
  }

  // "A-012" or counter "3B": letters one by one, digit runs as numbers (English: digit by digit).
  function spoken(text, language) {
    const clips = [];
    (text.toUpperCase().match(/[A-Z]|[0-9]+/g) || []).forEach(function (part) {
      if (/^[0-9]+$/.test(part)) {
        clips.push.apply(clips, language === "id" ? idNumber(parseInt(part, 10)) : part.split(""));
      } else {
        clips.push(part);
      }
    });
    return clips;
  }

  function clipsFor(call) {
    const names = [];
    languages.forEach(function (language) {
      [["nomor-antrean"], spoken(call.ticket, language), ["silakan-menuju-loket"], spoken(String(call.counter), language)]
        .forEach(function (group) {
          group.forEach(function (name) { names.push(language + "/" + name); });
        });
    });
    return names;
  }

  function speak(call) { // fallback: the device's own voice, if it has one
    if (!("speechSynthesis" in window)) return;
    const spelled = call.ticket.replace("-", " ").split("").join(" ");
    const text = body.dataset.sayTicket + " " + spelled + ", " + body.dataset.sayCounter + " " + call.counter;
    const utterance = new SpeechSynthesisUtterance(text);
    const voice = speechSynthesis.getVoices().find(function (v) { return v.lang.startsWith("id"); });
    if (voice) utterance.voice = voice;
    utterance.lang = "id-ID";
    speechSynthesis.speak(utterance);
  }

  function playNext() {
    if (playing || !queue.length) return;
    const item = queue.shift();
    playing = true;
    audio.dataset.sequence = item.names.join(" "); // what this call plays, for the record
    let index = 0;
    const step = function () {
      if (index >= item.names.length) { playing = false; playNext(); return; }
      const src = clipUrls[item.names[index]];
      index += 1;
      if (!src) { fail(); return; }
      audio.src = src;
      audio.play().catch(fail);
    };
    const fail = function () {
      audio.onended = audio.onerror = null;
      playing = false;
      speak(item.call);
      playNext();
    };
    audio.onended = step;
    audio.onerror = fail;
    step();
  }

  function announce(call) {
    queue.push({ call: call, names: clipsFor(call) });
    playNext();
  }

  function rows(el, items, render) {
    el.replaceChildren.apply(el, items.map(render));
  }

  function cell(tag, text) { const c = document.createElement(tag); c.textContent = text; return c; }

  function draw(state) {
    const fresh = [];
    const keys = new Set();
    const now = Date.now();
    state.current.forEach(function (c) {
      const key = c.ticket + "@" + c.called_at;
      keys.add(key);
      if (seen && !seen.has(key)) { fresh.push(c); freshUntil.set(key, now + highlightMs); }
    });
    rows(document.getElementById("current"), state.current, function (c) {
      const tr = document.createElement("tr");
      if ((freshUntil.get(c.ticket + "@" + c.called_at) || 0) > now) tr.className = "fresh";
      tr.append(cell("td", c.ticket), cell("td", c.counter));
      return tr;
    });
    rows(document.getElementById("last"), state.last_calls, function (c) {
      return cell("li", c.ticket + " → " + c.counter);
    });
    rows(document.getElementById("waiting"), state.waiting, function (w) {
      return cell("li", w.service + ": " + w.waiting);
    });
    if (soundOn) fresh.forEach(announce);
    freshUntil.forEach(function (until, key) { if (until <= now && !keys.has(key)) freshUntil.delete(key); });
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

  const button = document.getElementById("sound");
  function showSound() {
    button.setAttribute("aria-pressed", String(soundOn));
    button.textContent = soundOn ? button.dataset.labelOff : button.dataset.labelOn;
  }
  button.addEventListener("click", function () {
    soundOn = !soundOn; // browsers allow audio only after a person has interacted
    window.localStorage.setItem(SOUND_KEY, soundOn ? "on" : "off");
    showSound();
  });
  showSound();
  tick(); setInterval(tick, 15000);
  poll();
})();
