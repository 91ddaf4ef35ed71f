"""tickets know the customer's id in the customer's own app (a form's hidden customer_id)

`ticket.customer_ref` holds the `customer_id` hidden field of the response that opened the
ticket; `customer_ref_verified` is true when the form signs that field (its signature was
checked, or the field was dropped). Only verified ids join a customer's tickets. Existing
tickets are filled from their responses, unless their customer's data was erased.

Revision ID: 0032
Revises: 0031
Create Date: 2026-12-07 12:10:00.000000

"""

import sqlalchemy as sa
import yaml
from alembic import op

# revision identifiers, used by Alembic.
revision = "0032"
down_revision = "0031"
branch_labels = None
depends_on = None

FIELD = "customer_id"
ERASED = "[erased]"


# Plain ALTER TABLE, as in 0020 and 0022: a batch copy of `ticket` could not reflect its
# expression index on lower(customer_email).
def upgrade():
    op.add_column("ticket", sa.Column("customer_ref", sa.String(length=500), nullable=True))
    op.add_column(
        "ticket",
        sa.Column("customer_ref_verified", sa.Boolean(), nullable=False, server_default=sa.false()),
    )
    op.create_index("ix_ticket_customer_ref", "ticket", ["customer_ref"])
    _fill_from_responses()


def _signed(yaml_text: str) -> bool:
    """Whether a form version signs its customer_id (a definition that does not parse: no)."""
    try:
        data = yaml.safe_load(yaml_text)
    except yaml.YAMLError:
        return False
    fields = data.get("hidden_fields") if isinstance(data, dict) else None
    return any(
        isinstance(spec, dict) and spec.get("name") == FIELD and spec.get("signed") is True
        for spec in fields or ()
    )


def _fill_from_responses():
    bind = op.get_bind()
    response = sa.table(
        "form_response",
        sa.column("ticket_id", sa.Integer),
        sa.column("form_version_id", sa.Integer),
        sa.column("hidden", sa.JSON),
    )
    ticket = sa.table(
        "ticket",
        sa.column("id", sa.Integer),
        sa.column("customer_erased_at", sa.DateTime),
        sa.column("customer_ref", sa.String),
        sa.column("customer_ref_verified", sa.Boolean),
    )
    version = sa.table("form_version", sa.column("id", sa.Integer), sa.column("yaml_text", sa.Text))
    rows = bind.execute(
        sa.select(response.c.ticket_id, response.c.form_version_id, response.c.hidden)
        .join(ticket, ticket.c.id == response.c.ticket_id)
        .where(ticket.c.customer_erased_at.is_(None))
    ).all()
    found = [
        (ticket_id, version_id, hidden[FIELD])
        for ticket_id, version_id, hidden in rows
        if isinstance(hidden, dict)
        and isinstance(hidden.get(FIELD), str)
        and hidden[FIELD]
        and hidden[FIELD] != ERASED
    ]
    if not found:
        return
    version_ids = sorted({version_id for _, version_id, _ in found})
    signed = {
        version_id: _signed(text or "")
        for version_id, text in bind.execute(
            sa.select(version.c.id, version.c.yaml_text).where(version.c.id.in_(version_ids))
        )
    }
    for ticket_id, version_id, value in found:
        bind.execute(
            ticket.update()
            .where(ticket.c.id == ticket_id)
            .values(customer_ref=value[:500], customer_ref_verified=signed.get(version_id, False))
        )


def downgrade():
    op.drop_index("ix_ticket_customer_ref", table_name="ticket")
    op.drop_column("ticket", "customer_ref_verified")
    op.drop_column("ticket", "customer_ref")
