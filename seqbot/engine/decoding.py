"""The one decode function of the seq2seq models (translator and chat), driven by the artifact's
DecodingConfig (seqbot.contract.decoding), over any model with the Seq2SeqModel interface
(encode / step / state.select):

    ranked = decode(model, source_ids, config)                  # (batch, steps) ids -> one Hypothesis per row
    ranked = decode(model, source_ids, config, nbest=True)      # each row's hypotheses, best first
    decode(model, source_ids[:1], config, on_step=show)         # streaming: show(step) after every step
    for step in decode_steps(model, source_ids[:1], config): ...  # the same, as a generator (returns decode's list)

One function serves greedy (config.beam 1) and beam search, one sentence or many; what differs is
in the config and a few arguments:
- `allow(sentence, tokens)`: the candidate filter (the repetition guard), asked about candidates whose
  last token is in `boundary_tokens` (None: every candidate), <end> always; False drops the candidate.
  Greedy without a filter is a plain argmax over the whole batch; with one it is a beam of width 1.
- `rules`: "fairseq" (the translator's) or "chat" (the chat model's search, unchanged since it had one
  of its own), see below.
- `reply_lm`: the model of p(reply) that config.rerank "mmi" ranks with (anything with
  `sequence_log_prob(ids)`; one marked `batched` is asked for the hypotheses to rank at once, `log_probs(list of ids)`),
  and `backward`, log p(message | reply) for this message, that config.mmi_backward weighs (MMI-bidi).
- `on_step(step)`: a `Step` after every decoding step (the chosen tokens, each sentence's best so far).

Greedy decodes a whole batch at once: each row stops at <end> or at its length cap, and finished rows
are dropped from the batch once a quarter of it has finished (so a long sentence does not keep paying
for the short ones). Results are written into preallocated arrays; Python loops only run over steps.

Beam search keeps `width` hypotheses per sentence, all sentences in one model step (rows
sentence-major; a sentence leaves the batch when it is done), and ranks finished ones by
    average: log P / length ** alpha            (alpha = 1: mean log-probability per token)
    gnmt:    log P / ((5 + length) / 6) ** alpha (Wu et al. 2016: (5 + length)^alpha / (5 + 1)^alpha)
where log P includes the <end> token and length counts it; alpha = 0 ranks by log P alone; or, with
config.rerank "mmi", by mmi_score (log p(reply | message) - lambda log p(reply) + gamma length, p(reply)
from a character n-gram model of the training replies or from the chat model itself, config.mmi_prior;
with config.mmi_backward also + mmi_backward log p(message | reply) by a backward model; chosen by `python -m seqbot.evaluation.chat_rerank`).
The ranking only orders the hypotheses that finished: the search itself keeps the `width` best by log P.
A sentence is done once `patience` x `width` hypotheses have finished (width 1: one), at its length
cap, or when no candidate is left. The translator ships with average / alpha 1; alpha is chosen on
the validation pairs (`seqbot eval translate --sweep-alpha`), never on the test pairs.

The two rule sets differ in which candidates a step looks at and what ends a hypothesis:
- fairseq: the 2 x width best candidates of a sentence; an <end> among the `width` best usable ones
  finishes that hypothesis, the `width` best others stay alive, so width 1 is exactly greedy. At the
  length cap the hypotheses still alive compete with the finished ones.
- chat: each hypothesis looks at its 4 x width + 4 most likely next tokens (refused ones leave
  alternatives); every <end> ranked above the last hypothesis kept finishes; it never writes <unk>
  or an empty reply; an unfinished hypothesis is returned only when none finished (when every
  candidate was refused, the ones alive before that step).
No decoder ever emits <pad> or <start>.

With config.greedy_candidate, beam search also decodes greedily and puts the greedy hypothesis first
when it finished, `allow` accepts it, and it ranks above the beam's best (prefer_greedy).

Layouts. One sentence is searched on its live hypotheses alone (one row at the first step); a batch
gives every sentence `width` rows from the start. BLAS multiplies other row counts with other kernels
(seqbot.engine.layers.BlockedMatrix), so the layouts differ in float round-off only. A single
sentence's attention rows are kept as the search goes (keep_attention); a batch's are not (the
translator recomputes them in one teacher-forced pass). The chat rules give every hypothesis its own
copy of the source (the fairseq rules share one): that is how the chat model always decoded, and
sharing it changes the attention products' round-off.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Callable, Generator

import numpy as np

from seqbot.contract.decoding import LENGTH_PENALTIES, DecodingConfig
from seqbot.contract.limits import beam_problem
from seqbot.contract.tokens import END, PAD, START, UNKNOWN
from seqbot.errors import SeqbotError

# Never valid outputs: the decoders skip them even if an undertrained model ranks them first.
NEVER_EMITTED = slice(PAD, START + 1)  # <pad> and <start>, ids 0 and 1
# Greedy drops finished rows from the batch when at most this fraction of it is still decoding.
COMPACT_WHEN_ALIVE = 0.75
RULES = ("fairseq", "chat")
_WORD = re.compile(r"[^\W_]+(?:'[^\W_]+)*")


def check_beam(beam) -> None:
    """SeqbotError (what the CLI and the app show) for a beam width out of contract.limits' range."""
    problem = beam_problem(beam)
    if problem:
        raise SeqbotError(problem)


def has_repeated_ngram(text: str, n: int) -> bool:
    """Whether some run of `n` words occurs twice in `text` (case folded)."""
    words = _WORD.findall(text.lower())
    seen = set()
    for i in range(len(words) - n + 1):
        gram = tuple(words[i:i + n])
        if gram in seen:
            return True
        seen.add(gram)
    return False


@dataclass
class RepetitionGuard:
    """No word n-gram twice and no character run longer than `max_char_run` in one output."""

    ngram: int = 2
    max_char_run: int = 3

    def allows(self, text: str, finished: bool = False) -> bool:
        # Runs of one character anywhere ("!!!!", "nooooo"); digits may repeat ("1000000").
        if self.max_char_run and re.search(rf"(\D)\1{{{self.max_char_run}}}", text):
            return False
        # Check the word n-grams only when a word has just ended (the last character is not part of a word).
        if not finished and text and (text[-1].isalnum() or text[-1] == "'"):
            return True
        return not self.ngram or not has_repeated_ngram(text, self.ngram)


@dataclass
class Hypothesis:
    """A decoded sequence. `tokens` excludes <end>; `attention` has one row per token (None without attention).
    `token_log_probs`: the log-probability of each scored token as the model gave it when it was chosen
    (the output tokens, then <end> when finished; length `length`, sum `log_prob`), recorded as the
    search goes (no second pass); None for the best-so-far reports of a running beam search."""

    tokens: np.ndarray
    log_prob: float  # sum of the chosen tokens' log-probabilities, <end> included when finished
    attention: np.ndarray | None
    finished: bool  # False when the length cap stopped it before <end>
    token_log_probs: np.ndarray | None = None

    @property
    def length(self) -> int:
        """Tokens scored: the output plus <end> when finished."""
        return len(self.tokens) + int(self.finished)


@dataclass
class Step:
    """The search after one decoding step, as `on_step` sees it.

    `sentences`: the sentences that took this step. Greedy: `tokens`, `token_log_probs` and
    `attention` (None without attention) are the token each of them chose, its log-probability and
    its attention row (an <end> token: that sentence is done). Beam search: the token each of their
    `width` rows holds now (sentence-major). `best(sentence)`: what the search would give that
    sentence if it stopped now (None before it has any hypothesis); for a sentence that is done, its
    result's best (before the greedy candidate). With the chat rules, before any hypothesis has
    finished, the likeliest live one (by log P, whatever the ranking)."""

    t: int
    sentences: np.ndarray
    tokens: np.ndarray
    token_log_probs: np.ndarray
    attention: np.ndarray | None
    best: Callable[[int], Hypothesis | None]


def normalised_score(log_prob, length, alpha: float = DecodingConfig.alpha, penalty: str = DecodingConfig.penalty):
    """Length-normalised log-probability (see the module docstring); works on arrays too."""
    length = np.maximum(length, 1)
    if penalty == "average":
        return log_prob / length ** alpha
    if penalty == "gnmt":
        return log_prob / ((5.0 + length) / 6.0) ** alpha
    raise SeqbotError(f"unknown length penalty {penalty!r}; expected one of {', '.join(LENGTH_PENALTIES)}")


def mmi_score(log_prob, lm_log_prob, length, mmi_lambda: float, mmi_gamma: float, backward_log_prob=0.0,
              mmi_backward: float = 0.0):
    """Maximum mutual information score of a finished reply (Li et al. 2016, MMI-antiLM with a length
    term, and with `mmi_backward` their MMI-bidi term): log p(reply | message) - mmi_lambda * log p(reply)
    + mmi_backward * log p(message | reply) + mmi_gamma * length, where p(reply) is the reply language
    model's, p(message | reply) the backward model's and length counts the reply's characters (<end> not
    counted). Works on arrays too. With mmi_lambda, mmi_backward and mmi_gamma 0 it is log p(reply | message) alone."""
    score = log_prob - mmi_lambda * lm_log_prob + mmi_gamma * np.asarray(length, dtype=np.float64)
    return score + mmi_backward * np.asarray(backward_log_prob, dtype=np.float64) if mmi_backward else score


def ranking(config: DecodingConfig, reply_lm=None, backward=None) -> Callable[[Hypothesis], float]:
    """How `config` ranks hypotheses (higher is better): normalised_score, or mmi_score with `reply_lm`
    (and, with config.mmi_backward, `backward`: log p(message | reply) for this message, seqbot.engine.backward)."""
    normalised_score(0.0, 1, config.alpha, config.penalty)  # reject an unknown penalty before decoding
    if config.rerank != "mmi":
        return lambda hypothesis: normalised_score(hypothesis.log_prob, hypothesis.length, config.alpha, config.penalty)
    if reply_lm is None:
        raise ValueError("decoding rerank 'mmi' needs the reply language model (reply_lm); "
                         "python -m seqbot.evaluation.chat_rerank builds one")
    if config.mmi_backward and backward is None:
        raise ValueError("decoding mmi_backward needs the backward model p(message | reply) "
                         "(python -m seqbot.evaluation.chat_rerank --backward adds one)")
    weight = config.mmi_backward

    def mmi(hypothesis: Hypothesis) -> float:
        ids = _reply_ids(hypothesis)
        return float(mmi_score(hypothesis.log_prob, reply_lm.sequence_log_prob(ids), len(hypothesis.tokens),
                               config.mmi_lambda, config.mmi_gamma,
                               backward.sequence_log_prob(ids) if weight else 0.0, weight))

    batched = [model for model in (reply_lm, backward if weight else None) if getattr(model, "batched", False)]
    if batched:  # the chat model's own prior (seqbot.engine.reply_prior) and the backward model remember replies:
        # scoring the hypotheses about to be ranked in one batch makes the ranking's one-at-a-time asks free
        def prefetch(hypotheses):
            ids = [_reply_ids(hypothesis) for hypothesis in hypotheses]
            for model in batched:
                model.log_probs(ids)
        mmi.prefetch = prefetch
    return mmi


def _reply_ids(hypothesis: Hypothesis) -> list[int]:
    """The ids the reply model scores: the hypothesis's tokens, and <end> when it finished."""
    return [int(token) for token in hypothesis.tokens] + ([END] if hypothesis.finished else [])


def prefer_greedy(beam_best: Hypothesis, greedy_best: Hypothesis, alpha: float = DecodingConfig.alpha,
                  penalty: str = DecodingConfig.penalty, allowed: bool = True,
                  rank: Callable[[Hypothesis], float] | None = None) -> Hypothesis:
    """The greedy hypothesis when it finished, is `allowed` (the candidate filter) and ranks higher
    than beam search's pick (by `rank`, default the normalised score), or the beam's pick did not
    finish; else the beam's. With it, beam search never returns an output the model scores below its
    greedy one."""
    if not (greedy_best.finished and allowed):
        return beam_best
    if rank is None:
        rank = lambda hypothesis: normalised_score(hypothesis.log_prob, hypothesis.length, alpha, penalty)  # noqa: E731
    return greedy_best if rank(greedy_best) > rank(beam_best) or not beam_best.finished else beam_best


def decode(model, sources, config: DecodingConfig, *, max_lengths=None, allow=None, boundary_tokens=None,
           rules: str = "fairseq", reply_lm=None, keep_attention: bool = False, nbest: bool = False,
           found_order: bool = False, on_step: Callable[[Step], None] | None = None):
    """Decode every row of `sources` (batch, steps; <pad> 0 after each sentence) with `config`.

    Returns one Hypothesis per sentence, or with `nbest` each sentence's hypotheses, best first
    (`found_order`: in the order the search found them). `max_lengths`: each sentence's output cap
    (always within the model's max_target_length). An exception raised by `on_step` stops the search.
    The other arguments: see the module docstring."""
    steps = decode_steps(model, sources, config, max_lengths=max_lengths, allow=allow, boundary_tokens=boundary_tokens,
                         rules=rules, reply_lm=reply_lm, keep_attention=keep_attention, nbest=nbest,
                         found_order=found_order, report=on_step is not None)
    return drain(steps, on_step)


def drain(steps, on_step=None):
    """Run a decode_steps generator to its end, `on_step` seeing each step it yields; its value."""
    while True:
        try:
            step = next(steps)
        except StopIteration as stop:
            return stop.value
        on_step(step)


def decode_steps(model, sources, config: DecodingConfig, *, max_lengths=None, allow=None, boundary_tokens=None,
                 rules: str = "fairseq", reply_lm=None, keep_attention: bool = False, nbest: bool = False,
                 found_order: bool = False, report: bool = True, backward=None) -> Generator[Step, None, list]:
    """decode() as a generator: yields a Step after every decoding step (only when `report`), returns
    decode's result."""
    if rules not in RULES:
        raise ValueError(f"decoding rules must be one of {', '.join(RULES)}, got {rules!r}")
    if not isinstance(config, DecodingConfig):
        raise ValueError(f"decode takes a DecodingConfig, got {type(config).__name__}")
    rank = ranking(config, reply_lm, backward)
    sources = np.asarray(sources)
    if sources.ndim != 2 or not len(sources):
        raise ValueError(f"decode takes source ids of shape (sentences, steps), got {sources.shape}")
    caps = _caps(model, len(sources), max_lengths)
    if config.beam == 1 and allow is None:
        found = yield from _greedy_steps(model, sources, caps, report)
        ranked = [[hypothesis] for hypothesis in found]
    else:
        ranked = yield from _beam_steps(model, sources, config, caps, allow, boundary_tokens, rules, rank,
                                        keep_attention and sources.shape[0] == 1, report)
        if not found_order:
            _prefetch(rank, [hypothesis for found in ranked for hypothesis in found])
            ranked = [sorted(found, key=lambda hypothesis: -rank(hypothesis)) for found in ranked]  # stable: ties keep the order found
        if config.greedy_candidate:
            ranked = _with_greedy(model, sources, caps, ranked, allow, rank)
    return ranked if nbest else [found[0] for found in ranked]


def _caps(model, batch: int, max_lengths) -> np.ndarray:
    """Each sentence's output cap: `max_lengths` within the model's max_target_length."""
    if max_lengths is None:
        return np.full(batch, model.max_target_length)
    caps = np.minimum(np.broadcast_to(np.asarray(max_lengths), (batch,)), model.max_target_length)
    if (caps < 1).any():
        raise ValueError(f"output caps must be at least 1, got {caps.min()}")
    return caps


def _with_greedy(model, sources, caps, ranked, allow, rank) -> list[list[Hypothesis]]:
    """Each sentence's ranked hypotheses with the greedy one first where prefer_greedy picks it."""
    greedy = yield_free(_greedy_steps(model, sources, caps, report=False))
    chosen = []
    for sentence, (found, first) in enumerate(zip(ranked, greedy)):
        allowed = allow is None or bool(allow(sentence, np.append(first.tokens, END)))
        chosen.append(found if prefer_greedy(found[0], first, allowed=allowed, rank=rank) is found[0] else [first, *found])
    return chosen


def yield_free(steps: Generator):
    """The return value of a generator that is run for it alone."""
    while True:
        try:
            next(steps)
        except StopIteration as stop:
            return stop.value


def _greedy_steps(model, sources, caps, report: bool) -> Generator[Step, None, list[Hypothesis]]:
    """Greedy decoding of every row at once (see the module docstring)."""
    batch = sources.shape[0]
    longest = int(caps.max())
    state = model.encode(sources)
    tokens = np.zeros((batch, longest), dtype=np.int32)
    log_probs_sum = np.zeros(batch, dtype=np.float64)
    token_log_probs = np.zeros((batch, longest + 1), dtype=np.float64)  # + 1: <end> after a full-length output
    lengths = np.full(batch, longest, dtype=np.int64)
    finished = np.zeros(batch, dtype=bool)
    attention = None
    rows = np.arange(batch)  # original sentence of each row of `state`
    alive = np.ones(batch, dtype=bool)
    current = np.full(batch, START, dtype=np.int64)
    for t in range(longest):
        log_probs, state, weights = model.step(current, state)
        log_probs[:, NEVER_EMITTED] = -np.inf
        choice = log_probs.argmax(axis=-1)
        live = np.flatnonzero(alive)
        sentences = rows[live]
        tokens[sentences, t] = choice[live]
        chosen = log_probs[live, choice[live]]
        log_probs_sum[sentences] += chosen
        token_log_probs[sentences, t] = chosen
        if weights is not None:
            if attention is None:
                attention = np.zeros((batch, longest, weights.shape[1]), dtype=np.float32)
            attention[sentences, t] = weights[live]
        if report:
            yield Step(t, sentences, choice[live], chosen, None if weights is None else weights[live],
                       lambda sentence, t=t: Hypothesis(tokens[sentence, :t + 1].copy(), float(log_probs_sum[sentence]),
                                                        None, False))
        ended = alive & (choice == END)
        capped = alive & ~ended & (t + 1 >= caps[rows])
        if capped.any():  # reached its own cap before <end>: stops unfinished
            lengths[rows[capped]] = t + 1
            alive &= ~capped
            if not alive.any():
                break
        if ended.any():
            lengths[rows[ended]] = t
            finished[rows[ended]] = True
            alive &= ~ended
            if not alive.any():
                break
            if alive.sum() <= COMPACT_WHEN_ALIVE * len(alive):
                keep = np.flatnonzero(alive)
                state, rows, choice, alive = state.select(keep), rows[keep], choice[keep], alive[keep]
        current = choice
    return [
        Hypothesis(
            tokens=tokens[i, :lengths[i]].copy(),
            log_prob=float(log_probs_sum[i]),
            attention=None if attention is None else attention[i, :lengths[i]].copy(),
            finished=bool(finished[i]),
            token_log_probs=token_log_probs[i, :lengths[i] + finished[i]].copy(),
        )
        for i in range(batch)
    ]


@dataclass
class _Chosen:
    """One step's choice for the sentences still decoding (`groups` of them, `width` slots each):
    each slot's parent row (-1: empty), token, score (-inf: empty) and the token's own log-probability."""

    parents: np.ndarray
    tokens: np.ndarray
    scores: np.ndarray
    token_log_probs: np.ndarray


def _beam_steps(model, sources, config, caps, allow, boundary_tokens, rules, rank, keep_attention, report):
    """The beam search of decode (see the module docstring); returns each sentence's hypotheses in
    the order found."""
    width, batch = config.beam, sources.shape[0]
    chat = rules == "chat"
    enough = 1 if width == 1 else width * config.patience
    vocab = len(model.target_vocab)
    longest = int(caps.max())
    boundary = _boundary_mask(vocab, allow, boundary_tokens)
    packed = batch == 1  # one sentence: rows for its live hypotheses only, in slot order
    state = model.encode(sources)
    if packed:
        if not chat and hasattr(state, "share_source"):  # models without attention need not share anything
            state = state.share_source()
        rows = 1
    else:
        state = state.repeat(width)
        rows = batch * width
    sentences = np.arange(batch)  # the sentence of each group of `width` slots still decoding
    tokens = np.zeros((batch * width, longest), dtype=np.int32)
    token_log_probs = np.zeros((batch * width, longest), dtype=np.float64)
    attention = None
    scores = np.full((batch, width), -np.inf)
    scores[:, 0] = 0.0  # one live hypothesis per sentence at the start
    current = np.full(rows, START, dtype=np.int64)
    finished: list[list[Hypothesis]] = [[] for _ in range(batch)]
    for t in range(longest):
        log_probs, state, weights = model.step(current, state)
        live = len(sentences)
        if packed and len(log_probs) < width:  # empty slots: no candidates
            log_probs = np.concatenate([log_probs, np.full((width - len(log_probs), vocab), -np.inf, log_probs.dtype)])
        if keep_attention and weights is not None:
            if attention is None:
                attention = np.zeros((width, longest, weights.shape[1]), dtype=np.float32)
            weights = np.concatenate([weights, np.zeros((width - len(weights), weights.shape[1]), weights.dtype)])
        choose = _chat_choice if chat else _fairseq_choice
        chosen = choose(log_probs.reshape(live, width, vocab), scores, t, width, sentences, tokens, token_log_probs,
                        attention, allow, boundary, finished)
        kept = np.isfinite(chosen.scores)
        slots = np.where(kept, chosen.parents, np.arange(live)[:, None] * width)  # an empty slot copies its group's first
        previous_tokens, previous_scores, previous_log_probs = tokens, scores, token_log_probs
        tokens = tokens[slots.ravel()]
        tokens[:, t] = chosen.tokens.ravel()
        token_log_probs = token_log_probs[slots.ravel()]
        token_log_probs[:, t] = chosen.token_log_probs.ravel()
        if attention is not None:
            attention = attention[slots.ravel()]
            attention[:, t] = weights[slots.ravel()]
        scores = chosen.scores
        done = np.array([len(finished[s]) >= enough or t + 1 >= caps[s] or not kept[i].any()
                         for i, s in enumerate(sentences)])
        for i in np.flatnonzero(done):
            sentence = sentences[i]
            if len(finished[sentence]) >= enough or (chat and finished[sentence]):
                continue
            if kept[i].any():  # stopped by its cap: its live hypotheses compete too
                _add_alive(finished[sentence], tokens, token_log_probs, attention, scores, i, width, t + 1)
            elif chat:  # every candidate refused: the hypotheses alive before this step
                _add_alive(finished[sentence], previous_tokens, previous_log_probs, None, previous_scores, i, width, t)
        if report:
            yield _beam_report(t, sentences, tokens, token_log_probs, attention, scores, finished, done, width, chat, rank)
        if done.all():
            break
        if packed:
            state = state.select(chosen.parents[0][kept[0]])
            current = chosen.tokens[0][kept[0]]
            continue
        if done.any():
            keep = np.flatnonzero(~done)
            keep_rows = (keep[:, None] * width + np.arange(width)).ravel()
            state = state.select(slots.ravel()).select(keep_rows, sources=keep)
            tokens, token_log_probs, scores = tokens[keep_rows], token_log_probs[keep_rows], scores[keep]
            current, sentences = np.where(kept, chosen.tokens, END)[keep].ravel(), sentences[keep]
        else:
            state = state.select(slots.ravel())
            current = np.where(kept, chosen.tokens, END).ravel()
    empty = Hypothesis(np.zeros(0, dtype=np.int32), float("-inf"), None, False, np.zeros(0))
    return [found or [empty] for found in finished]  # none: every candidate was refused by `allow`


def _boundary_mask(vocab_size: int, allow, boundary_tokens) -> np.ndarray:
    """Tokens whose candidates `allow` is asked about: every token (`boundary_tokens` None), or <end>
    and `boundary_tokens`; none without a filter."""
    boundary = np.zeros(vocab_size, dtype=bool)
    if allow is not None:
        if boundary_tokens is None:
            boundary[:] = True
        else:
            boundary[END] = True
            boundary[np.asarray(list(boundary_tokens), dtype=np.intp)] = True
    return boundary


def _fairseq_choice(log_probs, scores, t, width, sentences, tokens, token_log_probs, attention, allow, boundary,
                    finished) -> _Chosen:
    """One step of the fairseq rules, every sentence at once; appends the hypotheses that finish."""
    live, _, vocab = log_probs.shape
    log_probs[:, :, NEVER_EMITTED] = -np.inf
    candidates = (scores[:, :, None] + log_probs).reshape(live, width * vocab)
    count = min(2 * width, width * vocab)
    top = np.argpartition(-candidates, count - 1, axis=1)[:, :count]
    top = np.take_along_axis(top, np.argsort(-np.take_along_axis(candidates, top, 1), axis=1, kind="stable"), 1)
    top_scores = np.take_along_axis(candidates, top, 1)
    beams, chosen = top // vocab, top % vocab
    rows = np.arange(live)[:, None] * width + beams  # row of each candidate's parent
    chosen_log_probs = log_probs.reshape(live * width, vocab)[rows, chosen]
    usable = np.isfinite(top_scores)
    if allow is not None:
        for i, j in zip(*np.nonzero(usable & boundary[chosen])):
            prefix = tokens[rows[i, j], :t]
            if not allow(int(sentences[i]), prefix if chosen[i, j] == END else np.append(prefix, chosen[i, j])):
                usable[i, j] = False
    ends = (chosen == END) & usable
    rank = np.cumsum(usable, axis=1) - 1  # refused candidates are out of the race
    for i, j in zip(*np.nonzero(ends & (rank < width))):
        row = rows[i, j]
        finished[sentences[i]].append(Hypothesis(
            tokens[row, :t].copy(), float(top_scores[i, j]), None if attention is None else attention[row, :t].copy(),
            True, np.append(token_log_probs[row, :t], chosen_log_probs[i, j])))
    keep = usable & ~ends
    order = np.argsort(~keep, axis=1, kind="stable")[:, :width]  # the best live candidates first
    kept = np.take_along_axis(keep, order, 1)
    return _Chosen(np.where(kept, np.take_along_axis(rows, order, 1), -1), np.take_along_axis(chosen, order, 1),
                   np.where(kept, np.take_along_axis(top_scores, order, 1), -np.inf),
                   np.take_along_axis(chosen_log_probs, order, 1))


def _chat_choice(log_probs, scores, t, width, sentences, tokens, token_log_probs, attention, allow, boundary,
                 finished) -> _Chosen:
    """One step of the chat rules, sentence by sentence; appends the hypotheses that finish."""
    live, _, vocab = log_probs.shape
    looked_at = min(4 * width + 4, vocab)
    parents = np.full((live, width), -1)
    chosen_tokens = np.full((live, width), END)
    chosen_scores = np.full((live, width), -np.inf)
    chosen_log_probs = np.zeros((live, width))
    banned = np.zeros(vocab, dtype=bool)
    banned[[PAD, START, UNKNOWN]] = True
    banned[END] = t == 0  # no empty reply
    for i in range(live):
        slots = np.flatnonzero(np.isfinite(scores[i]))
        pool = np.argsort(-log_probs[i, slots], axis=1)[:, :looked_at]  # the most likely next tokens of each
        pool_log_probs = np.take_along_axis(log_probs[i, slots], pool, 1)
        pool_scores = scores[i, slots, None] + pool_log_probs
        candidates = np.flatnonzero(~banned[pool].ravel())
        candidates = candidates[np.argsort(-pool_scores.ravel()[candidates], kind="stable")]
        taken = 0
        for candidate in candidates:
            slot, token = slots[candidate // looked_at], int(pool.ravel()[candidate])
            row = i * width + slot
            if token == END:
                if allow is None or allow(int(sentences[i]), np.append(tokens[row, :t], END)):
                    finished[sentences[i]].append(Hypothesis(
                        tokens[row, :t].copy(), float(pool_scores.ravel()[candidate]),
                        None if attention is None else attention[row, :t].copy(), True,
                        np.append(token_log_probs[row, :t], pool_log_probs.ravel()[candidate])))
                continue
            if boundary[token] and not allow(int(sentences[i]), np.append(tokens[row, :t], token)):
                continue
            parents[i, taken], chosen_tokens[i, taken] = row, token
            chosen_scores[i, taken], chosen_log_probs[i, taken] = pool_scores.ravel()[candidate], pool_log_probs.ravel()[candidate]
            taken += 1
            if taken == width:
                break
    return _Chosen(parents, chosen_tokens, chosen_scores, chosen_log_probs)


def _add_alive(found: list[Hypothesis], tokens, token_log_probs, attention, scores, group: int, width: int,
               length: int) -> None:
    """Group `group`'s live hypotheses (finite scores), `length` tokens each, as unfinished results."""
    for slot in np.flatnonzero(np.isfinite(scores[group])):
        row = group * width + slot
        found.append(Hypothesis(tokens[row, :length].copy(), float(scores[group, slot]),
                                None if attention is None else attention[row, :length].copy(), False,
                                token_log_probs[row, :length].copy()))


def _beam_report(t, sentences, tokens, token_log_probs, attention, scores, finished, done, width, chat, rank) -> Step:
    """The Step of a beam search: each sentence's best so far, by its rules (see Step.best)."""
    groups = {int(sentence): i for i, sentence in enumerate(sentences)}

    def best(sentence: int) -> Hypothesis | None:
        group = groups.get(sentence)
        if group is None or done[group] or (chat and finished[sentence]):
            return _first_best(finished[sentence], rank)
        alive = []
        for slot in np.flatnonzero(np.isfinite(scores[group])):
            row = group * width + slot
            alive.append(Hypothesis(tokens[row, :t + 1].copy(), float(scores[group, slot]),
                                    None if attention is None else attention[row, :t + 1].copy(), False))
        if chat:  # nothing finished yet: the likeliest live hypothesis. They all have t + 1 tokens, so a length
            # penalty ranks them the same way; MMI would score every new prefix against its reply models each step
            return max(alive, key=lambda hypothesis: hypothesis.log_prob, default=None)
        return _first_best(finished[sentence] + alive, rank)

    rows = (np.arange(len(sentences))[:, None] * width + np.arange(width)).ravel()
    return Step(t, sentences, tokens[rows, t], token_log_probs[rows, t], None, best)


def _prefetch(rank, hypotheses: list[Hypothesis]) -> None:
    """Let a ranking that can score many hypotheses at once (`rank.prefetch`) do so before it is asked one by one."""
    prefetch = getattr(rank, "prefetch", None)
    if prefetch is not None and hypotheses:
        prefetch(hypotheses)


def _first_best(hypotheses: list[Hypothesis], rank) -> Hypothesis | None:
    """The first of the best-ranked hypotheses (as the stable sort of decode's result puts it first)."""
    _prefetch(rank, hypotheses)
    best, best_score = None, -np.inf
    for hypothesis in hypotheses:
        score = rank(hypothesis)
        if best is None or score > best_score:
            best, best_score = hypothesis, score
    return best
