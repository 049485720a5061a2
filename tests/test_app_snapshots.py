"""SVG snapshots of the app's main screens, on the deterministic fake engines (so they only
change when the app's look changes, not when a model is retrained).

    python -m pytest tests/test_app_snapshots.py -q                     # compare
    python -m pytest tests/test_app_snapshots.py --snapshot-update      # accept a new look
"""

from __future__ import annotations

from seqbot.app.app import SeqbotApp
from seqbot.app.widgets.message_input import MessageInput
from test_app_fakes import fake_hub

SIZE = (110, 34)


async def settle(pilot) -> None:
    """Wait for the background model loading, then pin the reply timings and the cursor."""
    app = pilot.app
    app.query_one(MessageInput).cursor_blink = False
    for _ in range(250):
        if all(app.hub.status(name) not in ("loading", "not loaded") for name in app.hub.names):
            break
        await pilot.pause(0.02)
    for turn in app.turns:
        turn.seconds = 0.1
        app.turn_changed(turn)
    app.refresh_panel()
    await pilot.pause()


async def converse(pilot, *messages: str) -> None:
    app = pilot.app
    for message in messages:
        app.query_one(MessageInput).focus()
        await pilot.press(*["space" if char == " " else char for char in message], "enter")
        for _ in range(250):
            if app.turns and app.turns[-1].finished and app.active is None:
                break
            await pilot.pause(0.02)
    await settle(pilot)


def test_start_screen(snap_compare):
    assert snap_compare(SeqbotApp(fake_hub(missing=("generator",))), terminal_size=SIZE, run_before=settle)


def test_conversation_with_side_panel(snap_compare):
    async def run_before(pilot):
        await converse(pilot, "Hello ☃.", "Win a free cruise now!")

    assert snap_compare(SeqbotApp(fake_hub()), terminal_size=SIZE, run_before=run_before)


def test_attention_heatmap(snap_compare):
    async def run_before(pilot):
        await converse(pilot, "I love this movie.")

    assert snap_compare(SeqbotApp(fake_hub()), terminal_size=SIZE, run_before=run_before, press=["f3"])


def test_help_screen(snap_compare):
    assert snap_compare(SeqbotApp(fake_hub()), terminal_size=SIZE, run_before=settle, press=["f1"])


def test_layout_at_80_by_24(snap_compare):
    """The smallest usual terminal: the panel narrows, the footer packs its keys, nothing is cut."""
    async def run_before(pilot):
        await converse(pilot, "Hello.", "Win a free cruise now!")

    assert snap_compare(SeqbotApp(fake_hub()), terminal_size=(80, 24), run_before=run_before)


def test_layout_at_200_by_60(snap_compare):
    async def run_before(pilot):
        await converse(pilot, "Hello.", "Win a free cruise now!", "I love this movie.")

    assert snap_compare(SeqbotApp(fake_hub()), terminal_size=(200, 60), run_before=run_before)


async def open_settings(pilot):
    """F6, then wait for the settings fields; their cursors stop blinking so the picture is stable."""
    await settle(pilot)
    await pilot.press("f6")
    for _ in range(100):
        if pilot.app.screen.query("Input"):
            break
        await pilot.pause(0.02)
    for field in pilot.app.screen.query("Input"):
        field.cursor_blink = False


def test_settings_screen(snap_compare):
    async def run_before(pilot):
        await open_settings(pilot)
        await pilot.pause()

    assert snap_compare(SeqbotApp(fake_hub()), terminal_size=SIZE, run_before=run_before)


def test_settings_error_at_80_by_24(snap_compare):
    """A wrong beam width at 80x24: the message right under the field, the labels wrapped, not cut."""
    async def run_before(pilot):
        await open_settings(pilot)
        pilot.app.screen.query_one("#beam-width").value = "230"
        await pilot.pause()  # the field's Changed event first: it clears the field's message
        await pilot.press("ctrl+s")
        await pilot.pause()

    assert snap_compare(SeqbotApp(fake_hub()), terminal_size=(80, 24), run_before=run_before)
