"""Cutting a text to fit a column or a line, so that the reader sees it was cut."""


def shortened(text: str, limit: int) -> str:
    """`text` if it fits in `limit` characters, else its start and "…" in exactly `limit`.

    A bare slice reads as the whole text: an audit label or an erased copy cut mid-word
    looked complete.
    """
    if len(text) <= limit:
        return text
    return text[: limit - 1].rstrip() + "…"
