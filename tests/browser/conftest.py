"""Browser fixtures: the app on a real local port, and Debian's Chromium through Playwright."""

from __future__ import annotations

import os
import threading
from collections.abc import Iterator
from pathlib import Path

import pytest
from werkzeug.serving import make_server

from tests.helpers import IN_CI

CHROMIUM = os.environ.get("LOOPDESK_CHROMIUM", "/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--disable-gpu",
    "--no-first-run",
]


# An open ticket polls for changes every 5 s and the board every 3 s: here every second, so a
# test of a live update waits a second for it, not five. (The bell's minute is left alone: its
# test moves the page's clock instead.)
FAST_POLLS = {"LIVE_REFRESH_SECONDS": 1, "BOARD_REFRESH_SECONDS": 1}


@pytest.fixture
def live_server(app) -> Iterator[str]:
    """Serve the test app on a free port in a thread; yields its base URL."""
    app.config.update(FAST_POLLS)
    in_flight = _InFlight()
    server = make_server("127.0.0.1", 0, _closing(app, in_flight), threaded=True)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_port}"
    server.shutdown()
    thread.join(timeout=5)
    # The page may still be polling (it closes after this fixture when set up first): let
    # the requests under way finish and give their database connections back before the
    # app's engine is disposed. A connection still out then is closed by nobody, and its
    # ResourceWarning, an error in this suite, hits whichever test the collector runs in.
    in_flight.wait_until_idle(timeout=5)


class _InFlight:
    """How many requests the live server is answering now."""

    def __init__(self) -> None:
        self._count = 0
        self._idle = threading.Condition()

    def enter(self) -> None:
        with self._idle:
            self._count += 1

    def leave(self) -> None:
        with self._idle:
            self._count -= 1
            self._idle.notify_all()

    def wait_until_idle(self, timeout: float) -> None:
        with self._idle:
            self._idle.wait_for(lambda: self._count == 0, timeout=timeout)


def _closing(app, in_flight: _InFlight):
    """The app, its response closed however the request ends, and the request counted.

    When the browser drops a connection (a page navigates away while a script still
    loads), werkzeug's development server can fail in its clean-up before it closes the
    response, leaving a static file open: a ResourceWarning, which this suite treats as
    an error, in whichever test runs then. A generator closes it in its own `finally`.
    """

    def serve(environ, start_response):
        in_flight.enter()
        try:
            response = app(environ, start_response)
            try:
                yield from response
            finally:
                if hasattr(response, "close"):
                    response.close()
        finally:
            in_flight.leave()

    return serve


@pytest.fixture(scope="session")
def browser():
    if not Path(CHROMIUM).exists():
        if IN_CI:
            pytest.fail(f"Chromium not found at {CHROMIUM} (.ci/run installs it)")
        pytest.skip(f"needs Chromium at {CHROMIUM}")
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(
            executable_path=CHROMIUM, headless=True, args=CHROMIUM_ARGS
        )
        yield browser
        browser.close()


@pytest.fixture
def page(browser, request):
    context = browser.new_context(locale="en-US")
    page = context.new_page()
    yield page
    if getattr(request.node, "rep_call", None) and request.node.rep_call.failed:
        out = Path("test-artifacts")
        out.mkdir(exist_ok=True)
        page.screenshot(path=str(out / f"{request.node.name}.png"), full_page=True)
    context.close()


@pytest.hookimpl(wrapper=True, tryfirst=True)
def pytest_runtest_makereport(item, call):
    report = yield
    setattr(item, f"rep_{report.when}", report)
    return report
