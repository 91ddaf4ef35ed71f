"""Draw a workflow's state machine as a small, self-contained SVG (no graphviz).

States are boxes in columns by their breadth-first distance from the initial state, coloured
by category; transitions are arrows labelled with their names in the reader's language (the
trigger ids, which the YAML uses, are in the tooltips). Arrows that go forward run
straight between columns; arrows back to an earlier (or the same) column are dashed curves
below the boxes; a transition that stays in its state is a loop above its box. Every text
comes from an admin's YAML, so all of it is escaped; each box and arrow carries a <title>
for screen readers and tooltips.
"""

from __future__ import annotations

from collections import deque
from collections.abc import Mapping
from dataclasses import dataclass
from html import escape

from workflow.definition import TransitionDef, WorkflowDefinition

BOX_WIDTH = 160
BOX_HEIGHT = 46
COLUMN_GAP = 110
ROW_GAP = 56
MARGIN = 40
CHAR_WIDTH = 7.2  # average width of a 13px sans-serif character, for fitting labels
MAX_LABEL_CHARS = 20
CATEGORY_COLOURS = {  # fill, stroke
    "open": ("#e3f0ff", "#2f6fbf"),
    "waiting": ("#fff4d6", "#b7860b"),
    "resolved": ("#e2f6e5", "#2e8540"),
    "closed": ("#eceff1", "#5f6b73"),
}


@dataclass(frozen=True)
class Box:
    state: str
    layer: int
    row: int
    x: float
    y: float

    @property
    def cx(self) -> float:
        return self.x + BOX_WIDTH / 2

    @property
    def cy(self) -> float:
        return self.y + BOX_HEIGHT / 2


@dataclass(frozen=True)
class Edge:
    source: str
    dest: str
    triggers: tuple[str, ...]
    kind: str  # "forward" | "back" | "self"
    transitions: tuple[TransitionDef, ...] = ()  # one per trigger, for its label

    def names(self, locale: str) -> tuple[str, ...]:
        """Each trigger as agents read it ("Customer replied"), in the order of `triggers`."""
        return tuple(t.label(locale) for t in self.transitions) or self.triggers


def layers(definition: WorkflowDefinition) -> dict[str, int]:
    """Each state's breadth-first distance from the initial state; unreachable ones last."""
    outgoing: dict[str, list[str]] = {name: [] for name in definition.states}
    for transition in definition.transitions:
        for source in transition.sources:
            if source in outgoing and transition.dest in outgoing:
                outgoing[source].append(transition.dest)
    depth: dict[str, int] = {}
    if definition.initial in outgoing:
        depth[definition.initial] = 0
        queue = deque([definition.initial])
        while queue:
            current = queue.popleft()
            for nxt in outgoing[current]:
                if nxt not in depth:
                    depth[nxt] = depth[current] + 1
                    queue.append(nxt)
    last = max(depth.values(), default=-1) + 1
    for name in definition.states:
        depth.setdefault(name, last)
    return depth


def layout(definition: WorkflowDefinition) -> dict[str, Box]:
    """Where each state's box goes: one column per layer, in definition order within it."""
    depth = layers(definition)
    rows: dict[int, int] = {}
    boxes = {}
    for name in definition.states:  # dict order: the order the admin wrote them
        layer = depth[name]
        row = rows.get(layer, 0)
        rows[layer] = row + 1
        boxes[name] = Box(
            name,
            layer,
            row,
            MARGIN + layer * (BOX_WIDTH + COLUMN_GAP),
            MARGIN + row * (BOX_HEIGHT + ROW_GAP),
        )
    return boxes


def edges(definition: WorkflowDefinition, boxes: Mapping[str, Box]) -> list[Edge]:
    """One arrow per (source, dest) pair, carrying every trigger that makes that move."""
    grouped: dict[tuple[str, str], dict[str, TransitionDef]] = {}
    for transition in definition.transitions:
        for source in transition.sources:
            if source in boxes and transition.dest in boxes:
                by_trigger = grouped.setdefault((source, transition.dest), {})
                by_trigger.setdefault(transition.trigger, transition)
    result = []
    for (source, dest), by_trigger in grouped.items():
        if source == dest:
            kind = "self"
        elif boxes[dest].layer > boxes[source].layer:
            kind = "forward"
        else:
            kind = "back"
        result.append(Edge(source, dest, tuple(by_trigger), kind, tuple(by_trigger.values())))
    return result


def render_svg(
    definition: WorkflowDefinition,
    *,
    locale: str = "en",
    title: str = "Workflow diagram",
    category_labels: Mapping[str, str] | None = None,
    id_prefix: str = "wf",
) -> str:
    """The whole diagram as an <svg> element, every admin-written text escaped."""
    boxes = layout(definition)
    arrows = edges(definition, boxes)
    categories = dict(category_labels or {})
    width = max((b.x for b in boxes.values()), default=0) + BOX_WIDTH + MARGIN
    bottom = max((b.y for b in boxes.values()), default=0) + BOX_HEIGHT
    channels = sum(1 for a in arrows if _uses_channel(a, boxes))
    height = bottom + MARGIN + (16 * channels + 10 if channels else 0)
    marker = f"{id_prefix}-arrow"
    parts = [
        f'<svg xmlns="http://www.w3.org/2000/svg" class="workflow-diagram" role="img"'
        f' viewBox="0 0 {width:.0f} {height:.0f}" width="{width:.0f}" height="{height:.0f}"'
        f' aria-labelledby="{id_prefix}-title" font-family="system-ui, sans-serif"'
        f' font-size="13">',
        f'<title id="{id_prefix}-title">{escape(title)}</title>',
        "<defs>"
        f'<marker id="{marker}" viewBox="0 0 10 10" refX="9" refY="5" markerWidth="8"'
        ' markerHeight="8" orient="auto-start-reverse">'
        '<path d="M0,0 L10,5 L0,10 z" fill="#444"/></marker></defs>',
    ]
    back_index = 0
    for arrow in arrows:
        if _uses_channel(arrow, boxes):
            back_index += 1
        parts.append(_edge_svg(arrow, boxes, definition, locale, marker, back_index, bottom))
    initial = boxes.get(definition.initial)
    if initial is not None:
        parts.append(
            f'<g class="initial-marker" aria-hidden="true">'
            f'<circle cx="{initial.x - 22:.0f}" cy="{initial.cy:.0f}"'
            f' r="6" fill="#444"/><line x1="{initial.x - 16:.0f}" y1="{initial.cy:.0f}"'
            f' x2="{initial.x - 2:.0f}" y2="{initial.cy:.0f}" stroke="#444"'
            f' marker-end="url(#{marker})"/></g>'
        )
    for name, box in boxes.items():
        parts.append(_box_svg(definition, name, box, locale, categories))
    parts.append("</svg>")
    return "".join(parts)


def _box_svg(
    definition: WorkflowDefinition,
    name: str,
    box: Box,
    locale: str,
    categories: Mapping[str, str],
) -> str:
    state = definition.states[name]
    fill, stroke = CATEGORY_COLOURS.get(state.category, CATEGORY_COLOURS["open"])
    label = state.label(locale)
    category = categories.get(state.category, state.category)
    tooltip = f"{label} ({name}) — {category}"
    inner = ""
    if state.final:  # a double border marks a state with no way out by design
        inner = (
            f'<rect x="{box.x + 4:.0f}" y="{box.y + 4:.0f}" width="{BOX_WIDTH - 8}"'
            f' height="{BOX_HEIGHT - 8}" rx="6" fill="none" stroke="{stroke}"/>'
        )
    return (
        f'<g class="state state-{escape(state.category)}" data-state="{escape(name)}">'
        f"<title>{escape(tooltip)}</title>"
        f'<rect x="{box.x:.0f}" y="{box.y:.0f}" width="{BOX_WIDTH}" height="{BOX_HEIGHT}"'
        f' rx="9" fill="{fill}" stroke="{stroke}" stroke-width="2"/>{inner}'
        f'<text x="{box.cx:.0f}" y="{box.cy - 3:.0f}" text-anchor="middle" font-weight="600"'
        f' fill="#1d2329">{escape(_fit(label))}</text>'
        f'<text x="{box.cx:.0f}" y="{box.cy + 13:.0f}" text-anchor="middle" font-size="10"'
        f' fill="#4a5560">{escape(_fit(category, 26))}</text></g>'
    )


def _edge_svg(
    arrow: Edge,
    boxes: Mapping[str, Box],
    definition: WorkflowDefinition,
    locale: str,
    marker: str,
    back_index: int,
    bottom: float,
) -> str:
    source, dest = boxes[arrow.source], boxes[arrow.dest]
    rotate = ""
    if arrow.kind == "self":
        x, y = source.cx, source.y
        path = f"M{x - 18:.0f},{y:.0f} C{x - 30:.0f},{y - 34:.0f} {x + 30:.0f},{y - 34:.0f}"
        path += f" {x + 18:.0f},{y:.0f}"
        label_x, label_y = x, y - 30
    elif arrow.kind == "forward":
        x1, y1 = source.x + BOX_WIDTH, source.cy
        x2, y2 = dest.x, dest.cy
        path = f"M{x1:.0f},{y1:.0f} L{x2 - 2:.0f},{y2:.0f}"
        label_x, label_y = x1 + 0.3 * (x2 - x1), y1 + 0.3 * (y2 - y1) - 6
    elif dest.layer == source.layer:  # up or down its own column: along its left side
        gap_x = source.x - 14
        y1, y2 = source.cy + 12, dest.cy - 12
        path = f"M{source.x:.0f},{y1:.0f} L{gap_x:.0f},{y1:.0f} L{gap_x:.0f},{y2:.0f}"
        path += f" L{dest.x - 2:.0f},{y2:.0f}"
        label_x, label_y = gap_x - 4, (y1 + y2) / 2
        rotate = f' transform="rotate(-90 {label_x:.0f} {label_y:.0f})"'
    else:  # back to an earlier column: down into a channel under all boxes, then up
        shift = 8 * (back_index % 4)
        channel = bottom + 22 + 16 * (back_index - 1)
        if boxes_below(source, boxes):  # leave sideways, through the gap on its right
            out_x = source.x + BOX_WIDTH + 14 + shift
            y1 = source.cy + 12
            start = f"M{source.x + BOX_WIDTH:.0f},{y1:.0f} L{out_x:.0f},{y1:.0f}"
        else:
            out_x = source.cx + 20 + shift
            start = f"M{out_x:.0f},{source.y + BOX_HEIGHT:.0f}"
        in_x = dest.x + BOX_WIDTH + 14 + shift
        y2 = dest.cy + 12
        path = (
            f"{start} L{out_x:.0f},{channel:.0f} L{in_x:.0f},{channel:.0f}"
            f" L{in_x:.0f},{y2:.0f} L{dest.x + BOX_WIDTH + 2:.0f},{y2:.0f}"
        )
        label_x, label_y = source.cx - 20, channel - 4
    anchor = "middle"
    dashed = ' stroke-dasharray="6 4"' if arrow.kind == "back" else ""
    labels = arrow.names(locale)
    names = ", ".join(labels)
    source_label = definition.states[arrow.source].label(locale)
    dest_label = definition.states[arrow.dest].label(locale)
    pairs = zip(labels, arrow.triggers, strict=True)
    named = ", ".join(_with_id(label, trigger) for label, trigger in pairs)
    tooltip = f"{named}: {source_label} → {dest_label}"
    return (
        f'<g class="transition transition-{arrow.kind}">'
        f"<title>{escape(tooltip)}</title>"
        f'<path d="{path}" fill="none" stroke="#444" stroke-width="1.5"{dashed}'
        f' marker-end="url(#{marker})"/>'
        f'<text x="{label_x:.0f}" y="{label_y:.0f}" text-anchor="{anchor}" font-size="11"'
        f' fill="#1d2329" stroke="#fff" stroke-width="3" paint-order="stroke"{rotate}>'
        f"{escape(_fit(names, 28))}</text></g>"
    )


def _with_id(label: str, name: str) -> str:
    """`Label (id)`: the id is what the YAML says, so the admin can find it there."""
    return label if label == name else f"{label} ({name})"


def boxes_below(box: Box, boxes: Mapping[str, Box]) -> bool:
    return any(b.layer == box.layer and b.row > box.row for b in boxes.values())


def _uses_channel(arrow: Edge, boxes: Mapping[str, Box]) -> bool:
    return arrow.kind == "back" and boxes[arrow.dest].layer != boxes[arrow.source].layer


def _fit(text: str, limit: int = MAX_LABEL_CHARS) -> str:
    """Shorten a label to fit its box; the full text stays in the <title>."""
    return text if len(text) <= limit else text[: limit - 1] + "…"
