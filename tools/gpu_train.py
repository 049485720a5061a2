"""Train seqbot's Keras models on a GPU machine under Keras' JAX backend, then export them here.

seqbot installs TensorFlow's CPU build. A GPU machine with TensorFlow and CUDA can simply run
`seqbot train ...`; one that has JAX but no TensorFlow (and no access to the corpora) trains in
three steps, with the same builders, data, splits and vocabularies as `seqbot train`:

    python tools/gpu_train.py prepare --jobs translate_gru512,imdb_lstm --bundle .gpu    # here: corpora -> arrays
    KERAS_BACKEND=jax python tools/gpu_train.py train --bundle .gpu --out OUT --minutes 7  # GPU: arrays -> weights
    python tools/gpu_train.py export --bundle .gpu --weights OUT                           # here: weights -> artifacts

`train` runs every job of the bundle in its own process, side by side on the one GPU, and
keeps the weights of each job's best validation loss; `export` loads them into the
TensorFlow-built model and writes the artifact through the exporter `seqbot train` uses.
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import time
from dataclasses import asdict
from datetime import datetime, timezone
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

# name -> (kind, options). Translators share the split of runs/translate (seed 1, English <= 50, French <= 70).
JOBS = {
    "translate_gru256": ("seq2seq", {"cell": "gru", "units": 256, "attention": "dot", "init": "checkpoints/translator.npz",
                                     "learning_rate": 2e-3, "batch_size": 256}),
    "translate_gru512": ("seq2seq", {"cell": "gru", "units": 512, "attention": "dot", "learning_rate": 2e-3, "batch_size": 256}),
    "translate_gru512_dropout": ("seq2seq", {"cell": "gru", "units": 512, "attention": "dot", "dropout": 0.25,
                                             "learning_rate": 2e-3, "batch_size": 256}),
    "translate_gru768_dropout": ("seq2seq", {"cell": "gru", "units": 768, "attention": "dot", "dropout": 0.3,
                                             "learning_rate": 1.5e-3, "batch_size": 256}),
    "translate_lstm512_dropout": ("seq2seq", {"cell": "lstm", "units": 512, "attention": "dot", "dropout": 0.25,
                                              "learning_rate": 2e-3, "batch_size": 256}),
    "chat_lstm256": ("seq2seq", {"data": "chat", "cell": "lstm", "units": 256, "embedding_dim": 64, "attention": "dot",
                                 "init": None, "learning_rate": 2e-3, "batch_size": 128}),
    "imdb_lstm": ("classifier", {"batch_size": 128}),
    "imdb_lstm_lm": ("classifier", {"batch_size": 128}),
    "imdb_lstm_lm_first": ("classifier", {"batch_size": 128}),
    "imdb_lstm_last": ("classifier", {"batch_size": 128}),
    "imdb_lstm_dropout": ("classifier", {"batch_size": 128}),
    "imdb_lstm_dropout5": ("classifier", {"batch_size": 128}),
    "imdb_lstm_dropout_first": ("classifier", {"batch_size": 128}),
    "imdb_gru": ("classifier", {"batch_size": 128}),
    "imdb_bilstm_attention": ("classifier", {"batch_size": 128, "max_words": 20000}),
    "nsmc": ("classifier", {"batch_size": 256}),
    "generate_lstm": ("textgen", {"cell": "lstm", "units": 256, "batch_size": 128, "learning_rate": 3e-3}),
    "generate_simplernn": ("textgen", {"cell": "simplernn", "units": 256, "batch_size": 128, "learning_rate": 1e-3}),
}
TRANSLATE_SPLIT = dict(max_english_length=50, max_french_length=70, seed=1)


def _spec_array(spec: dict) -> np.ndarray:
    return np.array(json.dumps(spec, ensure_ascii=False))


# --- prepare (here, with the corpora) ---

def prepare_seq2seq(name: str, options: dict, corpora: str | None) -> dict:
    from seqbot.data.char_vocab import CharVocabulary
    from seqbot.training.translate import TrainSettings, artifact_config, make_batches, translation_data

    if options.get("data") == "chat":
        from seqbot.training.chat import CHAT_MAX_LENGTH, chat_data

        data = chat_data(corpora, max_length=CHAT_MAX_LENGTH)
    else:
        data = translation_data(corpora, **TRANSLATE_SPLIT)
    settings = TrainSettings(cell=options["cell"], units=options["units"], attention=options["attention"], dropout=options.get("dropout", 0.0),
                             embedding_dim=options.get("embedding_dim", 64),
                             batch_size=options["batch_size"], learning_rate=options["learning_rate"], seed=1)
    source_vocab = CharVocabulary.build((s for s, _ in data.train), settings.min_char_count)
    target_vocab = CharVocabulary.build((t for _, t in data.train), settings.min_char_count)
    run = {"settings": asdict(settings), "source_vocab": source_vocab.to_list(), "target_vocab": target_vocab.to_list()}

    def encode(pairs):
        """(source, decoder input, decoder target) with seqbot's <start>/<end> convention, as one padded batch."""
        (source, target_in), target_out = next(make_batches(
            [source_vocab.encode(s) for s, _ in pairs], [target_vocab.encode(t) for _, t in pairs], len(pairs), None))
        return source.astype(np.int16), target_in.astype(np.int16), target_out.astype(np.int16)

    validation_pairs = data.validation[:3000]
    train, validation = encode(data.train), encode(validation_pairs)
    spec = {"name": name, "kind": "seq2seq", "options": options, "run": run,
            "artifact_config": artifact_config(run, data.task, data.max_source_length, data.max_target_length),
            "split": data.split, "corpus": data.corpus,
            "train_pairs": len(data.train), "validation_pairs": len(validation_pairs)}
    arrays = {"train_0": train[0], "train_1": train[1], "train_y": train[2],
              "val_0": validation[0], "val_1": validation[1], "val_y": validation[2]}
    if options.get("init") and (ROOT / options["init"]).exists():
        from seqbot.artifact import load_artifact

        shipped = load_artifact(ROOT / options["init"])
        same = all(shipped.config.get(k) == v for k, v in spec["artifact_config"].items())
        if same:
            arrays |= {f"init/{k}": v for k, v in shipped.weights.items()}
    return {"spec": _spec_array(spec), **arrays}


def prepare_classifier(name: str, options: dict, corpora: str | None) -> dict:
    from dataclasses import replace

    from seqbot.training.classify import CONFIGS, encode_all, load_dataset, make_encoder, pad, preprocessing_for

    config = CONFIGS[name]
    if "max_words" in options:
        config = replace(config, max_words=options["max_words"])
    if config.word_vectors or config.average_epochs:  # pretrain_epochs it honours (train_job pretrains)
        raise ValueError(f"{name} starts from word vectors or averages epochs, which only `seqbot train classify {name}` does")
    data = load_dataset(config.corpus, corpora)
    preprocessing, blobs = preprocessing_for(config, data.train_texts)
    encoder = make_encoder(preprocessing, blobs)
    vocab_size = len(preprocessing["vocab"]) if "vocab" in preprocessing else encoder.processor.GetPieceSize() + 1
    ids = encode_all(encoder, data.train_texts, config.max_length, config.keep)
    cut = int(len(ids) * (1 - config.validation_fraction))
    x = pad(ids, config.max_length, pre=config.fixed_length).astype(np.uint16)  # vocabularies stay under 65,536
    y = np.asarray(data.train_labels, np.float32)[:, None]
    language_model = {}
    if config.pretrain_epochs:  # next-word rows, padded at the end like every language model's
        language_model = {"lm_train": pad(ids[:cut], config.max_length, pre=False).astype(np.uint16),
                          "lm_val": pad(ids[cut:], config.max_length, pre=False).astype(np.uint16)}
    spec = {"name": name, "kind": "classifier", "options": options, "config": asdict(config), "vocab_size": vocab_size,
            "preprocessing": preprocessing, "label_names": data.label_names, "split": data.split, "corpus": data.corpus,
            "train_texts": cut, "validation_texts": len(ids) - cut, "test_texts": len(data.test_texts)}
    return {"spec": _spec_array(spec), "train_0": x[:cut], "train_y": y[:cut], "val_0": x[cut:], "val_y": y[cut:],
            **language_model}


def prepare_textgen(name: str, options: dict, corpora: str | None) -> dict:
    from seqbot.engine.generator import tokenize
    from seqbot.training.generate import GenerateTrainingConfig, build_vocabulary, encode, read_shakespeare, split_text, windows

    config = GenerateTrainingConfig(cell=options["cell"], units=options["units"], batch_size=options["batch_size"],
                                    learning_rate=options["learning_rate"])
    text = read_shakespeare(corpora)
    train_text, validation_text = split_text(text, config.validation_fraction)
    train_tokens, validation_tokens = tokenize(train_text, "char"), tokenize(validation_text, "char")
    vocab = build_vocabulary(train_tokens, "char", config.max_words)
    train_ids = encode(train_tokens, vocab)
    # Windows starting at every 25th character: four shifted copies of the non-overlapping windows.
    starts = np.arange(0, len(train_ids) - config.sequence_length - 1, 25)
    train_x = np.stack([train_ids[s:s + config.sequence_length] for s in starts])
    train_y = np.stack([train_ids[s + 1:s + config.sequence_length + 1] for s in starts])
    validation_x, validation_y = windows(encode(validation_tokens, vocab), config.sequence_length)
    spec = {"name": name, "kind": "textgen", "options": options, "config": asdict(config), "vocab": vocab,
            "default_prompt": train_text.split("\n", 1)[0] + "\n",
            "split": {"validation": f"last {config.validation_fraction:.0%} of the text (line-aligned)",
                      "train_characters": len(train_text), "validation_characters": len(validation_text)}}
    return {"spec": _spec_array(spec), "train_0": train_x.astype(np.int16), "train_y": train_y.astype(np.int16),
            "val_0": validation_x.astype(np.int16), "val_y": validation_y.astype(np.int16)}


PREPARE = {"seq2seq": prepare_seq2seq, "classifier": prepare_classifier, "textgen": prepare_textgen}


def prepare(jobs: list[str], bundle: Path, corpora: str | None, limit: int | None = None) -> None:
    bundle.mkdir(parents=True, exist_ok=True)
    for name in jobs:
        kind, options = JOBS[name]
        started = time.time()
        arrays = PREPARE[kind](name, options, corpora)
        if limit:  # a small bundle to try the whole round trip on a CPU
            arrays = {k: v[:limit] if k.startswith(("train_", "val_", "lm_")) else v for k, v in arrays.items()}
        np.savez_compressed(bundle / f"{name}.npz", **arrays)
        print(f"{name}: {', '.join(f'{k} {v.shape}' for k, v in arrays.items() if k != 'spec' and not k.startswith('init/'))} "
              f"({(bundle / f'{name}.npz').stat().st_size / 1e6:.1f} MB, {time.time() - started:.0f} s)")


# --- train (GPU machine; any Keras 3 backend) ---

def build_for(spec: dict):
    """The Keras model of a job, from the same builders `seqbot train` uses."""
    import keras

    kind, options = spec["kind"], spec["options"]
    if kind == "seq2seq":
        from seqbot.models.seq2seq import Seq2SeqConfig, build_seq2seq, compile_seq2seq

        model = build_seq2seq(Seq2SeqConfig.from_artifact_config(spec["artifact_config"], options.get("dropout", 0.0)))
        return compile_seq2seq(model, keras.optimizers.Adam(options["learning_rate"], clipnorm=5.0))
    if kind == "classifier":
        from seqbot.models.classifiers import build

        config = spec["config"]
        model = build(config["spec"], vocab_size=spec["vocab_size"], classes=1, max_length=config["max_length"],
                      variable_length=not config["fixed_length"], rnn_dropout=config.get("rnn_dropout", 0.0))
        model.compile(optimizer=keras.optimizers.Adam(options.get("learning_rate", 1e-3)), loss="binary_crossentropy",
                      metrics=["accuracy"])
        return model
    from seqbot.models.textgen import TextGenConfig, build_model

    config = spec["config"]
    model = build_model(TextGenConfig(config["cell"], config["units"], config["embedding_dim"], "char"), len(spec["vocab"]))
    model.compile(optimizer=keras.optimizers.Adam(options["learning_rate"], clipnorm=5.0),
                  loss=keras.losses.SparseCategoricalCrossentropy(from_logits=True))
    return model


def load_init(model, arrays) -> bool:
    """Start a translator from the shipped checkpoint's weights (same vocabularies and sizes)."""
    from seqbot.models.seq2seq import load_exported_weights

    names = [k[len("init/"):] for k in arrays.files if k.startswith("init/")]
    if names:
        load_exported_weights(model, {name: arrays[f"init/{name}"] for name in names})
    return bool(names)


def _save(path: Path, history: list, weights: dict, notes: dict | None = None) -> None:
    """Weights as w000, w001, ..., the round history, and `notes` (language-model pretraining) as JSON."""
    partial = path.with_name(path.name + ".partial.npz")
    np.savez(partial, history=np.array(json.dumps(history)), notes=np.array(json.dumps(notes or {})), **weights)
    os.replace(partial, path)  # a job killed mid-write leaves the last whole file


def _inputs(arrays: list[np.ndarray]):
    return arrays if len(arrays) > 1 else arrays[0]


def pretrain(model, spec: dict, arrays, deadline: float, log) -> list[dict]:
    """Next-word pretraining of the classifier's Embedding and RNN (ClassifyConfig.pretrain_epochs), for
    at most its epochs or 55 % of the time left, whichever ends first; copies them into `model`."""
    from seqbot.models.classifiers import build_language_model, copy_pretrained
    from seqbot.training.classify import next_word_pairs

    config, batch = spec["config"], spec["options"]["batch_size"]
    language_model = build_language_model(config["spec"], spec["vocab_size"])
    x, y, weights = next_word_pairs(arrays["lm_train"])
    val_x, val_y, val_weights = next_word_pairs(arrays["lm_val"])
    stop = time.time() + 0.55 * (deadline - time.time())
    rng, history, last_epoch = np.random.default_rng(2), [], 0.0
    while len(history) < config["pretrain_epochs"] and (not history or time.time() + last_epoch < stop):
        started = time.time()
        order = rng.permutation(len(x))
        language_model.fit(x[order], y[order], sample_weight=weights[order], batch_size=batch, epochs=1, shuffle=False, verbose=0)
        val_loss = language_model.evaluate(val_x, val_y, sample_weight=val_weights, batch_size=batch, verbose=0)
        last_epoch = time.time() - started
        history.append({"epoch": len(history) + 1, "val_loss": round(float(np.ravel(val_loss)[0]), 4),
                        "seconds": round(last_epoch, 1)})
        print(json.dumps({"language_model": history[-1]}), file=log, flush=True)
    copy_pretrained(language_model, model)
    return history


def train_job(bundle_file: Path, out: Path, deadline: float) -> None:
    import keras

    arrays = np.load(bundle_file)
    spec = json.loads(str(arrays["spec"]))
    name, options = spec["name"], spec["options"]
    inputs = sorted(k for k in arrays.files if k.startswith("train_") and k != "train_y")
    x = [arrays[k].astype(np.int32) for k in inputs]  # one input: passed bare below, as the model expects
    y = arrays["train_y"].astype(np.float32 if spec["kind"] == "classifier" else np.int32)
    val_x = [arrays[k.replace("train_", "val_")].astype(np.int32) for k in inputs]
    val_y = arrays["val_y"].astype(y.dtype)
    keras.utils.set_random_seed(1)
    model = build_for(spec)
    initialised = load_init(model, arrays)
    batch = options["batch_size"]
    val_rows = len(val_y) // batch * batch
    val_x, val_y = [v[:val_rows] for v in val_x], val_y[:val_rows]
    rng = np.random.default_rng(1)
    # A "round" is at most 1/2 epoch of the bigger sets, so the best weights are saved often.
    round_rows = min(len(y), max(batch * 50, len(y) // 2)) // batch * batch
    history, best, bad_rounds, started = [], None, 0, time.time()
    log = open(out / f"{name}.log", "a")
    print(f"{name}: {len(y)} train rows, {val_rows} validation rows, batch {batch}, init {initialised}", file=log, flush=True)
    notes = {"pretraining": pretrain(model, spec, arrays, deadline, log)} if "lm_train" in arrays.files else {}
    last_round = 0.0
    while not history or time.time() + last_round * 1.1 < deadline:  # at least one round
        round_start = time.time()
        order = rng.permutation(len(y))[:round_rows]
        model.fit(_inputs([v[order] for v in x]), y[order], batch_size=batch, epochs=1, shuffle=False, verbose=0)
        scores = model.evaluate(_inputs(val_x), val_y, batch_size=batch, verbose=0, return_dict=True)
        last_round = time.time() - round_start
        entry = {"round": len(history) + 1, "rows": round_rows, "seconds": round(last_round, 1),
                 "elapsed": round(time.time() - started, 1), **{k: float(v) for k, v in scores.items()}}
        history.append(entry)
        print(json.dumps(entry), file=log, flush=True)
        if best is None or entry["loss"] < best:
            best, bad_rounds = entry["loss"], 0
            _save(out / f"{name}.weights.npz", history, {f"w{i:03d}": w for i, w in enumerate(model.get_weights())}, notes)
        else:
            bad_rounds += 1
            learning_rate = float(keras.ops.convert_to_numpy(model.optimizer.learning_rate))
            model.optimizer.learning_rate.assign(learning_rate * 0.5)
            if bad_rounds >= 5:
                break
    with np.load(out / f"{name}.weights.npz") as saved:
        kept = {k: saved[k] for k in saved.files if k.startswith("w")}
    _save(out / f"{name}.weights.npz", history, kept, notes)  # the whole history, rounds after the best too
    print(f"{name}: done, best val loss {best}", file=log, flush=True)


def train(bundle: Path, out: Path, minutes: float, jobs: list[str] | None) -> None:
    """Every job of the bundle in its own process, side by side; waits for all."""
    out.mkdir(parents=True, exist_ok=True)
    deadline = time.time() + minutes * 60
    files = sorted(bundle.glob("*.npz"))
    if jobs:
        files = [f for f in files if f.stem in jobs]
    path = os.pathsep.join(p for p in (str(ROOT), os.environ.get("PYTHONPATH")) if p)
    env = dict(os.environ, XLA_PYTHON_CLIENT_PREALLOCATE="false", PYTHONPATH=path)
    processes = {f.stem: subprocess.Popen([sys.executable, __file__, "_job", str(f), str(out), str(deadline)], env=env,
                                          stdout=open(out / f"{f.stem}.out", "w"), stderr=subprocess.STDOUT)
                 for f in files}
    for name, process in processes.items():
        try:
            process.wait(timeout=max(1.0, deadline + 60 - time.time()))
        except subprocess.TimeoutExpired:  # a round ran far over its estimate: keep what it saved
            process.kill()
            process.wait()
        print(f"{name}: exit {process.returncode}", flush=True)


def pack(weights_dir: Path, to: Path, bin_bytes: int = 15_000_000) -> None:
    """Few files for the trip back: weights packed into bins under 16 MB, every log in one text."""
    to.mkdir(parents=True, exist_ok=True)
    bins: list[dict] = []
    arrays = {}
    for weights_file in sorted(weights_dir.glob("*.weights.npz")):
        name = weights_file.name[:-len(".weights.npz")]
        with np.load(weights_file) as saved:
            arrays |= {f"{name}::{k}": saved[k] for k in saved.files}
    for key, array in sorted(arrays.items(), key=lambda item: -item[1].nbytes):  # a big job spans bins
        target = next((b for b in bins if b["size"] + array.nbytes <= bin_bytes), None)
        if target is None:
            target = {"size": 0, "arrays": {}}
            bins.append(target)
        target["size"] += array.nbytes
        target["arrays"][key] = array
    for index, packed in enumerate(bins):
        np.savez(to / f"pack{index}.npz", **packed["arrays"])
    with open(to / "logs.txt", "w") as logs:
        for log in sorted(weights_dir.glob("*.log")) + sorted(weights_dir.glob("*.out")):
            logs.write(f"== {log.name}\n{log.read_text()[-20000:]}\n")


def unpack(packs: Path, to: Path) -> None:
    to.mkdir(parents=True, exist_ok=True)
    jobs: dict[str, dict] = {}
    for pack_file in sorted(packs.glob("pack*.npz")):
        with np.load(pack_file) as packed:
            for key in packed.files:
                name, _, inner = key.partition("::")
                jobs.setdefault(name, {})[inner] = packed[key]
    for name, arrays in jobs.items():
        np.savez(to / f"{name}.weights.npz", **arrays)
        print(f"{name}: {sum(k.startswith('w') for k in arrays)} weight arrays")


# --- export (here, with TensorFlow) ---

def export(bundle: Path, weights_dir: Path, only: list[str] | None) -> None:
    from seqbot.artifact import Artifact, save_artifact

    for weights_file in sorted(weights_dir.glob("*.weights.npz")):
        name = weights_file.name[:-len(".weights.npz")]
        if only and name not in only:
            continue
        arrays = np.load(bundle / f"{name}.npz")
        spec = json.loads(str(arrays["spec"]))
        with np.load(weights_file) as saved:
            history = json.loads(str(saved["history"]))
            notes = json.loads(str(saved["notes"])) if "notes" in saved.files else {}
            weights = [saved[k] for k in sorted(k for k in saved.files if k.startswith("w"))]
        model = build_for(spec)
        model.set_weights(weights)
        best = min(history, key=lambda h: h["loss"])
        date = datetime.now(timezone.utc).isoformat(timespec="seconds")
        trained = {"machine": "1x NVIDIA H100, Keras 3 JAX backend (tools/gpu_train.py)", "rounds": len(history),
                   "best_round": best["round"], "time_s": history[-1]["elapsed"], "history": history,
                   "options": spec["options"]}
        if notes.get("pretraining"):
            trained |= {"embedding_start": "language-model",
                        "pretraining": {"epochs": len(notes["pretraining"]), "history": notes["pretraining"]}}
        out = weights_dir / f"{name}.npz"
        if spec["kind"] == "seq2seq":
            from seqbot.models.seq2seq import Seq2SeqConfig, export_weights

            config = spec["artifact_config"]
            model_config = Seq2SeqConfig.from_artifact_config(config)
            metadata = {"corpus": spec["corpus"], "split": spec["split"], "preset": None, "date": date,
                        "training": {**trained, "val_loss": best["loss"], "val_accuracy": best.get("masked_accuracy"),
                                     "train_pairs": spec["train_pairs"], "validation_pairs": spec["validation_pairs"],
                                     "settings": spec["run"]["settings"]}}
            save_artifact(out, Artifact("seq2seq", config, export_weights(model, model_config), metadata))
        elif spec["kind"] == "classifier":
            from seqbot.models.classifiers import export_artifact, spec as lecture_spec

            config = spec["config"]
            metadata = {"corpus": spec["corpus"], "split": spec["split"], "train_texts": spec["train_texts"],
                        "validation_texts": spec["validation_texts"], "test_texts": spec["test_texts"],
                        "vocabulary_size": spec["vocab_size"], "lecture_vocabulary_size": lecture_spec(config["spec"]).vocab_size,
                        "scores": {"validation_accuracy": round(best["accuracy"], 4)},
                        "training": {**trained, "optimizer": "adam", "batch_size": spec["options"]["batch_size"]},
                        "date": date[:10], "trained_as": name}
            artifact = export_artifact(model, config["spec"], spec["preprocessing"], spec["label_names"], metadata, config["max_length"])
            artifact.config.update(task=config["task"], language=config["language"], keep=config["keep"],
                                   padding="pre" if config["fixed_length"] else "none",
                                   trained_as=name, corpus=spec["corpus"])
            save_artifact(out, artifact)
        else:
            import math

            from seqbot.models.textgen import TextGenConfig, export_artifact

            config = spec["config"]
            bits = best["loss"] / math.log(2)
            metadata = {"corpus": "tinyshakespeare/input.txt", "split": spec["split"], "date": date,
                        "training": {**trained, "batch_size": config["batch_size"], "sequence_length": config["sequence_length"]},
                        "scores": {"val_loss_nats_per_token": best["loss"], "val_bits_per_char": bits, "best_val_bits_per_char": bits}}
            save_artifact(out, export_artifact(model, TextGenConfig(config["cell"], config["units"], config["embedding_dim"], "char"),
                                               spec["vocab"], spec["default_prompt"], metadata))
        print(f"{name}: best round {best['round']} of {len(history)}, val loss {best['loss']:.4f} -> {out}")


def main(argv: list[str] | None = None) -> int:
    argv = sys.argv[1:] if argv is None else argv
    if argv and argv[0] == "_job":
        train_job(Path(argv[1]), Path(argv[2]), float(argv[3]))
        return 0
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    commands = parser.add_subparsers(dest="command", required=True)
    p = commands.add_parser("prepare")
    p.add_argument("--jobs", default=",".join(JOBS), help=f"comma-separated, from: {', '.join(JOBS)}")
    p.add_argument("--bundle", default=".gpu")
    p.add_argument("--corpora")
    p.add_argument("--limit", type=int, help="keep the first N training and validation rows (a quick trial)")
    t = commands.add_parser("train")
    t.add_argument("--bundle", default=".gpu")
    t.add_argument("--out", required=True)
    t.add_argument("--minutes", type=float, default=7.0)
    t.add_argument("--jobs")
    k = commands.add_parser("pack")
    k.add_argument("--weights", required=True)
    k.add_argument("--to", required=True)
    u = commands.add_parser("unpack")
    u.add_argument("--packs", required=True)
    u.add_argument("--to", required=True)
    e = commands.add_parser("export")
    e.add_argument("--bundle", default=".gpu")
    e.add_argument("--weights", required=True)
    e.add_argument("--jobs")
    args = parser.parse_args(argv)
    if args.command == "prepare":
        prepare(args.jobs.split(","), Path(args.bundle), args.corpora, args.limit)
    elif args.command == "train":
        train(Path(args.bundle), Path(args.out), args.minutes, args.jobs.split(",") if args.jobs else None)
    elif args.command == "pack":
        pack(Path(args.weights), Path(args.to))
    elif args.command == "unpack":
        unpack(Path(args.packs), Path(args.to))
    else:
        export(Path(args.bundle), Path(args.weights), args.jobs.split(",") if args.jobs else None)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
