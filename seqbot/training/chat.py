"""Train the dialogue model: the translator's character-level seq2seq with attention, fed
(utterance, reply) pairs from the Friends transcripts and chatterbot-corpus English.

    seqbot train chat                                       # runs/chat (root: $SEQBOT_RUNS or runs/)
    seqbot train chat --export checkpoints/chat.npz --force # replace the shipped one (old kept as .bak-<time>);
                                                            # the shipped one also reranks: seqbot.evaluation.chat_rerank
    (rerun the same command to continue runs/chat after an interruption)

The held-out perplexity and sample replies recorded after training are seqbot.evaluation.chat_scores'
(`python -m seqbot.evaluation.chat_scores checkpoints/chat.npz` rescores a copy).

Training, export and resume are helper B's generic seq2seq code (seqbot.training.translate) called
with task="chat"; this module only builds the pairs and the held-out split.

Two sets of pairs (`pairs`, recorded in the artifact's metadata["split"]):

- "short" (the chat model shipped before 2026-12-05, in git at 5648a50): the Friends quotes as the
  file holds them (stage directions kept, an empty line ending an exchange, chatterbot's one-string
  conversation read as characters), only pairs whose both sides fit in 40 characters: 18,002 pairs,
  5 % held out by utterance. Those 813 held-out pairs are the chat benchmark
  (seqbot.evaluation.chat_eval), halved by utterance (HELDOUT_SEED) into a validation and a test half.
- "all" (issue 23; the shipped checkpoints/chat.npz): every exchange seqbot.data.dialogue reads
  (stage directions removed), a long message cut to its last sentences and a long reply to its first
  that fit; chatterbot likewise. Training never sees a benchmark message: every pair whose message
  is one of the 813 held-out messages is left out, the validation half picks the best round and the
  test half stays unseen, so both models are measured on the same test half.

With `context_length` > 0 (the "all" pairs only) a model also reads the line before the message:
each source is seqbot.contract.text.chat_source(message, previous line), the previous line cut to its
last sentences that fit in `context_length` characters, then a separator, then the message. The
benchmark's pairs get the line before them in the transcript or conversation (`benchmark_contexts`).
With `context_dropout` a seeded share of the training pairs is given no previous line, as the
first message of a conversation has none.

With `direction` "backward" (the "all" pairs, no context) the same exchanges train the other way
round: the source is the reply and the target the message, a model of p(message | reply). The chat
model's MMI reranking can add it (Li et al. 2016's MMI-bidi: a reply that says something about this
message makes the message likely; "What are you doing here?" makes no message likely). Its validation
pairs are the benchmark's validation half, turned round.
"""

from __future__ import annotations

import random
from dataclasses import dataclass
from pathlib import Path

from seqbot.contract.text import chat_source, first_sentences, last_sentences, normalise
from seqbot.data import dialogue
from seqbot.data.splits import deduplicate, split_by_key
from seqbot.errors import CorpusError
from seqbot.paths import corpora_dir
from seqbot.training.outputs import run_folder
from seqbot.training.translate import PairData, TrainSettings, train_seq2seq

CORPUS = "friends/friends-transcripts.tab + chatterbot-corpus english"
CHAT_MAX_LENGTH = 40  # characters of an utterance and of a reply (the recipe's max_length)
PAIRS = ("short", "all")
DIRECTIONS = ("forward", "backward")  # p(reply | message), or p(message | reply) for MMI-bidi
# The benchmark: the "short" pairs' held-out part (split seed 1, 5 %), halved by utterance with HELDOUT_SEED.
BENCHMARK_SPLIT = {"pairs": "short", "max_length": CHAT_MAX_LENGTH, "validation_fraction": 0.05, "seed": 1}
HELDOUT_SEED = 23
CONTEXT_DROPOUT_SEED = 40  # which training pairs lose their previous line (context_dropout)
TEST_FRACTION = 0.5
BACKGROUND_MESSAGES, BACKGROUND_SEED = 16, 5  # background_messages: how many, drawn with which seed


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
    one string (broken indentation), while the "short" pairs include that string's
    consecutive characters (53 pairs such as ('I', 'n')); its held-out split needs them."""
    pairs = []
    for turns in _chatterbot_conversations():
        for utterance, reply in zip(turns, turns[1:]):
            if utterance and reply and len(utterance) <= max_length and len(reply) <= max_length:
                pairs.append((utterance, reply))
    return pairs


def _chatterbot_conversations() -> list[list[str]]:
    """The normalised turns of each English chatterbot-corpus conversation, as the "short" pairs read them."""
    import yaml

    conversations = []
    for path in sorted(dialogue.chatterbot_folder("english").glob("*.yml")):
        data = yaml.load(path.read_text(encoding="utf-8"), Loader=getattr(yaml, "CSafeLoader", yaml.SafeLoader)) or {}
        for conversation in data.get("conversations") or []:
            conversations.append([normalise(str(turn)) for turn in conversation if turn is not None])
    return conversations


def dialogue_pairs(corpora: str | None = None, max_length: int = CHAT_MAX_LENGTH) -> list[tuple[str, str]]:
    """The "short" pairs: both sides at most `max_length` characters as the files hold them."""
    pairs = friends_pairs(corpora_dir(corpora) / "friends" / "friends-transcripts.tab", max_length)
    # chatterbot repeats some pairs over a hundred times; keep each pair once, in order.
    return deduplicate(pairs + chatterbot_pairs(max_length))


def cut_pair(utterance: str, reply: str, max_length: int) -> tuple[str, str] | None:
    """The pair with the message cut to its last and the reply to its first whole sentences that fit
    in `max_length` characters; None when a side has no sentence short enough."""
    utterance = last_sentences(normalise(utterance), max_length)
    reply = first_sentences(normalise(reply), max_length)
    return (utterance, reply) if utterance and reply else None


def all_exchanges(corpora: str | None = None, max_length: int = CHAT_MAX_LENGTH) -> list[tuple[str, str, str]]:
    """(message, reply, previous line) of every Friends exchange and chatterbot turn pair, the pair cut
    to fit (cut_pair), in corpus order."""
    lines = dialogue.read_friends(corpora_dir(corpora) / "friends" / "friends-transcripts.tab")
    exchanges = dialogue.friends_pairs(lines) + dialogue.chatterbot_pairs("english")
    cut = ((cut_pair(pair.utterance, pair.reply, max_length), pair.context) for pair in exchanges)
    return [(pair[0], pair[1], context) for pair, context in cut if pair]


def background_messages(train: list[tuple[str, str]], count: int = BACKGROUND_MESSAGES,
                        seed: int = BACKGROUND_SEED) -> list[str]:
    """`count` distinct sources of the training pairs (as the encoder reads them), drawn with `seed`:
    the messages over which the chat model's own p(reply) is averaged (seqbot.engine.reply_prior)."""
    sources = sorted({source for source, _ in train})
    if len(sources) < count:
        raise ValueError(f"{count} background messages need as many distinct training messages, there are {len(sources)}")
    return random.Random(seed).sample(sources, count)


def heldout_halves(heldout: list[tuple[str, str]]) -> dict[str, list[tuple[str, str]]]:
    """The benchmark's held-out pairs split by utterance into "validation" and "test"."""
    parts = split_by_key(heldout, key=lambda pair: pair[0], fractions={"test": TEST_FRACTION}, seed=HELDOUT_SEED)
    return {"validation": parts["train"], "test": parts["test"]}


def chat_data(corpora: str | None = None, max_length: int = CHAT_MAX_LENGTH, validation_fraction: float = 0.05,
              seed: int = 1, max_pairs: int | None = None, pairs: str = "short", context_length: int = 0,
              context_dropout: float = 0.0, direction: str = "forward") -> PairData:
    """The "short" pairs split by utterance (one utterance's replies all on the same side), or the
    "all" pairs around the benchmark (the module docstring), with the previous line when `context_length`
    (none for a `context_dropout` share of the training pairs); `direction` "backward" turns the "all"
    pairs round (reply -> message)."""
    if pairs not in PAIRS:
        raise ValueError(f"pairs must be one of {', '.join(PAIRS)}, got {pairs!r}")
    problem = context_problem(pairs, context_length, context_dropout) or direction_problem(direction, pairs, context_length)
    if problem:
        raise ValueError(problem)
    if direction == "backward":
        return _backward_data(corpora, max_length, max_pairs)
    if pairs == "all":
        return _all_pairs_data(corpora, max_length, max_pairs, context_length, context_dropout)
    short = dialogue_pairs(corpora, max_length)
    if len(short) < 20:
        raise CorpusError(f"only {len(short)} dialogue pairs of at most {max_length} characters were found")
    parts = split_by_key(short, key=lambda pair: pair[0], fractions={"validation": validation_fraction}, seed=seed)
    train, validation = parts["train"], parts["validation"]
    if max_pairs:
        train, validation = train[:max_pairs], validation[: max(1, max_pairs // 10)]
    split = {"corpus": CORPUS, "pairs": "short", "seed": seed, "validation_fraction": validation_fraction,
             "max_length": max_length, "by": "utterance", "sizes": {"train": len(train), "validation": len(validation)}}
    return PairData(train, validation, max_length, max_length, task="chat", corpus=CORPUS, split=split)


def context_problem(pairs: str, context_length: int, context_dropout: float) -> str | None:
    """Why these context settings cannot train a model, or None."""
    if context_length < 0:
        return f"the context length must be 0 (no previous line) or more, got {context_length}"
    if context_length and pairs != "all":
        return "a context length needs the 'all' pairs (the 'short' ones keep no previous line)"
    if not 0.0 <= context_dropout < 1.0:
        return f"the context dropout is a share of the training pairs, at least 0 and below 1; got {context_dropout}"
    if context_dropout and not context_length:
        return "a context dropout needs a context length above 0"
    return None


def direction_problem(direction: str, pairs: str, context_length: int) -> str | None:
    """Why a model of this direction cannot train on these pairs, or None."""
    if direction not in DIRECTIONS:
        return f"the direction must be one of {', '.join(DIRECTIONS)}, got {direction!r}"
    if direction == "backward" and (pairs != "all" or context_length):
        return "a backward model (message given reply) trains on the 'all' pairs and reads no previous line (context length 0)"
    return None


def benchmark(corpora: str | None = None) -> dict[str, list[tuple[str, str]]]:
    """The chat benchmark's "validation" and "test" halves (the module docstring)."""
    return heldout_halves(chat_data(corpora, **BENCHMARK_SPLIT).validation)


def benchmark_contexts(corpora: str | None = None) -> dict[tuple[str, str], str]:
    """The line before each "short" pair's message (stage directions removed; "" at the start of an
    episode or conversation), for a pair that occurs more than once its first occurrence's: what a
    context model reads before a benchmark message."""
    lines = dialogue.read_friends(corpora_dir(corpora) / "friends" / "friends-transcripts.tab", raw_quotes=True)
    contexts: dict[tuple[str, str], str] = {}
    for before, previous, line in zip([None] + lines, lines, lines[1:]):
        utterance, reply = normalise(previous.quote), normalise(line.quote)
        if previous.episode_key == line.episode_key and previous.author != line.author and utterance and reply:
            same_episode = before is not None and before.episode_key == line.episode_key
            contexts.setdefault((utterance, reply), normalise(dialogue.spoken_text(before.quote)) if same_episode else "")
    for turns in _chatterbot_conversations():
        for index, (utterance, reply) in enumerate(zip(turns, turns[1:])):
            contexts.setdefault((utterance, reply), turns[index - 1] if index else "")
    return contexts


def _all_pairs_data(corpora: str | None, max_length: int, max_pairs: int | None, context_length: int = 0,
                    context_dropout: float = 0.0) -> PairData:
    halves = benchmark(corpora)
    # the benchmark's messages as the "short" pairs hold them and with their stage directions removed
    messages = {utterance for part in halves.values() for utterance, _ in part}
    messages |= {normalise(dialogue.spoken_text(utterance)) for utterance in messages}
    exchanges = [exchange for exchange in all_exchanges(corpora, max_length) if exchange[0] not in messages]
    if context_dropout:
        rng = random.Random(CONTEXT_DROPOUT_SEED)
        exchanges = [(message, reply, "" if rng.random() < context_dropout else context)
                     for message, reply, context in exchanges]
    train = deduplicate([(chat_source(message, context, max_length, context_length), reply)
                         for message, reply, context in exchanges])
    validation = halves["validation"]
    if context_length:
        contexts = benchmark_contexts(corpora)
        validation = [(chat_source(message, contexts.get((message, reply), ""), max_length, context_length), reply)
                      for message, reply in validation]
    if max_pairs:
        train, validation = train[:max_pairs], validation[: max(1, max_pairs // 10)]
    split = {"corpus": CORPUS, "pairs": "all", "max_length": max_length, "by": "utterance",
             "heldout": BENCHMARK_SPLIT, "validation": "the benchmark's validation half",
             "sizes": {"train": len(train), "validation": len(validation)}}
    if context_length:
        split["context_length"] = context_length
    if context_dropout:
        split["context_dropout"] = context_dropout
    longest = max(max_length, CHAT_MAX_LENGTH)
    longest_source = longest + context_length + 1 if context_length else longest
    return PairData(train, validation, longest_source, longest, task="chat", corpus=CORPUS, split=split)


def _backward_data(corpora: str | None, max_length: int, max_pairs: int | None) -> PairData:
    """The "all" pairs turned round: (reply, message), the benchmark's messages left out of training
    as for the forward model, the benchmark's validation half turned round to pick the best round."""
    halves = benchmark(corpora)
    messages = {utterance for part in halves.values() for utterance, _ in part}
    messages |= {normalise(dialogue.spoken_text(utterance)) for utterance in messages}
    train = deduplicate([(reply, message) for message, reply, _ in all_exchanges(corpora, max_length)
                         if message not in messages])
    validation = [(reply, message) for message, reply in halves["validation"]]
    if max_pairs:
        train, validation = train[:max_pairs], validation[: max(1, max_pairs // 10)]
    split = {"corpus": CORPUS, "pairs": "all", "direction": "backward", "max_length": max_length, "by": "utterance",
             "heldout": BENCHMARK_SPLIT, "validation": "the benchmark's validation half, turned round",
             "sizes": {"train": len(train), "validation": len(validation)}}
    longest = max(max_length, CHAT_MAX_LENGTH)
    return PairData(train, validation, longest, longest, task="chat", corpus=CORPUS, split=split)


def chat_data_from_split(split: dict, corpora: str | None = None) -> PairData:
    """The pairs a chat artifact was trained on, from the split its metadata records."""
    if split.get("direction", "forward") == "backward":
        return chat_data(corpora, split.get("max_length", CHAT_MAX_LENGTH), pairs="all", direction="backward")
    if split.get("pairs", "short") == "all":
        return chat_data(corpora, split.get("max_length", CHAT_MAX_LENGTH), pairs="all",
                         context_length=split.get("context_length", 0), context_dropout=split.get("context_dropout", 0.0))
    return chat_data(corpora, split.get("max_length", CHAT_MAX_LENGTH), split.get("validation_fraction", 0.05),
                     split.get("seed", 1))


@dataclass
class ChatTrainingConfig:
    """The chat run's data and outputs; the model and training settings are a TrainSettings."""

    corpora: str | None = None
    max_length: int = CHAT_MAX_LENGTH
    validation_fraction: float = 0.05
    pairs: str = "short"  # "short" or "all" (the module docstring; the chat recipe: "all")
    context_length: int = 0  # > 0: the model also reads this much of the line before the message ("all" pairs)
    context_dropout: float = 0.0  # share of training pairs given no previous line (with context_length)
    direction: str = "forward"  # "backward": a model of p(message | reply) for MMI-bidi (the "all" pairs, no context)
    max_pairs: int | None = None
    samples: int = 20  # held-out replies to show
    run_dir: str | None = None  # None: runs/chat under seqbot.paths.runs_dir(runs)
    runs: str | None = None
    export: str | None = None
    force: bool = False  # let `export` replace an existing file (the old one is kept as .bak-<time>)


def chat_recipe(overrides: dict | None = None, **options) -> tuple[ChatTrainingConfig, TrainSettings]:
    """The chat recipe (seqbot/training/recipes.py) as (ChatTrainingConfig, TrainSettings), with the
    overrides and options that are not None. Asked for the "short" pairs, which keep no previous
    line, or for a backward model, the recipe's context settings are dropped (those given in `options` are kept)."""
    from dataclasses import fields

    from seqbot.training.recipes import find_recipe

    recipe = find_recipe("chat", "chat")
    names = {item.name for item in fields(TrainSettings)}
    values = {key: value for key, value in recipe.settings.items() if key in names}
    settings = TrainSettings(**(values | {key: value for key, value in (overrides or {}).items() if value is not None}))
    given = {key: value for key, value in options.items() if value is not None}
    data = recipe.data
    if given.get("pairs") == "short" or given.get("direction") == "backward":
        data = {key: value for key, value in data.items() if key not in ("context_length", "context_dropout")}
    return ChatTrainingConfig(**(data | given)), settings


def train_chat(config: ChatTrainingConfig, settings: TrainSettings, log=print) -> tuple[Path, PairData]:
    """Train (or resume) through the translator's trainer; returns the best model's path in the run
    folder and the pairs. `seqbot train chat` then scores it (seqbot.evaluation.chat_scores) and
    exports it."""
    data = chat_data(config.corpora, config.max_length, config.validation_fraction, settings.seed, config.max_pairs,
                     config.pairs, config.context_length, config.context_dropout, config.direction)
    data.recipe_name = "chat"
    turned = ", turned round: reply -> message" if config.direction == "backward" else ""
    log(f"dialogue pairs ({config.pairs}{turned}): {len(data.train)} train, {len(data.validation)} validation "
        "(split by utterance)")
    run_dir = config.run_dir or run_folder("chat", config.runs)
    return Path(train_seq2seq(data, settings, run_dir)), data
