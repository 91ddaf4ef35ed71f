"""Checking two-step sign-in codes: the app's 6 digits within one step of clock drift, each
time step once, and the shape of recovery codes (pure functions, no app)."""

from __future__ import annotations

import pyotp
import pytest

from webapp.services import two_step

SECRET = "JBSWY3DPEHPK3PXPJBSWY3DPEHPK3PXP"
NOW = 1_800_000_015.0  # the middle of a 30-second step
STEP = int(NOW // 30)


def code_at(step: int) -> str:
    return pyotp.TOTP(SECRET).generate_otp(step)


@pytest.mark.parametrize("offset", [-1, 0, 1])
def test_a_code_one_step_early_or_late_is_accepted(offset):
    assert two_step.matching_step(SECRET, code_at(STEP + offset), NOW) == STEP + offset


@pytest.mark.parametrize("offset", [-3, -2, 2, 3])
def test_a_code_further_off_is_refused(offset):
    assert two_step.matching_step(SECRET, code_at(STEP + offset), NOW) is None


def test_a_code_of_a_step_already_used_is_refused_and_a_later_one_accepted():
    assert two_step.matching_step(SECRET, code_at(STEP), NOW, after=STEP) is None
    assert two_step.matching_step(SECRET, code_at(STEP - 1), NOW, after=STEP) is None
    assert two_step.matching_step(SECRET, code_at(STEP + 1), NOW, after=STEP) == STEP + 1


def test_the_codes_of_another_key_are_refused():
    other = pyotp.TOTP(pyotp.random_base32()).generate_otp(STEP)
    if other != code_at(STEP):  # one chance in a million of the same six digits
        assert two_step.matching_step(SECRET, other, NOW) is None


@pytest.mark.parametrize(
    "typed, expected",
    [
        (" 123 456 ", "123456"),
        ("123-456", "123456"),
        ("ABCD-efgh-2345", "abcdefgh2345"),
        ("", ""),
        (None, ""),
        ("1" * 10_000, "1" * two_step.TYPED_CODE_MAX),
    ],
)
def test_typed_codes_lose_spaces_dashes_and_case(typed, expected):
    assert two_step.cleaned(typed) == expected


@pytest.mark.parametrize("typed", ["12345", "1234567", "abcdef", "١٢٣٤٥٦", "12345x", ""])
def test_anything_but_six_ascii_digits_is_no_app_code(typed):
    assert not two_step.is_app_code(typed)
    assert two_step.matching_step(SECRET, typed, NOW) is None


def test_a_spaced_code_is_accepted_once_cleaned():
    code = code_at(STEP)
    assert two_step.matching_step(SECRET, two_step.cleaned(f"{code[:3]} {code[3:]}"), NOW) == STEP


def test_recovery_codes_are_random_grouped_and_easy_to_read():
    codes = {two_step._new_recovery_code() for _ in range(200)}
    assert len(codes) == 200
    for code in codes:
        groups = code.split("-")
        assert [len(g) for g in groups] == [4, 4, 4]
        assert set("".join(groups)) <= set(two_step.RECOVERY_ALPHABET)
        assert not set("".join(groups)) & set("01ilo")


def test_the_setup_address_names_loopdesk_and_the_account():
    uri = two_step.setup_uri(SECRET, "ada@example.com")
    assert uri.startswith("otpauth://totp/Loopdesk:ada%40example.com?")
    assert f"secret={SECRET}" in uri and "issuer=Loopdesk" in uri


def test_the_qr_code_is_an_svg_data_address_and_the_key_is_grouped():
    assert two_step.qr_code_data_uri("otpauth://totp/x?secret=A").startswith("data:image/svg+xml")
    assert two_step.grouped_secret("ABCDEFGHIJKL") == "ABCD EFGH IJKL"
