"""p(message | reply) by a backward chat model: the third term of MMI-bidi reranking (Li et al. 2016).

    backward = BackwardModel.from_artifact(artifact, forward_target_vocab)  # None when the artifact has none
    scorer = backward.for_message("I passed my exam!")   # one message, as the backward model writes it
    scorer.log_probs([reply_ids, ...])                   # log p(message + <end> | reply) of each reply, batched

Why: a reply that fits every message ("What are you doing here?") makes no message in particular
likely, while one that answers this message ("Congratulations!") makes it likelier. MMI reranking
with decoding mmi_backward > 0 adds mmi_backward x log p(message | reply) to each finished reply's
score (seqbot.engine.decoding.mmi_score).

The backward model is an ordinary chat seq2seq trained the other way round (`seqbot train chat
--backward`: source the reply, target the message). A chat artifact carries it as its config
["backward"] (the backward model's config) and its weights "backward/<name>"
(seqbot.evaluation.chat_rerank --backward puts them there), so one file holds the whole chat model.

Cost: one teacher-forced pass over the candidate replies per message (the replies are the sources,
the message the one target), against the 16 of the model's own p(reply); a reply's score is
remembered for the rest of the message.
"""

from __future__ import annotations

import copy

import numpy as np

from seqbot.artifact import Artifact
from seqbot.contract import keys
from seqbot.contract.text import chat_source
from seqbot.contract.tokens import END, PAD, START, UNKNOWN
from seqbot.engine.seq2seq import KIND, Seq2SeqModel, teacher_forced
from seqbot.errors import CheckpointError

WEIGHT_PREFIX = keys.BACKWARD + "/"  # the backward model's weights inside a chat artifact


def carry(artifact: Artifact, backward: Artifact) -> Artifact:
    """A copy of the chat `artifact` that carries `backward` (a chat model of p(message | reply)) as its
    config["backward"] and weights "backward/<name>", its split, scores, recipe and the command that
    trained it in metadata["backward"]."""
    split = backward.metadata.get("split") or {}
    if backward.kind != KIND or split.get("direction") != "backward":
        raise CheckpointError("the backward model must be a chat model trained with `seqbot train chat --backward` "
                              f"(its split records direction {split.get('direction', 'forward')!r})")
    result = copy.copy(artifact)
    result.config = dict(artifact.config) | {keys.BACKWARD: backward.config}
    result.weights = {name: value for name, value in artifact.weights.items() if not name.startswith(WEIGHT_PREFIX)}
    result.weights |= {WEIGHT_PREFIX + name: value for name, value in backward.weights.items()}
    result.metadata = dict(artifact.metadata) | {keys.BACKWARD: {
        "split": split, "scores": backward.metadata.get("scores", {}), "recipe": backward.metadata.get("recipe"),
        "command": backward.metadata.get("command")}}
    return result


class BackwardModel:
    """A model of p(message | reply) that reads replies in the forward model's target ids."""

    def __init__(self, model: Seq2SeqModel, config: dict, forward_target_vocab: list[str]):
        self.model = model
        self.source_index = {token: i for i, token in enumerate(config["source_vocab"])}
        self.target_index = {token: i for i, token in enumerate(config["target_vocab"]) if i > UNKNOWN}
        self.max_source_length = int(config["max_source_length"])
        self.max_target_length = int(config["max_target_length"])
        # forward target id -> backward source id: <unk> stays <unk>, <pad>/<start>/<end> are never fed
        self._source_of = np.array([self.source_index.get(token, UNKNOWN) if i > UNKNOWN else
                                    (UNKNOWN if i == UNKNOWN else PAD) for i, token in enumerate(forward_target_vocab)],
                                   dtype=np.int64)

    @classmethod
    def from_artifact(cls, artifact: Artifact, forward_target_vocab: list[str], path=None) -> "BackwardModel | None":
        """The backward model a chat artifact carries, or None when it carries none."""
        config = artifact.config.get(keys.BACKWARD)
        if config is None:
            return None
        weights = {name[len(WEIGHT_PREFIX):]: value for name, value in artifact.weights.items()
                   if name.startswith(WEIGHT_PREFIX)}
        try:
            model = Seq2SeqModel.from_artifact(Artifact(kind=KIND, config=config, weights=weights))
            return cls(model, config, forward_target_vocab)
        except (KeyError, ValueError, TypeError, IndexError) as error:
            raise CheckpointError(f"{path or 'checkpoint'}: its backward model is unreadable "
                                  f"({error.__class__.__name__}: {error})") from None

    def message_ids(self, message: str) -> list[int]:
        """The target ids of `message` as the backward model writes it (its last sentences that fit), then <end>."""
        text = chat_source(message, "", self.max_target_length, 0)
        return [self.target_index.get(char, UNKNOWN) for char in text] + [END]

    def for_message(self, message: str) -> "MessageScorer":
        return MessageScorer(self, self.message_ids(message))

    def pair_log_probs(self, messages: list[str], replies: list[list[int]], batch_size: int = 128) -> np.ndarray:
        """log p(message + <end> | reply) of each (message, reply ids) pair, batched."""
        if len(messages) != len(replies):
            raise ValueError(f"{len(messages)} messages and {len(replies)} replies")
        scores = np.zeros(len(messages))
        for start in range(0, len(messages), batch_size):
            chunk = slice(start, start + batch_size)
            scores[chunk] = self.score([self.message_ids(m) for m in messages[chunk]], replies[chunk])
        return scores

    def score(self, targets: list[list[int]], replies: list) -> np.ndarray:
        """log p(target | reply) of each row, teacher-forced in one pass; `replies` in forward target
        ids (<start>/<end> ignored), each cut to the backward model's source length."""
        return teacher_forced(self.model, self.reply_sources(replies), targets)[0]

    def reply_sources(self, replies: list) -> list[np.ndarray]:
        """The backward model's source ids of replies given in forward target ids (<start>/<end>
        dropped, cut to its source length; an empty reply is one <unk>)."""
        sources = []
        for reply in replies:
            ids = self._source_of[np.asarray(reply, dtype=np.int64)]
            ids = ids[ids != PAD][: self.max_source_length]
            sources.append(ids if len(ids) else np.array([UNKNOWN]))
        return sources


class MessageScorer:
    """log p(this message | reply) for the replies of one message's search, batched and remembered."""

    batched = True

    def __init__(self, backward: BackwardModel, message_ids: list[int]):
        self.backward = backward
        self.message_ids = message_ids
        self._remembered: dict[tuple[int, ...], float] = {}

    def log_probs(self, replies: list) -> np.ndarray:
        """log p(message + <end> | reply) of each reply (forward target ids; <end> ignored)."""
        sequences = [tuple(int(token) for token in reply if token not in (START, END)) for reply in replies]
        missing = list(dict.fromkeys(ids for ids in sequences if ids not in self._remembered))
        if missing:
            scores = self.backward.score([self.message_ids] * len(missing), missing)
            self._remembered.update(zip(missing, scores))
        return np.array([self._remembered[ids] for ids in sequences], dtype=np.float64)

    def sequence_log_prob(self, ids) -> float:
        return float(self.log_probs([ids])[0])
