"""The workflow editor names states and transitions as agents read them, and warns (without
blocking publishing) about labels missing in one of the app's languages."""

from __future__ import annotations

import html

import pytest

from tests.helpers import text_of as raw_text_of
from webapp.extensions import db
from webapp.models import Role, Team, WorkflowKind
from webapp.services import drafts
from webapp.services.workflow_versions import SHIPPED, active_version

SHIPPED_TEXT = SHIPPED[WorkflowKind.TICKET].read_text(encoding="utf-8")
# A new state with only English and Polish labels, reached by a transition with no label.
WITH_ESCALATION = SHIPPED_TEXT.replace(
    "    category: closed\n    final: true\n",
    "    category: closed\n    final: true\n"
    "  escalated:\n    label: {en: Escalated, pl: Eskalowane}\n    category: open\n",
).replace(
    "transitions:\n",
    "transitions:\n"
    "  - trigger: escalate\n    source: in_progress\n    dest: escalated\n"
    "  - trigger: de_escalate\n    source: escalated\n    dest: in_progress\n"
    "    label: {en: Back to work, pl: Z powrotem do pracy, ru: Снова в работу,"
    " sl: Nazaj na delo}\n",
)


def text_of(response) -> str:
    return html.unescape(raw_text_of(response))


@pytest.fixture
def as_admin(create_user, login):
    db.session.add_all(
        [
            Team(slug="customer-care", name="Customer Care"),
            Team(slug="product-quality", name="Product Quality"),
        ]
    )
    admin = create_user(email="admin@example.com", name="Ann Admin", role=Role.ADMIN)
    login(admin)
    return admin


def validate(post_form, text: str):
    return post_form("/admin/workflow/validate", {"yaml": text}, htmx=True)


def test_the_transition_list_shows_names_with_the_ids_beside_them(client, as_admin, post_form):
    body = text_of(client.get("/admin/workflow"))
    assert "Customer replied (customer_replied) Waiting on customer (waiting_on_customer)" in body
    post_form("/language", {"language": "pl", "next": "/admin/workflow"})
    polish = text_of(client.get("/admin/workflow"))
    assert "Klient odpowiedział (customer_replied) Czeka na klienta (waiting_on_customer)" in polish


def test_the_diagram_labels_arrows_with_transition_names(client, as_admin):
    page = client.get("/admin/workflow").get_data(as_text=True)
    assert ">Customer replied</text>" in page
    assert ">customer_replied</text>" not in page
    assert "Customer replied (customer_replied): Waiting on customer → In progress" in page


def test_missing_labels_are_a_warning_listed_per_language(client, as_admin, post_form):
    assert "Labels missing" not in text_of(client.get("/admin/workflow"))  # shipped: complete
    response = validate(post_form, WITH_ESCALATION)
    body = text_of(response)
    assert response.status_code == 200
    assert "No problems: this text can be published." in body
    assert "Labels missing in some languages" in body
    assert 'id="workflow-translations" hx-swap-oob="true"' in response.get_data(as_text=True)
    rows = {lang: body.split(f" {lang} ")[1][:200] for lang in ("Russian ru", "Slovenian sl")}
    assert "states.escalated.label" in rows["Russian ru"]
    assert "transitions[0].label" in rows["Russian ru"]
    assert "transitions[1].label" not in body  # fully translated
    assert "transitions[0].label — escalate" in body  # no label at all: named by its id


def test_publishing_is_still_allowed_with_missing_labels(client, as_admin, post_form):
    saved = post_form(
        "/admin/workflow",
        {"yaml": WITH_ESCALATION, "revision": "", "base_number": "1", "action": "review"},
    )
    assert saved.status_code == 303
    review = client.get("/admin/workflow/publish")
    assert "Labels missing in some languages" in text_of(review)
    assert "Publish as version 2" in text_of(review)
    draft = drafts.current("workflow", "ticket")
    published = post_form(
        "/admin/workflow/publish", {"revision": str(draft.revision), "comment": "escalation"}
    )
    assert published.status_code == 303
    db.session.expire_all()
    assert active_version(WorkflowKind.TICKET).number == 2


def test_problems_name_the_state_they_are_about(client, as_admin, post_form):
    broken = WITH_ESCALATION.replace(
        "  - trigger: de_escalate\n    source: escalated\n",
        "  - trigger: de_escalate\n    source: new\n",
    )
    body = text_of(validate(post_form, broken))
    assert "Escalated states.escalated : no way out and not final" in body


def test_the_label_table_names_languages_in_the_admins_language(
    client, create_user, login, post_form
):
    login(create_user(email="ola@example.com", role=Role.ADMIN, locale="pl"))
    page = validate(post_form, WITH_ESCALATION).get_data(as_text=True)
    table = page[page.index('id="workflow-translations"') :]
    assert '<th scope="row">Rosyjski <small class="muted"><code>ru</code></small>' in table
    assert 'aria-label="Przetłumaczono: słoweński"' in table  # lower case after the colon
