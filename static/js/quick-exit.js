// Quick exit: the "Leave now" button, or Shift pressed three times, hides the page at once and
// replaces this history entry with the exit address (which signs out and goes to a neutral
// site), so Back does not return here. Without JavaScript the button is a plain link.
(function () {
  "use strict";
  var PRESSES = 3;
  var WINDOW_MS = 1500;
  var presses = [];

  function exitUrl() {
    return document.body.getAttribute("data-quick-exit-url") || "/x/";
  }

  function leave(event) {
    if (event) {
      event.preventDefault();
    }
    document.documentElement.classList.add("qe-leaving");
    // Open connections (a conversation's socket) close before the page goes.
    document.dispatchEvent(new CustomEvent("quick-exit"));
    try {
      window.location.replace(exitUrl());
    } catch (e) {
      window.location.href = exitUrl();
    }
  }

  document.addEventListener("keydown", function (event) {
    if (event.key !== "Shift" || event.repeat) {
      if (event.key !== "Shift") {
        presses = [];
      }
      return;
    }
    var now = Date.now();
    presses = presses.filter(function (t) { return now - t < WINDOW_MS; });
    presses.push(now);
    if (presses.length >= PRESSES) {
      presses = [];
      leave();
    }
  });

  document.addEventListener("click", function (event) {
    var target = event.target.closest ? event.target.closest("[data-quick-exit]") : null;
    if (target) {
      leave(event);
    }
  });
})();
