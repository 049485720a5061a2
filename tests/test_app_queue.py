"""The app's queue answers messages first in, first out (a last-in-first-out queue would answer the
third queued message before the second)."""

from __future__ import annotations

from test_app import SIZE, go_greedy, run_async, send, wait_for
from test_app_fakes import FakeTranslator, gated_app

from seqbot.app.widgets.turn_list import Conversation


class RecordingTranslator(FakeTranslator):
    """Records the order in which messages start being translated."""

    def __init__(self):
        super().__init__()
        self.started: list[str] = []

    def stream(self, text: str):
        self.started.append(text)
        yield from super().stream(text)


@run_async
async def test_queued_messages_are_answered_in_the_order_they_were_sent():
    app, translator = gated_app(RecordingTranslator())  # the first reply waits until every message is queued
    messages = ["One.", "Two.", "Three.", "Four."]
    async with app.run_test(size=SIZE) as pilot:
        await go_greedy(pilot)  # RecordingTranslator records the streams greedy decoding starts
        for message in messages:
            await send(pilot, message)
        assert [turn.status for turn in app.turns] == ["running", "queued", "queued", "queued"]
        translator.gate.release(10_000)
        await wait_for(pilot, lambda: all(turn.finished for turn in app.turns))
        assert translator.started == messages
        assert [turn.reply for turn in app.turns] == [FakeTranslator().translate(m).text for m in messages]


@run_async
async def test_a_redraw_queued_while_the_app_closes_is_dropped_not_raised():
    app, translator = gated_app(RecordingTranslator())
    async with app.run_test(size=SIZE) as pilot:
        await go_greedy(pilot)
        await send(pilot, "One.")
        turn = app.turns[0]
        await app.query_one(Conversation).remove()  # as when the app closes with a redraw still queued
        app.post_message(app.ReplyGrew(turn))
        translator.gate.release(10_000)
        await wait_for(pilot, lambda: turn.finished)  # run_test re-raises what a handler raised
    assert turn.reply == FakeTranslator().translate("One.").text
