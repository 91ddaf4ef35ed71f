"""What a draft changes against the live version, as the publish review lists it."""

from pathlib import Path

from survey_forms import builder
from survey_forms.changes import ConditionChange, TextChange, form_changes

NPS = (Path(__file__).parents[2] / "survey_forms" / "templates" / "nps.yaml").read_text()


def live() -> dict:
    return builder.read(NPS)


def test_the_same_form_written_differently_is_no_change():
    rewritten = builder.read(builder.dump(live()))
    assert form_changes(live(), rewritten).empty


def test_questions_added_removed_moved_and_changed():
    draft = live()
    builder.remove_question(draft, "name")
    builder.move_question(draft, "email", -3)
    added = builder.add_question(draft, "csat")
    builder.set_text(draft, "questions/score/text", "pl", "Polecisz nas?")
    builder.set_text(draft, "questions/testimonial/choices/1", "en", "Maybe later")
    builder.set_required(draft, "what_went_wrong", True)
    changes = form_changes(live(), draft)
    assert changes.questions_added == [added] and changes.questions_removed == ["name"]
    before, after = changes.order
    assert after.index("email") < after.index("testimonial_text")
    assert before.index("email") > before.index("testimonial_text")
    by_id = {q.id: q for q in changes.questions}
    assert by_id["score"].texts == [
        TextChange(
            "text",
            "pl",
            "Jak prawdopodobne jest, że polecisz nas znajomemu lub współpracownikowi?",
            "Polecisz nas?",
        )
    ]
    assert by_id["testimonial"].texts[0].choice == "no"
    assert by_id["testimonial"].texts[0].after == "Maybe later"
    assert by_id["what_went_wrong"].required == (False, True)


def test_conditions_endings_ticket_rule_and_settings():
    draft = live()
    builder.set_show_if(draft, "testimonial", None)
    builder.set_creates_ticket(draft, True)
    builder.remove_ending(draft, len(draft["endings"]) - 1)  # the catch-all, last
    builder.set_text(draft, "endings/0", "sl", "Hvala!")
    builder.add_origin(draft, "https://shop.example.com")
    draft["branding"] = {"accent": "#123456"}
    changes = form_changes(live(), draft)
    testimonial = next(q for q in changes.questions if q.id == "testimonial")
    assert testimonial.condition == ConditionChange(
        {"field": "score.category", "op": "=", "value": "promoter"}, None
    )
    assert changes.ticket.after is True and changes.ticket.before["any"]
    last = len(live()["endings"])
    assert [(e.number, e.kind) for e in changes.endings] == [(1, "changed"), (last, "removed")]
    assert changes.endings[0].texts[0].lang == "sl"
    assert changes.origins_added == ["https://shop.example.com"]
    assert changes.other_settings == ["branding"]
