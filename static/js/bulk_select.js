// Roster selection: the header checkbox ticks or clears every row of the page. Without
// JavaScript each row is ticked by hand (progressive enhancement; no inline script, CSP holds).
(function () {
  "use strict";
  document.querySelectorAll("[data-select-all]").forEach(function (master) {
    var name = master.getAttribute("data-select-all");
    var boxes = function () {
      return document.querySelectorAll('input[type="checkbox"][name="' + name + '"]');
    };
    master.addEventListener("change", function () {
      boxes().forEach(function (box) {
        box.checked = master.checked;
      });
    });
    boxes().forEach(function (box) {
      box.addEventListener("change", function () {
        var all = boxes();
        var ticked = Array.prototype.filter.call(all, function (b) { return b.checked; });
        master.checked = ticked.length === all.length;
        master.indeterminate = ticked.length > 0 && ticked.length < all.length;
      });
    });
  });
})();
