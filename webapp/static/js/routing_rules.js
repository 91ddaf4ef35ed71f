// Routing rules glue: drag a rule (SortableJS) and the list's form posts the new order
// through htmx. The hidden `order` inputs travel with their rows, so the form already
// holds the order the admin sees; the server saves it and sends the list back as it is.
// The ↑/↓ buttons do the same without a mouse or without JavaScript.
(function () {
  "use strict";

  function makeSortable(list) {
    if (list.dataset.sortableReady || typeof Sortable === "undefined") { return; }
    list.dataset.sortableReady = "1";
    var before = null;
    Sortable.create(list, {
      draggable: ".routing-rule",
      handle: ".rule-handle",
      animation: 120,
      forceFallback: true,  // mouse-event dragging: the same in every browser and in tests
      onStart: function () { before = orderOf(list); },
      onEnd: function () {
        if (orderOf(list) === before) { return; }
        var form = list.closest("form");
        if (form) { htmx.trigger(form, "submit"); }
      }
    });
  }

  function orderOf(list) {
    return Array.prototype.map.call(
      list.querySelectorAll("input[name=order]"), function (input) { return input.value; }
    ).join(",");
  }

  function init(root) {
    (root || document).querySelectorAll("[data-sortable-rules]").forEach(makeSortable);
  }

  // The list is swapped after a ↑/↓ move, which took the focus with it: keyboard users were
  // left at the top of the page. Put it back on the same rule's arrow (the other arrow once
  // the rule reached the top or the bottom), so Enter can move it again.
  var refocus = null;
  document.addEventListener("click", function (event) {
    var button = event.target.closest && event.target.closest(".rule-actions button[name=direction]");
    if (button) { refocus = button.getAttribute("aria-label"); }
  });
  document.addEventListener("htmx:afterSettle", function () {
    if (!refocus) { return; }
    var label = refocus;
    refocus = null;
    var arrows = document.querySelectorAll(".rule-actions button[name=direction]");
    for (var i = 0; i < arrows.length; i++) {
      if (arrows[i].getAttribute("aria-label") !== label) { continue; }
      var target = arrows[i].disabled
        ? arrows[i].parentElement.querySelector("button[name=direction]:not([disabled])")
        : arrows[i];
      if (target) { target.focus(); }
      return;
    }
  });

  document.addEventListener("DOMContentLoaded", function () {
    init(document);
    if (typeof htmx !== "undefined") { htmx.onLoad(function (elt) { init(elt); }); }
  });
})();
