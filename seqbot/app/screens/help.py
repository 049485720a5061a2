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
    ("Enter", "send (while a reply is written, the message waits its turn in the queue)"),
    ("Ctrl+J", "new line (also Shift+Enter / Alt+Enter where the terminal tells them apart); a paste keeps its lines"),
    ("Esc", "stop the reply being written (it keeps what it wrote); the queue goes on"),
    ("Esc Esc", "stop the reply and clear the queue (the second Esc within a second; the footer says \"Esc Clear\")"),
    ("↑ / ↓", "recall earlier messages (kept between sessions)"),
    ("Ctrl+↑ / Ctrl+↓", "select the previous / next message (or click it)"),
    ("F1, ? (empty input)", "this help"),
    ("F2", "next mode: translate → chat → generate"),
    ("Ctrl+B", "beam search (the default; best reply so far, as it searches) ↔ greedy (streams)"),
    ("F3", "attention heatmap of the selected translation (and how sure the translator is of it) or chat reply"),
    ("F4", "next temperature (generate mode)"),
    ("F5", "show / hide the side panel"),
    ("F6", "settings: beam width, temperature, top-k, classifiers, panel, shading, theme"),
    ("F7", "the beam's alternatives for the selected translation, with their confidence (Enter copies one)"),
    ("Ctrl+O", "past conversations: search, reopen, delete"),
    ("Ctrl+Y", "send the selected reply to the terminal's clipboard (OSC 52; under tmux: set -g set-clipboard on)"),
    ("Ctrl+S", "export the conversation as Markdown and JSON (to the data folder; the notice gives the path)"),
    ("Ctrl+L", "new conversation (the last one is kept)"),
    ("Ctrl+P", "command palette: every action, the theme"),
    ("Ctrl+Q", "quit"),
]

MODES = """\
**translate** English → French (default) · **chat** the dialogue model answers, reading its own
previous reply too · **generate** the text generator continues your prompt, at the chosen temperature.

In a translation, words the model was unsure of (a character below 50 %) are dim and underlined
(settings can turn this off), and a reply it is unsure of (below 50 % that it is a good translation)
is marked **unsure** in its header; F3 shows the number.
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
