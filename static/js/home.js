// Home page countdown: the server renders days/hours/minutes left; this keeps them ticking.
// Progressive enhancement only: without JavaScript the server's figures stay correct to the minute.
(function () {
  "use strict";

  var state = document.getElementById("registration-state");
  if (!state) return;
  var box = state.querySelector("[data-countdown]");
  if (!box) return;

  var targetAttr = state.dataset.state === "not_yet_open" ? state.dataset.opens : state.dataset.deadline;
  var target = Date.parse(targetAttr || "");
  if (isNaN(target)) return;

  var days = box.querySelector("[data-countdown-days]");
  var hours = box.querySelector("[data-countdown-hours]");
  var minutes = box.querySelector("[data-countdown-minutes]");
  var over = state.querySelector("[data-countdown-over]");

  function tick() {
    var left = target - Date.now();
    if (left <= 0) {
      box.classList.add("d-none");
      if (over) over.classList.remove("d-none");
      return false;
    }
    var totalMinutes = Math.floor(left / 60000);
    days.textContent = String(Math.floor(totalMinutes / 1440));
    hours.textContent = String(Math.floor((totalMinutes % 1440) / 60));
    minutes.textContent = String(totalMinutes % 60);
    return true;
  }

  if (tick()) {
    var timer = window.setInterval(function () {
      if (!tick()) window.clearInterval(timer);
    }, 15000);
  }
})();
