"""`seqbot eval translate`: the metrics on hand-made cases and the command on a pairs file."""

from __future__ import annotations

import json
import time

import pytest

from seqbot.artifact import save_artifact
from seqbot.cli import main
from seqbot.commands.eval_translate import read_pairs_file, sample_indices, translation_scores
from seqbot.engine.seq2seq import random_artifact
from seqbot.engine.translator import Translator
from seqbot.errors import CorpusError


def test_scores_on_a_hand_made_case():
    references = ["abc", "de", "Va !", "Bonjour."]
    hypotheses = ["abd", "dex", "Va !", "Bon"]
    scores = translation_scores(hypotheses, references)
    assert scores["exact_match"] == 25.0
    # hits: "ab" (2) + "de" (2) + "Va !" (4) + "Bon" (3) = 11 over 3 + 2 + 4 + 8 = 17 reference characters
    assert scores["char_accuracy"] == round(100 * 11 / 17, 2)
    longer = references + ["Je ne sais pas ce que tu veux dire.", "Il fait beau aujourd'hui, n'est-ce pas ?"]
    perfect = translation_scores(longer, longer)  # BLEU needs some 4-grams to be above 0
    assert perfect == {"chrF": 100.0, "BLEU": 100.0, "exact_match": 100.0, "char_accuracy": 100.0}
    assert 0 < scores["chrF"] < 100
    with pytest.raises(ValueError):
        translation_scores(["a"], ["a", "b"])


def test_reads_the_fra_txt_format(fixtures_dir):
    pairs = read_pairs_file(fixtures_dir / "translate" / "pairs.txt")
    assert pairs[0] == ("Go.", "Va !")
    assert ("I'm OK.", "Je vais bien.") in pairs  # two columns are fine too
    assert len(pairs) == 5  # the blank line is skipped
    assert ("Hi.", "Salut !") in pairs


def test_sample_indices_spread_over_the_set():
    assert sample_indices(3, 5) == [0, 1, 2]
    assert sample_indices(101, 5) == [0, 25, 50, 75, 100]


@pytest.fixture(scope="module")
def checkpoint(tmp_path_factory):
    artifact = random_artifact(source_chars="abcdefghijklmnopqrstuvwxyz .,!?'", end_bias=-20.0, max_target_length=8,
                               seed=2, scale=1.0)
    return save_artifact(tmp_path_factory.mktemp("ckpt") / "translator.npz", artifact)


def test_eval_on_a_pairs_file_with_known_exact_matches(checkpoint, tmp_path, capsys):
    translator = Translator.load(checkpoint)
    english = ["hello.", "good night!", "where is it?", "i see."]
    # The first three references are the model's own output (exact matches), the last one is not.
    references = [translator.translate(text).text for text in english[:3]] + ["Je vois."]
    pairs_file = tmp_path / "pairs.txt"
    pairs_file.write_text("".join(f"{e}\t{r}\tCC-BY 2.0 (France)\n" for e, r in zip(english, references)), encoding="utf-8")
    assert main(["eval", "translate", "--checkpoint", str(checkpoint), "--pairs", str(pairs_file), "--json"]) == 0
    report = json.loads(capsys.readouterr().out)
    assert report["pairs"] == 4
    assert report["exact_match"] == 75.0
    expected = translation_scores([translator.translate(text).text for text in english], references)
    assert {key: report[key] for key in expected} == expected
    assert report["samples"][0] == {"english": "hello.", "reference": references[0], "translation": references[0]}

    assert main(["eval", "translate", "--checkpoint", str(checkpoint), "--pairs", str(pairs_file), "--limit", "3"]) == 0
    text = capsys.readouterr().out
    assert "exact match    100.00 %" in text and "chrF           100.00" in text
    assert "REF  " + references[1] in text


def test_eval_errors_are_clear(checkpoint, tmp_path, capsys):
    bad = tmp_path / "bad.txt"
    bad.write_text("hello\tbonjour\nonly one column\n", encoding="utf-8")
    assert main(["eval", "translate", "--checkpoint", str(checkpoint), "--pairs", str(bad)]) == 2
    assert "line 2: expected English<TAB>French" in capsys.readouterr().err
    assert main(["eval", "translate", "--checkpoint", str(checkpoint), "--pairs", str(tmp_path / "none.txt")]) == 2
    assert "pairs file not found" in capsys.readouterr().err
    # A random artifact records no split: the held-out set cannot be rebuilt, and the message says what to do.
    assert main(["eval", "translate", "--checkpoint", str(checkpoint), "--split", "checkpoint"]) == 2
    assert "--pairs FILE" in capsys.readouterr().err
    # Without the corpus the novel split cannot be rebuilt either: the message names the way out.
    assert main(["eval", "translate", "--checkpoint", str(checkpoint), "--corpora", str(tmp_path / "nowhere")]) == 2
    assert "--pairs FILE" in capsys.readouterr().err
    with pytest.raises(CorpusError):
        read_pairs_file(bad)


@pytest.mark.corpora
def test_shipped_translator_on_the_novel_split(real_corpora):
    """The committed checkpoint, greedy, on 300 pairs drawn from the novel split's test part (no TensorFlow)."""
    import random

    from seqbot.commands.eval_translate import novel_pairs
    from seqbot.paths import default_checkpoint

    path = default_checkpoint("translator")
    assert path.exists(), f"the shipped translator is tracked in git; missing at {path}"
    translator = Translator.load(path)
    pairs = random.Random(0).sample(novel_pairs(str(real_corpora), "test"), 300)
    results = translator.translate_batch([english for english, _ in pairs], beam=1)
    scores = translation_scores([r.text for r in results], [french for _, french in pairs])
    assert scores["chrF"] >= 40, scores  # the old GRU 512 scores 46.7 greedy on all 6,000; keras-example preset: 14
    assert sum(r.truncated for r in results) == 0  # long sentences are read in parts, never cut


class FakeTerminal:
    """A stderr that says it is a terminal, so Progress rewrites its line at every chunk."""

    def __init__(self):
        self.text = ""

    def isatty(self):
        return True

    def write(self, text):
        self.text += text

    def flush(self):
        pass


def test_translating_in_chunks_reports_progress_and_keeps_every_result_in_order():
    from seqbot.commands.eval_translate import translate_with_progress

    class Echo:
        def translate_batch(self, texts, beam=None):
            time.sleep(0.25)  # Progress redraws a terminal line at most every 0.2 s
            return [text.upper() for text in texts]

    english = [f"sentence {i}" for i in range(7)]
    stream = FakeTerminal()
    assert translate_with_progress(Echo(), english, beam=None, chunk=3, stream=stream) == [s.upper() for s in english]
    assert "translating: 3/7 (43%)" in stream.text and stream.text.rstrip().endswith("translating: 7/7 (100%), 0 s")
