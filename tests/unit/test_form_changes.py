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


def test_removing_a_middle_ending_names_that_ending_and_nothing_else():
    draft = live()
    builder.remove_ending(draft, 1)
    changes = form_changes(live(), draft)
    assert [(e.number, e.kind) for e in changes.endings] == [(2, "removed")]


def test_endings_are_paired_by_condition_or_text_when_both_sides_changed():
    draft = live()
    count = len(draft["endings"])
    builder.remove_ending(draft, 0)
    builder.set_text(draft, "endings/0", "en", "Thanks, promoter!")  # was ending 2
    draft["endings"][1]["when"] = {"field": "answers.name", "op": "exists"}  # was ending 3
    changes = form_changes(live(), draft)
    kinds = [(e.before_number, e.number, e.kind) for e in changes.endings]
    assert kinds == [(None, 1, "removed"), (2, 1, "changed"), (3, 2, "changed")]
    assert [t.lang for t in changes.endings[1].texts] == ["en"]
    assert changes.endings[1].condition is None
    assert changes.endings[2].texts == [] and changes.endings[2].condition.after
    assert not any(e.moved for e in changes.endings) and count > 3


def test_swapped_endings_read_as_moved():
    draft = live()
    draft["endings"][0], draft["endings"][1] = draft["endings"][1], draft["endings"][0]
    changes = form_changes(live(), draft)
    moved = [(e.before_number, e.number) for e in changes.endings if e.moved]
    assert moved == [(2, 1), (1, 2)]
    assert all(not e.texts and e.condition is None for e in changes.endings)
