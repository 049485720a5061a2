"""The conversation on screen: a scrolling list that mounts only the turns near the view.

A mounted TurnView costs hundreds of kilobytes (its widgets, their styles and rendered lines) and
every layout walks all of them, so a long conversation cost 0.8 MB a message and slowed each
keypress (issue 21). The list keeps at most WINDOW views mounted, a contiguous run of the turns:
the newest while it follows the end; scrolling to its top (or a click on "earlier messages",
or selecting an older message) mounts BATCH more above and drops as many at the bottom, and the
same downwards. The turns themselves are plain data held by the app.

    conversation.show_turns(turns)   # a reopened conversation: its newest turns mounted
    turns.append(turn); conversation.add(turn)
    conversation.select(turn)        # mounted first if it was out of the window
"""

from __future__ import annotations

from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import VerticalScroll
from textual.widgets import Static

from seqbot.app.conversation import Turn
from seqbot.app.widgets.turn_view import TurnView

WINDOW = 40  # turns mounted at most
BATCH = 15  # turns mounted at a time while scrolling through older (or newer) ones


class MoreMessages(Static):
    """The line above (or below) the mounted turns that says how many are not shown; a click shows them."""

    def __init__(self, direction: str, **kwargs) -> None:
        super().__init__("", **kwargs)
        self.direction = direction

    def show_count(self, count: int) -> None:
        self.display = count > 0
        if count:
            plural = "" if count == 1 else "s"
            if self.direction == "earlier":
                self.update(f"↑ {count:,} earlier message{plural}: scroll up or click to show them")
            else:
                self.update(f"↓ {count:,} later message{plural}: scroll down or click to show them")

    def on_click(self) -> None:
        conversation = self.parent
        if isinstance(conversation, Conversation):
            if self.direction == "earlier":
                conversation.show_earlier()
            else:
                conversation.show_later()


class Conversation(VerticalScroll):
    """The scrolling list of turns; focus it (Tab) to move the selection with ↑/↓. It follows
    the newest reply while `pinned` (scrolled to the end of the newest turn); scrolling up unpins it."""

    can_focus = True
    BINDINGS = [
        Binding("up", "app.select_previous", "Previous message", show=False),
        Binding("down", "app.select_next", "Next message", show=False),
    ]
    pinned = True

    def __init__(self, *children, window: int = WINDOW, batch: int = BATCH, **kwargs) -> None:
        super().__init__(*children, **kwargs)
        if window < 1 or batch < 1:
            raise ValueError(f"window and batch must be at least 1 (got {window} and {batch})")
        self.window = window
        self.batch = min(batch, window)
        self.turns: list[Turn] = []
        self.views: dict[int, TurnView] = {}  # turn number -> mounted view, in the order shown
        self.first = 0  # index in `turns` of the first mounted view
        self.selected: Turn | None = None
        self.moving = False  # a batch is being mounted: scrolling meanwhile asks for no other

    def compose(self) -> ComposeResult:
        yield MoreMessages("earlier", classes="more-messages", id="earlier-messages")
        yield MoreMessages("later", classes="more-messages", id="later-messages")

    def on_mount(self) -> None:
        self.update_markers()

    # ------------------------------------------------------------------ window

    @property
    def end(self) -> int:
        """Index in `turns` just after the last mounted view."""
        return self.first + len(self.views)

    @property
    def at_end(self) -> bool:
        return self.end >= len(self.turns)

    def view_for(self, turn: Turn) -> TurnView | None:
        view = self.views.get(turn.number)
        return view if view is not None and view.turn is turn else None

    def make_view(self, turn: Turn) -> TurnView:
        view = TurnView(turn)
        view.set_class(turn is self.selected, "-selected")
        return view

    def show_turns(self, turns: list[Turn]) -> None:
        """Show `turns` (the app's list, appended to as messages are sent): the newest mounted."""
        self.turns = turns
        self.show_range(max(0, len(turns) - self.window), len(turns))

    def show_range(self, start: int, stop: int) -> None:
        """Mount turns[start:stop] (at most `window` of them) in place of what is mounted."""
        start, stop = max(0, start), min(len(self.turns), stop)
        stop = min(stop, start + self.window)
        self.remove_children(list(self.views.values()))
        self.first = start
        self.views = {turn.number: self.make_view(turn) for turn in self.turns[start:stop]}
        if self.views:
            self.mount_all(self.views.values(), before=self.query_one("#later-messages"))
        self.update_markers()

    def add(self, turn: Turn) -> None:
        """`turn` was just appended to `turns`: mount it, and let the oldest views go."""
        if self.end != len(self.turns) - 1:  # the window was elsewhere: back to the newest
            self.show_range(len(self.turns) - self.window, len(self.turns))
            return
        view = self.make_view(turn)
        self.views[turn.number] = view
        self.mount(view, before=self.query_one("#later-messages"))
        self.drop_first(len(self.views) - self.window)
        self.update_markers()

    def drop_first(self, count: int) -> None:
        if count > 0:
            dropped = list(self.views)[:count]
            self.remove_children([self.views.pop(number) for number in dropped])
            self.first += count

    def drop_last(self, count: int) -> None:
        if count > 0:
            dropped = list(self.views)[-count:]
            self.remove_children([self.views.pop(number) for number in dropped])

    def show_earlier(self) -> None:
        """Mount up to `batch` turns above the first shown, keeping what is on screen in place."""
        if self.first == 0 or self.moving:
            return
        anchor = next(iter(self.views.values()), None)
        start = max(0, self.first - self.batch)
        added = {turn.number: self.make_view(turn) for turn in self.turns[start:self.first]}
        self.mount_all(added.values(), after=self.query_one("#earlier-messages"))
        self.views = {**added, **self.views}
        self.first = start
        self.drop_last(len(self.views) - self.window)
        self.update_markers()
        self.hold(anchor)

    def show_later(self) -> None:
        """Mount up to `batch` turns below the last shown, keeping what is on screen in place."""
        if self.at_end or self.moving:
            return
        anchor = next(reversed(self.views.values()), None)
        stop = min(len(self.turns), self.end + self.batch)
        added = {turn.number: self.make_view(turn) for turn in self.turns[self.end:stop]}
        self.mount_all(added.values(), before=self.query_one("#later-messages"))
        self.views.update(added)
        self.drop_first(len(self.views) - self.window)
        self.update_markers()
        self.hold(anchor)

    def hold(self, anchor: TurnView | None) -> None:
        """After the next layout, scroll so that `anchor` is where it is on screen now."""
        if anchor is None:
            return
        offset = anchor.virtual_region.y - self.scroll_y
        self.moving = True

        def restore() -> None:
            try:  # still `moving`: this scroll is not the person's and asks for no other batch
                if anchor.is_mounted:
                    self.scroll_to(y=anchor.virtual_region.y - offset, animate=False, immediate=True)
            finally:
                self.moving = False

        self.call_after_refresh(restore)

    def reveal(self, turn: Turn) -> TurnView | None:
        """Mount `turn` if it is out of the window (the window moves to it) and return its view."""
        if self.view_for(turn) is None and turn in self.turns:
            index = self.turns.index(turn)
            if index == self.first - 1:
                self.show_earlier()
            elif index == self.end:
                self.show_later()
            else:
                start = min(max(0, index - self.window // 2), max(0, len(self.turns) - self.window))
                self.show_range(start, start + self.window)
                self.pinned = False
        return self.view_for(turn)

    def update_markers(self) -> None:
        self.query_one("#earlier-messages", MoreMessages).show_count(self.first)
        self.query_one("#later-messages", MoreMessages).show_count(len(self.turns) - self.end)

    def clear(self) -> None:
        self.remove_children(list(self.views.values()))
        self.turns, self.views, self.first, self.selected = [], {}, 0, None
        self.update_markers()

    # --------------------------------------------------------------- selection

    def select(self, turn: Turn | None) -> None:
        """Mark `turn` selected (mounting it first if needed) and scroll it into view unless it is the newest."""
        self.selected = turn
        mounted = turn is not None and self.view_for(turn) is not None
        view = self.reveal(turn) if turn is not None else None
        for shown in self.views.values():
            shown.set_class(shown is view, "-selected")
        if view is not None and self.turns and turn is not self.turns[-1]:
            if mounted:
                view.scroll_visible(animate=False)
            else:  # placed by the next layout
                self.call_after_refresh(view.scroll_visible, animate=False)

    # --------------------------------------------------------------- scrolling

    def watch_scroll_y(self, old_value: float, new_value: float) -> None:
        super().watch_scroll_y(old_value, new_value)
        self.pinned = new_value >= self.max_scroll_y - 1 and self.at_end
        if self.moving:
            return
        if new_value <= 0 < old_value and self.first > 0:
            self.show_earlier()
        elif old_value < new_value >= self.max_scroll_y - 1 and not self.at_end:
            self.show_later()

    def on_mouse_scroll_up(self) -> None:
        if self.scroll_y <= 0 and self.first > 0:  # already at the top: nothing scrolls, so no watch fires
            self.show_earlier()

    def on_mouse_scroll_down(self) -> None:
        if self.scroll_y >= self.max_scroll_y and not self.at_end:
            self.show_later()

    def watch_virtual_size(self) -> None:
        # A reply can grow after its last update (a notice laid out, a beam reply replaced): stay at the end.
        if self.pinned:
            self.scroll_end(animate=False, immediate=True)

    def follow(self) -> None:
        """Scroll to the end after the next layout, when it has the new content's height."""
        if self.pinned:
            self.call_after_refresh(self.scroll_to_end_pinned)

    def scroll_to_end_pinned(self) -> None:
        if self.pinned:
            self.scroll_end(animate=False, immediate=True)
            self.pinned = True
