"""Waiting for htmx the way a person implicitly does.

htmx wires triggers (`hx-trigger="change"`, form submits) into swapped-in content only when it
settles, 20 ms after the swap. Playwright acts faster than any person: a `select_option` made
in that window fires a `change` nobody listens to, and the test then waits for a request that
never comes. Wait for quiet before acting on freshly swapped content.
"""

from __future__ import annotations

BUSY = ".htmx-request, .htmx-swapping, .htmx-settling, .htmx-added"


def wait_for_htmx(page) -> None:
    """Return once no request is in flight and every swapped element has settled."""
    page.wait_for_function("busy => !document.querySelector(busy)", arg=BUSY)
