"""The translator's beam search with a progress callback (what the app shows as it searches) and
its greedy stream's Translation: each costs what `seqbot translate` costs (issue 21 item 6), on
a small random-weight translator.

    python -m pytest tests/test_translator_progress.py -q
"""

from __future__ import annotations

import numpy as np
import pytest

from seqbot.artifact import save_artifact
from seqbot.engine.seq2seq import random_artifact
from seqbot.engine.translator import Translator, join_translations

TEXT = "hello there. how are you today? see you soon, my friend."


@pytest.fixture(scope="module")
def translator(tmp_path_factory):
    artifact = random_artifact(attention="bahdanau", max_source_length=40, max_target_length=40, seed=4, scale=1.0)
    return Translator.load(save_artifact(tmp_path_factory.mktemp("ckpt") / "translator.npz", artifact))


def model_steps(translator, run) -> int:
    """How many decoder steps `run()` makes (each one the cost unit of a search)."""
    count, step = 0, translator.model.step

    def counted(*args, **kwargs):
        nonlocal count
        count += 1
        return step(*args, **kwargs)

    translator.model.step = counted
    try:
        run()
    finally:
        del translator.model.step
    return count


def test_progress_reports_the_best_text_so_far_and_ends_on_the_translation(translator):
    assert len(translator.segments(TEXT)) == 3
    reports = []
    result = translator.translate(TEXT, beam=3, progress=reports.append)
    assert reports[-1] == result.text == translator.translate_batch([TEXT], beam=3)[0].text
    assert len(reports) >= 10  # one per step of the search
    one = []
    assert translator.translate("hello there.", beam=3, progress=one.append).text == one[-1] and len(one) > 3


def test_several_sentences_cost_one_batched_search_not_one_search_each(translator):
    cli = model_steps(translator, lambda: translator.translate_batch([TEXT], beam=3))
    shown = model_steps(translator, lambda: translator.translate(TEXT, beam=3, attention=False, progress=lambda _: None))
    assert shown == cli  # reporting progress does not change the search
    with_heatmap = model_steps(translator, lambda: translator.translate(TEXT, beam=3, progress=lambda _: None))
    assert with_heatmap <= cli + translator.model.max_target_length  # + one batched pass for the attention
    one_after_another = model_steps(translator, lambda: list(translator.stream_beam(TEXT, beam=3)))
    assert one_after_another > 2 * cli  # what the app paid before


def test_the_batched_attention_pass_equals_each_sentence_searched_alone(translator):
    whole = translator.translate(TEXT, beam=3, attention=True)
    alone = join_translations([translator.translate(piece, beam=3, attention=True) for piece in translator.segments(TEXT)])
    assert whole.text == alone.text and whole.attention.shape == (len(whole.text), len(whole.source))
    np.testing.assert_allclose(whole.attention, alone.attention, atol=1e-5)


def test_a_stopped_progress_stops_the_search(translator):
    class Stop(Exception):
        pass

    calls = []

    def progress(text):
        calls.append(text)
        if len(calls) == 3:
            raise Stop

    with pytest.raises(Stop):
        translator.translate(TEXT, beam=3, progress=progress)
    assert len(calls) == 3


def test_greedy_stream_returns_its_translation_so_nothing_decodes_twice(translator):
    pieces, stream = [], translator.stream(TEXT)
    while True:
        try:
            pieces.append(next(stream))
        except StopIteration as stop:
            result = stop.value
            break
    expected = translator.translate(TEXT, beam=1)
    assert "".join(pieces) == result.text == expected.text
    assert result.source == expected.source
    np.testing.assert_allclose(result.attention, expected.attention, atol=1e-5)
    assert result.log_prob == pytest.approx(expected.log_prob, abs=1e-4)
