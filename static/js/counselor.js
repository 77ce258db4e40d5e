// Counselor workspace: submit filter selects on change, print the poster. No inline handlers (CSP).
(function () {
  "use strict";
  document.querySelectorAll("select[data-autosubmit]").forEach(function (select) {
    select.addEventListener("change", function () {
      if (select.form) {
        select.form.submit();
      }
    });
  });
  document.querySelectorAll("[data-print]").forEach(function (button) {
    button.addEventListener("click", function (event) {
      event.preventDefault(); // the link's ?print=1 view is for browsers without JavaScript
      window.print();
    });
  });
})();
