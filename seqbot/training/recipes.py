"""Every training recipe in one table: what each shipped checkpoint was trained with, and the experiments.

    seqbot models recipes                    lists them (seqbot models recipes NAME: every setting)
    seqbot models info NAME                  prints the command that rebuilds checkpoints/NAME.npz
    recipe = shipped_recipe("imdb")          # Recipe(trainer="classify", name="imdb_lstm_cnn_crops", ...)
    recipe.command                           # "seqbot train classify imdb_lstm_cnn_crops"

A recipe is plain values, nanoGPT style: one flat dict of settings, read as a model part (what the
network is), a training part (how it is fitted) and a data part (what it reads). Settings a recipe
leaves out keep the defaults of its trainer's config dataclass (ClassifyConfig in training/classify.py,
GenerateConfig in training/generate.py, TrainSettings in training/translate.py, ChatTrainingConfig
in training/chat.py); those dataclasses are the only other source of values. Trainers read their
recipes from here (`recipes_for("classify")`); `named_recipe` applies command-line overrides.

SHIPPED maps each file in checkpoints/ to its recipe, one for each row of the table of shipped models
(seqbot/contract/shipped.py, which says how the app and the engine use it), in its order; EXPERIMENTS
holds the recipes that were tried and not shipped (docs/experiments.md). This module imports nothing
heavy: `seqbot models info` reads it on the base install.
"""

from __future__ import annotations

from dataclasses import dataclass, field, fields, replace

from seqbot.contract.shipped import SHIPPED_NAMES
from seqbot.errors import SeqbotError

TRAINERS = ("classify", "generate", "chat", "translate")

# Which settings describe the network and which the data; every other setting is a training setting.
MODEL_KEYS = {
    "classify": {"kind", "spec", "tokenizer", "max_words", "oov", "max_length", "fixed_length", "keep",
                 "sentencepiece_vocab", "rnn_dropout", "alpha", "weighting", "sublinear_tf"},
    "generate": {"cell", "level", "units", "embedding_dim", "max_words"},
    "chat": {"cell", "units", "embedding_dim", "attention", "attention_units", "one_hot", "dropout", "bidirectional",
             "encoder_layers", "decoder_layers", "min_char_count"},
}
MODEL_KEYS["translate"] = MODEL_KEYS["chat"]
DATA_KEYS = {
    "classify": {"corpus", "task", "language", "validation_fraction", "train_limit"},
    "generate": {"validation_fraction"},
    "chat": {"max_length", "validation_fraction", "pairs", "context_length", "context_dropout", "direction"},
    "translate": {"split", "max_english_length", "max_pairs", "preset", "augment"},
}


@dataclass(frozen=True)
class Recipe:
    """One named way to train a model: `seqbot train TRAINER NAME` (translate: --recipe NAME)."""

    trainer: str  # classify | generate | chat | translate
    name: str  # the recipe's name on its trainer's command line
    artifact: str  # the file it writes in its run folder: NAME.npz, the checkpoint it would replace
    settings: dict = field(default_factory=dict)  # plain values; left out: the trainer config's default
    note: str = ""

    def __post_init__(self):
        if self.trainer not in TRAINERS:
            raise ValueError(f"unknown trainer {self.trainer!r}; choose one of {', '.join(TRAINERS)}")

    @property
    def model(self) -> dict:
        return {k: v for k, v in self.settings.items() if k in MODEL_KEYS[self.trainer]}

    @property
    def data(self) -> dict:
        return {k: v for k, v in self.settings.items() if k in DATA_KEYS[self.trainer]}

    @property
    def training(self) -> dict:
        return {k: v for k, v in self.settings.items() if k not in MODEL_KEYS[self.trainer] | DATA_KEYS[self.trainer]}

    @property
    def command(self) -> str:
        """The command that trains this recipe into runs/ (add --export PATH --force to replace a checkpoint)."""
        if self.trainer == "classify":
            return f"seqbot train classify {self.name}"
        if self.trainer == "generate":
            return "seqbot train generate" + ("" if self.name == "generator" else f" {self.name}")
        if self.trainer == "translate":
            return "seqbot train translate" + ("" if self.name == "translator" else f" --recipe {self.name}")
        return "seqbot train chat"


# --- classifiers (seqbot train classify NAME) ---

def _classify(name: str, artifact: str, note: str = "", **settings) -> Recipe:
    return Recipe("classify", name, artifact, settings, note)


SPAM_RNN = dict(spec="spam_rnn", corpus="sms-spam", task="spam", epochs=12, patience=3)
REUTERS = dict(spec="reuters_lstm", corpus="reuters21578", task="topic", max_words=1000, oov=True, max_length=100,
               optimizer="adam", batch_size=64, epochs=40, patience=4)
NSMC = dict(corpus="nsmc", task="sentiment", language="ko", batch_size=128, epochs=6, patience=2)
NSMC_SPM_ATTENTION = NSMC | dict(spec="nsmc_spm_attention", tokenizer="sentencepiece", max_length=60, optimizer="adam",
                                 epochs=4, patience=1)
IMDB = dict(corpus="imdb", task="sentiment", max_words=5000, oov=True, max_length=500, optimizer="adam", batch_size=64,
            epochs=6, patience=1)
# The LSTM+CNN with a 20,000-word vocabulary reading the LAST words (reviews end on their verdict).
IMDB_LSTM_CNN_LAST = IMDB | dict(spec="imdb_lstm_cnn", max_words=20000, fixed_length=True, epochs=5, keep="last")
# The same reading up to 1,000 words from PPMI-SVD word vectors of the training reviews, trained on 95% of them,
# shipping the mean of its two epochs' weights when that lowers the validation loss.
IMDB_LSTM_CNN_PPMI = IMDB_LSTM_CNN_LAST | dict(max_length=1000, epochs=2, patience=2, validation_fraction=0.05,
                                               word_vectors=True, average_epochs=2)
IMDB_LSTM_CNN_CROPS = IMDB_LSTM_CNN_PPMI | dict(epochs=3, patience=3, average_epochs=2, crops_per_text=3, calibrate=True,
                                                short_calibration=True)
IMDB_LSTM_LAST = IMDB | dict(spec="imdb_lstm", keep="last", batch_size=128, validation_fraction=0.05)
IMDB_LSTM_DROPOUT = IMDB_LSTM_LAST | dict(rnn_dropout=0.3, patience=2, plateau_factor=0.5)
IMDB_LSTM_LM_FIRST = IMDB | dict(spec="imdb_lstm", batch_size=128, validation_fraction=0.05, pretrain_epochs=10)
NAIVE_BAYES = dict(kind="naive_bayes", alpha=1.0)

# --- the text generator (seqbot train generate NAME) ---

# LSTM 256 trained by tools/gpu_train.py (Keras on JAX, one H100) for 32 rounds of 156 batches of 128 windows of
# 100 characters starting every 25th character, Adam 3e-3 clipped at norm 5, halved after each worse round,
# stopping after 5 worse rounds.
GENERATOR = dict(cell="lstm", level="char", units=256, embedding_dim=64, max_words=6000, sequence_length=100,
                 window_stride=25, batch_size=128, learning_rate=3e-3, clipnorm=5.0, steps_per_epoch=156, epochs=32,
                 patience=5, plateau_factor=0.5, max_minutes=None, validation_fraction=0.1, seed=0)
GENERATOR_CPU = GENERATOR | dict(batch_size=64, learning_rate=2e-3, window_stride=100, steps_per_epoch=100, epochs=1000,
                                 patience=None, plateau_factor=1.0, max_minutes=15.0)

# --- sequence to sequence: the translator and chat ---

# The shipped translator: a bidirectional GRU encoder and two residual GRU decoder layers, grown from the previous
# translator (checkpoints/translator-gru512.npz, whose weights it starts from unchanged in function), trained on
# the novel split with augmentation.
TRANSLATOR = dict(cell="gru", units=512, embedding_dim=64, attention="dot", dropout=0.25, bidirectional=True,
                  encoder_layers=1, decoder_layers=2, label_smoothing=0.1, clipnorm=5.0, plateau_factor=0.5,
                  batch_size=128, learning_rate=5e-4, steps_per_epoch=300, epochs=60, patience=6,
                  max_validation_pairs=3000, augment=True, threads=2, init_from="checkpoints/translator-gru512.npz",
                  split="novel")
# The previous translator (checkpoints/translator-gru512.npz), trained on a GPU with these settings.
GRU512 = dict(cell="gru", units=512, embedding_dim=64, attention="dot", dropout=0.25, batch_size=256,
              learning_rate=2e-3, clipnorm=5.0, plateau_factor=0.5, epochs=20, patience=4, threads=2,
              split="fra-eng", max_english_length=50)
# keras-io's lstm_seq2seq example: one-hot characters, no attention, RMSprop, its first 10,000 pairs.
KERAS_EXAMPLE = dict(cell="lstm", units=256, attention="none", one_hot=True, optimizer="rmsprop", learning_rate=1e-3,
                     batch_size=64, min_char_count=1, epochs=100, patience=2, split="fra-eng", max_english_length=50,
                     max_pairs=10_000, preset="keras-example")
# The shipped chat model: every Friends exchange and chatterbot turn pair, long turns cut at sentence ends, the
# benchmark's messages left out (seqbot/training/chat.py, pairs="all"); from scratch on the two CPU cores, 28 minutes.
CHAT = dict(cell="lstm", units=256, embedding_dim=64, attention="dot", attention_units=128, batch_size=128,
            learning_rate=2e-3, clipnorm=5.0, plateau_factor=0.5, patience=5, epochs=30, max_minutes=28.0, threads=2,
            seed=1, max_length=40, validation_fraction=0.05, pairs="all", context_length=40, dropout=0.2,
            precision="mixed_bfloat16")

# checkpoints/NAME.npz -> the recipe that rebuilds it; one for each row of the table of shipped models.
_SHIPPED_RECIPES: dict[str, Recipe] = {
    "spam_nb": _classify("spam_nb", "spam_nb", "multinomial Naive Bayes on SMS spam",
                         corpus="sms-spam", task="spam", **NAIVE_BAYES),
    "spam_rnn": _classify("spam_rnn", "spam_rnn", "the lecture's SimpleRNN(32) on SMS spam", **SPAM_RNN),
    "reuters": _classify("reuters", "reuters", "the lecture's LSTM(120) on Reuters-46", **REUTERS),
    "nsmc": _classify("nsmc_spm_attention_98", "nsmc", "sentencepiece + LSTM + attention on 98% of NSMC, 3 epochs "
                      "(the epochs the 80/20 run found best)",
                      **NSMC_SPM_ATTENTION | dict(epochs=3, patience=3, validation_fraction=0.02)),
    "imdb": _classify("imdb_lstm_cnn_crops", "imdb", "LSTM+CNN on reviews and three <= 12-word snippets of each, "
                      "calibrated for reviews and for short messages", **IMDB_LSTM_CNN_CROPS),
    "imdb_lstm": _classify("imdb_lstm_dropout", "imdb", "the lecture's LSTM reading the last 500 words, dropout 0.3 "
                           "on its inputs, halving after a worse epoch", **IMDB_LSTM_DROPOUT),
    "generator": Recipe("generate", "generator", "generator", GENERATOR, "character-level LSTM 256 on tiny Shakespeare"),
    "chat": Recipe("chat", "chat", "model", CHAT, "character-level seq2seq LSTM 256 with dot attention on Friends + "
                   "chatterbot-corpus, reading the line before each message"),
    "translator": Recipe("translate", "translator", "model", TRANSLATOR, "bidirectional GRU 512, two decoder layers, "
                         "on the novel split with augmentation, from translator-gru512"),
    "translator-gru512": Recipe("translate", "gru512", "model", GRU512, "GRU 512 with dot attention on English <= 50 "
                                "characters"),
}


def _one_per_shipped_model(recipes: dict[str, Recipe]) -> dict[str, Recipe]:
    """`recipes` in the order of the table of shipped models (seqbot/contract/shipped.py); ValueError
    unless every row has a recipe and every recipe a row."""
    missing = [name for name in SHIPPED_NAMES if name not in recipes]
    unknown = [name for name in recipes if name not in SHIPPED_NAMES]
    if missing or unknown:
        raise ValueError(f"the shipped recipes and the table of shipped models disagree: no recipe for "
                         f"{', '.join(missing) or 'none'}; no row in seqbot/contract/shipped.py for {', '.join(unknown) or 'none'}")
    return {name: recipes[name] for name in SHIPPED_NAMES}


SHIPPED = _one_per_shipped_model(_SHIPPED_RECIPES)

# Tried and not shipped (docs/experiments.md); `seqbot train TRAINER NAME` still runs each.
EXPERIMENTS: list[Recipe] = [
    _classify("nsmc", "nsmc", "the lecture's Korean-word LSTM", spec="nsmc_lstm", tokenizer="korean_words",
              max_words=35000, max_length=30, **NSMC),
    _classify("nsmc_spm", "nsmc", "sentencepiece + LSTM", spec="nsmc_spm", tokenizer="sentencepiece", max_length=60, **NSMC),
    _classify("nsmc_spm_attention", "nsmc", "sentencepiece + LSTM + attention, 80/20", **NSMC_SPM_ATTENTION),
    _classify("imdb", "imdb", "the lecture's LSTM+CNN on the first 500 words", spec="imdb_lstm_cnn", fixed_length=True,
              **IMDB),
    _classify("imdb_lstm_cnn_last", "imdb", "LSTM+CNN, 20,000 words, the last 500 words", **IMDB_LSTM_CNN_LAST),
    _classify("imdb_lstm_cnn_ppmi", "imdb", "LSTM+CNN reading 1,000 words from PPMI-SVD vectors, two epochs averaged",
              **IMDB_LSTM_CNN_PPMI),
    _classify("imdb_lstm", "imdb", "the lecture's LSTM", spec="imdb_lstm", **IMDB),
    _classify("imdb_lstm_avg", "imdb", "the lecture's LSTM on 95% of the reviews, mean of epochs 2-4", spec="imdb_lstm",
              **IMDB | dict(fixed_length=True, batch_size=128, epochs=4, patience=4, validation_fraction=0.05,
                            average_epochs=3)),
    _classify("imdb_lstm_lm", "imdb", "the lecture's LSTM pretrained as a next-word model, the last 500 words",
              **IMDB_LSTM_LM_FIRST | dict(keep="last")),
    _classify("imdb_lstm_lm_first", "imdb", "the lecture's LSTM pretrained as a next-word model", **IMDB_LSTM_LM_FIRST),
    _classify("imdb_lstm_last", "imdb", "the lecture's LSTM reading the last 500 words", **IMDB_LSTM_LAST),
    _classify("imdb_gru", "imdb", "GRU in place of the LSTM", spec="imdb_gru", **IMDB),
    _classify("imdb_bilstm_attention", "imdb", "bidirectional LSTM + attention", spec="imdb_bilstm_attention",
              **IMDB | dict(batch_size=64)),
    _classify("imdb_lstm_dropout5", "imdb", "imdb_lstm_dropout with dropout 0.5", **IMDB_LSTM_DROPOUT | dict(rnn_dropout=0.5)),
    _classify("imdb_lstm_dropout_first", "imdb", "imdb_lstm_dropout on the first 500 words",
              **IMDB_LSTM_DROPOUT | dict(keep="first")),
    _classify("imdb_lstm_cnn_crops8", "imdb", "up to eight snippets a review padded to 200 tokens, halving",
              **IMDB_LSTM_CNN_CROPS | dict(crops_per_text=8, crop_length=200, plateau_factor=0.5)),
    _classify("imdb_lstm_cnn_crops_ft", "imdb", "imdb_lstm_cnn_ppmi trained on for 2 epochs with eight snippets",
              **IMDB_LSTM_CNN_CROPS | dict(crops_per_text=8, crop_length=200, plateau_factor=0.5, word_vectors=False,
                                           init_from="runs/classify-imdb_lstm_cnn_ppmi/imdb.npz", learning_rate=3e-4,
                                           epochs=2, average_epochs=0)),
    _classify("newsgroups_nb", "newsgroups_nb", "Naive Bayes on 20 Newsgroups, TF-IDF (83.9% against 82.8% for counts)",
              corpus="20newsgroups", task="topic", **NAIVE_BAYES | dict(alpha=0.05, weighting="tfidf", sublinear_tf=True)),
    _classify("reuters_nb", "reuters_nb", "Naive Bayes on Reuters-46", corpus="reuters21578", task="topic",
              **NAIVE_BAYES | dict(alpha=0.05)),
    _classify("imdb_nb", "imdb_nb", "Naive Bayes on IMDB", corpus="imdb", task="sentiment", **NAIVE_BAYES),
    _classify("nsmc_nb", "nsmc_nb", "Naive Bayes on NSMC", corpus="nsmc", task="sentiment", **NAIVE_BAYES),
    Recipe("generate", "cpu", "generator", GENERATOR_CPU, "the CPU recipe before the GPU run: 15 minutes of "
           "100-batch epochs"),
    Recipe("generate", "simplernn", "generator", GENERATOR | dict(cell="simplernn", learning_rate=1e-3),
           "the SimpleRNN sibling"),
    Recipe("generate", "word", "generator", GENERATOR_CPU | dict(level="word", max_minutes=8.0), "word level, 8 minutes"),
    Recipe("translate", "keras-example", "model", KERAS_EXAMPLE, "keras-io's lstm_seq2seq settings"),
]


def all_recipes() -> list[Recipe]:
    return [*SHIPPED.values(), *EXPERIMENTS]


def recipes_for(trainer: str) -> dict[str, Recipe]:
    """name -> Recipe of one trainer, shipped ones first."""
    if trainer not in TRAINERS:
        raise SeqbotError(f"unknown trainer {trainer!r}; choose one of {', '.join(TRAINERS)}")
    return {recipe.name: recipe for recipe in all_recipes() if recipe.trainer == trainer}


def find_recipe(trainer: str, name: str) -> Recipe:
    """The recipe NAME of `trainer`; SeqbotError naming the choices otherwise."""
    table = recipes_for(trainer)
    if name not in table:
        raise SeqbotError(f"unknown {trainer} recipe {name!r}; choose one of {', '.join(table)} "
                          f"(seqbot models recipes lists them)")
    return table[name]


def shipped_recipe(checkpoint: str) -> Recipe | None:
    """The recipe of checkpoints/CHECKPOINT.npz, or None for a file that is not a shipped model."""
    return SHIPPED.get(checkpoint)


def shipped_name(recipe: Recipe) -> str | None:
    """The checkpoint a recipe rebuilds, or None for an experiment."""
    return next((checkpoint for checkpoint, shipped in SHIPPED.items() if shipped is recipe), None)


def _check_unique() -> None:
    seen = set()
    for recipe in all_recipes():
        key = (recipe.trainer, recipe.name)
        if key in seen:
            raise ValueError(f"two {recipe.trainer} recipes are named {recipe.name!r}")
        seen.add(key)


_check_unique()


def named_recipe(recipes: dict, name: str, overrides: dict | None, what: str):
    """recipes[name] (a config dataclass) with the overrides whose value is not None; SeqbotError for an
    unknown name or setting.

        config = named_recipe(CONFIGS, "spam_rnn", {"epochs": 1, "batch_size": None}, "classifier")
    """
    if name not in recipes:
        raise SeqbotError(f"unknown {what} recipe {name!r}; choose one of {', '.join(recipes)}")
    changes = {key: value for key, value in (overrides or {}).items() if value is not None}
    unknown = set(changes) - {item.name for item in fields(recipes[name])}
    if unknown:
        raise SeqbotError(f"{', '.join(sorted(unknown))}: not a setting of a {what} recipe")
    return replace(recipes[name], **changes)
