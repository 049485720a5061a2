"""The attention heatmap (F3): one row per output character, one column per input
character; the brighter the cell, the more the decoder looked at that input character
when it wrote that output character.

The map is built in a worker thread, so the app keeps answering keys while it is drawn, and
a long message's map is first shrunk to what the screen can show: neighbouring characters are
binned together (a column's weight is the bin's total attention, a row's the bins' mean), so
a 1,000-character translation costs no more than a screenful of cells. Characters typed while
the map is open close it and go to the input, so nothing typed is lost. Above the map: how sure the
translator is of the reply (confidence_line); for a chat reply, what the chat model read (a model
with context reads its own previous reply, then ⏎, then the message).
"""

from __future__ import annotations

from rich.color import Color
from rich.style import Style
from rich.text import Text
from textual import events, work
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import ScrollableContainer
from textual.screen import ModalScreen
from textual.widgets import Footer, Static

from seqbot.app.conversation import UNSURE, Turn
from seqbot.app.widgets.message_input import MessageInput

# A sequential colour map (dark blue -> yellow, like viridis), 9 stops.
STOPS = [(68, 1, 84), (72, 40, 120), (62, 74, 137), (49, 104, 142), (38, 130, 142),
         (31, 158, 137), (53, 183, 121), (109, 205, 89), (253, 231, 37)]
CELL_WIDTH = 2
MIN_ROWS = 40  # rows are binned only beyond this many (or the screen's height, if taller)


def weight_colour(weight: float) -> Color:
    weight = min(max(float(weight), 0.0), 1.0) * (len(STOPS) - 1)
    low = int(weight)
    high = min(low + 1, len(STOPS) - 1)
    fraction = weight - low
    rgb = [round(a + (b - a) * fraction) for a, b in zip(STOPS[low], STOPS[high])]
    return Color.from_rgb(*rgb)


def confidence_line(turn: Turn) -> Text:
    """The reply's calibrated confidence (P(good translation), seqbot.engine.confidence), or why there is none."""
    if turn.confidence is None:
        return Text("confidence: none (this translator has no calibrator: `seqbot train calibrate translator`)", "dim")
    line = Text(f"confidence {turn.confidence:.0%} that this translation is good")
    if turn.confidence < UNSURE:
        line.append("  ")
        line.append("unsure", "bold reverse")
    shaded = sum(score < 0.5 for _, _, score in turn.word_scores)
    line.append(f" · {shaded} of {len(turn.word_scores)} words below 50 % (shaded)", "dim")
    return line


def chat_line(source: str) -> Text:
    """What the chat model read, above its reply's heatmap."""
    if "\n" in source:
        return Text("the chat model read its previous reply, then ⏎, then the message", "dim")
    return Text("the chat model read the message", "dim")


def visible(char: str) -> str:
    if char == "\n":
        return "⏎"
    return "·" if char == " " else (char if char.isprintable() else "?")


def bins(count: int, limit: int) -> list[tuple[int, int]]:
    """Split range(count) into at most `limit` consecutive (start, stop) bins of near-equal size."""
    limit = max(1, limit)
    if count <= limit:
        return [(index, index + 1) for index in range(count)]
    return [(count * index // limit, count * (index + 1) // limit) for index in range(limit)]


def aggregate(source: str, target: str, attention, max_columns: int, max_rows: int):
    """(source labels, target labels, weights) with at most max_columns x max_rows cells. A
    binned label is the bin's first character; the weights keep each row's distribution shape."""
    column_bins = bins(len(source), max_columns)
    row_bins = bins(min(len(attention), len(target)), max_rows)
    weights = []
    for row_start, row_stop in row_bins:
        rows = [[float(value) for value in attention[row][: len(source)]] for row in range(row_start, row_stop)]
        mean = [sum(row[column] for row in rows) / len(rows) for column in range(len(source))]
        weights.append([sum(mean[start:stop]) for start, stop in column_bins])
    return [source[start] for start, _ in column_bins], [target[start] for start, _ in row_bins], weights, (
        len(column_bins) < len(source) or len(row_bins) < min(len(attention), len(target)))


def heatmap_text(source: str, target: str, attention, max_columns: int = 10_000, max_rows: int = 10_000) -> Text:
    """Rows = output characters, columns = input characters; each cell 2 columns wide."""
    columns, rows, weights, binned = aggregate(source, target, attention, max_columns, max_rows)
    text = Text(no_wrap=True)
    text.append("    ")
    for char in columns:
        text.append(visible(char) + " ", "bold")
    text.append("\n")
    for label, row in zip(rows, weights):
        top = max(row) if row else 1.0
        text.append(f" {visible(label)}  ", "bold")
        for weight in row:
            # Scale each row by its maximum: a row is a distribution, its peak is what matters.
            value = weight / top if top > 0 else 0.0
            text.append(" " * CELL_WIDTH, Style(bgcolor=weight_colour(value)))
        text.append("\n")
    text.append("\n  low ")
    for step in range(len(STOPS)):
        text.append("  ", Style(bgcolor=weight_colour(step / (len(STOPS) - 1))))
    text.append(" high  (each row scaled to its maximum)")
    if binned:
        text.append(f"\n  {len(source)} × {len(target)} characters shown as {len(columns)} × {len(rows)} cells: "
                    "each cell is a run of neighbouring characters, labelled by its first")
    return text


class AttentionScreen(ModalScreen[None]):
    BINDINGS = [Binding("escape,f3", "dismiss", "Close")]

    def __init__(self, turn: Turn, source: str, attention, translation: bool = True) -> None:
        """`attention`: one row per character of the reply, one value per character of `source`
        (what the translator or chat model read); the app reads it from the store (SeqbotApp.attention_of)."""
        super().__init__()
        self.turn = turn
        self.source = source
        self.attention = attention
        self.translation = translation
        self.closing = False

    def compose(self) -> ComposeResult:
        turn = self.turn
        with ScrollableContainer(id="attention-box"):
            yield Static(f"Attention · message {turn.number}", classes="panel-title")
            yield Static(Text(f"{self.source.replace(chr(10), ' ⏎ ')}  →  {turn.reply}"), classes="quoted")
            yield Static(confidence_line(turn) if self.translation else chat_line(self.source), id="confidence")
            yield Static(Text("drawing the heatmap…", "dim italic"), id="heatmap")
        yield Footer()

    def on_mount(self) -> None:
        width, height = self.app.size
        # The box is 95 % x 90 % of the screen, minus its border, padding and the row labels.
        max_columns = max(8, (int(width * 0.95) - 4 - 5) // CELL_WIDTH)
        max_rows = max(MIN_ROWS, int(height * 0.9) - 8)
        self.build(max_columns, max_rows)

    @work(thread=True, exclusive=True, exit_on_error=False)
    def build(self, max_columns: int, max_rows: int) -> None:
        text = heatmap_text(self.source, self.turn.reply, self.attention, max_columns, max_rows)
        try:
            self.app.call_from_thread(self.show_heatmap, text)
        except Exception:
            pass  # closed meanwhile

    def show_heatmap(self, text: Text) -> None:
        if self.is_attached:
            self.query_one("#heatmap", Static).update(text)

    def on_key(self, event: events.Key) -> None:
        """A key meant for the input (typed while the map was drawn, or after): it goes there, in
        order, and the map closes."""
        if event.key != "enter" and not (event.is_printable and event.character):
            return
        event.stop()
        message_input = self.app.screen_stack[0].query_one(MessageInput)
        if event.key == "enter":
            message_input.submit()
        else:
            message_input.insert(event.character)
        if not self.closing:
            self.closing = True
            self.dismiss()
