/* Sign-up form enhancements: ID number preview, fee highlight, live eligibility hint.
   The server decides everything; this only helps the student see it early. */
(function () {
  "use strict";
  var WEIGHTS = [7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2];
  var CHECK = "10X98765432";

  function parseId(raw) {
    var id = (raw || "").replace(/\s+/g, "").toUpperCase();
    if (!/^\d{17}[\dX]$/.test(id)) return null;
    var sum = 0;
    for (var i = 0; i < 17; i++) sum += parseInt(id[i], 10) * WEIGHTS[i];
    if (CHECK[sum % 11] !== id[17]) return { error: "校验位不正确，请逐位核对" };
    var y = +id.substr(6, 4), m = +id.substr(10, 2), d = +id.substr(12, 2);
    var date = new Date(y, m - 1, d);
    if (date.getFullYear() !== y || date.getMonth() !== m - 1 || date.getDate() !== d) {
      return { error: "出生日期无效" };
    }
    return { gender: parseInt(id[16], 10) % 2 ? "男" : "女", birth: y + "年" + m + "月" + d + "日" };
  }

  function bindIdPreview() {
    var input = document.querySelector("input[data-id-number]");
    var box = document.getElementById("id-derived");
    if (!input || !box) return;
    function update() {
      var info = parseId(input.value);
      if (!info) { box.classList.add("d-none"); return; }
      box.classList.remove("d-none");
      box.textContent = info.error ? "身份证号" + info.error
        : "根据身份证号识别：性别 " + info.gender + "，出生日期 " + info.birth + "（请核对）";
    }
    input.addEventListener("input", update);
    update();
  }

  function selectedLevel(form) {
    var checked = form.querySelector("input[name=level]:checked");
    return checked ? checked.value : null;
  }

  function highlightFees(form) {
    var level = selectedLevel(form);
    document.querySelectorAll("tr[data-fee-level]").forEach(function (row) {
      row.classList.toggle("fee-selected", row.getAttribute("data-fee-level") === level);
    });
    form.querySelectorAll("input[name=training_fee_item]").forEach(function (radio) {
      var label = radio.closest(".form-check");
      var text = label ? label.textContent : "";
      var levelName = level === "4" ? "四级" : level === "3" ? "三级" : null;
      var show = !levelName || text.indexOf(levelName) !== -1;
      if (label) label.classList.toggle("d-none", !show);
      if (!show && radio.checked) radio.checked = false;
    });
  }

  function num(form, name) {
    var el = form.querySelector("[name=" + name + "]");
    if (!el || el.value === "") return null;
    var v = parseFloat(el.value);
    return isNaN(v) ? null : v;
  }

  function val(form, name) {
    var el = form.querySelector("[name=" + name + "]");
    return el ? el.value : "";
  }

  function checked(form, name) {
    var el = form.querySelector("[name=" + name + "]");
    return !!(el && el.checked);
  }

  function payload(form) {
    var level = selectedLevel(form);
    if (!level) return null;
    var body = {
      level: parseInt(level, 10),
      candidate_type: form.dataset.candidateType,
      session: form.dataset.session
    };
    if (form.dataset.candidateType === "student") {
      body.major = form.dataset.major;
      body.grade = parseInt(form.dataset.grade, 10);
      return body;
    }
    body.years_in_occupation = num(form, "years_in_occupation") || 0;
    var cumulative = num(form, "cumulative_years_in_occupation");
    if (cumulative !== null) body.cumulative_years_in_occupation = cumulative;
    // The questionnaire's field names are shared with the self-check (eligibility.forms).
    var prior = val(form, "prior_level");
    body.prior_certificate = prior ? {
      level: parseInt(prior, 10),
      occupation: val(form, "prior_occupation") || "same",
      years_after: num(form, "prior_years_after") || 0,
      continuous: checked(form, "prior_continuous")
    } : null;
    var kind = val(form, "education_kind");
    var status = val(form, "education_status") || "graduated";
    body.education = kind ? {
      kind: kind,
      major: val(form, "education_major") || "same",
      graduated: status === "graduated",
      final_year: status === "final_year"
    } : null;
    var training = val(form, "training_certificate");
    body.training_certificate = training ? parseInt(training, 10) : null;
    return body;
  }

  function csrfToken(form) {
    var el = form.querySelector("input[name=csrfmiddlewaretoken]");
    return el ? el.value : "";
  }

  function bindHint(form) {
    var hint = document.getElementById("eligibility-hint");
    if (!hint || !window.fetch) return;
    var timer = null;
    function render(data) {
      var conditional = data.eligible && !!data.pending_requirement;
      hint.className = "small mb-3 alert py-2 " +
        (conditional ? "alert-warning" : data.eligible ? "alert-success" : "alert-secondary");
      hint.textContent = "";
      var title = document.createElement("div");
      title.textContent = conditional ? "预检：有条件符合报考条件"
        : data.eligible ? "预检：符合报考条件" : "预检：暂不符合报考条件";
      title.className = "fw-bold";
      hint.appendChild(title);
      // The one deciding sentence first; no condition codes for the candidate.
      var lines = [data.summary].concat(data.eligible ? [] : (data.details || []).slice(0, 3));
      lines.forEach(function (line) {
        if (!line) return;
        var div = document.createElement("div");
        div.textContent = line;
        hint.appendChild(div);
      });
    }
    function check() {
      var body = payload(form);
      if (!body) return;
      fetch(form.dataset.api, {
        method: "POST",
        headers: { "Content-Type": "application/json", "X-CSRFToken": csrfToken(form) },
        body: JSON.stringify(body),
        credentials: "same-origin"
      }).then(function (r) { return r.ok ? r.json() : null; })
        .then(function (data) { if (data) render(data); })
        .catch(function () { /* the server still decides on submit */ });
    }
    form.addEventListener("change", function () {
      highlightFees(form);
      clearTimeout(timer);
      timer = setTimeout(check, 250);
    });
    highlightFees(form);
    check();
  }

  function bindPrint() {
    document.querySelectorAll("[data-print]").forEach(function (btn) {
      btn.addEventListener("click", function (event) { event.preventDefault(); window.print(); });
    });
  }

  function showErrorSummary() {
    var summary = document.getElementById("error-summary");
    if (!summary) return;
    summary.scrollIntoView({ block: "start" });
    summary.focus();
  }

  document.addEventListener("DOMContentLoaded", function () {
    showErrorSummary();
    bindIdPreview();
    var form = document.getElementById("registration-form");
    if (form) bindHint(form);
    bindPrint();
  });
})();
