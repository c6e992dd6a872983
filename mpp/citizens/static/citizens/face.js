// The face camera (citizens/_face_camera.html): show the camera (mirrored on screen only),
// and after "I am ready" send a short burst of raw JPEG frames to data-frames-url, which
// answers in JSON. Used by the kiosk and reception-desk check-in (liveness and the face),
// the officer's webcam enrolment, and the assisted lane confirmed by face.
(function () {
  "use strict";
  var root = document.getElementById("face-camera");
  if (!root) return;
  var video = document.getElementById("face-video");
  var canvas = document.getElementById("face-canvas");
  var start = document.getElementById("face-start");
  var status = document.getElementById("face-status");
  var after = document.getElementById("face-after");
  // 16 frames 150 ms apart: dense enough for the continuity check (a turn spans ~6 frames)
  var count = parseInt(root.dataset.count, 10) || 16;
  var interval = parseInt(root.dataset.interval, 10) || 150;
  var csrf = root.querySelector("input[name=csrfmiddlewaretoken]").value;

  function say(text) { status.textContent = text; }
  function offerWayOut() { after.hidden = false; }

  if (!navigator.mediaDevices || !navigator.mediaDevices.getUserMedia) {
    say(root.dataset.msgNoCamera);
    offerWayOut();
    return;
  }
  navigator.mediaDevices
    .getUserMedia({ video: { width: 640, height: 480, facingMode: "user" }, audio: false })
    .then(function (stream) {
      video.srcObject = stream;
      start.disabled = false;
    })
    .catch(function () {
      say(root.dataset.msgNoCamera);
      offerWayOut();
    });

  function grab() {
    return new Promise(function (resolve) {
      canvas.width = video.videoWidth || 640;
      canvas.height = video.videoHeight || 480;
      canvas.getContext("2d").drawImage(video, 0, 0, canvas.width, canvas.height);
      canvas.toBlob(resolve, "image/jpeg", 0.9);
    });
  }

  function burst() {
    var frames = [];
    return new Promise(function (resolve) {
      (function next() {
        grab().then(function (blob) {
          if (blob) frames.push(blob);
          if (frames.length >= count) resolve(frames);
          else setTimeout(next, interval);
        });
      })();
    });
  }

  start.addEventListener("click", function () {
    start.disabled = true;
    burst().then(function (frames) {
      say(root.dataset.msgChecking);
      var body = new FormData();
      frames.forEach(function (blob, i) { body.append("frames", blob, "frame" + i + ".jpg"); });
      return fetch(root.dataset.framesUrl, {
        method: "POST",
        body: body,
        headers: { "X-CSRFToken": csrf },
        credentials: "same-origin",
      });
    }).then(function (response) {
      return response.json();
    }).then(function (answer) {
      if (answer.ok) {
        window.location.assign(answer.next);
        return;
      }
      say(answer.message);
      offerWayOut();
    }).catch(function () {
      say(root.dataset.msgFailed);
      offerWayOut();
    });
  });
})();
