"""The help screen (F1, or ? in an empty input): what seqbot does and every key."""

from __future__ import annotations

from rich.table import Table
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import VerticalScroll
from textual.screen import ModalScreen
from textual.widgets import Markdown, Static

INTRO = """\
Type an **English** sentence and press **Enter**: a character-level seq2seq model answers in
**French**, one character at a time. The side panel shows what the RNN lecture's classifiers make
of the selected message: spam (RNN and Naive Bayes, with the words that pushed it), sentiment
(IMDB, or NSMC for Korean) and the Reuters topic. Characters the model never saw are shown in
reverse red; a message longer than the model reads is cut, with a note.
"""

KEYS = [
    ("Enter", "send (while a reply is written, the message waits its turn)"),
    ("↑ / ↓", "recall earlier messages"),
    ("Ctrl+↑ / Ctrl+↓", "select the previous / next message (or click it)"),
    ("F1, ? (empty input)", "this help"),
    ("F2", "next mode: translate → chat → generate"),
    ("Ctrl+B", "greedy (streams) ↔ beam search (best reply so far, as it searches)"),
    ("F3", "attention heatmap of the selected translation"),
    ("F4", "next temperature (generate mode)"),
    ("Ctrl+Y", "copy the selected reply (OSC 52 clipboard)"),
    ("Ctrl+S", "export the conversation as Markdown and JSON"),
    ("Ctrl+L", "clear the conversation"),
    ("Ctrl+P", "command palette: every action, the theme"),
    ("Ctrl+Q", "quit"),
]

MODES = """\
**translate** English → French (default) · **chat** the dialogue model answers ·
**generate** the text generator continues your prompt, at the chosen temperature.
"""


def keys_table() -> Table:
    table = Table(box=None, show_header=False, padding=(0, 2, 0, 0), expand=False)
    table.add_column(style="bold", no_wrap=True)
    table.add_column()
    for key, action in KEYS:
        table.add_row(key, action)
    return table


class HelpScreen(ModalScreen[None]):
    BINDINGS = [
        Binding("escape,f1,q", "dismiss", "Close"),
    ]

    def compose(self) -> ComposeResult:
        with VerticalScroll(id="help-box"):
            yield Static("seqbot · help", classes="panel-title")
            yield Markdown(INTRO)
            yield Static("Keys", classes="section")
            yield Static(keys_table(), id="help-keys")
            yield Static("Modes", classes="section")
            yield Markdown(MODES)
            yield Static("Escape closes this help.", classes="hint")
