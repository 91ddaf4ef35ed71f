// One-click survey answers: the score link's page sends the chosen score at once.
// The link itself (a GET) records nothing, because mail scanners open every link;
// without JavaScript the customer presses the visible confirm button instead.
(function () {
  "use strict";
  function submitChosenScore() {
    var form = document.querySelector("form[data-survey-autosubmit]");
    if (!form || form.dataset.sent) { return; }
    var chosen = form.querySelector("button[data-chosen]");
    if (!chosen) { return; }
    form.dataset.sent = "1";
    if (form.requestSubmit) {
      form.requestSubmit(chosen);
    } else {
      chosen.click();
    }
  }
  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", submitChosenScore);
  } else {
    submitChosenScore();
  }
}());
