// Loopdesk page glue: small on purpose. htmx does the talking to the server;
// this file shows errors htmx would otherwise swallow, dismisses toasts and
// auto-submits the language switcher.
(function () {
  "use strict";
  document.documentElement.classList.add("js");

  function toastRegion() { return document.getElementById("toasts"); }

  // Times for readers whose time zone we do not know (customers): the browser knows it.
  function showLocalTimes() {
    if (!window.Intl || !Intl.DateTimeFormat) { return; }
    var format;
    try {
      format = new Intl.DateTimeFormat(document.documentElement.lang || undefined,
        { dateStyle: "short", timeStyle: "short" });
    } catch (e) { return; }
    document.querySelectorAll("time[data-local-time]").forEach(function (element) {
      var moment = new Date(element.getAttribute("datetime"));
      if (!isNaN(moment.getTime())) { element.textContent = format.format(moment); }
    });
  }
  document.addEventListener("DOMContentLoaded", showLocalTimes);

  function showToast(text, kind) {
    var region = toastRegion();
    if (!region) { return; }
    var toast = document.createElement("div");
    toast.className = "toast toast-" + (kind || "error");
    toast.setAttribute("role", kind === "error" ? "alert" : "status");
    var span = document.createElement("span");
    span.textContent = text;
    var close = document.createElement("button");
    close.type = "button";
    close.className = "toast-close";
    close.setAttribute("data-dismiss", "");
    close.setAttribute("aria-label", document.body.dataset.msgClose || "Close");
    close.textContent = "×";
    toast.appendChild(span);
    toast.appendChild(close);
    region.appendChild(toast);
  }

  // Our server answers htmx errors with a small, escaped fragment (errors/_message.html).
  function showServerFragment(xhr) {
    var type = xhr.getResponseHeader("Content-Type") || "";
    var region = toastRegion();
    if (region && type.indexOf("text/html") === 0 && xhr.responseText &&
        xhr.responseText.indexOf('class="toast') !== -1) {
      var holder = document.createElement("div");
      holder.innerHTML = xhr.responseText;
      while (holder.firstElementChild) { region.appendChild(holder.firstElementChild); }
      return;
    }
    showToast(document.body.dataset.msgServerError, "error");
  }

  document.addEventListener("htmx:responseError", function (evt) {
    showServerFragment(evt.detail.xhr);
  });
  document.addEventListener("htmx:sendError", function () {
    showToast(document.body.dataset.msgNetworkError, "error");
  });

  document.addEventListener("click", function (evt) {
    var button = evt.target.closest("[data-dismiss]");
    if (button) {
      var toast = button.closest(".toast");
      if (toast) { toast.remove(); }
    }
  });

  document.addEventListener("change", function (evt) {
    if (evt.target.matches("select[data-autosubmit]")) {
      evt.target.form.requestSubmit();
    }
  });

  // A table wider than the screen scrolls sideways inside its .table-wrap: keyboard users
  // can reach the hidden columns only if the wrapper takes the focus (arrow keys scroll it).
  function focusableScrollers() {
    document.querySelectorAll(".table-wrap").forEach(function (wrap) {
      if (wrap.scrollWidth > wrap.clientWidth) { wrap.tabIndex = 0; }
      else { wrap.removeAttribute("tabindex"); }
    });
  }
  document.addEventListener("DOMContentLoaded", focusableScrollers);
  document.addEventListener("htmx:afterSettle", focusableScrollers);
  window.addEventListener("resize", focusableScrollers);

  // Info toasts fade after a while; errors stay until dismissed.
  setInterval(function () {
    document.querySelectorAll(".toast-success, .toast-info").forEach(function (toast) {
      var age = Number(toast.dataset.age || 0) + 1;
      toast.dataset.age = String(age);
      if (age >= 8) { toast.remove(); }
    });
  }, 1000);
})();
