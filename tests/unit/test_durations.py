import pytest

from workflow.durations import Duration, DurationError, parse_duration


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("30m", Duration(minutes=30)),
        ("4h", Duration(minutes=240)),
        ("1h30m", Duration(minutes=90)),
        ("1h 30m", Duration(minutes=90)),
        ("90m", Duration(minutes=90)),
        ("3d", Duration(days=3)),
        ("2d4h", Duration(days=2, minutes=240)),
        ("2d 4h 5m", Duration(days=2, minutes=245)),
        ("1H30M", Duration(minutes=90)),
        ("2D", Duration(days=2)),
        ("0m", Duration()),
        ("0d", Duration()),
        (" 4h ", Duration(minutes=240)),
        ("365d", Duration(days=365)),
        ("8760h", Duration(minutes=365 * 24 * 60)),
    ],
)
def test_parse_valid(text, expected):
    assert parse_duration(text) == expected


@pytest.mark.parametrize(
    "text",
    [
        "4 hours",
        "",
        " ",
        "h",
        "-1h",
        "1.5h",
        "1m1h",
        "30m 1h",
        "1h1h",
        "4",
        "1 h",
        "4hours",
        "1w",
        "PT4H",
        "١h",  # a non-ASCII digit
        "1h\n30m",
    ],
)
def test_parse_invalid_says_how_to_write_one(text):
    with pytest.raises(DurationError) as caught:
        parse_duration(text)
    assert str(caught.value) == f"'{text}' is not a duration (use 30m, 4h, 2d)"


@pytest.mark.parametrize("text", ["366d", "365d1m", "8761h", "1000000000000000000000d"])
def test_parse_refuses_more_than_a_year(text):
    with pytest.raises(DurationError) as caught:
        parse_duration(text)
    assert str(caught.value) == f"'{text}' is too long (at most 365d)"


def test_duration_error_is_a_value_error_and_non_text_is_refused():
    assert issubclass(DurationError, ValueError)
    with pytest.raises(DurationError, match=r"^'30' is not a duration"):
        parse_duration(30)  # type: ignore[arg-type]  # YAML may hand over a number


@pytest.mark.parametrize(
    ("duration", "text"),
    [
        (Duration(), "0m"),
        (Duration(minutes=30), "30m"),
        (Duration(minutes=60), "1h"),
        (Duration(minutes=90), "1h30m"),
        (Duration(days=1, minutes=270), "1d4h30m"),
        (Duration(days=3), "3d"),
        (Duration(minutes=48 * 60), "48h"),
    ],
)
def test_str_is_canonical_and_parses_back(duration, text):
    assert str(duration) == text
    assert parse_duration(text) == duration


def test_addition_keeps_days_and_minutes_apart():
    assert Duration(days=1, minutes=30) + Duration(minutes=45) == Duration(days=1, minutes=75)
    assert parse_duration("1d") + parse_duration("2d 1h") == Duration(days=3, minutes=60)
    with pytest.raises(TypeError):
        Duration(minutes=1) + 1  # type: ignore[operator]


def test_truthiness_and_minutes_only_view():
    assert not Duration()
    assert Duration(minutes=1)
    assert Duration(days=1)
    assert Duration(minutes=90).total_minutes_if_no_days() == 90
    assert Duration(days=1, minutes=90).total_minutes_if_no_days() is None


@pytest.mark.parametrize(
    "fields", [{"days": -1}, {"minutes": -5}, {"minutes": 1.5}, {"days": True}]
)
def test_invalid_fields_are_refused(fields):
    with pytest.raises(ValueError, match="must be a whole number"):
        Duration(**fields)


def test_duration_is_immutable_and_hashable():
    duration = Duration(minutes=5)
    with pytest.raises(AttributeError):
        duration.minutes = 6  # type: ignore[misc]
    assert {duration, Duration(minutes=5)} == {duration}
