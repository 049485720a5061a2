"""English -> French translation with the exported character-level seq2seq model, NumPy only.

    translator = Translator.load()                        # checkpoints/translator.npz
    result = translator.translate("I love this movie.")   # the artifact's decoding (DecodingConfig); beam=1: greedy
    result.text, result.attention                         # French, (len(text), len(source)) weights
    for char in translator.stream("Hello."):              # greedy characters as they are decoded
        print(char, end="", flush=True)
    translator.translate_batch(lines)                     # many sentences, decoded together (batched beam search)
    translator.translate(text, beam=4, progress=print)    # the same search, reporting the best text so far each step
    for text in translator.stream_beam("Hello.", beam=5): # the best beam hypothesis so far, as it changes
        print(text)
    result.char_probs, result.words, result.confidence   # how sure it is (seqbot.engine.confidence)
    translator.alternatives("Hello.", 4)                  # up to 4 distinct translations, best first
    translator.translate(text, alternatives=4).alternatives  # ... from the same search as the translation

Before encoding, the text is NFC-normalised, its whitespace collapsed to single spaces and trimmed.
A character the model never saw is first mapped to a close one it knows when there is one (curly
quotes and dashes to ASCII, upper to lower case if the model only knows lower case); otherwise it is
reported in `unknown_chars` and skipped. A model trained on letter-case variants ("case_variants" in
its config) reads text as typed; for older ones, text in capitals ("HOW ARE YOU?") is read in
sentence case, as they learnt from. Input longer than the model's max_source_length is split at its
sentence ends, then clause ends, then word boundaries into pieces the model reads whole, translated
together and joined: nothing is dropped (a single word longer than the limit is cut into parts).
Text of several sentences is always read sentence by sentence, as the corpus pairs them.
A checkpoint exported with placeholders (seqbot.data.placeholders) reads a capitalised word its
training English never held as a stand-in name it copies (Tom), and a number as a number word it
translates (three), and writes what was typed back into the French; text typed in capitals is read
truecased and answered in capitals. `source` is what the
model read (with the stand-in), `text` what the person sees.
Empty input gives an empty Translation. Text with no Latin letter (Korean, emoji, symbols or digits
only) is not decoded at all: it gives an empty Translation whose `not_translated` says why
(`untranslatable`, the one rule the CLI and the app both apply), never French made up from its
punctuation. Decoding settings (beam width, length penalty, output
length cap relative to the input, repetition guard) come from the artifact's DecodingConfig; every
path decodes through decoding.decode (many sentences in one batched call). Attention weights are kept
only when asked for (`translate(..., attention=True)`, the app's heatmap), so memory stays linear
in the input; for a beam search over several sentences they come from one more batched pass.

`progress` is how the app shows a beam search as it runs without paying for it: a text of several
sentences is still decoded in one batched search (a search per sentence, one after the other,
made a paragraph cost about three times what `seqbot translate` costs), and one sentence by the
search that keeps its attention as it goes.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass, field
from pathlib import Path
from typing import Callable, Generator

import numpy as np

from seqbot.artifact import Artifact, load_artifact
from seqbot.contract.limits import MAX_BEAM
from seqbot.contract.tokens import END, PAD, SPECIALS, START
from seqbot.data.placeholders import Placeholders, StreamRestorer, Swap, capitals, mostly_capitals, restore
from seqbot.data.scripts import describe_scripts, has_latin_letters
from seqbot.engine import decoding
from seqbot.engine.confidence import MARGIN_CAP, ConfidenceFeatures, ConfidenceModel, WordScore, word_scores
from seqbot.engine.seq2seq import KIND, Seq2SeqModel, limit_blas_threads
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


@dataclass
class Translation:
    source: str  # what was actually fed to the model
    text: str
    attention: np.ndarray | None  # (len(text), len(source)); None without attention or for empty input
    unknown_chars: list[str] = field(default_factory=list)
    truncated: bool = False
    log_prob: float | None = None  # model log-probability of the output (with <end>), None for empty input
    not_translated: str | None = None  # why the text was not given to the model at all (see untranslatable)
    # How sure the model is (seqbot.engine.confidence): each character's probability as decoded (None for
    # empty output), what the sentence confidence is computed from, and the calibrated P(good translation)
    # (None when the artifact has no calibrator for this decoding, or nothing was decoded).
    char_probs: np.ndarray | None = None
    features: ConfidenceFeatures | None = None
    confidence: float | None = None
    score: float | None = None  # alternatives only: the beam's ranking score (mean over sentences)
    # translate(..., alternatives=K): up to K distinct translations from the same search, best first (this one first)
    alternatives: list["Translation"] | None = None

    @property
    def words(self) -> list[WordScore]:
        """One score per French word: the minimum of its characters' probabilities."""
        return word_scores(self.text, self.char_probs)


@dataclass
class PreparedSource:
    """A sentence ready for the encoder: its ids and what the user should be told about it."""

    source: str
    ids: np.ndarray
    unknown_chars: list[str]
    truncated: bool
    swaps: list[Swap] = field(default_factory=list)  # names and numbers behind stand-ins (seqbot.data.placeholders)
    capitals: bool = False  # typed in capitals, read truecased: the French is written in capitals


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
        self.case_variants = bool(artifact.config.get("case_variants", False))
        # Unknown names and numbers go through the model as stand-ins (seqbot.data.placeholders); set
        # to None to feed them as typed (eval translate --no-placeholders).
        self.placeholders: Placeholders | None = None
        if artifact.config.get("placeholders") is not None:
            try:
                self.placeholders = Placeholders.from_config(artifact.config["placeholders"])
            except ValueError as error:
                raise CheckpointError(f"{path or 'this checkpoint'}: {error}") from None
        try:
            self.decoding = decoding.DecodingConfig.from_dict(artifact.config.get("decoding"))
        except (TypeError, ValueError) as error:
            raise CheckpointError(f"{path or 'this checkpoint'} records unusable decoding settings: {error}") from None
        # The sentence-confidence calibrators (seqbot.engine.confidence); None: confidence stays None.
        self.confidence: ConfidenceModel | None = None
        if artifact.config.get("confidence"):
            try:
                self.confidence = ConfidenceModel.from_config(artifact.config["confidence"])
            except ValueError as error:
                raise CheckpointError(f"{path or 'this checkpoint'} records an unusable confidence calibrator: {error}; "
                                      f"refit it with `seqbot train calibrate`") from None
        # Tokens after which a word has ended: where the repetition guard looks.
        self._boundaries = [i for i, char in enumerate(self._target_chars) if char and not (char.isalnum() or char == "'")]
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
        """`text` as pieces the model reads whole, one sentence each (the corpus pairs one sentence
        with one sentence); a sentence longer than max_source_length goes clause by clause, then
        word by word, neighbours packed together up to the limit."""
        text = " ".join(unicodedata.normalize("NFC", text).split())
        limit = self.max_source_length
        pieces: list[str] = []
        for sentence in SENTENCE_END.split(text):
            if len(sentence) <= limit:
                pieces.append(sentence)
                continue
            parts: list[str] = []
            for clause in CLAUSE_END.split(sentence):
                parts += _words_within(clause, limit) if len(clause) > limit else [clause]
            packed: list[str] = []
            for part in parts:
                if packed and len(packed[-1]) + 1 + len(part) <= limit:
                    packed[-1] += " " + part
                else:
                    packed.append(part)
            pieces += packed
        return pieces or [text]

    def prepare(self, text: str) -> PreparedSource:
        text = " ".join(unicodedata.normalize("NFC", text).split())
        if not self.case_variants:
            text = sentence_case(text)
        swaps: list[Swap] = []
        upper = False
        if self.placeholders is not None:
            if self.case_variants and mostly_capitals(text):
                text, upper = self.placeholders.truecase(text), True
            text, swaps = self.placeholders.hide(text)
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
        return PreparedSource(source, ids, list(unknown), truncated, swaps, upper)

    def unknown_characters(self, text: str) -> list[str]:
        """Characters of `text` the model never saw (and that have no known stand-in), in order of appearance."""
        return self.prepare(text).unknown_chars

    def _text(self, tokens: np.ndarray) -> tuple[str, np.ndarray]:
        """Output characters, and which tokens are characters (not <unk> or another special)."""
        chars = self._target_chars[tokens]
        is_char = tokens >= len(SPECIALS)
        return "".join(chars[is_char]), is_char

    def _shown(self, prepared: PreparedSource, tokens: np.ndarray) -> str:
        """The text a person sees for `tokens`: hidden names restored, in capitals if typed so."""
        text = restore(self._text(tokens)[0], prepared.swaps)[0]
        return capitals(text) if prepared.capitals else text

    def _translation(self, prepared: PreparedSource, hypothesis: decoding.Hypothesis, keep_attention: bool = True,
                     margin: float | None = None) -> Translation:
        """`hypothesis` as the person sees it; character scores follow the restored text as attention
        rows do. `margin`: beam search's lead over the next distinct translation (None for greedy)."""
        text, is_char = self._text(hypothesis.tokens)
        text, rows = restore(text, prepared.swaps)
        if prepared.capitals:
            text = capitals(text)
        attention = None
        if keep_attention and hypothesis.attention is not None:
            attention = hypothesis.attention[is_char][:, : len(prepared.source)][rows]
        char_probs = features = None
        scored = hypothesis.token_log_probs
        if scored is not None:
            char_probs = np.exp(scored[: len(hypothesis.tokens)][is_char][rows])
            features = ConfidenceFeatures(hypothesis.log_prob, hypothesis.length, float(scored.min()) if len(scored) else 0.0,
                                          len(prepared.source), len(text), len(prepared.unknown_chars), margin)
        return Translation(prepared.source, text, attention, prepared.unknown_chars, prepared.truncated,
                           hypothesis.log_prob, char_probs=char_probs, features=features)

    def _margin(self, prepared: PreparedSource, ranked: list[decoding.Hypothesis], config: decoding.DecodingConfig,
                index: int = 0) -> float:
        """How far ranked[index] scores above the best other distinct translation (by the text shown),
        in the beam's length-normalised score; MARGIN_CAP when there is none."""
        def score(hypothesis):
            return decoding.normalised_score(hypothesis.log_prob, hypothesis.length, config.alpha, config.penalty)

        own, text = score(ranked[index]), self._shown(prepared, ranked[index].tokens)
        others = [score(h) for i, h in enumerate(ranked) if i != index and self._shown(prepared, h.tokens) != text]
        if not others or not np.isfinite(max(others)):
            return MARGIN_CAP
        return float(own - max(others)) if np.isfinite(own) else 0.0

    def confident(self, result: Translation, beam: int) -> Translation:
        """`result` with its calibrated confidence for a decoding of width `beam` (when the artifact has one)."""
        calibrator = self.confidence.for_beam(beam) if self.confidence is not None else None
        if calibrator is not None and result.features is not None and (beam <= 1 or result.features.margin is not None):
            result.confidence = calibrator.probability(result.features)
        return result

    @staticmethod
    def _empty(prepared: PreparedSource) -> Translation:
        return Translation(prepared.source, "", None, prepared.unknown_chars, prepared.truncated)

    def translate(self, text: str, beam: int | None = None, alpha: float | None = None, attention: bool = True,
                  progress: Callable[[str], None] | None = None, alternatives: int | None = None) -> Translation:
        """One text; beam / alpha default to the artifact's DecodingConfig (beam 1 = greedy).
        `progress(text_so_far)`, when given, is called after every step of a beam search with the
        best translation so far (every sentence's best hypothesis, which may change, not only
        grow); an exception it raises stops the search. `alternatives`: see translate_batch."""
        report = None if progress is None else (lambda texts: progress(texts[0]))
        return self.translate_batch([text], beam=beam, alpha=alpha, attention=attention, progress=report,
                                    alternatives=alternatives)[0]

    def translate_batch(self, texts: list[str], beam: int | None = None, alpha: float | None = None,
                        attention: bool = False, progress: Callable[[list[str]], None] | None = None,
                        on_batch: Callable[[int, int], None] | None = None,
                        alternatives: int | None = None) -> list[Translation]:
        """Translate many texts; long ones as their pieces (see segments), all decoded together.
        `progress(texts_so_far)`: see translate. `on_batch(pieces_done, pieces)` after each batch
        of BATCH_SIZE pieces (sentences): how far a long input is (`seqbot translate` shows it).
        `alternatives` K: the search is K wide when the beam is narrower, and each Translation's
        `alternatives` holds up to K distinct translations from that same search, best first, each
        with its confidence and `score` (the beam's length-normalised score, averaged over the text's
        sentences): the first is the translation itself. A text of several sentences gets the best
        combinations of its sentences' hypotheses (the plain one, then one sentence changed, ...)."""
        config = self._config(beam, alpha, alternatives)
        refusals = [untranslatable(text) for text in texts]
        segments = [[] if refusal else self.segments(text) for text, refusal in zip(texts, refusals)]
        piece_progress = None
        if progress is not None:
            def piece_progress(pieces_so_far: list[str]) -> None:
                texts_so_far, start = [], 0
                for pieces in segments:
                    texts_so_far.append(" ".join(part for part in pieces_so_far[start:start + len(pieces)] if part))
                    start += len(pieces)
                progress(texts_so_far)
        flat, options = self._translate_pieces([piece for pieces in segments for piece in pieces], config, attention,
                                               piece_progress, on_batch, alternatives)
        results, start = [], 0
        for pieces, refusal in zip(segments, refusals):
            if refusal:
                results.append(Translation("", "", None, not_translated=refusal, alternatives=[] if alternatives else None))
                continue
            joined = flat[start] if len(pieces) == 1 else join_translations(flat[start:start + len(pieces)])
            results.append(self.confident(joined, config.beam))
            if alternatives:
                joined.alternatives = self._combinations(options[start:start + len(pieces)], alternatives, config)
            start += len(pieces)
        return results

    def _config(self, beam: int | None, alpha: float | None, alternatives: int | None = None) -> decoding.DecodingConfig:
        """The artifact's decoding with `beam` / `alpha`, at least `alternatives` wide."""
        if alternatives is not None and (not isinstance(alternatives, (int, np.integer)) or not 1 <= alternatives <= MAX_BEAM):
            raise SeqbotError(f"alternatives: ask for 1 to {MAX_BEAM} translations, got {alternatives!r}")
        if beam is not None:
            decoding.check_beam(beam)
        config = decoding.DecodingConfig.from_dict(self.decoding.to_dict(), beam=beam, alpha=alpha)
        if alternatives and alternatives > config.beam:
            config = decoding.DecodingConfig.from_dict(config.to_dict(), beam=alternatives)
        return config

    def _filter(self, config: decoding.DecodingConfig) -> dict:
        """The repetition guard as beam search's candidate filter, asked when a word ends (none when
        switched off, and none for greedy, which writes what the model ranks first)."""
        if config.beam == 1 or not (config.repetition_ngram or config.max_char_run):
            return {}
        guard = decoding.RepetitionGuard(config.repetition_ngram, config.max_char_run)

        def allow(sentence: int, tokens: np.ndarray) -> bool:
            finished = len(tokens) > 0 and tokens[-1] == END
            return guard.allows(self._text(tokens[:-1] if finished else tokens)[0], finished=finished)

        return {"allow": allow, "boundary_tokens": self._boundaries}

    def _decode(self, prepared: list[PreparedSource], config: decoding.DecodingConfig, attention: bool = False,
                on_step=None, report: bool = False):
        """decoding.decode_steps over `prepared` (pieces with ids), padded into one batch; each piece's
        ranked hypotheses come back as the generator's value."""
        width = max(len(item.ids) for item in prepared)
        source_ids = np.full((len(prepared), width), PAD, dtype=np.int64)
        for row, item in enumerate(prepared):
            source_ids[row, : len(item.ids)] = item.ids
        caps = np.array([self._cap(item, config) for item in prepared])
        return decoding.decode_steps(self.model, source_ids, config, max_lengths=caps, keep_attention=attention,
                                     nbest=True, report=report, **self._filter(config))

    def _translate_pieces(self, texts: list[str], config: decoding.DecodingConfig, attention: bool,
                          progress: Callable[[list[str]], None] | None = None,
                          on_batch: Callable[[int, int], None] | None = None, alternatives: int | None = None):
        """Decodes the pieces in length-sorted batches of BATCH_SIZE (one call of decoding.decode each).
        `progress(pieces_so_far)` after each beam step and each batch. Returns each piece's Translation
        and, with `alternatives`, its distinct options [(score, Translation), ...], best first."""
        prepared = [self.prepare(text) for text in texts]
        so_far = [""] * len(prepared)
        results: list[Translation | None] = [None] * len(prepared)
        options: list[list[tuple[float, Translation]] | None] = [None] * len(prepared)
        todo = []
        for i, item in enumerate(prepared):
            if len(item.ids) == 0:
                results[i] = self._empty(item)
                options[i] = [(0.0, self._empty(item))]
            else:
                todo.append(i)
        todo.sort(key=lambda i: len(prepared[i].ids))  # similar lengths together: little padding
        for start in range(0, len(todo), BATCH_SIZE):
            chunk = todo[start:start + BATCH_SIZE]
            reporting = progress is not None and config.beam > 1
            steps = self._decode([prepared[i] for i in chunk], config, attention, report=reporting)
            ranked = decoding.drain(steps, self._reporter(chunk, prepared, so_far, progress) if reporting else None)
            hypotheses = [found[0] for found in ranked]
            margins = [self._margin(prepared[i], found, config) if config.beam > 1 else None for i, found in zip(chunk, ranked)]
            if attention and self.model.attention != "none":
                missing = [(i, h) for i, h in zip(chunk, hypotheses) if h.attention is None]
                if missing:
                    weights = self._attention_for([prepared[i].ids for i, _ in missing], [h.tokens for _, h in missing])
                    for (_, hypothesis), rows in zip(missing, weights):
                        hypothesis.attention = rows
            for i, hypothesis, margin, found in zip(chunk, hypotheses, margins, ranked):
                results[i] = self._translation(prepared[i], hypothesis, attention, margin)
                so_far[i] = results[i].text
                if alternatives:
                    options[i] = self._options(prepared[i], found, config, alternatives)
            if progress is not None:
                progress(so_far)
            if on_batch is not None:
                on_batch(start + len(chunk), len(todo))
        return results, options

    def _reporter(self, chunk: list[int], prepared: list[PreparedSource], so_far: list[str], progress):
        """decode's on_step: each sentence's best hypothesis so far into `so_far`, then `progress`."""
        def on_step(step: decoding.Step) -> None:
            for sentence in step.sentences:
                best = step.best(int(sentence))
                if best is not None:
                    so_far[chunk[sentence]] = self._shown(prepared[chunk[sentence]], best.tokens)
            progress(so_far)

        return on_step

    def _options(self, prepared: PreparedSource, ranked: list[decoding.Hypothesis], config: decoding.DecodingConfig,
                 count: int) -> list[tuple[float, Translation]]:
        """Up to `count` distinct translations (by the text shown) of one piece's ranked hypotheses,
        each with the beam's normalised score, best first."""
        distinct: dict[str, tuple[float, Translation]] = {}
        for index, hypothesis in enumerate(ranked):
            shown = self._shown(prepared, hypothesis.tokens)
            if shown not in distinct and len(distinct) < count:
                score = decoding.normalised_score(hypothesis.log_prob, hypothesis.length, config.alpha, config.penalty)
                margin = self._margin(prepared, ranked, config, index) if config.beam > 1 else None
                distinct[shown] = (float(score), self._translation(prepared, hypothesis, keep_attention=False, margin=margin))
        return list(distinct.values())

    def _combinations(self, options: list[list[tuple[float, Translation]]], count: int,
                      config: decoding.DecodingConfig) -> list[Translation]:
        """A text's `count` best distinct translations from its pieces' options (see translate_batch)."""
        if all(len(found) == 1 and not found[0][1].text and found[0][1].features is None for found in options):
            return []  # nothing the model could read (blank, or characters it never saw)
        results: list[Translation] = []
        for score, parts in best_combinations(options, count):
            result = parts[0] if len(parts) == 1 else join_translations(list(parts))
            if result.text in {other.text for other in results}:
                continue
            result.score = score
            results.append(self.confident(result, config.beam))
        return results

    def _attention_for(self, sources: list[np.ndarray], outputs: list[np.ndarray]) -> list[np.ndarray]:
        """The attention weights behind each output token (batched beam search does not keep them):
        the chosen tokens fed back through the decoder, every sentence at once, one step per token."""
        width = max(len(ids) for ids in sources)
        source_ids = np.full((len(sources), width), PAD, dtype=np.int64)
        for row, ids in enumerate(sources):
            source_ids[row, : len(ids)] = ids
        rows = [np.zeros((len(tokens), len(ids)), dtype=np.float32) for ids, tokens in zip(sources, outputs)]
        steps = max((len(tokens) for tokens in outputs), default=0)
        if not steps:
            return rows
        state = self.model.encode(source_ids)
        previous = np.full(len(sources), START, dtype=np.int64)
        for t in range(steps):
            _, state, weights = self.model.step(previous, state)
            for row, (ids, tokens) in enumerate(zip(sources, outputs)):
                if t < len(tokens):
                    rows[row][t] = weights[row, : len(ids)]
            previous = np.array([tokens[t] if t < len(tokens) else END for tokens in outputs], dtype=np.int64)
        return rows

    def _cap(self, prepared: PreparedSource, config: decoding.DecodingConfig) -> int:
        return config.max_length(len(prepared.ids), self.model.max_target_length)

    def stream(self, text: str) -> Generator[str, None, Translation]:
        """Greedy translation, one character at a time as it is decoded (the same text as
        translate(text, beam=1)); the generator returns that Translation, attention and confidence
        included, so nobody decodes the text a second time to get it."""
        scored = self.stream_scored(text)
        while True:
            try:
                piece, _ = next(scored)
            except StopIteration as stop:
                return stop.value
            yield piece

    def stream_scored(self, text: str) -> Generator[tuple[str, list[float]], None, Translation]:
        """stream(), with each piece's characters' probabilities: yields (piece, [P(char), ...])."""
        refusal = untranslatable(text)
        if refusal:
            return Translation("", "", None, not_translated=refusal)
        config = decoding.DecodingConfig.from_dict(self.decoding.to_dict(), beam=1)
        written = False
        done: list[Translation] = []
        for piece in self.segments(text):
            prepared = self.prepare(piece)
            if len(prepared.ids) == 0:
                done.append(self._empty(prepared))
                continue
            if written:
                yield " ", [1.0]
            restorer = StreamRestorer(prepared.swaps)
            tokens, scored = [], []
            held: list[int] = []  # decoded characters (indices into `tokens`) the restorer has not shown yet
            steps = self._decode([prepared], config, report=True)
            while True:
                try:
                    step = next(steps)
                except StopIteration as stop:
                    hypothesis = stop.value[0][0]
                    break
                token = int(step.tokens[0])
                if token == END:
                    continue
                tokens.append(token)
                scored.append(float(step.token_log_probs[0]))
                if token >= len(SPECIALS):
                    written = True
                    held.append(len(tokens) - 1)
                    shown = restorer.feed(self._target_chars[token])
                    if shown:
                        yield self._scored_piece(prepared, shown, held, scored, tokens)
            rest = restorer.flush()
            if rest:
                yield self._scored_piece(prepared, rest, held, scored, tokens)
            done.append(self._translation(prepared, hypothesis))
        return self.confident(done[0] if len(done) == 1 else join_translations(done), 1)

    def _scored_piece(self, prepared: PreparedSource, shown: str, held: list[int], scored: list[float],
                      tokens: list[int]):
        """(shown, its characters' probabilities) for what the restorer let out of the `held` decoded
        characters (indices into `tokens` and `scored`): a restored name takes its stand-in's scores."""
        rows = restore("".join(self._target_chars[tokens[i]] for i in held), prepared.swaps)[1]
        probabilities = [float(np.exp(scored[held[row]])) for row in rows]
        held.clear()
        return (capitals(shown) if prepared.capitals else shown), probabilities

    def stream_beam(self, text: str, beam: int | None = None, alpha: float | None = None) -> Generator[str, None, Translation]:
        """Beam-search translation as it runs: yields the whole text so far each time it changes,
        the best hypothesis of the running search (which may change, not only grow) after the
        pieces already done (long input goes piece by piece, see segments). The last text yielded
        is translate(text, beam, alpha).text, and the generator returns that Translation."""
        config = self._config(beam, alpha)
        refusal = untranslatable(text)
        if refusal:
            return Translation("", "", None, not_translated=refusal)
        done: list[Translation] = []
        shown = None
        for piece in self.segments(text):
            prepared = self.prepare(piece)
            if len(prepared.ids) == 0:
                done.append(self._empty(prepared))
                continue
            before = " ".join(part.text for part in done if part.text)
            steps = self._decode([prepared], config, attention=True, report=True)
            while True:
                try:
                    step = next(steps)
                except StopIteration as stop:
                    ranked = stop.value[0]
                    margin = self._margin(prepared, ranked, config) if config.beam > 1 else None
                    done.append(self._translation(prepared, ranked[0], margin=margin))
                    break
                partial = step.best(0)
                if partial is None:
                    continue
                partial_text = self._shown(prepared, partial.tokens)
                current = f"{before} {partial_text}" if before and partial_text else before or partial_text
                if current != shown:
                    shown = current
                    yield current
        result = self.confident(done[0] if len(done) == 1 else join_translations(done), config.beam)
        if result.text != shown:
            yield result.text
        return result

    def alternatives(self, text: str, count: int = 4, beam: int | None = None,
                     alpha: float | None = None) -> list[Translation]:
        """Up to `count` distinct translations of `text`, best first: translate(text, beam, alpha,
        alternatives=count).alternatives (see translate_batch); the first is the translation of a
        search `count` wide when `beam` is narrower."""
        return self.translate(text, beam=beam, alpha=alpha, attention=False, alternatives=count).alternatives


def untranslatable(text: str) -> str | None:
    """Why `text` gets no translation, or None when it is translated. The translator reads English:
    a text without a single Latin letter (Korean, emoji, symbols or digits only) is not decoded, since
    all the model could do is make French up from its punctuation. A rule about scripts
    (seqbot.data.scripts), not about sentences; blank text is not refused (it is an empty line)."""
    if not text.strip() or has_latin_letters(text):
        return None
    written = describe_scripts(text)
    if written == "no letters":
        return "not translated: the translator reads English, and this has no letters (only symbols, emoji or digits)"
    return f"not translated: the translator reads English, and this has no Latin letters (it is in {written})"


def _words_within(text: str, limit: int) -> list[str]:
    """`text` cut at spaces into parts of at most `limit` characters (a longer word in pieces of `limit`)."""
    parts: list[str] = []
    for word in text.split(" "):
        for start in range(0, len(word), limit) if len(word) > limit else [0]:
            chunk = word[start:start + limit] if len(word) > limit else word
            if parts and len(parts[-1]) + 1 + len(chunk) <= limit:
                parts[-1] += " " + chunk
            else:
                parts.append(chunk)
    return parts


def sentence_case(text: str) -> str:
    """Text written in capitals, in sentence case ("HOW ARE YOU, I MEAN?" -> "How are you, I mean?");
    other text unchanged. The corpus is in sentence case, so capitals read as unknown words."""
    if not mostly_capitals(text):
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
    char_probs = features = None
    if all(part.char_probs is not None or not part.text for part in parts):
        # The space joining two sentences is the translator's, not decoded: certain.
        pieces = [part.char_probs for part in parts if part.text]
        char_probs = np.concatenate([np.concatenate([[1.0], probs]) if i else probs for i, probs in enumerate(pieces)]) \
            if pieces else np.zeros(0)
    scored = [part.features for part in parts if part.features is not None]
    if scored:
        features = ConfidenceFeatures.combine(scored, len(text), len(source), len(unknown))
    return Translation(source, text, attention, unknown, any(part.truncated for part in parts),
                       sum(log_probs) if log_probs else None, char_probs=char_probs, features=features)


def best_combinations(options: list[list[tuple[float, object]]], count: int) -> list[tuple[float, tuple]]:
    """The `count` best ways to pick one option per part, by the mean of their scores, best first:
    each as (mean score, the options picked). `options`: per part, (score, option) best first."""
    import heapq

    if not options or any(not part for part in options):
        return []

    def total(picks: tuple[int, ...]) -> float:
        return sum(options[part][pick][0] for part, pick in enumerate(picks)) / len(options)

    start = (0,) * len(options)
    heap, seen, found = [(-total(start), start)], {start}, []
    while heap and len(found) < count:
        negative, picks = heapq.heappop(heap)
        found.append((-negative, tuple(options[part][pick][1] for part, pick in enumerate(picks))))
        for part in range(len(options)):
            if picks[part] + 1 < len(options[part]):
                following = picks[:part] + (picks[part] + 1,) + picks[part + 1:]
                if following not in seen:
                    seen.add(following)
                    heapq.heappush(heap, (-total(following), following))
    return found

