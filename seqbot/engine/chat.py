"""NumPy chatbot: the dialogue seq2seq model (artifact kind "seq2seq", task "chat") with a
beam search that prefers fuller replies and never repeats itself.

    bot = Chatbot.load()                      # checkpoints/chat.npz
    bot.reply("How are you?", beam=5)         # beam search, length penalty, repetition guard
    for text in bot.stream_reply("Hi!", beam=5):  # the same search, its best reply so far as it changes
        print(text)
    for piece in bot.stream("Hi!"):           # greedy, each word as soon as it is decoded (guarded too)
        print(piece, end="", flush=True)

The model's encode/step come from `seqbot.engine.seq2seq` (the translator's engine) and the length
normalisation from `seqbot.engine.decoding`; the search itself is here because the guard must see
every candidate before it enters the beam, which `decoding.beam_search` has no hook for. It adds:
- a length penalty (GNMT: score = log p / ((5 + length) / 6) ** alpha, alpha 3) and a search that
  goes on until `patience` x beam replies have finished, so short generic replies ("What?",
  "Oh my God!") do not win just by being short and finishing first;
- a repetition guard: a hypothesis dies the moment it repeats a word n-gram (default: any word
  pair twice) or runs one character more than `max_char_run` times ("!!!!", "nooooo").
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path
from typing import Generator, Iterator

import numpy as np

from seqbot.artifact import Artifact, load_artifact
from seqbot.engine.decoding import DecodingConfig, RepetitionGuard, has_repeated_ngram, normalised_score  # noqa: F401
from seqbot.engine.limits import MAX_BEAM
from seqbot.engine.seq2seq import END, PAD, START, UNKNOWN, Seq2SeqModel
from seqbot.errors import CheckpointError
from seqbot.paths import default_checkpoint

WORD = re.compile(r"[a-z0-9']+")
# Tuned on 80 held-out Friends/chatterbot utterances (E_NOTES.md): with GNMT alpha 1 and the
# search stopping at `beam` finished replies, 45 of 80 beam-5 replies were "Oh my God!" (6 distinct);
# searching on until 4 x beam have finished and alpha 3 gave 25 distinct, longer replies at the
# same log-probability per character.
ALPHA = 3.0
PATIENCE = 4
# The chat model's decoding defaults (an artifact's config "decoding" overrides them).
CHAT_DECODING = DecodingConfig(beam=5, alpha=ALPHA, penalty="gnmt", repetition_ngram=2, max_char_run=3, patience=PATIENCE)


def decoding_settings(config: dict, metadata: dict) -> DecodingConfig:
    """The artifact's decoding settings: config["decoding"], else the older metadata["decoding"] record."""
    if "decoding" in config:
        return DecodingConfig.from_dict(CHAT_DECODING.to_dict() | config["decoding"])
    old = metadata.get("decoding") or {}
    guard = old.get("guard") or {}
    return DecodingConfig.from_dict(CHAT_DECODING.to_dict(), alpha=old.get("alpha"), penalty=old.get("length_penalty"),
                                    patience=old.get("patience"), repetition_ngram=guard.get("ngram"),
                                    max_char_run=guard.get("max_char_run"))


# Typographic and Windows-1252 quotes (both occur in the Friends transcripts) -> ASCII.
_QUOTES = str.maketrans({"\u2019": "'", "\u2018": "'", "\x92": "'", "\x91": "'",
                         "\u201c": '"', "\u201d": '"', "\x93": '"', "\x94": '"', "\x85": "...", "\u2026": "..."})


def normalise(text: str) -> str:
    """ASCII quotes, collapsed whitespace (training pairs get the same treatment)."""
    return " ".join(text.translate(_QUOTES).split())


@dataclass
class _Hypothesis:
    ids: list[int]
    text: str
    log_prob: float  # log p(reply | message)


class Chatbot:
    def __init__(self, artifact: Artifact, path: str | Path | None = None, guard: RepetitionGuard | None = None,
                 alpha: float | None = None, patience: int | None = None):
        config = artifact.config
        if config.get("task", "chat") != "chat":
            raise CheckpointError(f"{path or 'checkpoint'} is a {config.get('task')!r} model, not a chat model")
        self.model = Seq2SeqModel.from_artifact(artifact)
        self.config = config
        self.metadata = artifact.metadata
        self.source_index = {token: i for i, token in enumerate(config["source_vocab"])}
        self.target_vocab = list(config["target_vocab"])
        self.max_source_length = int(config["max_source_length"])
        self.max_target_length = int(config["max_target_length"])
        self.decoding = decoding_settings(config, artifact.metadata)
        self.guard = guard or RepetitionGuard(self.decoding.repetition_ngram, self.decoding.max_char_run)
        self.alpha = self.decoding.alpha if alpha is None else alpha
        self.patience = self.decoding.patience if patience is None else patience

    @classmethod
    def load(cls, path: str | Path | None = None, **options) -> "Chatbot":
        path = Path(path) if path else default_checkpoint("chat")
        artifact = load_artifact(path, kind="seq2seq")
        return cls(artifact, path, **options)

    # --- input ------------------------------------------------------------------------------

    def unknown_characters(self, text: str) -> list[str]:
        return sorted({c for c in normalise(text) if c not in self.source_index or self.source_index[c] <= UNKNOWN})

    def encode_text(self, text: str) -> tuple[np.ndarray, str]:
        """Source ids (1, T) and the text actually fed (normalised, truncated). Unknown characters
        become <unk>, as rare characters did in training."""
        fed = normalise(text)[: self.max_source_length]
        ids = [self.source_index.get(c, UNKNOWN) for c in fed] or [UNKNOWN]
        return np.asarray([ids], dtype=np.int64), fed

    # --- search -----------------------------------------------------------------------------

    def _token_text(self, token_id: int) -> str:
        return self.target_vocab[token_id] if token_id > UNKNOWN else ""

    def reply(self, text: str, beam: int | None = None) -> str:
        return self.search(text, beam).text

    def search(self, text: str, beam: int | None = None, guard: bool = True) -> _Hypothesis:
        """Beam search (beam 1 = greedy) with the length penalty and, unless `guard=False`, the
        repetition guard. Returns the best finished hypothesis (or the best unfinished one)."""
        steps = self._search_steps(text, beam, guard, report=False)
        while True:
            try:
                next(steps)
            except StopIteration as stop:
                return stop.value

    def stream_reply(self, text: str, beam: int | None = None) -> Generator[str, None, str]:
        """`reply(text, beam)` as the search runs: yields the reply the search would give if it
        stopped now (the best finished one, else the best alive one), each time it changes; it
        may change, not only grow. The last text yielded is reply(text, beam), also returned."""
        steps = self._search_steps(text, beam, guard=True, report=True)
        shown = None
        while True:
            try:
                best = next(steps)
            except StopIteration as stop:
                final = stop.value.text
                break
            if best.text != shown:
                shown = best.text
                yield shown
        if final != shown:
            yield final
        return final

    def _search_steps(self, text: str, beam: int, guard: bool, report: bool):
        """The search of `search`; yields the current best after each step only when `report` is true."""
        beam = max(1, min(int(self.decoding.beam if beam is None else beam), MAX_BEAM))
        source, _ = self.encode_text(text)
        state = self.model.encode(source)
        state = state.select(np.zeros(1, dtype=np.int64))
        live = [_Hypothesis([START], "", 0.0)]
        # Beam 1 stays exactly greedy (what `stream` shows); wider beams search on past the first
        # short finished replies, so that the length penalty can prefer a fuller one.
        enough = 1 if beam == 1 else beam * self.patience
        next_live: list[_Hypothesis] = []
        finished: list[tuple[float, _Hypothesis]] = []
        for step in range(self.max_target_length):
            tokens = np.asarray([h.ids[-1] for h in live], dtype=np.int64)
            log_probs, state, _ = self.model.step(tokens, state)
            candidates = []  # (log_prob, parent row, token)
            for row, hypothesis in enumerate(live):
                # Look a little past the beam so that guarded-out tokens leave alternatives.
                for token_id in np.argsort(-log_probs[row])[: beam * 4 + 4]:
                    token_id = int(token_id)
                    if token_id in (PAD, START, UNKNOWN) or (token_id == END and step == 0):
                        continue
                    candidates.append((hypothesis.log_prob + float(log_probs[row, token_id]), row, token_id))
            candidates.sort(key=lambda c: -c[0])
            next_live, rows = [], []
            for log_prob, row, token_id in candidates:
                parent = live[row]
                if token_id == END:
                    if guard and not self.guard.allows(parent.text, finished=True):
                        continue
                    done = _Hypothesis(parent.ids + [END], parent.text, log_prob)
                    finished.append((normalised_score(log_prob, len(done.ids) - 1, self.alpha, self.decoding.penalty), done))
                    continue
                new_text = parent.text + self._token_text(token_id)
                if guard and not self.guard.allows(new_text):
                    continue
                next_live.append(_Hypothesis(parent.ids + [token_id], new_text, log_prob))
                rows.append(row)
                if len(next_live) == beam:
                    break
            if report:
                yield self._best(finished, next_live or live, guard)
            if len(finished) >= enough or not next_live:
                break
            live = next_live
            state = state.select(np.asarray(rows, dtype=np.int64))
        return self._best(finished, next_live or live, guard)

    def _best(self, finished: list[tuple[float, _Hypothesis]], alive: list[_Hypothesis], guard: bool) -> _Hypothesis:
        """What the search gives if it stops now: the best finished reply, else the best alive one."""
        if finished:
            return max(finished, key=lambda pair: pair[0])[1]
        best = max(alive, key=lambda h: normalised_score(h.log_prob, len(h.ids) - 1, self.alpha, self.decoding.penalty))
        if guard and not self.guard.allows(best.text, finished=True):
            # Cut off at max length inside a word that repeats an n-gram: drop that partial word.
            partial = re.search(r"[a-z0-9']+$", best.text.lower())
            best = _Hypothesis(best.ids, best.text[: partial.start()] if partial else best.text, best.log_prob)
        return best

    def stream(self, text: str) -> Iterator[str]:
        """Greedy decoding with the repetition guard, yielding each word (with the character that
        ends it) as soon as it is complete: a word cut off at the length limit that repeats an
        n-gram can then still be dropped, like `search` does."""
        source, _ = self.encode_text(text)
        state = self.model.encode(source)
        reply, pending = "", ""
        token = START
        for step in range(self.max_target_length):
            log_probs, state, _ = self.model.step(np.asarray([token], dtype=np.int64), state)
            for candidate in np.argsort(-log_probs[0]):
                candidate = int(candidate)
                if candidate in (PAD, START, UNKNOWN) or (candidate == END and step == 0):
                    continue
                if candidate == END:
                    if self.guard.allows(reply, finished=True):
                        if pending:
                            yield pending
                        return
                    continue
                if self.guard.allows(reply + self._token_text(candidate)):
                    break
            else:
                break
            token = candidate
            piece = self._token_text(token)
            reply += piece
            pending += piece
            if not WORD.fullmatch(piece.lower()):
                yield pending
                pending = ""
        if pending and self.guard.allows(reply, finished=True):
            yield pending
