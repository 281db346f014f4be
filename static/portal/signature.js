// The drawn signature of the inspected unit's representative (templates/supervision/inspection_sign.html): pointer
// strokes on a canvas, sent as a PNG data URL in the form's hidden field; the server decodes and re-encodes it.
// No library and no inline script, so the CSP holds.
(function () {
  "use strict";
  var canvas = document.querySelector("canvas[data-signature-pad]");
  if (!canvas) { return; }
  var input = document.querySelector("input[data-signature-input]");
  var context = canvas.getContext("2d");
  canvas.style.touchAction = "none";  // a finger draws instead of scrolling the page
  var drawing = false, drawn = false;

  function point(event) {
    var box = canvas.getBoundingClientRect();
    return {x: (event.clientX - box.left) * canvas.width / box.width,
            y: (event.clientY - box.top) * canvas.height / box.height};
  }
  context.lineWidth = 3;
  context.lineCap = "round";
  context.lineJoin = "round";
  context.strokeStyle = "#000";

  canvas.addEventListener("pointerdown", function (event) {
    drawing = true;
    canvas.setPointerCapture(event.pointerId);
    var p = point(event);
    context.beginPath();
    context.moveTo(p.x, p.y);
    event.preventDefault();
  });
  canvas.addEventListener("pointermove", function (event) {
    if (!drawing) { return; }
    var p = point(event);
    context.lineTo(p.x, p.y);
    context.stroke();
    drawn = true;
    event.preventDefault();
  });
  function end() {
    if (drawing && drawn) { input.value = canvas.toDataURL("image/png"); }
    drawing = false;
  }
  canvas.addEventListener("pointerup", end);
  canvas.addEventListener("pointercancel", end);
  var clear = document.querySelector("[data-signature-clear]");
  if (clear) {
    clear.addEventListener("click", function () {
      context.clearRect(0, 0, canvas.width, canvas.height);
      input.value = "";
      drawn = false;
    });
  }
})();
