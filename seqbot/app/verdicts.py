"""The side panel's verdicts on a message: every enabled classifier's, and why the ones that would
have read it are missing. Run in the app's answer worker after the reply."""

from __future__ import annotations

from seqbot.app.conversation import Turn
from seqbot.app.engines import CLASSIFIERS, EngineHub, EngineUnavailable
from seqbot.contract.shipped import language_of
from seqbot.data.scripts import languages_of


def classify_turn(hub: EngineHub, turn: Turn, disabled: set[str]) -> None:
    """Fill `turn.predictions` and `turn.classifier_errors`, and mark it classified."""
    try:
        classifiers = hub.get(CLASSIFIERS)
    except EngineUnavailable as error:
        turn.classifier_errors = {CLASSIFIERS: str(error)}
    else:
        try:
            turn.predictions = run_classifiers(classifiers, turn.text, disabled)
        except ValueError as error:  # SeqbotError: e.g. "no words to classify (only emoji)"
            turn.classifier_errors[CLASSIFIERS] = str(error)
        except Exception as error:
            turn.classifier_errors[CLASSIFIERS] = f"failed on this message ({type(error).__name__}: {error})"
        languages = languages_of(turn.text)
        for name, message in (getattr(classifiers, "errors", {}) or {}).items():
            # Only the models that would have read this message: Korean ones for Hangul, the others for Latin words.
            if language_of(name) in languages and name not in disabled:
                turn.classifier_errors[name] = message
    turn.classified = True


def run_classifiers(classifiers, text: str, disabled: set[str]) -> list:
    """Every enabled classifier's verdict. A ClassifierSet is narrowed to the enabled models
    first (its constructor takes them), so a turned-off model does not even run."""
    if disabled and isinstance(getattr(classifiers, "classifiers", None), dict):
        enabled = {name: model for name, model in classifiers.classifiers.items() if name not in disabled}
        classifiers = type(classifiers)(enabled, dict(getattr(classifiers, "errors", {}) or {}))
    return [p for p in classifiers.classify(text) if p.model not in disabled]


def classifiers_status(classifiers) -> str:
    """The loaded classifiers' line in the panel's model list: how many read messages, which did not load."""
    names = list(getattr(classifiers, "names", []) or [])
    errors = dict(getattr(classifiers, "errors", {}) or {})
    if not names:  # not "ready (0 models)" in green: nothing will classify a message
        why = next(iter(errors.values()), "no classifier checkpoint")
        return f"none loaded ({', '.join(errors) or 'none found'}): {why}"
    return f"ready ({len(names)} model{'' if len(names) == 1 else 's'}" + (
        f", {len(errors)} unavailable: {', '.join(errors)})" if errors else ")")
