"""Routing and SLA conditions read as sentences in each language, whatever the noun's gender.

Russian, Polish and Slovenian make an operator word agree with its subject ("приоритет
равно" is wrong, "команда равна" would be right); each operator therefore has its own
sentence, phrased so that it needs no agreement ("приоритет — «Срочный»").
"""

from __future__ import annotations

import pytest
from flask_babel import force_locale

from webapp.admin.form_words import describe_condition

TEAMS = {"care": "Customer Care"}
PRIORITY = {"field": "priority", "op": "=", "value": "urgent"}
NOT_TEAM = {"field": "team", "op": "!=", "value": "care"}
LESS = {"field": "answers.score", "op": "<", "value": 7}
AT_MOST = {"field": "answers.score", "op": "<=", "value": 6}
MORE = {"field": "answers.score", "op": ">", "value": 8}
AT_LEAST = {"field": "answers.score", "op": ">=", "value": 9}
CONTAINS = {"field": "subject", "op": "contains", "value": "refund"}
ONE_OF = {"field": "priority", "op": "in", "value": ["high", "urgent"]}
NONE_OF = {"field": "locale", "op": "not_in", "value": ["pl", "ru"]}
LABEL = {"field": "labels", "op": "contains", "value": "vip"}
NO_LABEL = {"field": "labels", "op": "!=", "value": "spam"}
FILLED = {"field": "metadata.country", "op": "exists"}
EMPTY = {"field": "customer.email", "op": "exists", "value": False}
ANSWERED = {"field": "answers.comment", "op": "exists"}
UNANSWERED = {"not": ANSWERED}
DETRACTOR = {"field": "score.category", "op": "=", "value": "detractor"}
DEVICE = {"field": "metadata.user_agent", "op": "=", "value": "mobile"}


@pytest.mark.parametrize(
    ("condition", "said"),
    [
        (PRIORITY, "приоритет — «Срочный»"),
        (NOT_TEAM, "команда — не «Customer Care»"),
        (DEVICE, "устройство клиента — «Телефон»"),  # neuter: still no agreement needed
        (LESS, "score меньше 7"),
        (AT_MOST, "score не больше 6"),
        (MORE, "score больше 8"),
        (AT_LEAST, "score не меньше 9"),
        (CONTAINS, "тема обращения содержит «refund»"),
        (ONE_OF, "приоритет — одно из значений: «Высокий», «Срочный»"),
        (NONE_OF, "язык — любое значение, кроме: «польский», «русский»"),
        (LABEL, "среди меток есть «vip»"),
        (NO_LABEL, "среди меток нет «spam»"),
        (FILLED, "страна клиента: значение указано"),
        (EMPTY, "адрес эл. почты клиента: значение не указано"),
        (ANSWERED, "comment: есть ответ"),
        (UNANSWERED, "comment: нет ответа"),
        (DETRACTOR, "оценка относится к группе «Критики (0–6)»"),
    ],
)
def test_russian_needs_no_agreement(app, condition, said):
    with app.test_request_context(), force_locale("ru"):
        assert describe_condition(condition, None, TEAMS) == said


@pytest.mark.parametrize(
    ("condition", "said"),
    [
        (PRIORITY, "priorytet jest „Pilny”"),
        (NOT_TEAM, "zespół nie jest „Customer Care”"),
        (LESS, "score wynosi mniej niż 7"),  # not "jest mniejsze", neuter only
        (AT_MOST, "score wynosi co najwyżej 6"),
        (MORE, "score wynosi więcej niż 8"),
        (AT_LEAST, "score wynosi co najmniej 9"),
        (CONTAINS, "temat zgłoszenia zawiera „refund”"),
        (ONE_OF, "priorytet ma jedną z wartości: „Wysoki”, „Pilny”"),
        (NONE_OF, "język nie ma żadnej z wartości: „polski”, „rosyjski”"),
        (LABEL, "wśród etykiet jest „vip”"),
        (NO_LABEL, "wśród etykiet nie ma „spam”"),
        (FILLED, "kraj klienta: podano wartość"),  # not "kraj jest wypełnione"
        (EMPTY, "adres e-mail klienta: brak wartości"),
        (ANSWERED, "comment ma odpowiedź"),
        (UNANSWERED, "comment nie ma odpowiedzi"),
    ],
)
def test_polish_needs_no_agreement(app, condition, said):
    with app.test_request_context(), force_locale("pl"):
        assert describe_condition(condition, None, TEAMS) == said


@pytest.mark.parametrize(
    ("condition", "said"),
    [
        (PRIORITY, "prioriteta je »Nujna«"),
        (NOT_TEAM, "ekipa ni »Customer Care«"),
        (LESS, "score je manj kot 7"),
        (AT_MOST, "score je največ 6"),
        (MORE, "score je več kot 8"),
        (AT_LEAST, "score je vsaj 9"),
        (CONTAINS, "zadeva zahtevka vsebuje »refund«"),
        (ONE_OF, "prioriteta ima eno od vrednosti: »Visoka«, »Nujna«"),  # not "je ena od"
        (NONE_OF, "jezik nima nobene od vrednosti: »poljščina«, »ruščina«"),
        (LABEL, "med oznakami je »vip«"),
        (NO_LABEL, "med oznakami ni »spam«"),
        (FILLED, "država stranke: vrednost je podana"),  # not "država je izpolnjeno"
        (EMPTY, "e-poštni naslov stranke: ni vrednosti"),
        (ANSWERED, "comment ima odgovor"),
        (UNANSWERED, "comment nima odgovora"),
    ],
)
def test_slovenian_needs_no_agreement(app, condition, said):
    with app.test_request_context(), force_locale("sl"):
        assert describe_condition(condition, None, TEAMS) == said


def test_english_reads_each_operator(app):
    with app.test_request_context(), force_locale("en"):
        said = [
            describe_condition(c, None, TEAMS)
            for c in (ONE_OF, NONE_OF, LABEL, NO_LABEL, FILLED, EMPTY)
        ]
    assert said == [
        "the priority is one of “High”, “Urgent”",
        "the language is none of “Polish”, “Russian”",
        "the labels include “vip”",
        "the labels do not include “spam”",
        "the customer's country is filled in",
        "the customer's e-mail address is empty",
    ]
