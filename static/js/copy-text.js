// "复制" buttons: copy the text of the element named by data-copy-target (the nudges page).
document.addEventListener("click", function (event) {
  var button = event.target.closest("[data-copy-target]");
  if (!button) return;
  var source = document.getElementById(button.getAttribute("data-copy-target"));
  if (!source) return;
  var done = function () {
    var label = button.textContent;
    button.textContent = button.getAttribute("data-copied") || "已复制";
    setTimeout(function () { button.textContent = label; }, 1500);
  };
  if (navigator.clipboard && window.isSecureContext) {
    navigator.clipboard.writeText(source.value || source.textContent).then(done);
  } else {
    source.select();
    document.execCommand("copy");
    done();
  }
});
