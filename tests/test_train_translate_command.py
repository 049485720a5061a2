"""`seqbot train translate`: recipes with overrides, a smoke run of the shipped recipe, and exports
that never replace a checkpoint without --force (the old one is kept)."""

from __future__ import annotations

import pytest

from seqbot.artifact import load_artifact, save_artifact
from seqbot.cli import main
from seqbot.commands.train_translate import export
from seqbot.engine.seq2seq import random_artifact
from seqbot.errors import SeqbotError


def test_export_needs_force_and_keeps_the_old_file(tmp_path):
    new = save_artifact(tmp_path / "new.npz", random_artifact(seed=1))
    destination = save_artifact(tmp_path / "ckpt" / "translator.npz", random_artifact(seed=2))
    before = destination.read_bytes()
    with pytest.raises(SeqbotError, match="--force"):
        export(new, destination, force=False)
    assert destination.read_bytes() == before
    export(new, destination, force=True)
    assert destination.read_bytes() == new.read_bytes()
    kept = list(destination.parent.glob("translator.npz.bak-*"))
    assert len(kept) == 1 and kept[0].read_bytes() == before


def test_unknown_recipe_and_bad_values_are_clear(capsys):
    assert main(["train", "translate", "--recipe", "nope"]) == 2
    assert "choose one of translator" in capsys.readouterr().err
    assert main(["train", "translate", "--units", "0"]) == 2
    assert "--units must be at least 1" in capsys.readouterr().err
    assert main(["train", "translate", "--plateau-factor", "1.5"]) == 2
    assert "--plateau-factor must be in (0, 1]" in capsys.readouterr().err
    assert main(["train", "translate", "--patience", "0"]) == 2
    assert "--patience must be at least 1" in capsys.readouterr().err


@pytest.mark.corpora
@pytest.mark.slow
def test_the_shipped_recipe_runs_at_tiny_size(real_corpora, tmp_path, capsys):
    out = tmp_path / "run"
    assert main(["train", "translate", "--corpora", str(real_corpora), "--units", "16", "--embedding-dim", "8",
                 "--max-pairs", "300", "--epochs", "2", "--steps-per-epoch", "2", "--batch-size", "16",
                 "--max-validation-pairs", "20", "--init-from", "none", "--threads", "1", "--out", str(out),
                 "--average-last", "2", "--export", str(tmp_path / "exported.npz")]) == 0
    artifact = load_artifact(out / "averaged.npz", kind="seq2seq")
    exported = load_artifact(tmp_path / "exported.npz", kind="seq2seq").config["placeholders"]
    assert len(exported["known_words"]) > 50 and exported["names"][0][0] == "Tom"  # the training English's words
    assert "xavier" not in {word.lower() for word in exported["known_words"]}
    config = artifact.config
    assert (config["bidirectional"], config["encoder_layers"], config["decoder_layers"], config["case_variants"]) == (True, 1, 2, True)
    assert config["max_source_length"] == 150 and config["max_target_length"] == 200
    assert artifact.metadata["split"]["kind"] == "novel" and artifact.metadata["split"]["augment"]["names"] > 1000
    assert artifact.metadata["averaged_rounds"] == ["round-001.npz", "round-002.npz"]
    # The run's record: recipe, the command, the corpora's sha256, code version, hardware, time.
    assert artifact.metadata["recipe_name"] == "translator" and artifact.metadata["recipe"]["decoder_layers"] == 2
    assert {"fra-eng.zip", "friends-transcripts.tab", "reuters21578.tar.gz"} <= set(artifact.metadata["data_sha256"])
    from seqbot.training.metadata import command_line

    assert artifact.metadata["command"] == command_line()  # this process's own command line
    assert artifact.metadata["code_version"] and artifact.metadata["training_time_s"] > 0
    # Capital letters of the augmented pairs are in the vocabulary, and the engine loads the result.
    assert {"É", "À", "Ç"} <= set(config["target_vocab"])
    from seqbot.engine.translator import Translator

    translator = Translator(artifact)
    assert translator.decoding.beam == 4 and translator.case_variants  # read back from the exported config


@pytest.mark.parametrize("where", ["--runs", "SEQBOT_RUNS", "project"])
def test_the_run_folder_follows_runs_then_seqbot_runs_then_the_project(where, fixtures_dir, tmp_path, monkeypatch):
    """`seqbot train translate` wrote runs/ under the working directory and ignored $SEQBOT_RUNS (issue 20)."""
    import seqbot.paths
    import seqbot.training.translate as translate

    used = []
    monkeypatch.setattr(translate, "train_seq2seq", lambda data, settings, run_dir, *args, **kwargs: used.append(run_dir) or run_dir)
    monkeypatch.chdir(tmp_path)
    monkeypatch.delenv("SEQBOT_RUNS", raising=False)
    monkeypatch.setattr(seqbot.paths, "PROJECT_ROOT", tmp_path / "project")
    arguments = ["train", "translate", "--recipe", "gru512", "--corpora", str(fixtures_dir / "fra_eng"), "--max-pairs", "20"]
    if where == "--runs":
        arguments += ["--runs", str(tmp_path / "flag")]
        monkeypatch.setenv("SEQBOT_RUNS", str(tmp_path / "environment"))
    elif where == "SEQBOT_RUNS":
        monkeypatch.setenv("SEQBOT_RUNS", str(tmp_path / "environment"))
    assert main(arguments) == 0
    expected = {"--runs": tmp_path / "flag", "SEQBOT_RUNS": tmp_path / "environment", "project": tmp_path / "project" / "runs"}
    assert [str(path) for path in used] == [str(expected[where] / "gru512")]
    assert not (tmp_path / "runs").exists()  # never the working directory


def test_decoding_settings_for_an_export_are_parsed_by_their_type(capsys):
    from seqbot.commands.train_translate import decoding_overrides

    assert decoding_overrides("greedy_candidate=true, alpha=0.8,beam=5") == {"greedy_candidate": True, "alpha": 0.8, "beam": 5}
    for bad, message in (("speed=3", "KEY=VALUE with KEY one of"), ("beam=four", "needs a whole number"),
                         ("greedy_candidate=maybe", "true or false"), ("beam=99", "beam width must be")):
        with pytest.raises(SeqbotError, match=message):
            decoding_overrides(bad)
    assert main(["train", "translate", "--decoding", "beam=2"]) == 2
    assert "add --export PATH" in capsys.readouterr().err


def test_export_from_writes_todays_export_into_given_weights_without_training(fixtures_dir, tmp_path, capsys):
    """The shipped weights get placeholders and decoding settings chosen on validation, through --export only."""
    import numpy as np

    artifact = random_artifact(seed=3)
    artifact.config["task"] = "translate"
    source = save_artifact(tmp_path / "weights.npz", artifact)
    arguments = ["train", "translate", "--recipe", "gru512", "--corpora", str(fixtures_dir / "fra_eng"), "--max-pairs", "20",
                 "--runs", str(tmp_path / "runs"), "--export-from", str(source), "--decoding", "greedy_candidate=true",
                 "--export", str(tmp_path / "out.npz")]
    assert main(arguments) == 2  # no record of how the weights were made, and no run to take it from
    assert "does not record how it was made" in capsys.readouterr().err
    artifact.metadata["code_version"] = "abc123"
    save_artifact(source, artifact)
    before = source.read_bytes()
    assert main(arguments) == 0
    exported = load_artifact(tmp_path / "out.npz", kind="seq2seq")
    assert exported.config["decoding"]["greedy_candidate"] is True and exported.metadata["code_version"] == "abc123"
    assert exported.config["placeholders"]["known_words"] and exported.config["placeholders"]["names"][0][0] == "Tom"
    assert all(np.array_equal(exported.weights[name], artifact.weights[name]) for name in artifact.weights)
    assert source.read_bytes() == before and not (tmp_path / "runs" / "gru512" / "rounds").exists()  # nothing trained
