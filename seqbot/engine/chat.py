"""NumPy chatbot: the dialogue seq2seq model (artifact kind "seq2seq", task "chat") with a
beam search that prefers fuller replies and never repeats itself.

    bot = Chatbot.load()                      # checkpoints/chat.npz
    bot.reply("How are you?", beam=5)         # beam search, length penalty, repetition guard
    for text in bot.stream_reply("Hi!", beam=5):  # the same search, its best reply so far as it changes
        print(text)
    for piece in bot.stream("Hi!"):           # greedy, each word as soon as it is decoded (guarded too)
        print(piece, end="", flush=True)

The model's encode/step come from `seqbot.engine.seq2seq` (the translator's engine) and the search
from `seqbot.engine.decoding.decode` with the chat rules (each hypothesis looks at its 4 x beam + 4
likeliest next characters, every <end> ranked above a kept hypothesis finishes, no <unk>, no empty
reply) and the repetition guard asked about every candidate before it enters the beam. It adds:
- a length penalty (GNMT: score = log p / ((5 + length) / 6) ** alpha, alpha 3) and a search that
  goes on until `patience` x beam replies have finished, so short generic replies ("What?",
  "Oh my God!") do not win just by being short and finishing first;
- a repetition guard: a hypothesis dies the moment it repeats a word n-gram (default: any word
  pair twice) or runs one character more than `max_char_run` times ("!!!!", "nooooo");
- optionally (decoding rerank "mmi"), the finished replies ranked by maximum mutual information
  instead of the length penalty: log p(reply | message) - lambda log p(reply) + gamma length
  (decoding.mmi_score), p(reply) from the character n-gram model of the training replies stored in
  the artifact as blobs["reply_lm"] (seqbot.engine.char_lm; seqbot.evaluation.chat_rerank builds it);
- optionally (decoding known_words), a word guard: a hypothesis dies when it ends a word none of the
  training replies has (blobs["reply_words"], also built by seqbot.evaluation.chat_rerank);
- with decoding mmi_prior "model", p(reply) is the chat model's own: its mean over the background
  messages the artifact stores (blobs["background_messages"], seqbot.engine.reply_prior);
- with decoding mmi_backward > 0 (MMI-bidi), also + mmi_backward log p(message | reply) by the
  backward model the artifact carries (config["backward"], seqbot.engine.backward).

    bot.candidates("Hi!")                     # every finished reply of the search, unranked
    bot.reply_log_probs(messages, replies)    # teacher-forced log p(reply + <end> | message), batched
    bot.attention("Hi!", "Hey!")              # (text fed, one row of attention weights per reply character)
    bot.rank("Hi!", ["Hey!", "Who's there?"]) # how the model ranks given replies (seqbot.engine.reply_ranking)

A model trained with the previous line as context (its metadata's split records `context_length`)
reads `context` too, in every method that takes a message: the app and `seqbot chat` pass the
bot's own previous reply. A model without context ignores it. The text fed is
seqbot.contract.text.chat_source's, as in training: a message longer than the model reads is cut
to its last whole sentences that fit.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass
from pathlib import Path
from typing import Generator, Iterator

import numpy as np

from seqbot.artifact import Artifact, load_artifact
from seqbot.contract import keys
from seqbot.contract.decoding import DecodingConfig
from seqbot.contract.ranking import RankingConfig
from seqbot.contract.text import chat_source, normalise
from seqbot.contract.tokens import END, START, UNKNOWN
from seqbot.engine import decoding
from seqbot.engine.backward import BackwardModel
from seqbot.engine.char_lm import CharNgramLM
from seqbot.engine.decoding import RepetitionGuard, check_beam
from seqbot.engine.reply_prior import ModelPrior
from seqbot.engine.reply_ranking import ReplyRanker
from seqbot.engine.seq2seq import Seq2SeqModel, padded_ids, teacher_forced
from seqbot.engine.word_links import WordLinks
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
REPLY_LM_BLOB = keys.REPLY_LM  # the artifact blob holding the reply language model (CharNgramLM.to_bytes)
_WORD_PATTERN = r"[a-z']+"  # a word as the word guard and `seqbot eval chat`'s invented words read it (lower-cased)
_LAST_WORD = re.compile(rf"({_WORD_PATTERN})[^a-z']*$")
SCORE_BATCH = 128  # pairs per teacher-forced batch of reply_log_probs


def decoding_settings(config: dict, metadata: dict) -> DecodingConfig:
    """The artifact's decoding settings: config["decoding"], else the older metadata["decoding"] record."""
    if keys.DECODING in config:
        return DecodingConfig.from_dict(CHAT_DECODING.to_dict() | config[keys.DECODING])
    old = metadata.get("decoding") or {}
    guard = old.get("guard") or {}
    return DecodingConfig.from_dict(CHAT_DECODING.to_dict(), alpha=old.get("alpha"), penalty=old.get("length_penalty"),
                                    patience=old.get("patience"), repetition_ngram=guard.get("ngram"),
                                    max_char_run=guard.get("max_char_run"))



@dataclass
class _Hypothesis:
    ids: list[int]
    text: str
    log_prob: float  # log p(reply | message)


class Chatbot:
    def __init__(self, artifact: Artifact, path: str | Path | None = None, guard: RepetitionGuard | None = None,
                 alpha: float | None = None, patience: int | None = None, decoding: DecodingConfig | None = None,
                 reply_lm: CharNgramLM | None = None, reply_words: frozenset[str] | None = None,
                 background: list[str] | None = None):
        config = artifact.config
        if config.get("task", "chat") != "chat":
            raise CheckpointError(f"{path or 'checkpoint'} is a {config.get('task')!r} model, not a chat model")
        self.model = Seq2SeqModel.from_artifact(artifact)
        self.config = config
        self.metadata = artifact.metadata
        self.source_index = {token: i for i, token in enumerate(config["source_vocab"])}
        self.target_vocab = list(config["target_vocab"])
        self._target_index = {char: i for i, char in enumerate(self.target_vocab) if i > UNKNOWN}
        self.max_source_length = int(config["max_source_length"])
        self.max_target_length = int(config["max_target_length"])
        self.context_length = int((artifact.metadata.get("split") or {}).get("context_length") or 0)
        # the characters of the message itself: what the source holds after the context and its separator
        self.message_length = self.max_source_length - (self.context_length + 1 if self.context_length else 0)
        if self.message_length < 1:
            raise CheckpointError(f"{path or 'checkpoint'}: its context of {self.context_length} characters leaves no "
                                  f"room for a message in its {self.max_source_length}-character input")
        self.decoding = decoding or decoding_settings(config, artifact.metadata)
        self.reply_lm = reply_lm
        if self.reply_lm is None and REPLY_LM_BLOB in artifact.blobs:
            try:
                self.reply_lm = CharNgramLM.from_bytes(artifact.blobs[REPLY_LM_BLOB])
            except ValueError as error:
                raise CheckpointError(f"{path or 'checkpoint'}: its reply language model is unreadable ({error})") from None
        if self.reply_lm is not None and self.reply_lm.vocab != self.target_vocab:
            raise CheckpointError("the reply language model was built over another vocabulary than the chat model's replies")
        self.background = background if background is not None else background_texts(artifact.blobs, path)
        if self.decoding.rerank == "mmi" and self.decoding.mmi_prior == "model" and not self.background:
            raise CheckpointError(f"{path or 'checkpoint'} asks for MMI reranking by its own p(reply) but holds no "
                                  f"background messages (blobs[{keys.BACKGROUND!r}]; python -m seqbot.evaluation.chat_rerank "
                                  f"stores them)")
        if self.decoding.rerank == "mmi" and self.decoding.mmi_prior == "ngram" and self.reply_lm is None:
            raise CheckpointError(f"{path or 'checkpoint'} asks for MMI reranking but holds no reply language model "
                                  f"(blobs[{REPLY_LM_BLOB!r}]; python -m seqbot.evaluation.chat_rerank builds one)")
        self.backward = BackwardModel.from_artifact(artifact, self.target_vocab, path)
        if self.decoding.rerank == "mmi" and self.decoding.mmi_backward and self.backward is None:
            raise CheckpointError(f"{path or 'checkpoint'} asks for MMI-bidi reranking but holds no backward model "
                                  f"(config[{keys.BACKWARD!r}]; python -m seqbot.evaluation.chat_rerank --backward adds one)")
        self.decoding = DecodingConfig.from_dict(self.decoding.to_dict(), alpha=alpha, patience=patience)
        self.reply_words = reply_words
        if self.reply_words is None and keys.REPLY_WORDS in artifact.blobs:
            self.reply_words = reply_word_set(artifact.blobs[keys.REPLY_WORDS])
        if self.decoding.known_words and not self.reply_words:
            raise CheckpointError(f"{path or 'checkpoint'} asks for known words only but holds no word list "
                                  f"(blobs[{keys.REPLY_WORDS!r}]; python -m seqbot.evaluation.chat_rerank builds one)")
        self.guard = guard or RepetitionGuard(self.decoding.repetition_ngram, self.decoding.max_char_run)
        self._model_prior: ModelPrior | None = None
        self._path = path
        self._blobs = artifact.blobs
        self.ranking = ranking_settings(config, artifact.blobs, path)
        self._ranker: ReplyRanker | None = None

    @property
    def reply_prior(self):
        """The p(reply) that MMI reranking subtracts: the n-gram reply model, or with decoding mmi_prior
        "model" the chat model's own average over its background messages (seqbot.engine.reply_prior)."""
        if self.decoding.rerank == "mmi" and self.decoding.mmi_prior == "model":
            return self.model_prior()
        return self.reply_lm

    def model_prior(self, background: list[str] | None = None) -> ModelPrior:
        """The chat model's own p(reply), averaged over `background` (texts as the encoder reads them,
        seqbot.training.chat.background_messages), by default the artifact's background messages. The
        one over the bot's own messages is built once: decoding and `seqbot eval chat` share what it
        remembers."""
        own = background is None or list(background) == list(self.background or [])
        if own and self._model_prior is not None:
            return self._model_prior
        texts = self.background if background is None else background
        if not texts:
            raise ValueError("the model's own p(reply) needs at least one background message")
        prior = ModelPrior(self.model, padded_ids(self.source_rows(texts)))
        if own:
            self._model_prior = prior
        return prior

    @property
    def ranker(self) -> ReplyRanker | None:
        """How this model ranks given replies (seqbot.engine.reply_ranking), None when the artifact records no
        ranking; its word links and background messages are read on first use."""
        if self.ranking is None:
            return None
        if self._ranker is None:
            links = None
            if keys.WORD_LINKS in self._blobs:
                try:
                    links = WordLinks.from_bytes(self._blobs[keys.WORD_LINKS])
                except ValueError as error:
                    raise CheckpointError(f"{self._path or 'checkpoint'}: its word links are unreadable ({error})") from None
            background = background_texts(self._blobs, self._path, keys.RANKING_BACKGROUND)
            try:
                self._ranker = ReplyRanker(self, self.ranking, background, links)
            except ValueError as error:
                raise CheckpointError(f"{self._path or 'checkpoint'}: {error}") from None
        return self._ranker

    def rank(self, message: str, replies: list[str], context: str = "") -> np.ndarray:
        """The ranking score of each of `replies` to `message` (after `context`), higher fitting better."""
        if self.ranker is None:
            raise ValueError("this chat model records no ranking (python -m seqbot.evaluation.chat_ranking adds one)")
        return self.ranker.scores([message] * len(replies), list(replies), [context] * len(replies))

    @property
    def alpha(self) -> float:
        """The length penalty's alpha the search ranks with (self.decoding.alpha)."""
        return self.decoding.alpha

    @property
    def patience(self) -> int:
        """How many times the beam width of replies finish before the search stops (self.decoding.patience)."""
        return self.decoding.patience

    @classmethod
    def load(cls, path: str | Path | None = None, **options) -> "Chatbot":
        path = Path(path) if path else default_checkpoint("chat")
        artifact = load_artifact(path, kind="seq2seq")
        return cls(artifact, path, **options)

    # --- input ------------------------------------------------------------------------------

    def unknown_characters(self, text: str) -> list[str]:
        return sorted({c for c in normalise(text) if c not in self.source_index or self.source_index[c] <= UNKNOWN})

    def fed_text(self, text: str, context: str = "") -> str:
        """What the encoder reads for `text` (and, for a context model, the line before it): normalised,
        a long message cut to its last sentences that fit (seqbot.contract.text.chat_source)."""
        return chat_source(text, context, self.message_length, self.context_length)[: self.max_source_length]

    def source_rows(self, texts: list[str]) -> list[list[int]]:
        """Source ids of texts already as the encoder reads them (`fed_text`, or training sources);
        unknown characters become <unk>, an empty text one <unk>."""
        return [[self.source_index.get(c, UNKNOWN) for c in text[:self.max_source_length]] or [UNKNOWN]
                for text in texts]

    def encode_text(self, text: str, context: str = "") -> tuple[np.ndarray, str]:
        """Source ids (1, T) and the text actually fed (`fed_text`). Unknown characters become <unk>,
        as rare characters did in training."""
        fed = self.fed_text(text, context)
        return np.asarray(self.source_rows([fed]), dtype=np.int64), fed

    def known(self, text: str, finished: bool = False) -> bool:
        """False when decoding known_words is on and `text` has just ended a word (or, `finished`, ends
        with one) that no training reply has; a word still being written is not judged yet."""
        if not self.decoding.known_words or not text:
            return True
        lower = text.lower()
        if not finished and (lower[-1].isalpha() or lower[-1] == "'"):
            return True
        last = _LAST_WORD.search(lower)
        return last is None or last.group(1) in self.reply_words

    # --- search ---------------------------------------------------------------------------

    def _text(self, tokens) -> str:
        return "".join(self.target_vocab[token] for token in tokens if token > UNKNOWN)

    def _config(self, beam: int | None) -> DecodingConfig:
        if beam is not None:
            check_beam(beam)
        return DecodingConfig.from_dict(self.decoding.to_dict(), beam=beam)

    def _filter(self, guard: bool) -> dict:
        """The repetition guard (and with decoding known_words the word guard) as the search's candidate
        filter, asked about every candidate."""
        if not guard:
            return {}

        def allow(sentence: int, tokens: np.ndarray) -> bool:
            finished = len(tokens) > 0 and tokens[-1] == END
            text = self._text(tokens[:-1] if finished else tokens)
            return self.guard.allows(text, finished=finished) and self.known(text, finished)

        return {"allow": allow, "boundary_tokens": None}

    def _steps(self, text: str, beam: int | None, guard: bool = True, report: bool = True, found_order: bool = False,
               context: str = ""):
        """decoding.decode_steps for `text` with the chat rules (see seqbot.engine.decoding)."""
        source, _ = self.encode_text(text, context)
        return decoding.decode_steps(self.model, source, self._config(beam), rules="chat", reply_lm=self.reply_prior,
                                     nbest=True, found_order=found_order, report=report,
                                     backward=self.message_scorer(text), **self._filter(guard))

    def message_scorer(self, text: str):
        """log p(text | reply) for MMI-bidi (seqbot.engine.backward), or None when decoding does not use it."""
        if self.decoding.rerank != "mmi" or not self.decoding.mmi_backward:
            return None
        return self.backward.for_message(text)

    def _reply(self, hypothesis: decoding.Hypothesis, guard: bool = True) -> _Hypothesis:
        """A hypothesis as a reply; an unfinished one (cut off at the length cap) that repeats an n-gram
        in its last word loses that partial word."""
        ids = [START] + [int(token) for token in hypothesis.tokens] + ([END] if hypothesis.finished else [])
        text = self._text(hypothesis.tokens)
        if not hypothesis.finished and guard and not self.guard.allows(text, finished=True):
            partial = re.search(r"[a-z0-9']+$", text.lower())
            text = text[: partial.start()] if partial else text
        return _Hypothesis(ids, text, hypothesis.log_prob)

    def reply(self, text: str, beam: int | None = None, context: str = "") -> str:
        return self.search(text, beam, context=context).text

    def search(self, text: str, beam: int | None = None, guard: bool = True, context: str = "") -> _Hypothesis:
        """Beam search (beam 1 = greedy) with the length penalty and, unless `guard=False`, the
        repetition guard. Returns the best finished hypothesis (or the best unfinished one)."""
        ranked = decoding.yield_free(self._steps(text, beam, guard, report=False, context=context))
        return self._reply(ranked[0][0], guard)

    def stream_reply(self, text: str, beam: int | None = None, context: str = "") -> Generator[str, None, str]:
        """`reply(text, beam)` as the search runs: yields the reply the search would give if it
        stopped now (the best finished one, else the likeliest alive one), each time it changes; it
        may change, not only grow. The last text yielded is reply(text, beam), also returned."""
        steps = self._steps(text, beam, context=context)
        shown = None
        while True:
            try:
                best = next(steps).best(0)
            except StopIteration as stop:
                final = self._reply(stop.value[0][0]).text
                break
            if best is not None and self._reply(best).text != shown:
                shown = self._reply(best).text
                yield shown
        if final != shown:
            yield final
        return final

    def candidates(self, text: str, beam: int | None = None, context: str = "") -> list[_Hypothesis]:
        """Every finished reply of `search(text, beam)` (the guard on), in the order found; the best
        unfinished one when none finished. Reranking them (see `score`) gives what `reply` would."""
        found = decoding.yield_free(self._steps(text, beam, report=False, found_order=True, context=context))[0]
        if not found[0].finished:
            return [self.search(text, beam, context=context)]
        return [self._reply(hypothesis) for hypothesis in found]

    def score(self, hypothesis: _Hypothesis, message: str | None = None) -> float:
        """How the search for `message` ranks a hypothesis: the length-normalised log-probability, or with
        decoding rerank "mmi" its mutual information score (its <end> is scored by the reply model when
        finished; with mmi_backward the message, then required, is scored given the reply)."""
        if message is None and self.decoding.rerank == "mmi" and self.decoding.mmi_backward:
            raise ValueError("this chat model's ranking reads the message too (MMI-bidi): pass score(hypothesis, message)")
        finished = hypothesis.ids[-1] == END
        tokens = np.asarray(hypothesis.ids[1:len(hypothesis.ids) - finished], dtype=np.int32)
        return float(decoding.ranking(self.decoding, self.reply_prior, self.message_scorer(message or ""))(
            decoding.Hypothesis(tokens, hypothesis.log_prob, None, finished)))

    def stream(self, text: str, context: str = "") -> Iterator[str]:
        """Greedy decoding (the search of beam 1) with the repetition guard, yielding each word (with
        the character that ends it) as soon as it is complete: a word cut off at the length limit
        that repeats an n-gram can then still be dropped, like `search` does."""
        steps = self._steps(text, 1, context=context)
        reply, pending = "", ""
        while True:
            try:
                best = next(steps).best(0)
            except StopIteration as stop:
                final = stop.value[0][0]
                break
            if best is None or best.finished:
                continue
            piece = self._text(best.tokens)[len(reply):]
            reply += piece
            pending += piece
            if piece and not WORD.fullmatch(piece.lower()):
                yield pending
                pending = ""
        if pending and (final.finished or self.guard.allows(reply, finished=True)):
            yield pending

    # --- likelihood ---------------------------------------------------------------------------

    def reply_log_probs(self, messages: list[str], replies: list[str], batch_size: int = SCORE_BATCH,
                        contexts: list[str] | None = None) -> np.ndarray:
        """Teacher-forced log p(reply + <end> | message) of each pair, natural log, batched (the score
        of hits@1 and perplexity). Messages (with `contexts`, each after its previous line) are fed as
        `encode_text` feeds them; a reply character the model cannot write counts as <unk>."""
        contexts = [""] * len(messages) if contexts is None else contexts
        if not len(messages) == len(replies) == len(contexts):
            raise ValueError(f"{len(messages)} messages, {len(replies)} replies and {len(contexts)} contexts")
        scores = np.zeros(len(messages))
        for start in range(0, len(messages), batch_size):
            end = start + batch_size
            scores[start:end] = self._teacher_forced(messages[start:end], replies[start:end], contexts[start:end])[0]
        return scores

    def message_log_probs(self, messages: list[str], replies: list[str]) -> np.ndarray:
        """log p(message + <end> | reply) of each pair by the backward model (seqbot.engine.backward)."""
        if self.backward is None:
            raise ValueError("this chat model carries no backward model p(message | reply)")
        return self.backward.pair_log_probs(messages, [self.reply_ids(reply) for reply in replies])

    def reply_ids(self, reply: str) -> list[int]:
        """The target ids of `reply` then <end>; a character the model cannot write counts as <unk>."""
        return [self._target_index.get(char, UNKNOWN) for char in reply] + [END]

    def prior_log_probs(self, replies: list[str], prior=None) -> np.ndarray:
        """log p(reply + <end>) of each reply by `prior` (default: reply_prior, the one MMI subtracts)."""
        prior = self.reply_prior if prior is None else prior
        if prior is None:
            raise ValueError("this chat model has no model of p(reply) (no reply language model, no background messages)")
        return prior.log_probs([self.reply_ids(reply) for reply in replies])

    def attention(self, text: str, reply: str, context: str = "") -> tuple[str, np.ndarray | None]:
        """The text fed for `text` and the attention weights (one row per character of `reply`, then
        <end>; one column per character fed) of the model writing `reply` to it: the F3 heatmap of a
        chat turn. None for a model without attention."""
        _, weights = self._teacher_forced([text], [reply], [context], keep_attention=True)
        return self.fed_text(text, context), weights

    def _teacher_forced(self, messages: list[str], replies: list[str], contexts: list[str],
                        keep_attention: bool = False) -> tuple[np.ndarray, np.ndarray | None]:
        """log p(reply + <end> | message) of each pair and, with `keep_attention`, the first pair's
        attention rows (reply characters + 1, source characters)."""
        sources = [self.encode_text(message, context)[0][0] for message, context in zip(messages, contexts)]
        return teacher_forced(self.model, sources, [self.reply_ids(reply) for reply in replies], keep_attention)


def words_of(text: str) -> list[str]:
    """The lower-cased words of `text` (letters and apostrophes), as the word guard reads them."""
    return re.findall(_WORD_PATTERN, text.lower())


def reply_words_blob(replies: list[str]) -> bytes:
    """The words of `replies` (words_of) as the artifact's word list."""
    return "\n".join(sorted({word for reply in replies for word in words_of(reply)})).encode("utf-8")


def background_blob(texts: list[str]) -> bytes:
    """The background messages (texts as the encoder reads them) as the artifact stores them."""
    return json.dumps(list(texts), ensure_ascii=False).encode("utf-8")


def background_texts(blobs: dict, path=None, key: str = keys.BACKGROUND) -> list[str] | None:
    """The artifact's background messages (background_blob) under `key`, or None when it has none."""
    if key not in blobs:
        return None
    try:
        texts = json.loads(bytes(blobs[key]).decode("utf-8"))
    except (UnicodeDecodeError, json.JSONDecodeError) as error:
        raise CheckpointError(f"{path or 'checkpoint'}: its background messages are unreadable ({error})") from None
    if not isinstance(texts, list) or not all(isinstance(text, str) for text in texts):
        raise CheckpointError(f"{path or 'checkpoint'}: its background messages are not a list of texts")
    return texts


def ranking_settings(config: dict, blobs: dict, path=None) -> RankingConfig | None:
    """The artifact's ranking (config["ranking"]), None without one; a CheckpointError when it is invalid or
    the blobs it needs are missing."""
    if keys.RANKING not in config:
        return None
    try:
        ranking = RankingConfig.from_dict(config[keys.RANKING])
    except (ValueError, TypeError) as error:
        raise CheckpointError(f"{path or 'checkpoint'}: its ranking settings are invalid ({error})") from None
    needed = [keys.RANKING_BACKGROUND] + ([keys.WORD_LINKS] if ranking.uses_words else [])
    missing = [key for key in needed if key not in blobs]
    if missing:
        raise CheckpointError(f"{path or 'checkpoint'} records a ranking but lacks blobs {', '.join(missing)} "
                              f"(python -m seqbot.evaluation.chat_ranking writes them)")
    return ranking


def reply_word_set(blob: bytes) -> frozenset[str]:
    try:
        return frozenset(bytes(blob).decode("utf-8").split("\n"))
    except UnicodeDecodeError as error:
        raise CheckpointError(f"the chat model's word list is unreadable ({error})") from None
