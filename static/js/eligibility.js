/* 资格自测: show only the questions that matter for the chosen candidate type.
 * Without JavaScript every group stays visible and the server reads the chosen type's group. */
(function () {
  "use strict";
  var form = document.getElementById("self-check-form");
  if (!form) {
    return;
  }

  function chosenType() {
    var checked = form.querySelector('input[name="candidate_type"]:checked');
    return checked ? checked.value : "";
  }

  function syncGroups() {
    var type = chosenType();
    form.querySelectorAll(".elig-group").forEach(function (group) {
      var hidden = type !== "" && group.getAttribute("data-group") !== type;
      group.classList.toggle("d-none", hidden);
      group.setAttribute("aria-hidden", hidden ? "true" : "false");
    });
  }

  function syncDependents() {
    form.querySelectorAll("[data-depends]").forEach(function (block) {
      var control = document.getElementById(block.getAttribute("data-depends"));
      block.classList.toggle("d-none", !!control && control.value === "");
    });
  }

  form.addEventListener("change", function () {
    syncGroups();
    syncDependents();
  });
  syncGroups();
  syncDependents();
})();
