"""The conversation as plain data, and its export to Markdown and JSON.

A `Turn` is one message from the person and seqbot's answer to it, with everything the
side panel and the attention screen show about it. Nothing here imports Textual or
NumPy, so exports can be tested (and written) without a running app.

    turns = [Turn(number=1, mode="translate", text="Hello.", reply="Bonjour.")]
    path = write_export(conversation_to_markdown(turns), "md")
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from typing import Any

from seqbot.contract.shipped import MODES
from seqbot.engine.news_domain import NOT_NEWS_LIKE, closest_topic_note

UNSURE = 0.5  # a translation whose confidence is below this is marked unsure (seqbot.engine.confidence.UNSURE)
MODE_TITLES = {mode: mode.capitalize() for mode in MODES}  # "Translate", in the input's title and in exports
TASK_TITLES = {"spam": "Spam", "sentiment": "Sentiment", "topic": "Topic"}


@dataclass
class Turn:
    """One message and its reply. `status` is queued -> running -> done | error | cancelled."""

    number: int
    mode: str
    text: str
    beam: int = 1
    temperature: float | None = None
    top_k: int | None = None
    status: str = "queued"
    reply: str = ""
    error: str | None = None
    notices: list[str] = field(default_factory=list)
    unknown_chars: list[str] = field(default_factory=list)
    # What the model was actually fed (after its own truncation) and the attention over it.
    source: str | None = None
    attention: Any = None
    predictions: list[Any] = field(default_factory=list)
    classifier_errors: dict[str, str] = field(default_factory=dict)
    classified: bool = False
    model: str | None = None
    seconds: float | None = None
    started: float | None = None  # time.perf_counter() when its answer began (for the live timer)
    cancelled: bool = False
    # Translations (seqbot.engine.confidence): the calibrated P(good translation), the lowest of its
    # lines' (None without a calibrator), and (start, end, score) of each French word of `reply`; kept
    # in the store (store.py) with the reply, drawn by the reply's view.
    confidence: float | None = None
    word_scores: list[tuple[int, int, float]] = field(default_factory=list)

    @property
    def decoding(self) -> str:
        if self.mode == "generate":
            sampling = f"temperature {self.temperature:g}" if self.temperature is not None else "sampling"
            return sampling + (f", top-k {self.top_k}" if self.top_k else "")
        return "greedy" if self.beam <= 1 else f"beam {self.beam}"

    @property
    def searching(self) -> bool:
        """A beam search is running: `reply` is its best hypothesis so far (empty until the first
        step), which the search may still replace, not only extend."""
        return self.status == "running" and self.beam > 1 and self.mode != "generate"

    @property
    def finished(self) -> bool:
        return self.status in ("done", "error", "cancelled")


def prediction_to_dict(prediction: Any) -> dict:
    """A classifier `Prediction` (any object with its fields) as JSON-ready data."""
    explanation = getattr(prediction, "explanation", None)
    return {
        "model": prediction.model,
        "task": prediction.task,
        "label": prediction.label,
        "probability": round(float(prediction.probability), 4),
        "top": [[label, round(float(p), 4)] for label, p in prediction.top],
        # "words", as in `seqbot classify --json`: each word's push toward the model's positive class.
        "words": None if explanation is None else [[w, round(float(s), 4)] for w, s in explanation],
        "language": getattr(prediction, "language", None),
        # Topic models: the share of the message's words the model knows (as `seqbot classify --json`).
        "coverage": None if getattr(prediction, "coverage", None) is None else round(float(prediction.coverage), 4),
    }


def turn_to_dict(turn: Turn) -> dict:
    return {
        "number": turn.number,
        "mode": turn.mode,
        "message": turn.text,
        "reply": turn.reply,
        "status": turn.status,
        "stopped": turn.status == "cancelled",
        "error": turn.error,
        "decoding": turn.decoding,
        "model": turn.model,
        "seconds": None if turn.seconds is None else round(turn.seconds, 3),
        "notices": list(turn.notices),
        "unknown_characters": list(turn.unknown_chars),
        "confidence": None if turn.confidence is None else round(turn.confidence, 4),
        "words": [[turn.reply[start:end], round(score, 4)] for start, end, score in turn.word_scores],
        "classifications": [prediction_to_dict(p) for p in turn.predictions],
        "classifier_errors": dict(turn.classifier_errors),
    }


def conversation_to_json(turns: list[Turn]) -> str:
    document = {
        "app": "seqbot",
        "exported": datetime.now().isoformat(timespec="seconds"),
        "turns": [turn_to_dict(turn) for turn in turns],
    }
    return json.dumps(document, ensure_ascii=False, indent=2) + "\n"


def _quote(text: str) -> str:
    return "\n".join("> " + line if line else ">" for line in (text or "").splitlines() or [""])


def conversation_to_markdown(turns: list[Turn]) -> str:
    lines = ["# seqbot conversation", "", f"Exported {datetime.now().isoformat(timespec='seconds')}.", ""]
    for turn in turns:
        lines += [f"## {turn.number}. {MODE_TITLES.get(turn.mode, turn.mode)} ({turn.decoding})", ""]
        lines += ["**You:**", "", _quote(turn.text), ""]
        if turn.error:
            lines += [f"**seqbot:** _{turn.error}_", ""]
        else:
            stopped = " _(stopped)_" if turn.status == "cancelled" else ""
            lines += [f"**seqbot:**{stopped}", "", _quote(turn.reply), ""]
        if turn.confidence is not None:
            lines += [f"- confidence: {turn.confidence:.0%}" + (" (unsure)" if turn.confidence < UNSURE else "")]
        for notice in turn.notices:
            lines += [f"- note: {notice}"]
        if turn.unknown_chars:
            lines += ["- unknown characters: " + " ".join(repr(c) for c in turn.unknown_chars)]
        for prediction in turn.predictions:
            title = TASK_TITLES.get(prediction.task, prediction.task)
            line = f"- {title} ({prediction.model}): {prediction.label} {prediction.probability:.0%}"
            if prediction.label == NOT_NEWS_LIKE:  # the verdict, and the nearest topic only as a note
                note = closest_topic_note(prediction.top, getattr(prediction, "coverage", None))
                line = f"- {title} ({prediction.model}): {NOT_NEWS_LIKE} ({note})"
            elif prediction.task == "topic" and prediction.top:
                line += " — top: " + ", ".join(f"{label} {p:.0%}" for label, p in prediction.top[:3])
            if getattr(prediction, "explanation", None):
                line += " — words: " + ", ".join(f"{w} {s:+.2f}" for w, s in prediction.explanation[:5])
            lines.append(line)
        for name, message in turn.classifier_errors.items():
            lines.append(f"- {name}: unavailable ({message})")
        if lines[-1] != "":
            lines.append("")
    return "\n".join(lines).rstrip("\n") + "\n"


def write_export(text: str, suffix: str, directories: list[Path] | None = None, stamp: str | None = None) -> Path:
    """Write `text` to a new file seqbot-conversation-<stamp>.<suffix> in the first writable folder
    of `directories` (default: the exports folder in the data folder). Never overwrites: when the
    name is taken (two exports in the same second), -2, -3, ... is added."""
    stamp = stamp or datetime.now().strftime("%Y%m%d-%H%M%S")
    if directories is None:
        from seqbot.app.store import data_dir

        directories = [data_dir() / "exports"]
    failures = []
    for directory in directories:
        try:
            Path(directory).mkdir(parents=True, exist_ok=True)
            for attempt in range(1, 1000):
                name = f"seqbot-conversation-{stamp}" + (f"-{attempt}" if attempt > 1 else "") + f".{suffix}"
                path = Path(directory).resolve() / name
                try:
                    with open(path, "x", encoding="utf-8") as file:
                        file.write(text)
                    return path
                except FileExistsError:
                    continue
            failures.append(f"{directory}: 999 exports with this time stamp already")
        except OSError as error:
            failures.append(f"{directory}: {error.strerror or error}")
    raise OSError("could not write the export anywhere (" + "; ".join(failures) + ")")
