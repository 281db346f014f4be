// Behaviour without inline scripts (the CSP forbids them).
(function () {
  "use strict";
  document.addEventListener("click", function (event) {
    // 取消 on a new-object form: back to the page the user came from, when that page is ours.
    var back = event.target.closest("a[data-back]");
    if (back) {
      if (document.referrer.indexOf(window.location.origin + "/") === 0 && window.history.length > 1) {
        event.preventDefault();
        window.history.back();
      }
      return;
    }
    var pick = event.target.closest("[data-pick]");
    if (pick) {
      var picker = pick.closest("[data-picker]");
      picker.querySelector("[data-picker-value]").value = pick.getAttribute("data-pick");
      picker.querySelector("[data-picker-text]").value = pick.getAttribute("data-label");
      picker.querySelector("[data-picker-results]").innerHTML = "";
      event.preventDefault();
      return;
    }
    document.querySelectorAll("[data-picker-results]").forEach(function (el) {
      if (!el.parentElement.contains(event.target)) { el.innerHTML = ""; }
    });
  });
  document.addEventListener("input", function (event) {
    var text = event.target.closest("[data-picker-text]");
    if (text) { text.closest("[data-picker]").querySelector("[data-picker-value]").value = ""; }
  });
})();
