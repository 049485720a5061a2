"""NumPy text generator: runs the character- or word-level RNN language model exported by
`seqbot train generate` (artifact kind "generator"), with no TensorFlow.

    generator = Generator.load()                       # checkpoints/generator.npz
    for piece in generator.stream("ROMEO:", temperature=0.8, length=200, seed=1):
        print(piece, end="", flush=True)

Sampling: logits / temperature, optionally only the `top_k` most likely tokens; temperature 0
means greedy. A fixed `seed` gives the same text every time. `plan()` checks the request and
returns the notices a user should see (empty prompt, unknown characters, capped length).
"""

from __future__ import annotations

import math
import unicodedata
from dataclasses import dataclass, field
from pathlib import Path
from typing import Iterator

import numpy as np

from seqbot.artifact import Artifact, load_artifact
from seqbot.contract import keys
from seqbot.data.generator_text import UNKNOWN_WORD, WORD_PATTERN, detokenize, join_piece, tokenize  # noqa: F401
from seqbot.engine import layers
from seqbot.errors import CheckpointError, SeqbotError
from seqbot.paths import default_checkpoint

KIND = keys.GENERATOR
MAX_LENGTH = 5000


@dataclass
class GenerationPlan:
    """A checked generation request: what is fed to the model and what the user should be told."""

    prompt_ids: list[int]
    prompt_tokens: list[str]
    length: int
    temperature: float  # 0 = greedy
    top_k: int | None
    notices: list[str] = field(default_factory=list)


class Generator:
    def __init__(self, artifact: Artifact, path: str | Path | None = None):
        config = artifact.config
        try:
            self.cell = config["cell"]
            self.level = config["level"]
            self.vocab = list(config["vocab"])
            w = artifact.weights
            self.embedding = w["embedding"].astype(np.float32)
            self.rnn_weights = [w["rnn/kernel"], w["rnn/recurrent_kernel"], w["rnn/bias"]]
            self.output_kernel = w["output/kernel"]
            self.output_bias = w["output/bias"]
        except KeyError as missing:
            raise CheckpointError(f"{path or 'generator checkpoint'} lacks {missing}; re-export it with `seqbot train generate`") from None
        if self.cell not in ("lstm", "gru", "simplernn"):
            raise CheckpointError(f"{path or 'generator checkpoint'} has an unknown cell {self.cell!r}")
        if len(self.vocab) != self.output_kernel.shape[1]:
            raise CheckpointError(f"{path or 'generator checkpoint'}: vocabulary size {len(self.vocab)} does not match the output layer")
        self.config = config
        self.metadata = artifact.metadata
        self.units = self.rnn_weights[1].shape[0]
        self.index = {token: i for i, token in enumerate(self.vocab)}
        self.default_prompt = config.get("default_prompt") or "\n"
        # Never sample the unknown-word token.
        self.banned = [self.index[UNKNOWN_WORD]] if UNKNOWN_WORD in self.index else []

    @classmethod
    def load(cls, path: str | Path | None = None) -> "Generator":
        path = Path(path) if path else default_checkpoint("generator")
        return cls(load_artifact(path, kind=KIND), path)

    # --- request checking -------------------------------------------------------------------

    def plan(self, prompt: str, temperature: float = 0.8, length: int = 200, top_k: int | None = None) -> GenerationPlan:
        """Check a request; raise SeqbotError for values that cannot mean anything."""
        notices = []
        if temperature is None or not math.isfinite(temperature) or temperature < 0:
            raise SeqbotError(f"temperature must be a number >= 0 (got {temperature}); try 0.5-1.0, or 0 for greedy")
        if temperature == 0:
            notices.append("temperature 0: greedy decoding (always the most likely next token)")
        if length < 1:
            raise SeqbotError(f"length must be at least 1 (got {length})")
        if length > MAX_LENGTH:
            notices.append(f"length {length} is too long; generating {MAX_LENGTH} {self.unit_name}s")
            length = MAX_LENGTH
        if top_k is not None and top_k < 1:
            raise SeqbotError(f"top-k must be at least 1 (got {top_k})")
        if top_k is not None and top_k >= len(self.vocab):
            top_k = None
        tokens = tokenize(unicodedata.normalize("NFC", prompt or ""), self.level)  # a decomposed "é" is one character
        unknown = [t for t in tokens if t not in self.index]
        if self.level == "char":
            if unknown:
                shown = "".join(sorted(set(unknown), key=unknown.index))
                notices.append(f"skipped {len(unknown)} character(s) the model never saw: {shown!r}")
            tokens = [t for t in tokens if t in self.index]
        elif unknown:
            shown = ", ".join(sorted(set(unknown), key=unknown.index)[:10])
            notices.append(f"{len(unknown)} word(s) not in the model's vocabulary, read as {UNKNOWN_WORD}: {shown}")
            tokens = [t if t in self.index else UNKNOWN_WORD for t in tokens]
        if not tokens:
            start = tokenize(self.default_prompt, self.level)
            reason = "empty prompt" if not (prompt or "").strip() and not unknown else "nothing usable in the prompt"
            notices.append(f"{reason}: starting from {self.default_prompt!r}")
            # A hand-edited default may hold unknown tokens too; fall back to the first real token.
            tokens = [t for t in start if t in self.index and t != UNKNOWN_WORD] or [v for v in self.vocab if v != UNKNOWN_WORD][:1]
        ids = [self.index[t] for t in tokens]
        return GenerationPlan(ids, tokens, length, float(temperature), top_k, notices)

    @property
    def unit_name(self) -> str:
        return "character" if self.level == "char" else "word"

    # --- model --------------------------------------------------------------------------------

    def _logits(self, hidden: np.ndarray) -> np.ndarray:
        return hidden @ self.output_kernel + self.output_bias

    def _prime(self, ids: list[int]):
        """Run the prompt through the RNN; returns (outputs (T, units), state)."""
        x = layers.embedding(np.asarray([ids]), self.embedding)
        outputs, state = layers.rnn(self.cell, x, self.rnn_weights, return_sequences=True)
        return outputs[0], state

    def _step(self, token_id: int, state):
        x_proj = layers.input_projection(self.cell, self.embedding[[token_id]], self.rnn_weights)
        state = layers.cell_step(self.cell, x_proj, state, self.rnn_weights)
        return state[0][0], state

    def next_probabilities(self, ids: list[int]) -> np.ndarray:
        """Next-token probabilities after each prefix of `ids` (T, V): the first by a full-sequence
        run, the rest step by step, the way `stream` works."""
        hidden, state = self._prime(ids[:1])
        rows = [hidden[-1]]
        for token_id in ids[1:]:
            h, state = self._step(token_id, state)
            rows.append(h)
        return layers.softmax(self._logits(np.stack(rows)).astype(np.float64))

    def _sample(self, logits: np.ndarray, temperature: float, top_k: int | None, rng: np.random.Generator) -> int:
        logits = logits.astype(np.float64)
        if self.banned:
            logits[self.banned] = -np.inf
        if temperature == 0:
            return int(np.argmax(logits))
        logits = logits / temperature
        if top_k is not None:
            cutoff = np.partition(logits, -top_k)[-top_k]
            logits = np.where(logits >= cutoff, logits, -np.inf)
        probabilities = layers.softmax(logits)
        return int(rng.choice(len(probabilities), p=probabilities))

    # --- generation ---------------------------------------------------------------------------

    def stream(self, prompt: str, temperature: float = 0.8, length: int = 200, top_k: int | None = None,
               seed: int | None = None) -> Iterator[str]:
        """Yield the continuation of `prompt` piece by piece (a character, or a word with its space)."""
        plan = self.plan(prompt, temperature, length, top_k)
        yield from self.stream_plan(plan, seed)

    def stream_plan(self, plan: GenerationPlan, seed: int | None = None) -> Iterator[str]:
        rng = np.random.default_rng(seed)
        outputs, state = self._prime(plan.prompt_ids)
        hidden = outputs[-1]
        previous = plan.prompt_tokens[-1]
        for _ in range(plan.length):
            token_id = self._sample(self._logits(hidden), plan.temperature, plan.top_k, rng)
            token = self.vocab[token_id]
            yield join_piece(previous, token, self.level)
            previous = token
            hidden, state = self._step(token_id, state)

    def generate(self, prompt: str, temperature: float = 0.8, length: int = 200, top_k: int | None = None,
                 seed: int | None = None) -> str:
        return "".join(self.stream(prompt, temperature, length, top_k, seed))
