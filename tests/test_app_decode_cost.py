"""What a reply costs in the app: the decoder steps of `seqbot translate` for the same text, and
a bounded number of redraws however fast the decoder reports (issue 21 item 6: a beam search in
the app took about 3x the CLI's time for a paragraph and 20x for a sentence). Counted, not timed;
bench/bench_app_decode.py times it.

    python -m pytest tests/test_app_decode_cost.py -q
"""

from __future__ import annotations

import time

from seqbot.app import app as app_module
from seqbot.app.app import SeqbotApp
from seqbot.app.engines import EngineHub
from seqbot.app.widgets.turn_view import TurnView
from seqbot.artifact import save_artifact
from seqbot.engine.seq2seq import random_artifact
from seqbot.engine.translator import Translator
from test_app import SIZE, run_async, send_and_wait
from test_app_fakes import FakeTranslator, fake_hub
from test_translator_progress import TEXT, model_steps


@run_async
async def test_the_apps_decode_costs_the_steps_of_seqbot_translate(tmp_path):
    artifact = random_artifact(attention="bahdanau", max_source_length=40, max_target_length=40, seed=4, scale=1.0)
    path = save_artifact(tmp_path / "translator.npz", artifact)
    reference = Translator.load(path)
    beam_steps = model_steps(reference, lambda: reference.translate_batch([TEXT], beam=3))
    greedy_steps = model_steps(reference, lambda: list(reference.stream(TEXT)))
    app = SeqbotApp(EngineHub.from_checkpoints(tmp_path, classifiers=False), classify=False)
    async with app.run_test(size=SIZE) as pilot:
        translator = app.hub.get("translator")
        counted = []
        step = translator.model.step
        translator.model.step = lambda *args, **kwargs: counted.append(1) or step(*args, **kwargs)

        app.action_set_beam(3)
        turn = await send_and_wait(pilot, TEXT)
        assert turn.status == "done" and turn.reply == reference.translate_batch([TEXT], beam=3)[0].text
        # The search of `seqbot translate`, plus one batched pass for the heatmap's attention;
        # a search per sentence, one after the other, made 114 steps here.
        assert len(counted) <= beam_steps + artifact.config["max_target_length"], (len(counted), beam_steps)
        source, attention = app.attention_of(turn)
        assert (len(attention), len(attention[0])) == (len(turn.reply), len(source))

        counted.clear()
        app.action_set_beam(1)
        turn = await send_and_wait(pilot, TEXT)
        assert turn.reply == reference.translate(TEXT, beam=1).text
        assert len(counted) == greedy_steps  # streamed once, not streamed and then decoded again
        source, attention = app.attention_of(turn)
        assert (len(attention), len(attention[0])) == (len(turn.reply), len(source))


class FastTranslator(FakeTranslator):
    """A beam search that reports a new best text every 2 ms, 300 times."""

    def translate(self, text: str, beam: int = 1, progress=None):
        if progress is not None and beam > 1:
            for length in range(1, 301):
                progress("x" * length)
                time.sleep(0.002)
        return super().translate(text, beam)


@run_async
async def test_a_fast_decoder_is_redrawn_a_few_times_a_second_not_after_every_step(monkeypatch):
    redraws = []
    refresh_reply = TurnView.refresh_reply
    monkeypatch.setattr(TurnView, "refresh_reply", lambda view: redraws.append(view.turn.reply) or refresh_reply(view))
    app = SeqbotApp(fake_hub(FastTranslator()), classify=False)
    async with app.run_test(size=SIZE) as pilot:
        app.action_set_beam(4)
        started = time.monotonic()
        turn = await send_and_wait(pilot, "Hello.")
        seconds = time.monotonic() - started
        assert turn.reply == FakeTranslator().translate("Hello.", beam=4).text
        shown = [reply for reply in redraws if reply.startswith("x")]
        assert len(shown) >= 2  # the search is shown as it goes
        # At most one redraw per REDRAW_SECONDS, plus the 0.2 s tick: not one per report (300).
        assert len(shown) <= seconds / app_module.REDRAW_SECONDS + seconds / 0.2 + 5, (len(shown), seconds)
