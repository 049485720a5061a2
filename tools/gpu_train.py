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

The translator's recipe rewrites its pairs every pass (augmentation): its bundle carries the pairs as
text with what the augmenter needs, and worker processes on the GPU machine make its batches
(seqbot/training/augmented_batches.py). tools/gpu_translator.sh is the one command that trains it there:

    python tools/gpu_train.py prepare --jobs translator --bundle .gpu --init-from checkpoints/translator.npz --wheels
    bash tools/gpu_translator.sh          # GPU machine, .gpu carried: runs translator-a, then translator-b from A
    python tools/gpu_train.py train --bundle .gpu --jobs translator --out OUT --run translator-b \
        --init-from OUT/translator-a/final.weights.npz --minutes 4 --average-last 3 --set learning_rate=3e-4

docs/training.md (GPU) has the whole round trip.
"""

from __future__ import annotations

import argparse
import contextlib
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

def _artifact_path(path: str) -> Path:
    """An artifact named as given (from the working directory) or from the project root."""
    from seqbot.errors import SeqbotError

    for candidate in (Path(path), ROOT / path):
        if candidate.is_file():
            return candidate.resolve()
    raise SeqbotError(f"{path}: no such artifact (looked here and under {ROOT})")


def _sha256(path: Path) -> str:
    import hashlib

    return hashlib.sha256(path.read_bytes()).hexdigest()


def _travels(path: Path) -> str | None:
    """`path` relative to the project when the device machine's copy of the working tree holds it (git
    tracks it, or does not ignore it), so the bundle names it instead of carrying its weights. None otherwise."""
    try:
        relative = path.resolve().relative_to(ROOT).as_posix()
    except ValueError:
        return None
    tracked = subprocess.run(["git", "ls-files", "--error-unmatch", relative], cwd=ROOT, capture_output=True)
    ignored = subprocess.run(["git", "check-ignore", "-q", relative], cwd=ROOT, capture_output=True)
    return relative if tracked.returncode == 0 or ignored.returncode == 1 else None


def init_entries(init_from: str | None) -> tuple[dict, dict]:
    """(spec entries, arrays) of a job's starting weights: a file of the working tree the device machine
    gets is named with its sha256 (checked there); any other artifact's weights go into the bundle
    (21 MB for the translator: with the working tree, over the device machine's 64 MiB)."""
    if not init_from:
        return {}, {}
    from seqbot.artifact import load_artifact

    path = _artifact_path(init_from)
    relative = _travels(path)
    if relative:
        return {"init_from": {"path": relative, "sha256": _sha256(path)}}, {}
    weights = load_artifact(path, kind="seq2seq").weights
    return {"init_from": {"path": str(path), "embedded": True}}, {f"init/{k}": v for k, v in weights.items()}


def settings_overrides(text: str | None, allowed=None) -> dict:
    """`KEY=VALUE,...` as TrainSettings values (seqbot.commands.run_options.key_values); `allowed`: the
    keys that may be given (default: every setting)."""
    from seqbot.commands.run_options import key_values
    from seqbot.training.translate import TrainSettings

    return key_values(text, TrainSettings, "--set", allowed)


def prepare_seq2seq(recipe, corpora: str | None, overrides: dict | None = None, limit: int | None = None,
                    data=None) -> dict:
    """Vocabularies and encoded pairs as `seqbot train translate|chat` makes them (run.json included);
    for a recipe that augments, the pairs as text with what the augmenter needs (prepare_augmented).
    `overrides`: TrainSettings values over the recipe's (init_from "none": from scratch); `data`: the
    PairData to use instead of the recipe's (tests)."""
    from dataclasses import replace

    from seqbot.data.char_vocab import CharVocabulary
    from seqbot.training.metadata import data_sha256
    from seqbot.training.translate import _vocabularies, make_batches, recipe_data, recipe_settings

    overrides = dict(overrides or {})
    if overrides.get("init_from") == "none":
        overrides["init_from"] = None
    if recipe.trainer == "chat":
        from seqbot.training.chat import chat_data, chat_recipe

        config, settings = chat_recipe()
        settings = replace(settings, **overrides)
        data = data or chat_data(corpora, config.max_length, config.validation_fraction, settings.seed, pairs=config.pairs,
                                 context_length=config.context_length,
                                 context_dropout=config.context_dropout)
    else:
        settings = recipe_settings(recipe)
        settings = replace(settings, **overrides)
        data = data or recipe_data(recipe, corpora, max_pairs=limit if settings.augment else None,
                                   placeholder_rate=settings.placeholder_rate)
    data.recipe_name = recipe.name
    init_spec, init_arrays = init_entries(settings.init_from)
    resolved = replace(settings, init_from=str(_artifact_path(settings.init_from)) if settings.init_from else None)
    source_vocab, target_vocab = _vocabularies(data, resolved)
    run = {"settings": asdict(settings), "task": data.task, "corpus": data.corpus, "split": data.split, "preset": data.preset,
           "source_vocab": source_vocab.to_list(), "target_vocab": target_vocab.to_list(), "loss": "per-character"}
    validation = data.validation[:settings.max_validation_pairs]
    spec = {"kind": "seq2seq", "run": run, "max_lengths": [data.max_source_length, data.max_target_length],
            "train_pairs": len(data.train), "validation_pairs": len(validation), "data_sha256": data_sha256(data.files),
            **init_spec}
    if settings.augment:
        return prepare_augmented(spec, data, validation) | init_arrays

    def encode(pairs):
        """(source, decoder input, decoder target) with seqbot's <start>/<end> convention, as one padded batch."""
        source, target = CharVocabulary(run["source_vocab"]), CharVocabulary(run["target_vocab"])
        (x, x_in), y = next(make_batches([source.encode(s) for s, _ in pairs], [target.encode(t) for _, t in pairs],
                                         len(pairs), None))
        return x.astype(np.int16), x_in.astype(np.int16), y.astype(np.int16)

    train, valid = encode(data.train), encode(validation)
    arrays = {"train_0": train[0], "train_1": train[1], "train_y": train[2], "val_0": valid[0], "val_1": valid[1], "val_y": valid[2]}
    return {"spec": spec, **arrays, **init_arrays}


def prepare_augmented(spec: dict, data, validation) -> dict:
    """The bundle of a recipe that rewrites its pairs every pass: the training and validation pairs as
    text and what the augmenter needs (its name list, fra.txt's lower-case words, its AugmentConfig and
    the placeholders of the training English), one LZMA-compressed JSON document; the corpus files stay
    here. `spec["shapes"]`: the batch shapes (seqbot.training.augmented_batches.bucket_shapes)."""
    import lzma

    from seqbot.errors import SeqbotError
    from seqbot.training.augmented_batches import bucket_shapes, longest_lengths

    augmenter = data.augmenter
    if augmenter is None:
        raise SeqbotError(f"{data.recipe_name} augments its pairs but its data came without an augmenter")
    text = {"train": data.train, "validation": validation, "names": augmenter.names,
            "lower_words": sorted(augmenter.lower_words), "augment": asdict(augmenter.config),
            "placeholders": augmenter.placeholders.to_config() if augmenter.placeholders is not None else None}
    packed = lzma.compress(json.dumps(text, ensure_ascii=False).encode("utf-8"), preset=9)
    longest = longest_lengths(data.train, augmenter)
    spec = spec | {"augment": {"names": len(augmenter.names), "config": asdict(augmenter.config)},
                   "shapes": bucket_shapes(longest)}
    return {"spec": spec, "pairs": np.frombuffer(packed, np.uint8), "longest": np.stack(longest, 1).astype(np.uint16)}


def bundle_text(arrays) -> dict:
    """The pairs and augmenter data of an augmenting job's bundle (prepare_augmented)."""
    import lzma

    return json.loads(lzma.decompress(arrays["pairs"].tobytes()).decode("utf-8"))


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


DEVICE_LIMIT = 64 * 2**20  # what the device machine's copy of the working tree may hold, carried paths included
# Installed on the GPU machine from the bundle (tools/gpu_translator.sh): Keras and what it needs that
# a JAX image lacks; the versions are this machine's (Keras is pinned by seqbot/training/keras_patches.py).
WHEELS = ("keras", "namex", "optree")


def download_wheels(folder: Path, python: str = "3.12") -> list[Path]:
    """Keras' wheels for the GPU machine's Python (`pip download`, manylinux x86-64) into `folder`,
    at the versions installed here; kept when already there."""
    from importlib.metadata import version

    folder.mkdir(parents=True, exist_ok=True)
    wanted = [f"{name}=={version(name)}" for name in WHEELS]
    have = {p.name.split("-")[0].lower(): p for p in folder.glob("*.whl")}
    missing = [w for w in wanted if w.split("==")[0] not in have
               or f"-{w.split('==')[1]}-" not in have[w.split("==")[0]].name]
    if missing:
        platforms = [arg for tag in ("manylinux_2_28", "manylinux_2_27", "manylinux_2_17", "manylinux2014")
                     for arg in ("--platform", f"{tag}_x86_64")]
        subprocess.run([sys.executable, "-m", "pip", "download", "--quiet", "--no-deps", "--only-binary=:all:",
                        "--python-version", python, "--implementation", "cp", *platforms, "-d", str(folder), *missing],
                       check=True)
    return sorted(folder.glob("*.whl"))


def travelling_bytes(bundle: Path) -> int:
    """What a device run would copy: the files git tracks (and untracked ones it does not ignore) plus the bundle."""
    listed = subprocess.run(["git", "ls-files", "-z", "--cached", "--others", "--exclude-standard"], cwd=ROOT,
                            capture_output=True, check=True).stdout.decode().split("\0")
    tree = sum((ROOT / name).stat().st_size for name in listed if name and (ROOT / name).is_file())
    return tree + sum(p.stat().st_size for p in bundle.rglob("*") if p.is_file())


def prepare_job(job: str, bundle: Path, corpora: str | None, limit: int | None = None, overrides: dict | None = None,
                recipe=None, data=None) -> Path:
    """One job's bundle file, bundle/NAME.npz; `recipe` and `data` replace the registry's (tests)."""
    from seqbot.errors import SeqbotError

    recipe = recipe or job_recipe(job)
    started = time.time()
    if recipe.trainer in ("translate", "chat"):
        arrays = prepare_seq2seq(recipe, corpora, overrides, limit, data)
    elif overrides:
        raise SeqbotError(f"--set applies to translate and chat jobs, not {recipe.trainer}")
    else:
        arrays = PREPARE[recipe.trainer](recipe, corpora)
    name = job.replace(":", "-")
    arrays["spec"] = _json_array(arrays["spec"] | {"name": name, "trainer": recipe.trainer, "recipe": recipe.name})
    if limit:  # a small bundle to try the whole round trip on a CPU
        arrays = {k: v[:limit] if k.startswith(("train_", "val_", "lm_")) else v for k, v in arrays.items()}
    bundle.mkdir(parents=True, exist_ok=True)
    path = bundle / f"{name}.npz"
    np.savez_compressed(path, **arrays)
    shown = {k: v.shape for k, v in arrays.items() if k != "spec" and not k.startswith("init/")}
    print(f"{path.stem}: {', '.join(f'{k} {v}' for k, v in shown.items())} "
          f"({path.stat().st_size / 1e6:.1f} MB, {time.time() - started:.0f} s)")
    return path


def prepare(jobs: list[str], bundle: Path, corpora: str | None, limit: int | None = None, overrides: dict | None = None,
            wheels: bool = False) -> None:
    """Every job's bundle file (and Keras' wheels for the GPU machine with `wheels`); says how much a
    device run would carry, the working tree included, against its 64 MiB."""
    for job in jobs:
        prepare_job(job, bundle, corpora, limit, overrides)
    if wheels:
        print(f"wheels: {', '.join(p.name for p in download_wheels(bundle / 'wheels'))}")
    total = travelling_bytes(bundle)
    note = "" if total <= DEVICE_LIMIT else " - OVER the device machine's 64 MiB: carry less (see docs/training.md)"
    print(f"a device run carries {total / 2**20:.1f} MiB (working tree + {bundle}){note}")


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


def load_init(model, arrays, spec: dict, init_from: str | None = None) -> str:
    """Start a fresh translator run: from `init_from` (a seq2seq artifact, grown to the new layout, or
    a run's final.weights.npz or weights/best.npz of this very model), else from the artifact its recipe
    names (in the working tree, checked against the sha256 the bundle recorded, or carried in the
    bundle). Says what it started from."""
    from seqbot.artifact import load_artifact
    from seqbot.errors import SeqbotError
    from seqbot.models.seq2seq import grow_weights
    from seqbot.training.translate import model_config

    weights = None
    if init_from:
        with np.load(init_from) as saved:  # a run's weight list (final.weights.npz, weights/best.npz), or an artifact
            if sorted(saved.files) == sorted(f"arr_{i}" for i in range(len(saved.files))):
                weights = [saved[f"arr_{i}"] for i in range(len(saved.files))]
    if weights is not None:
        shapes = [tuple(w.shape) for w in model.get_weights()]
        if [tuple(w.shape) for w in weights] != shapes:
            raise SeqbotError(f"{init_from} holds the weights of another model than this job's; start from an artifact instead")
        model.set_weights(weights)
        return init_from
    if init_from:
        grow_weights(model, model_config(spec["run"]), load_artifact(init_from, kind="seq2seq").weights)
        return init_from
    names = [k[len("init/"):] for k in arrays.files if k.startswith("init/")]
    if names:
        grow_weights(model, model_config(spec["run"]), {name: arrays[f"init/{name}"] for name in names})
        return spec.get("init_from", {}).get("path", "the artifact carried in the bundle")
    if spec.get("init_from"):
        recorded = spec["init_from"]
        path = ROOT / recorded["path"]
        if not path.is_file() or _sha256(path) != recorded["sha256"]:
            raise SeqbotError(f"{path} is missing or not the file the bundle was prepared with (sha256 "
                              f"{recorded['sha256'][:12]}...); prepare the bundle from this working tree")
        grow_weights(model, model_config(spec["run"]), load_artifact(path, kind="seq2seq").weights)
        return recorded["path"]
    return "scratch"


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


# Settings a job may change on the GPU machine (`train --set`): none changes the model or its vocabularies.
TRAIN_SETTINGS = ("learning_rate", "batch_size", "precision", "epochs", "patience", "plateau_factor", "steps_per_epoch")


def default_workers() -> int:
    """Processes that make augmented batches: every core but two (the training process and the system)."""
    return max(0, min(14, (os.cpu_count() or 1) - 2))


def seq2seq_data(spec: dict, arrays, seed: int, workers: int):
    """(training, validation) PyDatasets of a translate or chat job: the bundle's arrays, or for a job
    that augments, batches its pairs rewritten every pass by `workers` processes
    (seqbot.training.augmented_batches). The training one may need closing (a context manager)."""
    settings = spec["run"]["settings"]
    size = settings["batch_size"]
    if not spec.get("augment"):
        x, val_x = [arrays["train_0"], arrays["train_1"]], [arrays["val_0"], arrays["val_1"]]
        train = array_batches(x, arrays["train_y"].astype(np.int32), size, seed)
        return contextlib.nullcontext(train), array_batches(val_x, arrays["val_y"].astype(np.int32), size, None)
    from seqbot.data.augment import AugmentConfig, Augmenter
    from seqbot.data.char_vocab import CharVocabulary
    from seqbot.training.augmented_batches import (AugmentedPairs, fixed_batches, one_shape, training_batches,
                                                   validation_batches)

    text = bundle_text(arrays)
    placeholders = None
    if text["placeholders"]:
        from seqbot.data.placeholders import Placeholders

        placeholders = Placeholders.from_config(text["placeholders"])
    augmenter = Augmenter(text["names"], set(text["lower_words"]), AugmentConfig(**text["augment"]), placeholders)
    train = [tuple(pair) for pair in text["train"]]
    extra = augmenter.extra_pairs(train)
    longest = {pair: tuple(row) for pair, row in zip(train, arrays["longest"].astype(np.int64))}
    lengths = tuple(np.array([longest[pair][side] for pair in train + extra], np.int64) for side in (0, 1))
    source_vocab, target_vocab = CharVocabulary(spec["run"]["source_vocab"]), CharVocabulary(spec["run"]["target_vocab"])
    pairs = AugmentedPairs(train + extra, augmenter, source_vocab, target_vocab, spec["shapes"], size, seed, lengths)
    validation = validation_batches([tuple(pair) for pair in text["validation"]], source_vocab, target_vocab,
                                    spec["shapes"], size, one_shape())
    return training_batches(pairs, settings["steps_per_epoch"], workers), fixed_batches(validation)


def train_job(bundle_file: Path, out: Path, deadline: float, run_name: str | None = None, init_from: str | None = None,
              average_last: int = 0, workers: int | None = None, overrides: dict | None = None) -> Path:
    """One job in out/NAME (or out/RUN_NAME) through seqbot.training.loop.fit until its recipe ends or
    the deadline; rerunning it resumes the run. A fresh run starts from `init_from` when given (an
    artifact, or another run's final.weights.npz), else from the recipe's. `average_last`: keep the mean
    of the last N rounds' weights when its validation loss is lower (LoopConfig.average_last); `workers`:
    processes that make augmented batches (default: every core but two); `overrides`: TRAIN_SETTINGS
    values over the bundle's, kept in job.json for the export. Returns the run folder."""
    from dataclasses import replace

    from seqbot.errors import SeqbotError

    arrays = np.load(bundle_file)
    spec = json.loads(str(arrays["spec"]))
    run_dir = out / (run_name or spec["name"])
    run_dir.mkdir(parents=True, exist_ok=True)
    job_path = run_dir / "job.json"
    job = (json.loads(job_path.read_text()) if job_path.exists() else {}) | {"job": spec["name"]}
    if overrides:
        if spec["kind"] != "seq2seq" or set(overrides) - set(TRAIN_SETTINGS):
            raise SeqbotError(f"train --set changes {', '.join(TRAIN_SETTINGS)} of translate and chat jobs only")
        job["overrides"] = job.get("overrides", {}) | overrides
    if spec["kind"] == "seq2seq":
        spec["run"]["settings"] |= job.get("overrides", {})
    import keras

    from seqbot.training.loop import fit
    from seqbot.training.metadata import hardware

    fresh = not (run_dir / "backup").exists()
    with open(run_dir / "job.log", "a") as handle:
        def log(line):
            print(line, file=handle, flush=True)

        seed = spec["config"]["seed"] if "config" in spec else spec["run"]["settings"]["seed"]
        keras.utils.set_random_seed(seed)
        precision = spec["run"]["settings"].get("precision", "float32") if spec["kind"] == "seq2seq" else "float32"
        keras.mixed_precision.set_global_policy(precision)
        try:
            model = build_for(spec)
            if fresh and spec["kind"] == "seq2seq":
                job["started_from"] = load_init(model, arrays, spec, init_from)
                log(f"{run_dir.name}: started from {job['started_from']}")
            elif fresh and init_from:
                raise SeqbotError(f"--init-from starts translate and chat jobs only, not {spec['kind']}")
            if "lm_train" in arrays.files and fresh:
                job["pretraining"] = pretrain(model, spec, arrays, run_dir, 0.55 * (deadline - time.time()) / 60, log)
            if spec["kind"] == "seq2seq":
                workers = default_workers() if workers is None else workers
                train_data, validation_data = seq2seq_data(spec, arrays, seed, workers)
                job["batches"] = ({"shapes": spec["shapes"], "workers": workers} if spec.get("augment")
                                  else {"arrays": True})
            else:
                inputs = sorted(k for k in arrays.files if k.startswith("train_") and k != "train_y")
                y = arrays["train_y"].astype(np.float32 if spec["kind"] == "classifier" else np.int32)
                size = batch_size(spec)
                train_data = contextlib.nullcontext(array_batches([arrays[k] for k in inputs], y, size, seed))
                validation_data = array_batches([arrays[k.replace("train_", "val_")] for k in inputs],
                                                arrays["val_y"].astype(y.dtype), size, None)
            job_path.write_text(json.dumps(job | {"hardware": hardware()}, indent=1))

            def export(model, result):
                path = result.run_dir / "final.weights.npz"
                np.savez(path, *model.get_weights())  # the best (or averaged) epoch's weights, for `export` here
                return path

            config = replace(loop_config(spec, max(0.01, (deadline - time.time()) / 60)), average_last=average_last)
            with train_data as batches:
                fit(model, batches, validation_data, config, run_dir, export=export, log=log)
        finally:
            keras.mixed_precision.set_global_policy("float32")  # the policy is global: later models in this process
    return run_dir


def train(bundle: Path, out: Path, minutes: float, jobs: list[str] | None, run_name: str | None = None,
          init_from: str | None = None, average_last: int = 0, workers: int | None = None,
          overrides: dict | None = None, grace: float = 600.0) -> None:
    """Every job of the bundle in its own process, side by side; waits for all, killing a job still
    running `grace` seconds after the time budget (its run folder keeps its last finished round)."""
    from seqbot.errors import SeqbotError

    out.mkdir(parents=True, exist_ok=True)
    deadline = time.time() + minutes * 60
    files = sorted(bundle.glob("*.npz"))
    if jobs:
        files = [f for f in files if f.stem in {job.replace(":", "-") for job in jobs}]
    if not files:
        raise SeqbotError(f"no job bundle in {bundle}{' for ' + ', '.join(jobs) if jobs else ''}; run prepare first")
    if (run_name or init_from) and len(files) != 1:
        raise SeqbotError("--run and --init-from name one job's run: give one job with --jobs")
    path = os.pathsep.join(p for p in (str(ROOT), os.environ.get("PYTHONPATH")) if p)
    env = dict(os.environ, XLA_PYTHON_CLIENT_PREALLOCATE="false", PYTHONPATH=path)
    options = json.dumps({"run_name": run_name, "init_from": init_from, "average_last": average_last, "workers": workers,
                          "overrides": overrides or None})
    processes = {f.stem: subprocess.Popen([sys.executable, __file__, "_job", str(f), str(out), str(deadline), options],
                                          env=env, stdout=open(out / f"{run_name or f.stem}.out", "w"),
                                          stderr=subprocess.STDOUT)
                 for f in files}
    failed = []
    for name, process in processes.items():
        try:
            process.wait(timeout=max(1.0, deadline + grace - time.time()))
        except subprocess.TimeoutExpired:  # an epoch ran far over its estimate: the run folder keeps the last one
            process.kill()
            process.wait()
        print(f"{run_name or name}: exit {process.returncode}", flush=True)
        if process.returncode:
            failed.append(run_name or name)
    if failed:
        raise SeqbotError(f"{', '.join(failed)} failed; see {out}/NAME.out and NAME/job.log")


# --- the trip back: run folders in files under 16 MB ---

PACKED_AWAY = ("backup/", "weights/", "tensorboard/")  # resumable state stays on the GPU machine


def pack(runs: Path, to: Path, bin_bytes: int = 15_000_000) -> None:
    """Every run folder's files (not backup/ or weights/), as bytes, packed into bins under 16 MB; a big
    file spans bins. A run killed before its end (no final.weights.npz) sends its best round's weights
    (weights/best.npz) as final.weights.npz."""
    to.mkdir(parents=True, exist_ok=True)
    files = {}
    for file in sorted(p for p in runs.rglob("*") if p.is_file() and p.parent != runs):
        relative = file.relative_to(runs).as_posix()
        if relative.split("/")[1:] == ["weights", "best.npz"] and not (file.parent.parent / "final.weights.npz").exists():
            files[relative.split("/")[0] + "/final.weights.npz"] = file
        elif not any(part in relative for part in PACKED_AWAY):
            files[relative] = file
    pieces = []
    for relative, file in files.items():
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
        job = json.loads((run_dir / "job.json").read_text()) if (run_dir / "job.json").exists() else {}
        name = job.get("job", run_dir.name)  # a run named with train --run records its job
        if only and not {name, run_dir.name} & {job.replace(":", "-") for job in only}:
            continue
        with np.load(bundle / f"{name}.npz") as arrays:
            spec = json.loads(str(arrays["spec"]))
            text = bundle_text(arrays) if spec.get("augment") else None
        with np.load(run_dir / "final.weights.npz") as saved:
            weights = [saved[f"arr_{i}"] for i in range(len(saved.files))]
        model = build_for(spec)
        model.set_weights(weights)
        progress = run_progress(run_dir)
        trained = {"data_sha256": spec["data_sha256"], "trained_with": "tools/gpu_train.py (seqbot.training.loop)",
                   **({"hardware": job["hardware"]} if job.get("hardware") else {})}
        out = run_dir / f"{run_dir.name}.npz"
        if spec["kind"] == "seq2seq":
            from seqbot.models.seq2seq import export_weights
            from seqbot.training.translate import PairData, artifact_config, model_config, seq2seq_metadata

            run = spec["run"]
            run["settings"] |= job.get("overrides", {})
            train = [tuple(pair) for pair in text["train"]] if text else [None] * spec["train_pairs"]
            data = PairData(train, [None] * spec["validation_pairs"], *spec["max_lengths"], task=run["task"],
                            corpus=run["corpus"], split=run["split"], preset=run["preset"], recipe_name=spec["recipe"])
            extra = {key: job[key] for key in ("started_from", "batches") if key in job}
            metadata = seq2seq_metadata(run, data, progress, **extra) | trained
            config = artifact_config(run, run["task"], *spec["max_lengths"])
            if text and run["task"] == "translate":  # the engine's placeholders know the training English's words
                from seqbot.data.placeholders import Placeholders

                config["placeholders"] = Placeholders.from_pairs(english for english, _ in train).to_config()
            artifact = Artifact("seq2seq", config, export_weights(model, model_config(run)), metadata)
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
        train_job(Path(argv[1]), Path(argv[2]), float(argv[3]), **(json.loads(argv[4]) if len(argv) > 4 else {}))
        return 0
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    commands = parser.add_subparsers(dest="command", required=True)
    p = commands.add_parser("prepare", help="here: corpora -> one bundle file a job (and Keras' wheels with --wheels)")
    p.add_argument("--jobs", required=True, help="comma-separated shipped checkpoint names or TRAINER:RECIPE")
    p.add_argument("--bundle", default=".gpu")
    p.add_argument("--corpora")
    p.add_argument("--limit", type=int, help="keep the first N training and validation rows or pairs (a quick trial)")
    p.add_argument("--init-from", help="translate/chat: start from this seq2seq artifact (e.g. checkpoints/translator.npz, "
                                       "a run's round); 'none': from scratch. Default: the recipe's")
    p.add_argument("--set", metavar="KEY=VALUE,...", help="translate/chat: recipe settings to change "
                                                          "(e.g. precision=mixed_bfloat16,batch_size=256)")
    p.add_argument("--wheels", action="store_true", help="also download Keras' wheels for the GPU machine into BUNDLE/wheels")
    t = commands.add_parser("train", help="GPU machine: every job of the bundle into OUT/NAME (rerun to resume)")
    t.add_argument("--bundle", default=".gpu")
    t.add_argument("--out", required=True)
    t.add_argument("--minutes", type=float, default=7.0, help="time budget of this session's training")
    t.add_argument("--jobs")
    t.add_argument("--run", help="the run folder's name (one job; default the job's name)")
    t.add_argument("--init-from", help="a fresh run starts here: a seq2seq artifact or a run's final.weights.npz (one job)")
    t.add_argument("--average-last", type=int, default=0, metavar="N",
                   help="keep the mean of the last N rounds' weights when its validation loss is lower")
    t.add_argument("--workers", type=int, help="processes making augmented batches (default: all cores but two)")
    t.add_argument("--set", metavar="KEY=VALUE,...", help=f"change {', '.join(TRAIN_SETTINGS)}")
    t.add_argument("--grace", type=float, default=600.0, help="seconds after the budget before a job is killed")
    k = commands.add_parser("pack", help="GPU machine: run folders -> files under 16 MB")
    k.add_argument("--runs", required=True)
    k.add_argument("--to", required=True)
    u = commands.add_parser("unpack", help="here: packed files -> run folders")
    u.add_argument("--packs", required=True)
    u.add_argument("--to", required=True)
    e = commands.add_parser("export", help="here: run folders -> artifacts RUNS/NAME/NAME.npz")
    e.add_argument("--bundle", default=".gpu")
    e.add_argument("--runs", required=True)
    e.add_argument("--jobs")
    args = parser.parse_args(argv)
    from seqbot.errors import SeqbotError

    try:
        if args.command == "prepare":
            overrides = settings_overrides(args.set) | ({"init_from": args.init_from} if args.init_from else {})
            prepare(args.jobs.split(","), Path(args.bundle), args.corpora, args.limit, overrides, args.wheels)
        elif args.command == "train":
            train(Path(args.bundle), Path(args.out), args.minutes, args.jobs.split(",") if args.jobs else None, args.run,
                  args.init_from, args.average_last, args.workers, settings_overrides(args.set, TRAIN_SETTINGS), args.grace)
        elif args.command == "pack":
            pack(Path(args.runs), Path(args.to))
        elif args.command == "unpack":
            unpack(Path(args.packs), Path(args.to))
        else:
            export(Path(args.bundle), Path(args.runs), args.jobs.split(",") if args.jobs else None)
    except SeqbotError as error:
        print(f"error: {error}", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
