"""How the chat model ranks replies it is given for a message (response selection), NumPy only: the
score of seqbot.contract.ranking, by the chat model, its own p(reply), its backward model and its word
links (seqbot.engine.word_links). `seqbot eval chat` reports hits@1 of 10 by it.

    bot = Chatbot.load()
    bot.rank("I passed my exam!", ["Congratulations!", "Who's there?"])   # one score per reply, higher fits better
    ranker = bot.ranker                         # None for a chat artifact without config["ranking"]
    ranker.terms(messages, replies)             # each term of the score, one value per pair

The artifact holds what the score needs: config["ranking"] (the weights), blobs["ranking_background"]
(the training messages p(reply) is averaged over) and blobs["word_links"], all written by
python -m seqbot.evaluation.chat_ranking.
"""

from __future__ import annotations

import numpy as np

from seqbot.contract.ranking import RankingConfig
from seqbot.engine.word_links import WordLinks

TERMS = ("forward", "prior", "backward", "overlap", "association")


def ranking_score(terms: dict[str, np.ndarray], config: RankingConfig) -> np.ndarray:
    """log p(r | m) - prior log p(r) + backward log p(m | r) + overlap cosine + association word MI;
    a term whose weight is 0 may be missing from `terms`."""
    score = np.asarray(terms["forward"], dtype=np.float64) - config.prior * np.asarray(terms["prior"], dtype=np.float64)
    for name in ("backward", "overlap", "association"):
        weight = getattr(config, name)
        if weight:
            score = score + weight * np.asarray(terms[name], dtype=np.float64)
    return score


class ReplyRanker:
    def __init__(self, bot, config: RankingConfig, background: list[str], word_links: WordLinks | None = None):
        if config.backward and bot.backward is None:
            raise ValueError("the ranking weighs log p(message | reply) but the chat model carries no backward model")
        if config.uses_words and word_links is None:
            raise ValueError("the ranking weighs word overlap and association but the chat model carries no word links")
        if not background:
            raise ValueError("the ranking's p(reply) needs at least one background message")
        self.bot = bot
        self.config = config
        self.background = list(background)
        self.word_links = word_links
        self._prior = None

    @property
    def prior(self):
        """The chat model's own p(reply) over the ranking's background messages, built on first use."""
        if self._prior is None:
            self._prior = self.bot.model_prior(self.background)
        return self._prior

    def terms(self, messages: list[str], replies: list[str], contexts: list[str] | None = None,
              known: dict[str, np.ndarray] | None = None) -> dict[str, np.ndarray]:
        """Every term the score weighs (module docstring), one value per (message, reply) pair, each message
        after its line in `contexts`; terms in `known` (already computed for these pairs) are taken as they are."""
        terms = dict(known or {})
        if "forward" not in terms:
            terms["forward"] = self.bot.reply_log_probs(messages, replies, contexts=contexts)
        if "prior" not in terms:
            terms["prior"] = self.bot.prior_log_probs(replies, self.prior)
        if self.config.backward and "backward" not in terms:
            terms["backward"] = self.bot.message_log_probs(messages, replies)
        if self.config.overlap and "overlap" not in terms:
            terms["overlap"] = self.word_links.overlap(messages, replies)
        if self.config.association and "association" not in terms:
            terms["association"] = self.word_links.association(messages, replies)
        return terms

    def scores(self, messages: list[str], replies: list[str], contexts: list[str] | None = None,
               known: dict[str, np.ndarray] | None = None) -> np.ndarray:
        return ranking_score(self.terms(messages, replies, contexts, known), self.config)
