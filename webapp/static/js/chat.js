// The conversation page: move focus to each new question, and answer scales by keyboard.
// The status page: after a reply, the focus is back in its reply box.
(function () {
  "use strict";

  // The new control, or when an earlier answer is being edited, the one that holds it.
  function focusComposer(scope) {
    var target = scope.querySelector("[data-autofocus-first][aria-pressed=true]") ||
      scope.querySelector("[data-autofocus-first]");
    if (target) { target.focus({ preventScroll: false }); }
  }

  // After htmx swaps in the next question, put the keyboard focus on its control.
  document.addEventListener("htmx:afterSettle", function (evt) {
    if (evt.detail.target && evt.detail.target.id === "composer" || document.querySelector("#composer[data-new-step]")) {
      var composer = document.getElementById("composer");
      if (composer) {
        composer.removeAttribute("data-new-step");
        focusComposer(composer);
        composer.scrollIntoView({ block: "end" });
      }
    }
  });

  // Number keys pick a score: 0–9 directly, "1" then "0" quickly for 10.
  var pending = null;
  document.addEventListener("keydown", function (evt) {
    var scale = document.querySelector("#composer [data-digit-keys]");
    if (!scale || evt.ctrlKey || evt.metaKey || evt.altKey) { return; }
    var active = document.activeElement;
    if (active && (active.tagName === "INPUT" || active.tagName === "TEXTAREA")) { return; }
    if (!/^[0-9]$/.test(evt.key)) { return; }
    function press(value) {
      var button = scale.querySelector('button[value="' + value + '"]');
      if (button) { button.click(); }
    }
    evt.preventDefault();
    if (pending !== null) {
      clearTimeout(pending.timer);
      var both = pending.digit + evt.key;
      pending = null;
      if (scale.querySelector('button[value="' + both + '"]')) { press(both); return; }
    }
    if (evt.key === "1" && scale.querySelector('button[value="10"]')) {
      pending = { digit: "1", timer: setTimeout(function () { pending = null; press("1"); }, 600) };
      return;
    }
    press(evt.key);
  });

  // Where a page loaded with an address's #fragment wants the keyboard: the conversation's
  // question or end screen (an answer without htmx, a language switched, an edit link), the
  // status page's reply box (after a reply). Else the page starts at the top, as pages do.
  function askedForRegion() {
    if (location.hash === "#composer" || location.hash === "#end" || document.querySelector(".answer-error")) {
      return document.getElementById("composer");
    }
    if (location.hash === "#reply") { return document.getElementById("reply"); }
    return null;
  }
  document.addEventListener("DOMContentLoaded", function () {
    restoreDraft();
    var region = askedForRegion();
    if (region) { focusComposer(region); }
  });
  // Chromium scrolls to the #fragment after DOMContentLoaded and drops the focus on the way:
  // give it back to the control.
  window.addEventListener("load", function () {
    var region = askedForRegion();
    if (region && document.activeElement === document.body) { focusComposer(region); }
  });

  // "Skip" does not upload a file chosen meanwhile (nor wait for a too large one to fail).
  document.addEventListener("click", function (evt) {
    var skip = evt.target.closest && evt.target.closest("#composer .skip");
    if (!skip || !skip.form) { return; }
    skip.form.querySelectorAll("input[type=file]").forEach(function (input) {
      input.value = "";
      input.dispatchEvent(new Event("change", { bubbles: true }));  // app.js: "No file chosen"
    });
  });

  // Switching language, or asking for a "continue later" link (its refusal, "not a valid
  // address", draws the page again), loads the page again: what the customer was typing
  // comes along.
  var DRAFT = "loopdesk-draft";
  function typedField() {
    return document.querySelector("#composer textarea, #composer input[type=text]:not([name=website])," +
      " #composer input[type=email], #composer input[type=number], #composer input[type=date]");
  }
  function currentQuestion() {
    var input = document.querySelector("#composer input[name=question]");
    return input ? input.form.action + "#" + input.value : null;
  }
  function keepDraft() {
    var field = typedField();
    if (!field || !field.value) { return; }
    try {
      sessionStorage.setItem(DRAFT, JSON.stringify({ question: currentQuestion(), value: field.value }));
    } catch (e) { /* storage off: the draft is simply not kept */ }
  }
  document.addEventListener("click", function (evt) {
    // The page's own language only moves to the #composer fragment: nothing reloads.
    var link = evt.target.closest && evt.target.closest(".chat-languages a:not([aria-current])");
    if (link) { keepDraft(); }
  });
  document.addEventListener("submit", function (evt) {
    if (evt.target.closest && evt.target.closest("#continue-later")) { keepDraft(); }
  });
  function restoreDraft() {
    var saved = null;
    try { saved = JSON.parse(sessionStorage.getItem(DRAFT) || "null"); sessionStorage.removeItem(DRAFT); } catch (e) { return; }
    var field = typedField();
    if (saved && field && !field.value && saved.question === currentQuestion()) { field.value = saved.value; }
  }
})();

// Inside the widget's iframe: tell the host page when the form is done, and let Esc close it.
(function () {
  "use strict";
  if (window.parent === window || !document.body.classList.contains("embedded")) { return; }
  var slug = document.body.getAttribute("data-form");
  function tell(type) { window.parent.postMessage({ type: type, form: slug }, "*"); }
  function checkDone() { if (document.getElementById("end")) { tell("loopdesk:completed"); } }
  document.addEventListener("DOMContentLoaded", checkDone);
  document.addEventListener("htmx:afterSwap", checkDone);
  document.addEventListener("keydown", function (evt) { if (evt.key === "Escape") { tell("loopdesk:close"); } });
})();
