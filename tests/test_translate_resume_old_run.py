"""A translator run folder made by the trainer before the one loop (tests/fixtures/old_translator_run:
run.json with the progress, backup/, rounds/, model.npz, log.csv) resumes under today's trainer with the
same settings: it continues from its last finished round with the backed-up optimizer, writes the same
artifacts, appends to log.csv under its header, and averages old and new rounds together.

    python -m pytest tests/test_translate_resume_old_run.py -q
"""

from __future__ import annotations

import csv
import json
import shutil
from pathlib import Path

import numpy as np
import pytest

from seqbot.artifact import load_artifact
from seqbot.data.fra_eng import read_pairs

FIXTURE = Path(__file__).parent / "fixtures" / "old_translator_run"
REFERENCE = FIXTURE.with_name("old_translator_run.round-004-old-trainer.npz")  # the old trainer's own resume
# The settings the fixture was made with (its README); a resume may change only RESUMABLE_CHANGES.
SETTINGS = dict(cell="gru", units=8, embedding_dim=4, attention="dot", attention_units=4, dropout=0.25, bidirectional=True,
                decoder_layers=2, label_smoothing=0.1, clipnorm=5.0, plateau_factor=0.5, batch_size=8, learning_rate=0.3,
                steps_per_epoch=3, epochs=3, patience=6, max_validation_pairs=3000, augment=True, threads=1,
                min_char_count=1, precision="mixed_bfloat16", max_minutes=60.0)


def comparable(config: dict) -> dict:
    """An artifact config with its decoding settings read as the engine reads them: decoding options
    added since (their defaults) do not make an old round a different format."""
    from seqbot.contract.decoding import DecodingConfig

    return config | {"decoding": DecodingConfig.from_dict(config.get("decoding")).to_dict()}


def fixture_data(fixtures_dir):
    from seqbot.training.translate import PairData

    pairs = [(p.english, p.french) for p in read_pairs(fixtures_dir / "fra_eng" / "fra.txt") if len(p.english) <= 40]
    return PairData(train=pairs[:-4], validation=pairs[-4:], max_source_length=40, max_target_length=60,
                    corpus="fixture", split={"seed": 1}, recipe_name="translator")


@pytest.mark.slow
def test_an_old_run_folder_continues_from_its_last_round_with_the_same_artifacts(fixtures_dir, tmp_path):
    from seqbot.training.average import average_last_rounds
    from seqbot.training.translate import TrainSettings, train_seq2seq

    run_dir = shutil.copytree(FIXTURE, tmp_path / "run")
    run_json = (run_dir / "run.json").read_bytes()
    old_run = json.loads(run_json)
    old_model = load_artifact(run_dir / "model.npz", kind="seq2seq")
    old_round = load_artifact(run_dir / "rounds" / "round-003.npz", kind="seq2seq")
    data = fixture_data(fixtures_dir)

    path = train_seq2seq(data, TrainSettings(**SETTINGS | {"epochs": 4}), run_dir)

    state = json.loads((run_dir / "loop_state.json").read_text())
    assert [entry["epoch"] for entry in state["history"]] == [1, 2, 3, 4]  # rounds 1-3 from run.json, not trained again
    assert state["history"][:3] == old_run["history"]
    assert state["updates"] == 4 * SETTINGS["steps_per_epoch"]  # the backed-up optimizer went on from step 9
    # the backed-up optimizer's rate: the old trainer saved it before the last halving (0.3 -> 0.15 -> 0.075)
    assert state["history"][3]["learning_rate"] == pytest.approx(0.15)
    assert (run_dir / "run.json").read_bytes() == run_json  # settings and vocabularies stay as they were

    new_round = load_artifact(run_dir / "rounds" / "round-004.npz", kind="seq2seq")
    assert comparable(new_round.config) == comparable(old_round.config)  # the same artifact format, config for config
    # the same round the old trainer trained when it resumed this folder (its round 4, kept beside the fixture)
    by_old_trainer = load_artifact(REFERENCE, kind="seq2seq")
    assert new_round.metadata["val_loss"] == pytest.approx(by_old_trainer.metadata["val_loss"], rel=1e-5)
    assert all(np.allclose(new_round.weights[k], by_old_trainer.weights[k], atol=1e-5) for k in by_old_trainer.weights)
    assert {k: v.shape for k, v in new_round.weights.items()} == {k: v.shape for k, v in old_round.weights.items()}
    assert new_round.metadata["round"] == 4 and new_round.metadata["val_loss"] == state["history"][3]["val_loss"]
    model = load_artifact(path, kind="seq2seq")
    assert path == run_dir / "model.npz" and comparable(model.config) == comparable(old_model.config)
    if state["best_epoch"] == 4:  # round 4 beat round 1's 3.5547: model.npz is round 4's
        assert all(np.array_equal(model.weights[k], new_round.weights[k]) for k in model.weights)
    else:
        assert state["best_epoch"] == 1 and (run_dir / "model.npz").read_bytes() == (FIXTURE / "model.npz").read_bytes()
    assert model.metadata["training"]["best_epoch"] == state["best_epoch"] and model.metadata["recipe_name"] == "translator"

    with open(run_dir / "log.csv") as handle:
        rows = list(csv.reader(handle))
    assert rows[0] == ["epoch", "loss", "masked_accuracy", "val_loss", "val_masked_accuracy"]  # the old header
    assert [row[0] for row in rows[1:]] == ["0", "1", "2", "3"] and all(len(row) == 5 for row in rows)

    # rerunning the same command trains nothing more; old and new rounds average together
    again = train_seq2seq(data, TrainSettings(**SETTINGS | {"epochs": 4}), run_dir)
    assert again == path and json.loads((run_dir / "loop_state.json").read_text())["updates"] == state["updates"]
    averaged = load_artifact(average_last_rounds(run_dir, 2), kind="seq2seq")
    assert averaged.metadata["averaged_rounds"] == ["round-003.npz", "round-004.npz"]

    # a fixed setting changed is refused, as before
    from seqbot.errors import SeqbotError

    with pytest.raises(SeqbotError, match="other settings"):
        train_seq2seq(data, TrainSettings(**SETTINGS | {"units": 16}), run_dir)


def test_exporting_a_backup_never_replaces_a_file_without_force(tmp_path):
    from seqbot.errors import SeqbotError
    from seqbot.training.seq2seq_export import main

    run_dir = shutil.copytree(FIXTURE, tmp_path / "run")
    shipped = tmp_path / "checkpoints" / "translator.npz"
    shipped.parent.mkdir()
    shipped.write_bytes(b"shipped")
    with pytest.raises(SeqbotError, match="--force"):
        main([str(run_dir), str(shipped)])
    assert shipped.read_bytes() == b"shipped"
    latest = load_artifact(run_dir / "latest.npz", kind="seq2seq")  # written in the run folder only
    assert comparable(latest.config) == comparable(load_artifact(run_dir / "rounds" / "round-003.npz").config)
    assert latest.metadata["training"]["epochs"] == 3
    assert main([str(run_dir), str(shipped), "--force"]) == 0
    assert comparable(load_artifact(shipped).config) == comparable(latest.config)
    assert [path.read_bytes() for path in shipped.parent.glob("translator.npz.bak-*")] == [b"shipped"]
