"""Score the chat model on its own held-out pairs (issue 23): distinct-1/2 of the replies, the share
of replies that are one of the five most frequent, the share of distinct replies, hits@1 of 10 by
log p(reply | message) and by the model's mutual information (p(reply) its own mean over background
messages), with a backward model also by log p(message | reply) and by the mutual information read
both ways (log p(reply | message) - log p(reply) + log p(message | reply)), by the checkpoint's ranking
(seqbot.contract.ranking) when it records one, perplexity per character, chrF, and a sample of replies.

    seqbot eval chat                                  200 test messages, the checkpoint's decoding
    seqbot eval chat --rerank length --beam 5 --patience 4    the decoding shipped before reranking
    seqbot eval chat --mmi-prior ngram --beam 5 --patience 8 --mmi-lambda 0.8 --mmi-gamma 1.0
                                                      the n-gram reranking shipped before 2026-12-05 (evening)
    seqbot eval chat --part validation                the part decoding settings are chosen on
    seqbot eval chat --pairs my_pairs.txt             utterance<TAB>reply lines instead
    seqbot eval chat --messages 50 --seed 2 --json
    seqbot eval chat --no-context                     a context model without its previous lines

The held-out pairs are the chat model's own split (recorded in the checkpoint, rebuilt from the
corpora: needs the training extra's yaml and chatterbot-corpus), split again by utterance into a
validation and a test part (seqbot.evaluation.chat_eval, which defines every figure); a model
trained on the "all" pairs (the shipped one) never saw the "short" pairs' held-out messages and is
scored on those parts, so every chat model compares on the same test part. Messages and
hits@1 distractors are drawn with --seed: the same seed gives the same figures. A model trained
with the previous line as context reads each held-out message's line before it in the transcript.
"""

from __future__ import annotations

import argparse
import json
import sys

from seqbot.errors import SeqbotError


def add_arguments(parser) -> None:
    parser.add_argument("--checkpoint", help="chat artifact (default checkpoints/chat.npz)")
    parser.add_argument("--part", choices=["test", "validation"], default="test",
                        help="held-out part to score (default test; choose settings on validation)")
    parser.add_argument("--pairs", help="utterance<TAB>reply file to score instead of the held-out pairs")
    parser.add_argument("--corpora", help="corpora folder holding friends/ (default $SEQBOT_CORPORA or corpora/)")
    parser.add_argument("--messages", type=int, default=200, help="distinct messages answered (default 200)")
    parser.add_argument("--distractors", type=int, default=9, help="other replies of hits@1 (default 9: hits@1 of 10)")
    parser.add_argument("--seed", type=int, default=1, help="draws the messages and the distractors (default 1)")
    parser.add_argument("--samples", type=int, default=10, help="replies to print (default 10)")
    parser.add_argument("--beam", type=int, help="beam width (default: the checkpoint's decoding)")
    parser.add_argument("--patience", type=int, help="search on until patience x beam replies finished")
    parser.add_argument("--rerank", choices=["length", "mmi"], help="rank finished replies by the length penalty or by MMI")
    parser.add_argument("--mmi-lambda", type=float, help="weight of log p(reply) in the MMI score")
    parser.add_argument("--mmi-gamma", type=float, help="weight of the reply length in the MMI score")
    parser.add_argument("--mmi-prior", choices=["ngram", "model"],
                        help="MMI's p(reply): the n-gram reply model or the chat model's own mean over background messages")
    parser.add_argument("--mmi-backward", type=float,
                        help="weight of log p(message | reply) in the MMI score (MMI-bidi; needs a backward model in the checkpoint)")
    parser.add_argument("--reply-lm", help="character n-gram model (.npz, seqbot.engine.char_lm) instead of the checkpoint's")
    parser.add_argument("--known-words", action=argparse.BooleanOptionalAction,
                        help="the word guard: replies use only words of the training replies (default: the checkpoint's decoding)")
    parser.add_argument("--prior-messages", type=int,
                        help="hits@1 by mutual information: average p(reply) over this many background messages drawn "
                             "from the training pairs (default: the checkpoint's own, those its decoding uses)")
    parser.add_argument("--no-context", action="store_true",
                        help="a model trained with context reads no previous line (as for a conversation's first message)")
    parser.add_argument("--json", action="store_true", help="print one JSON object instead of a report")


def run(args) -> int:
    from seqbot.artifact import load_artifact
    from seqbot.contract.decoding import DecodingConfig
    from seqbot.engine.char_lm import CharNgramLM
    from seqbot.engine.chat import Chatbot, background_texts, decoding_settings
    from seqbot.evaluation import chat_eval
    from seqbot.paths import default_checkpoint
    from seqbot.training.chat import background_messages

    path = args.checkpoint or default_checkpoint("chat")
    artifact = load_artifact(path, kind="seq2seq")
    try:
        config = chat_eval.EvalConfig(args.messages, args.distractors, args.seed, args.samples)
        decoding = DecodingConfig.from_dict(decoding_settings(artifact.config, artifact.metadata).to_dict(),
                                            beam=args.beam, patience=args.patience, rerank=args.rerank,
                                            mmi_lambda=args.mmi_lambda, mmi_gamma=args.mmi_gamma, mmi_prior=args.mmi_prior,
                                            mmi_backward=args.mmi_backward, known_words=args.known_words)
        reply_lm = CharNgramLM.load(args.reply_lm) if args.reply_lm else None
    except (ValueError, OSError) as error:
        raise SeqbotError(str(error)) from None
    contexts = known_words = background = None
    if args.pairs:
        pairs, source = read_pairs(args.pairs), str(args.pairs)
    else:
        data = chat_eval.chat_split(artifact, args.corpora)
        pairs, source = chat_eval.heldout_parts(artifact, args.corpora, data)[args.part], f"held-out {args.part} part"
        contexts = None if args.no_context else chat_eval.heldout_contexts(artifact, args.corpora)
        known_words = {word for _, reply in data.train for word in chat_eval.words(reply)}
        background = background_texts(artifact.blobs, path) or background_messages(data.train)
    bot = Chatbot(artifact, path, decoding=decoding, reply_lm=reply_lm, background=background)
    try:
        hits_background = bot.background
        if args.prior_messages is not None:
            if args.pairs or args.prior_messages < 1:
                raise ValueError("--prior-messages is a count of at least 1 of the model's training messages "
                                 "(not with --pairs)")
            hits_background = background_messages(data.train, args.prior_messages)
        report = chat_eval.evaluate(bot, pairs, config, log=None if args.json else progress, contexts=contexts,
                                    known_words=known_words, background=hits_background)
    except ValueError as error:
        raise SeqbotError(str(error)) from None
    report = {"checkpoint": str(path), "pairs_source": source, "context": contexts is not None, **report}
    if args.json:
        print(json.dumps(report, ensure_ascii=False, indent=2))
    else:
        print_report(report)
    return 0


def progress(line: str) -> None:
    print(f"seqbot: {line.strip()}", file=sys.stderr, flush=True)


def read_pairs(path) -> list[tuple[str, str]]:
    from pathlib import Path

    pairs = []
    for number, line in enumerate(Path(path).read_text(encoding="utf-8").splitlines(), 1):
        if not line.strip():
            continue
        columns = line.split("\t")
        if len(columns) < 2 or not columns[0].strip() or not columns[1].strip():
            raise SeqbotError(f"{path}:{number}: expected utterance<TAB>reply")
        pairs.append((columns[0].strip(), columns[1].strip()))
    if len(pairs) < 2:
        raise SeqbotError(f"{path} holds {len(pairs)} pairs; hits@1 needs other pairs' replies")
    return pairs


def print_report(report: dict) -> None:
    d = report["decoding"]
    prior = "the model's own p(reply)" if d.get("mmi_prior") == "model" else "n-gram p(reply)"
    bidi = f", backward {d['mmi_backward']}" if d.get("mmi_backward") else ""
    ranking = (f"MMI ({prior}), lambda {d['mmi_lambda']}, gamma {d['mmi_gamma']}{bidi}" if d["rerank"] == "mmi"
               else f"{d['penalty']} length penalty, alpha {d['alpha']}")
    print(f"checkpoint        {report['checkpoint']}")
    print(f"pairs             {report['messages']} messages of {report['pairs']} pairs ({report['pairs_source']}), seed {report['seed']}")
    print(f"decoding          beam {d['beam']}, patience {d['patience']}, {ranking}")
    if report.get("context"):
        print("context           each message after the line before it in the transcript")
    print(f"distinct replies  {report['distinct_replies']:.1%} ({report['distinct_replies_words']:.1%} by words, punctuation dropped)")
    print(f"top-5 share       {report['top5_share']:.1%}  " + "; ".join(f"{text!r} x{count}" for text, count in report["top5"]))
    print(f"distinct-1 / -2   {report['distinct_1']:.3f} / {report['distinct_2']:.3f}")
    hits = f"{report['hits_at_1']:.1%} of {report['messages']} (1 of {report['candidates']}, by log p(reply | message))"
    if "hits_at_1_pmi" in report:
        hits += f"; by mutual information {report['hits_at_1_pmi']:.1%} (p(reply) over {report['background_messages']} messages)"
    if "hits_at_1_backward" in report:
        hits += f"; by log p(message | reply) {report['hits_at_1_backward']:.1%}"
    if "hits_at_1_pmi_both" in report:
        hits += f"; by mutual information read both ways {report['hits_at_1_pmi_both']:.1%}"
    if "hits_at_1_ranking" in report:
        r = report["ranking"]
        hits += (f"; by the ranking {report['hits_at_1_ranking']:.1%} (prior {r['prior']}, backward {r['backward']}, "
                 f"overlap {r['overlap']}, association {r['association']}, p(reply) over {r['background_messages']} messages)")
    if "hits_at_1_mmi" in report:
        hits += f"; by the MMI score {report['hits_at_1_mmi']:.1%}"
    print(f"hits@1            {hits}")
    print(f"perplexity        {report['perplexity']:.3f} per character ({report['pairs']} replies)")
    print(f"chrF              {report['chrF']:.2f}  mean reply length {report['mean_length']:.1f} characters")
    if "invented_words" in report:
        print(f"invented words    {report['invented_words']:.1%} of the replies have a word no training reply has")
    for sample in report["samples"]:
        print(f"  > {sample['message']}\n    {sample['reply']}\n    (in the data: {sample['reference']})")
