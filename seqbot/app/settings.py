"""The app's settings as a plain dataclass, checked on the way in from the settings screen
and from the database (a hand-edited or older value falls back to its default, never a crash).

    settings = AppSettings.from_dict(store.settings())
    store.save_settings(settings.to_dict())
"""

from __future__ import annotations

import math
from dataclasses import asdict, dataclass, field, fields

from seqbot.contract.limits import MAX_BEAM

MAX_BEAM_WIDTH = MAX_BEAM  # the engine's and every command's limit (seqbot/contract/limits.py)
MAX_TEMPERATURE = 5.0
# The chat model's default beam (seqbot.engine.chat.CHAT_DECODING), used until the chat checkpoint,
# which may carry its own, has loaded; not imported from there, which would load NumPy before the first frame.
CHAT_BEAM_WIDTH = 5


@dataclass
class AppSettings:
    beam_width: int = 4  # translate mode's beam search, its default decoding (Ctrl+B toggles this / greedy)
    temperature: float = 0.8  # generate mode
    top_k: int | None = None  # generate mode; None = sample from every token
    disabled_classifiers: list[str] = field(default_factory=list)
    side_panel: bool = True
    theme: str = "textual-dark"
    shade_words: bool = True  # translations: words the model is unsure of drawn dim and underlined

    @classmethod
    def from_dict(cls, values: dict) -> "AppSettings":
        settings = cls()
        for item in fields(cls):
            if item.name not in values:
                continue
            try:
                setattr(settings, item.name, CHECKS[item.name](values[item.name]))
            except (TypeError, ValueError):
                pass  # keep the default
        return settings

    def to_dict(self) -> dict:
        return asdict(self)


def whole_number(value, message: str) -> int:
    if isinstance(value, bool):
        raise ValueError(message)
    try:
        number = int(str(value).strip()) if not isinstance(value, int) else value
    except ValueError:
        raise ValueError(message) from None
    return number


def check_beam_width(value) -> int:
    message = f"beam width must be a whole number from 1 to {MAX_BEAM_WIDTH}"
    width = whole_number(value, message)
    if not 1 <= width <= MAX_BEAM_WIDTH:
        raise ValueError(message)
    return width


def check_temperature(value) -> float:
    message = f"temperature must be a number from 0 (greedy) to {MAX_TEMPERATURE:g}"
    try:
        temperature = float(str(value).strip())
    except ValueError:
        raise ValueError(message) from None
    if isinstance(value, bool) or not math.isfinite(temperature) or not 0 <= temperature <= MAX_TEMPERATURE:
        raise ValueError(message)
    return temperature


def check_top_k(value) -> int | None:
    if value is None or (isinstance(value, str) and value.strip().lower() in ("", "off", "none", "0")):
        return None
    message = "top-k must be a whole number of at least 1, or empty for off"
    top_k = whole_number(value, message)
    if top_k < 1:
        raise ValueError(message)
    return top_k


def check_names(value) -> list[str]:
    if not isinstance(value, (list, tuple)) or not all(isinstance(name, str) for name in value):
        raise ValueError("expected a list of classifier names")
    return list(value)


def check_bool(value) -> bool:
    if not isinstance(value, bool):
        raise ValueError("expected true or false")
    return value


def check_theme(value) -> str:
    if not isinstance(value, str) or not value:
        raise ValueError("expected a theme name")
    return value


CHECKS = {
    "beam_width": check_beam_width,
    "temperature": check_temperature,
    "top_k": check_top_k,
    "disabled_classifiers": check_names,
    "side_panel": check_bool,
    "theme": check_theme,
    "shade_words": check_bool,
}
