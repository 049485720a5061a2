"""Train a character-level seq2seq model on text pairs and export it for the NumPy engine.

Used for the translator (fra-eng) and, with task="chat", for the dialogue model:

    seqbot train translate                               the shipped recipe -> runs/translator
    seqbot train translate --recipe keras-example        keras-io's lstm_seq2seq settings -> runs/keras-example

Training runs through the one loop (seqbot.training.loop.fit: resume, time budget, early
stopping, halving, logs). A run folder holds run.json (settings and vocabularies, fixed at the
first start), the loop's loop_state.json, backup/ (Keras BackupAndRestore), log.csv, tensorboard/,
rounds/round-NNN.npz (every round's artifact, for averaging) and model.npz, the best round's
artifact. Rerunning the same command after Ctrl-C, a kill or a spent --max-minutes continues from
the last finished round; a folder made by the trainer before the one loop is adopted on the way
(seqbot.training.old_runs). Only `seqbot train translate --export PATH --force` copies a model out.
"""

from __future__ import annotations

import json
import math
from dataclasses import asdict, dataclass, field, fields
from pathlib import Path

import numpy as np

from seqbot.artifact import Artifact, save_artifact
from seqbot.contract import keys
from seqbot.contract.decoding import DecodingConfig
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
    placeholder_rate: float = 0.0  # share of training pairs read through the engine's placeholders (data.augment)
    # > 0: each training reply is also read after another pair's message, and the model pays this
    # weight x a loss for giving it as much probability there (models.seq2seq.mismatch_loss; chat)
    mismatch_weight: float = 0.0


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


def make_batches(sources, targets, batch_size: int, rng: np.random.Generator | None, mismatched: bool = False):
    """Length-bucketed batches: shuffle, sort within chunks of 50 batches, shuffle the batches.

    `mismatched`: each batch of B pairs is followed by the same B replies after the messages of the
    batch rolled by one row (another pair's message), their targets negated
    (models.seq2seq.mismatch_loss); a batch of one pair has no other message and stays as it is."""
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
        if mismatched and len(batch) > 1:
            source = np.concatenate([source, np.roll(source, 1, axis=0)])
            target_in, target_out = np.concatenate([target_in, target_in]), np.concatenate([target_out, -target_out])
        yield (source, target_in), target_out


def _dataset(tf, sources, targets, batch_size, seed, encode_pass=None, mismatched: bool = False):
    """Batches of encoded pairs (one pass; the loop repeats it for rounds of steps_per_epoch); with
    `encode_pass(rng)` -> (sources, targets) the pairs are made anew for every pass (augmentation).
    Without augmentation the number of batches is known, so Keras never warns that validation "ran
    out of data"."""
    rng = np.random.default_rng(seed)
    spec = tf.TensorSpec(shape=(None, None), dtype=tf.int32)

    def batches():
        pass_sources, pass_targets = encode_pass(rng) if encode_pass else (sources, targets)
        return make_batches(pass_sources, pass_targets, batch_size, rng, mismatched)

    dataset = tf.data.Dataset.from_generator(batches, output_signature=((spec, spec), spec))
    if encode_pass is None:
        chunk = batch_size * 50  # make_batches cuts batches within chunks of 50
        count = sum(-(-min(chunk, len(sources) - start) // batch_size) for start in range(0, len(sources), chunk))
        dataset = dataset.apply(tf.data.experimental.assert_cardinality(count))
    return dataset.with_options(dataset_options())


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
        if isinstance(run.get("split"), dict) and isinstance(run["split"].get("augment"), dict):
            from seqbot.data.augment import AugmentConfig

            for key, value in AugmentConfig().to_dict().items():  # so do augmentation settings
                run["split"]["augment"].setdefault(key, value)
        same = _fixed(run["settings"]) == _fixed(wanted["settings"]) and all(run[k] == wanted[k] for k in wanted if k != "settings")
        if not same:
            raise SeqbotError(f"{run_dir} holds a run with other settings; use another --out folder or delete it to start over")
        run["settings"] = wanted["settings"]
        if run.get("loss") != LOSS:
            # val_loss of an older definition (averaged over padding) cannot be compared with today's.
            run["best_val_loss"] = None
        return run
    source_vocab, target_vocab = _vocabularies(data, settings)
    run = wanted | {"source_vocab": source_vocab.to_list(), "target_vocab": target_vocab.to_list(), "loss": LOSS}
    run_dir.mkdir(parents=True, exist_ok=True)
    run_file.write_text(json.dumps(run, ensure_ascii=False, indent=1))
    return run


def seq2seq_metadata(run: dict, data: PairData, progress, **extra) -> dict:
    """The one metadata record of a seq2seq artifact (seqbot.training.metadata.run_metadata: recipe,
    command, data sha256, code version, hardware, training time) with the run's progress so far
    (`progress`: the loop's FitResult) under "training", as the translator and chat artifacts hold it."""
    from seqbot.training.metadata import run_metadata

    best = next((entry for entry in progress.history if entry["epoch"] == progress.best_epoch), {})
    training = {"epochs": progress.epochs, "best_epoch": progress.best_epoch, "val_loss": progress.best,
                "val_accuracy": best.get("val_masked_accuracy"), "train_pairs": len(data.train),
                "validation_pairs": len(data.validation), "updates": progress.updates, "history": progress.history,
                "settings": run["settings"]}
    return run_metadata(run["settings"], data.files, progress.time_s, {"best_val_loss": progress.best},
                        recipe_name=data.recipe_name, corpus=data.corpus, split=data.split, preset=data.preset,
                        training=training, **extra)


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


def model_config(run: dict, dropout: float | None = None):
    """The Keras model a run trains (seqbot.models.seq2seq.Seq2SeqConfig), from run.json."""
    from seqbot.models.seq2seq import Seq2SeqConfig

    settings = run["settings"]
    return Seq2SeqConfig(
        source_vocab_size=len(run["source_vocab"]), target_vocab_size=len(run["target_vocab"]), cell=settings["cell"],
        units=settings["units"], embedding_dim=settings["embedding_dim"], attention=settings["attention"],
        attention_units=settings["attention_units"], one_hot=settings["one_hot"],
        dropout=settings.get("dropout", 0.0) if dropout is None else dropout,
        bidirectional=settings.get("bidirectional", False), encoder_layers=settings.get("encoder_layers", 1),
        decoder_layers=settings.get("decoder_layers", 1),
    )


def artifact_config(run: dict, task: str, max_source_length: int, max_target_length: int) -> dict:
    """The engine's config of a run's artifacts (docs/architecture.md, seq2seq weights)."""
    settings = run["settings"]
    return {
        "task": task, "cell": settings["cell"], "units": settings["units"],
        "embedding_dim": len(run["target_vocab"]) if settings["one_hot"] else settings["embedding_dim"],
        "attention": settings["attention"], "attention_units": settings["attention_units"],
        "source_vocab": run["source_vocab"], "target_vocab": run["target_vocab"],
        "max_source_length": max_source_length, "max_target_length": max_target_length,
        "bidirectional": settings.get("bidirectional", False), "encoder_layers": settings.get("encoder_layers", 1),
        "decoder_layers": settings.get("decoder_layers", 1),
        # Trained on capitals, Title Case and lower case: the engine reads case as typed.
        "case_variants": bool(settings.get("augment", False)),
    } | ({keys.DECODING: DecodingConfig().to_dict()} if task == keys.TRANSLATE else {})


MIN_LEARNING_RATE = 1e-5  # halving (plateau_factor) stops here


def loop_config(settings: TrainSettings):
    """The run's LoopConfig: halving after each round without a better val_loss (patience 1), down to
    MIN_LEARNING_RATE; early stopping after `patience` such rounds; TensorBoard logs."""
    from seqbot.training.loop import LoopConfig

    return LoopConfig(epochs=settings.epochs, patience=settings.patience, plateau_factor=settings.plateau_factor or 1.0,
                      plateau_patience=1, min_learning_rate=MIN_LEARNING_RATE, steps_per_epoch=settings.steps_per_epoch,
                      max_minutes=settings.max_minutes, tensorboard=True)


def train_seq2seq(data: PairData, settings: TrainSettings, run_dir: str | Path, callbacks: list | None = None) -> Path:
    """Train (or resume) a run through seqbot.training.loop.fit and return the path of its best model,
    run_dir/model.npz. After every round, rounds/round-NNN.npz (for averaging) and, when the round
    improved the validation loss, model.npz are written in the run folder; nothing is written elsewhere.

    `callbacks`: extra Keras callbacks, run after the run's own (tests use one to simulate a kill).
    """
    run_dir = Path(run_dir)
    tf = import_tensorflow(settings.threads, onednn=True)  # oneDNN: 1.3x in float32 here, and what makes bfloat16 pay
    import keras

    from seqbot.training.loop import distribution_scope, fit, is_chief, make_optimizer

    scope = distribution_scope(settings.strategy)  # before any other TensorFlow op: collectives are set up at start-up
    if settings.precision not in PRECISIONS:
        raise SeqbotError(f"precision must be one of {', '.join(PRECISIONS)}, not {settings.precision!r}")
    from seqbot.models.seq2seq import build_seq2seq, compile_seq2seq, export_weights, grow_weights
    from seqbot.training.old_runs import adopt_translator_run

    run = _load_or_start_run(run_dir, settings, data)
    adopt_translator_run(run_dir, run)  # a run folder of the trainer before the one loop: its progress into loop_state.json
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
    config = model_config(run)
    keras.mixed_precision.set_global_policy(settings.precision)
    try:
        keras.utils.set_random_seed(settings.seed)
        with scope:
            model = build_seq2seq(config)
            if settings.init_from and not (run_dir / "backup").exists():
                from seqbot.artifact import load_artifact

                copied = grow_weights(model, config, load_artifact(settings.init_from, kind="seq2seq").weights)
                print(f"started from {settings.init_from}: {len(copied)} weights copied")
            compile_seq2seq(model, make_optimizer(settings.optimizer, settings.learning_rate, settings.clipnorm),
                            label_smoothing=settings.label_smoothing, mismatch_weight=settings.mismatch_weight)
        model_path = run_dir / "model.npz"
        config_for_engine = artifact_config(run, data.task, data.max_source_length, data.max_target_length)

        def after_epoch(model, progress):
            """Every round's artifact (training.average), and model.npz when the round is the best so far."""
            entry = progress.history[-1]
            artifact = Artifact(keys.SEQ2SEQ, config_for_engine, export_weights(model, config))
            artifact.metadata = seq2seq_metadata(run, data, progress, round=entry["epoch"], val_loss=entry.get("val_loss"))
            save_artifact(run_dir / "rounds" / f"round-{entry['epoch']:03d}.npz", artifact)
            if progress.best_epoch == entry["epoch"]:
                save_artifact(model_path, Artifact(keys.SEQ2SEQ, config_for_engine, artifact.weights,
                                                   seq2seq_metadata(run, data, progress)))

        def export(model, result):  # model.npz is the best round's, written when that round ended
            path = result.run_dir / "model.npz"
            return path if path.exists() else None

        train_batches = _dataset(tf, train_sources, train_targets, settings.batch_size, settings.seed, encode_pass=encode_pass,
                                 mismatched=settings.mismatch_weight > 0)
        result = fit(model, train_batches,
                     _dataset(tf, val_sources, val_targets, settings.batch_size, None), loop_config(settings), run_dir,
                     export=export, after_epoch=after_epoch, callbacks=callbacks or (),
                     log=lambda line: print(line, flush=True))
    finally:
        keras.mixed_precision.set_global_policy("float32")  # the policy is global: later models in this process
    if not is_chief():
        return run_dir
    if result.exported is None:
        raise SeqbotError(f"training in {run_dir} finished no epoch, so there is no model to export")
    return result.exported


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


def novel_translation_data(corpora=None, split=None, augment: bool = True, max_pairs: int | None = None,
                           placeholder_rate: float = 0.0) -> PairData:
    """fra-eng on the novel split (seqbot.data.novel_split: no paraphrase cluster on two sides),
    every sentence up to its max lengths, with the augmenter of seqbot.data.augment when `augment`
    (rewriting `placeholder_rate` of the pairs as the engine's placeholders rewrite input)."""
    from seqbot.data import fra_eng
    from seqbot.data.augment import AugmentConfig, Augmenter, corpus_words, lower_case_words, proper_nouns
    from seqbot.data.placeholders import Placeholders
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
        augmenter = Augmenter(names, lower_case_words(pairs), AugmentConfig(placeholder_rate=placeholder_rate),
                              Placeholders.from_pairs(english for english, _ in train) if placeholder_rate else None)
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


def recipe_data(recipe, corpora=None, max_pairs: int | None = None, placeholder_rate: float | None = None) -> PairData:
    """The pairs a recipe trains on: the novel split (with the augmenter when the recipe augments), or the
    first split by English sentence of at most max_english_length characters (French: 20 more).
    `placeholder_rate`: the augmenter's (default: the recipe's)."""
    data = recipe.data
    if placeholder_rate is None:
        placeholder_rate = recipe.settings.get("placeholder_rate", 0.0)
    if data.get("split") == "novel":
        pairs = novel_translation_data(corpora, augment=bool(recipe.settings.get("augment", False)), max_pairs=max_pairs,
                                       placeholder_rate=placeholder_rate)
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
