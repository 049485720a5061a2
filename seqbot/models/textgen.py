"""Keras language models for text generation (the lecture's 01_Text_Generation-RNN and
02_Text_Generation-LSTM) and their export to a NumPy artifact (kind "generator").

    Embedding(V, E) -> SimpleRNN | LSTM | GRU (units, return_sequences) -> Dense(V) logits

Trained on windows of text to predict the next token at every position; no stateful layers,
so the engine can start from any prompt. Import only from training code (needs TensorFlow).
"""

from __future__ import annotations

from dataclasses import asdict, dataclass

from seqbot.artifact import Artifact
from seqbot.contract import keys
from seqbot.models.keras_setup import import_keras

CELLS = ("simplernn", "lstm", "gru")


@dataclass
class TextGenConfig:
    cell: str = "lstm"
    units: int = 256
    embedding_dim: int = 64
    level: str = "char"  # "char" | "word"


def build_model(config: TextGenConfig, vocab_size: int):
    keras = import_keras()
    if config.cell not in CELLS:
        raise ValueError(f"unknown cell {config.cell!r}; expected one of {CELLS}")
    recurrent = {"simplernn": keras.layers.SimpleRNN, "lstm": keras.layers.LSTM, "gru": keras.layers.GRU}[config.cell]
    tokens = keras.Input(shape=(None,), dtype="int32", name="tokens")
    x = keras.layers.Embedding(vocab_size, config.embedding_dim, name="embedding")(tokens)
    x = recurrent(config.units, return_sequences=True, name="rnn")(x)
    logits = keras.layers.Dense(vocab_size, name="output")(x)
    return keras.Model(tokens, logits, name=f"textgen_{config.cell}_{config.level}")


def export_artifact(model, config: TextGenConfig, vocab: list[str], default_prompt: str, metadata: dict) -> Artifact:
    """Copy the Keras weights into the artifact layout `seqbot.engine.generator` reads."""
    kernel, recurrent_kernel, bias = model.get_layer("rnn").get_weights()
    output_kernel, output_bias = model.get_layer("output").get_weights()
    weights = {
        "embedding": model.get_layer("embedding").get_weights()[0],
        "rnn/kernel": kernel,
        "rnn/recurrent_kernel": recurrent_kernel,
        "rnn/bias": bias,
        "output/kernel": output_kernel,
        "output/bias": output_bias,
    }
    artifact_config = {**asdict(config), "vocab": list(vocab), "default_prompt": default_prompt}
    return Artifact(kind=keys.GENERATOR, config=artifact_config, weights=weights, metadata=metadata)
