"""Generate mode: the text generator continues the message at the chosen temperature (and top-k),
streamed, for about GENERATE_LENGTH characters and on to the end of a word."""

from __future__ import annotations

from seqbot.app.conversation import Turn
from seqbot.app.modes.base import Mode

GENERATE_LENGTH = 200
# Generate mode writes about GENERATE_LENGTH characters, then on to the end of the word (at most
# this many more, else it is cut back to the last space).
WORD_SLACK = 40


def until_word_boundary(pieces, length: int, slack: int = WORD_SLACK):
    """Pass `pieces` through until `length` characters, then on to the next word boundary (a
    piece that starts with a space, or text that ends with one or with punctuation); within
    `slack` more characters, else stop. What it yields never ends inside a word unless no
    boundary came at all."""
    written = 0
    for piece in pieces:
        if written >= length:
            if piece[:1].isspace():
                return
            if written >= length + slack:
                return
        yield piece
        written += len(piece)
        if written >= length and piece[-1:] in (" ", "\n", ".", ",", ";", ":", "!", "?"):
            return


class GenerateMode(Mode):
    name = "generate"
    placeholder = "Type the start of a text and press Enter…"
    uses_beam = False
    uses_temperature = True

    def decoding_label(self) -> str:
        top_k = f", top-k {self.app.settings.top_k}" if self.app.settings.top_k else ""
        return f"temperature {self.app.temperature:g}{top_k}"

    def turn_settings(self) -> dict:
        return {"beam": 1, "temperature": self.app.temperature, "top_k": self.app.settings.top_k}

    def answer(self, turn: Turn) -> None:
        app = self.app
        generator = app.hub.get(self.model)
        turn.model = self.model
        length = GENERATE_LENGTH + WORD_SLACK
        if hasattr(generator, "plan") and hasattr(generator, "stream_plan"):
            # The real engine checks the request first and says what it changed (unknown characters, ...).
            plan = generator.plan(turn.text, temperature=turn.temperature, length=length, top_k=turn.top_k)
            if plan.notices:
                turn.notices.extend(plan.notices)
                app.ui(app.turn_changed, turn)
            pieces = generator.stream_plan(plan)
        else:
            pieces = generator.stream(turn.text, temperature=turn.temperature, length=length, top_k=turn.top_k)
        app.stream(turn, until_word_boundary(pieces, GENERATE_LENGTH))
        if not turn.cancelled and len(turn.reply) > GENERATE_LENGTH and not turn.reply[-1:].isspace():
            # No boundary within the slack: cut back to the last space rather than mid-word.
            cut = turn.reply.rfind(" ", GENERATE_LENGTH // 2)
            if cut > 0:
                turn.reply = turn.reply[:cut]
