"""A one-line labelled probability bar: `label  ██████░░░░  62%`.

Colours come from the component classes, so the bar follows the theme.
"""

from __future__ import annotations

from rich.text import Text
from textual.widget import Widget


def bar_text(label: str, value: float, width: int, label_width: int, filled_style="", empty_style="", label_style="") -> Text:
    value = min(max(float(value), 0.0), 1.0)
    percent = f"{value:4.0%}"
    bar_width = max(width - label_width - len(percent) - 2, 4)
    # Eighth blocks give the bar sub-cell resolution, so 51% and 49% look different.
    eighths = round(value * bar_width * 8)
    full, remainder = divmod(eighths, 8)
    partial = " ▏▎▍▌▋▊▉"[remainder] if remainder else ""
    text = Text(no_wrap=True, overflow="ellipsis")
    text.append(label[:label_width].ljust(label_width), label_style)
    text.append(" ")
    text.append("█" * full + partial, filled_style)
    text.append("·" * (bar_width - full - len(partial)), empty_style)
    text.append(" " + percent)
    return text


class LabelledBar(Widget):
    COMPONENT_CLASSES = {"bar--filled", "bar--empty", "bar--label"}
    DEFAULT_CSS = """
    LabelledBar { height: 1; }
    LabelledBar > .bar--filled { color: $primary; }
    LabelledBar > .bar--empty { color: $foreground 25%; }
    LabelledBar > .bar--label { color: $foreground; }
    LabelledBar.-winner > .bar--filled { color: $accent; }
    LabelledBar.-winner > .bar--label { text-style: bold; }
    LabelledBar.-winner.-alarming > .bar--filled { color: $error; }
    LabelledBar.-winner.-reassuring > .bar--filled { color: $success; }
    """

    def __init__(self, label: str, value: float, label_width: int = 10, **kwargs) -> None:
        super().__init__(**kwargs)
        self.label = label
        self.value = value
        self.label_width = label_width

    def render(self) -> Text:
        return bar_text(
            self.label,
            self.value,
            self.size.width,
            self.label_width,
            self.get_component_rich_style("bar--filled"),
            self.get_component_rich_style("bar--empty"),
            self.get_component_rich_style("bar--label"),
        )
