"""Past conversations (Ctrl+O): a list, newest first, searched as you type (full text),
Enter reopens one, Ctrl+D or Delete (pressed twice) deletes it from the database for good.

Dismissed with the id of the conversation to open, or None.
"""

from __future__ import annotations

import time

from rich.text import Text
from textual import on
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Vertical
from textual.screen import ModalScreen
from textual.widgets import Footer, Input, OptionList, Static
from textual.widgets.option_list import Option

from seqbot.app.search_snippet import snippet
from seqbot.app.store import ConversationStore, ConversationSummary


def describe(summary: ConversationSummary, width: int = 50, query: str = "") -> Text:
    """One line of the list; with a search, the words around what matched, the match highlighted
    (from the message or the reply that matched, not cut before the match)."""
    when = time.strftime("%Y-%m-%d %H:%M", time.localtime(summary.updated))
    title = " ".join(summary.title.split()) or "(untitled)"
    text = Text(no_wrap=True, overflow="ellipsis")
    text.append(f"{when}  ", "dim")
    text.append(title[:width])
    text.append(f"  · {summary.messages} message{'s' if summary.messages != 1 else ''}", "dim")
    if summary.match and query.strip():
        shown = snippet(summary.match, query, width)
        if shown is not None and not (summary.match == summary.title and shown.plain == title[:width]):
            text.append("\n    “", "dim")  # a line of its own: a long title does not push it off
            text.append_text(shown)
            text.append("”", "dim")
    return text


class ConversationsScreen(ModalScreen[int | None]):
    BINDINGS = [
        Binding("escape", "dismiss", "Close"),
        # Priority: the search box would take Ctrl+D itself (delete right).
        Binding("ctrl+d", "delete", "Delete", priority=True),
        Binding("delete", "delete", "Delete", show=False),
        Binding("down", "focus_list", "List", show=False),
    ]

    def __init__(self, store: ConversationStore, current: int | None = None) -> None:
        super().__init__()
        self.store = store
        self.current = current
        self.armed: int | None = None  # the conversation a first Delete asked about

    def compose(self) -> ComposeResult:
        with Vertical(id="conversations-box"):
            yield Static("Conversations", classes="panel-title")
            yield Input(placeholder="Search every message and reply…", id="conversation-search")
            yield OptionList(id="conversation-list")
            yield Static("", id="conversation-hint", classes="hint")
        yield Footer()

    def on_mount(self) -> None:
        self.refill("")
        self.query_one("#conversation-search", Input).focus()

    def refill(self, query: str) -> None:
        options = self.query_one("#conversation-list", OptionList)
        options.clear_options()
        summaries = self.store.conversations(query)
        options.add_options(Option(describe(summary, query=query), id=str(summary.id)) for summary in summaries)
        if summaries:
            options.highlighted = 0
        hint = self.query_one("#conversation-hint", Static)
        if not summaries:
            hint.update(f"Nothing matches “{query}”." if query.strip() else "No conversations yet.")
        else:
            found = f"{len(summaries)} conversation{'s' if len(summaries) != 1 else ''}"
            hint.update(f"{found} · Enter opens · Ctrl+D twice deletes · kept in {self.store.path or 'memory only'}")
        self.armed = None

    @on(Input.Changed, "#conversation-search")
    def on_search(self, event: Input.Changed) -> None:
        self.refill(event.value)

    @on(Input.Submitted, "#conversation-search")
    def on_search_submitted(self) -> None:
        self.open_highlighted()

    @on(OptionList.OptionSelected)
    def on_selected(self, event: OptionList.OptionSelected) -> None:
        self.dismiss(int(event.option.id))

    def highlighted_id(self) -> int | None:
        options = self.query_one("#conversation-list", OptionList)
        if options.highlighted is None or options.option_count == 0:
            return None
        return int(options.get_option_at_index(options.highlighted).id)

    def open_highlighted(self) -> None:
        chosen = self.highlighted_id()
        if chosen is not None:
            self.dismiss(chosen)

    def action_focus_list(self) -> None:
        self.query_one("#conversation-list", OptionList).focus()

    def action_delete(self) -> None:
        chosen = self.highlighted_id()
        if chosen is None:
            return
        if self.armed != chosen:
            self.armed = chosen
            self.query_one("#conversation-hint", Static).update(
                Text("Press Ctrl+D again to delete this conversation for good.", "bold"))
            return
        self.store.delete_conversation(chosen)
        self.notify(f"Deleted conversation {chosen}.", timeout=3)
        self.refill(self.query_one("#conversation-search", Input).value)
