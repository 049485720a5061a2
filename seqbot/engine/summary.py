"""A checkpoint's layer table, read from its artifact alone (NumPy only): `seqbot models summary NAME`.

    rows = layer_table(load_artifact("checkpoints/translator.npz"))
    for row in rows:
        row.name, row.kind, row.shapes, row.params        # "encoder", "GRU", ((64, 1536), ...), 3_151_872

One row per layer, in the order the artifact stores them: its name, its kind, the shapes of its
weights and their parameter count. A classifier lists its layers in config["layers"] (weights
`<layer>/<i>`, layers without weights such as Dropout included); the translator, chat and generator
group their weights by the name before "/" (docs/architecture.md); Naive Bayes has its table of
log P(word | class), its class priors and, with TF-IDF, the IDF weights.
"""

from __future__ import annotations

from dataclasses import dataclass

from seqbot.artifact import Artifact
from seqbot.contract import keys
from seqbot.errors import CheckpointError

CELLS = {"simplernn": "SimpleRNN", "lstm": "LSTM", "gru": "GRU"}
CLASSIFIER_KINDS = {"embedding": "Embedding", "conv1d": "Conv1D", "max_pooling1d": "MaxPooling1D", "dropout": "Dropout",
                    "dense": "Dense", "bahdanau_attention": "BahdanauAttention"}
NAIVE_BAYES_KINDS = {"feature_log_prob": "log P(word | class)", "class_log_prior": "log P(class)", "idf": "IDF weights"}


@dataclass(frozen=True)
class LayerRow:
    name: str
    kind: str
    shapes: tuple[tuple[int, ...], ...]  # one per weight, in the artifact's order; () for a layer without weights

    @property
    def params(self) -> int:
        total = 0
        for shape in self.shapes:
            size = 1
            for dimension in shape:
                size *= dimension
            total += size
        return total


def layer_table(artifact: Artifact) -> list[LayerRow]:
    """The artifact's layers (see the module docstring); CheckpointError for a kind without a table."""
    if artifact.kind == keys.CLASSIFIER:
        return classifier_rows(artifact)
    if artifact.kind == keys.NAIVE_BAYES:
        return [LayerRow(name, NAIVE_BAYES_KINDS.get(name, "weights"), (tuple(weight.shape),))
                for name, weight in artifact.weights.items()]
    if artifact.kind in (keys.SEQ2SEQ, keys.GENERATOR):
        return grouped_rows(artifact)
    raise CheckpointError(f"no layer table for a {artifact.kind!r} artifact; kinds: {', '.join(keys.KINDS)}")


def classifier_rows(artifact: Artifact) -> list[LayerRow]:
    rows = []
    for layer in artifact.config.get("layers", []):
        try:
            shapes = tuple(tuple(artifact.weights[f"{layer['name']}/{i}"].shape) for i in range(layer["weights"]))
        except KeyError as error:
            raise CheckpointError(f"classifier layer {layer.get('name', '?')!r} lacks its weight {error}") from None
        rows.append(LayerRow(layer["name"], classifier_kind(layer), shapes))
    return rows


def classifier_kind(layer: dict) -> str:
    kind = layer.get("type", "?")
    if kind == "rnn":
        return f"{CELLS.get(layer.get('cell'), layer.get('cell'))}({layer.get('units')})"
    if kind == "bidirectional":
        return f"Bidirectional({CELLS.get(layer.get('cell'), layer.get('cell'))}({layer.get('units')}))"
    return CLASSIFIER_KINDS.get(kind, kind)


def grouped_rows(artifact: Artifact) -> list[LayerRow]:
    """Weights grouped by the name before "/" (embedding, encoder_2/kernel, ...), in the stored order."""
    groups: dict[str, list[tuple[int, ...]]] = {}
    for name, weight in artifact.weights.items():
        groups.setdefault(name.split("/")[0], []).append(tuple(weight.shape))
    return [LayerRow(name, sequence_kind(name, artifact.config), tuple(shapes)) for name, shapes in groups.items()]


def sequence_kind(layer: str, config: dict) -> str:
    cell = CELLS.get(config.get("cell"), str(config.get("cell", "?")).upper())
    if layer.endswith("embedding"):
        return "Embedding"
    if layer.endswith("_projection"):
        return "Dense (projection)"
    if layer.startswith(("encoder", "decoder", "rnn")):
        return f"{cell} (backward)" if layer.endswith("_backward") else cell
    if layer == "attention":
        return f"Attention ({config.get('attention', '?')})"
    if layer == "combine":
        return "Dense (tanh)"
    if layer == "output":
        return "Dense"
    if layer == keys.BACKWARD:  # a chat model's backward model (seqbot.engine.backward), all its layers
        return "seq2seq p(msg | reply)"
    return "weights"
