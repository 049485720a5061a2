"""tools/gpu_train.py, the thin GPU driver: a job is a registry recipe, it trains through the one loop
(seqbot.training.loop.fit) into a run folder that resumes, the run folder survives pack/unpack, and the
export is the artifact the engine runs (here under TensorFlow, the backend this machine has). The
translator's recipe travels as text with its augmenter's data and is rewritten every pass by worker
processes (seqbot.training.augmented_batches); tools/gpu_translator.sh runs it on a GPU machine.

    python -m pytest tests/test_gpu_train.py -q
    SEQBOT_JAX_PATH=/path/to/jax python -m pytest tests/test_gpu_train.py -q    # the JAX test too
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
    """prepare reads the recipe from the registry (the JOBS table is gone)."""
    from seqbot.errors import SeqbotError
    from seqbot.training.recipes import SHIPPED

    gpu_train.prepare(["generator"], tmp_path, str(fixtures_dir / "generate"), limit=8)
    spec = json.loads(str(np.load(tmp_path / "generator.npz")["spec"]))
    assert (spec["trainer"], spec["recipe"]) == ("generate", "generator")
    assert {key: spec["config"][key] for key in SHIPPED["generator"].settings} == SHIPPED["generator"].settings
    assert gpu_train.loop_config(spec, 5.0).steps_per_epoch == 156 and gpu_train.loop_config(spec, 5.0).max_minutes == 5.0
    assert gpu_train.job_recipe("classify:imdb_lstm").name == "imdb_lstm"
    with pytest.raises(SeqbotError, match="TRAINER:RECIPE"):
        gpu_train.job_recipe("nope")


# The shipped translator's recipe (augmentation, bidirectional GRU, two decoder layers) at tiny size.
TINY_TRANSLATOR = ("units=8,embedding_dim=4,attention_units=4,batch_size=4,steps_per_epoch=1,epochs=2,"
                   "max_validation_pairs=8,min_char_count=1,learning_rate=0.01,init_from=none")


def _translator_bundle(gpu_train, bundle: Path) -> Path:
    """`prepare --jobs translator --set TINY_TRANSLATOR` on the fixture's pairs, with an augmenter that
    rewrites every name and number (the corpora's name list is replaced by three names)."""
    from seqbot.data.augment import AugmentConfig, Augmenter, lower_case_words
    from seqbot.data.fra_eng import read_pairs
    from seqbot.training.translate import PairData

    corpus = ROOT / "tests" / "fixtures" / "fra_eng" / "fra.txt"
    pairs = read_pairs(corpus)
    texts = [(p.english, p.french) for p in pairs if len(p.english) <= 60]
    texts.append(("Tom bought 3 apples.", "Tom a acheté 3 pommes."))
    augmenter = Augmenter(["Chandler", "Joey", "Rachel"], lower_case_words(pairs), AugmentConfig(name_rate=1.0, number_rate=1.0))
    split = {"kind": "novel", "corpus": "fra-eng", "augment": augmenter.config.to_dict() | {"names": 3}}
    data = PairData(texts[6:], texts[:6], 60, 80, corpus="fra-eng", split=split, augmenter=augmenter, files=[corpus])
    return gpu_train.prepare_job("translator", bundle, None, overrides=gpu_train.settings_overrides(TINY_TRANSLATOR),
                                 data=data)


def test_translator_bundle_carries_text_and_the_augmenter_not_the_corpus(gpu_train, tmp_path):
    path = _translator_bundle(gpu_train, tmp_path)
    with np.load(path) as arrays:
        spec, text = json.loads(str(arrays["spec"])), gpu_train.bundle_text(arrays)
        assert sorted(arrays.files) == ["longest", "pairs", "spec"] and len(arrays["longest"]) == spec["train_pairs"]
    assert (spec["recipe"], spec["run"]["settings"]["augment"], spec["run"]["settings"]["units"]) == ("translator", True, 8)
    assert spec["run"]["settings"]["init_from"] is None and "init_from" not in spec
    assert text["names"] == ["Chandler", "Joey", "Rachel"] and text["augment"]["name_rate"] == 1.0
    assert ["Tom bought 3 apples.", "Tom a acheté 3 pommes."] in text["train"] and len(text["validation"]) == 6
    assert spec["run"]["split"]["augment"]["names"] == 3 and spec["augment"]["config"]["number_rate"] == 1.0
    # shapes grow on both sides, and hold the longest pair with its names rewritten
    shapes = spec["shapes"]
    assert all(a[0] <= b[0] and a[1] <= b[1] for a, b in zip(shapes, shapes[1:]))
    assert all(side % 8 == 0 for shape in shapes for side in shape)
    # a file git tracks travels with the working tree: the bundle names it and its sha256
    tracked = gpu_train.init_entries("checkpoints/translator-gru512.npz")
    assert tracked[0]["init_from"]["path"] == "checkpoints/translator-gru512.npz" and tracked[1] == {}
    from seqbot.errors import SeqbotError

    with pytest.raises(SeqbotError, match="KEY=VALUE"):
        gpu_train.settings_overrides("unitz=8")
    with pytest.raises(SeqbotError, match="learning_rate"):
        gpu_train.settings_overrides("units=9", gpu_train.TRAIN_SETTINGS)


def test_translator_job_rewrites_pairs_in_worker_processes_warm_starts_and_exports(gpu_train, tmp_path):
    """The translator's job at tiny size through the driver under TensorFlow: batches made by two
    worker processes are the ones one process makes; run A trains 2 rounds of 1 step; run B starts
    from A's weights; both export as artifacts the engine loads, with the augment record."""
    from seqbot.engine.translator import Translator

    bundle, out = tmp_path / "bundle", tmp_path / "out"
    path = _translator_bundle(gpu_train, bundle)
    with np.load(path) as arrays:
        spec = json.loads(str(arrays["spec"]))
        pooled, _ = gpu_train.seq2seq_data(spec, arrays, 1, workers=2)
        alone, _ = gpu_train.seq2seq_data(spec, arrays, 1, workers=0)
    with pooled:
        for epoch in (3, 4, 3):  # round r is batch r of the run (1 step a round), whoever makes it
            pooled.set_epoch(epoch)
            alone.set_epoch(epoch)
            (x, y), (x2, y2) = pooled[0], alone[0]
            assert all(np.array_equal(a, b) for a, b in zip(x + (y,), x2 + (y2,)))
            assert (x[0].shape[1], y.shape[1]) in {tuple(shape) for shape in spec["shapes"]} and len(y) == 4

    run_a = gpu_train.train_job(path, out, time.time() + 300, run_name="translator-a", workers=2, average_last=2)
    state = json.loads((run_a / "loop_state.json").read_text())
    assert [entry["epoch"] for entry in state["history"]] == [1, 2] and state["updates"] == 2
    assert all(np.isfinite(entry["loss"]) and np.isfinite(entry["val_loss"]) for entry in state["history"])
    job_a = json.loads((run_a / "job.json").read_text())
    assert job_a["started_from"] == "scratch" and job_a["batches"]["workers"] == 2 and job_a["job"] == "translator"
    run_b = gpu_train.train_job(path, out, time.time() + 300, run_name="translator-b", workers=0,
                                init_from=str(run_a / "final.weights.npz"), overrides={"learning_rate": 0.001})
    job_b = json.loads((run_b / "job.json").read_text())
    assert job_b["started_from"] == str(run_a / "final.weights.npz") and job_b["overrides"] == {"learning_rate": 0.001}

    paths = gpu_train.export(bundle, out, None)
    assert [p.name for p in paths] == ["translator-a.npz", "translator-b.npz"]
    artifact = load_artifact(paths[1], kind="seq2seq")
    metadata = artifact.metadata
    assert metadata["split"]["augment"]["name_rate"] == 1.0 and metadata["split"]["augment"]["names"] == 3
    assert metadata["training"]["settings"]["learning_rate"] == 0.001 and metadata["started_from"].endswith("final.weights.npz")
    assert metadata["recipe_name"] == "translator" and metadata["training"]["updates"] == 2
    assert artifact.config["case_variants"] and artifact.config["decoding"] and "placeholders" in artifact.config
    assert artifact.config["decoder_layers"] == 2 and artifact.config["bidirectional"]
    translation = Translator.load(paths[1]).translate("Tom is here.")
    assert isinstance(translation.text, str)


JAX_JOBS = """
import sys, time
from pathlib import Path

class NoTensorFlow:  # as on a GPU machine that has JAX only (and not the app's textual)
    def find_spec(self, name, path=None, target=None):
        if name.split(".")[0] in ("tensorflow", "tf_keras", "textual"):
            raise ImportError(f"no {{name}} on this machine")

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
# the translator as tools/gpu_translator.sh runs it: batches from worker processes, then a warm start
run_a = gpu_train.train_job(bundle / "translator.npz", out, time.time() + 300, run_name="translator-a", workers=2)
gpu_train.train_job(bundle / "translator.npz", out, time.time() + 300, run_name="translator-b", workers=2,
                    init_from=str(run_a / "final.weights.npz"))
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
    _translator_bundle(gpu_train, bundle)
    code = JAX_JOBS.format(tests=str(ROOT / "tests"), driver=str(ROOT / "tools" / "gpu_train.py"), bundle=str(bundle), out=str(out))
    path = os.pathsep.join(p for p in (os.environ.get("SEQBOT_JAX_PATH"), str(ROOT)) if p)
    completed = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=900,
                               env=dict(os.environ, KERAS_BACKEND="jax", PYTHONPATH=path,
                                        JAX_COMPILATION_CACHE_DIR=str(tmp_path / "jax-cache")))
    assert completed.returncode == 0, completed.stderr[-3000:]
    assert "BACKEND jax False" in completed.stdout
    paths = gpu_train.export(bundle, out, None)
    assert [path.name for path in paths] == ["toy.npz", "toy_classifier.npz", "translator-a.npz", "translator-b.npz"]
    assert load_artifact(paths[0], kind="seq2seq").metadata["training"]["updates"] == 8
    assert load_artifact(paths[1]).metadata["training"]["pretraining"]["epochs"] == 2
    translator = load_artifact(paths[3], kind="seq2seq")
    assert translator.metadata["training"]["updates"] == 2 and translator.metadata["split"]["augment"]["names"] == 3
    assert translator.metadata["started_from"].endswith("translator-a/final.weights.npz")
    assert "jax" in json.dumps(translator.metadata["hardware"]).lower()
