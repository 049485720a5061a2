"""The settings screen (F6): beam width, temperature, top-k, which classifiers run, the side
panel and the theme. Ctrl+S or Save checks every field and dismisses with the new
AppSettings (the app applies and stores them); Esc dismisses with None, changing nothing.
"""

from __future__ import annotations

from textual import on
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, VerticalScroll
from textual.screen import ModalScreen
from textual.widgets import Button, Checkbox, Footer, Input, Label, Select, Static

from seqbot.app.engines import CLASSIFIER_CHECKPOINTS
from seqbot.app.settings import (
    CHAT_BEAM_WIDTH,
    AppSettings,
    check_beam_width,
    check_temperature,
    check_top_k,
)
from seqbot.app.widgets.side_panel import MODEL_TITLES


class SettingsScreen(ModalScreen[AppSettings | None]):
    BINDINGS = [
        Binding("escape", "dismiss", "Cancel"),
        Binding("ctrl+s", "save", "Save", priority=True),
    ]

    def __init__(self, settings: AppSettings, themes: list[str]) -> None:
        super().__init__()
        self.settings = settings
        self.themes = themes

    def compose(self) -> ComposeResult:
        settings = self.settings
        with VerticalScroll(id="settings-box"):
            yield Static("Settings", classes="panel-title")
            yield Label("Beam width (translate mode, Ctrl+B; chat uses its model's own beam "
                        f"{CHAT_BEAM_WIDTH}, as `seqbot chat` does)")
            yield Input(str(settings.beam_width), id="beam-width", type="integer")
            yield Label("Temperature (generate mode; 0 = greedy)")
            yield Input(f"{settings.temperature:g}", id="temperature")
            yield Label("Top-k (generate mode; empty = off)")
            yield Input("" if settings.top_k is None else str(settings.top_k), id="top-k")
            yield Label("Classifiers that run on each message")
            for name in CLASSIFIER_CHECKPOINTS:
                title = MODEL_TITLES.get(name, name)
                yield Checkbox(f"{name} ({title})", name not in settings.disabled_classifiers, id=f"classifier-{name}")
            yield Checkbox("Show the side panel (F5)", settings.side_panel, id="side-panel-visible")
            yield Label("Theme")
            themes = sorted(set(self.themes) | {settings.theme})
            yield Select([(theme, theme) for theme in themes], value=settings.theme, allow_blank=False, id="theme")
            yield Static("", id="settings-error")
            with Horizontal(id="settings-buttons"):
                yield Button("Save", variant="primary", id="save")
                yield Button("Cancel", id="cancel")
        yield Footer()

    def on_mount(self) -> None:
        self.query_one("#beam-width", Input).focus()

    def read(self) -> AppSettings:
        """The settings on screen; ValueError naming the field that is wrong."""
        fields = (("beam-width", "Beam width", check_beam_width), ("temperature", "Temperature", check_temperature),
                  ("top-k", "Top-k", check_top_k))
        values = {}
        for widget_id, title, check in fields:
            try:
                values[widget_id] = check(self.query_one(f"#{widget_id}", Input).value)
            except ValueError as error:
                self.query_one(f"#{widget_id}", Input).focus()
                raise ValueError(f"{title}: {error}") from None
        return AppSettings(
            beam_width=values["beam-width"],
            temperature=values["temperature"],
            top_k=values["top-k"],
            disabled_classifiers=[name for name in CLASSIFIER_CHECKPOINTS
                                  if not self.query_one(f"#classifier-{name}", Checkbox).value],
            side_panel=self.query_one("#side-panel-visible", Checkbox).value,
            theme=str(self.query_one("#theme", Select).value),
        )

    def action_save(self) -> None:
        try:
            settings = self.read()
        except ValueError as error:
            self.query_one("#settings-error", Static).update(str(error))
            return
        self.dismiss(settings)

    @on(Button.Pressed, "#save")
    def on_save(self) -> None:
        self.action_save()

    @on(Button.Pressed, "#cancel")
    def on_cancel(self) -> None:
        self.dismiss(None)
