"""CSV cells: a customer's formula is shown, not run; a number stays a number."""

import pytest

from webapp.services.csv_export import cell


@pytest.mark.parametrize(
    ("value", "written"),
    [
        ('=HYPERLINK("http://evil")', '\'=HYPERLINK("http://evil")'),
        ("+1+cmd|' /C calc'!A0", "'+1+cmd|' /C calc'!A0"),
        ("-2+3", "'-2+3"),
        ("@SUM(A1)", "'@SUM(A1)"),
        ("\tpadding", "'\tpadding"),
        # An NPS of -33 or +100 is a number to sort and chart, not text with an apostrophe.
        (-33, "-33"),
        ("-33", "-33"),
        ("+100", "+100"),
        ("-2.5", "-2.5"),
        ("-12%", "-12%"),
        (None, ""),
        ("plain words", "plain words"),
    ],
)
def test_formulas_are_neutralised_and_numbers_kept(value, written):
    assert cell(value) == written
