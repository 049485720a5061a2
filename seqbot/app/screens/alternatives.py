"""The beam's alternatives for a translation (F7): up to ALTERNATIVES distinct translations of the
selected message, best first, each with its confidence (seqbot.engine.confidence) and the beam's
score; Enter copies the highlighted one to the terminal's clipboard (OSC 52), Esc closes.

The alternatives come from the search that translated the reply when it kept them (a line translated
with `Translator.translate(line, beam, alternatives=ALTERNATIVES)`, passed as `searched`); other lines
are searched again (Translator.alternatives, each line of the message on its own, as the reply was
translated) in a worker thread, and the list appears when it is done.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Callable

from rich.text import Text
from textual import on, work
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Vertical
from textual.screen import ModalScreen
from textual.widgets import Footer, OptionList, Static
from textual.widgets.option_list import Option

from seqbot.app.conversation import UNSURE, Turn

ALTERNATIVES = 4


@dataclass
class Alternative:
    text: str
    confidence: float | None  # the lowest of its lines'; None without a calibrator
    score: float  # the beam's length-normalised log-probability, averaged over the sentences


def find_alternatives(translator, text: str, beam: int | None, count: int = ALTERNATIVES,
                      searched: list | None = None) -> list[Alternative]:
    """The `count` best distinct translations of `text`, each line on its own (blank and unreadable
    lines stay blank), best first. `searched`: the reply's Translation of each line (None for a line
    not translated); a line whose Translation kept its search's alternatives is not decoded again.
    Call from a worker thread: this may decode."""
    from seqbot.engine.translator import best_combinations, untranslatable

    options = []
    for index, line in enumerate(text.split("\n")):
        known = searched[index] if searched is not None and index < len(searched) else None
        if known is not None and known.alternatives is not None:
            found = known.alternatives[:count]
        elif line.strip() and not untranslatable(line):
            found = translator.alternatives(line, count, beam=beam)
        else:
            found = []
        options.append([(result.score, result) for result in found] or [(0.0, None)])
    shown: list[Alternative] = []
    for _, parts in best_combinations(options, count):
        lines = [part for part in parts if part is not None]
        if not lines:
            continue
        text_shown = "\n".join(part.text if part is not None else "" for part in parts)
        confidences = [part.confidence for part in lines if part.confidence is not None]
        shown.append(Alternative(text_shown, min(confidences) if len(confidences) == len(lines) else None,
                                 sum(part.score for part in lines) / len(lines)))
    return shown


def option_label(index: int, alternative: Alternative, reply: str) -> Text:
    label = Text(f"{index}. ", "bold")
    if alternative.confidence is None:
        label.append("   –  ", "dim")
    else:
        label.append(f"{alternative.confidence:4.0%}  ", "bold reverse" if alternative.confidence < UNSURE else "bold")
    label.append(alternative.text)
    label.append(f"   score {alternative.score:.3f}" + ("  · the reply" if alternative.text == reply else ""), "dim")
    return label


class AlternativesScreen(ModalScreen[None]):
    BINDINGS = [Binding("escape", "dismiss", "Close")]  # F7 closes it too (the app's key)

    def __init__(self, turn: Turn, find: Callable[[], list[Alternative]]) -> None:
        super().__init__()
        self.turn = turn
        self.find = find
        self.alternatives: list[Alternative] = []

    def compose(self) -> ComposeResult:
        with Vertical(id="alternatives-box"):
            yield Static(f"Alternatives · message {self.turn.number}", classes="panel-title")
            yield Static(Text(self.turn.text), classes="quoted")
            yield Static(Text("searching (beam search, each sentence)…", "dim italic"), id="alternatives-status")
            yield OptionList(id="alternatives-list")
            yield Static("Enter copies the highlighted translation · Esc closes · confidence = P(good translation)",
                         classes="hint")
        yield Footer()

    def on_mount(self) -> None:
        self.query_one(OptionList).display = False
        self.search()

    @work(thread=True, exclusive=True, exit_on_error=False)
    def search(self) -> None:
        try:
            found, error = self.find(), None
        except Exception as problem:  # an unavailable model or a model bug: said in the dialog
            found, error = [], str(problem) or type(problem).__name__
        try:
            self.app.call_from_thread(self.show, found, error)
        except Exception:
            pass  # closed meanwhile

    def show(self, found: list[Alternative], error: str | None) -> None:
        if not self.is_attached:
            return
        self.alternatives = found
        status = self.query_one("#alternatives-status", Static)
        if error or not found:
            status.update(Text(error or "no translation to vary (nothing the translator can read)", "italic"))
            return
        status.display = False
        options = self.query_one(OptionList)
        options.add_options([Option(option_label(i + 1, item, self.turn.reply)) for i, item in enumerate(found)])
        options.display = True
        options.highlighted = 0
        options.focus()

    @on(OptionList.OptionSelected)
    def copy(self, event: OptionList.OptionSelected) -> None:
        chosen = self.alternatives[event.option_index]
        self.app.copy_to_clipboard(chosen.text)
        self.app.notify(f"Sent alternative {event.option_index + 1} ({len(chosen.text)} characters) to the terminal's "
                        f"clipboard with OSC 52.", title="Clipboard", timeout=4)
        self.dismiss()
