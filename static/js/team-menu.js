// The coordinators' menu (templates/team/_nav.html) is a <details>: folded on a phone, always
// open from 768 px (where its toggle is hidden). Escape folds it again on a phone and puts
// focus back on "Menu".
(function () {
  "use strict";
  var menu = document.querySelector("[data-team-menu]");
  if (!menu || !window.matchMedia) {
    return;
  }
  var wide = window.matchMedia("(min-width: 768px)");

  function fit() {
    menu.open = wide.matches;
  }

  menu.addEventListener("keydown", function (event) {
    if (event.key === "Escape" && menu.open && !wide.matches) {
      menu.open = false;
      menu.querySelector("summary").focus();
    }
  });
  if (wide.addEventListener) {
    wide.addEventListener("change", fit);
  }
  fit();
})();
