"""Train a character-level seq2seq model on text pairs and export it for the NumPy engine.

Used for the translator (fra-eng) and, with task="chat", for the dialogue model:

    seqbot train translate --attention dot --epochs 12 --out runs/translate --export checkpoints/translator.npz
    seqbot train translate --preset keras-example --out runs/keras-example

A run folder holds run.json (settings and vocabularies, fixed at the first start), Keras'
BackupAndRestore state, log.csv, tensorboard/ and model.npz, the best model so far,
exported after every epoch that improves the validation loss. Rerunning the same command
after Ctrl-C or a kill continues from the last finished epoch.
"""

from __future__ import annotations

import json
import math
import shutil
import time
from dataclasses import asdict, dataclass, field, fields
from datetime import datetime, timezone
from pathlib import Path

import numpy as np

from seqbot.artifact import Artifact, save_artifact
from seqbot.engine.decoding import DecodingConfig
from seqbot.data.char_vocab import CharVocabulary
from seqbot.errors import SeqbotError
from seqbot.models.keras_setup import dataset_options, import_tensorflow
from seqbot.training.recipes import recipes_for


@dataclass
class TrainSettings:
    cell: str = "lstm"
    units: int = 256
    embedding_dim: int = 64
    attention: str = "dot"
    attention_units: int = 128
    one_hot: bool = False
    dropout: float = 0.0
    epochs: int = 12
    batch_size: int = 128
    optimizer: str = "adam"
    learning_rate: float = 2e-3
    min_char_count: int = 3
    patience: int = 2
    max_minutes: float | None = None  # stop after this much training time (the best epoch is kept)
    strategy: str = "default"
    threads: int | None = 1  # the machine is shared; --threads raises it
    steps_per_epoch: int | None = None  # shorter "epochs" so a slow machine validates and exports often
    max_validation_pairs: int | None = None
    seed: int = 1
    bidirectional: bool = False
    encoder_layers: int = 1
    decoder_layers: int = 1
    label_smoothing: float = 0.0
    clipnorm: float | None = None
    plateau_factor: float | None = None  # multiply the learning rate by this after a round without a better val_loss
    init_from: str | None = None  # an exported seq2seq artifact to start from (models.seq2seq.grow_weights)
    augment: bool = False  # names, numbers, case and conversational pairs (seqbot.data.augment)
    precision: str = "float32"  # or "mixed_bfloat16": bf16 compute, float32 weights (Keras mixed precision)


@dataclass
class PairData:
    """Training and validation pairs of (source, target) text, plus how they were chosen."""
    train: list[tuple[str, str]]
    validation: list[tuple[str, str]]
    max_source_length: int
    max_target_length: int
    task: str = "translate"
    corpus: str = ""
    split: dict = field(default_factory=dict)
    preset: str | None = None
    augmenter: object | None = None  # seqbot.data.augment.Augmenter: rewrites training pairs each pass
    files: list = field(default_factory=list)  # corpus files read (their sha256 go into the artifact)
    recipe_name: str | None = None


def _padded_length(length: int) -> int:
    # Round up to a multiple of 8 so tf.function sees few distinct shapes.
    return int(math.ceil(length / 8) * 8)


def make_batches(sources, targets, batch_size: int, rng: np.random.Generator | None):
    """Length-bucketed batches: shuffle, sort within chunks of 50 batches, shuffle the batches."""
    order = np.arange(len(sources)) if rng is None else rng.permutation(len(sources))
    chunk = batch_size * 50
    batches = []
    for start in range(0, len(order), chunk):
        part = sorted(order[start:start + chunk], key=lambda i: (len(sources[i]), len(targets[i])))
        batches += [part[i:i + batch_size] for i in range(0, len(part), batch_size)]
    if rng is not None:
        rng.shuffle(batches)
    for batch in batches:
        source = np.zeros((len(batch), _padded_length(max(len(sources[i]) for i in batch))), np.int32)
        target = np.zeros((len(batch), _padded_length(max(len(targets[i]) for i in batch) + 1)), np.int32)
        target_in, target_out = target.copy(), target.copy()
        for row, i in enumerate(batch):
            source[row, :len(sources[i])] = sources[i]
            ids = targets[i]
            target_in[row, 0] = 1  # <start>
            target_in[row, 1:len(ids) + 1] = ids
            target_out[row, :len(ids)] = ids
            target_out[row, len(ids)] = 2  # <end>
        yield (source, target_in), target_out


def _dataset(tf, sources, targets, batch_size, seed, repeat=False, encode_pass=None):
    """Batches of encoded pairs; with `encode_pass(rng)` -> (sources, targets) the pairs are made
    anew for every pass over the data (augmentation)."""
    rng = np.random.default_rng(seed)
    spec = tf.TensorSpec(shape=(None, None), dtype=tf.int32)

    def batches():
        pass_sources, pass_targets = encode_pass(rng) if encode_pass else (sources, targets)
        return make_batches(pass_sources, pass_targets, batch_size, rng)

    dataset = tf.data.Dataset.from_generator(batches, output_signature=((spec, spec), spec))
    if repeat:
        dataset = dataset.repeat()
    return dataset.with_options(dataset_options())


def _strategy(tf, name: str):
    if name == "default":
        return tf.distribute.get_strategy()
    if name == "mirrored":
        return tf.distribute.MirroredStrategy()
    if name == "multiworker":
        return tf.distribute.MultiWorkerMirroredStrategy()
    raise SeqbotError(f"--strategy must be default, mirrored or multiworker, not {name!r}")


PRECISIONS = ("float32", "mixed_bfloat16")

# What val_loss means in run.json: "per-character" since the loss ignores padding exactly.
LOSS = "per-character"

# Settings a rerun may change without invalidating the run: none touches the model or its vocabularies.
RESUMABLE_CHANGES = ("epochs", "max_minutes", "threads", "steps_per_epoch", "batch_size", "max_validation_pairs", "patience",
                     "learning_rate", "plateau_factor", "precision", "init_from")


def _fixed(settings: dict) -> dict:
    return {k: v for k, v in settings.items() if k not in RESUMABLE_CHANGES}


def _load_or_start_run(run_dir: Path, settings: TrainSettings, data: PairData) -> dict:
    """run.json fixes settings and vocabularies at the first start; a rerun must match them."""
    run_file = run_dir / "run.json"
    wanted = {"settings": asdict(settings), "task": data.task, "corpus": data.corpus, "split": data.split, "preset": data.preset}
    if run_file.exists():
        run = json.loads(run_file.read_text())
        for key, value in asdict(TrainSettings()).items():  # settings added since the run started keep their defaults
            run["settings"].setdefault(key, value)
        same = _fixed(run["settings"]) == _fixed(wanted["settings"]) and all(run[k] == wanted[k] for k in wanted if k != "settings")
        if not same:
            raise SeqbotError(f"{run_dir} holds a run with other settings; use another --out folder or delete it to start over")
        run["settings"] = wanted["settings"]
        if run.get("loss") != LOSS:
            # val_loss of an older definition (averaged over padding) cannot be compared with today's.
            run["loss"], run["best_val_loss"] = LOSS, None
        return run
    source_vocab, target_vocab = _vocabularies(data, settings)
    run = wanted | {"source_vocab": source_vocab.to_list(), "target_vocab": target_vocab.to_list(), "best_val_loss": None, "loss": LOSS}
    run_dir.mkdir(parents=True, exist_ok=True)
    run_file.write_text(json.dumps(run, ensure_ascii=False, indent=1))
    return run


def training_metadata(run: dict, data: PairData) -> dict:
    """The record every seqbot artifact carries (seqbot.training.metadata): recipe, command, data
    sha256, code version, hardware and the training time so far (the sum of the run's rounds)."""
    from seqbot.training.metadata import run_metadata

    seconds = sum(entry.get("seconds", 0.0) for entry in run.get("history", []))
    scores = {"best_val_loss": run.get("best_val_loss")}
    return run_metadata(run["settings"], data.files, seconds, scores, recipe_name=data.recipe_name)


def _vocabularies(data: PairData, settings: TrainSettings) -> tuple[CharVocabulary, CharVocabulary]:
    """Characters seen min_char_count times (with augmentation: in capitals too). A run that starts
    from an artifact keeps that artifact's vocabulary as the first ids and adds new characters after."""
    def build(texts, start: list[str]):
        texts = list(texts)
        if settings.augment:
            texts += [text.upper() for text in texts]
        built = CharVocabulary.build(texts, settings.min_char_count).to_list()
        if not start:
            return CharVocabulary(built)
        known = set(start)
        return CharVocabulary(start + [char for char in built[4:] if char not in known])

    start = {"source": [], "target": []}
    if settings.init_from:
        from seqbot.artifact import load_artifact
        config = load_artifact(settings.init_from, kind="seq2seq").config
        start = {"source": list(config["source_vocab"]), "target": list(config["target_vocab"])}
    return build((s for s, _ in data.train), start["source"]), build((t for _, t in data.train), start["target"])


def artifact_config(run: dict, data: PairData) -> dict:
    settings = run["settings"]
    return {
        "task": data.task, "cell": settings["cell"], "units": settings["units"],
        "embedding_dim": len(run["target_vocab"]) if settings["one_hot"] else settings["embedding_dim"],
        "attention": settings["attention"], "attention_units": settings["attention_units"],
        "source_vocab": run["source_vocab"], "target_vocab": run["target_vocab"],
        "max_source_length": data.max_source_length, "max_target_length": data.max_target_length,
        "bidirectional": settings.get("bidirectional", False), "encoder_layers": settings.get("encoder_layers", 1),
        "decoder_layers": settings.get("decoder_layers", 1),
        # Trained on capitals, Title Case and lower case: the engine reads case as typed.
        "case_variants": bool(settings.get("augment", False)),
    } | ({"decoding": DecodingConfig().to_dict()} if data.task == "translate" else {})


def train_seq2seq(data: PairData, settings: TrainSettings, run_dir: str | Path, export_path: str | Path | None = None,
                  callbacks: list | None = None) -> Path:
    """Train (or resume) a run and return the path of its best exported model.

    `callbacks`: extra Keras callbacks, run after the run's own (tests use one to simulate a kill).
    """
    run_dir = Path(run_dir)
    tf = import_tensorflow(settings.threads, onednn=True)
    import keras

    if settings.precision not in PRECISIONS:
        raise SeqbotError(f"precision must be one of {', '.join(PRECISIONS)}, not {settings.precision!r}")
    keras.mixed_precision.set_global_policy(settings.precision)

    from seqbot.models.seq2seq import Seq2SeqConfig, build_seq2seq, compile_seq2seq, export_weights, grow_weights

    run = _load_or_start_run(run_dir, settings, data)
    source_vocab, target_vocab = CharVocabulary(run["source_vocab"]), CharVocabulary(run["target_vocab"])
    encode = lambda pairs: ([source_vocab.encode(s) for s, _ in pairs], [target_vocab.encode(t) for _, t in pairs])  # noqa: E731
    train_sources, train_targets = encode(data.train)
    encode_pass = None
    if data.augmenter is not None:
        augmenter = data.augmenter
        extra = augmenter.extra_pairs(data.train)

        def encode_pass(rng):
            return encode([augmenter(english, french, rng) for english, french in data.train + extra])
    val_sources, val_targets = encode(data.validation[:settings.max_validation_pairs])
    model_config = Seq2SeqConfig(
        source_vocab_size=len(source_vocab), target_vocab_size=len(target_vocab), cell=settings.cell,
        units=settings.units, embedding_dim=settings.embedding_dim, attention=settings.attention,
        attention_units=settings.attention_units, one_hot=settings.one_hot, dropout=settings.dropout,
        bidirectional=settings.bidirectional, encoder_layers=settings.encoder_layers, decoder_layers=settings.decoder_layers,
    )
    keras.utils.set_random_seed(settings.seed)
    with _strategy(tf, settings.strategy).scope():
        model = build_seq2seq(model_config)
        if settings.init_from and not (run_dir / "backup").exists():
            from seqbot.artifact import load_artifact
            start = load_artifact(settings.init_from, kind="seq2seq")
            copied = grow_weights(model, model_config, start.weights)
            print(f"started from {settings.init_from}: {len(copied)} weights copied")
        model = compile_seq2seq(model, settings.optimizer, settings.learning_rate, settings.label_smoothing, settings.clipnorm)

    model_path = run_dir / "model.npz"
    samples_per_epoch = settings.steps_per_epoch * settings.batch_size if settings.steps_per_epoch else len(train_sources)
    started = time.time()

    class ExportBest(keras.callbacks.Callback):
        """Export the model after every epoch that improves the validation loss."""

        def on_epoch_begin(self, epoch, logs=None):
            self.epoch_start = time.time()

        def on_epoch_end(self, epoch, logs=None):
            logs = logs or {}
            seconds = time.time() - self.epoch_start
            run.setdefault("history", []).append({"epoch": epoch + 1, "seconds": round(seconds, 1),
                                                  "samples_per_s": round(samples_per_epoch / seconds, 1),
                                                  **{k: float(v) for k, v in logs.items()}})
            val_loss = float(logs.get("val_loss", np.inf))
            if run["best_val_loss"] is None or val_loss < run["best_val_loss"]:
                run["best_val_loss"], run["best_epoch"] = val_loss, epoch + 1
                metadata = training_metadata(run, data) | {
                    "corpus": data.corpus, "split": data.split, "preset": data.preset,
                    "training": {"epochs": epoch + 1, "best_epoch": epoch + 1, "val_loss": val_loss,
                                 "val_accuracy": float(logs.get("val_masked_accuracy", np.nan)),
                                 "train_pairs": len(train_sources), "validation_pairs": len(val_sources),
                                 "history": run["history"], "settings": run["settings"]},
                    "date": datetime.now(timezone.utc).isoformat(timespec="seconds"),
                }
                save_artifact(model_path, Artifact("seq2seq", artifact_config(run, data), export_weights(model, model_config), metadata))
                if export_path:
                    shutil.copyfile(model_path, export_path)
            # Every round's weights, for checkpoint averaging (training.average) after the run.
            round_metadata = training_metadata(run, data) | {"round": epoch + 1, "val_loss": val_loss, "split": data.split,
                                                             "corpus": data.corpus}
            save_artifact(run_dir / "rounds" / f"round-{epoch + 1:03d}.npz",
                          Artifact("seq2seq", artifact_config(run, data), export_weights(model, model_config), round_metadata))
            (run_dir / "run.json").write_text(json.dumps(run, ensure_ascii=False, indent=1))
            if settings.max_minutes and time.time() - started > settings.max_minutes * 60:
                print(f"\nstopping: the {settings.max_minutes} minute budget is spent; the best epoch is kept")
                self.model.stop_training = True

    all_callbacks = [
        # Kept after the end too, so rerunning a finished or budget-stopped run continues it.
        keras.callbacks.BackupAndRestore(str(run_dir / "backup"), delete_checkpoint=False),
        keras.callbacks.CSVLogger(str(run_dir / "log.csv"), append=True),
        keras.callbacks.TensorBoard(str(run_dir / "tensorboard"), write_graph=False, profile_batch=0),
        keras.callbacks.EarlyStopping(monitor="val_loss", patience=settings.patience),
        *([keras.callbacks.ReduceLROnPlateau(monitor="val_loss", factor=settings.plateau_factor, patience=0, min_lr=1e-5)]
          if settings.plateau_factor else []),
        ExportBest(),
        *(callbacks or []),
    ]
    try:
        model.fit(
            _dataset(tf, train_sources, train_targets, settings.batch_size, settings.seed,
                     repeat=bool(settings.steps_per_epoch), encode_pass=encode_pass),
            steps_per_epoch=settings.steps_per_epoch,
            validation_data=_dataset(tf, val_sources, val_targets, settings.batch_size, None),
            epochs=settings.epochs,
            callbacks=all_callbacks,
            verbose=2 if settings.strategy != "default" else "auto",
            shuffle=False,  # the batches come shuffled from make_batches; Keras cannot shuffle a tf.data Dataset
        )
    finally:
        keras.mixed_precision.set_global_policy("float32")  # the policy is global: later models in this process
    if not model_path.exists():
        raise SeqbotError(f"training in {run_dir} finished no epoch, so there is no model to export")
    return model_path


# --- the fra-eng translator ---

def translation_data(corpora=None, max_english_length: int = 60, max_french_length: int = 80,
                     test_fraction: float = 0.05, validation_fraction: float = 0.05, seed: int = 1,
                     max_pairs: int | None = None, preset: str | None = None) -> PairData:
    """fra-eng pairs split by unique English sentence; `max_pairs` keeps the first N training pairs."""
    from seqbot.data import fra_eng

    split = {"corpus": fra_eng.CORPUS, "seed": seed, "test_fraction": test_fraction,
             "validation_fraction": validation_fraction, "max_english_length": max_english_length,
             "max_french_length": max_french_length}
    parts = fra_eng.split_pairs(fra_eng.read_pairs(fra_eng.locate(corpora)), split)
    train = [(p.english, p.french) for p in parts["train"]]
    validation = [(p.english, p.french) for p in parts["validation"]]
    if max_pairs:
        train = train[:max_pairs]
        validation = validation[:max(1, max_pairs // 5)]
    split["sizes"] = {name: len(value) for name, value in parts.items()}
    return PairData(train, validation, max_english_length, max_french_length, "translate", fra_eng.CORPUS, split, preset,
                    files=[fra_eng.locate(corpora)])


def novel_translation_data(corpora=None, split=None, augment: bool = True, max_pairs: int | None = None) -> PairData:
    """fra-eng on the novel split (seqbot.data.novel_split: no paraphrase cluster on two sides),
    every sentence up to its max lengths, with the augmenter of seqbot.data.augment when `augment`."""
    from seqbot.data import fra_eng
    from seqbot.data.augment import Augmenter, corpus_words, lower_case_words, proper_nouns
    from seqbot.data.novel_split import NovelSplit, novel_split
    from seqbot.data.translation_probes import UNSEEN_NAMES
    from seqbot.paths import corpora_dir

    split = split or NovelSplit()
    pairs = fra_eng.read_pairs(fra_eng.locate(corpora))
    parts = novel_split(pairs, split)
    train = [(p.english, p.french) for p in parts["train"]]
    validation = [(p.english, p.french) for p in parts["validation"]]
    if max_pairs:
        train, validation = train[:max_pairs], validation[:max(1, max_pairs // 5)]
    augmenter = None
    if augment:
        names = proper_nouns(corpora_dir(corpora), exclude=set(UNSEEN_NAMES), known_words=corpus_words(pairs))
        augmenter = Augmenter(names, lower_case_words(pairs))
    record = split.to_dict() | {"corpus": fra_eng.CORPUS, "sizes": {name: len(value) for name, value in parts.items()}}
    if augment:
        record["augment"] = augmenter.config.to_dict() | {"names": len(augmenter.names)}
    files = [fra_eng.locate(corpora)]
    if augment:  # the name list comes from these
        files += [corpora_dir(corpora) / "friends" / "friends-transcripts.tab",
                  corpora_dir(corpora) / "reuters21578" / "reuters21578.tar.gz"]
    return PairData(train, validation, split.max_english_length, split.max_french_length, "translate",
                    fra_eng.CORPUS, record, None, augmenter, files=files, recipe_name="translator")


# --- recipes: seqbot/training/recipes.py holds their values ---

RECIPES = recipes_for("translate")  # name -> Recipe: translator (shipped), gru512 (shipped), keras-example
_SETTING_NAMES = {item.name for item in fields(TrainSettings)}


def recipe_settings(recipe, overrides: dict | None = None) -> TrainSettings:
    """The recipe's TrainSettings, with the overrides that are not None."""
    values = {key: value for key, value in recipe.settings.items() if key in _SETTING_NAMES}
    return TrainSettings(**(values | {key: value for key, value in (overrides or {}).items() if value is not None}))


def recipe_data(recipe, corpora=None, max_pairs: int | None = None) -> PairData:
    """The pairs a recipe trains on: the novel split (with the augmenter when the recipe augments), or the
    first split by English sentence of at most max_english_length characters (French: 20 more)."""
    data = recipe.data
    if data.get("split") == "novel":
        pairs = novel_translation_data(corpora, augment=bool(recipe.settings.get("augment", False)), max_pairs=max_pairs)
    elif data.get("split") == "fra-eng":
        longest = data["max_english_length"]
        pairs = translation_data(corpora, longest, longest + 20, max_pairs=max_pairs or data.get("max_pairs"),
                                 preset=data.get("preset"))
    else:
        raise SeqbotError(f"translate recipe {recipe.name!r} names no known split ({data.get('split')!r})")
    pairs.recipe_name = recipe.name
    return pairs


KERAS_EXAMPLE = {key: value for key, value in RECIPES["keras-example"].settings.items() if key in _SETTING_NAMES}
TRANSLATOR_RECIPE = {key: value for key, value in RECIPES["translator"].settings.items() if key in _SETTING_NAMES}
