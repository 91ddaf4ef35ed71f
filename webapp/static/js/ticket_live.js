// The open ticket page, and the board's drawer, stay current: htmx polls #ws-live
// (templates/tickets/_ws_live.html) and swaps in the changed sections out of band. This file
// adds what htmx cannot say without eval: no polls from a hidden tab, sections the agent is
// working in are kept, a refusal on screen stays through a redraw of its section, the
// keyboard stays on the control it was on, and the poll stops for good (saying so once)
// when the session or the access is gone.
(function () {
  "use strict";

  var POLL_ID = "ws-live";
  var refreshing = false;  // the live poll's answer is being swapped in

  function pollOf(evt) {
    var detail = evt.detail || {};
    var elt = (detail.requestConfig && detail.requestConfig.elt) || detail.elt || evt.target;
    return elt && elt.id === POLL_ID ? elt : null;
  }

  function pathOf(url) {
    try { return new URL(url, window.location.href).pathname; } catch (e) { return url; }
  }

  function stop(poll) {
    var notice = document.getElementById("ws-live-notice");
    if (notice && poll.dataset.msgStopped) {
      var line = document.createElement("p");
      line.textContent = poll.dataset.msgStopped;
      notice.replaceChildren(line);
    }
    poll.remove();  // htmx ends the polling of an element that left the page
  }

  document.addEventListener("htmx:beforeRequest", function (evt) {
    if (pollOf(evt) && document.hidden) { evt.preventDefault(); }
  });

  // Each poll also says whether the agent is writing a reply (a draft in the reply box):
  // colleagues with the ticket open see it (services/presence.py), and nobody answers twice.
  document.addEventListener("htmx:configRequest", function (evt) {
    if (!pollOf(evt)) { return; }
    var box = document.getElementById("ws-reply-text");
    if (box && box.value.trim()) { evt.detail.parameters.replying = "1"; }
  });

  // The agent's own action (a priority, a label, a reply) says what the page's poll shows: when
  // its answer draws everything that changed since, it brings the poll with the new mark
  // (live_views.poll_moves_on), and the next poll has nothing to redraw.
  document.addEventListener("htmx:configRequest", function (evt) {
    var poll = document.getElementById(POLL_ID);
    if (!poll || pollOf(evt) || evt.detail.verb === "get") { return; }
    var asked = new URL(poll.getAttribute("hx-get"), window.location.href);
    var ticket = asked.pathname.replace(/changes$/, "");  // "/tickets/LD-7/"
    if (pathOf(evt.detail.path).indexOf(ticket) !== 0) { return; }
    evt.detail.headers["X-Live-Shown"] = asked.search.slice(1);
  });

  document.addEventListener("htmx:beforeSwap", function (evt) {
    var poll = pollOf(evt);
    if (!poll) { return; }
    var detail = evt.detail;
    var status = detail.xhr.status;
    var paths = detail.pathInfo || {};
    // A lost session answers with the login page (a redirect the browser followed).
    var redirected = paths.responsePath && pathOf(paths.responsePath) !== pathOf(paths.requestPath);
    if (status >= 400 || redirected) {
      detail.shouldSwap = false;
      detail.isError = false;  // said once here, not as an error toast at every poll
      stop(poll);
      return;
    }
    if (status === 304) { detail.shouldSwap = false; return; }
    if (/[?&]full=1(&|$)/.test((detail.requestConfig || {}).path || "")) {
      held = {};  // every section comes: those still in use are held again as they arrive
    }
    refreshing = true;
  });

  document.addEventListener("htmx:afterRequest", function (evt) {
    if (pollOf(evt)) { refreshing = false; refocus = null; keptId = null; }
  });

  // A dropped connection: the next poll tries again, without a toast at every poll.
  document.addEventListener("htmx:sendError", function (evt) {
    if (pollOf(evt)) { evt.stopPropagation(); }
  }, true);
  document.addEventListener("htmx:timeout", function (evt) {
    if (pollOf(evt)) { evt.stopPropagation(); }
  }, true);

  function isEdited(field) {
    if (field.type === "hidden" || field.type === "submit" || field.type === "button") {
      return false;
    }
    if (field.type === "checkbox" || field.type === "radio") {
      return field.checked !== field.defaultChecked;
    }
    if (field.tagName === "SELECT") {
      // A single choice drawn with no option marked shows its first one: that is no edit
      // (else the tasks' "For" box, or an unassigned ticket's, would hold its section still).
      var options = Array.prototype.slice.call(field.options);
      var drawn = options.filter(function (option) { return option.defaultSelected; });
      if (!drawn.length && !field.multiple) {
        drawn = options.filter(function (option) { return !option.disabled; }).slice(0, 1);
      }
      return options.some(function (option) {
        return option.selected !== (drawn.indexOf(option) >= 0);
      });
    }
    return field.value !== field.defaultValue;
  }

  // The agent is working in a section when the keyboard is in one of its fields, or a field
  // holds something they changed: redrawing it would take that away.
  function inUse(section) {
    var active = document.activeElement;
    if (active && section.contains(active) && active.matches("input, textarea, select") &&
        active.type !== "hidden") {
      return true;
    }
    return Array.prototype.some.call(section.querySelectorAll("input, textarea, select"), isEdited);
  }

  // What the agent had unfolded stays unfolded (matched by position in the section).
  function keepOpen(section, fragment) {
    var before = section.querySelectorAll("details");
    var after = fragment.querySelectorAll ? fragment.querySelectorAll("details") : [];
    if (before.length !== after.length) { return; }
    Array.prototype.forEach.call(before, function (details, index) {
      if (details.open) { after[index].setAttribute("open", ""); }
    });
  }

  // A preview, or a template picked, redraws the reply section, and a page cannot refill a
  // file input: the files the agent chose move into the new section (only for those: a sent
  // reply's are gone), with the whole picker (_file_picker.html), so their names stay
  // beside its button.
  function pickerOf(input) { return input.closest(".file-picker") || input; }
  var previewing = false;
  var keptFiles = null;
  function isPreview(evt) {
    var detail = evt.detail || {};
    var config = detail.requestConfig || {};
    var path = pathOf((detail.pathInfo && detail.pathInfo.requestPath) || config.path || "");
    var template = config.verb === "get" && /\/reply$/.test(path);  // _ws_reply.html's picker
    return template || /\/reply\/preview$/.test(path);
  }
  document.addEventListener("htmx:beforeRequest", function (evt) {
    if (isPreview(evt)) { previewing = true; }  // a live poll meanwhile changes nothing
  });
  document.addEventListener("htmx:oobBeforeSwap", function (evt) {
    var target = evt.detail.target;
    var chosen = previewing && target && target.id === "ws-reply" && target.querySelector("#ws-reply-files");
    if (chosen && chosen.files && chosen.files.length) { keptFiles = pickerOf(chosen); }
  });
  // Put back in the same task as the swap: nobody sees (or sends) the emptied input.
  document.addEventListener("htmx:oobAfterSwap", function () {
    if (!keptFiles) { return; }
    var fresh = document.getElementById("ws-reply-files");
    if (fresh && !keptFiles.contains(fresh)) { pickerOf(fresh).replaceWith(keptFiles); }
    keptFiles = null;
  });
  document.addEventListener("htmx:afterSettle", function (evt) {
    if (isPreview(evt)) { previewing = false; }
  });

  // Why the agent's last label, task, reminder or assignment was refused stays on screen
  // when the refresh redraws its section: the section brings what changed meanwhile, and
  // the message goes back where the form's slot is (_form_error.html), with what the agent
  // had typed for it (the fields it names in data-kept) and the fields it marks invalid.
  function each(list, fn) { Array.prototype.forEach.call(list, fn); }

  function fieldsNamed(form, name) {
    return Array.prototype.filter.call(form.querySelectorAll("input, select, textarea"),
      function (field) { return field.name === name && field.type !== "hidden" && field.type !== "file"; });
  }

  // Set as the fresh field's default: it shows, and counts as not yet edited, as it did.
  function copyValue(was, field) {
    if (field.type === "checkbox" || field.type === "radio") {
      field.defaultChecked = was.checked;
    } else if (field.tagName === "SELECT") {
      each(field.options, function (option) {
        option.defaultSelected = Array.prototype.some.call(was.options, function (old) {
          return old.selected && old.value === option.value;
        });
      });
    } else {
      field.defaultValue = was.value;
    }
  }

  function keepTyped(before, after, names) {
    names.forEach(function (name) {
      var old = fieldsNamed(before, name);
      fieldsNamed(after, name).forEach(function (field, index) {
        var was = field.type === "checkbox" || field.type === "radio"
          ? old.filter(function (o) { return o.value === field.value; })[0]
          : old[index];
        if (was) { copyValue(was, field); }
      });
    });
  }

  function keepMarks(before, after, errorId) {
    each(before.querySelectorAll("[aria-invalid='true']"), function (was) {
      var field = fieldsNamed(after, was.name)[0];
      if (!field) { return; }
      var described = (field.getAttribute("aria-describedby") || "").split(/\s+/).filter(Boolean);
      if (described.indexOf(errorId) < 0) { described.push(errorId); }
      field.setAttribute("aria-invalid", "true");
      field.setAttribute("aria-describedby", described.join(" "));
    });
  }

  function openAround(node) {
    for (var up = node.parentElement; up; up = up.parentElement) {
      if (up.tagName === "DETAILS") { up.setAttribute("open", ""); }
    }
  }

  // The form a refusal is about: the one it stands in, or the one whose field points at it.
  function refusedForm(error, section) {
    var pointing = section.querySelector("[aria-describedby~='" + CSS.escape(error.id) + "']");
    return error.closest("form") || (pointing && pointing.form) || null;
  }

  function sameForm(fragment, form) {
    var action = form.getAttribute("action");
    return Array.prototype.filter.call(fragment.querySelectorAll("form"), function (other) {
      return other.getAttribute("action") === action;
    })[0] || null;
  }

  function keepRefusals(section, fragment) {
    each(section.querySelectorAll(".field-error[id][data-kept]"), function (error) {
      var name = error.id.replace(/-error$/, "");
      var slot = fragment.querySelector("template[data-form-error='" + CSS.escape(name) + "']");
      if (!slot) { return; }  // the form is gone from the section, and the reason with it
      var kept = error.cloneNode(true);
      kept.removeAttribute("role");  // announced when it came, not again at every redraw
      slot.replaceWith(kept);
      openAround(kept);
      var before = refusedForm(error, section);
      var after = before && sameForm(fragment, before);
      if (!after) { return; }
      keepTyped(before, after, error.dataset.kept.split(/\s+/).filter(Boolean));
      keepMarks(before, after, error.id);
      openAround(after);
    });
  }

  // ---- the keyboard stays where it was ---------------------------------------------------
  // A redraw the agent did not start must not move them: the focus goes to the same control
  // in the new section (same id; else the same tag, name, value, link and form, the n-th of
  // its kind), and a control that did not change stays itself, focused. A section whose
  // focused control is gone (a button for a move made meanwhile) is held back, as a section
  // in use is, and caught up by a full redraw once the keyboard has left it.
  var HIDDEN_KEYS_SKIPPED = ["csrf_token", "version", "nonce", "seen"];  // change at every redraw
  var held = {};     // ids of sections held back from a redraw
  var refocus = null;  // the control to focus once its section is swapped in
  var keptId = null;   // a control kept through the swap by a borrowed id

  function formKey(form) {
    if (!form) { return ""; }
    var keys = Array.prototype.filter.call(form.querySelectorAll("input[type=hidden]"), function (field) {
      return HIDDEN_KEYS_SKIPPED.indexOf(field.name) < 0;
    }).map(function (field) { return field.name + "=" + field.value; });
    return (form.getAttribute("action") || "") + "?" + keys.join("&");
  }

  function signature(element, withText) {
    var keyed = element.tagName === "BUTTON" || element.type === "checkbox" || element.type === "radio";
    return [
      element.tagName,
      element.getAttribute("name") || "",
      keyed ? element.getAttribute("value") || "" : "",
      element.getAttribute("href") || "",
      formKey(element.form || element.closest("form")),
      withText ? element.textContent.trim() : ""
    ].join("\n");
  }

  function alike(root, element, withText) {
    var wanted = signature(element, withText);
    return Array.prototype.filter.call(root.querySelectorAll(element.tagName), function (other) {
      return signature(other, withText) === wanted;
    });
  }

  // The focused control's counterpart in the new section, or null when it is gone or ambiguous.
  function counterpart(section, fragment, element) {
    if (element.id) {
      var same = fragment.querySelector("#" + CSS.escape(element.id));
      return same && same.tagName === element.tagName ? same : null;
    }
    for (var pass = 0; pass < 2; pass++) {  // with the same text first: a changed label still counts
      var before = alike(section, element, pass === 0);
      var after = alike(fragment, element, pass === 0);
      if (before.length === after.length && before.indexOf(element) >= 0) {
        return after[before.indexOf(element)];
      }
    }
    return null;
  }

  function canFocus(element) {
    return !element.disabled && !element.closest("[hidden], [inert]");
  }

  // Null: the section may be swapped, focus or not; false: hold it back.
  function keepFocus(section, fragment) {
    var active = document.activeElement;
    if (!active || active === section || !section.contains(active)) { return null; }
    var fresh = counterpart(section, fragment, active);
    if (!fresh || !canFocus(fresh)) { return false; }
    if (active.hasAttribute("tabindex") && !fresh.hasAttribute("tabindex")) {
      fresh.setAttribute("tabindex", active.getAttribute("tabindex"));  // a heading app.js focused
    }
    refocus = fresh;
    // Unchanged: the control itself stays, moved into the new section without losing the
    // focus where the browser can (htmx's hx-preserve, by id), so nothing is announced again.
    if (fresh.outerHTML === active.outerHTML) {
      if (!active.id) { keptId = active.id = fresh.id = "ws-live-kept"; }
      fresh.setAttribute("hx-preserve", "");
      refocus = active;
    }
    return null;
  }

  document.addEventListener("htmx:oobAfterSwap", function () {
    if (!refocus || !document.body.contains(refocus)) { return; }
    if (keptId && refocus.id === keptId) { refocus.removeAttribute("id"); }
    if (document.activeElement !== refocus) { refocus.focus({ preventScroll: true }); }
    refocus = null;
    keptId = null;
  });

  function holdsFocus(section) {
    return section.contains(document.activeElement) && document.activeElement !== section;
  }

  // A poll after the keyboard left a held section asks for every section again (`full`), and
  // not with the tag it holds. It still says what the page showed (`since`): a message that
  // arrives with it is announced, and one an earlier poll announced is not, again. The
  // sections count as held until its answer comes (a poll from a hidden tab, or one lost
  // on the way, would otherwise leave them behind for good).
  document.addEventListener("htmx:configRequest", function (evt) {
    if (!pollOf(evt)) { return; }
    var due = Object.keys(held).some(function (id) {
      var section = document.getElementById(id);
      return section && !holdsFocus(section) && !inUse(section);
    });
    if (!due) { return; }
    var url = new URL(evt.detail.path, window.location.href);
    url.searchParams.set("full", "1");
    evt.detail.path = url.pathname + url.search;
    delete evt.detail.headers["If-None-Match"];
  });

  document.addEventListener("htmx:oobBeforeSwap", function (evt) {
    var target = evt.detail.target;
    if (!target || target.tagName !== "SECTION") { return; }
    if (!refreshing) {  // the agent's own action redraws it
      delete held[target.id];
      // The SLA comes along with most of them (live_views.poll_moves_on): an explanation the
      // agent unfolded there stays unfolded. (Their own forms close once done.)
      if (target.id === "ws-sla") { keepOpen(target, evt.detail.fragment); }
      return;
    }
    if (inUse(target) || keepFocus(target, evt.detail.fragment) === false) {
      evt.detail.shouldSwap = false;  // caught up once the agent is done there, or by their own action
      held[target.id] = true;
      return;
    }
    delete held[target.id];
    keepOpen(target, evt.detail.fragment);
    keepRefusals(target, evt.detail.fragment);
  });
})();
