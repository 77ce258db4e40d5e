// 补充资料: preview the chosen photo in a frame of the round's aspect, cropped the way the server
// crops it (centre, a little above the middle), before it is uploaded.
(function () {
  "use strict";
  var input = document.getElementById("id_photo");
  var preview = document.getElementById("photo-preview");
  if (!input || !preview) return;
  var url = null;
  input.addEventListener("change", function () {
    var file = input.files && input.files[0];
    if (url) URL.revokeObjectURL(url);
    url = null;
    if (!file) return;
    url = URL.createObjectURL(file);
    preview.src = url;
    var box = document.getElementById("photo-preview-box");
    if (box) box.hidden = false;
    var hint = document.getElementById("photo-preview-hint");
    if (hint) hint.hidden = false;
  });
})();
