"""The side panel: what the lecture's classifiers make of the selected message, and the
state of every model (ready, loading, or why it cannot be used)."""

from __future__ import annotations

from rich.table import Table
from rich.text import Text
from textual.app import ComposeResult
from textual.containers import VerticalScroll
from textual.widgets import Static

from seqbot.app.conversation import TASK_TITLES, Turn
from seqbot.app.engines import ENGINES
from seqbot.app.widgets.bars import LabelledBar
from seqbot.contract.shipped import CLASSIFY_TASKS, panel_classifiers
from seqbot.engine.news_domain import NOT_NEWS_LIKE, closest_topic_note

# Checkpoint name -> what the model is, for the panel (seqbot/contract/shipped.py); unknown names are shown as they are.
MODEL_TITLES = {model.name: model.title for model in panel_classifiers()}
# Labels whose bar is drawn in the theme's error / success colour (the rest: the accent colour).
ALARMING_LABELS = {"spam", "negative"}
REASSURING_LABELS = {"ham", "positive"}


def ranked(prediction) -> list[tuple[str, float]]:
    """(label, probability) pairs, the winner first: from `top` when the model gave it, else the
    predicted label alone. A binary model's bar shows the winner, e.g. "negative 61%", never
    the probability of a fixed label (a negative review must not read "positive 39%")."""
    pairs = [(str(name), float(probability)) for name, probability in (prediction.top or [])]
    if not any(name == prediction.label for name, _ in pairs):
        pairs.append((str(prediction.label), float(prediction.probability)))
    return sorted(pairs, key=lambda pair: -pair[1])


def explanation_table(explanation: list[tuple[str, float]], limit: int = 6, per_row: int = 2, task: str = "spam") -> Table:
    """Words that pushed Naive Bayes, strongest first, with their push toward the model's positive
    class (+) or away from it (−): spam words in red, positive-sentiment words in green."""
    toward, away = ("bold red", "bold green") if task == "spam" else ("bold green", "bold red")
    strongest = sorted(explanation, key=lambda item: -abs(item[1]))[:limit]
    grid = Table.grid(padding=(0, 2, 0, 0))
    for _ in range(per_row):
        grid.add_column(no_wrap=True, overflow="ellipsis")
    cells = []
    for word, push in strongest:
        cell = Text(no_wrap=True, overflow="ellipsis")
        cell.append(word, toward if push > 0 else away)
        cell.append(f" {push:+.2f}", "dim")
        cells.append(cell)
    for start in range(0, len(cells), per_row):
        row = cells[start:start + per_row]
        grid.add_row(*row, *[""] * (per_row - len(row)))
    return grid


class SidePanel(VerticalScroll):
    """Shows `turn` (None: a hint) and the model states from `statuses`."""

    def __init__(self, **kwargs) -> None:
        super().__init__(**kwargs)
        self.turn: Turn | None = None
        self.statuses: dict[str, str] = {}
        self.classifiers_on = True

    def show(self, turn: Turn | None, statuses: dict[str, str] | None = None) -> None:
        self.turn = turn
        if statuses is not None:
            self.statuses = statuses
        self.refresh(recompose=True)

    def compose(self) -> ComposeResult:
        turn = self.turn
        if turn is None:
            yield Static("No message selected", classes="panel-title")
            yield Static(
                "Send a message: its spam, sentiment and topic scores appear here. "
                "Ctrl+↑/↓ or a click selects another message.",
                classes="hint",
            )
        else:
            title = turn.text if len(turn.text) <= 60 else turn.text[:59] + "…"
            yield Static(f"Message {turn.number}", classes="panel-title")
            yield Static(Text(f"“{title}”"), classes="quoted")
            yield from self.compose_classifications(turn)
        yield from self.compose_models()

    def compose_classifications(self, turn: Turn) -> ComposeResult:
        if not self.classifiers_on:
            yield Static("Classifiers are off (--no-classifiers).", classes="hint")
            return
        if not turn.classified:
            yield Static("classifying…" if turn.status != "queued" else "waiting in the queue…", classes="hint")
            return
        by_task: dict[str, list] = {}
        for prediction in turn.predictions:
            by_task.setdefault(prediction.task, []).append(prediction)
        for task in CLASSIFY_TASKS:
            predictions = by_task.pop(task, [])
            if predictions:
                yield Static(TASK_TITLES[task], classes="section")
                for prediction in predictions:
                    yield from self.compose_prediction(prediction)
        for task, predictions in by_task.items():  # a task this panel does not know yet
            yield Static(task.title(), classes="section")
            for prediction in predictions:
                yield from self.compose_prediction(prediction)
        yield from self.compose_language_hint({getattr(p, "language", "en") for p in turn.predictions})
        if turn.classifier_errors:
            yield Static("Unavailable", classes="section -error")
            for name, message in turn.classifier_errors.items():
                yield Static(Text(f"{name}: {message}"), classes="error-line")
        if not turn.predictions and not turn.classifier_errors:
            yield Static("No classifier applies to this message.", classes="hint")

    def compose_language_hint(self, languages: set[str]) -> ComposeResult:
        """A Korean message is read by the Korean models only: say so, naming them."""
        korean = [model for model in panel_classifiers() if model.language == "ko"]
        if "ko" not in languages or not korean:
            return
        tasks = " and ".join(dict.fromkeys(model.task for model in korean))
        names = " and ".join(dict.fromkeys(model.corpus for model in korean))
        models = f"the {names} model{'s' if len(korean) > 1 else ''}"
        if languages == {"ko"}:
            yield Static(f"Korean message: {tasks} from {models}.", classes="hint")
        elif languages == {"en", "ko"}:
            yield Static(f"Korean and English words: {models} and the English models each read it.", classes="hint")

    def compose_prediction(self, prediction) -> ComposeResult:
        title = MODEL_TITLES.get(prediction.model)
        yield Static(Text(f"{title} · {prediction.model}" if title else prediction.model), classes="model-name")
        if prediction.label == NOT_NEWS_LIKE:
            # The topic model's out-of-domain verdict: no bar (a bar would read as the probability of "not
            # news-like"); the topic it was nearest to is a dim note, as `seqbot classify` prints it.
            yield Static(Text(NOT_NEWS_LIKE), classes="verdict")
            yield Static(Text(closest_topic_note(prediction.top, getattr(prediction, "coverage", None))),
                         classes="verdict-note")
        else:
            yield from self.compose_bars(prediction)
        explanation = getattr(prediction, "explanation", None)
        if explanation:
            yield Static(explanation_table(explanation, task=prediction.task), classes="explanation")

    def compose_bars(self, prediction) -> ComposeResult:
        pairs = ranked(prediction)
        # Two-class tasks (spam, sentiment): one bar, the winner's. Topics: the top 3.
        shown = pairs[:1] if len(pairs) <= 2 else pairs[:3]
        label_width = min(max(10, *(len(name) for name, _ in shown)), 14)  # Reuters has "money-supply"
        for index, (name, probability) in enumerate(shown):
            bar = LabelledBar(name, probability, label_width=label_width)
            bar.set_class(index == 0, "-winner")
            bar.set_class(name in ALARMING_LABELS, "-alarming")
            bar.set_class(name in REASSURING_LABELS, "-reassuring")
            yield bar

    def compose_models(self) -> ComposeResult:
        yield Static("Models", classes="section")
        grid = Table.grid(padding=(0, 1, 0, 0))
        grid.add_column(no_wrap=True)
        grid.add_column(no_wrap=True, style="bold")
        grid.add_column(overflow="fold")  # long checkpoint paths wrap instead of losing their end
        for name in ENGINES:
            status = self.statuses.get(name, "off")
            if status.startswith("ready"):
                mark, style = "●", "green"
            elif status in ("loading", "not loaded"):
                mark, style, status = "◌", "yellow", "loading…"
            elif status == "off":
                mark, style = "○", "dim"
            else:
                mark, style = "✗", "red"
            grid.add_row(Text(mark, style), name, Text(status, "red" if style == "red" else "dim"))
        yield Static(grid, classes="model-status")
