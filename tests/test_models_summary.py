"""The Keras builders reproduce the lecture's parameter tables, and `seqbot models summary` prints them."""

from __future__ import annotations

import pytest

from seqbot.cli import main
from seqbot.models.classifiers import build, summary_rows
from seqbot.paths import PROJECT_ROOT

# (architecture, [(layer type, parameters), ...]) as printed in the lecture's model.summary() tables.
LECTURE_TABLES = {
    "simplernn_toy": [("SimpleRNN", 42)],
    "spam_rnn": [("Embedding", 285_472), ("SimpleRNN", 2_080), ("Dense", 33)],
    "reuters_lstm": [("Embedding", 120_000), ("LSTM", 115_680), ("Dense", 5_566)],
    "imdb_lstm": [("Embedding", 600_000), ("LSTM", 115_680), ("Dense", 121)],
    "imdb_lstm_cnn": [("Embedding", 600_000), ("Dropout", 0), ("Conv1D", 38_464), ("MaxPooling1D", 0), ("LSTM", 26_400),
                      ("Dense", 56)],
    "nsmc_lstm": [("Embedding", 3_500_000), ("LSTM", 117_248), ("Dense", 129)],
}


@pytest.mark.parametrize("name", sorted(LECTURE_TABLES))
def test_builder_reproduces_the_lecture_table(name):
    rows = summary_rows(build(name))
    assert [(layer.split("(")[1].rstrip(")"), params) for layer, _, params in rows] == LECTURE_TABLES[name]


def test_gru_and_attention_variants_are_built_from_the_same_pieces():
    gru = dict((layer.split(" ")[0], params) for layer, _, params in summary_rows(build("imdb_gru")))
    assert gru == {"embedding": 600_000, "rnn": 3 * (120 * 120 + 120 * 120 + 2 * 120), "output": 121}
    attention = {layer.split(" ")[0]: params for layer, _, params in summary_rows(build("imdb_bilstm_attention"))}
    units, embedding = 64, 128
    assert attention["birnn"] == 2 * 4 * (embedding * units + units * units + units)
    assert attention["attention"] == 2 * (2 * units * units + units) + (units + 1)  # W1, W2 (with biases) and v


def test_rnn_dropout_keeps_the_lecture_table():
    """Dropout on the LSTM's inputs (imdb_lstm_dropout) adds no weights: the table stays the lecture's."""
    model = build("imdb_lstm", rnn_dropout=0.3)
    assert [params for _, _, params in summary_rows(model)] == [600_000, 115_680, 121]
    assert model.get_layer("rnn").dropout == 0.3


def test_language_model_shares_the_classifier_layers():
    import numpy as np

    from seqbot.errors import SeqbotError
    from seqbot.models.classifiers import build_language_model, copy_pretrained

    language_model = build_language_model("imdb_lstm", vocab_size=50)
    assert [params for _, _, params in summary_rows(language_model)] == [50 * 120, 115_680, 120 * 50 + 50]
    classifier = build("imdb_lstm", vocab_size=50, variable_length=True)
    copy_pretrained(language_model, classifier)
    # The classifier's LSTM now reads a text exactly as the language model's does: its final state
    # is the language model's state after the last real token (padding masked in both).
    tokens = np.array([[5, 9, 2, 7, 0, 0]])
    import keras

    steps = keras.Model(language_model.input, language_model.get_layer("rnn").output)(tokens)
    last = keras.Model(classifier.input, classifier.get_layer("rnn").output)(tokens)
    np.testing.assert_allclose(np.asarray(last)[0], np.asarray(steps)[0, 3], atol=1e-6)
    with pytest.raises(SeqbotError, match="not an Embedding -> RNN -> Dense stack"):
        build_language_model("imdb_lstm_cnn")


def test_sizes_follow_the_real_vocabulary():
    rows = summary_rows(build("spam_rnn", vocab_size=9000))
    assert rows[0][2] == 9000 * 32 and rows[1][2] == 2_080


def test_summary_command_prints_the_table(capsys):
    assert main(["models", "summary", "simplernn_toy"]) == 0
    out = capsys.readouterr().out
    assert "SimpleRNN" in out and "(None, 3)" in out and "42" in out


def test_summary_command_unknown_name_is_a_clear_error(capsys, tmp_path):
    assert main(["models", "summary", "no_such_model", "--checkpoints", str(tmp_path)]) == 2
    assert "unknown model 'no_such_model'" in capsys.readouterr().err
    assert main(["models", "summary", "no_such_model", "--checkpoints", "/nonexistent"]) == 2
    assert "/nonexistent does not exist" in capsys.readouterr().err


def test_models_list_names_every_architecture(capsys):
    assert main(["models", "list"]) == 0
    out = capsys.readouterr().out
    for name in LECTURE_TABLES:
        assert name in out


def test_summary_of_a_naive_bayes_checkpoint(tmp_path, capsys):
    from seqbot.artifact import save_artifact
    from seqbot.training.naive_bayes import fit_naive_bayes

    model = fit_naive_bayes(["free prize now", "see you at lunch", "win cash"], ["spam", "ham", "spam"])
    save_artifact(tmp_path / "spam_nb.npz", model.to_artifact({}))
    assert main(["models", "summary", "spam_nb", "--checkpoints", str(tmp_path)]) == 0
    out = capsys.readouterr().out
    words = len(model.bag.vocabulary)
    assert "Naive Bayes" in out and f"{2 * words + 2:,}" in out


SHIPPED = sorted(path.stem for path in (PROJECT_ROOT / "checkpoints").glob("*.npz"))


def stored_parameters(name: str) -> int:
    from seqbot.artifact import load_artifact

    return sum(int(weight.size) for weight in load_artifact(PROJECT_ROOT / "checkpoints" / f"{name}.npz").weights.values())


@pytest.mark.parametrize("name", SHIPPED)
def test_summary_works_for_every_shipped_checkpoint(name, capsys):
    """The checkpoint's table (from the artifact) totals exactly the parameters stored in it."""
    assert main(["models", "summary", name]) == 0
    out = capsys.readouterr().out
    total = next(line for line in out.splitlines() if line.strip().startswith("Total params"))
    assert total.split()[-1] == f"{stored_parameters(name):,}"


@pytest.mark.parametrize("name", [name for name in SHIPPED if name.startswith(("translator", "chat", "generator"))])
def test_the_artifact_table_of_a_sequence_model_is_the_keras_model_it_came_from(name):
    """The translator, chat and generator rebuilt in Keras from their config hold exactly the stored
    weights, layer for layer (the artifact table names each layer's weights, Keras counts them)."""
    from seqbot.artifact import load_artifact
    from seqbot.engine.summary import layer_table

    artifact = load_artifact(PROJECT_ROOT / "checkpoints" / f"{name}.npz")
    if artifact.kind == "generator":
        from seqbot.models.textgen import TextGenConfig, build_model

        config = artifact.config
        model = build_model(TextGenConfig(config["cell"], config["units"], config["embedding_dim"], config.get("level", "char")),
                            len(config["vocab"]))
    else:
        from seqbot.models.seq2seq import Seq2SeqConfig, build_seq2seq

        model = build_seq2seq(Seq2SeqConfig.from_artifact_config(artifact.config))
    count = model.count_params()
    if "backward" in artifact.config:  # the chat model's backward model p(message | reply), built the same way
        count += build_seq2seq(Seq2SeqConfig.from_artifact_config(artifact.config["backward"])).count_params()
    assert count == sum(row.params for row in layer_table(artifact)) == stored_parameters(name)


def test_a_classifier_checkpoint_table_matches_its_architecture_built_at_its_sizes():
    """imdb: the artifact's rows are the Keras layers of imdb_lstm_cnn sized for its 20,000 words."""
    from seqbot.artifact import load_artifact
    from seqbot.engine.summary import layer_table

    artifact = load_artifact(PROJECT_ROOT / "checkpoints" / "imdb.npz")
    rows = layer_table(artifact)
    keras_rows = summary_rows(build(artifact.config["name"], vocab_size=artifact.weights["embedding/0"].shape[0],
                                    max_length=artifact.config["max_length"]))
    assert [(row.name, row.params) for row in rows] == [(layer.split(" ")[0], params) for layer, _, params in keras_rows]
    assert [row.kind for row in rows] == ["Embedding", "Dropout", "Conv1D", "MaxPooling1D", "LSTM(55)", "Dense"]


def test_info_prints_the_training_record(tmp_path, capsys):
    from seqbot.artifact import Artifact, save_artifact
    from seqbot.training.metadata import run_metadata

    corpus = tmp_path / "corpus.txt"
    corpus.write_text("text\n")
    metadata = run_metadata({"units": 8}, [corpus], time_s=3.0, scores={"test_accuracy": 0.75}, recipe_name="tiny")
    save_artifact(tmp_path / "tiny.npz", Artifact(kind="generator", config={}, metadata=metadata))
    assert main(["models", "info", "tiny", "--checkpoints", str(tmp_path)]) == 0
    out = capsys.readouterr().out
    for label in ("recipe:", "command:", "data sha256:", "code version:", "hardware:", "training time:", "metrics:"):
        assert label in out
    assert 'tiny: {"units": 8}' in out and "3.0 s" in out and "test_accuracy: 0.7500" in out
    assert metadata["data_sha256"]["corpus.txt"] in out and metadata["code_version"] in out
    assert "not recorded" not in out


def test_info_on_an_old_checkpoint_says_what_was_not_recorded(capsys):
    assert main(["models", "info", "nsmc"]) == 0
    out = capsys.readouterr().out
    assert "nsmc_spm_attention_98" in out and "test_accuracy: 0.8627" in out and "not recorded" in out
