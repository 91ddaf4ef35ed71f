"""The server-drawn workflow diagram: every state and trigger shown, admin text escaped."""

import xml.etree.ElementTree as ET  # parses only SVG this code drew, never outside input

from workflow.definition import load_definition_or_raise
from workflow.diagram import edges, layers, layout, render_svg

SVG = "{http://www.w3.org/2000/svg}"

SMALL = """
initial: new
states:
  new: {label: "New <b>", category: open}
  working: {label: Working, category: open}
  waiting: {label: Waiting on them, category: waiting}
  done: {label: Done, category: resolved}
  gone: {label: Gone, category: closed, final: true}
transitions:
  - {trigger: start, source: new, dest: working}
  - {trigger: ask, source: working, dest: waiting}
  - {trigger: answered, source: waiting, dest: working}
  - {trigger: finish, source: [working, waiting], dest: done}
  - {trigger: close, source: done, dest: gone}
  - {trigger: reopen, source: [done, gone], dest: working}
  - {trigger: note, source: working, dest: working}
"""


def parse(svg: str) -> ET.Element:
    return ET.fromstring(svg)  # noqa: S314  (our own output, checked for well-formedness)


def definition(text: str = SMALL):
    return load_definition_or_raise(text)


def test_states_are_layered_by_distance_from_the_initial_state():
    depth = layers(definition())
    assert depth == {"new": 0, "working": 1, "waiting": 2, "done": 2, "gone": 3}
    boxes = layout(definition())
    assert boxes["new"].x < boxes["working"].x < boxes["done"].x < boxes["gone"].x
    assert boxes["waiting"].x == boxes["done"].x and boxes["waiting"].y != boxes["done"].y


def test_back_edges_and_self_loops_are_told_apart_from_forward_arrows():
    kinds = {(e.source, e.dest): e.kind for e in edges(definition(), layout(definition()))}
    assert kinds[("new", "working")] == "forward"
    assert kinds[("gone", "working")] == "back"
    assert kinds[("waiting", "done")] == "back"  # same column
    assert kinds[("working", "working")] == "self"
    svg = render_svg(definition())
    assert 'class="transition transition-back"' in svg and 'stroke-dasharray="6 4"' in svg
    assert 'class="transition transition-self"' in svg


def test_the_svg_is_well_formed_with_titles_for_every_state_and_arrow():
    root = parse(render_svg(definition(), title="Ticket lifecycle"))
    assert root.tag == SVG + "svg" and root.get("role") == "img"
    assert root.find(SVG + "title").text == "Ticket lifecycle"
    groups = [g for g in root.iter(SVG + "g") if g.get("aria-hidden") != "true"]
    titles = [g.find(SVG + "title").text for g in groups]
    assert len(groups) == 5 + 9  # five states; nine source → dest arrows
    assert any(t.startswith("New <b> (new)") for t in titles)  # escaped in the markup, intact
    assert any(t.startswith("Waiting on them (waiting)") for t in titles)
    assert any(t.startswith("finish: Working → Done") for t in titles)
    texts = " ".join(t.text or "" for t in root.iter(SVG + "text"))
    for trigger in ("start", "ask", "answered", "finish", "close", "reopen", "note"):
        assert trigger in texts


def test_admin_text_is_escaped_everywhere():
    text = SMALL.replace('"New <b>"', '"<script>alert(1)</script> & co"')
    svg = render_svg(definition(text), title='Say "hi" <there>')
    assert "<script>" not in svg and "&lt;script&gt;" in svg
    assert "&amp; co" in svg and "&lt;there&gt;" in svg
    parse(svg)  # still well-formed


def test_category_colours_and_translated_category_names():
    svg = render_svg(definition(), category_labels={"waiting": "Czeka"}, locale="pl")
    assert 'class="state state-waiting"' in svg and "#fff4d6" in svg  # waiting's fill
    assert "Czeka" in svg
    assert svg.count("<rect") == 5 + 1  # five boxes, plus the final state's inner border


def test_long_labels_are_shortened_in_the_box_but_whole_in_the_title():
    long = "A very long state label that does not fit"
    svg = render_svg(definition(SMALL.replace("Waiting on them", long)))
    assert f"<title>{long} (waiting)" in svg
    assert "A very long state l…" in svg


def test_the_shipped_workflow_draws():
    from pathlib import Path

    text = (Path(__file__).parents[2] / "workflow" / "definitions" / "default.yaml").read_text()
    root = parse(render_svg(definition(text)))
    assert len(root.findall(f".//{SVG}g[@data-state]")) == 6
