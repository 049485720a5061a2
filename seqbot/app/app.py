"""The seqbot Textual app: a chat that translates each message into French, character by
character, while a side panel shows what the lecture's classifiers make of it.

    seqbot                                  # the shipped checkpoints
    seqbot --checkpoints runs/small --mode chat --no-classifiers

The first frame needs only Textual: models (and NumPy) load in a worker thread after it,
and every reply is computed in a thread worker that streams characters back (a beam search:
its best reply so far, replaced in place as the search goes on), so the input never blocks. Messages sent while a reply is running wait
in a queue and are answered in order.
"""

from __future__ import annotations

import time
from collections import deque
from pathlib import Path

from textual import on, work
from textual.app import App, ComposeResult
from textual.binding import Binding
from textual.message import Message
from textual.containers import Horizontal, VerticalScroll
from textual.reactive import reactive
from textual.widgets import Footer, Header, Static
from textual.worker import get_current_worker

from seqbot.app.commands import SeqbotCommands
from seqbot.app.conversation import (
    MODE_TITLES,
    MODES,
    Turn,
    conversation_to_json,
    conversation_to_markdown,
    write_export,
)
from seqbot.app.engines import MODE_ENGINE, EngineHub, EngineUnavailable
from seqbot.app.widgets.message_input import MessageInput
from seqbot.app.widgets.side_panel import SidePanel
from seqbot.app.widgets.turn_view import TurnView

BEAM_WIDTH = 4
TEMPERATURES = (0.2, 0.5, 0.8, 1.0, 1.2, 1.5)
MAX_MESSAGE_CHARS = 1000
GENERATE_LENGTH = 200
PLACEHOLDERS = {
    "translate": "Type an English sentence and press Enter…",
    "chat": "Say something to the chatbot and press Enter…",
    "generate": "Type the start of a text and press Enter…",
}
WELCOME = (
    "Welcome to seqbot.\n\n"
    "Type an English sentence below and press Enter: a character-level seq2seq model answers in "
    "French, one character at a time, and the side panel shows what the RNN lecture's classifiers "
    "think of your message.\n\n"
    "F2 switches mode (translate, chat, generate) · Ctrl+B greedy/beam · F1 help · Ctrl+P all commands"
)


def is_korean(text: str) -> bool:
    return any("\uac00" <= char <= "\ud7a3" or "\u3131" <= char <= "\u318e" for char in text)


class Conversation(VerticalScroll):
    """The scrolling list of turns; focus it (Tab) to move the selection with ↑/↓."""

    can_focus = True
    BINDINGS = [
        Binding("up", "app.select_previous", "Previous message", show=False),
        Binding("down", "app.select_next", "Next message", show=False),
    ]


class SeqbotApp(App[None]):
    TITLE = "seqbot"
    CSS_PATH = "seqbot.tcss"
    COMMANDS = App.COMMANDS | {SeqbotCommands}
    # Below 100 columns the side panel narrows and the footer packs its keys.
    HORIZONTAL_BREAKPOINTS = [(0, "-narrow"), (100, "-wide")]
    BINDINGS = [
        Binding("f1", "help", "Help"),
        Binding("question_mark", "help", "Help", show=False),
        Binding("f2", "cycle_mode", "Mode"),
        Binding("ctrl+b", "toggle_beam", "Greedy/beam"),
        Binding("f3", "attention", "Attention"),
        Binding("f4", "cycle_temperature", "Temperature"),
        Binding("ctrl+y", "copy_reply", "Copy"),
        Binding("ctrl+s", "export", "Export"),
        Binding("ctrl+l", "clear", "Clear"),
        Binding("ctrl+up", "select_previous", "Previous message", show=False),
        Binding("ctrl+down", "select_next", "Next message", show=False),
    ]

    mode: reactive[str] = reactive("translate", init=False)
    beam: reactive[int] = reactive(1, init=False)
    temperature: reactive[float] = reactive(0.8, init=False)

    def __init__(
        self,
        hub: EngineHub,
        mode: str = "translate",
        classify: bool = True,
        preload: bool = True,
        export_dirs: list[Path] | None = None,
    ) -> None:
        super().__init__()
        if mode not in MODES:
            raise ValueError(f"unknown mode {mode!r}; choose one of {', '.join(MODES)}")
        self.hub = hub
        self.classify = classify and hub.has("classifiers")
        self.preload = preload
        self.export_dirs = export_dirs
        self.turns: list[Turn] = []
        self.views: dict[int, TurnView] = {}
        self.pending: deque[Turn] = deque()
        self.active: Turn | None = None
        self.selected: Turn | None = None
        self.next_number = 1
        self.redraw_pending: set[int] = set()
        self.set_reactive(SeqbotApp.mode, mode)

    # ----------------------------------------------------------------- layout

    def compose(self) -> ComposeResult:
        yield Header(icon="⇄")
        with Horizontal(id="main"):
            with Conversation(id="conversation"):
                yield Static(WELCOME, id="welcome")
            yield SidePanel(id="side-panel")
        yield MessageInput(max_chars=MAX_MESSAGE_CHARS, placeholder=PLACEHOLDERS[self.mode], id="message-input")
        yield Footer()

    def on_mount(self) -> None:
        self.query_one(SidePanel).classifiers_on = self.classify
        self.update_status()
        self.query_one(MessageInput).focus()
        self.set_interval(0.2, self.tick)
        if self.preload:
            self.call_after_refresh(self.load_models)

    def on_resize(self, event) -> None:
        self.query_one(Footer).compact = event.size.width < 100

    def update_status(self) -> None:
        decoding = f"temperature {self.temperature:g}" if self.mode == "generate" else (
            "greedy" if self.beam == 1 else f"beam {self.beam}")
        self.sub_title = f"{self.mode} · {decoding}"
        message_input = self.query_one(MessageInput)
        message_input.border_title = f"{MODE_TITLES[self.mode]} · {decoding}"
        waiting = len(self.pending)
        message_input.border_subtitle = f"{waiting} queued" if waiting else ""

    def statuses(self) -> dict[str, str]:
        statuses = {name: self.hub.status(name) for name in self.hub.names}
        classifiers = self.hub.peek("classifiers")
        if classifiers is not None:
            names = list(getattr(classifiers, "names", []) or [])
            errors = dict(getattr(classifiers, "errors", {}) or {})
            statuses["classifiers"] = f"ready ({len(names)} model{'' if len(names) == 1 else 's'}" + (
                f", {len(errors)} unavailable: {', '.join(errors)})" if errors else ")")
        return statuses

    def refresh_panel(self) -> None:
        self.query_one(SidePanel).show(self.selected, self.statuses())

    # ------------------------------------------------------------ model loading

    @work(thread=True, group="load", exit_on_error=False)
    def load_models(self) -> None:
        """Load every model once, the current mode's first, so the first reply is quick."""
        order = [MODE_ENGINE[self.mode], "translator", "classifiers", "chat", "generator"]
        for name in dict.fromkeys(order):
            if get_current_worker().is_cancelled:
                return
            if not self.hub.has(name):
                continue
            try:
                self.hub.get(name)
            except EngineUnavailable:
                pass  # the status line and the turns that need it say why
            self.ui(self.refresh_panel)

    def ui(self, callback, *args):
        """Run `callback` on the app's thread; quietly nothing once the app is closing."""
        try:
            return self.call_from_thread(callback, *args)
        except Exception:
            return None

    # ---------------------------------------------------------------- messages

    @on(MessageInput.Submitted)
    def on_message_submitted(self, event: MessageInput.Submitted) -> None:
        message_input = self.query_one(MessageInput)
        text = event.value.strip()
        if not text:
            return
        message_input.history.add(text)
        message_input.value = ""
        self.send(text)

    def send(self, text: str) -> Turn:
        notices = []
        if len(text) > MAX_MESSAGE_CHARS:
            notices.append(f"the message had {len(text):,} characters; only the first {MAX_MESSAGE_CHARS:,} were kept")
            self.notify(notices[-1], title="Message truncated", severity="warning")
            text = text[:MAX_MESSAGE_CHARS]
        turn = Turn(
            number=self.next_number,
            mode=self.mode,
            text=text,
            beam=self.beam if self.mode != "generate" else 1,
            temperature=self.temperature if self.mode == "generate" else None,
            notices=notices,
        )
        self.next_number += 1
        self.turns.append(turn)
        view = TurnView(turn)
        self.views[turn.number] = view
        self.query_one("#welcome").display = False
        self.query_one(Conversation).mount(view)
        self.pending.append(turn)
        self.select(turn)
        self.pump()
        return turn

    def pump(self) -> None:
        """Start the next queued turn if nothing is running."""
        if self.active is None and self.pending:
            turn = self.pending.popleft()
            self.active = turn
            turn.status = "running"
            turn.started = time.perf_counter()
            self.turn_changed(turn)
            self.answer(turn)
        self.update_status()

    def turn_changed(self, turn: Turn, reply_only: bool = False) -> None:
        view = self.views.get(turn.number)
        if view is None or view.turn is not turn or not view.is_mounted:
            return  # cleared meanwhile
        if reply_only:
            view.refresh_reply()
        else:
            view.refresh_turn()
        if turn is self.turns[-1] and turn is self.selected:  # follow the stream unless the person looks elsewhere
            self.query_one(Conversation).scroll_end(animate=False)

    def tick(self) -> None:
        """Advance the timer of a running beam search (shown until its first partial reply)."""
        if self.active is not None and self.active.searching and not self.active.reply:
            self.turn_changed(self.active, reply_only=True)

    def turn_finished(self, turn: Turn) -> None:
        if self.active is turn:
            self.active = None
        self.turn_changed(turn)
        if turn is self.selected:
            self.refresh_panel()
        self.pump()

    @work(thread=True, group="answer", exit_on_error=False)
    def answer(self, turn: Turn) -> None:
        started = time.perf_counter()
        try:
            if turn.mode == "translate":
                self.translate(turn)
            elif turn.mode == "chat":
                self.chat(turn)
            else:
                self.generate(turn)
            turn.status = "cancelled" if turn.cancelled else "done"
        except EngineUnavailable as error:
            turn.status, turn.error = "error", str(error)
        except Exception as error:  # a model bug must cost one reply, not the app
            turn.status, turn.error = "error", f"the model failed on this message ({type(error).__name__}: {error})"
        turn.seconds = time.perf_counter() - started
        self.ui(self.turn_changed, turn)
        if self.classify and not turn.cancelled:
            self.classify_turn(turn)
        self.ui(self.turn_finished, turn)

    class ReplyGrew(Message):
        """Posted by a worker when a streamed reply got longer (at most one waiting per turn)."""

        def __init__(self, turn: Turn) -> None:
            super().__init__()
            self.turn = turn

    def stream(self, turn: Turn, pieces, replace: bool = False):
        """Append each piece to the reply (with `replace`, each piece is the whole reply so far,
        as a beam search gives it). The decoder never waits for the screen: it posts one redraw
        message at a time, and the redraw shows every piece that arrived meanwhile. Returns what
        the generator returns (the engines' beam streams return their final result), None when
        cancelled."""
        worker = get_current_worker()
        pieces = iter(pieces)
        while True:
            try:
                piece = next(pieces)
            except StopIteration as stop:
                return stop.value
            if turn.cancelled or worker.is_cancelled:
                turn.cancelled = True
                getattr(pieces, "close", lambda: None)()  # stop the search now, not at its end
                return None
            turn.reply = piece if replace else turn.reply + piece
            if id(turn) not in self.redraw_pending:
                self.redraw_pending.add(id(turn))
                self.post_message(self.ReplyGrew(turn))

    @on(ReplyGrew)
    def on_reply_grew(self, message: ReplyGrew) -> None:
        self.redraw_pending.discard(id(message.turn))  # before reading the reply, so no piece is missed
        self.turn_changed(message.turn, reply_only=True)

    def translate(self, turn: Turn) -> None:
        translator = self.hub.get("translator")
        turn.model = "translator"
        turn.unknown_chars = list(translator.unknown_characters(turn.text))
        if turn.unknown_chars:
            self.ui(self.turn_changed, turn)
        if turn.beam > 1:
            result = None
            if hasattr(translator, "stream_beam"):  # the best hypothesis so far, as the search runs
                result = self.stream(turn, translator.stream_beam(turn.text, beam=turn.beam), replace=True)
                if turn.cancelled:
                    return
            if result is None:
                result = translator.translate(turn.text, beam=turn.beam)
        else:
            self.stream(turn, translator.stream(turn.text))
            if turn.cancelled:
                return
            result = translator.translate(turn.text)  # the same greedy text, now with its attention
        turn.reply = result.text
        turn.source = result.source
        turn.attention = result.attention
        turn.unknown_chars = list(result.unknown_chars) or turn.unknown_chars
        if result.truncated:
            turn.notices.append(
                f"the translator reads at most {len(result.source)} characters; the rest was not translated")

    def chat(self, turn: Turn) -> None:
        chatbot = self.hub.get("chat")
        turn.model = "chat"
        if hasattr(chatbot, "unknown_characters"):
            turn.unknown_chars = list(chatbot.unknown_characters(turn.text))
            if turn.unknown_chars:
                self.ui(self.turn_changed, turn)
        if turn.beam > 1 and hasattr(chatbot, "stream_reply"):
            self.stream(turn, chatbot.stream_reply(turn.text, beam=turn.beam), replace=True)
        elif turn.beam > 1:
            turn.reply = chatbot.reply(turn.text, beam=turn.beam)
        else:
            self.stream(turn, chatbot.stream(turn.text))

    def generate(self, turn: Turn) -> None:
        generator = self.hub.get("generator")
        turn.model = "generator"
        if hasattr(generator, "plan") and hasattr(generator, "stream_plan"):
            # The real engine checks the request first and says what it changed (unknown characters, ...).
            plan = generator.plan(turn.text, temperature=turn.temperature, length=GENERATE_LENGTH)
            if plan.notices:
                turn.notices.extend(plan.notices)
                self.ui(self.turn_changed, turn)
            self.stream(turn, generator.stream_plan(plan))
        else:
            self.stream(turn, generator.stream(turn.text, temperature=turn.temperature, length=GENERATE_LENGTH))

    def classify_turn(self, turn: Turn) -> None:
        try:
            classifiers = self.hub.get("classifiers")
        except EngineUnavailable as error:
            turn.classifier_errors = {"classifiers": str(error)}
        else:
            try:
                turn.predictions = list(classifiers.classify(turn.text))
            except ValueError as error:  # SeqbotError: e.g. "no words to classify (only emoji)"
                turn.classifier_errors["classifiers"] = str(error)
            except Exception as error:
                turn.classifier_errors["classifiers"] = f"failed on this message ({type(error).__name__}: {error})"
            languages = {getattr(p, "language", None) for p in turn.predictions}
            korean = "ko" in languages if turn.predictions else is_korean(turn.text)
            for name, message in (getattr(classifiers, "errors", {}) or {}).items():
                # Only the models that would have read this message: NSMC for Korean, the others for English.
                if ("nsmc" in name.lower()) == korean:
                    turn.classifier_errors[name] = message
        turn.classified = True

    # ---------------------------------------------------------------- selection

    def select(self, turn: Turn | None) -> None:
        self.selected = turn
        for number, view in self.views.items():
            view.set_class(turn is not None and number == turn.number, "-selected")
        if turn is not None and turn.number in self.views:
            self.views[turn.number].scroll_visible(animate=False)
        self.refresh_panel()

    @on(TurnView.Selected)
    def on_turn_selected(self, event: TurnView.Selected) -> None:
        self.select(event.turn)

    def action_select_previous(self) -> None:
        if self.turns:
            index = self.turns.index(self.selected) if self.selected in self.turns else len(self.turns)
            self.select(self.turns[max(index - 1, 0)])

    def action_select_next(self) -> None:
        if self.turns:
            index = self.turns.index(self.selected) if self.selected in self.turns else -1
            self.select(self.turns[min(index + 1, len(self.turns) - 1)])

    # ------------------------------------------------------------------ actions

    def palette_commands(self) -> list[tuple[str, str, str]]:
        """(title, help, action) for the command palette; every action is here."""
        commands = [(f"Mode: {mode}", PLACEHOLDERS[mode].rstrip("…"), f"set_mode('{mode}')") for mode in MODES]
        commands += [
            ("Decoding: toggle greedy / beam search", "Switch between greedy decoding and beam search", "toggle_beam"),
            ("Decoding: greedy", "Pick the most likely character at each step (streams)", "set_beam(1)"),
            (f"Decoding: beam search (width {BEAM_WIDTH})", "Keep the best partial replies; shows the best so far as it searches", f"set_beam({BEAM_WIDTH})"),
        ]
        commands += [(f"Temperature: {t:g}", "Sampling temperature of the generate mode", f"set_temperature({t})") for t in TEMPERATURES]
        commands += [
            ("Attention heatmap", "Which input characters each output character looked at", "attention"),
            ("Copy reply", "Copy the selected reply to the clipboard (OSC 52)", "copy_reply"),
            ("Export conversation (Markdown and JSON)", "Write both files to the current folder", "export"),
            ("Export conversation as Markdown", "Write a .md file to the current folder", "export('md')"),
            ("Export conversation as JSON", "Write a .json file to the current folder", "export('json')"),
            ("Clear conversation", "Remove every message and cancel queued ones", "clear"),
            ("Select previous message", "The side panel follows the selection", "select_previous"),
            ("Select next message", "The side panel follows the selection", "select_next"),
            ("Help", "Keys and what seqbot does", "help"),
            ("Change theme", "Pick another colour theme", "change_theme"),
        ]
        return commands

    def action_help(self) -> None:
        from seqbot.app.screens.help import HelpScreen

        if not isinstance(self.screen, HelpScreen):
            self.push_screen(HelpScreen())

    @on(MessageInput.HelpRequested)
    def on_help_requested(self) -> None:
        self.action_help()

    def action_cycle_mode(self) -> None:
        self.mode = MODES[(MODES.index(self.mode) + 1) % len(MODES)]

    def action_set_mode(self, mode: str) -> None:
        self.mode = mode

    def watch_mode(self, mode: str) -> None:
        self.query_one(MessageInput).placeholder = PLACEHOLDERS[mode]
        self.update_status()
        self.refresh_bindings()
        status = self.hub.status(MODE_ENGINE[mode])
        if status in ("ready", "loading", "not loaded"):
            self.notify(f"{MODE_TITLES[mode]} mode", timeout=2)
        else:
            self.notify(f"{MODE_TITLES[mode]} mode, but its model is unavailable: {status}", severity="warning")

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        if action == "cycle_temperature":
            return self.mode == "generate"
        if action == "toggle_beam":
            return self.mode != "generate"
        return True

    def action_toggle_beam(self) -> None:
        self.action_set_beam(BEAM_WIDTH if self.beam == 1 else 1)

    def action_set_beam(self, width: int) -> None:
        self.beam = width

    def watch_beam(self, beam: int) -> None:
        self.update_status()
        self.notify("Greedy decoding (streams as it goes)" if beam == 1 else f"Beam search, width {beam}", timeout=2)

    def action_cycle_temperature(self) -> None:
        later = [t for t in TEMPERATURES if t > self.temperature + 1e-9]
        self.temperature = later[0] if later else TEMPERATURES[0]

    def action_set_temperature(self, temperature: float) -> None:
        self.temperature = float(temperature)

    def watch_temperature(self, temperature: float) -> None:
        self.update_status()
        self.notify(f"Temperature {temperature:g}", timeout=2)

    def reply_target(self) -> Turn | None:
        """The selected turn, else the latest one."""
        if self.selected in self.turns:
            return self.selected
        return self.turns[-1] if self.turns else None

    def action_attention(self) -> None:
        turn = self.reply_target()
        if turn is None:
            self.notify("Nothing to show yet: send a message first.", severity="warning")
        elif turn.mode != "translate":
            self.notify(f"Message {turn.number} was answered in {turn.mode} mode; attention is shown for translations.", severity="warning")
        elif not turn.finished:
            self.notify(f"Message {turn.number} is still being translated.", severity="warning")
        elif not turn.reply:
            self.notify(f"Message {turn.number} got an empty translation, so there is no heatmap.", severity="warning")
        elif turn.attention is None:
            self.notify("This translator has no attention (trained with attention \"none\"), so there is no heatmap.", severity="warning")
        else:
            from seqbot.app.screens.attention import AttentionScreen

            self.push_screen(AttentionScreen(turn))

    def action_copy_reply(self) -> None:
        turn = self.reply_target()
        if turn is None or not turn.reply:
            self.notify("There is no reply to copy yet.", severity="warning")
            return
        self.copy_to_clipboard(turn.reply)
        self.notify(f"Copied reply {turn.number} to the clipboard ({len(turn.reply)} characters).", timeout=3)

    def action_export(self, which: str = "both") -> None:
        if not self.turns:
            self.notify("Nothing to export yet.", severity="warning")
            return
        formats = {"md": conversation_to_markdown, "json": conversation_to_json}
        chosen = formats if which == "both" else {which: formats[which]}
        stamp = time.strftime("%Y%m%d-%H%M%S")
        try:
            paths = [write_export(render(self.turns), suffix, self.export_dirs, stamp) for suffix, render in chosen.items()]
        except OSError as error:
            self.notify(str(error), title="Export failed", severity="error")
            return
        self.notify("\n".join(str(path) for path in paths), title="Conversation exported", timeout=6)

    def action_clear(self) -> None:
        for turn in self.turns:
            turn.cancelled = True
        self.pending.clear()
        self.turns = []
        self.views = {}
        self.next_number = 1
        self.query(TurnView).remove()
        self.query_one("#welcome").display = True
        self.select(None)
        self.update_status()
        self.notify("Conversation cleared.", timeout=2)
