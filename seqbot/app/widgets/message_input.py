"""The input line: Up/Down recall earlier messages, a paste keeps every line (joined by
spaces), and an over-long paste is cut to `max_chars` with a notice."""

from __future__ import annotations

from textual import events
from textual.binding import Binding
from textual.message import Message
from textual.widgets import Input

from seqbot.app.history import InputHistory


class MessageInput(Input):
    BINDINGS = [
        Binding("up", "history_previous", "Previous input", show=False),
        Binding("down", "history_next", "Next input", show=False),
    ]

    class HelpRequested(Message):
        """`?` typed into an empty input: open the help instead."""

    def __init__(self, max_chars: int = 1000, **kwargs) -> None:
        super().__init__(**kwargs)
        self.history = InputHistory()
        self.max_chars = max_chars

    def action_history_previous(self) -> None:
        entry = self.history.previous(self.value)
        if entry is not None:
            self.value = entry
            self.cursor_position = len(entry)

    def action_history_next(self) -> None:
        entry = self.history.next()
        if entry is not None:
            self.value = entry
            self.cursor_position = len(entry)

    async def _on_key(self, event: events.Key) -> None:
        # Textual then runs Input._on_key itself (handlers run down the MRO) unless prevented.
        if event.character == "?" and not self.value:
            event.stop()
            event.prevent_default()
            self.post_message(self.HelpRequested())

    def _on_paste(self, event: events.Paste) -> None:
        event.stop()
        event.prevent_default()
        text = " ".join(line.strip() for line in event.text.splitlines() if line.strip())
        if not text:
            return
        room = self.max_chars - len(self.value) + len(self.selected_text)
        if len(text) > room:
            self.notify(
                f"The paste had {len(text):,} characters; kept the first {max(room, 0):,} "
                f"(messages are limited to {self.max_chars:,}).",
                title="Paste truncated",
                severity="warning",
            )
            text = text[: max(room, 0)]
        if self.selection.is_empty:
            self.insert_text_at_cursor(text)
        else:
            self.replace(text, *sorted(self.selection))
