"""Train the dialogue model: the translator's character-level seq2seq with attention, fed
(utterance, reply) pairs from the Friends transcripts and chatterbot-corpus English.

    seqbot train chat                                       # runs/chat (root: $SEQBOT_RUNS or runs/)
    seqbot train chat --export checkpoints/chat.npz --force # replace the shipped one (old kept as .bak-<time>)
    (rerun the same command to continue runs/chat after an interruption)
    python -m seqbot.training.chat checkpoints/chat.npz     # rescore: perplexity + samples -> runs/rescore-chat/

Training, export and resume are helper B's generic seq2seq code (seqbot.training.translate) called
with task="chat"; this module only builds the pairs and the held-out split.

The Friends lines come from seqbot.data.dialogue, with their quotes as the file holds them: the
shipped checkpoints/chat.npz was trained on the pairs built here (stage directions kept, an empty
line ending an exchange, chatterbot's one string conversation read as characters), and its
held-out split (by utterance) is only reproducible with them. Switching to
seqbot.data.dialogue's pairs (stage directions removed) waits for the next retraining.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from seqbot.artifact import Artifact, load_artifact, save_artifact
from seqbot.data import dialogue
from seqbot.data.char_vocab import CharVocabulary
from seqbot.data.splits import deduplicate, split_by_key
from seqbot.engine.chat import normalise
from seqbot.data.char_vocab import PAD, START, UNKNOWN
from seqbot.engine.seq2seq import Seq2SeqModel  # perplexity: scoring through the engine is a parity check
from seqbot.errors import CorpusError, SeqbotError
from seqbot.paths import corpora_dir
from seqbot.training.outputs import export_copy, run_folder
from seqbot.training.translate import PairData, TrainSettings, train_seq2seq

CORPUS = "friends/friends-transcripts.tab + chatterbot-corpus english"
CHAT_MAX_LENGTH = 40  # characters of an utterance and of a reply: the shipped checkpoints/chat.npz


def friends_pairs(path: Path, max_length: int) -> list[tuple[str, str]]:
    """Consecutive lines of one episode spoken by different characters; a line with nothing to
    say ends the exchange (unlike seqbot.data.dialogue.friends_pairs, which steps over it)."""
    lines = dialogue.read_friends(path, raw_quotes=True)
    pairs = []
    for previous, line in zip(lines, lines[1:]):
        utterance, reply = normalise(previous.quote), normalise(line.quote)
        if previous.episode_key == line.episode_key and previous.author != line.author and utterance and reply:
            if len(utterance) <= max_length and len(reply) <= max_length:
                pairs.append((utterance, reply))
    return pairs


def chatterbot_pairs(max_length: int) -> list[tuple[str, str]]:
    """Consecutive turns of each English chatterbot-corpus conversation (YAML in the package).

    Not seqbot.data.dialogue.read_chatterbot: that one skips the conversation trivia.yml holds as
    one string (broken indentation), while the shipped model's pairs include that string's
    consecutive characters (53 pairs such as ('I', 'n')); its held-out split needs them."""
    import yaml

    pairs = []
    for path in sorted(dialogue.chatterbot_folder("english").glob("*.yml")):
        data = yaml.load(path.read_text(encoding="utf-8"), Loader=getattr(yaml, "CSafeLoader", yaml.SafeLoader)) or {}
        for conversation in data.get("conversations") or []:
            turns = [normalise(str(turn)) for turn in conversation if turn is not None]
            for utterance, reply in zip(turns, turns[1:]):
                if utterance and reply and len(utterance) <= max_length and len(reply) <= max_length:
                    pairs.append((utterance, reply))
    return pairs


def dialogue_pairs(corpora: str | None = None, max_length: int = CHAT_MAX_LENGTH) -> list[tuple[str, str]]:
    pairs = friends_pairs(corpora_dir(corpora) / "friends" / "friends-transcripts.tab", max_length)
    # chatterbot repeats some pairs over a hundred times; keep each pair once, in order.
    return deduplicate(pairs + chatterbot_pairs(max_length))


def chat_data(corpora: str | None = None, max_length: int = CHAT_MAX_LENGTH, validation_fraction: float = 0.05,
              seed: int = 1, max_pairs: int | None = None) -> PairData:
    """Pairs split by utterance, so one utterance's replies all fall on the same side."""
    pairs = dialogue_pairs(corpora, max_length)
    if len(pairs) < 20:
        raise CorpusError(f"only {len(pairs)} dialogue pairs of at most {max_length} characters were found")
    parts = split_by_key(pairs, key=lambda pair: pair[0], fractions={"validation": validation_fraction}, seed=seed)
    train, validation = parts["train"], parts["validation"]
    if max_pairs:
        train, validation = train[:max_pairs], validation[: max(1, max_pairs // 10)]
    split = {"corpus": CORPUS, "seed": seed, "validation_fraction": validation_fraction, "max_length": max_length,
             "by": "utterance", "sizes": {"train": len(train), "validation": len(validation)}}
    return PairData(train, validation, max_length, max_length, task="chat", corpus=CORPUS, split=split)


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


@dataclass
class ChatTrainingConfig:
    """The chat run's data and outputs; the model and training settings are a TrainSettings."""

    corpora: str | None = None
    max_length: int = CHAT_MAX_LENGTH
    validation_fraction: float = 0.05
    max_pairs: int | None = None
    samples: int = 20  # held-out replies to show
    run_dir: str | None = None  # None: runs/chat under seqbot.paths.runs_dir(runs)
    runs: str | None = None
    export: str | None = None
    force: bool = False  # let `export` replace an existing file (the old one is kept as .bak-<time>)


def chat_recipe(overrides: dict | None = None, **options) -> tuple[ChatTrainingConfig, TrainSettings]:
    """The chat recipe (seqbot/training/recipes.py) as (ChatTrainingConfig, TrainSettings), with the
    overrides and options that are not None."""
    from dataclasses import fields

    from seqbot.training.recipes import find_recipe

    recipe = find_recipe("chat", "chat")
    names = {item.name for item in fields(TrainSettings)}
    values = {key: value for key, value in recipe.settings.items() if key in names}
    settings = TrainSettings(**(values | {key: value for key, value in (overrides or {}).items() if value is not None}))
    config = ChatTrainingConfig(**(recipe.data | {key: value for key, value in options.items() if value is not None}))
    return config, settings


def train_chat(config: ChatTrainingConfig, settings: TrainSettings, log=print) -> dict:
    """Train (or resume) through the translator's trainer, then score the best model."""
    data = chat_data(config.corpora, config.max_length, config.validation_fraction, settings.seed, config.max_pairs)
    data.recipe_name = "chat"
    log(f"dialogue pairs: {len(data.train)} train, {len(data.validation)} validation (split by utterance)")
    run_dir = config.run_dir or run_folder("chat", config.runs)
    model_path = train_seq2seq(data, settings, run_dir)
    return score_and_export(model_path, data, config.samples, config.export, log, config.force)


def score_and_export(model_path, data: PairData, samples: int, export: str | None, log=print, force: bool = False) -> dict:
    """Held-out perplexity and sample replies (greedy and beam 5) into the artifact's metadata."""
    from seqbot.engine.chat import ALPHA, PATIENCE, Chatbot

    artifact = load_artifact(model_path, kind="seq2seq")
    score = perplexity(artifact, data.validation)
    bot = Chatbot(artifact, model_path)
    replies = [{"utterance": u, "reference": r, "greedy": bot.reply(u, beam=1), "beam5": bot.reply(u, beam=5)}
               for u, r in data.validation[:samples]]
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
    """python -m seqbot.training.chat MODEL [--out DIR] [--export PATH --force]: rescore a trained chat
    model (perplexity on its held-out pairs, sample replies with the current decoder) without
    retraining. The rescored copy goes to runs/rescore-NAME/ (root: --runs, $SEQBOT_RUNS, runs/) or
    --out; MODEL itself is never rewritten, and only --export copies the result elsewhere."""
    import argparse
    import shutil

    parser = argparse.ArgumentParser(prog="python -m seqbot.training.chat", description=main.__doc__)
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
    split = load_artifact(output, kind="seq2seq").metadata.get("split", {})
    data = chat_data(args.corpora, split.get("max_length", CHAT_MAX_LENGTH), split.get("validation_fraction", 0.05),
                     split.get("seed", 1))
    score_and_export(output, data, args.samples, args.export, force=args.force)
    print(f"wrote {output}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
