"""The compose box: Enter sends, Ctrl+J (or Shift/Alt+Enter where the terminal tells them
apart) starts a new line, a paste keeps its lines, Up on the first line and Down on the last
recall earlier messages, and an over-long paste is cut to `max_chars` with a notice.

Enter is handled in the widget's own key handler, in order with the characters typed before
it, and the box is emptied right there: keys that arrive in one burst ("One." Enter "Two."
Enter from tmux, or a paste without bracketed paste) give exactly the messages typed. (A key
binding would run later, in the app's queue, after the characters that followed it.)

Keys typed while the app starts are kept: the terminal was still in line mode then, and its
driver turned Enter into a line feed, which reads as Ctrl+J; a Ctrl+J typed before the first
frame was drawn is therefore taken as Enter (nobody asks for a new line in a box they cannot see).
"""

from __future__ import annotations

from textual import events

try:  # the clock of Textual's events (Key.time): monotonic, perf_counter on Windows
    from textual._time import get_time as textual_clock
except ImportError:  # pragma: no cover - a Textual without it
    from time import monotonic as textual_clock
from textual.binding import Binding
from textual.message import Message
from textual.widgets import TextArea

from seqbot.app.history import InputHistory

NEWLINE_KEYS = ("ctrl+j", "shift+enter", "alt+enter", "ctrl+enter")


class MessageInput(TextArea):
    BINDINGS = [
        # Never reached (the key handler below takes these keys); listed so the footer shows them.
        Binding(",".join(NEWLINE_KEYS), "new_line", "New line", key_display="^j"),
        Binding("up", "history_previous", "Previous input", show=False),
        Binding("down", "history_next", "Next input", show=False),
    ]

    class Submitted(Message):
        """Enter: `value` is what was in the box (which is now empty)."""

        def __init__(self, value: str) -> None:
            super().__init__()
            self.value = value

    class HelpRequested(Message):
        """`?` typed into an empty box: open the help instead."""

    def __init__(self, max_chars: int = 1000, placeholder: str = "", **kwargs) -> None:
        super().__init__(placeholder=placeholder, soft_wrap=True, show_line_numbers=False,
                         tab_behavior="focus", **kwargs)
        self.input_history = InputHistory()
        self.max_chars = max_chars
        self.first_frame_at: float | None = None  # Textual's clock, once the box has been drawn

    def on_mount(self) -> None:
        self.call_after_refresh(self.first_frame_drawn)

    def first_frame_drawn(self) -> None:
        self.first_frame_at = textual_clock()

    def typed_before_first_frame(self, event: events.Key) -> bool:
        return self.first_frame_at is None or event.time <= self.first_frame_at

    @property
    def value(self) -> str:
        return self.text

    @value.setter
    def value(self, text: str) -> None:
        self.load_text(text)
        self.move_cursor(self.document.end)

    async def _on_key(self, event: events.Key) -> None:
        # Runs before TextArea._on_key (handlers run down the MRO) unless prevented.
        if event.key == "enter" or (event.key == "ctrl+j" and self.typed_before_first_frame(event)):
            event.stop()
            event.prevent_default()
            self.submit()
        elif event.key in NEWLINE_KEYS:
            event.stop()
            event.prevent_default()
            self.action_new_line()
        elif event.character == "?" and not self.text:
            event.stop()
            event.prevent_default()
            self.post_message(self.HelpRequested())

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        if action == "new_line":
            # In the footer only where the app says it has room (the placeholder names the key too);
            # the key itself is handled in _on_key at any width.
            return self.app.size.width >= getattr(self.app, "NEW_LINE_FOOTER", 0)
        return super().check_action(action, parameters)

    def submit(self) -> None:
        """Send what is in the box and empty it, at once."""
        text = self.text
        self.value = ""
        self.post_message(self.Submitted(text))

    def action_new_line(self) -> None:
        self.insert("\n")

    def action_history_previous(self) -> None:
        if self.cursor_location[0] > 0:
            self.action_cursor_up()
            return
        entry = self.input_history.previous(self.text)
        if entry is not None:
            self.value = entry

    def action_history_next(self) -> None:
        if self.cursor_location[0] < self.document.line_count - 1:
            self.action_cursor_down()
            return
        entry = self.input_history.next()
        if entry is not None:
            self.value = entry

    async def _on_paste(self, event: events.Paste) -> None:
        event.stop()
        event.prevent_default()
        text = event.text.replace("\r\n", "\n").replace("\r", "\n")
        if not text:
            return
        room = self.max_chars - len(self.text) + len(self.selected_text)
        if len(text) > room:
            self.notify(
                f"The paste had {len(text):,} characters; kept the first {max(room, 0):,} "
                f"(messages are limited to {self.max_chars:,}).",
                title="Paste truncated",
                severity="warning",
            )
            text = text[: max(room, 0)]
        if text:
            self.replace(text, *self.selection)
