"""The recipe registry (seqbot/training/recipes.py): every file in checkpoints/ has the recipe and the
`seqbot train ...` command that rebuilds it, the recipes agree with what the checkpoints record, every
trainer reads its recipes from the registry, and `seqbot models recipes` / `models info` print them.

    python -m pytest tests/test_recipes.py -q
"""

from __future__ import annotations

import json

import pytest

from seqbot.artifact import load_artifact
from seqbot.cli import main
from seqbot.errors import SeqbotError
from seqbot.paths import PROJECT_ROOT
from seqbot.training.recipes import EXPERIMENTS, SHIPPED, find_recipe, recipes_for

CHECKPOINTS = sorted(path.stem for path in (PROJECT_ROOT / "checkpoints").glob("*.npz"))


def test_every_checkpoint_has_a_recipe_and_no_experiment_is_shipped():
    assert CHECKPOINTS and sorted(SHIPPED) == CHECKPOINTS
    shipped = {(recipe.trainer, recipe.name) for recipe in SHIPPED.values()}
    assert not shipped & {(recipe.trainer, recipe.name) for recipe in EXPERIMENTS}


@pytest.mark.parametrize("name", CHECKPOINTS)
def test_models_info_prints_a_rebuild_command_for_every_checkpoint(name, capsys):
    """It printed one for 2 of 10 checkpoints (issue 20); the others said "not recorded"."""
    assert main(["models", "info", name]) == 0
    rebuild = next(line for line in capsys.readouterr().out.splitlines() if line.strip().startswith("rebuild:"))
    command = rebuild.split("rebuild:", 1)[1].strip()
    chat = load_artifact(PROJECT_ROOT / "checkpoints" / "chat.npz") if name == "chat" else None
    if name == "chat" and "ranking" in chat.metadata and "backward" in chat.config:
        # reranked (MMI-bidi) with a backward model trained too, then its ranking of given replies tuned on that
        assert command == ("seqbot train chat, seqbot train chat --backward --out runs/chat-backward, python -m "
                           "seqbot.evaluation.chat_rerank runs/chat/model.npz --backward runs/chat-backward/model.npz, "
                           "then python -m seqbot.evaluation.chat_ranking runs/chat-rerank/model.npz "
                           "--export checkpoints/chat.npz --force")
    elif name == "chat" and "backward" in chat.config:
        # its replies are reranked (MMI-bidi): a backward model is trained too, and both go into the reranking step
        assert command == ("seqbot train chat, seqbot train chat --backward --out runs/chat-backward, then python -m "
                           "seqbot.evaluation.chat_rerank runs/chat/model.npz --backward runs/chat-backward/model.npz "
                           "--export checkpoints/chat.npz --force")
    elif name == "chat":  # its replies are reranked (MMI, known words), a step after training
        assert command == ("seqbot train chat, then python -m seqbot.evaluation.chat_rerank runs/chat/model.npz "
                           "--export checkpoints/chat.npz --force")
    else:
        assert command == f"{SHIPPED[name].command} --export checkpoints/{name}.npz --force"
    assert command.startswith(f"seqbot train {SHIPPED[name].trainer}")


@pytest.mark.parametrize("name", CHECKPOINTS)
def test_the_shipped_recipes_agree_with_what_each_checkpoint_records(name):
    recipe, artifact = SHIPPED[name], load_artifact(PROJECT_ROOT / "checkpoints" / f"{name}.npz")
    metadata, config, settings = artifact.metadata, artifact.config, recipe.settings
    trainer = {"classifier": "classify", "naive_bayes": "classify", "generator": "generate"}.get(artifact.kind)
    assert recipe.trainer == (trainer or ("chat" if config.get("task") == "chat" else "translate"))
    if recipe.trainer == "classify":
        assert metadata["trained_as"] == recipe.name
        assert metadata.get("corpus") and config.get("task", settings["task"]) == settings["task"]
        recorded = metadata.get("recipe")
        if recorded:  # recorded: every registry value is the recorded one (settings added since are left out)
            assert {key: recorded[key] for key in settings if key in recorded} == {
                key: value for key, value in settings.items() if key in recorded}
            assert len(set(settings) - set(recorded)) <= 1
        if artifact.kind == "classifier":
            assert config["max_length"] == settings.get("max_length", 100)
    elif recipe.trainer == "generate":
        options = metadata["training"]["options"]
        assert {key: settings[key] for key in options} == options
        assert (config["cell"], config["units"], config["embedding_dim"]) == (settings["cell"], settings["units"],
                                                                            settings["embedding_dim"])
    else:  # seq2seq: the network the config describes
        for key in ("cell", "units", "embedding_dim", "attention"):
            assert config[key] == settings[key], key
        for key in ("bidirectional", "encoder_layers", "decoder_layers"):
            assert config.get(key, False if key == "bidirectional" else 1) == settings.get(key, False if key == "bidirectional" else 1)
        split = metadata["split"]
        if recipe.trainer == "chat":  # chat's maximum length was 40 in one place and 60 in another
            context = split.get("context_length", 0)
            assert context == settings.get("context_length", 0)
            assert split["max_length"] == settings["max_length"] == config["max_source_length"] - (context + 1 if context else 0)
            assert split.get("pairs", "short") == settings.get("pairs", "short")
            if split.get("pairs") == "all":  # validated on the benchmark's validation half
                assert split["heldout"]["validation_fraction"] == settings["validation_fraction"]
            else:
                assert split["validation_fraction"] == settings["validation_fraction"]
        elif settings["split"] == "fra-eng":
            assert split["max_english_length"] == settings["max_english_length"]
        else:
            assert split["kind"] == "novel" and metadata["recipe_name"] == recipe.name
            # dropout acts only while training: a run that continues the shipped weights may change it
            # (the shipped translator's last run used 0.15) without changing the network it exports
            network = {key: value for key, value in recipe.model.items() if key != "dropout"}
            assert {key: metadata["recipe"][key] for key in network} == network


def test_every_trainer_reads_its_recipes_from_the_registry():
    from seqbot.training import classify, generate, translate
    from seqbot.training.chat import chat_recipe

    classifiers = recipes_for("classify")
    assert set(classify.CONFIGS) | set(classify.NAIVE_BAYES) == set(classifiers) == set(classify.NAMES)
    for name, config in classify.CONFIGS.items():
        assert all(getattr(config, key) == value for key, value in classifiers[name].settings.items())
    assert classify.NB_FEATURES["newsgroups_nb"] == {"weighting": "tfidf", "sublinear_tf": True}
    for name, recipe in recipes_for("generate").items():
        assert all(getattr(generate.RECIPES[name], key) == value for key, value in recipe.settings.items())
    for name, recipe in recipes_for("translate").items():
        settings = translate.recipe_settings(recipe)
        assert all(getattr(settings, key) == value for key, value in recipe.settings.items() if hasattr(settings, key))
    config, settings = chat_recipe()
    assert config.max_length == 40 == SHIPPED["chat"].settings["max_length"]
    assert (settings.cell, settings.units, settings.clipnorm, settings.max_minutes) == ("lstm", 256, 5.0, 28.0)
    assert config.pairs == "all" and settings.precision == "mixed_bfloat16"
    config, settings = chat_recipe({"units": 8, "cell": None}, max_length=30)
    assert (settings.units, settings.cell, config.max_length) == (8, "lstm", 30)  # None keeps the recipe's value


def test_existing_command_lines_still_name_their_recipes():
    from seqbot.training import classify, generate

    assert classify.recipe("imdb_lstm_cnn_crops", {}).crops_per_text == 3
    assert find_recipe("translate", "gru512").settings["units"] == 512
    assert generate.recipe("cpu").max_minutes == 15.0
    with pytest.raises(SeqbotError, match="choose one of translator, gru512, keras-example"):
        find_recipe("translate", "nope")


def test_models_recipes_lists_every_recipe_and_prints_one(capsys):
    assert main(["models", "recipes"]) == 0
    out = capsys.readouterr().out
    shipped, experiments = out.split("Experiments", 1)
    for checkpoint, recipe in SHIPPED.items():
        assert any(line.split()[:1] == [checkpoint] and recipe.command in line for line in shipped.splitlines())
    for recipe in EXPERIMENTS:
        assert recipe.command in experiments
    assert main(["models", "recipes", "imdb"]) == 0
    out = capsys.readouterr().out
    assert "imdb_lstm_cnn_crops" in out and "checkpoints/imdb.npz" in out
    model = json.loads(next(line for line in out.splitlines() if line.strip().startswith("model:")).split("model:", 1)[1])
    assert model["spec"] == "imdb_lstm_cnn" and "epochs" not in model
    assert main(["models", "recipes", "nope"]) == 2
    assert "no recipe or shipped checkpoint named 'nope'" in capsys.readouterr().err
