"""`seqbot classify` and ClassifierSet on small NumPy-built checkpoints: routing by language, table and
JSON output, bad input, missing and corrupt checkpoints, and no TensorFlow import."""

from __future__ import annotations

import json
import subprocess
import sys

import numpy as np
import pytest

from seqbot.artifact import Artifact, save_artifact
from seqbot.cli import main
from seqbot.data.scripts import languages_of
from seqbot.engine.classifier import ClassifierSet, Prediction
from seqbot.training.naive_bayes import fit_naive_bayes

ENGLISH_WORDS = ["free", "prize", "call", "now", "lunch", "see", "you", "movie", "great", "bad", "oil", "price"]
KOREAN_WORDS = ["영화", "정말", "재밌어요", "최악", "배우"]


def neural_artifact(name, vocab, labels, task, language, cell="lstm", seed=0) -> Artifact:
    """A random Embedding -> RNN -> Dense classifier in the exported layout (no TensorFlow needed)."""
    rng = np.random.default_rng(seed)
    units, dim, classes = 4, 3, (1 if len(labels) == 2 else len(labels))
    gates = {"lstm": 4, "gru": 3, "simplernn": 1}[cell]
    bias = rng.normal(size=(2, 3 * units)) if cell == "gru" else rng.normal(size=(gates * units,))
    weights = {
        "embedding/0": rng.normal(size=(len(vocab), dim)), "rnn/0": rng.normal(size=(dim, gates * units)),
        "rnn/1": rng.normal(size=(units, gates * units)), "rnn/2": bias,
        "output/0": rng.normal(size=(units, classes)), "output/1": rng.normal(size=(classes,)),
    }
    layers = [{"name": "embedding", "type": "embedding", "mask_zero": True, "weights": 1},
              {"name": "rnn", "type": "rnn", "cell": cell, "units": units, "return_sequences": False, "weights": 3},
              {"name": "output", "type": "dense", "activation": "sigmoid" if classes == 1 else "softmax", "weights": 2}]
    preprocessing = ({"type": "korean_words", "vocab": vocab, "oov_id": 1, "stopwords": []} if language == "ko"
                     else {"type": "words", "vocab": vocab, "oov_id": 1})
    config = {"name": name, "layers": layers, "preprocessing": preprocessing, "labels": labels, "max_length": 50,
              "task": task, "language": language}
    return Artifact("classifier", config, {k: v.astype(np.float32) for k, v in weights.items()}, {"corpus": "test"})


def write_small_classifiers(folder):
    """The five classifier checkpoints, tiny and random, so the real routing runs in a second."""
    english = ["", "<oov>"] + ENGLISH_WORDS
    save_artifact(folder / "spam_rnn.npz", neural_artifact("spam_rnn", english, ["ham", "spam"], "spam", "en", "simplernn"))
    save_artifact(folder / "imdb.npz", neural_artifact("imdb", english, ["negative", "positive"], "sentiment", "en", "gru"))
    save_artifact(folder / "reuters.npz", neural_artifact("reuters", english, ["earn", "acq", "crude"], "topic", "en"))
    save_artifact(folder / "nsmc.npz", neural_artifact("nsmc", ["", "<oov>"] + KOREAN_WORDS, ["negative", "positive"],
                                                       "sentiment", "ko"))
    nb = fit_naive_bayes(["free prize call now", "see you at lunch", "call now free", "lunch now"], ["spam", "ham", "spam", "ham"])
    save_artifact(folder / "spam_nb.npz", nb.to_artifact({"corpus": "test"}))
    return folder


@pytest.fixture
def checkpoints(tmp_path):
    return write_small_classifiers(tmp_path)


def test_english_goes_to_the_english_models_and_korean_to_nsmc(checkpoints):
    classifiers = ClassifierSet.load(checkpoints)
    assert classifiers.errors == {}
    english = classifiers.classify("Call now for a free prize")
    assert [p.model for p in english] == ["spam_rnn", "spam_nb", "imdb", "reuters"]
    assert all(isinstance(p, Prediction) and p.language == "en" for p in english)
    korean = classifiers.classify("이 영화 정말 재밌어요")
    assert [(p.model, p.language, p.task) for p in korean] == [("nsmc", "ko", "sentiment")]
    for p in english + korean:
        assert p.label == p.top[0][0] and 0.0 <= p.probability <= 1.0
        assert sum(prob for _, prob in p.top) == pytest.approx(1.0, abs=1e-6) or p.task == "topic"
    nb = english[1]
    assert nb.label == "spam" and dict(nb.explanation)["free"] > 0


def test_language_detection():
    assert languages_of("hello there") == ("en",)
    assert languages_of("영화 최고") == ("ko",)
    assert languages_of("이 movie 정말 최고") == ("en", "ko")  # Hangul and Latin words: both
    assert languages_of("this movie is 최고") == ("en", "ko")
    assert languages_of("CG가 최고") == ("ko",)  # a Latin word with a Korean particle is a Korean word
    assert languages_of("12 🙂") == ("en",)  # neither script: the English models (the default)


@pytest.mark.parametrize("jamo", ["ㅋㅋ", "ㅋㅋㅋ", "ㅇㅇ", "ㅉㅉ", "ㄷ", "ㅎ;ㅎOO", "ㅠㅠ", "ﾡﾡ"])
def test_hangul_jamo_messages_get_the_korean_verdict(checkpoints, capsys, jamo):
    """Compatibility (and halfwidth) jamo are Hangul: the most common Korean chat messages go to NSMC,
    also after the classifiers' NFKC folding turns them into conjoining jamo."""
    assert languages_of(jamo) == ("ko",)
    assert main(["classify", "--json", "--checkpoints", str(checkpoints), jamo]) == 0
    result = json.loads(capsys.readouterr().out)
    assert result["languages"] == ["ko"] and result["models"] == ["nsmc"]


@pytest.mark.parametrize("mixed", ["휴잭맨 look down on me", "Don't cry, 트랄라", "ㅋㅋ lol"])
def test_a_message_mixing_hangul_and_latin_words_gets_both_verdicts(checkpoints, capsys, mixed):
    assert main(["classify", "--checkpoints", str(checkpoints), mixed]) == 0
    out = capsys.readouterr().out
    assert "English and Korean text; models: spam_rnn, spam_nb, imdb, reuters, nsmc" in out


def test_table_output_says_which_models_ran(checkpoints, capsys):
    assert main(["classify", "--checkpoints", str(checkpoints), "free prize now", "영화 최악"]) == 0
    out = capsys.readouterr().out
    assert "models: spam_rnn, spam_nb, imdb, reuters" in out
    assert "models: nsmc" in out


def test_json_output_one_object_per_message(checkpoints, capsys, monkeypatch):
    monkeypatch.setattr(sys, "stdin", __import__("io").StringIO("free prize now\n영화 정말 재밌어요\n"))
    assert main(["classify", "--json", "--checkpoints", str(checkpoints)]) == 0
    lines = capsys.readouterr().out.strip().splitlines()
    assert len(lines) == 2
    first, second = (json.loads(line) for line in lines)
    assert [p["model"] for p in first["predictions"]] == first["models"] == ["spam_rnn", "spam_nb", "imdb", "reuters"]
    assert {"model", "label", "probability"} <= set(first["predictions"][0])
    assert second["languages"] == ["ko"] and second["models"] == ["nsmc"]


@pytest.mark.parametrize("text, expected", [
    ("", "empty message"),
    ("   ", "empty message"),
    ("🙂🎉👍", "only symbols or emoji"),
])
def test_bad_input_gets_a_clear_message(checkpoints, capsys, text, expected):
    assert main(["classify", "--checkpoints", str(checkpoints), text]) == 0
    assert expected in capsys.readouterr().out


def test_mixed_and_huge_input_still_classified(checkpoints, capsys):
    huge = "free prize " * 10_000  # 110,000 characters
    assert main(["classify", "--json", "--checkpoints", str(checkpoints), "이 movie 정말 재밌어요 lol", huge]) == 0
    mixed, big = (json.loads(line) for line in capsys.readouterr().out.strip().splitlines())
    assert mixed["models"] == ["spam_rnn", "spam_nb", "imdb", "reuters", "nsmc"]  # Hangul and Latin words
    assert big["models"] == ["spam_rnn", "spam_nb", "imdb", "reuters"] and big["text"] == huge  # given whole


def test_missing_and_corrupt_checkpoints_leave_the_others_running(checkpoints, capsys):
    (checkpoints / "imdb.npz").unlink()
    (checkpoints / "reuters.npz").write_bytes(b"not a zip file at all")
    classifiers = ClassifierSet.load(checkpoints)
    assert set(classifiers.errors) == {"imdb", "reuters"}
    assert "not found" in classifiers.errors["imdb"] and "corrupt" in classifiers.errors["reuters"]
    assert main(["classify", "--checkpoints", str(checkpoints), "free prize"]) == 0
    captured = capsys.readouterr()
    assert "imdb unavailable" in captured.err and "reuters unavailable" in captured.err
    assert "models: spam_rnn, spam_nb" in captured.out


def test_no_checkpoints_at_all_is_a_clear_error(tmp_path, capsys):
    assert main(["classify", "--checkpoints", str(tmp_path), "hello"]) == 1
    assert "no classifier could be loaded" in capsys.readouterr().err


def test_classify_never_imports_tensorflow(checkpoints):
    code = ("import sys; from seqbot.cli import main; "
            f"main(['classify', '--checkpoints', {str(checkpoints)!r}, 'free prize now']); "
            "assert 'tensorflow' not in sys.modules and 'keras' not in sys.modules, 'TensorFlow was imported'")
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=60)
    assert result.returncode == 0, result.stderr
    assert "spam_rnn" in result.stdout
