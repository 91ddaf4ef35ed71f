"""Ids from URLs and forms: only what an INTEGER column can hold."""

import pytest

from webapp.record_ids import MAX_ID, optional_id, record_id, record_ids


@pytest.mark.parametrize("text", ["1", " 42 ", str(MAX_ID)])
def test_ids_the_database_can_hold_are_read(text):
    assert record_id(text) == int(text)


@pytest.mark.parametrize(
    "text", ["", "0", "-1", "1.5", "abc", "²", "٣", str(MAX_ID + 1), "9" * 40, "1e3"]
)
def test_anything_else_is_not_an_id(text):
    with pytest.raises(ValueError):
        record_id(text)
    assert optional_id(text) is None


def test_a_list_of_ids_is_refused_whole_when_one_is_bad():
    assert record_ids(["1", " ", "3"]) == [1, 3]
    assert record_ids(["1", "99999999999"]) is None
    assert record_ids([]) == []
