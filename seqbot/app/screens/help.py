"""The help screen (F1, or ? in an empty input): what seqbot does and every key."""

from __future__ import annotations

from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import VerticalScroll
from textual.screen import ModalScreen
from textual.widgets import Markdown

HELP = """\
# seqbot

Type an **English** sentence and press **Enter**: a character-level seq2seq model
answers in **French**, one character at a time. The side panel shows what the RNN
lecture's classifiers make of the selected message: spam (RNN and Naive Bayes, with the
words that pushed it), sentiment (IMDB, or NSMC for Korean) and the Reuters topic.

## Modes
- **translate**: English → French (default)
- **chat**: the dialogue model answers
- **generate**: the text generator continues your prompt (temperature with **F4**)

## Keys
| Key | Action |
| --- | --- |
| Enter | send the message (sent while a reply is running, it waits its turn) |
| ↑ / ↓ | recall earlier messages |
| Ctrl+↑ / Ctrl+↓ | select the previous / next message |
| F1 or ? | this help (? when the input is empty) |
| F2 | next mode: translate → chat → generate |
| Ctrl+B | greedy ↔ beam search |
| F3 | attention heatmap of the selected translation |
| F4 | next temperature (generate mode) |
| Ctrl+Y | copy the selected reply (OSC 52 clipboard) |
| Ctrl+S | export the conversation as Markdown and JSON |
| Ctrl+L | clear the conversation |
| Ctrl+P | command palette: every action, the theme |
| Ctrl+Q | quit |

Characters the model never saw in training are shown **in reverse red**; messages
longer than the model handles are cut, with a note.

Press **Escape** to close this help.
"""


class HelpScreen(ModalScreen[None]):
    BINDINGS = [
        Binding("escape,f1,q", "dismiss", "Close"),
    ]

    def compose(self) -> ComposeResult:
        with VerticalScroll(id="help-box"):
            yield Markdown(HELP)
