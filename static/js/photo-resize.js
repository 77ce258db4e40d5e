// 补充资料: shrink a large photo in the browser before it is uploaded (progressive enhancement).
// A phone photo of 10+ MB becomes a JPEG of at most RESIZE_SIDE pixels on its longer side, far
// more than the ID photo needs; the server checks and crops it as it would any upload. Where the
// browser cannot (no canvas.toBlob or DataTransfer), the file goes as it is, and a file over the
// upload limit is stopped here, on the form, with the limit's message. Texts come from the page.
(function () {
  "use strict";
  var RESIZE_SIDE = 2000;
  var SMALL_BYTES = 1.5 * 1024 * 1024; // a file this small is sent unchanged
  var input = document.getElementById("id_photo");
  if (!input || !input.form) return;
  var form = input.form;
  var maxBytes = parseInt(input.getAttribute("data-max-bytes"), 10) || 0;
  var status = document.getElementById("photo-resize-status");
  var pending = null;
  var tooLarge = false;

  function say(text, isError) {
    if (!status) return;
    status.textContent = text || "";
    status.hidden = !text;
    status.className = "small mt-1" + (isError ? " text-danger" : " text-body-secondary");
  }

  function canResize() {
    try {
      new DataTransfer(); // eslint-disable-line no-new
    } catch (e) {
      return false;
    }
    var canvas = document.createElement("canvas");
    return !!(canvas.getContext && canvas.getContext("2d") && canvas.toBlob && window.URL);
  }

  function shrink(file) {
    return new Promise(function (resolve, reject) {
      var url = URL.createObjectURL(file);
      var image = new Image();
      image.onload = function () {
        var width = image.naturalWidth;
        var height = image.naturalHeight;
        var scale = Math.min(1, RESIZE_SIDE / Math.max(width, height));
        if (scale === 1 && file.size <= SMALL_BYTES) {
          URL.revokeObjectURL(url);
          resolve(null);
          return;
        }
        var canvas = document.createElement("canvas");
        canvas.width = Math.max(1, Math.round(width * scale));
        canvas.height = Math.max(1, Math.round(height * scale));
        var context = canvas.getContext("2d");
        context.fillStyle = "#fff"; // a transparent PNG comes out on white, as the server does
        context.fillRect(0, 0, canvas.width, canvas.height);
        // Browsers draw an image upright by its EXIF orientation; the copy carries no EXIF.
        context.drawImage(image, 0, 0, canvas.width, canvas.height);
        URL.revokeObjectURL(url);
        canvas.toBlob(
          function (blob) {
            if (blob) resolve(blob);
            else reject(new Error("toBlob"));
          },
          "image/jpeg",
          0.9
        );
      };
      image.onerror = function () {
        URL.revokeObjectURL(url);
        reject(new Error("decode"));
      };
      image.src = url;
    });
  }

  input.addEventListener("change", function () {
    var file = input.files && input.files[0];
    tooLarge = false;
    say("");
    if (!file) return;
    if (!canResize()) {
      tooLarge = maxBytes > 0 && file.size > maxBytes;
      if (tooLarge) say(input.getAttribute("data-msg-too-large"), true);
      return;
    }
    say(input.getAttribute("data-msg-resizing"));
    pending = shrink(file)
      .then(function (blob) {
        if (blob && blob.size < file.size) {
          var name = (file.name || "photo").replace(/\.[^.]*$/, "") + ".jpg";
          var transfer = new DataTransfer();
          transfer.items.add(new File([blob], name, { type: "image/jpeg" }));
          input.files = transfer.files;
          say(input.getAttribute("data-msg-resized"));
        } else {
          say("");
        }
      })
      .catch(function () {
        say(""); // the browser cannot read it: the server will say what is wrong
      })
      .then(function () {
        var sent = input.files && input.files[0];
        tooLarge = maxBytes > 0 && !!sent && sent.size > maxBytes;
        if (tooLarge) say(input.getAttribute("data-msg-too-large"), true);
        pending = null;
      });
  });

  form.addEventListener("submit", function (event) {
    if (tooLarge) {
      event.preventDefault();
      say(input.getAttribute("data-msg-too-large"), true);
      return;
    }
    if (pending) {
      event.preventDefault();
      var button = form.querySelector("[type=submit]");
      if (button) button.disabled = true;
      pending.then(function () {
        if (button) button.disabled = false;
        if (!tooLarge) form.submit();
      });
    }
  });
})();
