// Attendance page: "全部出勤" / "全部缺勤" tick or untick every student of the sheet.
document.addEventListener("DOMContentLoaded", function () {
  document.querySelectorAll("[data-tick-all]").forEach(function (button) {
    button.addEventListener("click", function () {
      var value = button.getAttribute("data-tick-all") === "on";
      document.querySelectorAll("input[name=present]").forEach(function (box) {
        box.checked = value;
      });
    });
  });
});
