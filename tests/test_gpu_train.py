"""tools/gpu_train.py, the thin GPU driver: a job is a registry recipe, it trains through the one loop
(seqbot.training.loop.fit) into a run folder that resumes, the run folder survives pack/unpack, and the
export is the artifact the engine runs (here under TensorFlow, the backend this machine has).

    python -m pytest tests/test_gpu_train.py -q
"""

from __future__ import annotations

import importlib.util
import json
import time
from dataclasses import asdict, replace
from pathlib import Path

import numpy as np
import pytest

from seqbot.artifact import load_artifact
from seqbot.data.char_vocab import CharVocabulary
from seqbot.engine.seq2seq import Seq2SeqModel
from seqbot.training.translate import TrainSettings, make_batches

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
    settings = TrainSettings(cell="gru", units=8, embedding_dim=4, attention="dot", attention_units=4, epochs=2,
                             batch_size=8, learning_rate=1e-2, clipnorm=5.0, plateau_factor=0.5, min_char_count=1)
    run = {"settings": asdict(settings), "task": "translate", "corpus": "toy", "split": {"seed": 1}, "preset": None,
           "source_vocab": source_vocab.to_list(), "target_vocab": target_vocab.to_list(), "loss": "per-character"}
    (source, target_in), target_out = next(make_batches(
        [source_vocab.encode(s) for s, _ in pairs], [target_vocab.encode(t) for _, t in pairs], len(pairs), None))
    spec = {"name": "toy", "trainer": "translate", "recipe": "toy", "kind": "seq2seq", "run": run, "max_lengths": [4, 4],
            "train_pairs": len(pairs), "validation_pairs": 16, "data_sha256": {"toy.txt": "0" * 64}}
    np.savez(path, spec=np.array(json.dumps(spec)), train_0=source, train_1=target_in, train_y=target_out,
             val_0=source[:16], val_1=target_in[:16], val_y=target_out[:16])


def test_a_job_trains_through_the_loop_resumes_and_comes_back_as_an_artifact(gpu_train, tmp_path):
    bundle, out, packs, unpacked = (tmp_path / name for name in ("bundle", "out", "packs", "unpacked"))
    bundle.mkdir()
    _bundle(bundle / "toy.npz")
    run_dir = gpu_train.train_job(bundle / "toy.npz", out, deadline=time.time() + 120)
    state = json.loads((run_dir / "loop_state.json").read_text())
    assert [entry["epoch"] for entry in state["history"]] == [1, 2] and state["updates"] == 2 * 4  # 32 rows, batch 8
    assert all(np.isfinite(entry["loss"]) for entry in state["history"]) and (run_dir / "backup").is_dir()
    with np.load(run_dir / "final.weights.npz") as saved:
        trained = [saved[f"arr_{i}"] for i in range(len(saved.files))]
    gpu_train.train_job(bundle / "toy.npz", out, deadline=time.time() + 120)  # finished: trains nothing more
    assert json.loads((run_dir / "loop_state.json").read_text())["updates"] == state["updates"]

    gpu_train.pack(out, packs, bin_bytes=2_000)  # bins smaller than the weights: a file spreads over several
    assert len(list(packs.glob("pack*.npz"))) > 1
    gpu_train.unpack(packs, unpacked)
    for name in ("loop_state.json", "log.csv", "final.weights.npz", "job.log"):
        assert (unpacked / "toy" / name).read_bytes() == (run_dir / name).read_bytes()
    assert not (unpacked / "toy" / "backup").exists()

    [path] = gpu_train.export(bundle, unpacked, None)
    artifact = load_artifact(path, kind="seq2seq")
    assert path == unpacked / "toy" / "toy.npz" and artifact.config["units"] == 8 and artifact.config["decoding"]
    training = artifact.metadata["training"]
    assert training["epochs"] == 2 and training["updates"] == 8 and training["best_epoch"] == state["best_epoch"]
    assert artifact.metadata["data_sha256"] == {"toy.txt": "0" * 64} and artifact.metadata["recipe_name"] == "toy"
    # The artifact holds the trained weights themselves, and load_exported_weights is export's exact inverse.
    assert any(np.array_equal(artifact.weights["decoder/recurrent_kernel"], w) for w in trained)
    from seqbot.models.seq2seq import load_exported_weights

    keras_model = gpu_train.build_for(json.loads(str(np.load(bundle / "toy.npz")["spec"])))
    load_exported_weights(keras_model, artifact.weights)
    assert all(np.array_equal(a, b) for a, b in zip(keras_model.get_weights(), trained))
    model = Seq2SeqModel.from_artifact(artifact)
    log_probs, _, _ = model.step(np.array([1]), model.encode(np.array([[3, 4, 5]])))
    assert np.isclose(np.exp(log_probs).sum(), 1.0, atol=1e-5)


def _classifier_bundle(path: Path) -> None:
    """A tiny sentiment task in the layout prepare_classifier writes, with language-model rows."""
    from seqbot.training.classify import CONFIGS, pad

    config = replace(CONFIGS["imdb_lstm_lm"], max_length=6, pretrain_epochs=2, epochs=2, batch_size=16)
    vocab = ["", "<oov>", "good", "bad", "film", "very"]
    rng = np.random.default_rng(0)
    texts = [list(rng.choice([4, 5, 2 + label], size=rng.integers(2, 7))) for label in (0, 1) * 32]
    labels = np.array([0, 1] * 32, np.float32)[:, None]
    padded = pad(texts, 6, pre=False).astype(np.uint16)
    spec = {"name": "toy_classifier", "trainer": "classify", "recipe": "imdb_lstm_lm", "kind": "classifier",
            "config": asdict(config), "vocab_size": len(vocab), "preprocessing": {"type": "words", "vocab": vocab, "oov_id": 1},
            "label_names": ["negative", "positive"], "split": {"seed": 0}, "corpus": "toy", "train_texts": 48,
            "validation_texts": 16, "data_sha256": {}}
    np.savez(path, spec=np.array(json.dumps(spec)), train_0=padded[:48], train_y=labels[:48], val_0=padded[48:],
             val_y=labels[48:], lm_train=padded[:48], lm_val=padded[48:])


def test_classifier_job_pretrains_through_the_loop_and_records_it(gpu_train, tmp_path):
    from seqbot.engine.classifier import load_classifier

    bundle, out = tmp_path / "bundle", tmp_path / "out"
    bundle.mkdir()
    _classifier_bundle(bundle / "toy_classifier.npz")
    run_dir = gpu_train.train_job(bundle / "toy_classifier.npz", out, deadline=time.time() + 120)
    pretraining = json.loads((run_dir / "language-model" / "loop_state.json").read_text())
    assert pretraining["epoch"] == 2
    [path] = gpu_train.export(bundle, out, None)
    model = load_classifier(path)
    training = model.metadata["training"]
    assert training["pretraining"]["epochs"] == 2 and training["epochs"] == 2
    assert model.metadata["trained_as"] == "imdb_lstm_lm" and model.metadata["recipe"]["pretrain_epochs"] == 2
    assert model.probabilities_batch(["very good film"]).shape == (1, 2)


def test_jobs_are_registry_recipes(gpu_train, fixtures_dir, tmp_path):
    """prepare reads the recipe from the registry (the JOBS table is gone); augmenting recipes are refused."""
    from seqbot.errors import SeqbotError
    from seqbot.training.recipes import SHIPPED

    gpu_train.prepare(["generator"], tmp_path, str(fixtures_dir / "generate"), limit=8)
    spec = json.loads(str(np.load(tmp_path / "generator.npz")["spec"]))
    assert (spec["trainer"], spec["recipe"]) == ("generate", "generator")
    assert {key: spec["config"][key] for key in SHIPPED["generator"].settings} == SHIPPED["generator"].settings
    assert gpu_train.loop_config(spec, 5.0).steps_per_epoch == 156 and gpu_train.loop_config(spec, 5.0).max_minutes == 5.0
    assert gpu_train.job_recipe("classify:imdb_lstm").name == "imdb_lstm"
    with pytest.raises(SeqbotError, match="augment"):
        gpu_train.prepare(["translator"], tmp_path, None)
    with pytest.raises(SeqbotError, match="TRAINER:RECIPE"):
        gpu_train.job_recipe("nope")


JAX_JOBS = """
import sys, time
from pathlib import Path

class NoTensorFlow:  # as on a GPU machine that has JAX only
    def find_spec(self, name, path=None, target=None):
        if name.split(".")[0] in ("tensorflow", "tf_keras"):
            raise ImportError("no TensorFlow on this machine")

sys.meta_path.insert(0, NoTensorFlow())
sys.path.insert(0, {tests!r})
import keras
from test_gpu_train import _bundle, _classifier_bundle
import importlib.util
spec = importlib.util.spec_from_file_location("gpu_train", {driver!r})
gpu_train = importlib.util.module_from_spec(spec)
spec.loader.exec_module(gpu_train)
bundle, out = Path({bundle!r}), Path({out!r})
_bundle(bundle / "toy.npz")
_classifier_bundle(bundle / "toy_classifier.npz")
for name in ("toy", "toy_classifier"):
    gpu_train.train_job(bundle / f"{{name}}.npz", out, time.time() + 300)
print("BACKEND", keras.backend.backend(), "tensorflow" in sys.modules)
"""


def test_jobs_train_under_jax_without_tensorflow_and_export_here(gpu_train, tmp_path):
    """The GPU machine's case: Keras on JAX, TensorFlow never imported; the run folders export here."""
    import os
    import subprocess
    import sys

    if importlib.util.find_spec("jax") is None and not os.environ.get("SEQBOT_JAX_PATH"):
        pytest.skip("JAX is not installed (SEQBOT_JAX_PATH may name a folder that holds it)")
    bundle, out = tmp_path / "bundle", tmp_path / "out"
    bundle.mkdir()
    code = JAX_JOBS.format(tests=str(ROOT / "tests"), driver=str(ROOT / "tools" / "gpu_train.py"), bundle=str(bundle), out=str(out))
    path = os.pathsep.join(p for p in (os.environ.get("SEQBOT_JAX_PATH"), str(ROOT)) if p)
    completed = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=600,
                               env=dict(os.environ, KERAS_BACKEND="jax", PYTHONPATH=path))
    assert completed.returncode == 0, completed.stderr[-3000:]
    assert "BACKEND jax False" in completed.stdout
    paths = gpu_train.export(bundle, out, None)
    assert [path.name for path in paths] == ["toy.npz", "toy_classifier.npz"]
    assert load_artifact(paths[0], kind="seq2seq").metadata["training"]["updates"] == 8
    assert load_artifact(paths[1]).metadata["training"]["pretraining"]["epochs"] == 2
