from webapp.shortened import shortened


def test_a_text_that_fits_is_kept_whole():
    assert shortened("Kasa nie działa", 15) == "Kasa nie działa"


def test_a_cut_text_ends_with_an_ellipsis_within_the_limit():
    cut = shortened("Zamówienie nr 123 nie dotarło na czas", 15)
    assert cut == "Zamówienie nr…" and len(cut) <= 15
