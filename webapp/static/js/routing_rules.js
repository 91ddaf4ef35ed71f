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

  document.addEventListener("DOMContentLoaded", function () {
    init(document);
    if (typeof htmx !== "undefined") { htmx.onLoad(function (elt) { init(elt); }); }
  });
})();
