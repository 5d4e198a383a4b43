// The idle warning (GOV.UK's timeout-warning pattern): a modal dialog opens a little before the
// server ends an idle session, and says how long is left. "Stay signed in" (or Escape) asks the
// server to extend the session and plans again from the seconds it says are left; "Sign out
// now" is the ordinary sign-out; with no answer the page goes to sign-in when the time is up.
// The plan always comes from the server (data-seconds-left, then the endpoint's reply), never
// from a guess. Open tabs of the service tell each other when the session was extended.
(function () {
  "use strict";
  var dialog = document.querySelector("[data-idle-dialog]");
  if (!dialog) {
    return;
  }
  if (typeof dialog.showModal !== "function") {
    // A browser without <dialog>: no warning, but the page still leaves when the session ends.
    var seconds = parseInt(dialog.getAttribute("data-seconds-left"), 10) + 1;
    setTimeout(function () {
      window.location.replace(dialog.getAttribute("data-signin-url"));
    }, seconds * 1000);
    return;
  }
  var stayForm = dialog.querySelector("[data-idle-stay]");
  var countdown = dialog.querySelector("[data-idle-countdown]");
  var live = dialog.querySelector("[data-idle-live]");
  var warnMs = parseInt(dialog.getAttribute("data-warn-seconds"), 10) * 1000;
  var signInUrl = dialog.getAttribute("data-signin-url");
  var channel = typeof BroadcastChannel === "function" ? new BroadcastChannel("session") : null;
  var deadline = 0; // Date.now() value when the server session ends
  var ticker = null;
  var staying = false;

  function plan(secondsLeft) {
    // A second after the server's end, so the session has certainly gone by then.
    deadline = Date.now() + (secondsLeft + 1) * 1000;
  }

  function words(ms) {
    var seconds = Math.max(0, Math.ceil(ms / 1000));
    if (seconds >= 60) {
      var minutes = Math.ceil(seconds / 60);
      return minutes + " " + dialog.getAttribute(minutes === 1 ? "data-minute" : "data-minutes");
    }
    // In the last minute, steps of 15 seconds: a screen reader is told, not flooded.
    var rounded = Math.ceil(seconds / 15) * 15;
    return rounded + " " + dialog.getAttribute(rounded === 1 ? "data-second" : "data-seconds");
  }

  function close() {
    if (dialog.open) {
      dialog.close();
    }
    live.textContent = "";
  }

  function tick() {
    var left = deadline - Date.now();
    if (left <= 0) {
      clearInterval(ticker);
      window.location.replace(signInUrl);
      return;
    }
    if (left > warnMs) {
      close();
      return;
    }
    var text = words(left);
    if (!dialog.open) {
      countdown.textContent = text;
      dialog.showModal(); // the rest of the page is inert; focus goes to "Stay signed in"
    } else if (countdown.textContent !== text) {
      countdown.textContent = text;
      live.textContent = text;
    }
  }

  function stay() {
    if (staying) {
      return;
    }
    staying = true;
    fetch(stayForm.action, {
      method: "POST",
      body: new FormData(stayForm),
      headers: { Accept: "application/json" },
      credentials: "same-origin",
      redirect: "manual",
    })
      .then(function (response) {
        if (!response.ok) {
          throw new Error("not extended");
        }
        return response.json();
      })
      .then(function (reply) {
        plan(reply.seconds_left);
        close();
        if (channel) {
          channel.postMessage({ secondsLeft: reply.seconds_left });
        }
      })
      .catch(function () {
        window.location.replace(signInUrl); // the session has already ended
      })
      .then(function () {
        staying = false;
      });
  }

  stayForm.addEventListener("submit", function (event) {
    event.preventDefault();
    stay();
  });

  // Escape means "stay signed in", not "ignore the warning".
  dialog.addEventListener("cancel", function (event) {
    event.preventDefault();
    stay();
  });

  // Keep Tab inside the dialog (showModal makes the page inert, but Tab could still reach the
  // browser's own controls).
  dialog.addEventListener("keydown", function (event) {
    if (event.key !== "Tab") {
      return;
    }
    var items = dialog.querySelectorAll("a[href], button:not([disabled])");
    var first = items[0];
    var last = items[items.length - 1];
    if (event.shiftKey && document.activeElement === first) {
      event.preventDefault();
      last.focus();
    } else if (!event.shiftKey && document.activeElement === last) {
      event.preventDefault();
      first.focus();
    }
  });

  if (channel) {
    channel.addEventListener("message", function (event) {
      var secondsLeft = event.data && event.data.secondsLeft;
      if (typeof secondsLeft === "number" && Date.now() + secondsLeft * 1000 > deadline) {
        plan(secondsLeft); // another tab kept the session going
        tick();
      }
    });
  }

  plan(parseInt(dialog.getAttribute("data-seconds-left"), 10));
  if (channel) {
    channel.postMessage({ secondsLeft: parseInt(dialog.getAttribute("data-seconds-left"), 10) });
  }
  ticker = setInterval(tick, 1000);
  document.addEventListener("visibilitychange", tick); // timers sleep in hidden tabs
  tick();
})();
