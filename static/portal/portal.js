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
    // 增加一条 on a formset: a copy of its <template> row with the next index, and the count raised.
    var add = event.target.closest("[data-formset-add]");
    if (add) {
      var prefix = add.getAttribute("data-formset-add");
      var total = document.getElementById("id_" + prefix + "-TOTAL_FORMS");
      var n = parseInt(total.value, 10);
      document.getElementById(prefix + "-rows").insertAdjacentHTML(
        "beforeend", document.getElementById(prefix + "-empty").innerHTML.replace(/__prefix__/g, n));
      total.value = n + 1;
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
    // A long checkbox list (e.g. the unit's equipment): show only the rows containing what is typed.
    var filter = event.target.closest("[data-choice-filter]");
    if (filter) {
      var words = filter.value.trim().toLowerCase();
      filter.closest("[data-choice-picker]").querySelectorAll("[data-choice]").forEach(function (row) {
        var keep = !words || row.textContent.toLowerCase().indexOf(words) !== -1 || row.querySelector("input").checked;
        row.classList.toggle("d-none", !keep);
      });
    }
  });
  // Ticked rows may be filtered out of sight: the picker says how many are ticked.
  function countChosen(picker) {
    var out = picker.querySelector("[data-choice-selected]");
    var n = picker.querySelectorAll("[data-choice] input:checked").length;
    if (out) { out.textContent = n ? out.getAttribute("data-template").replace("%s", n) : ""; }
  }
  document.addEventListener("change", function (event) {
    var picker = event.target.closest("[data-choice-picker]");
    if (picker) { countChosen(picker); }
  });
  document.addEventListener("DOMContentLoaded", function () {
    document.querySelectorAll("[data-choice-picker]").forEach(countChosen);
  });
  document.addEventListener("keydown", function (event) {
    // Enter in a list filter (a phone's 搜索 key) filters; it does not submit the half-filled form.
    if (event.key === "Enter" && event.target.closest("[data-choice-filter]")) { event.preventDefault(); }
  });
})();
