"""p(reply) by the chat model itself: the mean of p(reply | message) over a fixed set of background
messages. MMI reranking with decoding mmi_prior "model" subtracts it (issue 23).

    prior = ModelPrior(model, background_ids)   # a Seq2SeqModel; (K, steps) source ids, right-padded
    prior.log_probs([ids, ...])                 # log mean_k p(reply | background k) of each reply, batched
    prior.sequence_log_prob(ids)                # one reply (token ids, <end> included when finished), remembered

Why: MMI (Li et al. 2016) ranks a reply by log p(reply | message) - lambda log p(reply), so that a
reply that fits every message ("What are you doing here?") loses to one that fits this message.
With p(reply) from a separate n-gram model the two terms come from different models, and their
errors do not cancel. The chat model's own average over messages, p(reply) = E_m p(reply | m),
estimated on K messages drawn from its training pairs (seqbot.training.chat.background_messages),
makes log p(reply | message) - log p(reply) the model's pointwise mutual information of message and reply.

Cost: K teacher-forced passes per reply. The encoder reads the K messages once; the rows of a pass
are grouped by background message, so every step reads each message's memory without copying it.
A reply's value does not depend on the message, so it is remembered across messages.
"""

from __future__ import annotations

import numpy as np

from seqbot.engine.seq2seq import forced_log_probs, padded_ids

MAX_REMEMBERED = 100_000  # replies whose log p(reply) is kept; the memory is cleared beyond it


class ModelPrior:
    # one batched pass scores many replies and remembers them: decoding scores the hypotheses it is about
    # to rank all at once (seqbot.engine.decoding.ranking), then asks one at a time for free
    batched = True

    def __init__(self, model, background_ids: np.ndarray, batch_replies: int = 64):
        background_ids = np.asarray(background_ids)
        if background_ids.ndim != 2 or not len(background_ids):
            raise ValueError(f"the background messages must be (messages, steps) ids, got shape {background_ids.shape}")
        self.model = model
        self.count = len(background_ids)
        self.batch_replies = batch_replies
        self._encoded = model.encode(background_ids)
        self._remembered: dict[tuple[int, ...], float] = {}

    def log_probs(self, replies: list) -> np.ndarray:
        """log mean_k p(reply | background message k) of each reply (a sequence of target ids, <end>
        included when the reply is finished; an empty one scores 0)."""
        replies = [tuple(int(token) for token in reply) for reply in replies]
        missing = list(dict.fromkeys(reply for reply in replies if reply not in self._remembered))
        if len(self._remembered) + len(missing) > MAX_REMEMBERED:
            self._remembered.clear()
        for start in range(0, len(missing), self.batch_replies):
            chunk = missing[start:start + self.batch_replies]
            self._remembered.update(zip(chunk, self._score(chunk)))
        return np.array([self._remembered[reply] for reply in replies], dtype=np.float64)

    def forget(self) -> None:
        """Drop the remembered replies (a benchmark's passes each pay for them)."""
        self._remembered.clear()

    def sequence_log_prob(self, ids) -> float:
        """log p(reply) of one reply: the interface of seqbot.engine.char_lm.CharNgramLM."""
        return float(self.log_probs([ids])[0])

    def _score(self, replies: list[tuple[int, ...]]) -> np.ndarray:
        """log mean_k p(reply | k) of each reply, all of them against all K messages in one pass."""
        count, width = self.count, len(replies)
        # row k * width + r: reply r after background message k (grouped by message, see Seq2SeqModel.step)
        state = self._encoded.select(np.repeat(np.arange(count), width), sources=np.arange(count))
        totals = forced_log_probs(self.model, state, np.tile(padded_ids(replies), (count, 1)))[0]
        per_message = totals.reshape(count, width)
        top = per_message.max(axis=0)
        return top + np.log(np.exp(per_message - top).mean(axis=0))
