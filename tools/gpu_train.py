"""Train seqbot's recipes on a GPU machine that has JAX but no TensorFlow (or corpora): a thin driver.

seqbot installs TensorFlow's CPU build. A GPU machine with TensorFlow and CUDA can simply run
`seqbot train ...`. One with only JAX trains a recipe of the registry (seqbot/training/recipes.py) in
three steps, with the same data, vocabularies, model builders, loop (seqbot.training.loop.fit: resume,
time budget, early stopping, halving) and exporters as `seqbot train`:

    python tools/gpu_train.py prepare --jobs translator-gru512,chat,generator --bundle .gpu  # here: corpora -> arrays
    KERAS_BACKEND=jax python tools/gpu_train.py train --bundle .gpu --out OUT --minutes 7    # GPU: one run folder a job
    python tools/gpu_train.py export --bundle .gpu --runs OUT                               # here: run folders -> artifacts

A job is a shipped checkpoint's name (checkpoints/NAME.npz: its recipe) or TRAINER:RECIPE
(`classify:imdb_lstm`). `train` runs every job of the bundle in its own process, side by side on the one
GPU, each in OUT/NAME (rerun it to resume); `pack` / `unpack` carry the run folders back in files under
16 MB; `export` loads each run's best weights into the TensorFlow-built model and writes OUT/NAME/NAME.npz
with the trainer's own exporter and metadata (copy it to checkpoints/ with `export_copy`, --force).
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import time
from dataclasses import asdict
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))


def job_recipe(job: str):
    """The registry recipe of a job: a shipped checkpoint's name, or TRAINER:RECIPE."""
    from seqbot.training.recipes import find_recipe, shipped_recipe

    if ":" in job:
        trainer, name = job.split(":", 1)
        return find_recipe(trainer, name)
    recipe = shipped_recipe(job)
    if recipe is None:
        from seqbot.errors import SeqbotError

        raise SeqbotError(f"{job!r} is not a shipped checkpoint; name an experiment as TRAINER:RECIPE "
                          f"(`seqbot models recipes` lists them)")
    return recipe


def _json_array(value) -> np.ndarray:
    return np.array(json.dumps(value, ensure_ascii=False))


# --- prepare (here, with the corpora) ---

def prepare_seq2seq(recipe, corpora: str | None) -> dict:
    """Vocabularies and encoded pairs as `seqbot train translate|chat` makes them (run.json included)."""
    from seqbot.data.char_vocab import CharVocabulary
    from seqbot.training.metadata import data_sha256
    from seqbot.training.translate import _vocabularies, make_batches, recipe_data, recipe_settings

    if recipe.trainer == "chat":
        from seqbot.training.chat import chat_data, chat_recipe

        config, settings = chat_recipe()
        data = chat_data(corpora, config.max_length, config.validation_fraction, settings.seed)
    else:
        settings = recipe_settings(recipe)
        if settings.augment:
            from seqbot.errors import SeqbotError

            raise SeqbotError(f"{recipe.name} rewrites its pairs every pass (augment): train it with seqbot train translate")
        data = recipe_data(recipe, corpora)
    data.recipe_name = recipe.name
    source_vocab, target_vocab = _vocabularies(data, settings)
    run = {"settings": asdict(settings), "task": data.task, "corpus": data.corpus, "split": data.split, "preset": data.preset,
           "source_vocab": source_vocab.to_list(), "target_vocab": target_vocab.to_list(), "loss": "per-character"}

    def encode(pairs):
        """(source, decoder input, decoder target) with seqbot's <start>/<end> convention, as one padded batch."""
        source, target = CharVocabulary(run["source_vocab"]), CharVocabulary(run["target_vocab"])
        (x, x_in), y = next(make_batches([source.encode(s) for s, _ in pairs], [target.encode(t) for _, t in pairs],
                                         len(pairs), None))
        return x.astype(np.int16), x_in.astype(np.int16), y.astype(np.int16)

    validation = data.validation[:settings.max_validation_pairs]
    train, valid = encode(data.train), encode(validation)
    spec = {"kind": "seq2seq", "run": run, "max_lengths": [data.max_source_length, data.max_target_length],
            "train_pairs": len(data.train), "validation_pairs": len(validation), "data_sha256": data_sha256(data.files)}
    arrays = {"train_0": train[0], "train_1": train[1], "train_y": train[2], "val_0": valid[0], "val_1": valid[1], "val_y": valid[2]}
    if settings.init_from:
        from seqbot.artifact import load_artifact

        arrays |= {f"init/{k}": v for k, v in load_artifact(ROOT / settings.init_from, kind="seq2seq").weights.items()}
    return {"spec": spec, **arrays}


def prepare_classifier(recipe, corpora: str | None) -> dict:
    """Ids of the training and validation texts as `seqbot train classify` encodes them (binary tasks)."""
    from seqbot.training.classify import (CONFIGS, corpus_files, encode_all, load_dataset, make_encoder, pad,
                                          preprocessing_for, training_split, validation_cut)
    from seqbot.training.metadata import data_sha256

    config = CONFIGS[recipe.name]
    if config.word_vectors or config.average_epochs or config.calibrate or config.init_from:
        from seqbot.errors import SeqbotError

        raise SeqbotError(f"{recipe.name} starts from word vectors or an artifact, averages epochs or calibrates, "
                          f"which only `seqbot train classify {recipe.name}` does")
    data = load_dataset(config.corpus, corpora)
    if len(data.label_names) != 2:
        from seqbot.errors import SeqbotError

        raise SeqbotError(f"{recipe.name} has {len(data.label_names)} classes; the GPU driver trains binary classifiers")
    preprocessing, blobs = preprocessing_for(config, data.train_texts)
    encoder = make_encoder(preprocessing, blobs)
    vocab_size = len(preprocessing["vocab"]) if "vocab" in preprocessing else encoder.processor.GetPieceSize() + 1
    train_texts, train_labels, valid_texts, valid_labels = training_split(config, data)
    x, val_x = (pad(encode_all(encoder, texts, config.max_length, config.keep), config.max_length, pre=config.fixed_length)
                .astype(np.uint16) for texts in (train_texts, valid_texts))  # vocabularies stay under 65,536
    cut = validation_cut(config, data)
    spec = {"kind": "classifier", "config": asdict(config), "vocab_size": vocab_size, "preprocessing": preprocessing,
            "label_names": data.label_names, "split": data.split, "corpus": data.corpus, "train_texts": cut,
            "validation_texts": len(data.train_texts) - cut, "data_sha256": data_sha256(corpus_files(config.corpus, corpora))}
    arrays = {"train_0": x, "train_y": np.asarray(train_labels, np.float32)[:, None], "val_0": val_x,
              "val_y": np.asarray(valid_labels, np.float32)[:, None]}
    if config.pretrain_epochs:  # next-word rows, padded at the end like every language model's
        arrays |= {"lm_train": pad(encode_all(encoder, train_texts, config.max_length, config.keep), config.max_length,
                                   pre=False).astype(np.uint16),
                   "lm_val": pad(encode_all(encoder, valid_texts, config.max_length, config.keep), config.max_length,
                                 pre=False).astype(np.uint16)}
    return {"spec": spec, **arrays}


def prepare_textgen(recipe, corpora: str | None) -> dict:
    """Windows of tiny Shakespeare as `seqbot train generate` cuts them."""
    from seqbot.data.generator_text import tokenize
    from seqbot.data.shakespeare import DEFAULT_FILE
    from seqbot.paths import corpora_dir
    from seqbot.training.generate import (build_vocabulary, detokenized_span, encode, read_shakespeare, split_text,
                                          strided_windows, windows)
    from seqbot.training.generate import recipe as generate_recipe
    from seqbot.training.metadata import data_sha256

    config = generate_recipe(recipe.name)
    text = read_shakespeare(corpora)
    train_text, validation_text = split_text(text, config.validation_fraction)
    train_tokens, validation_tokens = tokenize(train_text, config.level), tokenize(validation_text, config.level)
    vocab = build_vocabulary(train_tokens, config.level, config.max_words)
    train_x, train_y = strided_windows(encode(train_tokens, vocab), config.sequence_length, config.window_stride)
    validation_x, validation_y = windows(encode(validation_tokens, vocab), config.sequence_length)
    covered = detokenized_span(validation_text, validation_x.size, len(validation_tokens))
    spec = {"kind": "textgen", "tokens_per_char": validation_x.size / max(1, len(covered)), "config": asdict(config), "vocab": vocab, "default_prompt": train_text.split("\n", 1)[0] + "\n",
            "split": {"validation": f"last {config.validation_fraction:.0%} of the text (line-aligned)",
                      "train_characters": len(train_text), "validation_characters": len(validation_text)},
            "data_sha256": data_sha256([corpora_dir(corpora) / DEFAULT_FILE])}
    return {"spec": spec, "train_0": train_x.astype(np.int16), "train_y": train_y.astype(np.int16),
            "val_0": validation_x.astype(np.int16), "val_y": validation_y.astype(np.int16)}


PREPARE = {"translate": prepare_seq2seq, "chat": prepare_seq2seq, "classify": prepare_classifier, "generate": prepare_textgen}


def prepare(jobs: list[str], bundle: Path, corpora: str | None, limit: int | None = None) -> None:
    bundle.mkdir(parents=True, exist_ok=True)
    for job in jobs:
        recipe = job_recipe(job)
        started = time.time()
        arrays = PREPARE[recipe.trainer](recipe, corpora)
        arrays["spec"] = _json_array(arrays["spec"] | {"name": job.replace(":", "-"), "trainer": recipe.trainer,
                                                       "recipe": recipe.name})
        if limit:  # a small bundle to try the whole round trip on a CPU
            arrays = {k: v[:limit] if k.startswith(("train_", "val_", "lm_")) else v for k, v in arrays.items()}
        path = bundle / f"{job.replace(':', '-')}.npz"
        np.savez_compressed(path, **arrays)
        print(f"{path.stem}: {', '.join(f'{k} {v.shape}' for k, v in arrays.items() if k != 'spec' and not k.startswith('init/'))} "
              f"({path.stat().st_size / 1e6:.1f} MB, {time.time() - started:.0f} s)")


# --- the model and the loop settings of a job (any Keras 3 backend) ---

def build_for(spec: dict):
    """The compiled Keras model of a job, from the builders `seqbot train` uses."""
    from seqbot.training.loop import make_optimizer

    kind = spec["kind"]
    if kind == "seq2seq":
        from seqbot.models.seq2seq import build_seq2seq, compile_seq2seq
        from seqbot.training.translate import model_config

        settings = spec["run"]["settings"]
        model = build_seq2seq(model_config(spec["run"]))
        return compile_seq2seq(model, make_optimizer(settings["optimizer"], settings["learning_rate"], settings["clipnorm"]),
                               label_smoothing=settings["label_smoothing"])
    if kind == "classifier":
        from seqbot.models.classifiers import build

        config = spec["config"]
        model = build(config["spec"], vocab_size=spec["vocab_size"], classes=1, max_length=config["max_length"],
                      variable_length=not config["fixed_length"], rnn_dropout=config["rnn_dropout"])
        model.compile(optimizer=make_optimizer(config["optimizer"], config["learning_rate"], config["clipnorm"]),
                      loss="binary_crossentropy", metrics=["accuracy"])
        return model
    import keras

    from seqbot.models.textgen import TextGenConfig, build_model

    config = spec["config"]
    model = build_model(TextGenConfig(config["cell"], config["units"], config["embedding_dim"], config["level"]),
                        len(spec["vocab"]))
    model.compile(optimizer=make_optimizer("adam", config["learning_rate"], config["clipnorm"]),
                  loss=keras.losses.SparseCategoricalCrossentropy(from_logits=True))
    return model


def loop_config(spec: dict, minutes: float | None):
    """The trainer's own LoopConfig for the job's recipe, with this session's time budget."""
    from dataclasses import replace

    if spec["kind"] == "seq2seq":
        from seqbot.training.translate import TrainSettings
        from seqbot.training.translate import loop_config as seq2seq_loop

        config = replace(seq2seq_loop(TrainSettings(**spec["run"]["settings"])), tensorboard=False)  # no TensorFlow there
    elif spec["kind"] == "classifier":
        from seqbot.training.classify import ClassifyConfig
        from seqbot.training.classify import loop_config as classify_loop

        config = classify_loop(ClassifyConfig(**spec["config"]))
    else:
        from seqbot.training.generate import GenerateConfig
        from seqbot.training.generate import loop_config as generate_loop

        config = generate_loop(GenerateConfig(**spec["config"]))
    return replace(config, max_minutes=minutes)


def batch_size(spec: dict) -> int:
    return spec["run"]["settings"]["batch_size"] if spec["kind"] == "seq2seq" else spec["config"]["batch_size"]


# --- train (GPU machine; any Keras 3 backend) ---

def array_batches(inputs: list[np.ndarray], targets: np.ndarray, size: int, seed: int | None, weights=None):
    """A keras.utils.PyDataset of the rows in batches of `size`, reshuffled every epoch (`set_epoch`,
    called by the loop) when `seed` is given; the same batches on every backend."""
    import keras

    class ArrayBatches(keras.utils.PyDataset):
        def __init__(self):
            super().__init__()
            self.order = np.arange(len(targets))
            self.set_epoch(0)

        def set_epoch(self, epoch: int) -> None:
            if seed is not None:
                self.order = np.random.default_rng([seed, epoch]).permutation(len(targets))

        def __len__(self):
            return -(-len(targets) // size)

        def __getitem__(self, index):
            rows = self.order[index * size:(index + 1) * size]
            x = [array[rows].astype(np.int32) for array in inputs]
            batch = (tuple(x) if len(x) > 1 else x[0], targets[rows])
            return batch + (weights[rows],) if weights is not None else batch

    return ArrayBatches()


def load_init(model, arrays) -> bool:
    """Start a translator from the artifact its recipe names (init_from), grown to the new layout."""
    from seqbot.models.seq2seq import grow_weights
    from seqbot.training.translate import model_config

    names = [k[len("init/"):] for k in arrays.files if k.startswith("init/")]
    if names:
        spec = json.loads(str(arrays["spec"]))
        grow_weights(model, model_config(spec["run"]), {name: arrays[f"init/{name}"] for name in names})
    return bool(names)


def pretrain(model, spec: dict, arrays, run_dir: Path, minutes: float, log) -> dict:
    """Next-word pretraining of the classifier's Embedding and RNN through the loop (run_dir/language-model),
    for its epochs or `minutes`; copies them into `model`."""
    from seqbot.models.classifiers import build_language_model, copy_pretrained
    from seqbot.training.classify import next_word_pairs
    from seqbot.training.loop import LoopConfig, fit

    config = spec["config"]
    language_model = build_language_model(config["spec"], spec["vocab_size"])
    x, y, weights = next_word_pairs(arrays["lm_train"])
    val_x, val_y, val_weights = next_word_pairs(arrays["lm_val"])
    result = fit(language_model, array_batches([x], y, config["batch_size"], config["seed"], weights),
                 array_batches([val_x], val_y, config["batch_size"], None, val_weights),
                 LoopConfig(epochs=config["pretrain_epochs"], patience=None, max_minutes=minutes), run_dir / "language-model",
                 log=lambda line: log(f"language model {line}"))
    copy_pretrained(language_model, model)
    return result.summary()


def train_job(bundle_file: Path, out: Path, deadline: float) -> Path:
    """One job in out/NAME through seqbot.training.loop.fit until its recipe ends or the deadline;
    rerunning it resumes the run. Returns the run folder."""
    import keras

    from seqbot.training.loop import fit
    from seqbot.training.metadata import hardware

    arrays = np.load(bundle_file)
    spec = json.loads(str(arrays["spec"]))
    run_dir = out / spec["name"]
    run_dir.mkdir(parents=True, exist_ok=True)
    with open(run_dir / "job.log", "a") as handle:
        def log(line):
            print(line, file=handle, flush=True)

        inputs = sorted(k for k in arrays.files if k.startswith("train_") and k != "train_y")
        x = [arrays[k] for k in inputs]
        y = arrays["train_y"].astype(np.float32 if spec["kind"] == "classifier" else np.int32)
        val_x = [arrays[k.replace("train_", "val_")] for k in inputs]
        val_y = arrays["val_y"].astype(y.dtype)
        seed = spec["config"]["seed"] if "config" in spec else spec["run"]["settings"]["seed"]
        keras.utils.set_random_seed(seed)
        model = build_for(spec)
        if not (run_dir / "backup").exists():
            log(f"{spec['name']}: started from {'its init_from artifact' if load_init(model, arrays) else 'scratch'}")
        notes = {}
        if "lm_train" in arrays.files and not (run_dir / "backup").exists():
            notes["pretraining"] = pretrain(model, spec, arrays, run_dir, 0.55 * (deadline - time.time()) / 60, log)
        (run_dir / "job.json").write_text(json.dumps({"hardware": hardware(), **notes}))
        size = batch_size(spec)

        def export(model, result):
            path = result.run_dir / "final.weights.npz"
            np.savez(path, *model.get_weights())  # the best (or averaged) epoch's weights, for `export` here
            return path

        fit(model, array_batches(x, y, size, seed), array_batches(val_x, val_y, size, None),
            loop_config(spec, max(0.01, (deadline - time.time()) / 60)), run_dir, export=export, log=log)
    return run_dir


def train(bundle: Path, out: Path, minutes: float, jobs: list[str] | None) -> None:
    """Every job of the bundle in its own process, side by side; waits for all."""
    out.mkdir(parents=True, exist_ok=True)
    deadline = time.time() + minutes * 60
    files = sorted(bundle.glob("*.npz"))
    if jobs:
        files = [f for f in files if f.stem in {job.replace(":", "-") for job in jobs}]
    path = os.pathsep.join(p for p in (str(ROOT), os.environ.get("PYTHONPATH")) if p)
    env = dict(os.environ, XLA_PYTHON_CLIENT_PREALLOCATE="false", PYTHONPATH=path)
    processes = {f.stem: subprocess.Popen([sys.executable, __file__, "_job", str(f), str(out), str(deadline)], env=env,
                                          stdout=open(out / f"{f.stem}.out", "w"), stderr=subprocess.STDOUT)
                 for f in files}
    for name, process in processes.items():
        try:
            process.wait(timeout=max(1.0, deadline + 600 - time.time()))
        except subprocess.TimeoutExpired:  # an epoch ran far over its estimate: the run folder keeps the last one
            process.kill()
            process.wait()
        print(f"{name}: exit {process.returncode}", flush=True)


# --- the trip back: run folders in files under 16 MB ---

PACKED_AWAY = ("backup/", "weights/", "tensorboard/")  # resumable state stays on the GPU machine


def pack(runs: Path, to: Path, bin_bytes: int = 15_000_000) -> None:
    """Every run folder's files (not backup/), as bytes, packed into bins under 16 MB; a big file spans bins."""
    to.mkdir(parents=True, exist_ok=True)
    pieces = []
    for file in sorted(p for p in runs.rglob("*") if p.is_file() and p.parent != runs):
        relative = file.relative_to(runs).as_posix()
        if any(part in relative for part in PACKED_AWAY):
            continue
        data = np.frombuffer(file.read_bytes(), np.uint8)
        for index, start in enumerate(range(0, max(len(data), 1), bin_bytes)):
            pieces.append((f"{relative}::{index:04d}", data[start:start + bin_bytes]))
    bins: list[dict] = []
    for key, piece in sorted(pieces, key=lambda item: -item[1].nbytes):
        target = next((b for b in bins if b["size"] + piece.nbytes <= bin_bytes), None)
        if target is None:
            target = {"size": 0, "arrays": {}}
            bins.append(target)
        target["size"] += piece.nbytes
        target["arrays"][key] = piece
    for index, packed in enumerate(bins):
        np.savez(to / f"pack{index}.npz", **packed["arrays"])
    with open(to / "logs.txt", "w") as logs:
        for log in sorted(runs.glob("*.out")):
            logs.write(f"== {log.name}\n{log.read_text()[-20000:]}\n")


def unpack(packs: Path, to: Path) -> None:
    files: dict[str, dict[int, np.ndarray]] = {}
    for pack_file in sorted(packs.glob("pack*.npz")):
        with np.load(pack_file) as packed:
            for key in packed.files:
                relative, _, index = key.rpartition("::")
                files.setdefault(relative, {})[int(index)] = packed[key]
    for relative, parts in sorted(files.items()):
        path = to / relative
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(b"".join(parts[i].tobytes() for i in sorted(parts)))
    print(f"{len(files)} files in {len({relative.split('/')[0] for relative in files})} run folders")


# --- export (here, with TensorFlow) ---

def export(bundle: Path, runs: Path, only: list[str] | None) -> list[Path]:
    """runs/NAME/NAME.npz for every job: its best weights in the TensorFlow-built model, written by the
    trainer's exporter with the one metadata record (seqbot.training.metadata.run_metadata)."""
    from seqbot.artifact import Artifact, save_artifact
    from seqbot.training.loop import run_progress
    from seqbot.training.metadata import run_metadata

    written = []
    for run_dir in sorted(p for p in runs.iterdir() if (p / "final.weights.npz").exists()):
        name = run_dir.name
        if only and name not in {job.replace(":", "-") for job in only}:
            continue
        spec = json.loads(str(np.load(bundle / f"{name}.npz")["spec"]))
        with np.load(run_dir / "final.weights.npz") as saved:
            weights = [saved[f"arr_{i}"] for i in range(len(saved.files))]
        model = build_for(spec)
        model.set_weights(weights)
        progress = run_progress(run_dir)
        job = json.loads((run_dir / "job.json").read_text()) if (run_dir / "job.json").exists() else {}
        trained = {"data_sha256": spec["data_sha256"], "trained_with": "tools/gpu_train.py (seqbot.training.loop)",
                   **({"hardware": job["hardware"]} if job.get("hardware") else {})}
        out = run_dir / f"{name}.npz"
        if spec["kind"] == "seq2seq":
            from seqbot.models.seq2seq import export_weights
            from seqbot.training.translate import PairData, artifact_config, model_config, seq2seq_metadata

            run = spec["run"]
            data = PairData([None] * spec["train_pairs"], [None] * spec["validation_pairs"], *spec["max_lengths"],
                            task=run["task"], corpus=run["corpus"], split=run["split"], preset=run["preset"],
                            recipe_name=spec["recipe"])
            metadata = seq2seq_metadata(run, data, progress) | trained
            artifact = Artifact("seq2seq", artifact_config(run, run["task"], *spec["max_lengths"]),
                                export_weights(model, model_config(run)), metadata)
        elif spec["kind"] == "classifier":
            from seqbot.models.classifiers import export_artifact, spec as lecture_spec

            config = spec["config"]
            metadata = run_metadata(config, (), progress.time_s, {"val_loss": progress.best}, recipe_name=spec["recipe"],
                                    corpus=spec["corpus"], split=spec["split"], train_texts=spec["train_texts"],
                                    validation_texts=spec["validation_texts"], vocabulary_size=spec["vocab_size"],
                                    lecture_vocabulary_size=lecture_spec(config["spec"]).vocab_size,
                                    training={**progress.summary(), "pretraining": job.get("pretraining")},
                                    trained_as=spec["recipe"]) | trained
            artifact = export_artifact(model, config["spec"], spec["preprocessing"], spec["label_names"], metadata,
                                       config["max_length"])
            artifact.config.update(task=config["task"], language=config["language"], keep=config["keep"],
                                   padding="pre" if config["fixed_length"] else "none", trained_as=spec["recipe"],
                                   corpus=spec["corpus"])
        else:
            import math

            from seqbot.models.textgen import TextGenConfig, export_artifact

            config = spec["config"]
            nats = progress.best if progress.best is not None else math.nan
            scores = {"val_loss_nats_per_token": nats, "val_bits_per_char": nats * spec["tokens_per_char"] / math.log(2)}
            metadata = run_metadata(config, (), progress.time_s, scores, recipe_name=spec["recipe"],
                                    corpus="tinyshakespeare/input.txt", split=spec["split"],
                                    training=progress.summary()) | trained
            artifact = export_artifact(model, TextGenConfig(config["cell"], config["units"], config["embedding_dim"],
                                                            config["level"]), spec["vocab"], spec["default_prompt"], metadata)
        written.append(save_artifact(out, artifact))
        print(f"{name}: best epoch {progress.best_epoch} of {progress.epochs}, val loss {progress.best} -> {out}")
    return written


def main(argv: list[str] | None = None) -> int:
    argv = sys.argv[1:] if argv is None else argv
    if argv and argv[0] == "_job":
        train_job(Path(argv[1]), Path(argv[2]), float(argv[3]))
        return 0
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    commands = parser.add_subparsers(dest="command", required=True)
    p = commands.add_parser("prepare")
    p.add_argument("--jobs", required=True, help="comma-separated shipped checkpoint names or TRAINER:RECIPE")
    p.add_argument("--bundle", default=".gpu")
    p.add_argument("--corpora")
    p.add_argument("--limit", type=int, help="keep the first N training and validation rows (a quick trial)")
    t = commands.add_parser("train")
    t.add_argument("--bundle", default=".gpu")
    t.add_argument("--out", required=True)
    t.add_argument("--minutes", type=float, default=7.0)
    t.add_argument("--jobs")
    k = commands.add_parser("pack")
    k.add_argument("--runs", required=True)
    k.add_argument("--to", required=True)
    u = commands.add_parser("unpack")
    u.add_argument("--packs", required=True)
    u.add_argument("--to", required=True)
    e = commands.add_parser("export")
    e.add_argument("--bundle", default=".gpu")
    e.add_argument("--runs", required=True)
    e.add_argument("--jobs")
    args = parser.parse_args(argv)
    if args.command == "prepare":
        prepare(args.jobs.split(","), Path(args.bundle), args.corpora, args.limit)
    elif args.command == "train":
        train(Path(args.bundle), Path(args.out), args.minutes, args.jobs.split(",") if args.jobs else None)
    elif args.command == "pack":
        pack(Path(args.runs), Path(args.to))
    elif args.command == "unpack":
        unpack(Path(args.packs), Path(args.to))
    else:
        export(Path(args.bundle), Path(args.runs), args.jobs.split(",") if args.jobs else None)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
