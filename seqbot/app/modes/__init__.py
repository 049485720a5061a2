"""The app's modes, one class and module each; the table of shipped models (seqbot/contract/shipped.py)
says which modes there are, in which order, and which model answers in each.

    modes = make_modes(app)          # {"translate": TranslateMode(app), "chat": ..., "generate": ...}

A new mode: a row in the table with `mode="NAME"`, a class here (what it does with a message), and
its engine class in app/engines.py's ENGINE_CLASSES.
"""

from __future__ import annotations

from seqbot.app.modes.base import Mode
from seqbot.app.modes.chat import ChatMode
from seqbot.app.modes.generate import GenerateMode
from seqbot.app.modes.translate import TranslateMode
from seqbot.contract.shipped import MODES

MODE_CLASSES: dict[str, type[Mode]] = {mode.name: mode for mode in (TranslateMode, ChatMode, GenerateMode)}


def make_modes(app) -> dict[str, Mode]:
    """One instance of each mode of the table, in its order; ValueError for a mode without a class."""
    missing = [mode for mode in MODES if mode not in MODE_CLASSES]
    if missing:
        raise ValueError(f"no class for mode {', '.join(missing)} (seqbot/contract/shipped.py names it); "
                         f"add one to seqbot/app/modes/")
    return {mode: MODE_CLASSES[mode](app) for mode in MODES}
