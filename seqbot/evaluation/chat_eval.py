"""How the chat model answers held-out messages, measured the way the dialogue literature does
(issue 23). `seqbot eval chat` prints it; seqbot.evaluation.chat_rerank tunes decoding with it.

    parts = heldout_parts(artifact)           # the chat model's own held-out pairs: "validation" / "test"
    report = evaluate(bot, parts["test"], EvalConfig(messages=200, seed=1), contexts=heldout_contexts(artifact))

The benchmark (seqbot.training.chat): the "short" pairs' split holds out 5 % of its pairs by
utterance; a model of those pairs used them only to keep its best round (by loss). They are split
again by utterance (seqbot.training.chat.HELDOUT_SEED): "validation" for choosing decoding settings
and rounds, "test" for reporting. A model of the "all" pairs (the shipped one) never saw a benchmark
message and kept its best round on the validation half, so every chat model is measured on the same
test half. The figures, on `messages` distinct messages drawn with `seed`:

- distinct-1 / distinct-2 (Li et al. 2016): distinct word unigrams / bigrams over all replies,
  divided by the number of unigrams / bigrams (words and punctuation marks, lower-cased);
- top-5 share: share of replies that are one of the five most frequent replies (exact text);
- distinct replies: distinct reply texts / replies; also with replies compared by their words only
  (lower-cased, punctuation dropped: "What are you doing here??" = "what are you doing here?"), as
  reranking can make replies distinct by punctuation alone;
- hits@1 of 10: share of messages whose true reply has the highest log p(reply | message) among it
  and 9 distinct other replies drawn from the part's other pairs (random: 10 %); also by the model's
  pointwise mutual information, log p(reply | message) - log p(reply) with p(reply) the model's own
  mean over background messages (the artifact's, else seqbot.training.chat.background_messages of
  its training pairs): a reply that fits every message no longer outranks the one that fits this
  message; for a model that carries a backward model p(message | reply) (seqbot.engine.backward)
  by log p(message | reply) alone and by the mutual information read both ways, log p(reply |
  message) - log p(reply) + log p(message | reply) (the two estimates of log p(m, r) / p(m) p(r)
  added; log p(message) is the same for every candidate, so it drops out); for a model that records
  a ranking (seqbot.contract.ranking: that mutual information with word-level evidence, weights
  chosen on the validation part by seqbot.evaluation.chat_ranking) by its score; with MMI decoding
  also by the reranker's score;
- perplexity per character (<end> counted) of every reply of the part, teacher-forced;
- chrF (sacrebleu, against the one reference) and the mean length of the replies;
- invented words: the share of replies with a word that no training reply has ("bathoon" for
  "bathroom"): a character model can misspell, and reranking for variety makes it do so more.
Everything but the replies themselves is drawn from random.Random(seed): two runs agree exactly.
A model that reads the previous line (Chatbot.context_length) gets each benchmark message's line
before it in the transcript (`heldout_contexts`); the messages, replies and distractors are the
same for every model.
"""

from __future__ import annotations

import math
import random
import re
from collections import Counter
from dataclasses import dataclass

import numpy as np

from seqbot.data.splits import deduplicate
from seqbot.engine.chat import words_of as words  # the words invented words are counted in (the word guard's)
from seqbot.engine.decoding import mmi_score
from seqbot.training.chat import benchmark, benchmark_contexts, chat_data_from_split, heldout_halves
_TOKEN = re.compile(r"[a-z0-9']+|[^\sa-z0-9']")
_WORDS = re.compile(r"[a-z0-9']+")


@dataclass(frozen=True)
class EvalConfig:
    messages: int = 200  # distinct held-out messages answered
    distractors: int = 9  # other replies ranked against the true one (hits@1 of distractors + 1)
    seed: int = 1
    samples: int = 10  # replies printed

    def __post_init__(self):
        if self.messages < 1 or self.distractors < 1 or self.samples < 0:
            raise ValueError(f"messages and distractors must be at least 1 and samples at least 0, got {self}")


def chat_split(artifact, corpora: str | None = None):
    """The chat model's pairs (seqbot.training.chat.chat_data) with the split its metadata records."""
    return chat_data_from_split(artifact.metadata.get("split") or {}, corpora)


def heldout_parts(artifact, corpora: str | None = None, data=None) -> dict[str, list[tuple[str, str]]]:
    """The chat model's held-out pairs split by utterance into "validation" and "test": the benchmark
    for a model of the "all" pairs, else the halves of its own held-out pairs (`data`, else rebuilt
    by chat_split)."""
    if (artifact.metadata.get("split") or {}).get("pairs") == "all":
        return benchmark(corpora)
    return heldout_halves((data or chat_split(artifact, corpora)).validation)


def heldout_contexts(artifact, corpora: str | None = None) -> dict[tuple[str, str], str] | None:
    """The line before each benchmark pair's message, for a model that reads it; else None."""
    split = artifact.metadata.get("split") or {}
    return benchmark_contexts(corpora) if split.get("pairs") == "all" and split.get("context_length") else None


def tokens(text: str) -> list[str]:
    return _TOKEN.findall(text.lower())


def distinct_n(replies: list[str], n: int) -> float:
    grams = [tuple(words[i:i + n]) for words in map(tokens, replies) for i in range(len(words) - n + 1)]
    return len(set(grams)) / len(grams) if grams else 0.0


def diversity(replies: list[str]) -> dict:
    counts = Counter(replies)
    return {
        "distinct_1": distinct_n(replies, 1),
        "distinct_2": distinct_n(replies, 2),
        "distinct_replies": len(counts) / len(replies),
        "distinct_replies_words": len({tuple(_WORDS.findall(reply.lower())) for reply in replies}) / len(replies),
        "top5_share": sum(count for _, count in counts.most_common(5)) / len(replies),
        "top5": counts.most_common(5),
        "mean_length": float(np.mean([len(reply) for reply in replies])),
    }


def chrf(replies: list[str], references: list[str]) -> float:
    import sacrebleu

    return float(sacrebleu.corpus_chrf(replies, [references]).score)


def choose_messages(pairs: list[tuple[str, str]], count: int, seed: int) -> list[tuple[str, str]]:
    """`count` pairs with distinct utterances (each utterance's first pair), drawn with `seed`."""
    first = deduplicate(pairs, key=lambda pair: pair[0])
    return random.Random(seed).sample(first, min(count, len(first)))


def distractor_sets(chosen: list[tuple[str, str]], pairs: list[tuple[str, str]], count: int, seed: int) -> list[list[str]]:
    """For each chosen pair, `count` distinct replies of other pairs of the part (another utterance,
    another text than the true reply)."""
    rng = random.Random(seed + 1)
    sets = []
    for utterance, reply in chosen:
        pool = sorted({other for message, other in pairs if message != utterance and other != reply})
        if len(pool) < count:
            raise ValueError(f"hits@1 needs {count} other replies, the part has {len(pool)}")
        sets.append(rng.sample(pool, count))
    return sets


def hits_at_1(bot, chosen: list[tuple[str, str]], distractors: list[list[str]], contexts: dict | None = None,
              background: list[str] | None = None) -> dict:
    """Share of messages whose true reply ranks first: by log p(reply | message); with `background`
    messages also by the model's pointwise mutual information log p(reply | message) - log p(reply),
    p(reply) its own mean over them (seqbot.engine.reply_prior); with a backward model by log p(message
    | reply) and (with `background`) by the mutual information read both ways, that plus log p(message
    | reply); by the bot's ranking when it records one (seqbot.engine.reply_ranking); when the bot
    reranks by MMI, by its mmi_score."""
    matrices = candidate_scores(bot, chosen, distractors, contexts, background)
    scores, backward, prior = matrices["forward"], matrices.get("backward"), matrices.get("prior")
    report = {"hits_at_1": first_share(scores), "candidates": scores.shape[1]}
    if backward is not None:
        report["hits_at_1_backward"] = first_share(backward)
    if prior is not None:
        report["hits_at_1_pmi"] = first_share(scores - prior)
        report["background_messages"] = len(background)
        if backward is not None:
            report["hits_at_1_pmi_both"] = first_share(scores - prior + backward)
    if bot.ranker is not None:
        report["hits_at_1_ranking"] = first_share(ranking_scores(bot, chosen, distractors, matrices, contexts, background))
        report["ranking"] = bot.ranking.to_dict()
    if bot.decoding.rerank == "mmi":
        replies = candidates(chosen, distractors)
        own_prior = bot.prior_log_probs(replies).reshape(scores.shape)
        lengths = np.array([len(reply) for reply in replies]).reshape(scores.shape)
        report["hits_at_1_mmi"] = first_share(mmi_score(scores, own_prior, lengths, bot.decoding.mmi_lambda,
                                                        bot.decoding.mmi_gamma, backward if backward is not None else 0.0,
                                                        bot.decoding.mmi_backward))
    return report


def candidates(chosen: list[tuple[str, str]], distractors: list[list[str]]) -> list[str]:
    """Every message's candidate replies in one list, message by message, its true reply first."""
    return [reply for (_, true), others in zip(chosen, distractors) for reply in [true] + others]


def candidate_pairs(chosen: list[tuple[str, str]], distractors: list[list[str]],
                    contexts: dict | None = None) -> tuple[list[str], list[str], list[str]]:
    """The messages, their previous lines (from `contexts`) and the replies of every (message, candidate)
    pair, message by message, its true reply first."""
    width = len(distractors[0]) + 1
    messages = [utterance for utterance, _ in chosen for _ in range(width)]
    lines = [context_of(pair, contexts) for pair in chosen for _ in range(width)]
    return messages, lines, candidates(chosen, distractors)


def candidate_scores(bot, chosen: list[tuple[str, str]], distractors: list[list[str]], contexts: dict | None = None,
                     background: list[str] | None = None, word_links=None) -> dict[str, np.ndarray]:
    """(messages, candidates) matrices, the true reply in column 0: "forward" log p(reply | message)
    (each message after its line in `contexts`); with a backward model "backward" log p(message |
    reply); with `background` messages "prior", log p(reply) as the model's own mean over them; with
    `word_links` (seqbot.engine.word_links) their "overlap" and "association"."""
    messages, lines, replies = candidate_pairs(chosen, distractors, contexts)
    shape = (len(chosen), len(distractors[0]) + 1)
    matrices = {"forward": bot.reply_log_probs(messages, replies, contexts=lines).reshape(shape)}
    if bot.backward is not None:
        matrices["backward"] = bot.message_log_probs(messages, replies).reshape(shape)
    if background:
        matrices["prior"] = bot.prior_log_probs(replies, bot.model_prior(background)).reshape(shape)
    if word_links is not None:
        matrices["overlap"] = word_links.overlap(messages, replies).reshape(shape)
        matrices["association"] = word_links.association(messages, replies).reshape(shape)
    return matrices


def ranking_scores(bot, chosen: list[tuple[str, str]], distractors: list[list[str]], matrices: dict[str, np.ndarray],
                   contexts: dict | None = None, background: list[str] | None = None) -> np.ndarray:
    """(messages, candidates) scores by the bot's ranking (seqbot.engine.reply_ranking), reusing the
    candidate_scores `matrices` computed over `background` (p(reply) is reused only when its background
    is the ranking's own)."""
    messages, lines, replies = candidate_pairs(chosen, distractors, contexts)
    reuse = ("forward", "backward") + (("prior",) if list(background or []) == bot.ranker.background else ())
    known = {name: matrices[name].ravel() for name in reuse if name in matrices}
    return bot.ranker.scores(messages, replies, lines, known).reshape(len(chosen), len(distractors[0]) + 1)


def first_share(scores: np.ndarray) -> float:
    """Share of rows whose column 0 is strictly above every other column (a tie is a miss)."""
    return float(np.mean(scores[:, 0] > scores[:, 1:].max(axis=1)))


def invented_share(replies: list[str], known_words: set[str]) -> float:
    """Share of replies with a word that is not in `known_words` (the training replies' words)."""
    return sum(any(word not in known_words for word in words(reply)) for reply in replies) / len(replies)


def context_of(pair: tuple[str, str], contexts: dict | None) -> str:
    return (contexts or {}).get(pair, "")


def perplexity(bot, pairs: list[tuple[str, str]], contexts: dict | None = None) -> float:
    scores = bot.reply_log_probs([u for u, _ in pairs], [r for _, r in pairs],
                                 contexts=[context_of(pair, contexts) for pair in pairs])
    return math.exp(-scores.sum() / sum(len(reply) + 1 for _, reply in pairs))


def answer(bot, messages: list[str], log=None, contexts: list[str] | None = None) -> list[str]:
    replies = []
    for index, message in enumerate(messages, 1):
        replies.append(bot.reply(message, context=contexts[index - 1] if contexts else ""))
        if log and index % 50 == 0:
            log(f"  {index}/{len(messages)} replies")
    return replies


def evaluate(bot, pairs: list[tuple[str, str]], config: EvalConfig = EvalConfig(), log=None,
             contexts: dict | None = None, known_words: set[str] | None = None,
             background: list[str] | None = None) -> dict:
    """Every figure of the module docstring for `bot` (its own decoding settings) on `pairs`, each
    message after its line in `contexts` ((message, reply) -> previous line) when given; invented
    words when the training replies' `known_words` are given; hits@1 by mutual information over
    `background` messages when given."""
    chosen = choose_messages(pairs, config.messages, config.seed)
    replies = answer(bot, [utterance for utterance, _ in chosen], log, [context_of(pair, contexts) for pair in chosen])
    references = [reply for _, reply in chosen]
    report = {"pairs": len(pairs), "messages": len(chosen), "seed": config.seed, "decoding": bot.decoding.to_dict(),
              **diversity(replies), "chrF": chrf(replies, references),
              **hits_at_1(bot, chosen, distractor_sets(chosen, pairs, config.distractors, config.seed), contexts,
                         background),
              "perplexity": perplexity(bot, pairs, contexts)}
    if known_words is not None:
        report["invented_words"] = invented_share(replies, known_words)
    report["samples"] = [{"message": m, "reply": r, "reference": ref}
                         for (m, ref), r in list(zip(chosen, replies))[: config.samples]]
    return report
