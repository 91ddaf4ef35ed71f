"""What a typed block means: an address, or a whole domain as a host name (services.spam)."""

from __future__ import annotations

import pytest

from webapp.services.spam import BlockRefused, block_key, domain_key, host_name, readable_host


@pytest.mark.parametrize(
    "typed, key",
    [
        (" Bot@Spam.Example ", "bot@spam.example"),
        ("@Spam.Example", "@spam.example"),
        ("spam.example.", "@spam.example"),
        ("mail.spam.example", "@mail.spam.example"),
        ("Bücher.example", "@xn--bcher-kva.example"),
        ("@xn--bcher-kva.example", "@xn--bcher-kva.example"),
        ("спам.рф", "@xn--80ayhh.xn--p1ai"),
    ],
)
def test_an_address_stays_an_address_and_a_domain_becomes_its_host_name(typed, key):
    assert block_key(typed) == key


@pytest.mark.parametrize(
    "typed, code",
    [
        ("bot@", "bad_email"),
        ("a b@spam.example", "bad_email"),
        ("", "bad_domain"),
        ("localhost", "bad_domain"),
        ("10.0.0.1", "bad_domain"),
        ("spam..example", "bad_domain"),
        ("-spam.example", "bad_domain"),
        ("x" * 300 + ".example", "bad_domain"),
        ("gmail.com", "free_mail"),
        ("@Mail.RU", "free_mail"),
        ("interia.pl", "free_mail"),
    ],
)
def test_what_cannot_be_blocked_says_why(typed, code):
    with pytest.raises(BlockRefused) as refused:
        block_key(typed)
    assert refused.value.code == code


def test_an_address_s_domain_key_and_how_people_read_it():
    assert domain_key("Kunde@BÜCHER.example") == "@xn--bcher-kva.example"
    assert domain_key("no address") is None and domain_key(None) is None
    assert readable_host("xn--bcher-kva.example") == "bücher.example"
    assert host_name("spam_bots.example") is None
