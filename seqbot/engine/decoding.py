"""Decoders over any model with the Seq2SeqModel interface (encode / step / state.select).

    hypotheses = greedy(model, source_ids)             # (batch, steps) ids -> one Hypothesis per row
    best = beam_search(model, source_ids[0], width=5)  # one sentence, length-normalised
    for partial in stream_beam_search(model, source_ids[0], width=5): ...  # the best so far, each step
    for token, attention_row in stream_greedy(model, source_ids[0]): ...

Greedy decodes a whole batch at once: each row stops at <end> or after max_length tokens, and
finished rows are dropped from the batch once a quarter of it has finished (so a long sentence does
not keep paying for the short ones). Results are written into preallocated arrays; Python loops
only run over time steps.

Beam search keeps `width` hypotheses per step and ranks finished ones by a length-normalised score,
    average: log P / length ** alpha            (alpha = 1: mean log-probability per token)
    gnmt:    log P / ((5 + length) / 6) ** alpha (Wu et al. 2016)
where log P includes the <end> token and length counts it. As in fairseq, an <end> among the
`width` best candidates of a step finishes that hypothesis, the `width` best other candidates
stay alive, and the search stops once `width` hypotheses have finished (or at max_length), so
width 1 is exactly greedy decoding. No decoder ever emits <pad> or <start>.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Callable, Generator, Iterator

import numpy as np

from seqbot.engine.seq2seq import END, PAD, START
from seqbot.errors import SeqbotError

LENGTH_PENALTIES = ("average", "gnmt")
# Never valid outputs: the decoders skip them even if an undertrained model ranks them first.
NEVER_EMITTED = slice(PAD, START + 1)  # <pad> and <start>, ids 0 and 1
# Greedy drops finished rows from the batch when at most this fraction of it is still decoding.
COMPACT_WHEN_ALIVE = 0.75


@dataclass
class Hypothesis:
    """A decoded sequence. `tokens` excludes <end>; `attention` has one row per token (None without attention)."""

    tokens: np.ndarray
    log_prob: float  # sum of the chosen tokens' log-probabilities, <end> included when finished
    attention: np.ndarray | None
    finished: bool  # False when max_length stopped it before <end>

    @property
    def length(self) -> int:
        """Tokens scored: the output plus <end> when finished."""
        return len(self.tokens) + int(self.finished)


def normalised_score(log_prob, length, alpha: float = 1.0, penalty: str = "average"):
    """Length-normalised log-probability (see the module docstring); works on arrays too."""
    length = np.maximum(length, 1)
    if penalty == "average":
        return log_prob / length ** alpha
    if penalty == "gnmt":
        return log_prob / ((5.0 + length) / 6.0) ** alpha
    raise SeqbotError(f"unknown length penalty {penalty!r}; expected one of {', '.join(LENGTH_PENALTIES)}")


def greedy(model, source_ids, max_length: int | None = None) -> list[Hypothesis]:
    """Greedy decoding of every row of `source_ids` (batch, steps) at once."""
    source_ids = np.asarray(source_ids)
    if source_ids.shape[0] == 1:
        return [_greedy_one(model, source_ids[0], max_length)]
    batch = source_ids.shape[0]
    max_length = model.max_target_length if max_length is None else max_length
    state = model.encode(source_ids)
    tokens = np.zeros((batch, max_length), dtype=np.int32)
    log_probs_sum = np.zeros(batch, dtype=np.float64)
    lengths = np.full(batch, max_length, dtype=np.int64)
    finished = np.zeros(batch, dtype=bool)
    attention = None
    rows = np.arange(batch)  # original sentence of each row of `state`
    alive = np.ones(batch, dtype=bool)
    current = np.full(batch, START, dtype=np.int64)
    for t in range(max_length):
        log_probs, state, weights = model.step(current, state)
        log_probs[:, NEVER_EMITTED] = -np.inf
        choice = log_probs.argmax(axis=-1)
        live = np.flatnonzero(alive)
        sentences = rows[live]
        tokens[sentences, t] = choice[live]
        log_probs_sum[sentences] += log_probs[live, choice[live]]
        if weights is not None:
            if attention is None:
                attention = np.zeros((batch, max_length, weights.shape[1]), dtype=np.float32)
            attention[sentences, t] = weights[live]
        ended = alive & (choice == END)
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
        )
        for i in range(batch)
    ]


def _greedy_steps(model, source_ids, max_length):
    """Greedy decoding of one sentence: yields (token, its log-probability, attention row or None), <end> included."""
    max_length = model.max_target_length if max_length is None else max_length
    state = model.encode(np.asarray(source_ids)[None, :])
    current = np.array([START])
    for _ in range(max_length):
        log_probs, state, weights = model.step(current, state)
        log_probs[0, NEVER_EMITTED] = -np.inf
        token = int(log_probs[0].argmax())
        yield token, float(log_probs[0, token]), None if weights is None else weights[0]
        if token == END:
            return
        current[0] = token


def _greedy_one(model, source_ids, max_length) -> Hypothesis:
    """Greedy for a batch of one: the same steps as `stream_greedy`, with scalars instead of masks."""
    max_length = model.max_target_length if max_length is None else max_length
    tokens = np.zeros(max_length, dtype=np.int32)
    attention = None
    log_prob, length, finished = 0.0, 0, False
    for token, token_log_prob, weights in _greedy_steps(model, source_ids, max_length):
        log_prob += token_log_prob
        if weights is not None and attention is None:
            attention = np.zeros((max_length, weights.shape[0]), dtype=np.float32)
        if token == END:
            finished = True
            break
        tokens[length] = token
        if weights is not None:
            attention[length] = weights
        length += 1
    return Hypothesis(tokens=tokens[:length], log_prob=log_prob,
                      attention=None if attention is None else attention[:length], finished=finished)


def stream_greedy(model, source_ids, max_length: int | None = None) -> Iterator[tuple[int, np.ndarray | None]]:
    """Greedy decoding of one sentence (steps,), yielding (token, attention row or None) as each is chosen."""
    for token, _, weights in _greedy_steps(model, source_ids, max_length):
        if token == END:
            return
        yield token, weights


def beam_search(
    model,
    source_ids,
    width: int = 5,
    alpha: float = 1.0,
    penalty: str = "average",
    max_length: int | None = None,
    on_step: Callable[[Hypothesis], None] | None = None,
) -> list[Hypothesis]:
    """Beam search over one sentence (steps,). Returns the hypotheses found, best normalised score first.

    `on_step`, when given, is called after every decoding step with the best hypothesis so far
    (see `stream_beam_search`); without it nothing extra is computed."""
    steps = _beam_steps(model, source_ids, width, alpha, penalty, max_length, report=on_step is not None)
    while True:
        try:
            best = next(steps)
        except StopIteration as stop:
            return stop.value
        on_step(best)


def stream_beam_search(
    model,
    source_ids,
    width: int = 5,
    alpha: float = 1.0,
    penalty: str = "average",
    max_length: int | None = None,
) -> Generator[Hypothesis, None, list[Hypothesis]]:
    """Beam search that yields, after every decoding step, the best hypothesis so far: the one with
    the highest normalised score among the finished and the alive ones (an alive one is unfinished,
    with the step's length). It may change from step to step, not only grow; the last one yielded is
    `beam_search(...)[0]`, and the generator returns beam_search's whole list."""
    return (yield from _beam_steps(model, source_ids, width, alpha, penalty, max_length, report=True))


def _beam_steps(model, source_ids, width, alpha, penalty, max_length, report):
    """The search itself; yields the best hypothesis after each step only when `report` is true."""
    if width < 1:
        raise SeqbotError(f"beam width must be at least 1, got {width}")
    normalised_score(0.0, 1, alpha, penalty)  # reject an unknown penalty before decoding
    max_length = model.max_target_length if max_length is None else max_length
    state = model.encode(np.asarray(source_ids)[None, :])
    if hasattr(state, "share_source"):
        state = state.share_source()  # the beams share one source: no copies of it per step
    source_steps = state.mask.shape[1]
    vocab = len(model.target_vocab)
    tokens = np.zeros((1, max_length), dtype=np.int32)
    attention = np.zeros((1, max_length, source_steps), dtype=np.float32)
    has_attention = False
    scores = np.zeros(1, dtype=np.float64)
    current = np.array([START])
    finished: list[Hypothesis] = []
    for t in range(max_length):
        log_probs, state, weights = model.step(current, state)
        log_probs[:, NEVER_EMITTED] = -np.inf
        candidates = (scores[:, None] + log_probs).ravel()
        count = min(2 * width, candidates.size)
        top = np.argpartition(-candidates, count - 1)[:count]
        top = top[np.argsort(-candidates[top], kind="stable")]
        beams, chosen = top // vocab, top % vocab
        ends = chosen == END
        for rank in np.flatnonzero(ends[:width]):
            beam = beams[rank]
            finished.append(Hypothesis(
                tokens=tokens[beam, :t].copy(),
                log_prob=float(candidates[top[rank]]),
                attention=attention[beam, :t].copy() if weights is not None else None,
                finished=True,
            ))
        if len(finished) >= width:
            if report:
                yield _best_so_far(finished, None, None, None, alpha, penalty)
            break
        keep = np.flatnonzero(~ends)[:width]
        parents = beams[keep]
        tokens = tokens[parents]
        tokens[:, t] = chosen[keep]
        if weights is not None:
            has_attention = True
            attention = attention[parents]
            attention[:, t] = weights[parents]
        scores = candidates[top[keep]]
        state = state.select(parents)
        current = chosen[keep]
        if report:
            yield _best_so_far(finished, tokens[:, :t + 1], scores, attention[:, :t + 1] if has_attention else None,
                               alpha, penalty)
    else:
        for beam in range(len(scores)):
            finished.append(Hypothesis(tokens=tokens[beam].copy(), log_prob=float(scores[beam]),
                                       attention=attention[beam].copy() if has_attention else None, finished=False))
    finished.sort(key=lambda h: -normalised_score(h.log_prob, h.length, alpha, penalty))
    return finished


def _best_so_far(finished, alive_tokens, alive_scores, alive_attention, alpha, penalty) -> Hypothesis:
    """The best of the finished hypotheses and the alive beams, ties going to the earliest in the
    order beam_search ranks its result in (finished ones first, then beams in order), so that the
    last report is exactly beam_search's first hypothesis."""
    best, best_score = None, -np.inf
    for hypothesis in finished:
        score = normalised_score(hypothesis.log_prob, hypothesis.length, alpha, penalty)
        if best is None or score > best_score:
            best, best_score = hypothesis, score
    if alive_scores is not None:
        alive = normalised_score(alive_scores, alive_tokens.shape[1], alpha, penalty)
        beam = int(alive.argmax())
        if best is None or alive[beam] > best_score:
            best = Hypothesis(tokens=alive_tokens[beam].copy(), log_prob=float(alive_scores[beam]),
                              attention=None if alive_attention is None else alive_attention[beam].copy(),
                              finished=False)
    return best
