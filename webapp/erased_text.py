"""The marker that stands in for text erased on a customer's request, and how pages show it."""

from __future__ import annotations

from typing import Any

from flask_babel import gettext

ERASED = "[erased]"  # stored in place of the erased text (services.customer_data)


def erased_text(value: Any) -> Any:
    """The marker in the reader's language; any other value as it is (template filter)."""
    return gettext("[erased]") if value == ERASED else value
