// Board glue: drag and drop (SortableJS) → htmx requests, and keeping the live refresh
// polite. htmx does all the talking; the server decides every move and sends the card
// back as it really is. No user text is ever written as HTML here (textContent only).
(function () {
  "use strict";

  var lastPoint = null;       // pointer position during a drag, to tell where a refused drop went
  var dragging = false;
  var dragEndedAt = 0;
  var movedNumber = null;     // the card to focus once a move has been answered
  var keep = null;            // selection and focus to restore after a live refresh
  var writesSent = 0;         // moves and bulk actions sent since the page loaded
  var writesPending = 0;      // of those, not answered yet
  var sortables = new WeakSet();  // not a data attribute: history snapshots would copy it

  function boardPage() { return document.querySelector(".board-page"); }
  function columnsRoot() { return document.getElementById("board-columns"); }

  function isBusy() {
    return dragging || writesPending > 0 ||
      Boolean(document.querySelector(".board-card .card-menu[open]"));
  }

  function say(text, failed) {
    var region = document.getElementById("board-message");
    if (!region) { return; }
    var span = document.createElement("span");
    span.className = failed ? "board-message-error" : "board-message-ok";
    span.textContent = text;
    region.replaceChildren(span);
  }

  function filterValues() {
    var values = {};
    var form = document.getElementById("board-filters");
    if (form) { new FormData(form).forEach(function (value, key) { values[key] = value; }); }
    return values;
  }

  function legalStates(card) {
    return (card.dataset.dests || "").split(" ").filter(Boolean);
  }

  function refusalFor(card, state) {
    try {
      var reasons = JSON.parse(card.dataset.refusals || "{}");
      if (reasons[state]) { return reasons[state]; }
    } catch (err) { /* fall through to the general message */ }
    return boardPage().dataset.msgNoMove;
  }

  // ---- drag and drop -------------------------------------------------------------------

  function markColumns(card) {
    var legal = legalStates(card);
    document.querySelectorAll(".board-column").forEach(function (column) {
      var state = column.dataset.state;
      if (state === card.dataset.state) { return; }
      var ok = legal.indexOf(state) >= 0;
      column.classList.add(ok ? "is-drop-target" : "is-disabled");
      if (!ok) { column.setAttribute("aria-disabled", "true"); }
    });
  }

  function clearColumns() {
    document.querySelectorAll(".board-column").forEach(function (column) {
      column.classList.remove("is-drop-target", "is-disabled");
      column.removeAttribute("aria-disabled");
    });
  }

  function columnAtLastPoint() {
    if (!lastPoint) { return null; }
    var element = document.elementFromPoint(lastPoint.x, lastPoint.y);
    return element ? element.closest(".board-column") : null;
  }

  function trackPointer(evt) {
    var point = evt.touches ? evt.touches[0] : evt;
    lastPoint = { x: point.clientX, y: point.clientY };
  }

  function sendMove(card, dest) {
    var values = filterValues();
    values.number = card.dataset.number;
    values.version = card.dataset.version;
    values.dest = dest;
    movedNumber = card.dataset.number;
    htmx.ajax("POST", boardPage().dataset.moveUrl, {
      source: card, target: card, swap: "outerHTML", values: values
    });
  }

  function makeSortable(list) {
    if (sortables.has(list) || typeof Sortable === "undefined") { return; }
    sortables.add(list);
    Sortable.create(list, {
      group: {
        name: "board",
        pull: true,
        put: function (to, from, dragEl) { return legalStates(dragEl).indexOf(to.el.dataset.state) >= 0; }
      },
      sort: false,                  // order within a column is the server's (newest first)
      draggable: ".board-card",
      filter: "input, button, summary, a, .card-menu",
      preventOnFilter: false,       // clicks on links, checkboxes and menus keep working
      forceFallback: true,          // mouse-event dragging: the same in every browser and in tests
      fallbackTolerance: 4,
      animation: 120,
      onStart: function (evt) {
        dragging = true;
        markColumns(evt.item);
        document.addEventListener("pointermove", trackPointer);
        document.addEventListener("touchmove", trackPointer);
      },
      onEnd: function (evt) {
        dragging = false;
        dragEndedAt = Date.now();
        document.removeEventListener("pointermove", trackPointer);
        document.removeEventListener("touchmove", trackPointer);
        clearColumns();
        var card = evt.item;
        if (evt.to !== evt.from) {
          sendMove(card, evt.to.dataset.state);
          return;
        }
        // Back where it was: the keyboard goes back to the card (pressing the mouse on it
        // left the focus on the page's <main>), then the reason is said.
        focusCard(card);
        var column = columnAtLastPoint();
        if (column && column !== evt.from.closest(".board-column")) {
          say(refusalFor(card, column.dataset.state), true);
        }
      }
    });
  }

  function setUp(root) {
    var scope = root && root.querySelectorAll ? root : document;
    if (scope.matches && scope.matches(".board-cards")) { makeSortable(scope); }
    scope.querySelectorAll(".board-cards").forEach(makeSortable);
    updateSelectedCount();
  }

  // ---- live refresh, moves and their answers -------------------------------------------

  // The element that issued a request: htmx puts it in different places per event.
  // The element that issued the request. htmx sets `detail.elt` to the element an event is
  // fired on, which for htmx:beforeSwap is the target (#board-columns), not the poll.
  function sourceOf(evt) {
    var detail = evt.detail || {};
    return (detail.requestConfig && detail.requestConfig.elt) || detail.elt || evt.target;
  }
  function isPoll(evt) {
    var elt = sourceOf(evt);
    return Boolean(elt && elt.classList && elt.classList.contains("board-poll"));
  }
  function isMove(detail) {
    var page = boardPage();
    return Boolean(page && detail.pathInfo && detail.pathInfo.requestPath === page.dataset.moveUrl);
  }
  // A bulk action, not the bulk reply's preview (which is asked from inside the bulk form).
  function isBulk(detail) {
    var form = document.getElementById("bulk-form");
    return Boolean(form && detail.pathInfo && detail.pathInfo.requestPath === form.getAttribute("hx-post"));
  }

  // A live refresh must not draw the board as it was before a move or a bulk action the
  // agent just made: its answer would take a moved card back, or the labels just added
  // off, and it would redraw the cards between the action and its answer, which decides
  // where the focus goes. So no poll is sent while an action waits for its answer, and
  // one that was under way when an action was sent is not drawn (the next one is).
  // Counted at beforeSend, when the request really goes out (beforeRequest can be cancelled).
  document.addEventListener("htmx:beforeSend", function (evt) {
    var detail = evt.detail;
    if (!detail.xhr) { return; }
    if (isMove(detail) || isBulk(detail)) {
      writesSent += 1;
      writesPending += 1;
      // loadend follows the answer's swap, and comes after an error or an abort too.
      detail.xhr.addEventListener("loadend", function () { writesPending -= 1; });
    } else if (isPoll(evt)) {
      detail.xhr.ldWritesBefore = writesSent;
    }
  });
  function isStalePoll(detail) {
    return writesPending > 0 || detail.xhr.ldWritesBefore !== writesSent;
  }

  // Called while a failed move is being answered: the refresh goes out once that answer is
  // over (its loadend), not refused as a poll during an action.
  function refreshBoard() {
    var root = columnsRoot();
    if (root) { root.dataset.etag = ""; }
    setTimeout(function () { htmx.trigger(document.body, "board:refresh"); }, 0);
  }

  document.addEventListener("htmx:configRequest", function (evt) {
    if (!isPoll(evt)) { return; }
    var root = columnsRoot();
    if (root && root.dataset.etag) { evt.detail.headers["If-None-Match"] = '"' + root.dataset.etag + '"'; }
  });

  document.addEventListener("htmx:beforeRequest", function (evt) {
    if (isPoll(evt) && isBusy()) { evt.preventDefault(); }
  });

  document.addEventListener("htmx:beforeSwap", function (evt) {
    var detail = evt.detail;
    var status = detail.xhr.status;
    if (isPoll(evt)) {
      if (status === 304 || isBusy() || isStalePoll(detail)) { detail.shouldSwap = false; return; }
      rememberSelection();
      return;
    }
    if (isMove(detail) && (status === 409 || status === 422)) {
      // The answer holds the card as the server has it and says why: show both.
      detail.shouldSwap = true;
      detail.isError = false;
    }
  });

  document.addEventListener("htmx:afterRequest", function (evt) {
    var detail = evt.detail;
    if (isMove(detail) && (detail.failed && [409, 422].indexOf(detail.xhr.status) < 0)) {
      say(boardPage().dataset.msgMoveFailed, true);
      refreshBoard();
    }
  });

  // An accepted move changes its two columns' counts by one: shift them here (the server
  // does not count them again); the live refresh brings every count back within seconds.
  function shiftCount(state, delta) {
    var count = document.getElementById("count-" + state);
    if (!count || count.dataset.count === undefined) { return; }
    var before = Number(count.dataset.count);
    var cap = Number(count.dataset.cap);
    if (!(before >= 0) || before > cap) { return; }  // "1,000+": the exact number is unknown
    var after = Math.max(0, before + delta);
    var format = new Intl.NumberFormat(document.documentElement.lang || undefined);
    count.dataset.count = String(after);
    count.textContent = format.format(Math.min(after, cap)) + (after > cap ? "+" : "");
  }

  document.addEventListener("ld-card-moved", function (evt) {
    shiftCount(evt.detail.from, -1);
    shiftCount(evt.detail.to, 1);
  });

  document.addEventListener("htmx:sendError", function (evt) {
    if (isMove(evt.detail)) {
      say(boardPage().dataset.msgMoveFailed, true);
      refreshBoard();
    }
  });

  document.addEventListener("htmx:beforeRequest", function (evt) {
    var elt = sourceOf(evt);
    var card = elt && elt.closest && elt.closest(".board-card");
    if (card && isMove(evt.detail)) { movedNumber = card.dataset.number; }
  });

  function focusCard(card) {
    var link = card && card.querySelector(".card-number");
    if (link) { link.focus(); }
    return Boolean(link);
  }

  // The answer's message (moved, or why not) came into the status line with the card; said
  // again once the focus is on the card, as a screen reader may drop what a focus change
  // interrupts.
  function sayAgain() {
    var region = document.getElementById("board-message");
    var said = region && region.firstElementChild;
    if (said) { region.replaceChildren(said.cloneNode(true)); }
  }

  function focusMovedCard() {
    if (!movedNumber) { return; }
    if (focusCard(document.getElementById("card-" + movedNumber))) { sayAgain(); }
    movedNumber = null;
  }

  // A move's answer replaces the card it came from with nothing and draws the card in its
  // new column out of band: htmx fires afterSettle on the removed card, which never reaches
  // the document. afterRequest does, once both swaps are done.
  document.addEventListener("htmx:afterRequest", function (evt) {
    if (isMove(evt.detail)) { focusMovedCard(); }
  });

  // Enter in the bulk bar's label box adds the label: the browser would press the bar's
  // first button, Assign, and answer that no agent was chosen.
  document.addEventListener("keydown", function (evt) {
    if (evt.key !== "Enter" || evt.isComposing) { return; }
    var field = evt.target;
    if (!field.matches || !field.matches('#bulk-form input[name="new_label"]')) { return; }
    var button = field.form.querySelector('button[value="label"]');
    if (!button) { return; }
    evt.preventDefault();
    button.click();  // htmx takes the operation from the button clicked, not a submitter
  });

  // htmx fires afterSettle once per element drawn: for a bulk action's answer, on the
  // redrawn columns and on the results. Only that answer's own settling moves the focus.
  document.addEventListener("htmx:afterSettle", function (evt) {
    focusMovedCard();
    restoreSelection();
    updateSelectedCount();  // a bulk result redraws the cards with its failures still selected
    if (isBulk(evt.detail || {})) { focusBulkResults(); }
  });

  // Every selected card changed: the bar hides with the button just pressed, and the focus
  // would fall to the top of the page. The results say what happened; the cards follow.
  function focusBulkResults() {
    var results = document.getElementById("bulk-results");
    var here = document.activeElement;
    var lost = !here || here === document.body || !here.getClientRects().length;
    if (results && lost) { results.focus(); }
  }

  // A live refresh keeps what the agent had selected and where the keyboard was.
  function rememberSelection() {
    var focused = document.activeElement && document.activeElement.closest &&
      document.activeElement.closest(".board-card");
    keep = {
      checked: Array.prototype.map.call(
        document.querySelectorAll(".card-select:checked"), function (box) { return box.value; }),
      focus: focused ? focused.dataset.number : null
    };
  }

  function restoreSelection() {
    if (!keep) { return; }
    keep.checked.forEach(function (number) {
      var box = document.querySelector('.card-select[value="' + CSS.escape(number) + '"]');
      if (box) { box.checked = true; }
    });
    if (keep.focus) {
      var card = document.getElementById("card-" + keep.focus);
      var link = card && card.querySelector(".card-number");
      if (link) { link.focus({ preventScroll: true }); }
    }
    keep = null;
    updateSelectedCount();
  }

  // ---- selection, menus, drawer, history -------------------------------------------------

  function updateSelectedCount() {
    var count = document.querySelectorAll(".card-select:checked").length;
    var output = document.querySelector(".bulk-count");
    if (output) { output.textContent = String(count); }
    var bar = document.getElementById("bulk-form");
    if (bar) { bar.classList.toggle("bulk-idle", count === 0); }
  }

  document.addEventListener("click", function (evt) {
    var toggle = evt.target.closest && evt.target.closest(".board-more-toggle");
    if (!toggle) { return; }
    toggle.setAttribute("aria-expanded", toggle.getAttribute("aria-expanded") === "true" ? "false" : "true");
  });

  // Opening the bulk reply shows its preview for the cards selected so far.
  document.addEventListener("toggle", function (evt) {
    if (evt.target.matches && evt.target.matches(".bulk-reply") && evt.target.open) {
      document.body.dispatchEvent(new CustomEvent("bulkSelectionChanged"));
    }
  }, true);

  document.addEventListener("change", function (evt) {
    if (!evt.target.matches(".card-select")) { return; }
    updateSelectedCount();
    // An open bulk reply shows its preview for the new selection (board/_bulk_bar.html).
    if (document.querySelector(".bulk-reply[open]")) {
      document.body.dispatchEvent(new CustomEvent("bulkSelectionChanged"));
    }
  });

  document.addEventListener("keydown", function (evt) {
    if (evt.key !== "Escape") { return; }
    var menu = evt.target.closest && evt.target.closest(".card-menu[open]");
    if (menu) {
      menu.removeAttribute("open");
      menu.querySelector("summary").focus();
      evt.preventDefault();
    }
  });

  // One card menu open at a time.
  document.addEventListener("toggle", function (evt) {
    var menu = evt.target;
    if (!menu.matches || !menu.matches(".card-menu") || !menu.open) { return; }
    document.querySelectorAll(".card-menu[open]").forEach(function (other) {
      if (other !== menu) { other.removeAttribute("open"); }
    });
  }, true);

  // A click anywhere on a card (not on its controls) opens it, like its number link.
  document.addEventListener("click", function (evt) {
    var card = evt.target.closest(".board-card");
    if (!card || evt.target.closest("a, button, input, summary, details, label")) { return; }
    if (Date.now() - dragEndedAt < 400) { return; }  // the end of a drag is not a click
    var link = card.querySelector(".card-number");
    // Focused first, so closing the drawer comes back to this card (the click itself left
    // the focus on the page's <main>).
    if (link) { link.focus(); link.click(); }
  });

  document.addEventListener("htmx:afterSwap", function (evt) {
    if (evt.detail.target && evt.detail.target.id === "drawer") {
      var dialog = document.getElementById("drawer-dialog");
      if (dialog && !dialog.open) { dialog.showModal(); }
      // Start on the ticket's subject, so a screen reader says which ticket opened.
      var title = document.getElementById("ws-title");
      if (title) { title.tabIndex = -1; title.focus(); }
    }
  });

  // A closed drawer no longer asks for its ticket's changes: htmx ends the polling of an
  // element that left the page. Opening a card again loads the workspace with a new poll.
  document.addEventListener("close", function (evt) {
    if (evt.target.id !== "drawer-dialog") { return; }
    var poll = evt.target.querySelector("#ws-live");
    if (poll) { poll.remove(); }
  }, true);

  // Closing the drawer goes back to the card it was opened from. The dialog restores the
  // focus by itself only while that very link exists: a change made in the drawer redraws
  // the card, and the focus would fall to the top of the page. Until the browser's next
  // rendering, the focus may still sit on the box inside the closed drawer: that is lost too.
  document.addEventListener("close", function (evt) {
    var dialog = evt.target;
    if (dialog.id !== "drawer-dialog") { return; }
    var workspace = dialog.querySelector(".workspace[data-ticket]");
    if (!workspace) { return; }
    setTimeout(function () {
      var here = document.activeElement;
      var lost = !here || here === document.body || dialog.contains(here) || !here.isConnected;
      var card = document.getElementById("card-" + workspace.dataset.ticket);
      var link = card && card.querySelector(".card-number");
      if (lost && link) { link.focus(); }
    }, 0);
  }, true);

  // Back/forward: htmx restores the columns; the filter fields follow the address.
  document.addEventListener("htmx:historyRestore", function () {
    var form = document.getElementById("board-filters");
    if (form) {
      var params = new URLSearchParams(window.location.search);
      Array.prototype.forEach.call(form.elements, function (field) {
        if (field.name && field.type !== "submit") { field.value = params.get(field.name) || ""; }
      });
    }
    setUp(document);
  });

  document.addEventListener("htmx:load", function (evt) { setUp(evt.detail.elt); });
  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", function () { setUp(document); });
  } else {
    setUp(document);
  }
})();
