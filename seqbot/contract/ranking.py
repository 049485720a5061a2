"""RankingConfig: how the chat model ranks replies it is given for a message (response selection:
hits@1 of `seqbot eval chat`), as a chat artifact records it under config["ranking"].

    config = RankingConfig.from_dict(artifact.config.get("ranking"))   # unknown keys ignored
    artifact.config["ranking"] = config.to_dict()

The score (seqbot.engine.reply_ranking.ranking_score) of a reply r to a message m is

    log p(r | m) - prior * log p(r) + backward * log p(m | r)
        + overlap * tfidf_cosine(m, r) + association * word_mi(m, r)

with p(r) the chat model's own mean over `background_messages` training messages, p(m | r) the
backward model's, and the two word scores of seqbot.engine.word_links. The weights are chosen on the
validation part by python -m seqbot.evaluation.chat_ranking. Generation ranks its own hypotheses with
DecodingConfig's MMI settings instead: a search's candidates all fit the model, people's replies do not.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass, fields

MAX_WEIGHT = 100.0  # far beyond any useful weight; catches a typo such as 60 for 0.6 on the log-ratio terms


@dataclass(frozen=True)
class RankingConfig:
    prior: float = 1.0  # weight of log p(reply): 1 makes the first two terms the pointwise mutual information
    backward: float = 0.0  # weight of log p(message | reply) (needs a backward model)
    overlap: float = 0.0  # weight of the tf-idf cosine of the two texts' words (needs word links)
    association: float = 0.0  # weight of the word-level mutual information read both ways (needs word links)
    background_messages: int = 128  # training messages p(reply) is averaged over

    def __post_init__(self):
        for field in ("prior", "backward", "overlap", "association"):
            value = getattr(self, field)
            if not isinstance(value, (int, float)) or not 0 <= value <= MAX_WEIGHT:
                raise ValueError(f"ranking {field} is a weight from 0 (off) to {MAX_WEIGHT:g}, got {value!r}")
        if not isinstance(self.background_messages, int) or self.background_messages < 1:
            raise ValueError(f"ranking background_messages is a count of at least 1, got {self.background_messages!r}")

    @property
    def uses_words(self) -> bool:
        return bool(self.overlap or self.association)

    @classmethod
    def from_dict(cls, values: dict | None, **overrides) -> "RankingConfig":
        """The config an artifact records (unknown keys ignored), with `overrides` that are not None."""
        known = {field.name for field in fields(cls)}
        chosen = {key: value for key, value in (values or {}).items() if key in known}
        return cls(**(chosen | {key: value for key, value in overrides.items() if value is not None}))

    def to_dict(self) -> dict:
        return asdict(self)
