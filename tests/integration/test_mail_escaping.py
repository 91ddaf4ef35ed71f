"""Customer text inside staff and customer e-mails is escaped in the HTML part."""

from webapp.extensions import db
from webapp.outbox import queue_email
from webapp.services.tickets import NewTicket, create_ticket

PAYLOAD = '<img src=x onerror="alert(1)">'


def test_html_mail_escapes_the_customer_subject(app, builtin_forms):
    with app.test_request_context():
        ticket = create_ticket(NewTicket(subject=PAYLOAD, customer_name=PAYLOAD))
        db.session.flush()
        context = {
            "ticket": ticket,
            "number": ticket.number,
            "state_label": "New",
            "name": PAYLOAD,
        }
        notice = queue_email(
            "agent@example.com", "staff_ticket_notice", "en", dict(context, kind="ticket_assigned")
        )
        update = queue_email("c@example.com", "ticket_update", "en", dict(context, kind="x"))
    for message in (notice, update):
        assert "<img" not in message.body_html
        assert "&lt;img" in message.body_html
    assert PAYLOAD in notice.body_text  # plain text stays readable
