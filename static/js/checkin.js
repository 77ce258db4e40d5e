/* Exam-day check-in: scan the ticket QR with the camera (jsQR), and keep 应到/实到/缺考 live. */
(function () {
  "use strict";
  var form = document.getElementById("checkin-form");
  var input = document.getElementById("id_code");
  var box = document.getElementById("scan-box");
  var video = document.getElementById("scan-video");
  var startButton = document.getElementById("scan-start");
  var stopButton = document.getElementById("scan-stop");
  var unavailable = document.getElementById("scan-unavailable");
  var canvas = document.createElement("canvas");
  var context = canvas.getContext("2d", { willReadFrequently: true });
  var stream = null;

  function stop() {
    if (stream) { stream.getTracks().forEach(function (track) { track.stop(); }); }
    stream = null;
    box.classList.add("d-none");
    startButton.classList.remove("d-none");
  }

  function tick() {
    if (!stream) { return; }
    if (video.readyState === video.HAVE_ENOUGH_DATA) {
      canvas.width = video.videoWidth;
      canvas.height = video.videoHeight;
      context.drawImage(video, 0, 0, canvas.width, canvas.height);
      var image = context.getImageData(0, 0, canvas.width, canvas.height);
      var code = window.jsQR(image.data, image.width, image.height, { inversionAttempts: "dontInvert" });
      if (code && code.data) {
        input.value = code.data;
        stop();
        form.submit();
        return;
      }
    }
    window.requestAnimationFrame(tick);
  }

  function start() {
    if (!navigator.mediaDevices || !navigator.mediaDevices.getUserMedia || !window.jsQR) {
      unavailable.classList.remove("d-none");
      return;
    }
    navigator.mediaDevices.getUserMedia({ video: { facingMode: "environment" }, audio: false })
      .then(function (media) {
        stream = media;
        video.srcObject = media;
        box.classList.remove("d-none");
        startButton.classList.add("d-none");
        return video.play();
      })
      .then(function () { window.requestAnimationFrame(tick); })
      .catch(function () { stop(); unavailable.classList.remove("d-none"); });
  }

  // The scan path takes signed codes only (<ticket number>:<signature>). A bare number typed here
  // (or read from a plain QR) would be refused by the server: hand it to the manual path, which
  // asks for the 身份证 check, instead of submitting it.
  var manual = document.getElementById("manual");
  var query = document.getElementById("id_query");
  var hint = document.getElementById("scan-hint");
  if (form && manual && query) {
    form.addEventListener("submit", function (event) {
      var value = input.value.trim();
      if (value && value.indexOf(":") === -1) {
        event.preventDefault();
        query.value = value;
        input.value = "";
        manual.open = true;
        query.focus();
        if (hint) {
          hint.textContent = form.dataset.bareMessage;
          hint.classList.add("text-danger");
        }
      }
    });
  }

  if (startButton) { startButton.addEventListener("click", start); }
  if (stopButton) { stopButton.addEventListener("click", stop); }

  var roll = document.getElementById("roll");
  function refresh() {
    if (document.hidden) { return; }
    fetch(roll.dataset.url, { credentials: "same-origin", headers: { "Accept": "application/json" } })
      .then(function (response) { return response.ok ? response.json() : null; })
      .then(function (data) {
        if (!data) { return; }
        ["expected", "present", "absent"].forEach(function (key) {
          document.getElementById("roll-" + key).textContent = data[key];
        });
      })
      .catch(function () {});
  }
  if (roll) { window.setInterval(refresh, 5000); }
})();
