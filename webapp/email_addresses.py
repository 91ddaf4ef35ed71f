"""Is this text an e-mail address? One answer for every staff form that asks for one.

Only the syntax is checked (no DNS look-up: a self-hosted server may have no resolver, and an
intranet domain need not resolve from it). Reserved test domains such as `.test` are accepted:
the demo data and many staging set-ups use them.
"""

from __future__ import annotations

from email_validator import EmailNotValidError, validate_email
from wtforms.validators import ValidationError

MAX_LENGTH = 254


def valid_email_address(text: str) -> bool:
    """True when `text` is a syntactically valid address (a display name is not allowed)."""
    if not text or len(text) > MAX_LENGTH:
        return False
    try:
        validate_email(text, check_deliverability=False, test_environment=True)
    except EmailNotValidError:
        return False
    return True


class EmailAddress:
    """WTForms validator: the field holds one valid e-mail address (see `valid_email_address`)."""

    def __init__(self, message: str):
        self.message = message

    def __call__(self, form, field) -> None:
        if not valid_email_address((field.data or "").strip()):
            raise ValidationError(self.message)
