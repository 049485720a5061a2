"""Character n-gram language model (interpolated Kneser-Ney), NumPy only: p(reply) for the chat
model's maximum mutual information reranking (seqbot.engine.decoding.mmi_score).

    lm = CharNgramLM.fit(replies, vocab=chat_target_vocab, order=5)   # counting, a few seconds
    lm.sequence_log_prob(ids)          # log p of a reply's ids (characters then <end>), natural log
    lm.distribution(context_ids)       # p(next | context) over lm.vocab, sums to 1 (0 for <pad>, <start>)
    blob = lm.to_bytes(); CharNgramLM.from_bytes(blob)   # stored in the chat artifact as blobs["reply_lm"]
    lm.save("runs/chat-rerank/reply_lm.npz"); CharNgramLM.load(...)

Ids are the chat model's target ids (seqbot.engine.seq2seq: <pad> 0, <start> 1, <end> 2, <unk> 3,
then characters), so a hypothesis of the beam search is scored as it is; a character outside the
vocabulary counts as <unk>. Every reply is padded with order - 1 <start> on the left and ends with
<end>; the model predicts every id but <pad> and <start>.

Interpolated Kneser-Ney (Chen & Goodman 1998, one discount per order): with c the raw counts at the
highest order and continuation counts (how many distinct characters precede an n-gram) below it,

    p_k(w | h) = max(c(h w) - D_k, 0) / c(h .) + D_k * N1+(h .) / c(h .) * p_{k-1}(w | h')

where h' is h without its first character, p_0 is uniform over the predicted ids, and a context
never seen (c(h .) = 0) backs off to p_{k-1} whole. D_k = n1 / (n1 + 2 n2) from the order's counts of
counts. Each order is stored as sorted int64 codes of its n-grams (ids in base len(vocab)) with
their counts; context totals are rebuilt at load.
"""

from __future__ import annotations

import io
import json
import math
from collections import Counter
from pathlib import Path
from typing import Iterable, Sequence

import numpy as np

from seqbot.contract.tokens import END, PAD, START, UNKNOWN

FORMAT = "char-ngram-kn-1"


class CharNgramLM:
    def __init__(self, vocab: Sequence[str], order: int, tables: list[tuple[np.ndarray, np.ndarray]],
                 discounts: Sequence[float]):
        if order < 1:
            raise ValueError(f"an n-gram model needs order >= 1, got {order}")
        if len(tables) != order or len(discounts) != order:
            raise ValueError(f"an order-{order} model needs {order} count tables and discounts, "
                             f"got {len(tables)} and {len(discounts)}")
        if any(not 0.0 < d < 1.0 for d in discounts):
            raise ValueError(f"Kneser-Ney discounts must lie in (0, 1), got {list(discounts)}")
        self.vocab = list(vocab)
        self.order = order
        self.base = len(self.vocab)
        if self.base ** order >= 2 ** 62:
            raise ValueError(f"order {order} over {self.base} ids does not fit int64 codes")
        self.discounts = np.asarray(discounts, dtype=np.float64)
        self.index = {char: i for i, char in enumerate(self.vocab) if i > UNKNOWN}
        self.predicted = np.ones(self.base, dtype=bool)
        self.predicted[[PAD, START]] = False
        self.uniform = 1.0 / int(self.predicted.sum())
        self._keys, self._counts, self._contexts, self._totals, self._types = [], [], [], [], []
        for keys, counts in tables:
            keys, counts = np.asarray(keys, dtype=np.int64), np.asarray(counts, dtype=np.int64)
            if keys.shape != counts.shape or (len(keys) > 1 and np.any(np.diff(keys) <= 0)):
                raise ValueError("each order's n-gram codes must be strictly increasing, one count each")
            contexts, starts = np.unique(keys // self.base, return_index=True)
            self._keys.append(keys)
            self._counts.append(counts.astype(np.float64))
            self._contexts.append(contexts)
            self._totals.append(np.add.reduceat(counts, starts).astype(np.float64) if len(keys) else np.zeros(0))
            self._types.append(np.diff(np.append(starts, len(keys))).astype(np.float64))

    # --- building -----------------------------------------------------------------------------

    @classmethod
    def fit(cls, texts: Iterable[str], vocab: Sequence[str], order: int = 5) -> "CharNgramLM":
        """Count the n-grams of `texts` (each a whole reply) and derive the Kneser-Ney tables."""
        lm_index = {char: i for i, char in enumerate(vocab) if i > UNKNOWN}
        base = len(vocab)
        top: Counter = Counter()
        for text in texts:
            ids = [START] * (order - 1) + [lm_index.get(char, UNKNOWN) for char in text] + [END]
            code = 0
            for position, token in enumerate(ids):
                code = (code * base + token) % base ** order
                if position >= order - 1:
                    top[code] += 1
        if not top:
            raise ValueError("no text to count: the n-gram model needs at least one reply")
        tables = [None] * order
        tables[order - 1] = _table(top)
        continuation = top
        for k in range(order - 1, 0, -1):  # continuation counts of the k-grams: distinct characters before them
            lower: Counter = Counter()
            for code in continuation:
                lower[code % base ** k] += 1
            tables[k - 1] = _table(lower)
            continuation = lower
        discounts = []
        for _, counts in tables:
            n1, n2 = int(np.sum(counts == 1)), int(np.sum(counts == 2))
            discount = n1 / (n1 + 2 * n2) if n1 and n2 else 0.5
            discounts.append(min(max(discount, 0.05), 0.95))
        return cls(vocab, order, tables, discounts)

    # --- scoring ------------------------------------------------------------------------------

    def ids(self, text: str) -> list[int]:
        """A reply's ids: its characters (<unk> for unknown ones) then <end>."""
        return [self.index.get(char, UNKNOWN) for char in text] + [END]

    def probabilities(self, contexts: np.ndarray, targets: np.ndarray) -> np.ndarray:
        """p(target | context) for each row: contexts (rows, order - 1) ids, targets (rows,) ids."""
        contexts = np.asarray(contexts, dtype=np.int64).reshape(len(targets), self.order - 1)
        targets = np.asarray(targets, dtype=np.int64)
        if np.any(~self.predicted[targets]):
            raise ValueError("the model never predicts <pad> or <start>")
        probs = np.full(len(targets), self.uniform)
        context_code = np.zeros(len(targets), dtype=np.int64)
        for k in range(1, self.order + 1):  # order k: the last k - 1 context ids
            if k > 1:
                context_code = context_code + contexts[:, self.order - k] * self.base ** (k - 2)
            total, types = _lookup(self._contexts[k - 1], context_code, self._totals[k - 1], self._types[k - 1])
            count = _lookup(self._keys[k - 1], context_code * self.base + targets, self._counts[k - 1])[0]
            discount = self.discounts[k - 1]
            seen = total > 0
            probs = np.where(seen, (np.maximum(count - discount, 0.0) + discount * types * probs) / np.where(seen, total, 1.0),
                             probs)
        return probs

    def sequence_log_prob(self, ids: Sequence[int]) -> float:
        """Natural log p of `ids` (a reply's characters and, for a finished one, <end>) after <start>."""
        ids = np.asarray(list(ids), dtype=np.int64)
        if not len(ids):
            return 0.0
        padded = np.concatenate([np.full(self.order - 1, START, dtype=np.int64), ids])
        windows = np.lib.stride_tricks.sliding_window_view(padded, self.order)[: len(ids)]
        return float(np.log(self.probabilities(windows[:, :-1], windows[:, -1])).sum())

    def log_probs(self, replies: Sequence[Sequence[int]]) -> np.ndarray:
        """sequence_log_prob of each reply: the batch interface it shares with seqbot.engine.reply_prior."""
        return np.array([self.sequence_log_prob(ids) for ids in replies], dtype=np.float64)

    def text_log_prob(self, text: str) -> float:
        return self.sequence_log_prob(self.ids(text))

    def distribution(self, context_ids: Sequence[int]) -> np.ndarray:
        """p(next id | the last order - 1 ids of `context_ids`, <start>-padded) over the whole vocabulary."""
        context = ([START] * (self.order - 1) + list(context_ids))[len(context_ids):] if self.order > 1 else []
        targets = np.flatnonzero(self.predicted)
        result = np.zeros(self.base)
        result[targets] = self.probabilities(np.tile(np.asarray(context, dtype=np.int64), (len(targets), 1)), targets)
        return result

    def perplexity(self, texts: Iterable[str]) -> float:
        """Per-character perplexity (<end> counted) of `texts`."""
        total, count = 0.0, 0
        for text in texts:
            ids = self.ids(text)
            total -= self.sequence_log_prob(ids)
            count += len(ids)
        return math.exp(total / max(count, 1))

    # --- storage ------------------------------------------------------------------------------

    @property
    def ngrams(self) -> int:
        return sum(len(keys) for keys in self._keys)

    def to_bytes(self) -> bytes:
        header = {"format": FORMAT, "order": self.order, "vocab": self.vocab, "discounts": self.discounts.tolist()}
        arrays = {"header": np.frombuffer(json.dumps(header).encode("utf-8"), dtype=np.uint8)}
        for k in range(self.order):
            arrays[f"keys_{k + 1}"] = self._keys[k]
            arrays[f"counts_{k + 1}"] = self._counts[k].astype(np.int32)
        buffer = io.BytesIO()
        np.savez_compressed(buffer, **arrays)
        return buffer.getvalue()

    @classmethod
    def from_bytes(cls, blob: bytes) -> "CharNgramLM":
        try:
            with np.load(io.BytesIO(blob), allow_pickle=False) as archive:
                header = json.loads(archive["header"].tobytes().decode("utf-8"))
                if header.get("format") != FORMAT:
                    raise ValueError(f"not a {FORMAT} n-gram model (format {header.get('format')!r})")
                order = int(header["order"])
                tables = [(archive[f"keys_{k}"], archive[f"counts_{k}"]) for k in range(1, order + 1)]
        except (OSError, KeyError, json.JSONDecodeError) as error:
            raise ValueError(f"not a character n-gram model ({error.__class__.__name__}: {error})") from None
        return cls(header["vocab"], order, tables, header["discounts"])

    def save(self, path: str | Path) -> Path:
        path = Path(path)
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(self.to_bytes())
        return path

    @classmethod
    def load(cls, path: str | Path) -> "CharNgramLM":
        return cls.from_bytes(Path(path).read_bytes())


def _table(counter: Counter) -> tuple[np.ndarray, np.ndarray]:
    keys = np.fromiter(counter.keys(), dtype=np.int64, count=len(counter))
    counts = np.fromiter(counter.values(), dtype=np.int64, count=len(counter))
    order = np.argsort(keys)
    return keys[order], counts[order]


def _lookup(sorted_keys: np.ndarray, queries: np.ndarray, *values: np.ndarray) -> list[np.ndarray]:
    """Each of `values` at the position of each query in `sorted_keys`; 0 where a query is absent."""
    position = np.minimum(np.searchsorted(sorted_keys, queries), max(len(sorted_keys) - 1, 0))
    found = (sorted_keys[position] == queries) if len(sorted_keys) else np.zeros(len(queries), dtype=bool)
    return [np.where(found, value[position], 0.0) if len(value) else np.zeros(len(queries)) for value in values]
