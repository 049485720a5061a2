"""Classifier training: datasets built from the seqbot.data readers with the lecture's split rules,
and training -> artifact -> NumPy engine on tiny fixture corpora.

    /work/venv/bin/python -m pytest tests/test_classify_training.py -q
"""

from __future__ import annotations

import json
import shutil
import tarfile
from dataclasses import replace

import numpy as np
import pytest

from seqbot.data import nsmc, reuters, sms_spam
from seqbot.engine.classifier import ClassifierSet, load_classifier
from seqbot.errors import CorpusError, SeqbotError
from seqbot.training import classify


@pytest.fixture()
def corpora(tmp_path, fixtures_dir):
    """A corpora folder laid out like ../shared/corpora, archives rebuilt from the unpacked fixtures."""
    root = tmp_path / "corpora"
    data = fixtures_dir / "data"
    (root / "sms-spam").mkdir(parents=True)
    shutil.copy(fixtures_dir / "classify" / "SMSSpamCollection", root / "sms-spam" / "SMSSpamCollection")
    shutil.copytree(data / "nsmc", root / "nsmc")
    (root / "20newsgroups").mkdir()
    for name in ("20newsgroups-train.tab", "20newsgroups-test.tab"):
        shutil.copy(data / "20newsgroups" / name, root / "20newsgroups" / name)
    (root / "reuters21578").mkdir()
    with tarfile.open(root / "reuters21578" / "reuters21578.tar.gz", "w:gz") as archive:
        for path in sorted((data / "reuters21578").iterdir()):
            archive.add(path, arcname=f"./{path.name}")
    (root / "imdb").mkdir()
    with tarfile.open(root / "imdb" / "aclImdb_v1.tar.gz", "w:gz") as archive:
        archive.add(data / "imdb" / "aclImdb", arcname="aclImdb")
    return root


def test_spam_split_deduplicates_and_stratifies(corpora):
    rows = [(m.label, m.text) for m in sms_spam.read_messages(corpora / "sms-spam" / "SMSSpamCollection")]
    data = classify.spam_dataset(corpora)
    assert len(data.train_texts) + len(data.test_texts) == len({text for _, text in rows})
    assert not set(data.train_texts) & set(data.test_texts)
    spam_share = np.mean([label == "spam" for label, _ in rows])
    assert data.label_names == ["ham", "spam"]
    assert abs(len(data.test_texts) / (len(data.train_texts) + len(data.test_texts)) - 0.2) < 0.1
    assert 0 < sum(data.test_labels) < len(data.test_labels) or spam_share in (0, 1)
    again = classify.spam_dataset(corpora)
    assert again.test_texts == data.test_texts  # seeded


def test_spam_keeps_the_first_label_of_a_repeated_text_at_its_last_position(tmp_path):
    """The order the shipped spam split was drawn from: each text once, where its last copy is."""
    (tmp_path / "sms-spam").mkdir()
    lines = ["ham\trepeated", "ham\tb", "spam\trepeated", "ham\tc"] + [f"ham\tfiller {i}" for i in range(6)]
    (tmp_path / "sms-spam" / "SMSSpamCollection").write_text("\n".join(lines) + "\n")
    data = classify.spam_dataset(tmp_path)
    order = ["b", "repeated", "c"] + [f"filler {i}" for i in range(6)]
    assert sorted(data.train_texts + data.test_texts, key=order.index) == order
    assert data.train_texts == sorted(data.train_texts, key=order.index)
    assert data.test_texts == sorted(data.test_texts, key=order.index)
    assert sum(data.train_labels + data.test_labels) == 0  # "repeated" keeps its first label, ham


def test_bad_spam_line_is_a_corpus_error(tmp_path):
    (tmp_path / "sms-spam").mkdir()
    (tmp_path / "sms-spam" / "SMSSpamCollection").write_text("ham\tfine\nmaybe spam without a tab\n")
    with pytest.raises(CorpusError, match="SMSSpamCollection:2"):
        classify.spam_dataset(tmp_path)
    with pytest.raises(CorpusError, match="not found"):
        classify.spam_dataset(tmp_path / "nowhere")


def test_reuters_keeps_documents_whose_first_topic_is_one_of_the_46(corpora):
    articles = reuters.read_articles(corpora / "reuters21578" / "reuters21578.tar.gz")
    data = classify.reuters_dataset(corpora)
    expected = [a.topics[0] for a in articles if a.topics and a.topics[0] in reuters.KERAS_LABELS]
    assert len(data.label_names) == 46
    assert len(data.train_texts) + len(data.test_texts) == len(expected)
    got = sorted(data.label_names[y] for y in data.train_labels + data.test_labels)
    assert got == sorted(expected)
    assert "jet" not in got  # first topic outside the 46: dropped, even though 'earn' follows it
    # the shipped model's text: title, a space, then the body as the file holds it (entities decoded)
    bahia = next(text for text in data.train_texts + data.test_texts if text.startswith("BAHIA COCOA REVIEW"))
    assert bahia == "BAHIA COCOA REVIEW Showers continued throughout the week in\nthe Bahia cocoa zone <BAHIA> said.\n Reuter\n"


def test_nsmc_drops_empty_and_duplicate_training_documents(corpora):
    raw = nsmc.read_ratings(corpora / "nsmc" / "ratings_train.txt")
    data = classify.nsmc_dataset(corpora)
    assert len(data.train_texts) == len({rating.document for rating in raw if rating.document.strip()})
    assert len(data.test_texts) == len(nsmc.read_ratings(corpora / "nsmc" / "ratings_test.txt"))
    (corpora / "nsmc" / "ratings_test.txt").write_text("document\tlabel\nx\t1\n", encoding="utf-8")
    with pytest.raises(CorpusError, match="header"):
        classify.nsmc_dataset(corpora)


def test_imdb_reads_labelled_reviews_only(corpora):
    data = classify.imdb_dataset(corpora)
    assert len(data.train_texts) == 4 and len(data.test_texts) == 2  # train/unsup is left out
    assert sorted(data.train_labels) == [0, 0, 1, 1]
    assert not any("<br />" in text for text in data.train_texts + data.test_texts)


def test_imdb_keeps_the_archive_order(tmp_path):
    """The shipped IMDB split was drawn in archive order, not sorted by label or id."""
    import io

    (tmp_path / "imdb").mkdir()
    members = [("test/pos/9_8", "great"), ("test/neg/10_1", "awful"), ("test/neg/2_2", "dull"),
               ("train/pos/5_9", "fine"), ("train/neg/1_3", "bad")]
    with tarfile.open(tmp_path / "imdb" / "aclImdb_v1.tar.gz", "w:gz") as archive:
        for name, text in members:
            info = tarfile.TarInfo(f"aclImdb/{name}.txt")
            info.size = len(text)
            archive.addfile(info, io.BytesIO(text.encode()))
    data = classify.imdb_dataset(tmp_path)
    assert data.test_texts == ["great", "awful", "dull"] and data.test_labels == [1, 0, 0]
    assert sorted(data.train_texts) == ["bad", "fine"]


def test_naive_bayes_training_ships_an_artifact_the_engine_loads(corpora, tmp_path):
    output = tmp_path / "checkpoints" / "spam_nb.npz"
    path = classify.train("spam_nb", str(corpora), export=str(output), log=lambda line: None, runs=str(tmp_path / "runs"))
    assert path == output and (tmp_path / "runs" / "classify-spam_nb" / "spam_nb.npz").read_bytes() == output.read_bytes()
    classifiers = ClassifierSet.load(output.parent, names=("spam_nb",))
    assert classifiers.names == ["spam_nb"] and not classifiers.errors
    model = load_classifier(output)
    data = classify.spam_dataset(corpora)
    predicted = model.probabilities_batch(data.test_texts).argmax(axis=1)
    accuracy = float(np.mean(predicted == np.array(data.test_labels)))
    assert model.metadata["scores"]["test_accuracy"] == pytest.approx(accuracy, abs=1e-4)
    assert model.metadata["corpus"] == "sms-spam"


def test_unknown_classifier_name_is_a_clear_error():
    with pytest.raises(ValueError, match="unknown classifier 'spam_svm'"):
        classify.train("spam_svm")


def test_neural_training_exports_what_keras_scored_and_resumes(corpora, tmp_path):
    """One epoch of the lecture's spam SimpleRNN: the engine reproduces Keras' test accuracy."""
    runs = tmp_path / "runs"
    lines = []
    output = classify.train("spam_rnn", str(corpora), {"epochs": 1}, log=lines.append, runs=str(runs))
    assert output == runs / "classify-spam_rnn" / "spam_rnn.npz"
    model = load_classifier(output)
    assert [config["type"] for config, _ in model.stack.layers] == ["embedding", "rnn", "dense"]
    data = classify.spam_dataset(corpora)
    predicted = model.probabilities_batch(data.test_texts).argmax(axis=1)
    accuracy = float(np.mean(predicted == np.array(data.test_labels)))
    assert model.metadata["scores"]["test_accuracy"] == pytest.approx(accuracy, abs=1e-4)
    assert model.metadata["vocabulary_size"] == len(model.encoder.config["vocab"])
    state = json.loads((runs / "classify-spam_rnn" / "loop_state.json").read_text())
    assert state["epoch"] == 1 and model.metadata["recipe"]["epochs"] == 1
    assert model.metadata["recipe_name"] == "spam_rnn" and "sms-spam/SMSSpamCollection" not in model.metadata["data_sha256"]
    assert list(model.metadata["data_sha256"]) == ["SMSSpamCollection"]
    lines.clear()
    classify.train("spam_rnn", str(corpora), {"epochs": 1}, log=lines.append, runs=str(runs))
    assert any("finished" in line for line in lines)
    assert not any(line.startswith("epoch ") for line in lines)  # nothing left to train
    lines.clear()
    classify.train("spam_rnn", str(corpora), {"epochs": 2}, log=lines.append, runs=str(runs))
    assert any("resuming" in line for line in lines) and any(line.startswith("epoch 2/2") for line in lines)


def test_padded_batches_cover_every_text_once_padded_to_their_longest():
    rng = np.random.default_rng(3)
    ids = [list(rng.integers(1, 50, size=n)) for n in rng.integers(0, 400, size=300)]
    targets = np.arange(len(ids), dtype=np.float32)[:, None]  # a text's index as its target
    batches = list(classify.padded_batches(ids, targets, 32, np.random.default_rng(0)))
    seen = np.concatenate([y[:, 0] for _, y in batches]).astype(int)
    assert sorted(seen) == list(range(len(ids))) and list(seen) != sorted(seen)  # all of them, shuffled
    for x, y in batches:
        longest = max(len(ids[int(i)]) for i in y[:, 0])
        assert x.shape[1] % 50 == 0 and longest <= x.shape[1] < longest + 50
        for row, index in zip(x, y[:, 0].astype(int)):
            assert list(row[:len(ids[index])]) == list(ids[index]) and not row[len(ids[index]):].any()
    in_order = np.concatenate([y[:, 0] for _, y in classify.padded_batches(ids, targets, 32)])
    assert list(in_order) == list(range(len(ids)))


def test_word_vectors_and_epoch_averaging(corpora, tmp_path, monkeypatch):
    """word_vectors=True starts the Embedding from PPMI-SVD vectors; average_epochs=N ships the mean
    of the epochs' weights only when its validation loss beats the best epoch's."""
    from dataclasses import replace

    config = replace(classify.CONFIGS["spam_rnn"], word_vectors=True, oov=True, average_epochs=3, patience=5)
    monkeypatch.setitem(classify.CONFIGS, "spam_rnn", config)
    lines = []
    output = classify.train("spam_rnn", str(corpora), {"epochs": 3}, log=lines.append, runs=str(tmp_path / "runs"))
    assert any("PPMI-SVD vectors" in line for line in lines)
    model = load_classifier(output)
    training = model.metadata["training"]
    assert training["embedding_start"] == "ppmi-svd"
    averaged = training["averaged"]
    assert averaged["epochs"] == 3
    assert averaged["kept"] == (averaged["val_loss"] < min(h["val_loss"] for h in training["history"]))
    assert any(line.startswith("mean of the last 3 epochs' weights") for line in lines)


def test_next_word_pairs_shift_and_weight_real_tokens_only():
    padded = classify.pad([[4, 5, 6], [7], []], 5, pre=False)
    inputs, targets, weights = classify.next_word_pairs(padded)
    assert inputs.tolist() == [[4, 5, 6, 0], [7, 0, 0, 0], [0, 0, 0, 0]]
    assert targets.tolist() == [[5, 6, 0, 0], [0, 0, 0, 0], [0, 0, 0, 0]]
    assert weights.tolist() == [[1, 1, 0, 0], [0, 0, 0, 0], [0, 0, 0, 0]]


def test_language_model_pretraining_is_resumable_and_recorded(corpora, tmp_path, monkeypatch):
    """pretrain_epochs=N trains the Embedding and RNN as a next-word model first (saved every epoch),
    a rerun does not train it again, and the artifact records where its Embedding started."""
    from dataclasses import replace

    config = replace(classify.CONFIGS["spam_rnn"], oov=True, pretrain_epochs=2)
    monkeypatch.setitem(classify.CONFIGS, "spam_rnn", config)
    runs, lines = tmp_path / "runs", []
    output = classify.train("spam_rnn", str(corpora), {"epochs": 1}, log=lines.append, runs=str(runs))
    epochs = [line for line in lines if line.startswith("language model epoch")]
    assert [line.split(":")[0] for line in epochs] == ["language model epoch 1/2", "language model epoch 2/2"]
    training = load_classifier(output).metadata["training"]
    assert training["embedding_start"] == "language-model"
    assert [entry["epoch"] for entry in training["pretraining"]["history"]] == [1, 2]
    assert all(np.isfinite(entry["val_loss"]) for entry in training["pretraining"]["history"])
    lines.clear()
    classify.train("spam_rnn", str(corpora), {"epochs": 2}, log=lines.append, runs=str(runs))
    assert not any(line.startswith("language model epoch") for line in lines)
    assert any(line.startswith("epoch 2/2:") for line in lines)


def test_plateau_factor_lowers_the_learning_rate_after_each_worse_epoch(corpora, tmp_path, monkeypatch):
    """plateau_factor=0.5 halves the rate after every epoch whose validation loss is not the best so far,
    and a resumed run carries on at the lowered rate."""
    from dataclasses import replace

    config = replace(classify.CONFIGS["spam_rnn"], optimizer="adam", plateau_factor=0.5, patience=10)
    monkeypatch.setitem(classify.CONFIGS, "spam_rnn", config)
    runs, lines = tmp_path / "runs", []
    classify.train("spam_rnn", str(corpora), {"epochs": 4}, log=lines.append, runs=str(runs))
    state = json.loads((runs / "classify-spam_rnn" / "loop_state.json").read_text())
    losses = [h["val_loss"] for h in state["history"]]
    worse = sum(loss >= min(losses[:i]) for i, loss in enumerate(losses) if i)
    assert worse  # the fixture overfits at once
    assert state["history"][-1]["learning_rate"] == pytest.approx(1e-3 * 0.5 ** worse)
    lines.clear()
    classify.train("spam_rnn", str(corpora), {"epochs": 5}, log=lines.append, runs=str(runs))
    assert any("resuming" in line and "after epoch 4" in line for line in lines)
    resumed = json.loads((runs / "classify-spam_rnn" / "loop_state.json").read_text())["history"][-1]
    assert resumed["learning_rate"] <= state["history"][-1]["learning_rate"]


def test_overrides_change_only_what_is_given_and_unknown_ones_are_refused():
    assert classify.recipe("reuters", {"epochs": 2, "batch_size": None}) == replace(classify.CONFIGS["reuters"], epochs=2)
    with pytest.raises(SeqbotError, match="not a setting"):
        classify.recipe("reuters", {"units": 3})


def test_snippet_crops_and_calibration_are_recorded_and_the_calibrate_command_rebuilds_them(corpora, tmp_path,
                                                                                            monkeypatch, capsys):
    """crops_per_text adds snippets of the training and validation texts; calibrate=True fits a
    temperature on the validation part; `seqbot train calibrate` rebuilds that part from the
    checkpoint's record and fits the same temperature."""
    from seqbot.cli import main

    config = replace(classify.CONFIGS["spam_rnn"], crops_per_text=2, calibrate=True)
    monkeypatch.setitem(classify.CONFIGS, "spam_rnn", config)
    lines = []
    from seqbot.evaluation.calibration import calibrate_classifier

    with pytest.raises(SeqbotError, match="calibrate_classifier"):  # the trainer never imports the engine itself
        classify.train("spam_rnn", str(corpora), {"epochs": 1}, log=lines.append, runs=str(tmp_path / "runs"))
    output = classify.train("spam_rnn", str(corpora), {"epochs": 1}, log=lines.append, runs=str(tmp_path / "runs"),
                            calibrate=calibrate_classifier)
    model = load_classifier(output)
    data = classify.spam_dataset(corpora)
    train_texts, _, valid_texts, _ = classify.training_split(config, data)
    cut = classify.validation_cut(config, data)
    assert model.metadata["snippets"] == len(train_texts) - cut > 0
    assert set(train_texts[cut:]) - set(data.train_texts)  # the snippets are new texts
    record = model.metadata["calibration"]["temperature"]
    assert record["validation_texts"] == len(valid_texts) > len(data.train_texts) - cut
    assert model.temperature == model.short_temperature == record["value"] != 1.0
    assert main(["train", "calibrate", str(output), "--corpora", str(corpora), "--runs", str(tmp_path / "again")]) == 0
    again = load_classifier(tmp_path / "again" / "calibrate-spam_rnn" / "spam_rnn.npz")
    assert again.temperature == pytest.approx(model.temperature, abs=2e-4)
    assert f"on {len(valid_texts)} validation texts" in capsys.readouterr().out


def test_mixed_width_batches_keep_groups_apart_pad_at_the_start_and_cover_every_text_once():
    long_ids = [[1, 2, 3], [4], [5, 6]]
    short_ids = [[7], [8, 9], [10], [11]]
    groups = [(long_ids, np.arange(3), 6), (short_ids, np.arange(3, 7), 2)]
    batches = list(classify.mixed_width_batches(groups, batch_size=2, rng=np.random.default_rng(0)))
    assert sorted(int(t) for _, targets in batches for t in targets) == list(range(7))
    for ids, targets in batches:
        assert ids.shape[1] == (6 if targets[0] < 3 else 2) and all((t < 3) == (targets[0] < 3) for t in targets)
        for row, target in zip(ids, targets):
            text = (long_ids + short_ids)[target]
            assert list(row[len(row) - len(text):]) == text and not row[:len(row) - len(text)].any()


def test_snippets_padded_shorter_train_and_keras_scores_what_the_engine_serves(corpora, tmp_path, monkeypatch):
    """The LSTM+CNN (no masking, pooling by 4) with snippets padded to 16 tokens and texts to 40: the
    test texts are scored once each, whole, so Keras' recorded test loss and accuracy are the engine's.
    (Its validation loss is close to the engine's only once the padding state settles, which takes
    far more than 24 padding steps: IMDB's 200 against 1,000 agree to four decimals.)"""
    from seqbot.engine.calibration import log_loss

    config = replace(classify.CONFIGS["spam_rnn"], spec="imdb_lstm_cnn", fixed_length=True, max_length=40,
                     crops_per_text=2, crop_length=16)
    monkeypatch.setitem(classify.CONFIGS, "spam_rnn", config)
    output = classify.train("spam_rnn", str(corpora), {"epochs": 1}, log=lambda line: None, runs=str(tmp_path / "runs"))
    model = load_classifier(output)
    data = classify.spam_dataset(corpora)
    raw = model.probabilities_batch(data.test_texts, calibrated=False)
    scores = model.metadata["scores"]
    assert scores["test_loss"] == pytest.approx(log_loss(raw, np.array(data.test_labels)), abs=2e-3)
    assert scores["test_accuracy"] == pytest.approx(np.mean(raw.argmax(axis=1) == np.array(data.test_labels)), abs=1e-4)
    monkeypatch.setitem(classify.CONFIGS, "spam_rnn", replace(config, crop_length=18))
    with pytest.raises(SeqbotError, match="multiple of the pooling size"):
        classify.train("spam_rnn", str(corpora), {"epochs": 1}, log=lambda line: None, runs=str(tmp_path / "other"))


def test_a_warm_start_continues_from_an_artifact_with_the_same_vocabulary_only(corpora, tmp_path, monkeypatch):
    from seqbot.artifact import load_artifact

    runs = tmp_path / "runs"
    first = classify.train("spam_rnn", str(corpora), {"epochs": 1}, log=lambda line: None, runs=str(runs))
    monkeypatch.setitem(classify.CONFIGS, "warm", replace(classify.CONFIGS["spam_rnn"], name="warm", init_from=str(first)))
    lines = []
    classify.train("warm", str(corpora), {"epochs": 1, "learning_rate": 1e-9}, log=lines.append, runs=str(runs))
    assert any(line.startswith(f"starting from {first}") for line in lines)
    before, after = load_artifact(first), load_artifact(runs / "classify-warm" / "spam_rnn.npz")
    for key, array in before.weights.items():  # a learning rate of 1e-9 leaves the loaded weights as they were
        assert np.allclose(after.weights[key], array, atol=1e-5), key
    monkeypatch.setitem(classify.CONFIGS, "other", replace(classify.CONFIGS["spam_rnn"], name="other", oov=True,
                                                           init_from=str(first)))
    with pytest.raises(SeqbotError, match="same\\s+preprocessing"):
        classify.train("other", str(corpora), {"epochs": 1}, log=lambda line: None, runs=str(runs))
