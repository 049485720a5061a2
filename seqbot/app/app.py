"""The seqbot Textual app: a chat that translates each message into French, character by
character, while a side panel shows what the lecture's classifiers make of it.

    seqbot                                  # the shipped checkpoints
    seqbot --checkpoints runs/small --mode chat --no-classifiers

The first frame needs only Textual: models (and NumPy) load in a worker thread after it,
and every reply is computed in a thread worker that streams characters back (a beam search:
its best reply so far, replaced in place as the search goes on), so the input never blocks.
Messages sent while a reply is running wait in a queue and are answered in order; Esc stops
the running reply (keeping what it wrote) and the queue goes on; a second Esc within a moment
(QUEUE_CLEAR_SECONDS, while the footer says "Esc Clear") empties the queue.
Every message, reply and verdict is written to the conversation store (store.py) as it happens.

The app keeps the layout, the keys, the queue, the store and the settings; what a message gets in
each mode (which model, how it decodes, what streams, the input's placeholder) is that mode's class
in modes/, and the side panel's verdicts are verdicts.py's. Which models there are comes from the
table of shipped models (seqbot/contract/shipped.py): no module of the app names one.
"""

from __future__ import annotations

import time
from collections import deque
from pathlib import Path

from textual import on, work
from textual.app import App, ComposeResult, ScreenStackError, SystemCommand
from textual.binding import Binding
from textual.containers import Horizontal
from textual.css.query import NoMatches
from textual.message import Message
from textual.reactive import reactive
from textual.screen import Screen
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
from seqbot.app.engines import CLASSIFIERS, ENGINES, EngineHub, EngineUnavailable
from seqbot.app.modes import Mode, make_modes
from seqbot.app.settings import AppSettings
from seqbot.app.store import ConversationStore, data_dir
from seqbot.app.verdicts import classifiers_status, classify_turn
from seqbot.app.widgets.footer import SeqbotFooter
from seqbot.app.widgets.message_input import MessageInput
from seqbot.app.widgets.side_panel import SidePanel
from seqbot.app.widgets.turn_list import Conversation
from seqbot.app.widgets.turn_view import TurnView
from seqbot.contract.shipped import panel_classifiers

TEMPERATURES = (0.2, 0.5, 0.8, 1.0, 1.2, 1.5)
BEAM_WIDTHS = (2, 4, 8, 16)
TOP_KS = (None, 5, 10, 40)
MAX_MESSAGE_CHARS = 1000
# After an Esc that stopped a reply while messages wait, a second Esc within this many seconds clears the queue.
QUEUE_CLEAR_SECONDS = 1.0
# A reply being written is redrawn at most this often. Each redraw holds the interpreter while the
# screen lays the reply out; one after every decoder step starved the decoder thread (see reply_grew).
REDRAW_SECONDS = 0.05
WELCOME = (
    "Welcome to seqbot.\n\n"
    "Type an English sentence below and press Enter: a character-level seq2seq model answers in "
    "French, one character at a time, and the side panel shows what the RNN lecture's classifiers "
    "think of your message.\n\n"
    "F2 mode · Ctrl+B greedy/beam · Esc stops a reply · Ctrl+O past conversations · F1 help · Ctrl+P all commands"
)
CLIPBOARD_NOTICE = (
    "Sent reply {number} ({length} characters) to the terminal's clipboard with OSC 52. "
    "If it does not paste: the terminal must allow OSC 52; under tmux add "
    "`set -g set-clipboard on` to ~/.tmux.conf."
)


class ChatScreen(Screen):
    """The main screen. The compose box has the focus from the moment the screen is composed, so
    keys typed while the app starts (read from the terminal before the first frame) reach it;
    with Textual's default, the first focusable widget (the conversation) took them and dropped them."""

    AUTO_FOCUS = "#message-input"


class SeqbotApp(App[None]):
    TITLE = "seqbot"
    CSS_PATH = "seqbot.tcss"
    COMMANDS = App.COMMANDS | {SeqbotCommands}
    # Below 100 columns the side panel narrows and the footer packs its keys.
    HORIZONTAL_BREAKPOINTS = [(0, "-narrow"), (100, "-wide")]
    # The footer's descriptions are short so that 80 columns show every key above the `wide` ones in
    # any mode and state (Stop or Clear included), beside Textual's "^p palette"; F1 and Ctrl+P say more.
    BINDINGS = [
        Binding("escape", "stop", "Stop"),
        # Takes Esc instead of Stop for QUEUE_CLEAR_SECONDS after an Esc that stopped a reply (see check_action).
        Binding("escape", "clear_queue('escape')", "Clear", tooltip="Clear the queue: its messages are not answered"),
        Binding("f1", "help", "Help"),
        Binding("question_mark", "help", "Help", show=False),
        Binding("f2", "cycle_mode", "Mode"),
        Binding("ctrl+b", "toggle_beam", "Beam"),
        Binding("f4", "cycle_temperature", "Temp", tooltip="Next sampling temperature"),
        # Priority: the input would take F6 (select line) and Ctrl+Y (redo) itself.
        Binding("f6", "settings", "Settings", priority=True),
        Binding("ctrl+y", "copy_reply", "Copy", priority=True),
        Binding("ctrl+o", "conversations", "History"),
        # Shown in the footer from the given width on, when all the keys before them fit in the widest
        # state (the key works at any width): 100 columns for the panel, ..., WIDE_FOOTER for all.
        # tests/test_app.py checks that no key is cut at any width.
        Binding("f5", "wide('toggle_panel', 100)", "Panel"),
        Binding("f5", "toggle_panel", "Panel", show=False),
        Binding("f3", "wide('attention', 110)", "Attention"),
        Binding("f3", "attention", "Attention", show=False),
        # Priority: the input would take F7 (select all) itself.
        Binding("f7", "wide('alternatives', 125)", "Alternatives", priority=True),
        Binding("f7", "alternatives", "Alternatives", show=False, priority=True),
        Binding("ctrl+s", "wide('export', 150)", "Export"),
        Binding("ctrl+s", "export", "Export", show=False),
        Binding("ctrl+l", "wide('clear', 160)", "New"),
        Binding("ctrl+l", "clear", "New conversation", show=False),
        Binding("ctrl+up", "select_previous", "Previous message", show=False),
        Binding("ctrl+down", "select_next", "Next message", show=False),
    ]
    # The input's Ctrl+J "New line" is in the footer from this many columns (widgets/message_input.py),
    # and from WIDE_FOOTER every key is.
    NEW_LINE_FOOTER = 140
    WIDE_FOOTER = 160

    mode: reactive[str] = reactive(MODES[0], init=False)
    beam: reactive[int] = reactive(1, init=False)
    temperature: reactive[float] = reactive(0.8, init=False)

    def __init__(
        self,
        hub: EngineHub,
        mode: str = MODES[0],
        classify: bool = True,
        preload: bool = True,
        export_dirs: list[Path] | None = None,
        store: ConversationStore | None = None,
        store_problem: str | None = None,
    ) -> None:
        super().__init__()
        if mode not in MODES:
            raise ValueError(f"unknown mode {mode!r}; choose one of {', '.join(MODES)}")
        self.hub = hub
        self.classify = classify and hub.has(CLASSIFIERS)
        self.preload = preload
        self.export_dirs = export_dirs
        self.store = store if store is not None else ConversationStore.in_memory()
        self.store_problem = store_problem
        self.settings = AppSettings.from_dict(self.store.settings())
        self.conversation_id: int | None = None
        self.message_ids: dict[int, int] = {}  # turn number -> its row in the store
        self.turns: list[Turn] = []
        self.pending: deque[Turn] = deque()
        self.active: Turn | None = None
        self.selected: Turn | None = None
        self.next_number = 1
        self.redraw_pending: set[int] = set()
        self.redraw_posted_at = 0.0  # time.monotonic() of the last redraw a worker asked for
        self.drawn_reply: str | None = None  # the active reply as last drawn
        self.queue_clear_seconds = QUEUE_CLEAR_SECONDS
        self.queue_clear_until = 0.0  # time.monotonic() until which Esc clears the queue
        self.started_by_stop: Turn | None = None  # the queued turn that an Esc's stop let start
        # What each mode does with a message (modes/): each keeps its own decoding, so chat starts at the
        # chat model's beam, as `seqbot chat` does, and translate at the settings' beam width, as `seqbot translate`.
        self.modes: dict[str, Mode] = make_modes(self)
        self.set_reactive(SeqbotApp.mode, mode)
        self.set_reactive(SeqbotApp.beam, self.modes[mode].beam)
        self.set_reactive(SeqbotApp.temperature, self.settings.temperature)

    @property
    def current_mode(self) -> Mode:
        return self.modes[self.mode]

    # ----------------------------------------------------------------- layout

    def get_default_screen(self) -> Screen:
        return ChatScreen(id="_default")

    def compose(self) -> ComposeResult:
        yield Header(icon="⇄")
        with Horizontal(id="main"):
            with Conversation(id="conversation"):
                yield Static(WELCOME, id="welcome")
            yield SidePanel(id="side-panel")
        yield Static("", id="queue")
        yield MessageInput(max_chars=MAX_MESSAGE_CHARS, placeholder=self.current_mode.placeholder,
                           id="message-input")
        yield SeqbotFooter()

    def on_mount(self) -> None:
        if self.settings.theme in self.available_themes:
            self.theme = self.settings.theme
        self.theme_changed_signal.subscribe(self, self.on_theme_changed)
        panel = self.query_one(SidePanel)
        panel.classifiers_on = self.classify
        panel.display = self.settings.side_panel
        message_input = self.query_one(MessageInput)
        message_input.input_history.entries = self.store.input_history()
        self.query_one(Conversation).show_turns(self.turns)
        self.update_status()
        message_input.focus()
        self.set_interval(0.2, self.tick)
        if self.store_problem:
            self.notify(self.store_problem, title="Conversations are not kept", severity="warning", timeout=10)
        if self.preload:
            self.call_after_refresh(self.load_models)

    def on_resize(self, event) -> None:
        self.query_one(Footer).compact = event.size.width < 100
        self.refresh_bindings()  # which keys the footer has room for (see `wide`)

    def update_status(self) -> None:
        decoding = self.decoding_label()
        self.sub_title = f"{self.mode} · {decoding}"
        message_input = self.query_one(MessageInput)
        message_input.border_title = f"{MODE_TITLES[self.mode]} · {decoding}"
        waiting = len(self.pending)
        message_input.border_subtitle = f"{waiting} queued · Esc twice clears" if waiting else ""
        queue = self.query_one("#queue", Static)
        queue.display = bool(waiting)
        if waiting:
            shown = " · ".join(f"{turn.number}. “{self.shorten(turn.text, 24)}”" for turn in list(self.pending)[:4])
            queue.update(f"waiting: {shown}" + (" …" if waiting > 4 else ""))
        self.refresh_bindings()

    @staticmethod
    def shorten(text: str, limit: int) -> str:
        text = " ".join(text.split())
        return text if len(text) <= limit else text[: limit - 1] + "…"

    def decoding_label(self) -> str:
        return self.current_mode.decoding_label()

    def statuses(self) -> dict[str, str]:
        statuses = {name: self.hub.status(name) for name in self.hub.names}
        classifiers = self.hub.peek(CLASSIFIERS)
        if classifiers is not None:
            statuses[CLASSIFIERS] = classifiers_status(classifiers)
        return statuses

    def refresh_panel(self) -> None:
        self.query_one(SidePanel).show(self.selected, self.statuses())

    # ------------------------------------------------------------ model loading

    @work(thread=True, group="load", exit_on_error=False)
    def load_models(self) -> None:
        """Load every model once, the current mode's first, so the first reply is quick."""
        order = [self.current_mode.model, *ENGINES]
        for name in dict.fromkeys(order):
            if get_current_worker().is_cancelled:
                return
            if not self.hub.has(name):
                continue
            try:
                engine = self.hub.get(name)
            except EngineUnavailable:
                pass  # the status line and the turns that need it say why
            else:
                for mode in self.modes.values():
                    if mode.model == name:
                        self.ui(mode.engine_loaded, engine)
            self.ui(self.refresh_panel)

    def mode_beam_changed(self, mode: Mode) -> None:
        """`mode` changed its own beam (its model loaded with another): shown at once if it is the current mode."""
        if mode is self.current_mode:
            self.set_reactive(SeqbotApp.beam, mode.beam)
            self.update_status()

    def ui(self, callback, *args):
        """Run `callback` on the app's thread; quietly nothing once the app is closing."""
        try:
            return self.call_from_thread(callback, *args)
        except Exception:
            return None

    # ---------------------------------------------------------------- messages

    @on(MessageInput.Submitted)
    def on_message_submitted(self, event: MessageInput.Submitted) -> None:
        text = event.value.strip("\n").rstrip()
        if not text.strip():
            return
        self.query_one(MessageInput).input_history.add(text)
        self.send(text)

    def send(self, text: str) -> Turn:
        notices = []
        if len(text) > MAX_MESSAGE_CHARS:
            notices.append(f"the message had {len(text):,} characters; only the first {MAX_MESSAGE_CHARS:,} were kept")
            self.notify(notices[-1], title="Message truncated", severity="warning")
            text = text[:MAX_MESSAGE_CHARS]
        turn = Turn(number=self.next_number, mode=self.mode, text=text, notices=notices,
                    **self.current_mode.turn_settings())
        self.next_number += 1
        self.turns.append(turn)
        self.save_new(turn)
        self.query_one("#welcome").display = False
        conversation = self.query_one(Conversation)
        conversation.pinned = True  # a new message brings the end of the conversation back
        conversation.add(turn)
        self.pending.append(turn)
        self.select(turn)
        conversation.follow()
        self.pump()
        return turn

    def save_new(self, turn: Turn) -> None:
        """Commit the message as it is sent: a crash later loses at most its reply."""
        try:
            if self.conversation_id is None:
                self.conversation_id = self.store.new_conversation()
            self.message_ids[turn.number] = self.store.add_message(self.conversation_id, turn)
            self.store.add_input(turn.text, self.conversation_id)
        except Exception as error:  # a full disk must not cost the conversation on screen
            self.notify(f"could not save the message: {error}", title="Not saved", severity="error")

    def save(self, turn: Turn) -> None:
        """Store the reply and verdicts. A finished translation's attention map goes to the store
        and leaves the turn (attention_of reads it back for F3): a long conversation keeps no
        per-message matrices in memory. If storing fails, the turn keeps it."""
        message_id = self.message_ids.get(turn.number)
        if message_id is None or turn not in self.turns:
            return
        try:
            self.store.update_message(message_id, turn)
            if turn.attention is not None and turn.status == "done":
                source = turn.source if turn.source is not None else turn.text
                self.store.save_attention(message_id, source, turn.attention)
                turn.attention = None
        except Exception as error:
            self.notify(f"could not save reply {turn.number}: {error}", title="Not saved", severity="error")

    def attention_of(self, turn: Turn):
        """(source, rows) of a translation's attention map: the turn's own until it is stored, then
        the store's; None when none was kept. Store errors are raised."""
        if turn.attention is not None:
            return (turn.source if turn.source is not None else turn.text), turn.attention
        message_id = self.message_ids.get(turn.number)
        if message_id is None or turn not in self.turns:
            return None
        return self.store.attention(message_id)

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

    @property
    def views(self) -> dict[int, TurnView]:
        """The mounted turns' views by number: only those near the view (widgets/turn_list.py); none
        once the chat screen's widgets are gone (the app is closing and a redraw was still queued)."""
        try:
            return self.query_one(Conversation).views
        except NoMatches:
            return {}

    def turn_changed(self, turn: Turn, reply_only: bool = False) -> None:
        view = self.views.get(turn.number)
        if view is None or view.turn is not turn or not view.is_mounted:
            return  # cleared meanwhile, or not mounted (drawn from the turn when it is)
        if reply_only:
            view.refresh_reply()
        else:
            view.refresh_turn()
        if turn is self.turns[-1]:  # follow the newest reply unless the person scrolled up
            self.query_one(Conversation).follow()

    def tick(self) -> None:
        """Advance the timer of a running beam search (shown until its first partial reply), and
        draw what the running reply wrote since its last redraw (reply_grew skips some)."""
        turn = self.active
        if turn is None or turn.finished or id(turn) in self.redraw_pending:
            return
        if (turn.searching and not turn.reply) or turn.reply != self.drawn_reply:
            self.drawn_reply = turn.reply
            self.turn_changed(turn, reply_only=True)

    def turn_finished(self, turn: Turn) -> None:
        if self.active is turn:
            self.active = None
        self.turn_changed(turn)
        self.save(turn)
        if turn is self.selected:
            self.refresh_panel()
        self.pump()

    # ------------------------------------------------------------------- stop

    def action_stop(self) -> None:
        """Esc: stop the running reply (what it wrote stays, marked stopped); the queue goes on.
        While messages wait, Esc pressed again within `queue_clear_seconds` clears the queue
        (the footer shows "Esc Clear" meanwhile, and the notice says so)."""
        turn = self.active
        stopped = turn is not None and not turn.finished
        if stopped:
            self.stop_turn(turn)
        waiting = len(self.pending)
        self.pump()
        if waiting:
            self.started_by_stop = self.active if stopped else None
            self.queue_clear_until = time.monotonic() + self.queue_clear_seconds
            self.set_timer(self.queue_clear_seconds + 0.05, self.queue_clear_offer_over)
            self.refresh_bindings()
            what = f"Stopped reply {turn.number}; the" if stopped else "The"
            self.notify(f"{what} queue goes on ({waiting} waiting). Esc again at once clears the queue.",
                        title="Stopped", timeout=3)
        elif stopped:
            self.notify(f"Stopped reply {turn.number}.", title="Stopped", timeout=3)

    def stop_turn(self, turn: Turn) -> None:
        """Mark `turn` stopped (its worker notices and writes nothing more) and keep it so."""
        turn.cancelled = True
        turn.status = "cancelled"
        if turn.started is not None:
            turn.seconds = time.perf_counter() - turn.started
        if self.active is turn:
            self.active = None  # the next message need not wait for the worker to notice
        self.turn_changed(turn)
        self.save(turn)

    def queue_clear_offer_over(self) -> None:
        """The moment for a second Esc is over: the footer shows Stop again."""
        try:
            self.refresh_bindings()
        except ScreenStackError:
            pass  # the app is closing

    def queue_clear_offered(self) -> bool:
        """Whether Esc now clears the queue (just after an Esc that stopped a reply while messages waited)."""
        return time.monotonic() <= self.queue_clear_until

    def action_clear_queue(self, key: str = "") -> None:
        """Drop the messages waiting for their reply (Esc twice, or the palette). Right after an Esc,
        the message that its stop let start is stopped too: it was waiting a moment ago."""
        started = self.started_by_stop if self.queue_clear_offered() else None
        self.queue_clear_until, self.started_by_stop = 0.0, None
        dropped = []
        if started is not None and started is self.active and not started.finished:
            self.stop_turn(started)
            dropped.append(started)
        waiting = list(self.pending)
        self.pending.clear()
        for turn in waiting:
            turn.cancelled = True
            turn.status = "cancelled"
            self.turn_changed(turn)
            self.save(turn)
        dropped += waiting
        if dropped:
            numbers = ", ".join(str(turn.number) for turn in dropped)
            self.notify(f"Message{'s' if len(dropped) > 1 else ''} {numbers} will not be answered.",
                        title="Queue cleared", timeout=3)
        else:
            self.notify("No message is waiting.", timeout=2)
        self.pump()

    # ----------------------------------------------------------------- answers

    @work(thread=True, group="answer", exit_on_error=False)
    def answer(self, turn: Turn) -> None:
        started = time.perf_counter()
        try:
            self.modes[turn.mode].answer(turn)
            if not turn.cancelled:
                turn.status = "done"
        except EngineUnavailable as error:
            turn.status, turn.error = "error", str(error)
        except Exception as error:  # a model bug must cost one reply, not the app
            turn.status, turn.error = "error", f"the model failed on this message ({type(error).__name__}: {error})"
        if not turn.cancelled:
            turn.seconds = time.perf_counter() - started
        else:
            turn.status = "cancelled"
        self.ui(self.turn_changed, turn)
        if self.classify and turn in self.turns:  # a stopped reply's message is still classified
            classify_turn(self.hub, turn, set(self.settings.disabled_classifiers))
        self.ui(self.turn_finished, turn)

    class ReplyGrew(Message):
        """Posted by a worker when a streamed reply got longer (at most one waiting per turn)."""

        def __init__(self, turn: Turn) -> None:
            super().__init__()
            self.turn = turn

    def stream(self, turn: Turn, pieces, replace: bool = False, prefix: str = ""):
        """Append each piece to the reply (with `replace`, each piece is the whole reply so far
        after `prefix`, as a beam search gives it). The decoder never waits for the screen: it
        posts one redraw message at a time, and the redraw shows every piece that arrived
        meanwhile. Returns what the generator returns (the engines' beam streams return their
        final result), None when stopped."""
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
            turn.reply = prefix + piece if replace else turn.reply + piece
            self.reply_grew(turn)

    def reply_grew(self, turn: Turn) -> None:
        """From a worker: `turn.reply` changed. Asks for a redraw unless one is waiting or the last
        was asked for less than REDRAW_SECONDS ago: a redraw after every decoder step (hundreds a
        second) kept the UI thread busy, and each numpy call of the decoder then waited for the
        interpreter lock (the app's beam search of a 31-character sentence took 1.2 s, 59 ms in
        the engine). What comes after the last redraw is drawn by the tick or the reply's end."""
        now = time.monotonic()
        if id(turn) in self.redraw_pending or now - self.redraw_posted_at < REDRAW_SECONDS:
            return
        self.redraw_pending.add(id(turn))
        self.redraw_posted_at = now
        self.post_message(self.ReplyGrew(turn))

    @on(ReplyGrew)
    def on_reply_grew(self, message: ReplyGrew) -> None:
        self.redraw_pending.discard(id(message.turn))  # before reading the reply, so no piece is missed
        if message.turn is self.active:
            self.drawn_reply = message.turn.reply
        self.turn_changed(message.turn, reply_only=True)

    # ---------------------------------------------------------------- selection

    def select(self, turn: Turn | None) -> None:
        self.selected = turn
        self.query_one(Conversation).select(turn)  # mounted first if it was scrolled far away
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
            if self.selected is self.turns[-1]:
                self.query_one(Conversation).pinned = True
                self.query_one(Conversation).follow()

    # ------------------------------------------------------------------ actions

    def palette_commands(self) -> list[tuple[str, str, str]]:
        """(title, help, action) for the command palette; every action is here."""
        commands = [(f"Mode: {name}", mode.placeholder.rstrip("…"), f"set_mode('{name}')")
                    for name, mode in self.modes.items()]
        commands += [
            ("Decoding: toggle greedy / beam search", "Switch between greedy decoding and beam search", "toggle_beam"),
            ("Decoding: greedy", "Pick the most likely character at each step (streams)", "set_beam(1)"),
        ]
        commands += [(f"Beam width: {width}", "Beam search with this many hypotheses (translate mode; saved)",
                      f"set_beam_width({width})") for width in BEAM_WIDTHS]
        commands += [(f"Temperature: {t:g}", "Sampling temperature of the generate mode (saved)", f"set_temperature({t})")
                     for t in TEMPERATURES]
        commands += [(f"Top-k: {k or 'off'}", "Generate mode samples from the k likeliest tokens only (saved)",
                      f"set_top_k({k or 0})") for k in TOP_KS]
        for model in panel_classifiers():
            state = "on" if model.name in self.settings.disabled_classifiers else "off"
            commands.append((f"Classifier {model.name}: turn {state}", "Which classifiers run on each message (saved)",
                             f"toggle_classifier('{model.name}')"))
        commands += [
            ("Stop the reply", "Stop the running reply (Esc); the queue goes on", "stop"),
            ("Clear the queue", "Drop the messages waiting for their reply (Esc twice)", "clear_queue"),
            ("Attention heatmap", "Which input characters each output character looked at", "attention"),
            ("Alternatives", "The beam's best distinct translations of the selected message, with their confidence; "
                             "one can be copied", "alternatives"),
            ("Copy reply", "Send the selected reply to the terminal clipboard (OSC 52)", "copy_reply"),
            ("Export conversation (Markdown and JSON)", f"Write both files to {self.export_folder()}", "export"),
            ("Export conversation as Markdown", f"Write a .md file to {self.export_folder()}", "export('md')"),
            ("Export conversation as JSON", f"Write a .json file to {self.export_folder()}", "export('json')"),
            ("New conversation", "Start afresh; this one stays in the conversations list", "clear"),
            ("Conversations", "List, search, reopen and delete past conversations", "conversations"),
            ("Settings", "Beam width, temperature, top-k, classifiers, side panel, theme", "settings"),
            ("Side panel: show / hide", "The classifiers' panel (F5; saved)", "toggle_panel"),
            ("Select previous message", "The side panel follows the selection", "select_previous"),
            ("Select next message", "The side panel follows the selection", "select_next"),
            ("Help", "Keys and what seqbot does", "help"),
        ]
        return commands

    def get_system_commands(self, screen):
        """Textual's own entries (Theme, Quit, Keys, ...), with a Screenshot that saves where
        exports go (Textual's default, ~/Downloads, may not exist) and says the full path."""
        for command in super().get_system_commands(screen):
            if command.title == "Screenshot":
                yield SystemCommand("Screenshot", f"Save an SVG picture of the screen in {self.export_folder()}",
                                    lambda: self.set_timer(0.1, self.action_save_screenshot))
            else:
                yield command

    def export_folder(self) -> Path:
        return Path(self.export_dirs[0]) if self.export_dirs else data_dir() / "exports"

    def action_save_screenshot(self) -> None:
        folder = self.export_folder()
        try:
            folder.mkdir(parents=True, exist_ok=True)
            path = self.save_screenshot(path=str(folder))
        except OSError as error:
            self.notify(f"could not save the screenshot in {folder}: {error.strerror or error}",
                        title="Screenshot failed", severity="error")
            return
        self.notify(str(Path(path).resolve()), title="Screenshot saved", timeout=8)

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
        self.query_one(MessageInput).placeholder = self.current_mode.placeholder
        self.set_reactive(SeqbotApp.beam, self.current_mode.beam)
        self.update_status()
        status = self.hub.status(self.current_mode.model)
        if status in ("ready", "loading", "not loaded"):
            self.notify(f"{MODE_TITLES[mode]} mode · {self.decoding_label()}", timeout=2)
        else:
            self.notify(f"{MODE_TITLES[mode]} mode, but its model is unavailable: {status}", severity="warning")

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        if action == "cycle_temperature":
            return self.current_mode.uses_temperature
        if action == "toggle_beam":
            return self.current_mode.uses_beam
        if action == "stop":
            return (self.active is not None or bool(self.pending)) and not self.queue_clear_offered()
        if action == "clear_queue" and parameters == ("escape",):
            return self.queue_clear_offered()
        if action == "wide":
            # False hides the footer entry and passes the key on to its twin binding, which runs it.
            return self.size.width >= (parameters[1] if len(parameters) > 1 else self.WIDE_FOOTER)
        return True

    async def action_wide(self, action: str, columns: int | None = None) -> None:
        await self.run_action(action)

    def action_toggle_beam(self) -> None:
        self.action_set_beam(self.current_mode.beam_width() if self.beam == 1 else 1)

    def action_set_beam(self, width: int) -> None:
        self.current_mode.choose_beam(int(width))
        self.beam = int(width)

    def watch_beam(self, beam: int) -> None:
        self.update_status()
        self.notify("Greedy decoding (streams as it goes)" if beam == 1 else f"Beam search, width {beam}", timeout=2)

    def action_set_beam_width(self, width: int) -> None:
        self.apply_settings(AppSettings.from_dict({**self.settings.to_dict(), "beam_width": width}))
        if self.current_mode.follows_beam_setting:
            self.action_set_beam(self.settings.beam_width)

    def action_cycle_temperature(self) -> None:
        later = [t for t in TEMPERATURES if t > self.temperature + 1e-9]
        self.action_set_temperature(later[0] if later else TEMPERATURES[0])

    def action_set_temperature(self, temperature: float) -> None:
        self.apply_settings(AppSettings.from_dict({**self.settings.to_dict(), "temperature": float(temperature)}))

    def watch_temperature(self, temperature: float) -> None:
        self.update_status()
        self.notify(f"Temperature {temperature:g}", timeout=2)

    def action_set_top_k(self, top_k: int) -> None:
        self.apply_settings(AppSettings.from_dict({**self.settings.to_dict(), "top_k": top_k or None}))
        self.notify(f"Top-k {self.settings.top_k or 'off'} (generate mode)", timeout=2)

    def action_toggle_classifier(self, name: str) -> None:
        disabled = set(self.settings.disabled_classifiers) ^ {name}
        self.apply_settings(AppSettings.from_dict({**self.settings.to_dict(), "disabled_classifiers": sorted(disabled)}))
        self.notify(f"Classifier {name} {'off' if name in disabled else 'on'} (from the next message)", timeout=3)

    def action_toggle_panel(self) -> None:
        self.apply_settings(AppSettings.from_dict({**self.settings.to_dict(), "side_panel": not self.settings.side_panel}))

    def action_settings(self) -> None:
        from seqbot.app.screens.settings import SettingsScreen

        if not isinstance(self.screen, SettingsScreen):
            self.push_screen(SettingsScreen(self.settings, list(self.available_themes)), self.settings_closed)

    def settings_closed(self, settings: AppSettings | None) -> None:
        if settings is not None:
            self.apply_settings(settings)
            self.notify("Settings saved.", timeout=2)

    def apply_settings(self, settings: AppSettings) -> None:
        """Use and keep `settings` (the store saves them at once)."""
        shading_changed = settings.shade_words != self.settings.shade_words
        self.settings = settings
        self.query_one(SidePanel).display = settings.side_panel
        if shading_changed:
            for view in self.views.values():
                if view.is_mounted:
                    view.refresh_reply()
        for mode in self.modes.values():
            mode.settings_changed(settings)
        self.set_reactive(SeqbotApp.beam, self.current_mode.beam)
        if settings.theme != self.theme and settings.theme in self.available_themes:
            self.theme = settings.theme
        if self.temperature != settings.temperature:
            self.temperature = settings.temperature
        try:
            self.store.save_settings(settings.to_dict())
        except Exception as error:
            self.notify(f"could not save the settings: {error}", severity="error")
        self.update_status()

    def on_theme_changed(self, theme) -> None:
        if self.settings.theme != theme.name:
            self.settings.theme = theme.name
            try:
                self.store.save_settings({"theme": theme.name})
            except Exception:
                pass  # the theme still changes; only remembering it failed

    def reply_target(self) -> Turn | None:
        """The selected turn, else the latest one."""
        if self.selected in self.turns:
            return self.selected
        return self.turns[-1] if self.turns else None

    def action_attention(self) -> None:
        turn = self.reply_target()
        if turn is None:
            self.notify("Nothing to show yet: send a message first.", severity="warning")
        elif not self.shows_attention(turn):
            self.notify(f"Message {turn.number} was answered in {turn.mode} mode; attention is shown for "
                        "translations and chat replies.", severity="warning")
        elif not turn.finished:
            self.notify(f"Message {turn.number} is still being answered.", severity="warning")
        elif not turn.reply:
            what = "translation" if self.translates(turn) else "reply"
            self.notify(f"Message {turn.number} got an empty {what}, so there is no heatmap.", severity="warning")
        else:
            try:
                kept = self.attention_of(turn)
            except Exception as error:  # a damaged row, a database gone away
                self.notify(f"could not read the heatmap of message {turn.number}: {error}", severity="error")
                return
            if kept is None:
                model = self.modes[turn.mode].model
                why = ("it was stopped before the end" if turn.status == "cancelled" else
                       f"the {model} model has no attention (trained with attention \"none\")" if turn.source is not None
                       else f"no attention map was kept for it (a {model} model without attention, or a conversation "
                            "saved by an older seqbot)")
                sure = "" if turn.confidence is None else f" Confidence in the translation: {turn.confidence:.0%}."
                self.notify(f"No heatmap for message {turn.number}: {why}.{sure}", severity="warning")
            else:
                from seqbot.app.screens.attention import AttentionScreen

                source, attention = kept
                self.push_screen(AttentionScreen(turn, source, attention, translation=self.translates(turn)))

    def action_alternatives(self) -> None:
        """F7: the beam's alternatives for the selected translation (screens/alternatives.py); F7 again closes them."""
        from seqbot.app.screens.alternatives import AlternativesScreen

        if isinstance(self.screen, AlternativesScreen):
            self.screen.dismiss()
            return
        if self.screen is not self.screen_stack[0]:
            return  # another dialog is open (F7 is a priority key: the input would select all with it)
        turn = self.reply_target()
        if turn is None:
            self.notify("Nothing to vary yet: send a message first.", severity="warning")
        elif not self.translates(turn):
            self.notify(f"Message {turn.number} was answered in {turn.mode} mode; alternatives are for translations.",
                        severity="warning")
        elif not turn.finished:
            self.notify(f"Message {turn.number} is still being translated.", severity="warning")
        else:
            self.push_screen(AlternativesScreen(turn, self.modes[turn.mode].alternatives(turn)))

    def translates(self, turn: Turn) -> bool:
        """Whether `turn` was answered by a mode that translates (F7 is for translations)."""
        mode = self.modes.get(turn.mode)
        return mode is not None and mode.translates

    def shows_attention(self, turn: Turn) -> bool:
        """Whether `turn` was answered by a mode whose model attends over the message (F3)."""
        mode = self.modes.get(turn.mode)
        return mode is not None and mode.shows_attention

    def action_copy_reply(self) -> None:
        turn = self.reply_target()
        if turn is None or not turn.reply:
            self.notify("There is no reply to copy yet.", severity="warning")
            return
        self.copy_to_clipboard(turn.reply)
        self.notify(CLIPBOARD_NOTICE.format(number=turn.number, length=len(turn.reply)), title="Clipboard", timeout=6)

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
        self.notify("\n".join(str(path) for path in paths), title="Conversation exported", timeout=10)

    def action_clear(self) -> None:
        """A new conversation: the old one stays in the store (Ctrl+O lists it)."""
        self.reset_conversation()
        self.notify("New conversation (the last one is kept: Ctrl+O).", timeout=3)

    def reset_conversation(self) -> None:
        for turn in self.turns:
            turn.cancelled = True
        self.pending.clear()
        self.active = None
        self.queue_clear_until, self.started_by_stop = 0.0, None
        self.turns = []
        self.message_ids = {}
        self.conversation_id = None
        self.next_number = 1
        conversation = self.query_one(Conversation)
        conversation.clear()
        conversation.show_turns(self.turns)
        self.query_one("#welcome").display = True
        self.select(None)
        self.update_status()

    # ------------------------------------------------------------ conversations

    def action_conversations(self) -> None:
        from seqbot.app.screens.conversations import ConversationsScreen

        if not isinstance(self.screen, ConversationsScreen):
            self.push_screen(ConversationsScreen(self.store, self.conversation_id), self.conversation_chosen)

    def conversation_chosen(self, conversation_id: int | None) -> None:
        if conversation_id is None:
            if self.conversation_id is not None and not self.store.exists(self.conversation_id):
                self.reset_conversation()  # the open one was deleted
            return
        self.open_conversation(conversation_id)

    def open_conversation(self, conversation_id: int) -> None:
        stored = self.store.turns(conversation_id)
        self.reset_conversation()
        self.conversation_id = conversation_id
        conversation = self.query_one(Conversation)
        for message_id, turn in stored:
            self.turns.append(turn)
            self.message_ids[turn.number] = message_id
        conversation.show_turns(self.turns)  # the newest turns mounted, older ones as the person scrolls up
        self.next_number = max((turn.number for turn in self.turns), default=0) + 1
        self.query_one("#welcome").display = not self.turns
        self.select(self.turns[-1] if self.turns else None)
        conversation.pinned = True
        conversation.follow()
        self.notify(f"Reopened conversation {conversation_id} ({len(self.turns)} messages).", timeout=3)
