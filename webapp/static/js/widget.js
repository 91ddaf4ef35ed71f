/*! Loopdesk feedback widget. Embed:
 * <script src="https://feedback.example.com/static/js/widget.js" data-form="nps"
 *   data-lang="auto" data-trigger="button|exit-intent|delay:15|scroll:60" data-days="30"
 *   data-style="button|tab" data-position="right|left" data-color="#0f766e"
 *   data-label="Feedback" async></script>
 * The form loads in an iframe only when the trigger fires; exit-intent also fires on phones
 * (a fast scroll back up after reading down the page), once per page view. `data-color` (any CSS colour)
 * and `data-label` brand the button; its text turns dark on a light colour. A form that is
 * closed (its schedule, its response limit, archived) or unknown shows nothing: the loader asks
 * /f/<form>/availability.json first, and arms as before only if that cannot be read.
 * A signed-in visitor: `data-customer-id` (their id in your app) and `data-customer-id-sig`
 * (HMAC-SHA256, hex, of "customer_id=<id>" with the form's secret, made on your server) go to
 * the form as its customer_id hidden field; a wrong signature drops the id. */
(function () {
  "use strict";
  var script = document.currentScript;
  if (!script || window.__loopdeskWidget) { return; }
  window.__loopdeskWidget = true;

  var origin = new URL(script.src).origin;
  var form = script.getAttribute("data-form") || "nps";
  var trigger = script.getAttribute("data-trigger") || "button";
  var days = parseFloat(script.getAttribute("data-days") || "30");
  var style = script.getAttribute("data-style") || "button";
  var lang = script.getAttribute("data-lang") || "auto";
  var side = script.getAttribute("data-position") === "left" ? " ld-left" : "";
  var color = script.getAttribute("data-color") || "";
  var label = (script.getAttribute("data-label") || "").trim().slice(0, 40);
  var customerId = (script.getAttribute("data-customer-id") || "").slice(0, 500);
  var customerSig = (script.getAttribute("data-customer-id-sig") || "").slice(0, 128);
  var supported = ["en", "pl", "ru", "sl"];
  if (lang === "auto") {
    lang = (document.documentElement.lang || navigator.language || "en").slice(0, 2).toLowerCase();
  }
  if (supported.indexOf(lang) < 0) { lang = "en"; }
  var words = {
    en: ["Feedback", "Close"], pl: ["Opinia", "Zamknij"],
    ru: ["Отзыв", "Закрыть"], sl: ["Mnenje", "Zapri"]
  }[lang];
  var storageKey = "loopdesk:" + form + ":quiet-until";

  function quiet() {
    try { return Number(localStorage.getItem(storageKey) || 0) > Date.now(); } catch (e) { return false; }
  }
  function stayQuiet() {
    try { localStorage.setItem(storageKey, String(Date.now() + days * 864e5)); } catch (e) { /* private mode */ }
  }

  var css = ".ld-launch{position:fixed;z-index:2147483000;right:20px;bottom:20px;border:0;border-radius:24px;" +
    "padding:12px 20px;background:#0f766e;color:#fff;font:600 15px system-ui,sans-serif;cursor:pointer;" +
    "box-shadow:0 4px 14px rgba(0,0,0,.25);transition:none}.ld-launch.ld-tab{right:0;bottom:40%;border-radius:8px 0 0 8px;" +
    "writing-mode:vertical-rl;padding:14px 10px}.ld-launch:focus-visible,.ld-close:focus-visible{outline:3px solid #111;" +
    "outline-offset:2px}.ld-overlay{position:fixed;inset:0;z-index:2147483001;background:rgba(0,0,0,.35);" +
    "display:flex;align-items:flex-end;justify-content:flex-end}.ld-dialog{position:relative;width:min(420px,100vw);" +
    "height:min(640px,calc(100vh - 40px));margin:0 20px 20px 0;background:#fff;border-radius:14px;overflow:hidden;" +
    "box-shadow:0 10px 40px rgba(0,0,0,.3)}@media (max-width:480px){.ld-dialog{margin:0;border-radius:0;" +
    "width:100vw;height:100vh}}.ld-dialog iframe{border:0;width:100%;height:100%}.ld-close{position:absolute;" +
    "top:8px;right:8px;z-index:1;border:0;border-radius:50%;width:34px;height:34px;background:#f1f5f9;" +
    "font:700 18px/1 system-ui;cursor:pointer;color:#111;padding:0;margin:0;min-width:0;box-shadow:none;" +
    "display:flex;align-items:center;justify-content:center}.ld-launch.ld-left{right:auto;left:20px}" +
    ".ld-launch.ld-tab.ld-left{left:0;border-radius:0 8px 8px 0}.ld-overlay.ld-left{justify-content:flex-start}" +
    ".ld-overlay.ld-left .ld-dialog{margin:0 0 20px 20px}@media (max-width:480px){.ld-overlay .ld-dialog," +
    ".ld-overlay.ld-left .ld-dialog{margin:0;height:100dvh}}.ld-guard{position:absolute;width:1px;height:1px;" +
    "overflow:hidden;opacity:0}";

  var launcher = null;
  var overlay = null;
  // Where the keyboard was on the host page before the widget: a launcher gone once the form
  // is answered cannot take the focus back on close, so it goes here instead of to <body>.
  var lastOnPage = null;
  document.addEventListener("focusin", function (evt) {
    var t = evt.target;
    if (t !== launcher && !(overlay && overlay.contains(t))) { lastOnPage = t; }
  });

  function addStyles() {
    if (document.getElementById("ld-widget-css")) { return; }
    var tag = document.createElement("style");
    tag.id = "ld-widget-css";
    tag.textContent = css;
    document.head.appendChild(tag);
  }

  function formUrl() {
    var params = new URLSearchParams({
      embed: "1", channel: "widget", lang: lang,
      page_url: location.href.slice(0, 500), ref: document.referrer.slice(0, 500)
    });
    if (customerId) {
      params.set("customer_id", customerId);
      params.set("customer_id_sig", customerSig);
    }
    return origin + "/f/" + encodeURIComponent(form) + "?" + params.toString();
  }

  function close(answered) {
    if (!overlay) { return; }
    overlay.remove();
    overlay = null;
    document.removeEventListener("keydown", onKey, true);
    stayQuiet();
    if (answered && launcher) { launcher.remove(); launcher = null; }
    var back = launcher || (lastOnPage && lastOnPage.isConnected ? lastOnPage : null);
    if (back) { back.focus({ preventScroll: true }); }
  }

  function onKey(evt) {
    if (evt.key === "Escape") { evt.preventDefault(); close(false); }
  }

  function guard(sendFocus) {
    var edge = document.createElement("span");
    edge.className = "ld-guard";
    edge.tabIndex = 0;
    edge.addEventListener("focus", sendFocus);
    return edge;
  }

  function open() {
    if (overlay) { return; }
    addStyles();
    overlay = document.createElement("div");
    overlay.className = "ld-overlay" + side;
    overlay.addEventListener("click", function (evt) { if (evt.target === overlay) { close(false); } });
    var dialog = document.createElement("div");
    dialog.className = "ld-dialog";
    dialog.setAttribute("role", "dialog");
    dialog.setAttribute("aria-modal", "true");
    dialog.setAttribute("aria-label", words[0]);
    var shut = document.createElement("button");
    shut.type = "button";
    shut.className = "ld-close";
    shut.setAttribute("aria-label", words[1]);
    shut.textContent = "×";
    shut.addEventListener("click", function () { close(false); });
    var frame = document.createElement("iframe");
    frame.src = formUrl();
    frame.title = words[0];
    frame.setAttribute("allow", "clipboard-write");
    // aria-modal alone does not keep Tab inside: focus leaving the form or the × lands on a
    // guard that sends it back, instead of on the host page's links behind the overlay.
    dialog.appendChild(guard(function () { frame.focus(); }));
    dialog.appendChild(shut);
    dialog.appendChild(frame);
    dialog.appendChild(guard(function () { shut.focus(); }));
    overlay.appendChild(dialog);
    document.body.appendChild(overlay);
    document.addEventListener("keydown", onKey, true);
    // Into the form once it has loaded, unless the visitor already moved within the dialog
    // (a slow load must not pull focus back from the × they tabbed to).
    frame.addEventListener("load", function () {
      if (dialog.contains(document.activeElement)) { return; }
      try { frame.focus(); } catch (e) { /* cross-origin */ }
    });
  }

  window.addEventListener("message", function (evt) {
    if (evt.origin !== origin || !evt.data || evt.data.form !== form) { return; }
    if (evt.data.type === "loopdesk:completed") { stayQuiet(); if (launcher) { launcher.remove(); launcher = null; } }
    if (evt.data.type === "loopdesk:close") { close(false); }
  });

  function showLauncher() {
    if (launcher || quiet()) { return; }
    addStyles();
    launcher = document.createElement("button");
    launcher.type = "button";
    launcher.className = "ld-launch" + (style === "tab" ? " ld-tab" : "") + side;
    launcher.textContent = label || words[0];
    launcher.setAttribute("aria-haspopup", "dialog");
    launcher.addEventListener("click", open);
    document.body.appendChild(launcher);
    brand(launcher);
  }

  function brand(button) {
    if (!color || !(window.CSS && CSS.supports("color", color))) { return; }
    button.style.transition = "none";  // a host page's button transition would hide the colour
    button.style.background = color;
    var rgb = (getComputedStyle(button).backgroundColor.match(/[\d.]+/g) || []).map(Number);
    if (rgb.length >= 3 && 0.2126 * rgb[0] + 0.7152 * rgb[1] + 0.0722 * rgb[2] > 150) {
      button.style.color = "#111";  // a light brand colour: dark text stays readable
    }
  }

  function armTrigger() {
    if (quiet()) { return; }
    var kind = trigger.split(":")[0];
    var value = parseFloat(trigger.split(":")[1] || "0");
    if (kind === "button") { showLauncher(); return; }
    var fired = false;
    function fire() { if (!fired && !quiet()) { fired = true; showLauncher(); open(); } }
    if (kind === "delay") { setTimeout(fire, (value || 15) * 1000); }
    if (kind === "scroll") {
      window.addEventListener("scroll", function () {
        var max = document.documentElement.scrollHeight - window.innerHeight;
        if (max <= 0 || (window.scrollY / max) * 100 >= (value || 60)) { fire(); }
      }, { passive: true });
    }
    if (kind === "exit-intent") { armExitIntent(fire); }
  }

  // Exit intent: on a desktop the mouse leaving through the top edge (towards the tabs or the
  // address bar); on a phone, where no mouse leaves, a fast scroll back up after reading some
  // way down (the move towards the browser's bar or back button). Scroll events only note that
  // something moved; one frame callback reads the position, so an idle page costs nothing.
  function armExitIntent(fire) {
    var touch = navigator.maxTouchPoints > 0 && window.matchMedia &&
      matchMedia("(pointer: coarse)").matches;
    var deepest = 0, refY = window.scrollY, refAt = Date.now(), pending = false;
    function onMouseOut(evt) { if (!evt.relatedTarget && evt.clientY <= 0) { done(); } }
    function onScroll() { if (!pending) { pending = true; requestAnimationFrame(check); } }
    function check() {
      pending = false;
      var y = window.scrollY, now = Date.now(), height = window.innerHeight;
      var max = document.documentElement.scrollHeight - height;
      deepest = Math.max(deepest, y);
      // Going down, or up too slowly to count: measure the next move from here.
      if (y >= refY || now - refAt > 500) { refY = y; refAt = now; return; }
      // Read at least a screen (or half of a short page), then 25 % of a screen up in 0.5 s.
      if (deepest >= Math.max(200, Math.min(height, max / 2)) && refY - y >= Math.max(120, height / 4)) {
        done();
      }
    }
    function done() {
      document.removeEventListener("mouseout", onMouseOut);
      window.removeEventListener("scroll", onScroll);
      fire();
    }
    document.addEventListener("mouseout", onMouseOut);
    if (touch) { window.addEventListener("scroll", onScroll, { passive: true }); }
  }

  // Nothing on the page, no button and no trigger, while the form takes no answers. A host
  // page whose policy blocks the request (or an old server) gets the widget as before: the
  // form's own page then says it is closed.
  function armIfOpen() {
    if (quiet()) { return; }
    if (!window.fetch) { armTrigger(); return; }
    fetch(origin + "/f/" + encodeURIComponent(form) + "/availability.json", { credentials: "omit" })
      // 404: no such form (a mistyped data-form), said in JSON too; other failures: arm.
      .then(function (reply) { return reply.ok || reply.status === 404 ? reply.json() : { open: true }; })
      .then(function (state) { if (!state || state.open !== false) { armTrigger(); } },
            function () { armTrigger(); });
  }

  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", armIfOpen);
  } else {
    armIfOpen();
  }
})();
