"""tools/gpu_train.py: a job trains from its bundle, its weights survive pack/unpack, and the export is
the artifact the engine runs (here under TensorFlow, the backend this machine has)."""

from __future__ import annotations

import importlib.util
import json
import time
from pathlib import Path

import numpy as np
import pytest

from seqbot.artifact import load_artifact
from seqbot.data.char_vocab import CharVocabulary
from seqbot.engine.seq2seq import Seq2SeqModel
from seqbot.training.translate import make_batches

ROOT = Path(__file__).resolve().parent.parent


@pytest.fixture(scope="module")
def gpu_train():
    spec = importlib.util.spec_from_file_location("gpu_train", ROOT / "tools" / "gpu_train.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def _bundle(path: Path) -> None:
    """A tiny copy task in the layout prepare_seq2seq writes."""
    pairs = [("abc", "cba"), ("ab", "ba"), ("cab", "bac"), ("bca", "acb")] * 8
    source_vocab = CharVocabulary.build((s for s, _ in pairs), 1)
    target_vocab = CharVocabulary.build((t for _, t in pairs), 1)
    config = {"task": "translate", "cell": "gru", "units": 8, "embedding_dim": 4, "attention": "dot", "attention_units": 4,
              "source_vocab": source_vocab.to_list(), "target_vocab": target_vocab.to_list(),
              "max_source_length": 4, "max_target_length": 4}
    (source, target_in), target_out = next(make_batches(
        [source_vocab.encode(s) for s, _ in pairs], [target_vocab.encode(t) for _, t in pairs], len(pairs), None))
    spec = {"name": "toy", "kind": "seq2seq", "options": {"learning_rate": 1e-2, "batch_size": 8},
            "run": {"settings": {"cell": "gru"}}, "artifact_config": config, "split": {"seed": 1}, "corpus": "toy",
            "train_pairs": len(pairs), "validation_pairs": 16}
    np.savez(path, spec=np.array(json.dumps(spec)), train_0=source, train_1=target_in, train_y=target_out,
             val_0=source[:16], val_1=target_in[:16], val_y=target_out[:16])


def test_train_pack_unpack_export_round_trip(gpu_train, tmp_path):
    bundle, out, packs, unpacked = (tmp_path / name for name in ("bundle", "out", "packs", "unpacked"))
    bundle.mkdir()
    out.mkdir()
    _bundle(bundle / "toy.npz")
    gpu_train.train_job(bundle / "toy.npz", out, deadline=time.time() + 3)

    with np.load(out / "toy.weights.npz") as saved:
        history = json.loads(str(saved["history"]))
        trained = [saved[k] for k in sorted(k for k in saved.files if k.startswith("w"))]
    assert history and all(np.isfinite(entry["loss"]) for entry in history)

    gpu_train.pack(out, packs, bin_bytes=2_000)  # bins smaller than the job: its arrays spread over several
    assert len(list(packs.glob("pack*.npz"))) > 1 and "toy.log" in (packs / "logs.txt").read_text()
    gpu_train.unpack(packs, unpacked)
    with np.load(unpacked / "toy.weights.npz") as restored:
        assert all(np.array_equal(a, restored[f"w{i:03d}"]) for i, a in enumerate(trained))

    gpu_train.export(bundle, unpacked, None)
    artifact = load_artifact(unpacked / "toy.npz", kind="seq2seq")
    assert artifact.metadata["training"]["rounds"] == len(history)
    assert artifact.config["units"] == 8
    # The artifact holds the trained weights themselves: the decoder's recurrent kernel is among them.
    assert any(np.array_equal(artifact.weights["decoder/recurrent_kernel"], w) for w in trained)
    # load_exported_weights (how a job starts from a shipped checkpoint) is export's exact inverse.
    from seqbot.models.seq2seq import load_exported_weights

    spec = json.loads(str(np.load(bundle / "toy.npz")["spec"]))
    keras_model = gpu_train.build_for(spec)
    load_exported_weights(keras_model, artifact.weights)
    assert all(np.array_equal(a, b) for a, b in zip(keras_model.get_weights(), trained))

    model = Seq2SeqModel.from_artifact(artifact)
    log_probs, _, _ = model.step(np.array([1]), model.encode(np.array([[3, 4, 5]])))
    assert np.isclose(np.exp(log_probs).sum(), 1.0, atol=1e-5)


def _classifier_bundle(path: Path) -> None:
    """A tiny sentiment task in the layout prepare_classifier writes, with language-model rows."""
    from dataclasses import asdict, replace

    from seqbot.training.classify import CONFIGS, pad

    config = replace(CONFIGS["imdb_lstm_lm"], max_length=6, pretrain_epochs=2)
    vocab = ["", "<oov>", "good", "bad", "film", "very"]
    rng = np.random.default_rng(0)
    texts = [list(rng.choice([4, 5, 2 + label], size=rng.integers(2, 7))) for label in (0, 1) * 32]
    labels = np.array([0, 1] * 32, np.float32)[:, None]
    padded = pad(texts, 6, pre=False).astype(np.uint16)
    spec = {"name": "toy_classifier", "kind": "classifier", "options": {"batch_size": 16},
            "config": asdict(config), "vocab_size": len(vocab), "preprocessing": {"type": "words", "vocab": vocab, "oov_id": 1},
            "label_names": ["negative", "positive"], "split": {"seed": 0}, "corpus": "toy", "train_texts": 48,
            "validation_texts": 16, "test_texts": 0}
    np.savez(path, spec=np.array(json.dumps(spec)), train_0=padded[:48], train_y=labels[:48], val_0=padded[48:],
             val_y=labels[48:], lm_train=padded[:48], lm_val=padded[48:])


def test_classifier_job_pretrains_and_records_it(gpu_train, tmp_path):
    """A classifier job with language-model rows pretrains first; the export records the pretraining
    and the best round's validation accuracy in the artifact."""
    from seqbot.engine.classifier import load_classifier

    bundle, out = tmp_path / "bundle", tmp_path / "out"
    bundle.mkdir()
    out.mkdir()
    _classifier_bundle(bundle / "toy_classifier.npz")
    gpu_train.train_job(bundle / "toy_classifier.npz", out, deadline=time.time() + 20)
    pretrained_epochs = (out / "toy_classifier.log").read_text().count('"language_model"')
    assert 1 <= pretrained_epochs <= 2  # its epochs, or fewer when 55 % of the time is spent
    gpu_train.export(bundle, out, None)
    model = load_classifier(out / "toy_classifier.npz")
    training = model.metadata["training"]
    assert training["embedding_start"] == "language-model" and training["pretraining"]["epochs"] == pretrained_epochs
    best = min(training["history"], key=lambda h: h["loss"])
    assert model.metadata["scores"]["validation_accuracy"] == pytest.approx(best["accuracy"], abs=1e-4)
    assert model.probabilities_batch(["very good film"]).shape == (1, 2)
