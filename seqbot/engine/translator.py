"""English -> French translation with the exported character-level seq2seq model, NumPy only.

    translator = Translator.load()                        # checkpoints/translator.npz
    result = translator.translate("I love this movie.")   # greedy; beam=5 for beam search
    result.text, result.attention                         # French, (len(text), len(source)) weights
    for char in translator.stream("Hello."):              # greedy characters as they are decoded
        print(char, end="", flush=True)
    translator.translate_batch(lines)                     # many sentences, decoded together
    for text in translator.stream_beam("Hello.", beam=5): # the best beam hypothesis so far, as it changes
        print(text)

Before encoding, the text is NFC-normalised, its whitespace collapsed to single spaces and trimmed.
A character the model never saw is first mapped to a close one it knows when there is one (curly
quotes and dashes to ASCII, upper to lower case if the model only knows lower case); otherwise it is
reported in `unknown_chars` and skipped. Text in capitals ("HOW ARE YOU?") is read in sentence
case, as the model learnt from. Input longer than the model's max_source_length is split at its
sentence ends into pieces the model reads whole, translated together and joined; a single sentence
still too long is cut at the limit and flagged `truncated`. Empty input gives an empty Translation.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass, field
from pathlib import Path
from typing import Generator, Iterator

import numpy as np

from seqbot.artifact import Artifact, load_artifact
from seqbot.engine import decoding
from seqbot.engine.seq2seq import KIND, PAD, SPECIALS, Seq2SeqModel, limit_blas_threads
from seqbot.errors import CheckpointError, SeqbotError
from seqbot.paths import default_checkpoint

# Typographic characters and the plain ones to use when the model only knows those.
FALLBACKS = {
    "\u2018": "'", "\u2019": "'", "\u201a": "'", "\u2032": "'", "`": "'", "\u00b4": "'",
    "\u201c": '"', "\u201d": '"', "\u201e": '"', "\u00ab": '"', "\u00bb": '"',
    "\u2013": "-", "\u2014": "-", "\u2212": "-", "\u2026": "...",
}
SENTENCE_END = re.compile(r"(?<=[.!?])\s+")
CLAUSE_END = re.compile(r"(?<=[,;:])\s+")
BATCH_SIZE = 64  # sentences decoded together by translate_batch (larger batches were no faster here)
MAX_BEAM = 64


@dataclass
class Translation:
    source: str  # what was actually fed to the model
    text: str
    attention: np.ndarray | None  # (len(text), len(source)); None without attention or for empty input
    unknown_chars: list[str] = field(default_factory=list)
    truncated: bool = False
    log_prob: float | None = None  # model log-probability of the output (with <end>), None for empty input


@dataclass
class PreparedSource:
    """A sentence ready for the encoder: its ids and what the user should be told about it."""

    source: str
    ids: np.ndarray
    unknown_chars: list[str]
    truncated: bool


class Translator:
    def __init__(self, artifact: Artifact, path: str | Path | None = None):
        task = artifact.config.get("task", "translate")
        if task != "translate":
            raise CheckpointError(f"{path or 'this checkpoint'} holds a seq2seq model for {task!r}, not a translator")
        self.model = Seq2SeqModel.from_artifact(artifact)
        self.config = artifact.config
        self.metadata = artifact.metadata
        self.path = path
        self._source_ids = {char: i for i, char in enumerate(self.model.source_vocab) if i >= len(SPECIALS)}
        self._target_chars = np.array(
            ["" if i < len(SPECIALS) else char for i, char in enumerate(self.model.target_vocab)], dtype=object)
        limit_blas_threads(1)

    @classmethod
    def load(cls, path: str | Path | None = None) -> "Translator":
        """Load a translator artifact (default checkpoints/translator.npz); CheckpointError if unusable."""
        path = Path(path) if path is not None else default_checkpoint("translator")
        return cls(load_artifact(path, kind=KIND), path)

    @property
    def max_source_length(self) -> int:
        return self.model.max_source_length

    def _known(self, char: str) -> str | None:
        """The character(s) the model reads for `char`, or None if it cannot read it."""
        if char in self._source_ids:
            return char
        for candidate in (FALLBACKS.get(char), char.lower(), unicodedata.normalize("NFKD", char)[:1]):
            if candidate and all(c in self._source_ids for c in candidate):
                return candidate
        return None

    def segments(self, text: str) -> list[str]:
        """`text` as pieces the model can read whole: itself if short enough, else its sentences,
        neighbours packed together up to max_source_length characters."""
        text = " ".join(unicodedata.normalize("NFC", text).split())
        if len(text) <= self.max_source_length:
            return [text]
        parts = []
        for sentence in SENTENCE_END.split(text):  # a sentence too long on its own goes clause by clause
            parts += CLAUSE_END.split(sentence) if len(sentence) > self.max_source_length else [sentence]
        pieces: list[str] = []
        for part in parts:
            if pieces and len(pieces[-1]) + 1 + len(part) <= self.max_source_length:
                pieces[-1] += " " + part
            else:
                pieces.append(part)
        return pieces

    def prepare(self, text: str) -> PreparedSource:
        text = sentence_case(" ".join(unicodedata.normalize("NFC", text).split()))
        unknown: dict[str, None] = {}
        pieces = []
        for char in text:
            known = self._known(char)
            if known is None:
                unknown[char] = None
            else:
                pieces.append(known)
        source = " ".join("".join(pieces).split())  # skipping a character may leave two spaces
        truncated = len(source) > self.max_source_length
        if truncated:  # cut at the last word boundary when there is one in the second half
            cut = source.rfind(" ", self.max_source_length // 2, self.max_source_length + 1)
            source = source[: cut if cut > 0 else self.max_source_length]
        ids = np.array([self._source_ids[char] for char in source], dtype=np.int64)
        return PreparedSource(source, ids, list(unknown), truncated)

    def unknown_characters(self, text: str) -> list[str]:
        """Characters of `text` the model never saw (and that have no known stand-in), in order of appearance."""
        return self.prepare(text).unknown_chars

    def _text(self, tokens: np.ndarray) -> tuple[str, np.ndarray]:
        """Output characters, and which tokens are characters (not <unk> or another special)."""
        chars = self._target_chars[tokens]
        is_char = tokens >= len(SPECIALS)
        return "".join(chars[is_char]), is_char

    def _translation(self, prepared: PreparedSource, hypothesis: decoding.Hypothesis) -> Translation:
        text, is_char = self._text(hypothesis.tokens)
        attention = None
        if hypothesis.attention is not None:
            attention = hypothesis.attention[is_char][:, : len(prepared.source)]
        return Translation(prepared.source, text, attention, prepared.unknown_chars, prepared.truncated,
                           hypothesis.log_prob)

    @staticmethod
    def _empty(prepared: PreparedSource) -> Translation:
        return Translation(prepared.source, "", None, prepared.unknown_chars, prepared.truncated)

    def translate(self, text: str, beam: int = 1, alpha: float = 1.0) -> Translation:
        """Greedy (beam=1) or beam-search translation of one sentence."""
        return self.translate_batch([text], beam=beam, alpha=alpha)[0]

    def translate_batch(self, texts: list[str], beam: int = 1, alpha: float = 1.0) -> list[Translation]:
        """Translate many texts; long ones as their sentences (see segments), all decoded together."""
        check_beam(beam)
        segments = [self.segments(text) for text in texts]
        flat = self._translate_pieces([piece for pieces in segments for piece in pieces], beam, alpha)
        results, start = [], 0
        for pieces in segments:
            results.append(flat[start] if len(pieces) == 1 else join_translations(flat[start:start + len(pieces)]))
            start += len(pieces)
        return results

    def _translate_pieces(self, texts: list[str], beam: int, alpha: float) -> list[Translation]:
        """Greedy decodes the pieces in length-sorted batches of BATCH_SIZE; beam search one by one."""
        prepared = [self.prepare(text) for text in texts]
        results: list[Translation | None] = [None] * len(prepared)
        todo = []
        for i, item in enumerate(prepared):
            if len(item.ids) == 0:
                results[i] = self._empty(item)
            else:
                todo.append(i)
        if beam > 1:
            for i in todo:
                best = decoding.beam_search(self.model, prepared[i].ids, width=beam, alpha=alpha)[0]
                results[i] = self._translation(prepared[i], best)
            return results
        todo.sort(key=lambda i: len(prepared[i].ids))  # similar lengths together: little padding
        for start in range(0, len(todo), BATCH_SIZE):
            chunk = todo[start:start + BATCH_SIZE]
            width = max(len(prepared[i].ids) for i in chunk)
            source_ids = np.full((len(chunk), width), PAD, dtype=np.int64)
            for row, i in enumerate(chunk):
                source_ids[row, : len(prepared[i].ids)] = prepared[i].ids
            for i, hypothesis in zip(chunk, decoding.greedy(self.model, source_ids)):
                results[i] = self._translation(prepared[i], hypothesis)
        return results

    def stream(self, text: str) -> Iterator[str]:
        """Greedy translation, one character at a time as it is decoded (the same text as translate())."""
        written = False
        for piece in self.segments(text):
            prepared = self.prepare(piece)
            if len(prepared.ids) == 0:
                continue
            if written:
                yield " "
            for token, _ in decoding.stream_greedy(self.model, prepared.ids):
                if token >= len(SPECIALS):
                    written = True
                    yield self._target_chars[token]

    def stream_beam(self, text: str, beam: int = 5, alpha: float = 1.0) -> Generator[str, None, Translation]:
        """Beam-search translation as it runs: yields the whole text so far each time it changes,
        the best hypothesis of the running search (which may change, not only grow) after the
        pieces already done (long input goes piece by piece, see segments). The last text yielded
        is translate(text, beam, alpha).text, and the generator returns that Translation."""
        check_beam(beam)
        done: list[Translation] = []
        shown = None
        for piece in self.segments(text):
            prepared = self.prepare(piece)
            if len(prepared.ids) == 0:
                done.append(self._empty(prepared))
                continue
            before = " ".join(part.text for part in done if part.text)
            steps = decoding.stream_beam_search(self.model, prepared.ids, width=beam, alpha=alpha)
            while True:
                try:
                    partial = next(steps)
                except StopIteration as stop:
                    done.append(self._translation(prepared, stop.value[0]))
                    break
                partial_text = self._text(partial.tokens)[0]
                current = f"{before} {partial_text}" if before and partial_text else before or partial_text
                if current != shown:
                    shown = current
                    yield current
        result = done[0] if len(done) == 1 else join_translations(done)
        if result.text != shown:
            yield result.text
        return result


def sentence_case(text: str) -> str:
    """Text written in capitals, in sentence case ("HOW ARE YOU, I MEAN?" -> "How are you, I mean?");
    other text unchanged. The corpus is in sentence case, so capitals read as unknown words."""
    letters = [char for char in text if char.isalpha()]
    if len(letters) < 4 or sum(char.isupper() for char in letters) < 0.8 * len(letters):
        return text
    lowered = re.sub(r"\bi\b", "I", text.lower())
    return re.sub(r"(^|[.!?]\s+)(\w)", lambda match: match.group(1) + match.group(2).upper(), lowered)


def join_translations(parts: list[Translation]) -> Translation:
    """One Translation from the translations of consecutive pieces, joined by spaces; the attention
    is block-diagonal (each piece's output attends only to its own source)."""
    text = " ".join(part.text for part in parts if part.text)
    source = " ".join(part.source for part in parts)
    attention = None
    if all(part.attention is not None or not part.text for part in parts):
        attention = np.zeros((len(text), len(source)), dtype=np.float32)
        row = column = 0
        for part in parts:
            if part.text:
                rows, columns = part.attention.shape
                attention[row:row + rows, column:column + columns] = part.attention
                row += rows + 1  # the joining space attends to nothing
            column += len(part.source) + 1
    unknown = list(dict.fromkeys(char for part in parts for char in part.unknown_chars))
    log_probs = [part.log_prob for part in parts if part.log_prob is not None]
    return Translation(source, text, attention, unknown, any(part.truncated for part in parts),
                       sum(log_probs) if log_probs else None)


def check_beam(beam) -> None:
    if not isinstance(beam, (int, np.integer)) or not 1 <= beam <= MAX_BEAM:
        raise SeqbotError(f"beam width must be a whole number from 1 to {MAX_BEAM}, got {beam!r}")
