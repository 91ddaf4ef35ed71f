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

  // The customer's time zone (conversation, widget, status page reply box): the server then
  // writes the times it e-mails them in their zone. Without JavaScript it stays UTC, named.
  function fillTimeZone(root) {
    var zone;
    try { zone = Intl.DateTimeFormat().resolvedOptions().timeZone; } catch (e) { return; }
    if (!zone || !root || !root.querySelectorAll) { return; }
    root.querySelectorAll("input[data-browser-timezone]").forEach(function (input) {
      input.value = zone;
    });
  }
  document.addEventListener("DOMContentLoaded", function () { fillTimeZone(document); });
  document.addEventListener("htmx:load", function (evt) { fillTimeZone(evt.detail.elt); });

  // Messages that came with the page (after a form was sent and redirected) are in the live
  // region from the start, and screen readers announce only what changes in one: put them
  // back a moment after the page is read, so "Thank you, your message was added" is heard.
  function announcePageMessages() {
    var region = toastRegion();
    if (!region || !region.children.length) { return; }
    var messages = Array.prototype.slice.call(region.children);
    messages.forEach(function (message) { region.removeChild(message); });
    setTimeout(function () {
      messages.forEach(function (message) { region.appendChild(message); });
    }, 150);
  }
  document.addEventListener("DOMContentLoaded", announcePageMessages);

  // <button data-print hidden>: shown only where JavaScript can print the page.
  document.addEventListener("DOMContentLoaded", function () {
    document.querySelectorAll("button[data-print]").forEach(function (button) {
      button.hidden = false;
      button.addEventListener("click", function () { window.print(); });
    });
  });

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

  // A section the page fetches after it is shown ([data-loads-later]) says in place that it
  // failed, with its retry link, rather than in a toast; and that it loads again on retry.
  function laterSection(evt) {
    var elt = evt.detail && evt.detail.elt;
    return elt && elt.closest ? elt.closest("[data-loads-later]") : null;
  }

  function showLoadingState(section, failed) {
    section.setAttribute("aria-busy", failed ? "false" : "true");
    section.querySelectorAll("[data-loading]").forEach(function (el) { el.hidden = failed; });
    section.querySelectorAll("[data-load-failed]").forEach(function (el) { el.hidden = !failed; });
  }

  document.addEventListener("htmx:beforeRequest", function (evt) {
    var section = laterSection(evt);
    if (section) { showLoadingState(section, false); }
  });

  document.addEventListener("htmx:responseError", function (evt) {
    var section = laterSection(evt);
    if (section) { showLoadingState(section, true); return; }
    showServerFragment(evt.detail.xhr);
  });
  document.addEventListener("htmx:sendError", function (evt) {
    var section = laterSection(evt);
    if (section) { showLoadingState(section, true); return; }
    showToast(document.body.dataset.msgNetworkError, "error");
  });
  document.addEventListener("htmx:timeout", function (evt) {
    var section = laterSection(evt);
    if (section) { showLoadingState(section, true); }
  });

  document.addEventListener("click", function (evt) {
    var button = evt.target.closest("[data-dismiss]");
    if (button) {
      var toast = button.closest(".toast");
      if (toast) { toast.remove(); }
    }
  });

  // A ticket's assignee, team and priority menus (page and board drawer) change nothing until
  // their form is sent: the letters typed there pick a person by name (the browser's own
  // type-ahead), so Escape puts back the choice the ticket has and leaves the menu, and Enter
  // sends it. In the drawer, a menu with nothing changed lets Escape close it. Here, not in
  // shortcuts.js: it is how the menus behave, also for staff who turned the shortcuts off.
  var TICKET_PICKERS = ".ws-assign select";

  function defaultIndex(select) {
    var index = 0;
    Array.prototype.forEach.call(select.options, function (option, at) {
      if (option.defaultSelected) { index = at; }
    });
    return index;
  }

  document.addEventListener("keydown", function (evt) {
    if (evt.defaultPrevented || evt.isComposing || evt.ctrlKey || evt.altKey || evt.metaKey) { return; }
    var select = evt.target;
    if (!select.matches || !select.matches(TICKET_PICKERS) || !select.form) { return; }
    if (evt.key === "Enter") {
      evt.preventDefault();
      select.form.requestSubmit(select.form.querySelector("button[type=submit], button:not([type])"));
    } else if (evt.key === "Escape") {
      var changed = select.selectedIndex !== defaultIndex(select);
      if (!changed && select.closest("#drawer-dialog")) { return; }
      select.selectedIndex = defaultIndex(select);
      evt.preventDefault();
      select.blur();
    }
  });

  // A file picker (_file_picker.html) names the files chosen, in the page's words.
  function showChosenFiles(input, refusal) {
    var chosen = document.getElementById(input.id + "-chosen");
    if (!chosen) { return; }
    var names = Array.prototype.map.call(input.files || [], function (file) { return file.name; });
    chosen.textContent = names.length ? names.join(", ") : chosen.getAttribute("data-none");
    if (refusal) { chosen.textContent += " – " + refusal; }
    chosen.classList.toggle("refused", Boolean(refusal));
  }

  // A file over its picker's limit (data-max-bytes) is refused at once, not after minutes of
  // uploading it on a phone: said beside the file's name (sending it would show the
  // browser's own bubble too).
  document.addEventListener("change", function (evt) {
    var input = evt.target;
    if (!input.matches || !input.matches("input[type=file]")) { return; }
    var tooLarge = false;
    if (input.hasAttribute("data-max-bytes")) {
      var limit = Number(input.getAttribute("data-max-bytes"));
      tooLarge = Array.prototype.some.call(input.files || [], function (file) {
        return file.size > limit;
      });
      input.setCustomValidity(tooLarge ? input.getAttribute("data-too-large") : "");
    }
    dropServerErrors(input);
    showChosenFiles(input, tooLarge ? input.getAttribute("data-too-large") : "");
  });

  // The server's refusal of the file sent before ("not an image or a PDF") is about that
  // file: once another is chosen it goes, or it would stand beside what is said of the new one.
  function dropServerErrors(input) {
    document.querySelectorAll("[data-error-for]").forEach(function (error) {
      if (error.getAttribute("data-error-for") !== input.id) { return; }
      document.querySelectorAll("[aria-describedby~='" + error.id + "']").forEach(function (el) {
        var rest = el.getAttribute("aria-describedby").split(/\s+/).filter(function (id) {
          return id && id !== error.id;
        });
        if (rest.length) { el.setAttribute("aria-describedby", rest.join(" ")); }
        else { el.removeAttribute("aria-describedby"); }
        el.removeAttribute("aria-invalid");
      });
      error.remove();
    });
  }

  // A file dropped on a picker is chosen, as the browser's own (now hidden) input took it.
  function pickerOf(evt) {
    return evt.target && evt.target.closest ? evt.target.closest(".file-picker") : null;
  }
  document.addEventListener("dragover", function (evt) {
    if (pickerOf(evt)) { evt.preventDefault(); }
  });
  document.addEventListener("drop", function (evt) {
    var picker = pickerOf(evt);
    var dropped = evt.dataTransfer && evt.dataTransfer.files;
    if (!picker || !dropped || !dropped.length || !window.DataTransfer) { return; }
    evt.preventDefault();
    var input = picker.querySelector("input[type=file]");
    var chosen = new DataTransfer();
    Array.prototype.slice.call(dropped, 0, input.multiple ? dropped.length : 1)
      .forEach(function (file) { chosen.items.add(file); });
    input.files = chosen.files;
    input.dispatchEvent(new Event("change", { bubbles: true }));
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

  // ---- focus through out-of-band swaps ---------------------------------------------------
  // Workspace actions answer with the changed sections, swapped out of band: the control the
  // person used is replaced and the browser drops the focus on <body>, so a keyboard or
  // screen-reader user starts again from the top of the page after every action. Put it
  // back: on the refused field, else on the same control of the same form in the new
  // section, else on the summary of its now closed disclosure, else on the section heading.
  var focusBefore = null;

  function hiddenValue(form, name) {
    var field = form && form.querySelector('input[type="hidden"][name="' + name + '"]');
    return field ? field.value : null;
  }

  function describeFocus() {
    var element = document.activeElement;
    var section = element && element !== document.body && element.closest &&
      element.closest("section[id], article[id]");
    if (!section) { return null; }
    var form = element.form || element.closest("form");
    return {
      element: element,
      section: section.id,
      form: form && form.id ? form.id : null,
      button: element.tagName === "BUTTON" && element.name ? [element.name, element.value] : null,
      action: form ? form.getAttribute("action") : null,
      trigger: hiddenValue(form, "trigger"),
      index: form ? Array.prototype.indexOf.call(form.elements, element) : -1
    };
  }

  // Content of a closed <details> keeps its boxes in Chromium, but cannot take the focus.
  function isShown(element) {
    if (!element || !element.getClientRects().length) { return false; }
    var details = element.closest("details:not([open])");
    return !details || element === details.querySelector("summary");
  }

  // The same form is the one with the same id, where it has one: the form builder's condition
  // editors all post to one address, and the first of them is another question's.
  function sameForms(before, section) {
    var own = before.form && document.getElementById(before.form);
    if (own && own.tagName === "FORM" && section.contains(own)) { return [own]; }
    return Array.prototype.filter.call(section.querySelectorAll("form"), function (form) {
      return form.getAttribute("action") === before.action &&
        hiddenValue(form, "trigger") === before.trigger;
    });
  }

  // The same button is the one with the same name and value ("Add a condition" stays "Add a
  // condition" when the form grows a row above it); other controls keep their place.
  function sameControl(before, form) {
    if (before.button) {
      var button = Array.prototype.find.call(form.elements, function (element) {
        return element.tagName === "BUTTON" && element.name === before.button[0] &&
          element.value === before.button[1];
      });
      if (isShown(button)) { return button; }
    }
    var same = before.index >= 0 ? form.elements[before.index] : null;
    if (isShown(same) || form.id !== before.form) { return same; }
    // The control is gone from its own form (a condition row removed): the form's first
    // control, not the section's heading a screen above.
    return Array.prototype.find.call(form.elements, function (element) {
      return element.type !== "hidden" && !element.disabled && isShown(element);
    }) || same;
  }

  function focusTarget(before, section) {
    var forms = sameForms(before, section);
    // The refused field is in the form that was sent: a field flagged for another reason
    // elsewhere in the section (a missing translation in the form builder) is not it.
    var invalid = (forms.length ? forms[0] : section).querySelector('[aria-invalid="true"]');
    if (isShown(invalid)) { return invalid; }
    var same = forms.length ? sameControl(before, forms[0]) : null;
    if (isShown(same)) { return same; }
    var closed = same && same.closest("details:not([open])");
    if (closed && isShown(closed.querySelector("summary"))) { return closed.querySelector("summary"); }
    var heading = document.getElementById(section.getAttribute("aria-labelledby") || "");
    if (heading) { heading.tabIndex = -1; }
    return heading;
  }

  function restoreFocus() {
    var before = focusBefore;
    focusBefore = null;
    var lost = !document.activeElement || document.activeElement === document.body;
    if (!before || !lost || document.body.contains(before.element)) { return; }
    var section = document.getElementById(before.section);
    var target = section && focusTarget(before, section);
    if (target) { target.focus(); }
  }

  // A live poll answering between an action's swap and its restore finds the focus already
  // lost: it must not forget the control the action's swap removed. A refresh the person did
  // not start ([data-live-refresh], ticket_live.js) keeps the focus itself, and is never a
  // reason to move it to a heading.
  function startedByPerson(evt) {
    var config = evt.detail && evt.detail.requestConfig;
    var source = config && config.elt;
    return !(source && source.closest && source.closest("[data-live-refresh]"));
  }
  document.addEventListener("htmx:beforeSwap", function (evt) {
    var now = startedByPerson(evt) && describeFocus();
    if (now) { focusBefore = now; }
  });
  // After the swap: htmx fires afterSettle on the new elements, which may be none that are
  // in the page (a section swapped out of band); afterRequest always reaches the document.
  document.addEventListener("htmx:afterRequest", function () { setTimeout(restoreFocus, 0); });
  document.addEventListener("htmx:afterSettle", restoreFocus);

  // An export link takes the filters the address shows now: a search typed since the page
  // loaded changed the address (hx-push-url), not the link the server drew.
  document.addEventListener("click", function (evt) {
    var link = evt.target.closest && evt.target.closest("a[data-export-as-filtered]");
    if (link) { link.search = window.location.search; }
  });

  // So does a tab of the ticket list ("Assigned to me"): the same filters, its own `mine`.
  document.addEventListener("click", function (evt) {
    var tab = evt.target.closest && evt.target.closest("a[data-tab-keeps-filters]");
    if (!tab) { return; }
    var params = new URLSearchParams(window.location.search);
    var mine = new URLSearchParams(tab.search).get("mine");
    params.delete("mine");
    if (mine) { params.set("mine", mine); }
    tab.search = params.toString();
  });

  // Info toasts fade after a while; errors stay until dismissed.
  setInterval(function () {
    document.querySelectorAll(".toast-success, .toast-info").forEach(function (toast) {
      var age = Number(toast.dataset.age || 0) + 1;
      toast.dataset.age = String(age);
      if (age >= 8) { toast.remove(); }
    });
  }, 1000);
})();
