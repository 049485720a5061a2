"""The attention heatmap (F3): one row per output character, one column per input
character; the brighter the cell, the more the decoder looked at that input character
when it wrote that output character."""

from __future__ import annotations

from rich.color import Color
from rich.style import Style
from rich.text import Text
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import ScrollableContainer
from textual.screen import ModalScreen
from textual.widgets import Footer, Static

from seqbot.app.conversation import Turn

# A sequential colour map (dark blue -> yellow, like viridis), 9 stops.
STOPS = [(68, 1, 84), (72, 40, 120), (62, 74, 137), (49, 104, 142), (38, 130, 142),
         (31, 158, 137), (53, 183, 121), (109, 205, 89), (253, 231, 37)]


def weight_colour(weight: float) -> Color:
    weight = min(max(float(weight), 0.0), 1.0) * (len(STOPS) - 1)
    low = int(weight)
    high = min(low + 1, len(STOPS) - 1)
    fraction = weight - low
    rgb = [round(a + (b - a) * fraction) for a, b in zip(STOPS[low], STOPS[high])]
    return Color.from_rgb(*rgb)


def visible(char: str) -> str:
    return "·" if char == " " else (char if char.isprintable() else "?")


def heatmap_text(source: str, target: str, attention) -> Text:
    """Rows = output characters, columns = input characters; each cell 2 columns wide."""
    text = Text(no_wrap=True)
    text.append("    ")
    for char in source:
        text.append(visible(char) + " ", "bold")
    text.append("\n")
    rows = len(attention)
    for row in range(min(rows, len(target))):
        weights = attention[row]
        top = max(float(w) for w in weights[: len(source)]) if len(source) else 1.0
        text.append(f" {visible(target[row])}  ", "bold")
        for column in range(len(source)):
            # Scale each row by its maximum: a row is a distribution, its peak is what matters.
            value = float(weights[column]) / top if top > 0 else 0.0
            text.append("  ", Style(bgcolor=weight_colour(value)))
        text.append("\n")
    text.append("\n  low ")
    for step in range(len(STOPS)):
        text.append("  ", Style(bgcolor=weight_colour(step / (len(STOPS) - 1))))
    text.append(" high  (each row scaled to its maximum)")
    return text


class AttentionScreen(ModalScreen[None]):
    BINDINGS = [Binding("escape,f3,q", "dismiss", "Close")]

    def __init__(self, turn: Turn) -> None:
        super().__init__()
        self.turn = turn

    def compose(self) -> ComposeResult:
        turn = self.turn
        source = turn.source if turn.source is not None else turn.text
        with ScrollableContainer(id="attention-box"):
            yield Static(f"Attention · message {turn.number}", classes="panel-title")
            yield Static(Text(f"{source}  →  {turn.reply}"), classes="quoted")
            yield Static(heatmap_text(source, turn.reply, turn.attention), id="heatmap")
        yield Footer()
