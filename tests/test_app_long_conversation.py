"""A long conversation must not keep per-message weight in the app (issue 21 item 8): only the
turns near the view are mounted (widgets/turn_list.py), a translation's attention map lives in
the store and is read back for F3, and the footer's rebuilt keys do not pile up. The figures
(MB a message, keypress latency after 1,000 messages) are measured by
bench/bench_long_conversation.py, not here.

    python -m pytest tests/test_app_long_conversation.py -q
"""

from __future__ import annotations

import gc

from textual.widget import Widget
from textual.widgets import Static
from textual.widgets._footer import FooterKey

from seqbot.app.app import Conversation, SeqbotApp
from seqbot.app.screens.attention import AttentionScreen
from seqbot.app.widgets.turn_view import TurnView
from test_app import SIZE, run_async, send_and_wait, wait_for
from test_app_fakes import fake_hub

WINDOW, BATCH, MESSAGES = 6, 3, 20


def detached_widgets() -> list[Widget]:
    """Widgets still in memory though no longer in the app (removed, but referenced somewhere)."""
    gc.collect()
    return [obj for obj in gc.get_objects() if isinstance(obj, Widget) and not obj.is_attached]


@run_async
async def test_a_long_conversation_mounts_only_the_turns_near_the_view_and_keeps_attention_in_the_store():
    app = SeqbotApp(fake_hub())
    async with app.run_test(size=SIZE) as pilot:
        conversation = app.query_one(Conversation)
        conversation.window, conversation.batch = WINDOW, BATCH
        for number in range(MESSAGES):  # sent as fast as they come: they wait in the queue
            app.send(f"Hello number {number}.")
        await wait_for(pilot, lambda: all(turn.finished for turn in app.turns) and app.active is None, timeout=30)
        await pilot.pause()
        numbers = [turn.number for turn in app.turns]
        assert len(numbers) == MESSAGES
        # Only the newest turns are widgets; the line above says how many are not shown.
        assert [view.turn.number for view in app.query(TurnView)] == numbers[-WINDOW:]
        earlier = str(app.query_one("#earlier-messages", Static).content)
        assert f"{MESSAGES - WINDOW} earlier messages" in earlier
        # No attention matrix is held in memory: each is in the store, read back when asked for.
        for turn in app.turns:
            assert turn.attention is None, f"turn {turn.number} keeps its attention map in memory"
            source, rows = app.attention_of(turn)
            assert source == turn.text and len(rows) == len(turn.reply) and len(rows[0]) == len(source)
        # Removed turns and rebuilt footer keys are freed, not kept by watchers (Textual's Footer kept them).
        assert len(detached_widgets()) <= 10, "removed widgets are still referenced"
        footer_keys = [obj for obj in gc.get_objects() if isinstance(obj, FooterKey)]
        assert len(footer_keys) == len(app.query(FooterKey)), "the footer's old keys stay in memory"

        # Scrolling to the top mounts the turns above, and drops as many at the bottom.
        conversation.scroll_home(animate=False)
        await wait_for(pilot, lambda: conversation.first == MESSAGES - WINDOW - BATCH)
        await pilot.pause()
        assert [view.turn.number for view in app.query(TurnView)] == numbers[-WINDOW - BATCH:-BATCH]
        assert "3 later messages" in str(app.query_one("#later-messages", Static).content)
        # Selecting the first message (Ctrl+↑, the history, ...) brings it in, and F3 still shows its heatmap.
        app.select(app.turns[0])
        await pilot.pause()
        assert app.views[1].has_class("-selected") and len(app.query(TurnView)) <= WINDOW
        await pilot.press("f3")
        await wait_for(pilot, lambda: isinstance(app.screen, AttentionScreen))
        await wait_for(pilot, lambda: "low" in str(app.screen.query_one("#heatmap", Static).content))
        await pilot.press("escape")
        # A new message brings the newest turns back.
        await send_and_wait(pilot, "One more.")
        await pilot.pause()
        assert [view.turn.number for view in app.query(TurnView)] == [t.number for t in app.turns][-WINDOW:]
        assert conversation.pinned


@run_async
async def test_a_reopened_long_conversation_mounts_its_newest_turns_and_its_heatmaps_come_back():
    app = SeqbotApp(fake_hub())
    async with app.run_test(size=SIZE) as pilot:
        app.query_one(Conversation).window = WINDOW
        for number in range(WINDOW + 2):
            app.send(f"Message {number}.")
        await wait_for(pilot, lambda: all(turn.finished for turn in app.turns) and app.active is None, timeout=30)
        first = app.conversation_id
        app.action_clear()
        await pilot.pause()
        app.open_conversation(first)
        await pilot.pause()
        assert [view.turn.number for view in app.query(TurnView)] == list(range(3, WINDOW + 3))
        app.select(app.turns[0])
        await pilot.press("f3")  # kept with the conversation: no longer "not kept with past conversations"
        await wait_for(pilot, lambda: isinstance(app.screen, AttentionScreen))
