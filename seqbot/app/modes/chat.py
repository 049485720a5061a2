"""Chat mode: the dialogue model answers, with its checkpoint's own beam search (as `seqbot chat`
does) unless the person chose greedy or another beam; either way the reply streams. A model
trained with the previous line as context reads the bot's reply just before the message (when
the message before was a chat turn). Once the reply is written, its attention over what the model
read is kept for F3."""

from __future__ import annotations

from seqbot.app.conversation import Turn
from seqbot.app.modes.base import Mode
from seqbot.app.settings import CHAT_BEAM_WIDTH
from seqbot.contract.text import message_text


class ChatMode(Mode):
    name = "chat"
    placeholder = "Say something to the chatbot and press Enter…"
    default_beam = CHAT_BEAM_WIDTH
    shows_attention = True

    def __init__(self, app) -> None:
        super().__init__(app)
        self.model_beam = CHAT_BEAM_WIDTH  # replaced by the chat checkpoint's own once it loads
        self.beam_chosen = False  # the person chose greedy or a beam for chat: the checkpoint's no longer applies

    def beam_width(self) -> int:
        return self.model_beam

    def choose_beam(self, width: int) -> None:
        self.beam_chosen = True
        super().choose_beam(width)

    def engine_loaded(self, chatbot) -> None:
        """Chat decodes with the chat model's own settings (its checkpoint's beam), as `seqbot chat`
        does, unless the person already chose greedy or beam for chat."""
        beam = getattr(getattr(chatbot, "decoding", None), "beam", None)
        if isinstance(beam, int) and beam >= 1:
            self.model_beam = beam
            if not self.beam_chosen:
                self.beam = beam
                self.app.mode_beam_changed(self)

    def answer(self, turn: Turn) -> None:
        app = self.app
        chatbot = app.hub.get(self.model)
        turn.model = self.model
        if hasattr(chatbot, "unknown_characters"):
            turn.unknown_chars = list(chatbot.unknown_characters(turn.text))
            if turn.unknown_chars:
                app.ui(app.turn_changed, turn)
        text = " ".join(turn.text.split())
        limit = getattr(chatbot, "message_length", None)
        if limit is not None and len(text) > limit:
            turn.notices.append(f"the chat model reads at most {limit} characters of a message; it answered "
                                f"{message_text(text, limit)!r}")
            app.ui(app.turn_changed, turn)
        context = self.previous_line(turn) if getattr(chatbot, "context_length", 0) else ""
        options = {"context": context} if context else {}
        if turn.beam > 1 and hasattr(chatbot, "stream_reply"):
            app.stream(turn, chatbot.stream_reply(text, beam=turn.beam, **options), replace=True)
        elif turn.beam > 1:
            reply = chatbot.reply(text, beam=turn.beam, **options)
            if not turn.cancelled:
                turn.reply = reply
        else:
            app.stream(turn, chatbot.stream(text, **options))
        if turn.reply and not turn.cancelled and hasattr(chatbot, "attention"):
            turn.source, turn.attention = chatbot.attention(text, turn.reply, context)

    def previous_line(self, turn: Turn) -> str:
        """The bot's reply to the message just before `turn`, if that message was a chat turn that got one."""
        earlier = [other for other in self.app.turns if other.number < turn.number]
        last = earlier[-1] if earlier else None
        return last.reply if last is not None and last.mode == self.name and last.status == "done" else ""
