"""Every code a ticket can store has words for the agent (webapp/tickets/codes.py)."""

from survey_forms.definition import CHANNELS
from webapp.tickets import codes


def test_every_channel_a_response_can_come_through_is_worded():
    assert set(codes.CHANNELS) == set(CHANNELS)


def test_a_code_this_release_does_not_know_is_shown_as_stored():
    assert codes.channel_label("fax") == "fax"
    assert codes.device_label(None) == "—"
