"""The table of shipped models (seqbot/contract/shipped.py) agrees with checkpoints/, and it is the only
place that names a model: the app's modules hold no model name, and every reader takes its list from it.

    python -m pytest tests/test_shipped_models.py -q
"""

from __future__ import annotations

import ast
import json
import re
from pathlib import Path

import numpy as np
import pytest

import seqbot
from seqbot.contract import keys
from seqbot.contract.shipped import (
    MODES,
    SHIPPED_MODELS,
    SHIPPED_NAMES,
    ShippedModel,
    classifiers,
    language_of,
    model_for_mode,
    panel_classifiers,
)
from seqbot.paths import PROJECT_ROOT

CHECKPOINTS = PROJECT_ROOT / "checkpoints"
APP = Path(seqbot.__file__).parent / "app"


def header(path: Path) -> dict:
    """An artifact's kind and config, without reading its weights."""
    with np.load(path, allow_pickle=False) as archive:
        return json.loads(archive["__seqbot__"].tobytes().decode("utf-8"))


def test_every_row_has_its_checkpoint_and_every_checkpoint_a_row():
    files = sorted(path.name for path in CHECKPOINTS.glob("*.npz"))
    assert files, f"no checkpoints in {CHECKPOINTS}"
    assert sorted(model.file for model in SHIPPED_MODELS) == files


@pytest.mark.parametrize("model", SHIPPED_MODELS, ids=SHIPPED_NAMES)
def test_each_row_says_what_its_checkpoint_holds(model: ShippedModel):
    found = header(CHECKPOINTS / model.file)
    config = found["config"]
    assert found["kind"] == model.kind
    assert config.get("task", model.task) == model.task  # generators and Naive Bayes record no task of their own
    if model.kind == keys.SEQ2SEQ:
        assert config["task"] == model.task
    if model.is_classifier:
        assert tuple(config.get("labels") or config.get("classes")) == model.labels
        assert config.get("language", "en") == model.language


def test_the_readers_take_their_lists_from_the_table():
    from seqbot.app.conversation import MODES as conversation_modes
    from seqbot.app.engines import CLASSIFIERS, ENGINES
    from seqbot.app.modes import MODE_CLASSES
    from seqbot.app.widgets.side_panel import MODEL_TITLES
    from seqbot.commands import app as app_command
    from seqbot.commands import eval_classify
    from seqbot.engine.classifier import SHIPPED
    from seqbot.training.recipes import SHIPPED as recipes

    panel = [model.name for model in panel_classifiers()]
    assert MODES == ("translate", "chat", "generate") == conversation_modes == app_command.MODES
    assert list(MODE_CLASSES) == list(MODES)
    assert list(ENGINES) == ["translator", CLASSIFIERS, "chat", "generator"]  # the panel's model list, in its order
    assert list(SHIPPED) == panel == ["spam_rnn", "spam_nb", "imdb", "reuters", "nsmc"] == list(MODEL_TITLES)
    assert eval_classify.CLASSIFIERS == (*panel, "imdb_lstm")
    assert [model.name for model in classifiers()] == list(eval_classify.CLASSIFIERS)
    assert list(recipes) == list(SHIPPED_NAMES)
    assert model_for_mode("translate").file == "translator.npz"
    assert (language_of("nsmc"), language_of("imdb"), language_of("not-shipped")) == ("ko", "en", "en")


def test_the_reuters_topics_are_the_corpus_reader_s():
    from seqbot.contract.shipped import REUTERS_TOPICS
    from seqbot.data.reuters import KERAS_LABELS

    assert REUTERS_TOPICS == tuple(KERAS_LABELS)


def test_a_row_that_cannot_be_right_is_refused():
    with pytest.raises(ValueError, match="only classifiers"):
        ShippedModel("chat2", keys.SEQ2SEQ, "chat", "dialogue model", "Friends", panel=6)
    with pytest.raises(ValueError, match="cannot have task"):
        ShippedModel("spam3", keys.CLASSIFIER, "translate", "spam", "SMS spam")
    with pytest.raises(ValueError, match="unknown kind"):
        ShippedModel("spam3", "transformer", "spam", "spam", "SMS spam")
    with pytest.raises(ValueError, match="serves mode"):
        model_for_mode("summarise")


# --- no model names in the app ---

def model_names_in(source: str) -> list[str]:
    """The string literals of `source` (docstrings left out) that name a shipped model: one that is a
    model's name, or holds a classifier's name as a word. Names that are also modes ("chat") only
    count as classifier words, since a mode's own module names its mode."""
    tree = ast.parse(source)
    docstrings = {id(node.body[0].value) for node in ast.walk(tree)
                  if isinstance(node, (ast.Module, ast.ClassDef, ast.FunctionDef, ast.AsyncFunctionDef))
                  and node.body and isinstance(node.body[0], ast.Expr) and isinstance(node.body[0].value, ast.Constant)}
    exact = set(SHIPPED_NAMES) - set(MODES)
    words = {model.name for model in classifiers()}
    found = []
    for node in ast.walk(tree):
        if isinstance(node, ast.Constant) and isinstance(node.value, str) and id(node) not in docstrings:
            if node.value in exact or words & set(re.findall(r"[\w-]+", node.value)):
                found.append(node.value)
    return found


def test_the_check_finds_a_model_name():
    planted = 'def f(name):\n    """About nsmc."""\n    return ("ko" if "nsmc" in name.lower() else "en"), hub.get("translator")\n'
    assert sorted(model_names_in(planted)) == ["nsmc", "translator"]
    assert model_names_in('x = f"the {name} model: spam_nb off"') == [" model: spam_nb off"]
    assert model_names_in('x = "the translator reads it; IMDB reviews"') == []  # prose, not a name


@pytest.mark.parametrize("path", sorted(APP.rglob("*.py")), ids=lambda path: str(path.relative_to(APP)))
def test_no_app_module_names_a_model(path: Path):
    """Which models there are, what they are called and which mode runs which comes from the table."""
    assert model_names_in(path.read_text(encoding="utf-8")) == []
