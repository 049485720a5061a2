"""Word-level evidence that a reply answers a message, NumPy only: the chat model's response ranking
(seqbot.evaluation.chat_ranking) adds it to the character model's mutual information.

    links = WordLinks.fit(pairs)                 # (message, reply) training pairs, a few seconds
    links.overlap(messages, replies)             # tf-idf cosine of each pair's words, 0 to 1
    links.association(messages, replies)         # word-level mutual information read both ways (nats)
    blob = links.to_bytes(); WordLinks.from_bytes(blob)   # the chat artifact's blobs["word_links"]

A character model of p(reply | message) mostly learns what replies look like; which words of a message
call for which words of a reply ("congratulations" -> "thanks", "who" -> a name, "?" -> "yes") is
easier to count at the word level. Two such counts, both classic:

- overlap: the cosine of the message's and the reply's tf-idf vectors (Lowe et al. 2015's TF-IDF
  response selection baseline), idf = log((lines + 1) / (lines with the word + 1)) over the training
  messages and replies; a word never seen gets the largest idf.
- association: IBM Model 1 (Brown et al. 1993) trained by EM on the pairs in each direction, p(reply
  word | message word) and p(message word | reply word), each with a NULL source word. For one direction

      sum over target words w of  log(mean over source words s and NULL of t(w | s)) - log u(w)

  with u the target side's unigram distribution: how much more likely the words are after this source
  than anywhere (a word-level pointwise mutual information). The association adds the two directions.
  Words outside the vocabulary, and target words never seen on the target side, are left out: no
  evidence either way.

Tokens are lower-cased words (letters, digits, apostrophes) and the marks ? and !, which say much about
what answers a line. Translation probabilities below PRUNE are dropped when stored (they change no
ranking measurably, 2026-12-06) and read as FLOOR.
"""

from __future__ import annotations

import io
import json
import math
import re
import zipfile
from typing import Iterable, Sequence

import numpy as np

FORMAT = "word-links-1"
NULL = "<null>"
FLOOR = 1e-7
PRUNE = 1e-4
_TOKEN = re.compile(r"[a-z0-9']+|[?!]")


def word_tokens(text: str) -> list[str]:
    """The tokens both scores read: lower-cased words and the marks ? and !."""
    return _TOKEN.findall(text.lower())


class TranslationTable:
    """IBM Model 1 probabilities t(target | source) over one vocabulary, as sorted int64 codes
    source * size + target, with the target side's unigram probabilities."""

    def __init__(self, size: int, codes: np.ndarray, probabilities: np.ndarray, unigram: np.ndarray):
        if len(codes) != len(probabilities) or len(unigram) != size:
            raise ValueError(f"a translation table needs one probability per code and a unigram of {size}, "
                             f"got {len(codes)} codes, {len(probabilities)} probabilities, {len(unigram)} unigrams")
        order = np.argsort(codes)
        self.size = size
        self.codes = np.asarray(codes, dtype=np.int64)[order]
        self.probabilities = np.asarray(probabilities, dtype=np.float64)[order]
        self.unigram = np.asarray(unigram, dtype=np.float64)

    @classmethod
    def fit(cls, pairs: Sequence[tuple[list[int], list[int]]], size: int, null: int,
            iterations: int = 6) -> "TranslationTable":
        """EM on (source ids, target ids) pairs; `null` is the id of the NULL source word."""
        source_of, target_of, position_of = [], [], []
        targets = np.zeros(size)
        position = 0
        for source, target in pairs:
            sources = list(source) + [null]
            for word in target:
                source_of.extend(sources)
                target_of.extend([word] * len(sources))
                position_of.extend([position] * len(sources))
                targets[word] += 1
                position += 1
        if not position:
            raise ValueError("word links need at least one pair with words on both sides")
        unigram = targets / targets.sum()
        links, index = np.unique(np.array(source_of, dtype=np.int64) * size + np.array(target_of, dtype=np.int64),
                                 return_inverse=True)
        positions = np.array(position_of)
        link_source = links // size
        probabilities = unigram[links % size]  # the first E step starts from the unigram: t(w | s) = u(w)
        for _ in range(iterations):
            share = probabilities[index]
            share = share / np.bincount(positions, weights=share)[positions]
            counts = np.bincount(index, weights=share, minlength=len(links))
            probabilities = counts / np.bincount(link_source, weights=counts, minlength=size)[link_source]
        keep = probabilities >= PRUNE
        return cls(size, links[keep], probabilities[keep], unigram)

    def log_ratio(self, source: list[int], target: list[int]) -> float:
        """Sum over `target` of log(mean over `source` of t(w | s)) - log u(w); `source` holds NULL.
        Target words never seen on the target side in training are left out."""
        target = [word for word in target if self.unigram[word] > 0]
        if not target:
            return 0.0
        queries = (np.array(source, dtype=np.int64)[:, None] * self.size + np.array(target, dtype=np.int64)).ravel()
        probabilities = np.full(len(queries), FLOOR)
        if len(self.codes):
            position = np.minimum(np.searchsorted(self.codes, queries), len(self.codes) - 1)
            found = self.codes[position] == queries
            probabilities[found] = self.probabilities[position[found]]
        probabilities = probabilities.reshape(len(source), len(target))
        return float(np.sum(np.log(probabilities.mean(axis=0)) - np.log(self.unigram[target])))


class WordLinks:
    def __init__(self, vocabulary: Sequence[str], idf: np.ndarray, lines: int,
                 forward: TranslationTable, backward: TranslationTable):
        if not vocabulary or vocabulary[0] != NULL or len(idf) != len(vocabulary):
            raise ValueError(f"word links need {NULL} first and one idf per word, got {list(vocabulary[:1])} and "
                             f"{len(idf)} idf for {len(vocabulary)} words")
        self.vocabulary = list(vocabulary)
        self.index = {word: i for i, word in enumerate(self.vocabulary)}
        self.idf = np.asarray(idf, dtype=np.float64)
        self.lines = lines
        self.unseen_idf = math.log(lines + 1)
        self.forward = forward    # t(reply word | message word)
        self.backward = backward  # t(message word | reply word)

    @classmethod
    def fit(cls, pairs: Iterable[tuple[str, str]], iterations: int = 6) -> "WordLinks":
        """Both directions of IBM Model 1 and the idf, from (message, reply) training pairs."""
        tokenised = [(word_tokens(message), word_tokens(reply)) for message, reply in pairs]
        vocabulary = [NULL] + sorted({word for pair in tokenised for side in pair for word in side})
        index = {word: i for i, word in enumerate(vocabulary)}
        ids = [([index[w] for w in message], [index[w] for w in reply]) for message, reply in tokenised]
        documents = np.zeros(len(vocabulary))
        for message, reply in ids:
            for side in (message, reply):
                documents[list(set(side))] += 1
        lines = 2 * len(ids)
        idf = np.log((lines + 1) / (documents + 1))
        both = [(m, r) for m, r in ids if m and r]
        return cls(vocabulary, idf, lines,
                   TranslationTable.fit(both, len(vocabulary), 0, iterations),
                   TranslationTable.fit([(r, m) for m, r in both], len(vocabulary), 0, iterations))

    def _ids(self, text: str) -> list[int]:
        return [self.index[word] for word in word_tokens(text) if word in self.index and word != NULL]

    def _weights(self, text: str) -> dict[str, float]:
        weights: dict[str, float] = {}
        for word in word_tokens(text):
            idf = self.idf[self.index[word]] if word in self.index else self.unseen_idf
            weights[word] = weights.get(word, 0.0) + idf
        return weights

    def overlap(self, messages: Sequence[str], replies: Sequence[str]) -> np.ndarray:
        """The tf-idf cosine of each (message, reply), 0 when either has no word."""
        scores = np.zeros(len(messages))
        for i, (message, reply) in enumerate(zip(messages, replies, strict=True)):
            left, right = self._weights(message), self._weights(reply)
            norm = math.sqrt(sum(v * v for v in left.values()) * sum(v * v for v in right.values()))
            if norm:
                scores[i] = sum(value * right[word] for word, value in left.items() if word in right) / norm
        return scores

    def association(self, messages: Sequence[str], replies: Sequence[str]) -> np.ndarray:
        """The word-level mutual information of each (message, reply), read both ways (module docstring)."""
        scores = np.zeros(len(messages))
        for i, (message, reply) in enumerate(zip(messages, replies, strict=True)):
            message_ids, reply_ids = self._ids(message), self._ids(reply)
            scores[i] = (self.forward.log_ratio(message_ids + [0], reply_ids)
                         + self.backward.log_ratio(reply_ids + [0], message_ids))
        return scores

    # --- storage ------------------------------------------------------------------------------

    @property
    def links(self) -> int:
        return len(self.forward.codes) + len(self.backward.codes)

    def to_bytes(self) -> bytes:
        header = {"format": FORMAT, "vocabulary": self.vocabulary, "lines": self.lines}
        arrays = {"header": np.frombuffer(json.dumps(header, ensure_ascii=False).encode("utf-8"), dtype=np.uint8),
                  "idf": self.idf.astype(np.float32)}
        for name, table in (("forward", self.forward), ("backward", self.backward)):
            arrays[f"{name}_codes"] = table.codes
            arrays[f"{name}_probabilities"] = table.probabilities.astype(np.float32)
            arrays[f"{name}_unigram"] = table.unigram.astype(np.float32)
        buffer = io.BytesIO()
        np.savez_compressed(buffer, **arrays)
        return buffer.getvalue()

    @classmethod
    def from_bytes(cls, blob: bytes) -> "WordLinks":
        try:
            with np.load(io.BytesIO(bytes(blob)), allow_pickle=False) as archive:
                header = json.loads(archive["header"].tobytes().decode("utf-8"))
                if header.get("format") != FORMAT:
                    raise ValueError(f"not {FORMAT} word links (format {header.get('format')!r})")
                size = len(header["vocabulary"])
                tables = [TranslationTable(size, archive[f"{name}_codes"], archive[f"{name}_probabilities"],
                                           archive[f"{name}_unigram"]) for name in ("forward", "backward")]
                idf = archive["idf"]
        except (OSError, EOFError, KeyError, ValueError, zipfile.BadZipFile) as error:  # ValueError: JSON, unicode, pickle
            raise ValueError(f"not word links ({error.__class__.__name__}: {error})") from None
        return cls(header["vocabulary"], idf, int(header["lines"]), *tables)
