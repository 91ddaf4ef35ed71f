// Form builder glue: drag questions into a new order (SortableJS) → one htmx request with
// the new order, show an edit conflict (409) instead of treating it as a failure, ask
// before a question type change that drops data, and say why a change was not sent.
// The server decides everything and sends the list back as it really is.
(function () {
  "use strict";

  var sortables = new WeakSet();

  function builderRoot() { return document.getElementById("form-builder"); }

  function currentRevision() {
    var input = document.querySelector("#form-builder .builder-revision");
    return input ? input.value : "";
  }

  function sendOrder(list) {
    var ids = Array.prototype.map.call(
      list.querySelectorAll(":scope > .builder-question"),
      function (item) { return item.dataset.id; }
    );
    htmx.ajax("POST", builderRoot().dataset.orderUrl, {
      source: list,
      target: "#builder-questions",
      swap: "outerHTML",
      values: { order: ids.join(","), revision: currentRevision() }
    });
  }

  function makeSortable(list) {
    if (sortables.has(list) || typeof Sortable === "undefined") { return; }
    sortables.add(list);
    Sortable.create(list, {
      handle: ".drag-handle",
      draggable: ".builder-question",
      forceFallback: true,     // mouse-event dragging: the same in every browser and in tests
      fallbackTolerance: 4,
      animation: 120,
      onEnd: function (evt) {
        if (evt.oldIndex !== evt.newIndex) { sendOrder(list); }
      }
    });
  }

  // Long texts are textareas that grow with their text: CSS field-sizing where the browser
  // has it, this where it does not.
  var sizesItself = window.CSS && CSS.supports && CSS.supports("field-sizing", "content");

  function fitText(area) {
    area.style.height = "auto";
    area.style.height = (area.scrollHeight + area.offsetHeight - area.clientHeight) + "px";
  }

  function setUp(root) {
    var scope = root && root.querySelectorAll ? root : document;
    if (scope.matches && scope.matches(".builder-question-list")) { makeSortable(scope); }
    scope.querySelectorAll(".builder-question-list").forEach(makeSortable);
    if (!sizesItself) { scope.querySelectorAll(".text-cell textarea").forEach(fitText); }
  }

  document.addEventListener("input", function (evt) {
    if (!sizesItself && evt.target.matches && evt.target.matches(".text-cell textarea")) {
      fitText(evt.target);
    }
  });

  // An edit conflict carries the other admin's version: show it like any other answer.
  document.addEventListener("htmx:beforeSwap", function (evt) {
    if (evt.detail.xhr.status === 409 && evt.detail.elt.closest("#form-builder")) {
      evt.detail.shouldSwap = true;
      evt.detail.isError = false;
    }
  });

  // Question settings save on change; a type that drops choices, scale labels or limits
  // (marked data-drops by the server) asks first, and a "no" puts the saved type back.
  document.addEventListener("htmx:confirm", function (evt) {
    var trigger = evt.detail.triggeringEvent;
    var select = trigger && trigger.type === "change" ? trigger.target : null;
    if (!select || !select.matches || !select.matches(".question-settings select[name=type]")) {
      return;
    }
    var option = select.options[select.selectedIndex];
    if (!option || !option.hasAttribute("data-drops")) { return; }
    evt.preventDefault();
    if (window.confirm(select.dataset.confirmDrops)) {
      evt.detail.issueRequest(true);
    } else {
      Array.prototype.forEach.call(select.options, function (item) {
        item.selected = item.defaultSelected;
      });
    }
  });

  // A change the browser refuses (an id with a space, a limit out of range) is not sent:
  // say why, as Enter does, instead of dropping it without a word.
  document.addEventListener("htmx:validation:halted", function (evt) {
    var form = evt.target;
    if (form.closest && form.closest("#form-builder") && form.reportValidity) {
      form.reportValidity();
    }
  });

  document.addEventListener("htmx:load", function (evt) { setUp(evt.detail.elt); });
  document.addEventListener("DOMContentLoaded", function () { setUp(document); });
})();
