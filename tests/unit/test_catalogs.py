"""The gettext catalogs are complete: every message has a real translation in pl, ru and sl."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from babel.messages.extract import extract
from babel.messages.pofile import read_po

ROOT = Path(__file__).resolve().parents[2]
TRANSLATED = ("pl", "ru", "sl")
PLACEHOLDER = re.compile(r"%\(\w+\)[sd]|%%")


def catalog(language: str):
    with (ROOT / "translations" / language / "LC_MESSAGES" / "messages.po").open("rb") as po:
        return read_po(po, locale=language)


def problem_templates() -> set[str]:
    """Every message the definition loaders mark with N_ (translated where shown)."""
    found = set()
    for package in ("workflow", "survey_forms", "webapp"):
        for path in sorted((ROOT / package).rglob("*.py")):
            with path.open("rb") as source:
                for _line, message, _comments, _context in extract(
                    "python", source, keywords={"N_": None}
                ):
                    found.add(message)
    return found


@pytest.mark.parametrize("language", TRANSLATED)
def test_every_message_is_translated_with_the_same_placeholders(language):
    messages = [m for m in catalog(language) if m.id]
    assert messages
    untranslated = [m.id for m in messages if not m.string or not all(_forms(m.string))]
    assert untranslated == []
    assert [m.id for m in messages if m.fuzzy] == []
    for message in messages:
        for source, translation in zip(_forms(message.id), _forms(message.string), strict=False):
            if "python-format" in message.flags:
                assert sorted(set(PLACEHOLDER.findall(translation))) == sorted(
                    set(PLACEHOLDER.findall(source))
                ), message.id


@pytest.mark.parametrize("language", TRANSLATED)
def test_every_definition_problem_message_is_in_the_catalog(language):
    templates = problem_templates()
    assert "unknown state '%(state)s'" in templates
    known = {m.id for m in catalog(language) if m.id and m.string}
    assert sorted(templates - known) == []


def _forms(value) -> tuple[str, ...]:
    return value if isinstance(value, tuple) else (value,)


# "вы", "вам", "ваш…" as whole words: the reader addressed in lower case.
LOWER_CASE_YOU = re.compile(r"(?<![А-Яа-яЁё])(вы|вас|вам|вами|ваш[а-яё]*)(?![А-Яа-яЁё])")


def test_russian_addresses_the_reader_with_a_capital_polite_vy():
    """Loopdesk writes to a Russian reader with the polite, capitalised «Вы» («Ваше время»):
    a page that also says «которые вам видны» reads as two voices."""
    lower = [
        m.id
        for m in catalog("ru")
        if m.id and any(LOWER_CASE_YOU.search(form) for form in _forms(m.string))
    ]
    assert lower == []


def test_polish_addresses_the_reader_with_the_informal_ty():
    """Loopdesk writes to a Polish reader with «Ty» («Śledź swoje zgłoszenie»): a mail that
    then asks «potrzebujemy od Państwa» reads as two voices."""
    formal = [
        m.id
        for m in catalog("pl")
        if m.id and any(re.search(r"\bPaństw", form) for form in _forms(m.string))
    ]
    assert formal == []


def test_polish_speaks_to_the_reader_without_assuming_they_are_a_man():
    """«Nie prosiłeś o to?» reads wrong to every woman who asked for her link: a second-person
    past form comes with its feminine one («prosiłeś/prosiłaś») or is said another way."""
    masculine_only = re.compile(r"\b\w+łeś\b(?!\s*/|\(|-)")
    found = [
        m.id
        for m in catalog("pl")
        if m.id and any(masculine_only.search(form) for form in _forms(m.string))
    ]
    assert found == []


def test_russian_calls_a_ticket_obrashchenie_everywhere():
    """A ticket is «обращение» on every Russian page: the API tokens page said «заявки» and
    the received mail page «Добавлено в заявку», beside the «Обращения» of the menu."""
    other_word = re.compile(r"(?<![А-Яа-яЁё])[Зз]аявк[а-яё]*")
    found = [
        m.id
        for m in catalog("ru")
        if m.id and any(other_word.search(form) for form in _forms(m.string))
    ]
    assert found == []


def test_slovenian_calls_a_webhook_spletni_kavelj_everywhere():
    """The webhooks page is «Spletni kavlji», so the audit log's «Ustvarjen webhook» read as
    something else. Only the workflow's action keeps its name, quoted: »webhook«."""
    found = [
        m.id
        for m in catalog("sl")
        if m.id
        and any(
            "ebhook" in form.replace("»webhook«", "").replace("%(webhook)s", "")
            for form in _forms(m.string)
        )
    ]
    assert found == []
