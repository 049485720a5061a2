"""One turn of the conversation on screen: the person's message and seqbot's reply.

The reply grows as the decoder streams characters (`refresh_reply`), or, for a beam search,
is replaced by its best hypothesis so far; characters the model does not know are highlighted
in the message. A finished translation's words the model was unsure of (score below LOW_WORD,
seqbot.engine.confidence) are drawn dim and underlined, which reads on dark and light themes and
without colour (settings: shade_words), and a reply it is unsure of (confidence below UNSURE) is
marked "unsure" in its header.
"""

from __future__ import annotations

import time

from rich.text import Text
from textual.app import ComposeResult
from textual.containers import Vertical
from textual.css.query import NoMatches
from textual.message import Message
from textual.widgets import Static

from seqbot.app.conversation import MODE_TITLES, UNSURE, Turn

CURSOR = "▍"
LOW_WORD = 0.5  # seqbot.engine.confidence.LOW_WORD (not imported: the app draws before NumPy loads)
SHADED = "dim underline"


def shaded_reply(turn: Turn, shade: bool = True) -> Text:
    """The reply, with each word scored below LOW_WORD dim and underlined when `shade`."""
    text = Text(turn.reply)
    if shade:
        for start, end, score in turn.word_scores:
            if score < LOW_WORD and end <= len(turn.reply):
                text.stylize(SHADED, start, end)
    return text


def message_text(turn: Turn) -> Text:
    """The message, with every character the model does not know shown in reverse."""
    unknown = set(turn.unknown_chars)
    text = Text()
    for char in turn.text:
        text.append(char, "bold reverse red" if char in unknown else "")
    return text


def user_meta(turn: Turn) -> Text:
    meta = Text()
    meta.append("you", "bold")
    meta.append(f" · {MODE_TITLES.get(turn.mode, turn.mode).lower()}", "dim")
    if turn.unknown_chars:
        shown = " ".join(repr(c)[1:-1] if c.isprintable() and c != " " else repr(c) for c in turn.unknown_chars)
        meta.append(f" · unknown to the model: {shown}", "red")
    return meta


def reply_meta(turn: Turn) -> Text:
    meta = Text()
    meta.append("seqbot", "bold")
    details = [turn.decoding]
    if turn.status == "queued":
        details.append("queued")
    elif turn.searching:
        details.append("searching… best so far" if turn.reply else "searching…")
    elif turn.status == "running":
        details.append("thinking…" if not turn.reply else "writing…")
    elif turn.status == "cancelled":
        details.append("stopped" if turn.reply or turn.started is not None else "removed from the queue")
    elif turn.seconds is not None:
        details.append(f"{turn.seconds:.2f} s")
    meta.append(" · " + " · ".join(details), "dim")
    if turn.confidence is not None and turn.confidence < UNSURE and turn.status == "done":
        meta.append(" · ")
        meta.append("unsure", "bold reverse")  # reverse video: a mark without colour
    return meta


class TurnView(Vertical):
    """A message and its reply; click to select it (the side panel follows)."""

    class Selected(Message):
        def __init__(self, turn: Turn) -> None:
            super().__init__()
            self.turn = turn

    def __init__(self, turn: Turn, **kwargs) -> None:
        super().__init__(**kwargs)
        self.turn = turn

    def compose(self) -> ComposeResult:
        yield Static(user_meta(self.turn), classes="meta user-meta")
        yield Static(message_text(self.turn), classes="message")
        yield Static("", classes="notice")
        yield Static(reply_meta(self.turn), classes="meta reply-meta")
        yield Static("", classes="reply")

    def on_mount(self) -> None:
        try:
            self.refresh_turn()
        except NoMatches:
            pass  # removed (scrolled far away) before its lines were mounted

    def refresh_turn(self) -> None:
        """Redraw everything from `self.turn` (cheap: a handful of short lines)."""
        turn = self.turn
        self.query_one(".user-meta", Static).update(user_meta(turn))
        self.query_one(".message", Static).update(message_text(turn))
        notice = self.query_one(".notice", Static)
        notice.update("\n".join(f"note: {n}" for n in turn.notices))
        notice.display = bool(turn.notices)
        self.refresh_reply()

    def refresh_reply(self) -> None:
        turn = self.turn
        self.query_one(".reply-meta", Static).update(reply_meta(turn))
        reply = self.query_one(".reply", Static)
        reply.set_class(turn.status == "error", "-error")
        if turn.status == "error":
            reply.update(Text(turn.error or "error"))
        elif turn.searching and not turn.reply:
            # Before the search's first partial reply: show that it is working (with a live
            # timer, see SeqbotApp.tick) instead of a frozen cursor.
            elapsed = time.perf_counter() - turn.started if turn.started is not None else 0.0
            reply.update(Text(f"searching (beam {turn.beam})… {elapsed:.1f} s", "dim italic"))
        elif turn.status == "running":
            reply.update(Text(turn.reply + CURSOR))
        elif turn.status == "queued":
            reply.update(Text("…", "dim"))
        elif turn.status == "cancelled":
            reply.set_class(True, "-stopped")
            reply.update(Text(turn.reply + " ⏹" if turn.reply else "(stopped before it wrote anything)",
                              "" if turn.reply else "dim"))
        else:
            # An empty reply with a notice: the notice (e.g. "not translated: ...") says why.
            empty = "(no translation: see the note above)" if turn.notices and turn.mode == "translate" else "(empty reply)"
            if turn.reply:
                reply.update(shaded_reply(turn, getattr(getattr(self.app, "settings", None), "shade_words", True)))
            else:
                reply.update(Text(empty, "dim"))

    def on_click(self) -> None:
        self.post_message(self.Selected(self.turn))
