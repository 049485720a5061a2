"""DecodingConfig: how a seq2seq model's output is searched for, as an artifact records it.

    config = DecodingConfig.from_dict(artifact.config.get("decoding"), beam=5)   # unknown keys ignored
    artifact.config["decoding"] = config.to_dict()

Training and the exporters write it (seqbot.training.translate, `seqbot train translate --decoding`,
seqbot.evaluation.chat_rerank); the engine decodes with it (seqbot.engine.decoding, translator,
chat). Every field is a plain value, so it round-trips through the artifact's JSON; a bad value is a
ValueError that says which field and what it may be.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass, fields

import numpy as np

from seqbot.contract.limits import beam_problem

LENGTH_PENALTIES = ("average", "gnmt")
RERANKINGS = ("length", "mmi")  # DecodingConfig.rerank
MMI_PRIORS = ("ngram", "model")  # DecodingConfig.mmi_prior
MAX_ALPHA = 10.0  # far beyond any useful length penalty (chat uses gnmt 3); catches typos such as 60 for 0.6


@dataclass(frozen=True)
class DecodingConfig:
    """How a seq2seq model's output is searched for; one source of defaults, stored in an artifact's
    config under "decoding" and read back by `seqbot translate`, `eval translate` and the app.

    beam: width (1 = greedy). penalty / alpha: how finished hypotheses of different lengths are ranked
    (seqbot.engine.decoding.normalised_score): "average" (log P / length ** alpha, the translator's default with alpha 1) or
    "gnmt" (log P / ((5 + length) / 6) ** alpha); alpha >= 0, 0 = log P alone.
    The output is capped at max_length_ratio x input characters + max_length_extra (and the model's
    max_target_length). The repetition guard drops a hypothesis that repeats a word n-gram of
    `repetition_ngram` words (0: off) or runs one character more than `max_char_run` times.
    """
    # Fields are plain values so that the config round-trips through an artifact's JSON.

    beam: int = 4
    alpha: float = 1.0
    penalty: str = "average"
    max_length_ratio: float = 2.0
    max_length_extra: int = 10
    repetition_ngram: int = 3
    max_char_run: int = 4
    patience: int = 1  # stop once patience x beam hypotheses have finished (chat: 4, for fuller replies)
    # Beam search can drop the greedy path at an early step (its first character ranked below `beam`
    # others) and end on a lower score than greedy's own answer; with greedy_candidate the greedy
    # hypothesis is decoded too and kept when it scores higher (prefer_greedy).
    greedy_candidate: bool = False
    # How finished hypotheses are ranked: "length" by normalised_score (penalty / alpha); "mmi" by
    # mmi_score (seqbot.engine.decoding), maximum mutual information with a length bonus (chat only: needs
    # the artifact's reply language model, seqbot.engine.char_lm). The search itself is the same.
    rerank: str = "length"
    mmi_lambda: float = 0.0
    mmi_gamma: float = 0.0
    # Where MMI's p(reply) comes from: "ngram", the artifact's character n-gram model of the training
    # replies; "model", the chat model itself, averaged over the artifact's background messages
    # (seqbot.engine.reply_prior), so that log p(reply | message) - log p(reply) is the model's own
    # pointwise mutual information.
    mmi_prior: str = "ngram"
    # MMI-bidi (Li et al. 2016): also add mmi_backward x log p(message | reply), by the backward model the
    # chat artifact carries (seqbot.engine.backward); 0: off.
    mmi_backward: float = 0.0
    # Chat only: a hypothesis dies when it ends a word that none of the training replies has (the
    # artifact's blobs["reply_words"]): a character model's misspellings ("bathoon"), which reranking
    # for variety otherwise prefers, never reach a reply.
    known_words: bool = False

    def __post_init__(self):
        if beam_problem(self.beam):
            raise ValueError(beam_problem(self.beam))
        if self.penalty not in LENGTH_PENALTIES:
            raise ValueError(f"length penalty must be one of {', '.join(LENGTH_PENALTIES)}, got {self.penalty!r}")
        if isinstance(self.alpha, bool) or not isinstance(self.alpha, (int, float, np.integer, np.floating)) \
                or not 0 <= self.alpha <= MAX_ALPHA:
            raise ValueError(f"length penalty alpha must be a number from 0 (log P alone) to {MAX_ALPHA}, got {self.alpha!r}")
        if self.max_length_ratio <= 0 or self.max_length_extra < 0:
            raise ValueError("max_length_ratio must be positive and max_length_extra at least 0")
        if self.rerank not in RERANKINGS:
            raise ValueError(f"rerank must be one of {', '.join(RERANKINGS)}, got {self.rerank!r}")
        if self.mmi_prior not in MMI_PRIORS:
            raise ValueError(f"mmi_prior must be one of {', '.join(MMI_PRIORS)}, got {self.mmi_prior!r}")
        if not isinstance(self.known_words, (bool, np.bool_)):
            raise ValueError(f"known_words must be true or false, got {self.known_words!r}")
        if not 0 <= self.mmi_backward <= MAX_ALPHA:
            raise ValueError(f"mmi_backward is the weight of log p(message | reply), from 0 (off) to {MAX_ALPHA}, "
                             f"got {self.mmi_backward!r}")
        if not 0 <= self.mmi_lambda <= 1 or not -MAX_ALPHA <= self.mmi_gamma <= MAX_ALPHA:
            raise ValueError(f"mmi_lambda must lie in [0, 1] and mmi_gamma in [-{MAX_ALPHA}, {MAX_ALPHA}], "
                             f"got {self.mmi_lambda!r} and {self.mmi_gamma!r}")

    @classmethod
    def from_dict(cls, values: dict | None, **overrides) -> "DecodingConfig":
        """The config an artifact records (unknown keys ignored), with `overrides` that are not None."""
        known = {field.name for field in fields(cls)}
        chosen = {key: value for key, value in (values or {}).items() if key in known}
        return cls(**(chosen | {key: value for key, value in overrides.items() if value is not None}))

    def to_dict(self) -> dict:
        return asdict(self)

    def max_length(self, source_length: int, model_max: int) -> int:
        return int(min(model_max, self.max_length_ratio * source_length + self.max_length_extra))
