"""Which SMTP failures are refusals of the message for good (not retried), and how the
server's reply is kept for the admin to read."""

import smtplib

import pytest

from jobs.mail import refusal_of


@pytest.mark.parametrize(
    ("error", "expected"),
    [
        (
            smtplib.SMTPRecipientsRefused({"a@x.test": (550, b"5.1.1 Mailbox unavailable")}),
            ("550 5.1.1 Mailbox unavailable", True),
        ),
        (
            smtplib.SMTPRecipientsRefused({"a@x.test": (553, b"5.1.3 Bad address syntax")}),
            ("553 5.1.3 Bad address syntax", True),
        ),
        (  # a server's reply over several lines, and bytes that are not UTF-8
            smtplib.SMTPDataError(554, b"5.7.1 Rejected\n5.7.1 see \xff policy"),
            ("554 5.7.1 Rejected 5.7.1 see \ufffd policy", True),
        ),
        (
            smtplib.SMTPRecipientsRefused({"a@x.test": (451, b"4.2.1 Mailbox busy")}),
            ("451 4.2.1 Mailbox busy", False),
        ),
        (  # one recipient refused for good, one for now: the message is retried
            smtplib.SMTPRecipientsRefused(
                {"a@x.test": (550, b"Unknown user"), "b@x.test": (452, b"Mailbox full")}
            ),
            ("550 Unknown user; 452 Mailbox full", False),
        ),
        (smtplib.SMTPDataError(451, b"Try again later"), ("451 Try again later", False)),
    ],
)
def test_the_servers_reply_and_whether_it_refused_for_good(error, expected):
    assert refusal_of(error) == expected


@pytest.mark.parametrize(
    "error",
    [
        # Our sender, login or the server as a whole: the same for every message, a setting
        # to correct while the retries run.
        smtplib.SMTPSenderRefused(553, b"5.7.1 Sender not owned by user", "desk@x.test"),
        smtplib.SMTPAuthenticationError(535, b"5.7.8 Authentication failed"),
        smtplib.SMTPConnectError(554, b"No SMTP service here"),
        smtplib.SMTPServerDisconnected("Connection unexpectedly closed"),
        TimeoutError("timed out"),
        ConnectionRefusedError(111, "Connection refused"),
        smtplib.SMTPRecipientsRefused({}),
    ],
)
def test_failures_that_are_no_refusal_of_the_message_are_retried(error):
    assert refusal_of(error) is None
