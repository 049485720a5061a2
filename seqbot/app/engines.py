"""Lazy, thread-safe loading of the models the app uses, one slot per model.

The app never imports an engine (or NumPy) before its first frame: `EngineHub.get`
imports and loads on first use, in a worker thread. A model whose module or checkpoint
is missing or broken becomes an `EngineUnavailable` with a message for the person at
the keyboard; the other models keep working.

    hub = EngineHub.from_checkpoints("checkpoints")
    translator = hub.get(model_for_mode("translate").name)   # loads once, later calls are free
    hub.status(CLASSIFIERS)                 # "not loaded" | "loading" | "ready" | the error message

Slots are named after the table of shipped models (seqbot/contract/shipped.py): one per mode's model,
and CLASSIFIERS for the side panel's classifiers, which ClassifierSet loads together.
"""

from __future__ import annotations

import importlib
import threading
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Callable

from seqbot.contract import shipped

CLASSIFIERS = "classifiers"  # the slot of every side-panel classifier together (engine.classifier.ClassifierSet)
# The engine class that runs a mode's model, by its task in the table of shipped models.
ENGINE_CLASSES = {
    shipped.TRANSLATE: ("seqbot.engine.translator", "Translator"),
    shipped.CHAT: ("seqbot.engine.chat", "Chatbot"),
    shipped.GENERATE: ("seqbot.engine.generator", "Generator"),
}


def _engines() -> dict[str, tuple[str, str, str | None, str]]:
    """slot -> (module, class, checkpoint file or None, what it is), in the order of the side panel's
    model list: the default mode's model, the classifiers (they read every message), the other modes'."""
    modes = {}
    for mode in shipped.MODES:
        model = shipped.model_for_mode(mode)
        if model.task not in ENGINE_CLASSES:
            raise ValueError(f"no engine runs {model.name!r} (task {model.task!r}); add its class to ENGINE_CLASSES")
        modes[model.name] = (*ENGINE_CLASSES[model.task], model.file, model.title)
    first, *others = modes.items()
    return dict([first, (CLASSIFIERS, ("seqbot.engine.classifier", "ClassifierSet", None, "classifiers")), *others])


ENGINES = _engines()


class EngineUnavailable(Exception):
    """A model cannot be used; the message says why and what to do."""


@dataclass
class _Slot:
    loader: Callable[[], Any]
    lock: threading.Lock
    engine: Any = None
    error: str | None = None
    state: str = "not loaded"


class EngineHub:
    def __init__(self, loaders: dict[str, Callable[[], Any]], description: str = "") -> None:
        self._slots = {name: _Slot(loader, threading.Lock()) for name, loader in loaders.items()}
        self.description = description

    @classmethod
    def from_checkpoints(cls, directory: str | Path, classifiers: bool = True) -> "EngineHub":
        directory = Path(directory)
        loaders = {name: _checkpoint_loader(name, directory) for name in ENGINES}
        if not classifiers:
            loaders.pop(CLASSIFIERS)
        return cls(loaders, description=str(directory))

    @property
    def names(self) -> list[str]:
        return list(self._slots)

    def has(self, name: str) -> bool:
        return name in self._slots

    def status(self, name: str) -> str:
        slot = self._slots.get(name)
        if slot is None:
            return "off"
        return slot.error if slot.state == "error" else slot.state

    def is_ready(self, name: str) -> bool:
        slot = self._slots.get(name)
        return slot is not None and slot.state == "ready"

    def peek(self, name: str) -> Any:
        """The engine if already loaded, else None; never loads."""
        slot = self._slots.get(name)
        return slot.engine if slot is not None and slot.state == "ready" else None

    def get(self, name: str) -> Any:
        """The loaded engine; loads it (blocking) on first use. Call from a worker thread."""
        slot = self._slots.get(name)
        if slot is None:
            raise EngineUnavailable(f"the {name} model is turned off")
        with slot.lock:
            if slot.state == "ready":
                return slot.engine
            if slot.state == "error":
                raise EngineUnavailable(slot.error)
            slot.state = "loading"
            try:
                slot.engine = slot.loader()
            except EngineUnavailable as error:
                slot.state, slot.error = "error", str(error)
            except Exception as error:  # a broken checkpoint may fail in many ways; none may crash the app
                slot.state, slot.error = "error", f"could not load the {name} model: {error}"
            else:
                slot.state = "ready"
                return slot.engine
            raise EngineUnavailable(slot.error)


def _checkpoint_loader(name: str, directory: Path) -> Callable[[], Any]:
    module_name, class_name, filename, what = ENGINES[name]

    def load() -> Any:
        try:
            module = importlib.import_module(module_name)
            engine_class = getattr(module, class_name)
        except ModuleNotFoundError as error:
            raise EngineUnavailable(f"{error.name or module_name} is not in this install") from None
        except (ImportError, AttributeError) as error:
            raise EngineUnavailable(f"{module_name}.{class_name} cannot be imported ({error})") from None
        if filename is None:
            return engine_class.load(directory)
        path = directory / filename
        if not path.exists():
            raise EngineUnavailable(f"no checkpoint {path} (train the {what}, or pass --checkpoints DIR)")
        try:
            return engine_class.load(path)
        except ValueError as error:  # SeqbotError / CheckpointError carry a message for people
            raise EngineUnavailable(str(error)) from None

    return load
