"""Maximum mutual information reranking for the chat model (issue 23 item 2), without training a
network: the chat search's finished replies are ranked by log p(reply | message) - lambda log p(reply)
+ gamma length (seqbot.engine.decoding.mmi_score), p(reply) from a character n-gram model of the
training replies ("ngram") or from the chat model itself, its mean p(reply | m) over 16 background
messages drawn from its training pairs ("model", seqbot.engine.reply_prior).

    python -m seqbot.evaluation.chat_rerank checkpoints/chat.npz            # -> runs/chat-rerank/chat.npz
    python -m seqbot.evaluation.chat_rerank checkpoints/chat.npz --export checkpoints/chat.npz --force
    python -m seqbot.evaluation.chat_rerank checkpoints/chat.npz --messages 50 --beams 5 --patiences 4
    python -m seqbot.evaluation.chat_rerank runs/chat/model.npz --backward runs/chat-backward/model.npz  # MMI-bidi

1. The n-gram model (seqbot.engine.char_lm) is counted on the replies of the chat model's training
   pairs; its order is the one with the lowest perplexity on the validation part's replies.
2. On `messages` messages of the validation part (seqbot.evaluation.chat_eval: the held-out pairs
   split again by utterance; the test part is never looked at), every (beam, patience) of the grid
   is searched once, and every (p(reply), lambda, gamma) reranks its finished replies. The shipped ranking
   (length penalty) of the same search is a row too. With --backward (a model of p(message | reply),
   `seqbot train chat --backward`) every row is also tried with each of `backward_weights` x log
   p(message | reply) added (MMI-bidi, Li et al. 2016; seqbot.engine.backward).
   Each search runs with the word guard (decoding known_words: a reply may only use words of the
   training replies; `--known-words both` also searches without it). A character model misspells, and
   a guard that costs no measurable variety (2026-12-05, validation half: 92.0 against 92.5 % distinct
   replies for the best setting of each) keeps every misspelling out rather than most of them.
3. Choice: among the MMI rows whose chrF against the references (Li et al. tuned on BLEU) is at
   most CHRF_TOLERANCE below the shipped decoding's on the same messages and whose replies invent
   no more words (chat_eval.invented_share) than the shipped decoding's, the one with the most
   distinct replies by their words (punctuation variants of one reply count once), then the highest
   distinct-2, then chrF. The chrF floor and the invented words keep out settings that buy
   diversity with garbage or misspellings.
4. A copy of the model with the n-gram model (blobs["reply_lm"]), the training replies' words
   (blobs["reply_words"]), the background messages (blobs["background_messages"]), the backward model
   when given (config["backward"], weights "backward/<name>"), the chosen settings as its decoding (config["decoding"]) and the grid's summary (metadata["rerank"]) goes to
   runs/chat-rerank/ (--out), with rerank_grid.json (every row) and reply_lm.npz (the n-gram model
   alone); only --export copies the model elsewhere, an existing file only with --force (kept as .bak).
"""

from __future__ import annotations

import argparse
import copy
import json
import time
from dataclasses import asdict, dataclass
from pathlib import Path

import numpy as np

from seqbot.artifact import load_artifact, save_artifact
from seqbot.contract import keys
from seqbot.contract.decoding import MMI_PRIORS, DecodingConfig
from seqbot.contract.tokens import END
from seqbot.engine.char_lm import CharNgramLM
from seqbot.engine.backward import carry
from seqbot.engine.chat import Chatbot, background_blob, decoding_settings, reply_word_set, reply_words_blob
from seqbot.engine.decoding import mmi_score, normalised_score
from seqbot.errors import SeqbotError
from seqbot.evaluation import chat_eval
from seqbot.evaluation.copy_options import add_copy_arguments, copy_path, numbers
from seqbot.training.chat import HELDOUT_SEED, background_messages
from seqbot.training.outputs import export_copy

CHRF_TOLERANCE = 0.5
RULE = ("among the MMI settings with chrF at most 0.5 below the shipped decoding's and no more invented words, "
        "the most distinct replies by words, then distinct-2, then chrF")


@dataclass
class RerankConfig:
    orders: tuple[int, ...] = (3, 4, 5, 6, 7)
    beams: tuple[int, ...] = (5, 10)  # 20 and patience 2 were never chosen (2026-12-05) and cost the most
    patiences: tuple[int, ...] = (4, 8)
    lambdas: tuple[float, ...] = (0.0, 0.1, 0.2, 0.3, 0.4, 0.5, 0.6, 0.7, 0.8, 0.9, 1.0)
    gammas: tuple[float, ...] = (0.0, 0.25, 0.5, 0.75, 1.0, 1.25, 1.5)
    messages: int = 200
    seed: int = 1
    corpora: str | None = None
    known_words: tuple[bool, ...] = (True,)  # searches with the word guard; (False, True): also without
    priors: tuple[str, ...] = ("ngram", "model")  # MMI's p(reply): the n-gram model, the chat model's own
    backward: str | None = None  # a backward model's artifact (p(message | reply)) to carry and weigh
    backward_weights: tuple[float, ...] = (0.0, 0.25, 0.5, 0.75, 1.0)  # MMI-bidi weights, with `backward`


def build_reply_lm(train_replies: list[str], validation_replies: list[str], vocab: list[str], orders, log=print):
    """The n-gram model of `train_replies` whose order has the lowest perplexity on `validation_replies`."""
    best, table = None, []
    for order in orders:
        lm = CharNgramLM.fit(train_replies, vocab, order)
        score = lm.perplexity(validation_replies)
        table.append({"order": order, "validation_perplexity": round(score, 4), "ngrams": lm.ngrams,
                      "bytes": len(lm.to_bytes())})
        log(f"  order {order}: validation perplexity {score:.3f}, {lm.ngrams:,} n-grams, {table[-1]['bytes']:,} bytes")
        if best is None or score < best[0]:
            best = (score, lm)
    return best[1], table


@dataclass
class _Candidates:
    """The finished replies of one message: texts, log p(reply | message), log p(reply) by each prior
    ("ngram", "model"), lengths (characters, <end> not counted) and log p(message | reply) by the
    backward model (0 without one)."""

    texts: list[str]
    log_probs: np.ndarray
    priors: dict[str, np.ndarray]
    lengths: np.ndarray
    backward: np.ndarray | float = 0.0


def search_candidates(bot: Chatbot, messages: list[str], contexts: list[str] | None = None,
                      priors: dict | None = None) -> list[_Candidates]:
    """Each message's finished replies with their p(reply) by each of `priors` (name -> reply model;
    default: the bot's n-gram model as "ngram") and, when the bot carries one, p(message | reply)."""
    priors = {"ngram": bot.reply_lm} if priors is None else priors
    found = []
    for index, message in enumerate(messages):
        hypotheses = bot.candidates(message, context=contexts[index] if contexts else "")
        ids = [h.ids[1:] for h in hypotheses]
        backward = bot.backward.for_message(message).log_probs(ids) if bot.backward is not None else 0.0
        found.append(_Candidates([h.text for h in hypotheses], np.array([h.log_prob for h in hypotheses]),
                                 {name: prior.log_probs(ids) for name, prior in priors.items()},
                                 np.array([len(h.ids) - 1 - (h.ids[-1] == END) for h in hypotheses]), backward))
    return found


def pick(candidates: list[_Candidates], scorer) -> list[int]:
    """Each message's candidate with the highest score (the first on a tie, as the search does)."""
    return [int(np.argmax(scorer(c))) for c in candidates]


def length_ranked(decoding: DecodingConfig) -> DecodingConfig:
    """`decoding` ranking its finished replies by the length penalty (the shipped ranking)."""
    return DecodingConfig.from_dict(decoding.to_dict(), rerank="length", mmi_lambda=0.0, mmi_gamma=0.0, mmi_backward=0.0)


def tune(artifact, lm: CharNgramLM, pairs: list[tuple[str, str]], config: RerankConfig, log=print,
         contexts: dict | None = None, reply_words: frozenset[str] = frozenset(),
         background: list[str] | None = None) -> list[dict]:
    """Every row of the grid on `messages` messages of `pairs` (the validation part), each after its
    line in `contexts` when given. The checkpoint's own beam and patience are always searched: their
    length-ranked row is the reference."""
    chosen = chat_eval.choose_messages(pairs, config.messages, config.seed)
    messages, references = [m for m, _ in chosen], [r for _, r in chosen]
    lines = [chat_eval.context_of(pair, contexts) for pair in chosen]
    shipped = length_ranked(decoding_settings(artifact.config, artifact.metadata))
    searches = dict.fromkeys([(shipped.beam, shipped.patience, shipped.known_words)] +
                             [(b, p, k) for k in config.known_words for b in config.beams for p in config.patiences])
    rows, model_prior = [], None
    for beam, patience, known_words in searches:
        base = DecodingConfig.from_dict(shipped.to_dict(), beam=beam, patience=patience, known_words=known_words)
        started = time.perf_counter()
        bot = Chatbot(artifact, decoding=base, reply_lm=lm, reply_words=reply_words or None, background=background)
        if "model" in config.priors and model_prior is None:
            model_prior = bot.model_prior()  # one for every search: it remembers the replies it scored
        priors = {"ngram": lm, "model": model_prior}
        candidates = search_candidates(bot, messages, lines, {name: priors[name] for name in config.priors})
        log(f"  beam {beam}, patience {patience}{', known words' if known_words else ''}: "
            f"{np.mean([len(c.texts) for c in candidates]):.1f} finished replies per message, "
            f"{time.perf_counter() - started:.0f} s")
        picked = pick(candidates, lambda c: normalised_score(c.log_probs, c.lengths + 1, base.alpha, base.penalty))
        rows.append(_row(base, picked, candidates, references, reply_words))
        weights = config.backward_weights if bot.backward is not None else (0.0,)
        for prior in config.priors:
            for mmi_lambda in config.lambdas:
                for mmi_gamma in config.gammas:
                    for weight in weights:
                        decoding = DecodingConfig.from_dict(base.to_dict(), rerank="mmi", mmi_lambda=mmi_lambda,
                                                            mmi_gamma=mmi_gamma, mmi_prior=prior, mmi_backward=weight)
                        picked = pick(candidates, lambda c: mmi_score(c.log_probs, c.priors[prior], c.lengths,
                                                                      mmi_lambda, mmi_gamma, c.backward, weight))
                        rows.append(_row(decoding, picked, candidates, references, reply_words))
    return rows


def _row(decoding: DecodingConfig, picked: list[int], candidates: list[_Candidates], references: list[str],
         reply_words: frozenset[str] = frozenset()) -> dict:
    replies = [c.texts[i] for c, i in zip(candidates, picked)]
    figures = chat_eval.diversity(replies)
    figures.pop("top5")
    if reply_words:
        figures["invented_words"] = chat_eval.invented_share(replies, reply_words)
    return {"decoding": _key(decoding),
            **{key: round(value, 4) for key, value in figures.items()},
            "chrF": round(chat_eval.chrf(replies, references), 3),
            "log_prob_per_char": round(float(np.mean([c.log_probs[i] / (c.lengths[i] + 1)
                                                      for c, i in zip(candidates, picked)])), 4)}


def choose(rows: list[dict], shipped: DecodingConfig) -> dict:
    """The rule of the module docstring (step 3); `shipped`: the decoding whose chrF is the floor."""
    reference = [row for row in rows if row["decoding"] == _key(length_ranked(shipped))]
    if not reference:
        raise SeqbotError(f"the grid has no row for the shipped decoding (beam {shipped.beam}, patience {shipped.patience})")
    floor = reference[0]["chrF"] - CHRF_TOLERANCE
    invented = reference[0].get("invented_words", 0.0)
    usable = [row for row in rows if row["decoding"]["rerank"] == "mmi" and row["chrF"] >= floor
              and row.get("invented_words", 0.0) <= invented]
    if not usable:
        return reference[0]
    return max(usable, key=_preference)


def _preference(row: dict) -> tuple:
    return row["distinct_replies_words"], row["distinct_2"], row["chrF"]


def summary(rows: list[dict], best: dict) -> list[dict]:
    """Per search (beam, patience): its length-ranked row and its most preferred MMI row; `best` marked."""
    search = lambda row: (row["decoding"]["beam"], row["decoding"]["patience"], row["decoding"]["known_words"])  # noqa: E731
    kept = []
    for key in dict.fromkeys(map(search, rows)):
        own = [row for row in rows if search(row) == key]
        mmi = [row for row in own if row["decoding"]["rerank"] == "mmi"]
        kept += [row for row in own if row["decoding"]["rerank"] == "length"]
        for prior in dict.fromkeys(row["decoding"]["mmi_prior"] for row in mmi):
            own_prior = [row for row in mmi if row["decoding"]["mmi_prior"] == prior]
            kept.append(best if best in own_prior else max(own_prior, key=_preference))
    return [row | {"chosen": row is best} for row in kept]


def _key(decoding: DecodingConfig) -> dict:
    return {key: decoding.to_dict()[key]
            for key in ("beam", "patience", "known_words", "rerank", "mmi_prior", "mmi_lambda", "mmi_gamma",
                        "mmi_backward")}


def rerank_chat(model: str | Path, out: str | Path, config: RerankConfig, log=print) -> dict:
    """Steps 1-4 of the module docstring; returns the record written into metadata["rerank"] (the
    grid's summary rows; every row goes to rerank_grid.json beside `out`)."""
    artifact = load_artifact(model, kind="seq2seq")
    if config.backward:
        artifact = carry(artifact, load_artifact(config.backward, kind="seq2seq"))
        log(f"backward model p(message | reply): {config.backward}")
    data = chat_eval.chat_split(artifact, config.corpora)
    parts = chat_eval.heldout_parts(artifact, data=data)
    log(f"reply n-gram model from {len(data.train):,} training replies, order chosen on "
        f"{len(parts['validation'])} validation replies:")
    lm, orders = build_reply_lm([r for _, r in data.train], [r for _, r in parts["validation"]],
                                artifact.config["target_vocab"], config.orders, log)
    words_blob = reply_words_blob([r for _, r in data.train])
    reply_words = reply_word_set(words_blob)
    background = background_messages(data.train)
    log(f"grid on {min(config.messages, len(parts['validation']))} validation messages:")
    rows = tune(artifact, lm, parts["validation"], config, log, chat_eval.heldout_contexts(artifact, config.corpora),
                reply_words, background)
    shipped = decoding_settings(artifact.config, artifact.metadata)
    best = choose(rows, shipped)
    decoding = DecodingConfig.from_dict(shipped.to_dict(), **best["decoding"])
    record = {"method": "mmi (Li et al. 2016): log p(r|m) - lambda log p(r) + backward log p(m|r) + gamma length",
              "reply_lm": {"order": lm.order, "ngrams": lm.ngrams, "bytes": len(lm.to_bytes()),
                           "trained_on": f"{len(data.train)} training replies", "orders": orders},
              "heldout_seed": HELDOUT_SEED, "config": asdict(config), "chosen": best,
              "grid": summary(rows, best), "rule": RULE}
    grid_file = Path(out).parent / "rerank_grid.json"
    lm.save(Path(out).parent / "reply_lm.npz")  # for seqbot eval chat --reply-lm with another checkpoint
    grid_file.write_text(json.dumps({"rule": RULE, "chosen": best, "rows": rows}, indent=1) + "\n", encoding="utf-8")
    result = copy.copy(artifact)
    result.blobs = dict(artifact.blobs) | {keys.REPLY_LM: lm.to_bytes(), keys.REPLY_WORDS: words_blob,
                                          keys.BACKGROUND: background_blob(background)}
    result.config = dict(artifact.config) | {keys.DECODING: decoding.to_dict()}
    result.metadata = dict(artifact.metadata) | {"rerank": record}
    save_artifact(out, result)
    Chatbot.load(out)  # loads back with its reply model and decoding
    return record


def print_grid(rows: list[dict], log=print) -> None:
    log(f"  {'beam':>4} {'pat':>3} {'known':>5} {'rank':>6} {'prior':>5} {'lambda':>6} {'gamma':>5} {'back':>4} {'distinct':>8} {'words':>5} "
        f"{'top5':>5} {'dist-1':>6} {'dist-2':>6} {'chrF':>6} {'len':>5} {'logp/ch':>7} {'invent':>6}")
    for row in rows:
        d = row["decoding"]
        mark = "  <- chosen" if row.get("chosen") else ""
        invented = row.get("invented_words")
        log(f"  {d['beam']:>4} {d['patience']:>3} {'yes' if d.get('known_words') else 'no':>5} {d['rerank']:>6} "
            f"{d.get('mmi_prior', 'ngram') if d['rerank'] == 'mmi' else '':>5} "
            f"{d['mmi_lambda']:>6.2f} {d['mmi_gamma']:>5.2f} {d.get('mmi_backward', 0.0):>4.2f} "
            f"{row['distinct_replies']:>8.3f} {row['distinct_replies_words']:>5.3f} {row['top5_share']:>5.3f} {row['distinct_1']:>6.3f} {row['distinct_2']:>6.3f} "
            f"{row['chrF']:>6.2f} {row['mean_length']:>5.1f} {row['log_prob_per_char']:>7.3f} "
            f"{'' if invented is None else format(invented, '.3f'):>6}{mark}")


def _names(text: str) -> tuple[str, ...]:
    names = tuple(name.strip() for name in text.split(",") if name.strip())
    unknown = [name for name in names if name not in MMI_PRIORS]
    if unknown or not names:
        raise argparse.ArgumentTypeError(f"expected some of {', '.join(MMI_PRIORS)}, got {text!r}")
    return names


def main(argv: list[str] | None = None) -> int:
    defaults = RerankConfig()
    parser = argparse.ArgumentParser(prog="python -m seqbot.evaluation.chat_rerank", description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    add_copy_arguments(parser, "chat-rerank", "its reranking")
    parser.add_argument("--messages", type=int, default=defaults.messages, help="validation messages of the grid")
    parser.add_argument("--seed", type=int, default=defaults.seed)
    parser.add_argument("--backward", help="a backward model p(message | reply) (seqbot train chat --backward) to carry "
                                           "and weigh (MMI-bidi)")
    for name, kind in (("orders", int), ("beams", int), ("patiences", int), ("lambdas", float), ("gammas", float),
                       ("backward_weights", float)):
        parser.add_argument(f"--{name.replace('_', '-')}", type=numbers(kind), default=getattr(defaults, name),
                            help=f"default {','.join(map(str, getattr(defaults, name)))}")
    parser.add_argument("--known-words", choices=["on", "both"], default="on",
                        help="search with the word guard only (default) or with and without it")
    parser.add_argument("--priors", type=_names, default=defaults.priors,
                        help=f"MMI's p(reply), comma-separated: ngram, model (default {','.join(defaults.priors)})")
    parser.add_argument("--json", action="store_true", help="print the record as JSON")
    args = parser.parse_args(argv)
    config = RerankConfig(args.orders, args.beams, args.patiences, args.lambdas, args.gammas, args.messages,
                          args.seed, args.corpora, known_words=(False, True) if args.known_words == "both" else (True,),
                          priors=args.priors, backward=args.backward, backward_weights=args.backward_weights)
    output = copy_path(args, "chat-rerank")
    record = rerank_chat(args.model, output, config)
    print("per search: the length ranking and the preferred MMI setting (every setting: rerank_grid.json)")
    print_grid(record["grid"])
    chosen = record["chosen"]["decoding"]
    print(f"chosen on validation: beam {chosen['beam']}, patience {chosen['patience']}, "
          f"known words {'on' if chosen.get('known_words') else 'off'}, p(reply) {chosen.get('mmi_prior', 'ngram')}, lambda {chosen['mmi_lambda']}, "
          f"gamma {chosen['mmi_gamma']}, backward {chosen.get('mmi_backward', 0.0)}; reply model order {record['reply_lm']['order']}, "
          f"{record['reply_lm']['bytes']:,} bytes")
    print(f"wrote {output}")
    if args.export:
        export_copy(output, args.export, args.force)
    if args.json:
        print(json.dumps(record, indent=2))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
