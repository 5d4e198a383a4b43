// A conversation, live: messages from the other person appear without reloading, and the form
// sends over the page's websocket. Without JavaScript (or while the socket is not open) the
// form posts as usual and the "Check for new messages" link reloads the page.
// The server renders every message (escaped, links as plain text); this script only places
// that HTML. The socket closes before the quick exit leaves, and for good when the server says
// the conversation closed or the session ended.
(function () {
  "use strict";
  var root = document.querySelector("[data-conversation]");
  if (!root || typeof WebSocket !== "function") {
    return;
  }
  var list = root.querySelector("[data-messages]");
  var form = root.querySelector("[data-send-form]");
  var textarea = form.querySelector("textarea");
  var errorBox = form.querySelector("[data-send-error]");
  var statusBox = root.querySelector("[data-live-status]");
  var csrf = form.querySelector("input[name=csrfmiddlewaretoken]").value;
  var pingMs = (parseInt(root.getAttribute("data-ping-seconds"), 10) || 30) * 1000;
  var sessionChannel = typeof BroadcastChannel === "function" ? new BroadcastChannel("session") : null;
  var socket = null;
  var pinger = null;
  var finished = false;
  var retries = 0;
  var sending = false;

  function url() {
    var scheme = window.location.protocol === "https:" ? "wss://" : "ws://";
    return scheme + window.location.host + root.getAttribute("data-ws-path");
  }

  function isOpen() {
    return socket !== null && socket.readyState === WebSocket.OPEN;
  }

  var sendButton = form.querySelector("button[type=submit]");

  // The latest message in view; and while the person is writing, the Send button too (on a
  // phone the composer is below the list, and must not slip out of reach as messages come).
  function scrollToLatest() {
    var last = list.lastElementChild;
    if (last && last.scrollIntoView) {
      last.scrollIntoView({ block: "nearest" });
    }
    if (document.activeElement === textarea && sendButton && sendButton.scrollIntoView) {
      sendButton.scrollIntoView({ block: "nearest" });
    }
  }

  function place(id, html, replaceOnly) {
    var template = document.createElement("template");
    template.innerHTML = html.trim();
    var item = template.content.firstElementChild;
    if (!item) {
      return;
    }
    item.querySelectorAll("input[name=csrfmiddlewaretoken]").forEach(function (input) {
      input.value = csrf;
    });
    var existing = document.getElementById("m" + id);
    if (existing) {
      existing.replaceWith(item);
      return;
    }
    if (replaceOnly) {
      return;
    }
    var empty = list.querySelector("[data-no-messages]");
    if (empty) {
      empty.remove();
    }
    list.appendChild(item);
    scrollToLatest();
  }

  // The socket's state on the page, for styles and tests: connecting, open, closed, offline.
  function setLive(state) {
    root.setAttribute("data-live", state);
  }

  function stop(text) {
    finished = true;
    setLive("closed");
    clearInterval(pinger);
    if (socket) {
      socket.close();
    }
    statusBox.textContent = text || "";
  }

  function connect() {
    setLive("connecting");
    socket = new WebSocket(url());
    socket.addEventListener("open", function () {
      setLive("open");
      retries = 0;
      statusBox.textContent = "";
      clearInterval(pinger);
      pinger = setInterval(function () {
        if (isOpen()) {
          socket.send(JSON.stringify({ type: "ping" }));
        }
      }, pingMs);
    });
    socket.addEventListener("message", function (event) {
      var data;
      try {
        data = JSON.parse(event.data);
      } catch (e) {
        return;
      }
      if (data.type === "message") {
        place(data.id, data.html, false);
      } else if (data.type === "removed") {
        place(data.id, data.html, true);
      } else if (data.type === "sent") {
        sending = false;
        textarea.value = "";
        errorBox.textContent = "";
        textarea.focus();
        scrollToLatest();
        if (sessionChannel && typeof data.seconds_left === "number" && data.seconds_left > 0) {
          // The idle warning (idle-timeout.js) plans again: writing counts as being here.
          sessionChannel.postMessage({ secondsLeft: data.seconds_left });
        }
      } else if (data.type === "error") {
        sending = false;
        errorBox.textContent = data.message;
      } else if (data.type === "closed") {
        finished = true;
        setLive("closed");
        form.querySelectorAll("textarea, button").forEach(function (control) {
          control.disabled = true;
        });
        statusBox.textContent = root.getAttribute("data-closed-text") || "";
      }
    });
    socket.addEventListener("close", function (event) {
      clearInterval(pinger);
      sending = false;
      if (finished || event.code === 4000 || event.code === 4001) {
        setLive("closed");
        return;
      }
      setLive("offline");
      // Lost (a network blink, a server restart): try again a few times; the form still posts.
      if (retries < 5) {
        retries += 1;
        setTimeout(connect, 1000 * retries * retries);
      } else {
        statusBox.textContent = root.getAttribute("data-offline-text") || "";
      }
    });
  }

  form.addEventListener("submit", function (event) {
    if (!isOpen()) {
      return; // the ordinary post
    }
    event.preventDefault();
    if (sending || !textarea.value.trim()) {
      return;
    }
    sending = true;
    socket.send(JSON.stringify({ type: "send", text: textarea.value }));
  });

  list.addEventListener("submit", function (event) {
    var removeForm = event.target.closest("[data-remove-form]");
    if (!removeForm || !isOpen()) {
      return;
    }
    event.preventDefault();
    socket.send(JSON.stringify({ type: "remove", id: parseInt(removeForm.getAttribute("data-remove-form"), 10) }));
  });

  document.addEventListener("quick-exit", function () {
    stop("");
  });
  window.addEventListener("pagehide", function () {
    stop("");
  });

  connect();
  scrollToLatest();
})();
