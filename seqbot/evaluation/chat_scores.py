"""The chat model's held-out perplexity and sample replies, computed through the engine and recorded
in its metadata (scores.val_perplexity_per_char, samples): what `seqbot train chat` reports after
training, and the chat card's metric.

    python -m seqbot.evaluation.chat_scores checkpoints/chat.npz     # rescore a copy -> runs/rescore-chat/
    score_and_export(model_path, data, samples=20, export=None)       # after training (seqbot train chat)
    perplexity(artifact, pairs)                                       # per character, teacher-forced

The pairs are the chat model's own held-out split (seqbot.training.chat.chat_data, as its metadata
records it). The model file given is never rewritten: a rescore writes a copy, and only
--export (an existing file only with --force) copies it elsewhere.
"""

from __future__ import annotations

import math
from pathlib import Path

import numpy as np

from seqbot.artifact import Artifact, load_artifact, save_artifact
from seqbot.contract import keys
from seqbot.contract.text import CONTEXT_SEPARATOR
from seqbot.contract.tokens import PAD, START, UNKNOWN
from seqbot.data.char_vocab import CharVocabulary
from seqbot.engine.chat import ALPHA, PATIENCE, Chatbot
from seqbot.engine.seq2seq import Seq2SeqModel  # perplexity: scoring through the engine is a parity check
from seqbot.errors import SeqbotError
from seqbot.training.chat import chat_data_from_split
from seqbot.training.outputs import export_copy, run_folder
from seqbot.training.translate import PairData


def perplexity(artifact: Artifact, pairs: list[tuple[str, str]], batch_size: int = 128) -> float:
    """Per-character perplexity of the replies (with <end>) given the utterances, teacher-forced
    through the NumPy engine: exp(mean negative log-likelihood over real target characters)."""
    model = Seq2SeqModel.from_artifact(artifact)
    source_vocab = CharVocabulary(artifact.config["source_vocab"])
    target_vocab = CharVocabulary(artifact.config["target_vocab"])
    total, count = 0.0, 0
    for start in range(0, len(pairs), batch_size):
        batch = pairs[start:start + batch_size]
        sources = [source_vocab.encode(u) or [UNKNOWN] for u, _ in batch]
        targets = [target_vocab.encode(r, end=True) for _, r in batch]
        source_ids = np.zeros((len(batch), max(map(len, sources))), dtype=np.int64)
        for row, ids in enumerate(sources):
            source_ids[row, : len(ids)] = ids
        steps = max(map(len, targets))
        target_out = np.zeros((len(batch), steps), dtype=np.int64)
        for row, ids in enumerate(targets):
            target_out[row, : len(ids)] = ids
        target_in = np.concatenate([np.full((len(batch), 1), START), target_out[:, :-1]], axis=1)
        state = model.encode(source_ids)
        for t in range(steps):
            log_probs, state, _ = model.step(target_in[:, t], state)
            real = target_out[:, t] != PAD
            total -= float(log_probs[np.flatnonzero(real), target_out[real, t]].sum())
            count += int(real.sum())
    return math.exp(total / max(count, 1))


def score_and_export(model_path, data: PairData, samples: int, export: str | None, log=print, force: bool = False) -> dict:
    """Held-out perplexity and sample replies (greedy and beam 5) into the artifact's metadata, then
    the export copy (an existing file only with `force`)."""
    artifact = load_artifact(model_path, kind=keys.SEQ2SEQ)
    score = perplexity(artifact, data.validation)
    bot = Chatbot(artifact, model_path)
    replies = []
    for source, reference in data.validation[:samples]:
        # a context model's source is "previous line" CONTEXT_SEPARATOR "message" (chat_source); normalise keeps no separator
        context, _, message = source.rpartition(CONTEXT_SEPARATOR)
        replies.append({"utterance": message, **({"context": context} if context else {}), "reference": reference,
                        "greedy": bot.reply(message, beam=1, context=context),
                        "beam5": bot.reply(message, beam=5, context=context)})
    artifact.metadata.setdefault("scores", {})["val_perplexity_per_char"] = score
    artifact.metadata["samples"] = replies
    artifact.metadata["decoding"] = {"length_penalty": "gnmt", "alpha": ALPHA, "patience": PATIENCE,
                                     "guard": {"ngram": bot.guard.ngram, "max_char_run": bot.guard.max_char_run}}
    save_artifact(model_path, artifact)
    if export:
        export_copy(model_path, export, force, log)
    log(f"validation perplexity per character: {score:.3f} ({len(data.validation)} held-out pairs)")
    for sample in replies:
        log(f"  > {sample['utterance']}\n    beam5: {sample['beam5']}\n    greedy: {sample['greedy']}\n"
            f"    (reply in the data: {sample['reference']})")
    return {"perplexity": score, "samples": replies, "model": str(model_path)}


def main(argv: list[str] | None = None) -> int:
    """python -m seqbot.evaluation.chat_scores MODEL [--out DIR] [--export PATH --force]: rescore a trained chat
    model (perplexity on its held-out pairs, sample replies with the current decoder) without
    retraining. The rescored copy goes to runs/rescore-NAME/ (root: --runs, $SEQBOT_RUNS, runs/) or
    --out; MODEL itself is never rewritten, and only --export copies the result elsewhere."""
    import argparse
    import shutil

    parser = argparse.ArgumentParser(prog="python -m seqbot.evaluation.chat_scores", description=main.__doc__)
    parser.add_argument("model")
    parser.add_argument("--out", help="folder for the rescored copy (default runs/rescore-NAME)")
    parser.add_argument("--runs", help="runs root (default $SEQBOT_RUNS or runs/)")
    parser.add_argument("--export", help="copy the rescored model here, e.g. checkpoints/chat.npz")
    parser.add_argument("--force", action="store_true", help="let --export replace an existing file")
    parser.add_argument("--samples", type=int, default=20)
    parser.add_argument("--corpora")
    args = parser.parse_args(argv)
    source = Path(args.model)
    folder = Path(args.out) if args.out else run_folder(f"rescore-{source.stem}", args.runs)
    output = folder / source.name
    if output.exists() and output.resolve() == source.resolve():
        raise SeqbotError(f"--out {folder} holds {source} itself; name another folder (the model is never rewritten)")
    folder.mkdir(parents=True, exist_ok=True)
    shutil.copyfile(source, output)
    split = load_artifact(output, kind=keys.SEQ2SEQ).metadata.get("split", {})
    data = chat_data_from_split(split, args.corpora)
    score_and_export(output, data, args.samples, args.export, force=args.force)
    print(f"wrote {output}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
