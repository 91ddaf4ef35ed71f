"""The marker that stands in for text erased on a customer's request, and how pages show it."""

from __future__ import annotations

from typing import Any

from flask_babel import gettext

ERASED = "[erased]"  # stored in place of the erased text (services.customer_data)


def erased_text(value: Any) -> Any:
    """The marker in the reader's language, also where it stands inside a text (a colleague's
    note that quoted the customer: "Called [erased] about it"); any other value as it is
    (template filter)."""
    if value == ERASED:
        return gettext("[erased]")
    if isinstance(value, str) and ERASED in value:
        return value.replace(ERASED, gettext("[erased]"))
    return value
