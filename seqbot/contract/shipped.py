"""The shipped models: one row per file in checkpoints/, read by every layer that names a model.

    from seqbot.contract.shipped import MODES, panel_classifiers, model_for_mode
    [model.name for model in panel_classifiers()]   # the side panel's classifiers, in its order
    model_for_mode("translate").file                # "translator.npz"
    MODES                                           # ("translate", "chat", "generate"): the app's modes

Readers: the engine's ClassifierSet (which classifiers it loads, in order), the app's EngineHub and
modes (which checkpoint serves each mode), the side panel and the settings screen (titles, order),
`seqbot eval classify` (which checkpoints to score) and the training recipes (training/recipes.py:
one recipe per row). Adding a classifier to the app is one row here plus its checkpoint;
tests/test_shipped_models.py checks the rows against checkpoints/ and that no app module names a model.

This is the inference-side description of a checkpoint; how it is trained is its recipe. Like the
rest of the contract it imports nothing of seqbot but the contract.
"""

from __future__ import annotations

from dataclasses import dataclass

from seqbot.contract import keys

# Row.task of the models the app's modes run, and of the classifiers.
TRANSLATE, CHAT, GENERATE = keys.TRANSLATE, keys.CHAT, "generate"
SPAM, SENTIMENT, TOPIC = "spam", "sentiment", "topic"
CLASSIFY_TASKS = (SPAM, SENTIMENT, TOPIC)

# The Keras Reuters selection's 46 topics in its label order: seqbot.data.reuters.KERAS_LABELS, which the contract
# may not import (tests/test_shipped_models.py checks that they agree).
REUTERS_TOPICS = (
    "cocoa", "grain", "veg-oil", "earn", "acq", "wheat", "copper", "housing", "money-supply", "coffee", "sugar",
    "trade", "reserves", "ship", "cotton", "carcass", "crude", "nat-gas", "cpi", "money-fx", "interest", "gnp",
    "meal-feed", "alum", "oilseed", "gold", "tin", "strategic-metal", "livestock", "retail", "ipi", "iron-steel",
    "rubber", "heat", "jobs", "lei", "bop", "zinc", "orange", "pet-chem", "dlr", "gas", "silver", "wpi", "hog", "lead",
)


@dataclass(frozen=True)
class ShippedModel:
    """One shipped checkpoint, checkpoints/NAME.npz."""

    name: str  # the file's stem; what the app, the commands and Prediction.model call it
    kind: str  # the artifact's kind (keys.SEQ2SEQ, keys.CLASSIFIER, keys.NAIVE_BAYES, keys.GENERATOR)
    task: str  # translate | chat | generate, or a classifier's spam | sentiment | topic
    title: str  # what the app calls it: "translator" in "train the translator", "IMDB reviews" in the panel
    corpus: str  # what it learned from, as people name it ("NSMC" in "sentiment from the NSMC model")
    language: str = "en"  # the language of the text it reads (classifiers: which messages it is given)
    labels: tuple[str, ...] = ()  # a classifier's labels, in its output order
    panel: int | None = None  # a classifier's place in the side panel (1 first); None: the app does not load it
    mode: str | None = None  # the app mode it serves; None: no mode runs it

    def __post_init__(self):
        if self.kind not in keys.KINDS:
            raise ValueError(f"shipped model {self.name!r}: unknown kind {self.kind!r}; choose one of {', '.join(keys.KINDS)}")
        classifier = self.kind in (keys.CLASSIFIER, keys.NAIVE_BAYES)
        if classifier != (self.task in CLASSIFY_TASKS):
            raise ValueError(f"shipped model {self.name!r}: a {self.kind} model cannot have task {self.task!r}")
        if (self.panel is not None or self.labels) and not classifier:
            raise ValueError(f"shipped model {self.name!r}: only classifiers have labels and a place in the panel")
        if self.mode is not None and classifier:
            raise ValueError(f"shipped model {self.name!r}: a classifier serves no mode (its verdicts are in the panel)")

    @property
    def file(self) -> str:
        """Its file in checkpoints/ (or in the folder given by --checkpoints)."""
        return f"{self.name}.npz"

    @property
    def is_classifier(self) -> bool:
        return self.task in CLASSIFY_TASKS


SHIPPED_MODELS: tuple[ShippedModel, ...] = (
    ShippedModel("translator", keys.SEQ2SEQ, TRANSLATE, "translator", "fra-eng", mode=TRANSLATE),
    ShippedModel("translator-gru512", keys.SEQ2SEQ, TRANSLATE, "previous translator", "fra-eng"),
    ShippedModel("chat", keys.SEQ2SEQ, CHAT, "dialogue model", "Friends + chatterbot", mode=CHAT),
    ShippedModel("generator", keys.GENERATOR, GENERATE, "text generator", "tiny Shakespeare", mode=GENERATE),
    ShippedModel("spam_rnn", keys.CLASSIFIER, SPAM, "RNN", "SMS spam", labels=("ham", "spam"), panel=1),
    ShippedModel("spam_nb", keys.NAIVE_BAYES, SPAM, "Naive Bayes", "SMS spam", labels=("ham", "spam"), panel=2),
    ShippedModel("imdb", keys.CLASSIFIER, SENTIMENT, "IMDB reviews", "IMDB", labels=("negative", "positive"), panel=3),
    # The lecture's LSTM, kept to check its target (seqbot eval classify); the panel shows imdb instead.
    ShippedModel("imdb_lstm", keys.CLASSIFIER, SENTIMENT, "IMDB reviews (the lecture's LSTM)", "IMDB",
                 labels=("negative", "positive")),
    ShippedModel("reuters", keys.CLASSIFIER, TOPIC, "Reuters newswire", "Reuters", labels=REUTERS_TOPICS, panel=4),
    ShippedModel("nsmc", keys.CLASSIFIER, SENTIMENT, "NSMC (Korean movie reviews)", "NSMC", language="ko",
                 labels=("negative", "positive"), panel=5),
)
SHIPPED_NAMES = tuple(model.name for model in SHIPPED_MODELS)
_BY_NAME = {model.name: model for model in SHIPPED_MODELS}
# The app's modes, in the order F2 goes through them; the first is the default.
MODES = tuple(model.mode for model in SHIPPED_MODELS if model.mode is not None)


def shipped_model(name: str) -> ShippedModel | None:
    """The row of checkpoints/NAME.npz, or None for a model that is not shipped."""
    return _BY_NAME.get(name)


def classifiers() -> list[ShippedModel]:
    """Every shipped classifier: the panel's in its order, then the others in table order."""
    found = [model for model in SHIPPED_MODELS if model.is_classifier]
    return sorted(found, key=lambda model: (model.panel is None, model.panel or 0))


def panel_classifiers() -> list[ShippedModel]:
    """The classifiers the app runs on every message, in the side panel's order."""
    return [model for model in classifiers() if model.panel is not None]


def model_for_mode(mode: str) -> ShippedModel:
    """The model that answers in `mode`; ValueError naming the modes for any other."""
    for model in SHIPPED_MODELS:
        if model.mode == mode:
            return model
    raise ValueError(f"no shipped model serves mode {mode!r}; the modes are {', '.join(MODES)}")


def language_of(name: str, default: str = "en") -> str:
    """The language a model reads; `default` for a model that is not in the table."""
    model = _BY_NAME.get(name)
    return model.language if model is not None else default


def _check_table() -> None:
    if len(_BY_NAME) != len(SHIPPED_MODELS):
        raise ValueError("two shipped models have the same name")
    places = [model.panel for model in SHIPPED_MODELS if model.panel is not None]
    if len(set(places)) != len(places):
        raise ValueError(f"two panel classifiers share a place: {sorted(places)}")
    if len(set(MODES)) != len(MODES):
        raise ValueError(f"two shipped models serve the same mode: {MODES}")


_check_table()
