// What an agent has typed for a ticket's reply or note outlives the box it was typed in:
// closing the board's drawer (Escape twice) or leaving the page, then opening the ticket
// again in the same tab, finds it there. Kept in this tab only (sessionStorage), per ticket
// and box, until the reply or the note has been sent, or the agent logs out (the next person
// at a shared computer finds none). Loaded on staff pages (base.html).
(function () {
  "use strict";

  var BOXES = { "ws-reply-text": "reply", "ws-note-text": "notes" };  // box: where it is sent

  function keyOf(number, id) { return "loopdesk-draft:" + number + ":" + id; }

  function keyFor(box) {
    var workspace = box.closest && box.closest(".workspace[data-ticket]");
    return workspace ? keyOf(workspace.dataset.ticket, box.id) : null;
  }

  function read(key) {
    try { return sessionStorage.getItem(key); } catch (e) { return null; }
  }

  function write(key, value) {
    try {
      if (value.trim()) { sessionStorage.setItem(key, value); } else { sessionStorage.removeItem(key); }
    } catch (e) { /* storage off or full: the draft is simply not kept */ }
  }

  document.addEventListener("input", function (evt) {
    if (!BOXES.hasOwnProperty(evt.target.id)) { return; }
    var key = keyFor(evt.target);
    if (key) { write(key, evt.target.value); }
  });

  // Put back into an empty box when the ticket opens (the page, or the drawer); not when an
  // action redraws a section, which shows what the server kept.
  function restore(root) {
    Object.keys(BOXES).forEach(function (id) {
      var box = root.querySelector("#" + id);
      var key = box && keyFor(box);
      var kept = key && read(key);
      if (kept && !box.value) { box.value = kept; }
    });
  }

  // A reply or note the server took is no draft any more (a refused one stays in its box).
  // Read from the address: the form that was sent has been redrawn by now.
  document.addEventListener("htmx:afterRequest", function (evt) {
    var detail = evt.detail || {};
    var config = detail.requestConfig || {};
    if (!detail.successful || config.verb !== "post") { return; }
    var path = "";
    try { path = new URL(config.path, window.location.href).pathname; } catch (e) { return; }
    var sent = /\/tickets\/([^/]+)\/(reply|notes)$/.exec(path);
    if (!sent) { return; }
    Object.keys(BOXES).forEach(function (id) {
      if (BOXES[id] === sent[2]) { write(keyOf(decodeURIComponent(sent[1]), id), ""); }
    });
  });

  document.addEventListener("submit", function (evt) {
    if (!/\/logout$/.test(evt.target.getAttribute("action") || "")) { return; }
    try {
      Object.keys(sessionStorage).forEach(function (key) {
        if (key.indexOf("loopdesk-draft:") === 0) { sessionStorage.removeItem(key); }
      });
    } catch (e) { /* storage off: nothing was kept */ }
  });

  document.addEventListener("htmx:afterSwap", function (evt) {
    if (evt.detail.target && evt.detail.target.id === "drawer") { restore(evt.detail.target); }
  });
  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", function () { restore(document); });
  } else {
    restore(document);
  }
})();
