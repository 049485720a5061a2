"""Decoders over any model with the Seq2SeqModel interface (encode / step / state.select), driven
by the artifact's DecodingConfig (seqbot.contract.decoding).

    hypotheses = greedy(model, source_ids)             # (batch, steps) ids -> one Hypothesis per row
    best = beam_search(model, source_ids[0], width=4)  # one sentence, length-normalised
    for partial in stream_beam_search(model, source_ids[0], width=4): ...  # the best so far, each step
    for token, attention_row in stream_greedy(model, source_ids[0]): ...

Greedy decodes a whole batch at once: each row stops at <end> or after max_length tokens, and
finished rows are dropped from the batch once a quarter of it has finished (so a long sentence does
not keep paying for the short ones). Results are written into preallocated arrays; Python loops
only run over time steps.

Beam search keeps `width` hypotheses per step and ranks finished ones by a length-normalised score,
    average: log P / length ** alpha            (alpha = 1: mean log-probability per token)
    gnmt:    log P / ((5 + length) / 6) ** alpha (Wu et al. 2016: (5 + length)^alpha / (5 + 1)^alpha)
where log P includes the <end> token and length counts it; alpha = 0 ranks by log P alone. The
penalty only ranks the hypotheses that finished: the search itself keeps the `width` best by log P.
The translator ships with average / alpha 1 (mean log-probability per character), which prefers a
longer output made of confident characters; gnmt with a smaller alpha weighs length less. Alpha is
chosen on the validation pairs (`seqbot eval translate --sweep-alpha`), never on the test pairs.
The chat model can rank its finished replies by maximum mutual information instead
(DecodingConfig.rerank = "mmi", mmi_score: log p(reply | message) - lambda log p(reply) + gamma length,
p(reply) from a character n-gram model of the training replies), chosen by
`python -m seqbot.evaluation.chat_rerank` on its validation part.

As in fairseq, an <end> among the `width` best candidates of a step finishes that hypothesis, the
`width` best other candidates stay alive, and the search stops once `width` hypotheses have finished
(or at max_length), so width 1 is exactly greedy decoding. No decoder ever emits <pad> or <start>.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Callable, Generator, Iterator

import numpy as np

from seqbot.contract.decoding import LENGTH_PENALTIES, DecodingConfig
from seqbot.contract.limits import MAX_BEAM  # noqa: F401  decoding.MAX_BEAM: engine.translator reads it here
from seqbot.contract.tokens import END, PAD, START
from seqbot.errors import SeqbotError

# Never valid outputs: the decoders skip them even if an undertrained model ranks them first.
NEVER_EMITTED = slice(PAD, START + 1)  # <pad> and <start>, ids 0 and 1
# Greedy drops finished rows from the batch when at most this fraction of it is still decoding.
COMPACT_WHEN_ALIVE = 0.75
_WORD = re.compile(r"[^\W_]+(?:'[^\W_]+)*")


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
    (the output tokens, then <end> when finished; length `length`, sum `log_prob`), recorded by every
    decoder as it goes (no second pass); None for the best-so-far reports of a running beam search."""

    tokens: np.ndarray
    log_prob: float  # sum of the chosen tokens' log-probabilities, <end> included when finished
    attention: np.ndarray | None
    finished: bool  # False when max_length stopped it before <end>
    token_log_probs: np.ndarray | None = None

    @property
    def length(self) -> int:
        """Tokens scored: the output plus <end> when finished."""
        return len(self.tokens) + int(self.finished)


def normalised_score(log_prob, length, alpha: float = DecodingConfig.alpha, penalty: str = DecodingConfig.penalty):
    """Length-normalised log-probability (see the module docstring); works on arrays too."""
    length = np.maximum(length, 1)
    if penalty == "average":
        return log_prob / length ** alpha
    if penalty == "gnmt":
        return log_prob / ((5.0 + length) / 6.0) ** alpha
    raise SeqbotError(f"unknown length penalty {penalty!r}; expected one of {', '.join(LENGTH_PENALTIES)}")


def mmi_score(log_prob, lm_log_prob, length, mmi_lambda: float, mmi_gamma: float):
    """Maximum mutual information score of a finished reply (Li et al. 2016, MMI-antiLM with a length
    term): log p(reply | message) - mmi_lambda * log p(reply) + mmi_gamma * length, where p(reply) is
    the reply language model's and length counts the reply's characters (<end> not counted). Works on
    arrays too. With mmi_lambda 0 and mmi_gamma 0 it is log p(reply | message) alone."""
    return log_prob - mmi_lambda * lm_log_prob + mmi_gamma * np.asarray(length, dtype=np.float64)


def prefer_greedy(beam_best: Hypothesis, greedy_best: Hypothesis, alpha: float = DecodingConfig.alpha,
                  penalty: str = DecodingConfig.penalty, allowed: bool = True) -> Hypothesis:
    """The greedy hypothesis when it finished, is `allowed` (the repetition guard) and has a higher
    normalised score than beam search's pick; else the beam's. With it, beam search never returns a
    translation the model scores below its greedy one."""
    if not (greedy_best.finished and allowed):
        return beam_best
    greedy_score = normalised_score(greedy_best.log_prob, greedy_best.length, alpha, penalty)
    beam_score = normalised_score(beam_best.log_prob, beam_best.length, alpha, penalty)
    return greedy_best if greedy_score > beam_score or not beam_best.finished else beam_best


def greedy(model, source_ids, max_length: int | None = None, max_lengths=None) -> list[Hypothesis]:
    """Greedy decoding of every row of `source_ids` (batch, steps) at once; `max_lengths` caps each row."""
    source_ids = np.asarray(source_ids)
    batch = source_ids.shape[0]
    max_length = model.max_target_length if max_length is None else max_length
    caps = np.full(batch, max_length) if max_lengths is None else np.minimum(np.asarray(max_lengths), max_length)
    max_length = int(caps.max())
    if batch == 1:
        return [_greedy_one(model, source_ids[0], max_length)]
    state = model.encode(source_ids)
    tokens = np.zeros((batch, max_length), dtype=np.int32)
    log_probs_sum = np.zeros(batch, dtype=np.float64)
    token_log_probs = np.zeros((batch, max_length + 1), dtype=np.float64)  # + 1: <end> after a full-length output
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
        chosen = log_probs[live, choice[live]]
        log_probs_sum[sentences] += chosen
        token_log_probs[sentences, t] = chosen
        if weights is not None:
            if attention is None:
                attention = np.zeros((batch, max_length, weights.shape[1]), dtype=np.float32)
            attention[sentences, t] = weights[live]
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
    scored = np.zeros(max_length + 1, dtype=np.float64)
    attention = None
    log_prob, length, finished = 0.0, 0, False
    for token, token_log_prob, weights in _greedy_steps(model, source_ids, max_length):
        log_prob += token_log_prob
        scored[length] = token_log_prob
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
                      attention=None if attention is None else attention[:length], finished=finished,
                      token_log_probs=scored[:length + finished].copy())


def stream_greedy(model, source_ids, max_length: int | None = None) -> Iterator[tuple[int, np.ndarray | None]]:
    """Greedy decoding of one sentence (steps,), yielding (token, attention row or None) as each is chosen."""
    for token, _, weights in _greedy_steps(model, source_ids, max_length):
        if token == END:
            return
        yield token, weights


def beam_search(
    model,
    source_ids,
    width: int = DecodingConfig.beam,
    alpha: float = DecodingConfig.alpha,
    penalty: str = DecodingConfig.penalty,
    max_length: int | None = None,
    on_step: Callable[[Hypothesis], None] | None = None,
    allow: Callable[[int, np.ndarray], bool] | None = None,
    boundary_tokens=None,
) -> list[Hypothesis]:
    """Beam search over one sentence (steps,). Returns the hypotheses found, best normalised score first.

    `on_step`, when given, is called after every decoding step with the best hypothesis so far
    (see `stream_beam_search`); without it nothing extra is computed. `allow` / `boundary_tokens`:
    the candidate filter of `beam_search_batch` (sentence index 0)."""
    steps = _beam_steps(model, source_ids, width, alpha, penalty, max_length, report=on_step is not None,
                        allow=allow, boundary_tokens=boundary_tokens)
    while True:
        try:
            best = next(steps)
        except StopIteration as stop:
            return stop.value
        on_step(best)


def stream_beam_search(
    model,
    source_ids,
    width: int = DecodingConfig.beam,
    alpha: float = DecodingConfig.alpha,
    penalty: str = DecodingConfig.penalty,
    max_length: int | None = None,
    allow: Callable[[int, np.ndarray], bool] | None = None,
    boundary_tokens=None,
) -> Generator[Hypothesis, None, list[Hypothesis]]:
    """Beam search that yields, after every decoding step, the best hypothesis so far: the one with
    the highest normalised score among the finished and the alive ones (an alive one is unfinished,
    with the step's length). It may change from step to step, not only grow; the last one yielded is
    `beam_search(...)[0]`, and the generator returns beam_search's whole list."""
    return (yield from _beam_steps(model, source_ids, width, alpha, penalty, max_length, report=True,
                                   allow=allow, boundary_tokens=boundary_tokens))


def _boundary_mask(vocab_size: int, allow, boundary_tokens) -> np.ndarray:
    """Tokens whose candidates `allow` is asked about: <end> and `boundary_tokens`."""
    boundary = np.zeros(vocab_size, dtype=bool)
    if allow is not None:
        boundary[END] = True
        if boundary_tokens is not None:
            boundary[np.asarray(list(boundary_tokens), dtype=np.intp)] = True
    return boundary


def _beam_steps(model, source_ids, width, alpha, penalty, max_length, report, allow=None, boundary_tokens=None):
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
    token_log_probs = np.zeros((1, max_length), dtype=np.float64)  # of each beam's tokens, as chosen
    attention = np.zeros((1, max_length, source_steps), dtype=np.float32)
    has_attention = False
    scores = np.zeros(1, dtype=np.float64)
    current = np.array([START])
    finished: list[Hypothesis] = []
    boundary = _boundary_mask(vocab, allow, boundary_tokens)
    for t in range(max_length):
        log_probs, state, weights = model.step(current, state)
        log_probs[:, NEVER_EMITTED] = -np.inf
        candidates = (scores[:, None] + log_probs).ravel()
        count = min(2 * width, candidates.size)
        top = np.argpartition(-candidates, count - 1)[:count]
        top = top[np.argsort(-candidates[top], kind="stable")]
        beams, chosen = top // vocab, top % vocab
        usable = np.isfinite(candidates[top])
        if allow is not None:
            for j in np.flatnonzero(usable & boundary[chosen]):
                prefix = tokens[beams[j], :t]
                if not allow(0, prefix if chosen[j] == END else np.append(prefix, chosen[j])):
                    usable[j] = False
        # Refused candidates are out of the race: ranks count usable candidates only.
        top, beams, chosen = top[usable], beams[usable], chosen[usable]
        if not len(top):
            break
        ends = chosen == END
        for rank in np.flatnonzero(ends[:width]):
            beam = beams[rank]
            finished.append(Hypothesis(
                tokens=tokens[beam, :t].copy(),
                log_prob=float(candidates[top[rank]]),
                attention=attention[beam, :t].copy() if weights is not None else None,
                finished=True,
                token_log_probs=np.append(token_log_probs[beam, :t], log_probs[beam, END]),
            ))
        if len(finished) >= width:
            if report:
                yield _best_so_far(finished, None, None, None, alpha, penalty)
            break
        keep = np.flatnonzero(~ends)[:width]
        if not len(keep):
            break
        parents = beams[keep]
        tokens = tokens[parents]
        tokens[:, t] = chosen[keep]
        token_log_probs = token_log_probs[parents]
        token_log_probs[:, t] = log_probs[parents, chosen[keep]]
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
                                       attention=attention[beam].copy() if has_attention else None, finished=False,
                                       token_log_probs=token_log_probs[beam].copy()))
    if not finished:  # every candidate was refused by `allow`
        return [Hypothesis(np.zeros(0, dtype=np.int32), float("-inf"), None, False, np.zeros(0))]
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


def beam_search_batch(
    model,
    source_ids,
    width: int = DecodingConfig.beam,
    alpha: float = DecodingConfig.alpha,
    penalty: str = DecodingConfig.penalty,
    max_lengths=None,
    allow: Callable[[int, np.ndarray], bool] | None = None,
    boundary_tokens=None,
    on_step: Callable[[np.ndarray, np.ndarray, np.ndarray, list], None] | None = None,
    nbest: bool = False,
) -> list[Hypothesis] | list[list[Hypothesis]]:
    """Beam search over every row of `source_ids` (batch, steps) at once; the best hypothesis of each
    (with `nbest`, each sentence's finished hypotheses, best normalised score first, as beam_search).

    All `width` hypotheses of all sentences advance in one model step (rows sentence-major), with
    the same rules as `beam_search` (an <end> among the `width` best candidates finishes that
    hypothesis; a sentence stops once `width` have finished or at its max length), so each
    sentence gets what beam_search would give it. `max_lengths`: one cap per sentence (default
    the model's max_target_length). `allow(sentence, tokens)`, when given, is asked about every
    candidate whose last token is in `boundary_tokens` (a word just ended, or <end>): False drops
    it (the repetition guard). Finished sentences leave the batch, so long ones do not keep paying
    for short ones. `on_step(sentences, tokens, scores, finished)`, when given, sees the search after
    every step: the sentence of each group of `width` rows, their tokens and scores (-inf: no
    hypothesis) and each sentence's finished hypotheses (the app shows the best so far); an
    exception it raises stops the search.
    """
    if width < 1:
        raise SeqbotError(f"beam width must be at least 1, got {width}")
    normalised_score(0.0, 1, alpha, penalty)
    source_ids = np.asarray(source_ids)
    batch = source_ids.shape[0]
    caps = np.full(batch, model.max_target_length) if max_lengths is None else np.minimum(max_lengths, model.max_target_length)
    longest = int(caps.max())
    boundary = _boundary_mask(len(model.target_vocab), allow, boundary_tokens)
    state = model.encode(source_ids).repeat(width)
    vocab = len(model.target_vocab)
    sentences = np.arange(batch)  # the sentence of each group of `width` rows still decoding
    tokens = np.zeros((batch * width, longest), dtype=np.int32)
    token_log_probs = np.zeros((batch * width, longest), dtype=np.float64)  # of each row's tokens, as chosen
    scores = np.full((batch, width), -np.inf)
    scores[:, 0] = 0.0  # one live hypothesis per sentence at the start
    current = np.full(batch * width, START, dtype=np.int64)
    finished: list[list[Hypothesis]] = [[] for _ in range(batch)]
    for t in range(longest):
        log_probs, state, _ = model.step(current, state)
        log_probs[:, NEVER_EMITTED] = -np.inf
        live = len(sentences)
        candidates = (scores[:, :, None] + log_probs.reshape(live, width, vocab)).reshape(live, width * vocab)
        count = min(2 * width, width * vocab)
        top = np.argpartition(-candidates, count - 1, axis=1)[:, :count]
        top = np.take_along_axis(top, np.argsort(-np.take_along_axis(candidates, top, 1), axis=1, kind="stable"), 1)
        top_scores = np.take_along_axis(candidates, top, 1)
        beams, chosen = top // vocab, top % vocab
        rows = np.arange(live)[:, None] * width + beams  # row of each candidate's parent
        chosen_log_probs = log_probs[rows, chosen]  # each candidate's own token
        usable = np.isfinite(top_scores)
        if allow is not None:
            for i, j in zip(*np.nonzero(usable & boundary[chosen])):
                sentence = sentences[i]
                prefix = tokens[rows[i, j], :t]
                candidate = prefix if chosen[i, j] == END else np.append(prefix, chosen[i, j])
                if not allow(int(sentence), candidate):
                    usable[i, j] = False
        ends = (chosen == END) & usable
        # <end> counts only among the `width` best usable candidates, as in beam_search.
        rank = np.cumsum(usable, axis=1) - 1
        for i, j in zip(*np.nonzero(ends & (rank < width))):
            finished[sentences[i]].append(Hypothesis(
                tokens[rows[i, j], :t].copy(), float(top_scores[i, j]), None, True,
                np.append(token_log_probs[rows[i, j], :t], chosen_log_probs[i, j])))
        keep_mask = usable & ~ends
        order = np.argsort(~keep_mask, axis=1, kind="stable")[:, :width]  # the best live candidates first
        kept = np.take_along_axis(keep_mask, order, 1)
        parent_rows = np.take_along_axis(rows, order, 1)
        new_scores = np.where(kept, np.take_along_axis(top_scores, order, 1), -np.inf)
        new_tokens = np.take_along_axis(chosen, order, 1)
        parent_rows = np.where(kept, parent_rows, np.arange(live)[:, None] * width)
        tokens = tokens[parent_rows.ravel()]
        tokens[:, t] = new_tokens.ravel()
        token_log_probs = token_log_probs[parent_rows.ravel()]
        token_log_probs[:, t] = np.take_along_axis(chosen_log_probs, order, 1).ravel()
        state = state.select(parent_rows.ravel())
        scores = new_scores
        current = np.where(kept, new_tokens, END).ravel()
        done = np.array([len(finished[s]) >= width or t + 1 >= caps[s] or not kept[i].any()
                         for i, s in enumerate(sentences)])
        for i in np.flatnonzero(done):
            if len(finished[sentences[i]]) < width:  # stopped by its cap: its live hypotheses compete too
                for beam in np.flatnonzero(np.isfinite(scores[i])):
                    finished[sentences[i]].append(
                        Hypothesis(tokens[i * width + beam, :t + 1].copy(), float(scores[i, beam]), None, False,
                                   token_log_probs[i * width + beam, :t + 1].copy()))
        if on_step is not None:
            on_step(sentences, tokens[:, :t + 1], scores, finished)
        if done.all():
            break
        if done.any():
            keep = np.flatnonzero(~done)
            keep_rows = (keep[:, None] * width + np.arange(width)).ravel()
            state = state.select(keep_rows, sources=keep)
            tokens, scores, current, sentences = tokens[keep_rows], scores[keep], current[keep_rows], sentences[keep]
            token_log_probs = token_log_probs[keep_rows]
    results = []
    for sentence in range(batch):
        if not finished[sentence]:  # every candidate was refused by `allow`
            results.append([Hypothesis(np.zeros(0, dtype=np.int32), float("-inf"), None, False, np.zeros(0))])
            continue
        # Stable: ties keep the order found, as beam_search's sort does.
        results.append(sorted(finished[sentence], key=lambda h: -normalised_score(h.log_prob, h.length, alpha, penalty)))
    return results if nbest else [ranked[0] for ranked in results]
