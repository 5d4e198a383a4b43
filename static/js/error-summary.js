// The GOV.UK error summary: when a form comes back with errors, move focus to the summary so a
// screen reader announces it and a keyboard user starts from the list of what to fix. Each link
// then moves focus to its field (not only scrolls to it).
(function () {
  "use strict";

  function focusField(event) {
    var id = event.currentTarget.getAttribute("href").slice(1);
    var field = document.getElementById(id);
    if (!field) {
      return;
    }
    event.preventDefault();
    field.focus();
    var holder = field.closest(".mb-3, fieldset") || field;
    holder.scrollIntoView({ block: "start" });
  }

  document.addEventListener("DOMContentLoaded", function () {
    var summary = document.querySelector("[data-error-summary]");
    if (!summary) {
      return;
    }
    summary.focus();
    var links = summary.querySelectorAll("a[href^='#']");
    for (var i = 0; i < links.length; i += 1) {
      links[i].addEventListener("click", focusField);
    }
  });
})();
