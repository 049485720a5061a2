"""The chat model's ranking of given replies (issue 23's hits@1 of 10): word links fitted on its training
pairs and the weights of seqbot.contract.ranking chosen on the validation part, written into a copy of
the chat artifact. No network is trained.

    python -m seqbot.evaluation.chat_ranking checkpoints/chat.npz          # -> runs/chat-ranking/chat.npz
    python -m seqbot.evaluation.chat_ranking checkpoints/chat.npz --export checkpoints/chat.npz --force
    python -m seqbot.evaluation.chat_ranking checkpoints/chat.npz --overlaps 0,4 --associations 0,0.1

1. Word links (seqbot.engine.word_links: tf-idf and IBM Model 1 both ways) are fitted on the model's
   training pairs, each message without the line before it.
2. p(reply) is the chat model's own mean over `background_messages` of its training messages
   (seqbot.training.chat.background_messages), more than the 16 its decoding averages over: ranking
   is done once per candidate, and 128 messages rank better than 16 on validation (2026-12-06).
3. On the validation part (seqbot.evaluation.chat_eval; the test part is never looked at), for each
   of `seeds`, 200 messages and 9 distractors each are drawn as `seqbot eval chat --part validation
   --seed S` draws them, and every term of the score is computed once.
4. Every (prior, backward, overlap, association) of the grid is scored by hits@1 on each seed; the
   chosen weights have the highest mean over the seeds, then the highest worst seed, then come first
   in the grid (smaller weights first).
5. A copy of the model with the word links (blobs["word_links"]), the background messages
   (blobs["ranking_background"]), the weights (config["ranking"]) and the grid's summary
   (metadata["ranking"]) goes to runs/chat-ranking/ (--out), with ranking_grid.json (every row); only
   --export copies it elsewhere, an existing file only with --force (kept as .bak).
"""

from __future__ import annotations

import argparse
import copy
import itertools
import json
import time
from dataclasses import asdict, dataclass
from pathlib import Path

import numpy as np

from seqbot.artifact import load_artifact, save_artifact
from seqbot.contract import keys
from seqbot.contract.ranking import RankingConfig
from seqbot.contract.text import CONTEXT_SEPARATOR
from seqbot.engine.chat import Chatbot, background_blob
from seqbot.engine.reply_ranking import ranking_score
from seqbot.engine.word_links import WordLinks
from seqbot.errors import SeqbotError
from seqbot.evaluation import chat_eval
from seqbot.evaluation.copy_options import add_copy_arguments, copy_path, numbers
from seqbot.training.chat import background_messages
from seqbot.training.outputs import export_copy

RULE = "the highest mean validation hits@1 over the seeds, then the highest worst seed, then the smaller weights"


@dataclass
class RankingTuneConfig:
    priors: tuple[float, ...] = (0.8, 0.9, 1.0)
    backwards: tuple[float, ...] = (0.0, 0.25, 0.5, 0.75, 1.0)
    overlaps: tuple[float, ...] = (0.0, 2.0, 4.0, 6.0, 8.0, 12.0)
    associations: tuple[float, ...] = (0.0, 0.05, 0.1, 0.15, 0.2, 0.3)
    seeds: tuple[int, ...] = (1, 2, 3)
    messages: int = 200
    distractors: int = 9
    background_messages: int = RankingConfig.background_messages
    corpora: str | None = None


def training_messages(pairs: list[tuple[str, str]], context_length: int) -> list[tuple[str, str]]:
    """The training pairs with each source's previous line dropped (a context model's sources hold it)."""
    if not context_length:
        return list(pairs)
    return [(source.split(CONTEXT_SEPARATOR)[-1], reply) for source, reply in pairs]


def validation_terms(bot: Chatbot, links: WordLinks, pairs: list[tuple[str, str]], background: list[str],
                     config: RankingTuneConfig, contexts: dict | None = None, log=print) -> list[dict[str, np.ndarray]]:
    """Per seed, every term of the ranking score as (messages, candidates) matrices, the true reply first."""
    found = []
    for seed in config.seeds:
        started = time.perf_counter()
        chosen = chat_eval.choose_messages(pairs, config.messages, seed)
        distractors = chat_eval.distractor_sets(chosen, pairs, config.distractors, seed)
        terms = chat_eval.candidate_scores(bot, chosen, distractors, contexts, background, links)
        found.append(terms)
        rows, width = terms["forward"].shape
        log(f"  seed {seed}: {rows} messages x {width} candidates, {time.perf_counter() - started:.0f} s")
    return found


def grid(terms: list[dict[str, np.ndarray]], config: RankingTuneConfig, has_backward: bool) -> list[dict]:
    """Every weighting of the grid with its hits@1 on each seed's matrices."""
    backwards = config.backwards if has_backward else (0.0,)
    rows = []
    for prior, backward, overlap, association in itertools.product(config.priors, backwards, config.overlaps,
                                                                    config.associations):
        ranking = RankingConfig(prior, backward, overlap, association, config.background_messages)
        rows.append(hits_row(ranking.to_dict(), [ranking_score(seed_terms, ranking) for seed_terms in terms]))
    return rows


def hits_row(ranking: dict, scores: list[np.ndarray]) -> dict:
    """A row of the grid: what ranked, hits@1 by each seed's (messages, candidates) `scores` and their mean."""
    hits = [chat_eval.first_share(seed_scores) for seed_scores in scores]
    return {"ranking": ranking, "hits_at_1": [round(h, 4) for h in hits], "mean": round(float(np.mean(hits)), 4)}


def preference(row: dict) -> tuple[float, float]:
    return row["mean"], min(row["hits_at_1"])


def choose(rows: list[dict]) -> dict:
    """The rule of the module docstring (step 4): max picks the first of equal rows, the smaller weights."""
    return max(rows, key=preference)


def reference_rows(rows: list[dict], terms: list[dict[str, np.ndarray]]) -> dict[str, dict]:
    """What each word term ranks alone, and the grid's rows for the scores `seqbot eval chat` also reports:
    mutual information, and read both ways."""
    def find(prior, backward):
        match = [row for row in rows if row["ranking"]["prior"] == prior and row["ranking"]["backward"] == backward
                 and not row["ranking"]["overlap"] and not row["ranking"]["association"]]
        return match[0] if match else None

    found = {name + "_alone": hits_row({"alone": name}, [seed_terms[name] for seed_terms in terms])
             for name in ("overlap", "association")}
    found |= {"mutual_information": find(1.0, 0.0), "both_ways": find(1.0, 1.0)}
    return {name: row for name, row in found.items() if row}


def rank_chat(model: str | Path, out: str | Path, config: RankingTuneConfig, log=print) -> dict:
    """Steps 1-5 of the module docstring; returns the record written into metadata["ranking"]."""
    artifact = load_artifact(model, kind="seq2seq")
    data = chat_eval.chat_split(artifact, config.corpora)
    parts = chat_eval.heldout_parts(artifact, config.corpora, data)
    bot = Chatbot(artifact, model)
    started = time.perf_counter()
    links = WordLinks.fit(training_messages(data.train, bot.context_length))
    log(f"word links from {len(data.train):,} training pairs: {len(links.vocabulary):,} words, {links.links:,} links, "
        f"{time.perf_counter() - started:.1f} s")
    background = background_messages(data.train, config.background_messages)
    log(f"terms on the validation part ({len(parts['validation'])} pairs), p(reply) over {len(background)} messages:")
    terms = validation_terms(bot, links, parts["validation"], background, config,
                             chat_eval.heldout_contexts(artifact, config.corpora), log)
    rows = grid(terms, config, bot.backward is not None)
    best = choose(rows)
    ranking = RankingConfig.from_dict(best["ranking"])
    links_blob = links.to_bytes()
    record = {"method": "log p(r|m) - prior log p(r) + backward log p(m|r) + overlap tfidf_cosine(m, r) "
                        "+ association word_mi_both_ways(m, r)",
              "word_links": {"words": len(links.vocabulary), "links": links.links, "bytes": len(links_blob),
                             "trained_on": f"{len(data.train)} training pairs"},
              "config": asdict(config), "rule": RULE, "chosen": best, "references": reference_rows(rows, terms),
              "top": sorted(rows, key=preference, reverse=True)[:10]}
    Path(out).parent.mkdir(parents=True, exist_ok=True)
    (Path(out).parent / "ranking_grid.json").write_text(json.dumps({"rule": RULE, "chosen": best, "rows": rows},
                                                                   indent=1) + "\n", encoding="utf-8")
    result = copy.copy(artifact)
    result.blobs = dict(artifact.blobs) | {keys.WORD_LINKS: links_blob,
                                          keys.RANKING_BACKGROUND: background_blob(background)}
    result.config = dict(artifact.config) | {keys.RANKING: ranking.to_dict()}
    result.metadata = dict(artifact.metadata) | {keys.RANKING: record}
    save_artifact(out, result)
    if Chatbot.load(out).ranker is None:  # loads back with its ranking
        raise SeqbotError(f"{out} was written without its ranking")
    return record


def describe(row: dict) -> str:
    r = row["ranking"]
    hits = " / ".join(f"{h:.1%}" for h in row["hits_at_1"])
    weights = ("" if "alone" in r else
               f"prior {r['prior']}, backward {r['backward']}, overlap {r['overlap']}, association {r['association']}: ")
    return f"{weights}hits@1 {hits} (mean {row['mean']:.1%})"


def main(argv: list[str] | None = None) -> int:
    defaults = RankingTuneConfig()
    parser = argparse.ArgumentParser(prog="python -m seqbot.evaluation.chat_ranking", description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    add_copy_arguments(parser, "chat-ranking", "its ranking")
    parser.add_argument("--messages", type=int, default=defaults.messages, help="validation messages per seed")
    parser.add_argument("--background-messages", type=int, default=defaults.background_messages,
                        help="training messages p(reply) is averaged over")
    for name, kind in (("seeds", int), ("priors", float), ("backwards", float), ("overlaps", float),
                       ("associations", float)):
        parser.add_argument(f"--{name}", type=numbers(kind), default=getattr(defaults, name),
                            help=f"default {','.join(map(str, getattr(defaults, name)))}")
    parser.add_argument("--json", action="store_true", help="print the record as JSON")
    args = parser.parse_args(argv)
    try:
        config = RankingTuneConfig(args.priors, args.backwards, args.overlaps, args.associations, args.seeds,
                                   args.messages, background_messages=args.background_messages, corpora=args.corpora)
        for pick in (min, max):  # every weight of the grid valid before any work
            RankingConfig(pick(config.priors), pick(config.backwards), pick(config.overlaps), pick(config.associations),
                          config.background_messages)
        output = copy_path(args, "chat-ranking")
        record = rank_chat(args.model, output, config)
    except ValueError as error:
        raise SeqbotError(str(error)) from None
    print("hits@1 of 10 on the validation part, seeds " + " / ".join(map(str, config.seeds)) + ":")
    for name, row in record["references"].items():
        print(f"  {name.replace('_', ' '):19s} {describe(row)}")
    print(f"  {'chosen':19s} {describe(record['chosen'])}")
    print(f"word links: {record['word_links']['words']:,} words, {record['word_links']['links']:,} links, "
          f"{record['word_links']['bytes']:,} bytes")
    print(f"wrote {output}")
    if args.export:
        export_copy(output, args.export, args.force)
    if args.json:
        print(json.dumps(record, indent=2))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
