// Keyboard shortcuts for staff (loaded on staff pages only, never on the customer's side).
// "?" shows the help (templates/_shortcuts.html), "g" and a letter goes to a page, "/" finds
// the page's search box, j/k walk the ticket list or the board, r/n/a reach a ticket's reply,
// note and assignment. Nothing fires while the person types in a field, with Ctrl, Alt or
// Meta held (except "?" typed with AltGr), or while another dialog is open (the board's
// drawer takes the ticket keys). A person who turned the shortcuts off on their profile
// does not get this script at all (base.html).
(function () {
  "use strict";

  var SEQUENCE_MS = 1500;           // time to press the second key of "g d"
  var SEARCH_BOXES = "#board-q, #ticket-search";
  var LIST_LINKS = "#ticket-rows > tr > td:first-child a, .board-card .card-number";
  var goPending = 0;                // when "g" was pressed, 0 when not waiting
  var focusBeforeHelp = null;

  function helpDialog() { return document.getElementById("shortcuts-dialog"); }

  // Fields that take typing; a checkbox or a button does not.
  function isTextField(element) {
    if (!element || !element.matches) { return false; }
    if (element.isContentEditable || element.matches("textarea, select")) { return true; }
    return element.matches("input") &&
      !element.matches("[type=checkbox], [type=radio], [type=button], [type=submit], [type=reset], [type=file], [type=color], [type=range]");
  }

  function openDialogs() {
    return Array.prototype.filter.call(document.querySelectorAll("dialog[open]"), function (dialog) {
      return dialog !== helpDialog();
    });
  }

  function isShown(element) { return Boolean(element && element.getClientRects().length); }

  // ---- the help ------------------------------------------------------------------------

  function openHelp() {
    var dialog = helpDialog();
    if (!dialog || dialog.open) { return; }
    focusBeforeHelp = document.activeElement;
    dialog.showModal();
  }

  function toggleHelp() {
    var dialog = helpDialog();
    if (dialog && dialog.open) { dialog.close(); } else { openHelp(); }
  }

  // The dialog gives the focus back by itself, but not to a control that was replaced while
  // it was open (a live refresh redraws the board): then start from the main content.
  // Until the browser's next rendering the focus may still sit inside the closed dialog.
  document.addEventListener("close", function (evt) {
    var dialog = evt.target;
    if (dialog !== helpDialog()) { return; }
    var before = focusBeforeHelp;
    focusBeforeHelp = null;
    setTimeout(function () {
      var here = document.activeElement;
      var lost = !here || here === document.body || dialog.contains(here);
      if (!lost) { return; }
      if (before && before !== document.body && document.body.contains(before)) { before.focus(); }
      else { var main = document.getElementById("main"); if (main) { main.focus(); } }
    }, 0);
  }, true);

  document.addEventListener("click", function (evt) {
    if (evt.target.closest && evt.target.closest("[data-shortcuts-open]")) { openHelp(); }
  });

  // ---- what the keys do ------------------------------------------------------------------

  function goTo(key) {
    var dialog = helpDialog();
    var row = dialog && dialog.querySelector('[data-go="' + CSS.escape(key) + '"]');
    if (!row) { return false; }
    window.location.assign(row.dataset.href);
    return true;
  }

  function focusSearch() {
    var box = Array.prototype.filter.call(document.querySelectorAll(SEARCH_BOXES), isShown)[0];
    if (!box) { return false; }
    box.focus();
    return true;
  }

  // j / k: the focus itself moves along the ticket links, so a screen reader follows.
  function walkList(step) {
    var links = Array.prototype.filter.call(document.querySelectorAll(LIST_LINKS), isShown);
    if (!links.length) { return false; }
    var at = links.indexOf(document.activeElement);
    var next = at < 0 ? 0 : Math.min(Math.max(at + step, 0), links.length - 1);
    links[next].focus();
    (links[next].closest(".board-card, tr") || links[next]).scrollIntoView({ block: "nearest" });
    return true;
  }

  function openCurrent() {
    var link = document.activeElement;
    if (!link || !link.matches || !link.matches(LIST_LINKS)) { return false; }
    link.click();
    return true;
  }

  // r / n / a work on the ticket in the board's drawer when it is open, else on the page.
  function ticketScope() {
    var drawer = document.querySelector("#drawer-dialog[open]");
    return drawer || document;
  }

  function focusField(id) {
    var field = ticketScope().querySelector("#" + id);
    if (!field) { return false; }
    var closed = field.closest("details:not([open])");
    if (closed) { closed.open = true; }
    field.focus();
    return document.activeElement === field;
  }

  function leaveField(evt) {
    var field = evt.target;
    if (!isTextField(field) || field.matches("select")) { return; }
    // An empty box in the drawer has nothing to lose: Escape closes the drawer as before. Nor
    // has one whose form is on its way (htmx marks it): the label just sent with Enter is
    // still in its box until the answer comes, which takes a while on a busy server.
    var inDrawer = field.closest && field.closest("#drawer-dialog");
    var sending = Boolean(field.form && field.form.classList.contains("htmx-request"));
    if (inDrawer && !field.isContentEditable && (field.value === "" || sending)) { return; }
    // The browser would empty a search box or close the drawer; keep the text, just leave.
    evt.preventDefault();
    field.blur();
  }

  function commandFor(key) {
    switch (key) {
      case "/": return focusSearch;
      case "j": return function () { return walkList(1); };
      case "k": return function () { return walkList(-1); };
      case "o": return openCurrent;
      case "r": return function () { return focusField("ws-reply-text"); };
      case "n": return function () { return focusField("ws-note-text"); };
      case "a": return function () { return focusField("ws-assignee"); };
      default: return null;
    }
  }

  var TICKET_KEYS = "rna";

  // With a Cyrillic layout the letter keys give "о", "л"…: read the key's place instead.
  function keyOf(evt) {
    var key = evt.key;
    if (key.length === 1 && key > "\u007f" && /^Key[A-Z]$/.test(evt.code || "")) {
      return evt.code.charAt(3).toLowerCase();
    }
    return key;
  }

  // "?" typed with AltGr (Polish, Slovenian… layouts): the browser says AltGraph, or, on
  // Windows, sends AltGr as Ctrl and Alt together. Only the "?" itself counts: Ctrl or Alt
  // alone, or Meta, is someone's real shortcut and stays theirs.
  function isAltGrQuestionMark(evt) {
    if (evt.key !== "?" || evt.metaKey) { return false; }
    var altGraph = Boolean(evt.getModifierState && evt.getModifierState("AltGraph"));
    return altGraph || (evt.ctrlKey && evt.altKey);
  }

  document.addEventListener("keydown", function (evt) {
    if (evt.defaultPrevented || evt.isComposing) { return; }
    if ((evt.ctrlKey || evt.altKey || evt.metaKey) && !isAltGrQuestionMark(evt)) { return; }
    var key = keyOf(evt);
    var others = openDialogs();
    var drawerOnly = others.length === 1 && others[0].id === "drawer-dialog";
    if (others.length && !drawerOnly) { goPending = 0; return; }

    if (key === "Escape") {
      // A ticket's assign, team and priority menus handle Escape themselves (app.js).
      if (!helpDialog() || !helpDialog().open) { leaveField(evt); }
      goPending = 0;
      return;
    }
    if (isTextField(evt.target) || key.length !== 1) { return; }

    var waiting = goPending && Date.now() - goPending < SEQUENCE_MS;
    goPending = 0;
    var helpOpen = Boolean(helpDialog() && helpDialog().open);

    if (key === "?") {
      if (drawerOnly) { return; }
      evt.preventDefault();
      toggleHelp();
      return;
    }
    if (drawerOnly) {
      // Only the ticket's own keys: the board behind the drawer is out of reach.
      var inDrawer = TICKET_KEYS.indexOf(key) >= 0 && commandFor(key);
      if (inDrawer && inDrawer()) { evt.preventDefault(); }
      return;
    }
    if (waiting) {
      if (goTo(key)) { evt.preventDefault(); }
      return;
    }
    if (key === "g") {
      goPending = Date.now();
      evt.preventDefault();
      return;
    }
    if (helpOpen) { return; }
    var command = commandFor(key);
    if (command && command()) { evt.preventDefault(); }
  });

  function showOpeners() {
    document.querySelectorAll("[data-shortcuts-open]").forEach(function (button) { button.hidden = false; });
  }
  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", showOpeners);
  } else {
    showOpeners();
  }
})();
