"""What every mode of the app has: a model that answers, its decoding settings, its placeholder.

A mode is plain Python, not a widget: the app (seqbot/app/app.py) keeps the layout, the keys, the
queue, the store and the settings, and asks the current mode what to show and the turn's mode to
answer it. `answer` runs in the app's worker thread; it writes the reply into the turn and asks
the app to redraw it (`app.stream`, `app.reply_grew`, `app.ui(app.turn_changed, turn)`).
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from seqbot.app.conversation import Turn
from seqbot.contract.shipped import model_for_mode

if TYPE_CHECKING:
    from seqbot.app.app import SeqbotApp


class Mode:
    name = ""  # --mode NAME, Turn.mode, and the `mode` of its model's row in seqbot/contract/shipped.py
    placeholder = ""  # the input's placeholder in this mode (and the palette's help for "Mode: NAME")
    default_beam = 1  # the beam it starts with: 1 is greedy, streamed character by character
    uses_beam = True  # Ctrl+B switches it between greedy and beam search
    uses_temperature = False  # F4 cycles its sampling temperature
    follows_beam_setting = False  # its beam search is as wide as the settings' beam width (F6)
    translates = False  # its replies are translations: F7 shows the beam's alternatives, F3 how sure it is
    shows_attention = False  # its model attends over the message: F3 shows the heatmap of each reply

    def __init__(self, app: SeqbotApp) -> None:
        self.app = app
        self.model = model_for_mode(self.name).name  # its engine's slot in the app's EngineHub
        self.beam = self.default_beam  # the beam it decodes with when it is the app's mode

    def beam_width(self) -> int:
        """The beam search Ctrl+B switches to from greedy."""
        return self.app.settings.beam_width

    def choose_beam(self, width: int) -> None:
        """The person chose `width` (Ctrl+B, the palette) while this was the app's mode."""
        self.beam = width

    def settings_changed(self, settings) -> None:
        """New settings (F6, the palette): a mode whose beam search follows the settings widens or narrows it."""
        if self.follows_beam_setting and self.beam > 1:
            self.beam = settings.beam_width

    def engine_loaded(self, engine) -> None:
        """Its model has loaded (called on the app's thread)."""

    def decoding_label(self) -> str:
        """How it decodes now, for the title bar and the input's border."""
        return "greedy" if self.app.beam == 1 else f"beam {self.app.beam}"

    def turn_settings(self) -> dict:
        """The decoding settings a new message of this mode is answered with (Turn fields)."""
        return {"beam": self.app.beam}

    def answer(self, turn: Turn) -> None:
        """Write the reply to `turn` (in a worker thread); stop early once `turn.cancelled`."""
        raise NotImplementedError(f"{type(self).__name__} does not answer messages")
