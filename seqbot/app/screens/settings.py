"""The settings screen (F6): beam width, temperature, top-k, which classifiers run, the side
panel, shading of the words a translation is unsure of, and the theme. Ctrl+S or Save checks every field and dismisses with the new
AppSettings (the app applies and stores them); Esc dismisses with None, changing nothing.
A field that is wrong keeps the screen open: its message is shown right under it, the field
is marked and focused, and the dialog scrolls to show both (it may be taller than the terminal).
"""

from __future__ import annotations

from textual import on
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, VerticalScroll
from textual.screen import ModalScreen
from textual.widgets import Button, Checkbox, Footer, Input, Label, Select, Static

from seqbot.app.settings import (
    AppSettings,
    check_beam_width,
    check_temperature,
    check_top_k,
)
from seqbot.contract.shipped import panel_classifiers

# The fields that are typed in: (input id, check); each check's message names its field.
TYPED_FIELDS = (("beam-width", check_beam_width), ("temperature", check_temperature), ("top-k", check_top_k))


class FieldError(ValueError):
    """A typed field that is wrong: which one (its input's id) and why."""

    def __init__(self, field_id: str, message: str) -> None:
        super().__init__(message)
        self.field_id = field_id


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
            yield Label("Beam width (translate mode, Ctrl+B; chat keeps its model's own)")
            yield Input(str(settings.beam_width), id="beam-width", type="integer")
            yield Static("", id="beam-width-error", classes="field-error")
            yield Label("Temperature (generate mode; 0 = greedy)")
            yield Input(f"{settings.temperature:g}", id="temperature")
            yield Static("", id="temperature-error", classes="field-error")
            yield Label("Top-k (generate mode; empty = off)")
            yield Input("" if settings.top_k is None else str(settings.top_k), id="top-k")
            yield Static("", id="top-k-error", classes="field-error")
            yield Label("Classifiers that run on each message")
            for model in panel_classifiers():
                yield Checkbox(f"{model.name} ({model.title})", model.name not in settings.disabled_classifiers,
                               id=f"classifier-{model.name}")
            yield Checkbox("Show the side panel (F5)", settings.side_panel, id="side-panel-visible")
            yield Checkbox("Shade words the translator is unsure of (dim, underlined)", settings.shade_words,
                           id="shade-words")
            yield Label("Theme")
            themes = sorted(set(self.themes) | {settings.theme})
            yield Select([(theme, theme) for theme in themes], value=settings.theme, allow_blank=False, id="theme")
            with Horizontal(id="settings-buttons"):
                yield Button("Save", variant="primary", id="save")
                yield Button("Cancel", id="cancel")
        yield Footer()

    def on_mount(self) -> None:
        self.query_one("#beam-width", Input).focus()

    def read(self) -> AppSettings:
        """The settings on screen; FieldError for the first typed field that is wrong."""
        values = {}
        for widget_id, check in TYPED_FIELDS:
            try:
                values[widget_id] = check(self.query_one(f"#{widget_id}", Input).value)
            except ValueError as error:
                message = str(error)
                raise FieldError(widget_id, message[:1].upper() + message[1:] + ".") from None
        return AppSettings(
            beam_width=values["beam-width"],
            temperature=values["temperature"],
            top_k=values["top-k"],
            disabled_classifiers=[model.name for model in panel_classifiers()
                                  if not self.query_one(f"#classifier-{model.name}", Checkbox).value],
            side_panel=self.query_one("#side-panel-visible", Checkbox).value,
            shade_words=self.query_one("#shade-words", Checkbox).value,
            theme=str(self.query_one("#theme", Select).value),
        )

    def action_save(self) -> None:
        try:
            settings = self.read()
        except FieldError as error:
            self.show_error(error.field_id, str(error))
            return
        self.dismiss(settings)

    def show_error(self, field_id: str, message: str) -> None:
        """`message` right under the field, the field marked and focused, both scrolled into view."""
        for other, _ in TYPED_FIELDS:
            self.clear_error(other)
        field = self.query_one(f"#{field_id}", Input)
        error = self.query_one(f"#{field_id}-error", Static)
        error.update(message)
        error.add_class("-shown")
        field.add_class("-invalid")
        field.focus()
        self.call_after_refresh(error.scroll_visible, animate=False)

    def clear_error(self, field_id: str) -> None:
        self.query_one(f"#{field_id}-error", Static).remove_class("-shown")
        self.query_one(f"#{field_id}", Input).remove_class("-invalid")

    @on(Input.Changed)
    def on_field_changed(self, event: Input.Changed) -> None:
        if event.input.id in {field_id for field_id, _ in TYPED_FIELDS}:
            self.clear_error(event.input.id)  # the message was about what was there before

    @on(Button.Pressed, "#save")
    def on_save(self) -> None:
        self.action_save()

    @on(Button.Pressed, "#cancel")
    def on_cancel(self) -> None:
        self.dismiss(None)
