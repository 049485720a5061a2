"""seqbot's one training loop: Keras 3 `model.fit` with the same callbacks for every model family.

    from seqbot.training.loop import LoopConfig, fit, make_optimizer
    model.compile(optimizer=make_optimizer("adam", 2e-3, clipnorm=5.0), loss=...)
    result = fit(model, train_data, validation_data, LoopConfig(epochs=12, patience=2, plateau_factor=0.5),
                 run_dir, export=lambda model, result: save_artifact(run_dir / "model.npz", ...))

What every run gets (all but the last two are Keras' own callbacks):
- BackupAndRestore (run_dir/backup): weights, optimizer state and epoch after every epoch, so
  rerunning the same command after a crash or SIGKILL continues from the last finished epoch with
  the same optimizer step count as an uninterrupted run;
- EarlyStopping(restore_best_weights=True) on `monitor` (`patience`; None never stops early);
- ReduceLROnPlateau(`plateau_factor`, `plateau_patience`): 0.5 halves the rate after a worse epoch;
- CSVLogger (run_dir/log.csv), TensorBoard when `tensorboard` is set;
- best-kept weights (run_dir/weights/best.npz, loaded at the end whatever stopped the run) and the
  last `average_last` epochs' weights, whose mean replaces the best when its validation loss is lower;
- the early-stopping / plateau counters, the history and the time spent (run_dir/loop_state.json),
  restored on resume, so a resumed run stops and halves exactly when an uninterrupted one would;
- a time budget, `max_minutes` of training in this session: the run stops after the epoch that spends
  it, and rerunning the same command continues it (early stopping and the epoch limit end a run for good);
- one line per epoch (and Keras' progress bar only when stdout is a terminal);
- `after_epoch(model, progress)`, the trainer's hook after each epoch is saved (the translator writes
  its round artifacts there), and the trainer's own Keras `callbacks`, run last.

Clipping is the optimizer's (`make_optimizer(..., clipnorm=5.0)`). Data: a tf.data Dataset or a
keras.utils.PyDataset; both run under KERAS_BACKEND=tensorflow and jax. With `steps_per_epoch`
a finite tf.data Dataset is repeated, so Keras never runs out of data mid-epoch.

Distribution: build and compile the model under `distribution_scope(strategy)`; with several
workers only the chief writes run_dir and exports (the others write run_dir/worker-N).
"""

from __future__ import annotations

import contextlib
import json
import math
import os
import sys
import time
from dataclasses import asdict, dataclass, field
from pathlib import Path

import numpy as np

from seqbot.errors import SeqbotError

STRATEGIES = ("default", "mirrored", "multiworker")


@dataclass
class LoopConfig:
    """How long and how carefully to train; every trainer's recipe holds one of these values."""

    epochs: int = 10
    patience: int | None = 2  # epochs without a better `monitor` before stopping; None: never stop early
    plateau_factor: float = 1.0  # learning rate *= factor after `plateau_patience` worse epochs; 1.0: never
    plateau_patience: int = 1
    min_learning_rate: float = 1e-6
    average_last: int = 0  # try the mean of the last N epochs' weights (Polyak); 0: off
    steps_per_epoch: int | None = None  # None: one pass over the training data
    max_minutes: float | None = None  # training time of this session: stop after the epoch that spends it; rerun to go on
    monitor: str = "val_loss"
    tensorboard: bool = False

    def __post_init__(self):
        if self.epochs < 1:
            raise SeqbotError(f"epochs must be at least 1, not {self.epochs}")
        if not 0.0 < self.plateau_factor <= 1.0:
            raise SeqbotError(f"plateau_factor must be in (0, 1], not {self.plateau_factor}")
        if self.patience is not None and self.patience < 1:
            raise SeqbotError(f"patience must be at least 1 (or None), not {self.patience}")
        if self.steps_per_epoch is not None and self.steps_per_epoch < 1:
            raise SeqbotError(f"steps_per_epoch must be at least 1, not {self.steps_per_epoch}")


@dataclass
class FitResult:
    epochs: int  # epochs finished in all sessions of this run
    best_epoch: int | None
    best: float | None  # best `monitor` value
    stopped: str  # "epochs", "early_stopping", "time"
    updates: int  # optimizer steps in all sessions
    time_s: float
    history: list[dict] = field(default_factory=list)
    averaged: dict | None = None
    exported: Path | None = None
    run_dir: Path | None = None  # where this process keeps its state: the run folder, or run/worker-N

    def summary(self) -> dict:
        """The part stored in an artifact's metadata."""
        return {key: value for key, value in asdict(self).items() if key not in ("exported", "run_dir")}


def make_optimizer(name: str, learning_rate: float | None = None, clipnorm: float | None = None):
    """A Keras optimizer by name; `learning_rate` None keeps Keras' default, `clipnorm` clips each gradient."""
    from seqbot.models.keras_setup import import_keras

    keras = import_keras()
    options = {"clipnorm": clipnorm} if clipnorm else {}
    if learning_rate is not None:
        options["learning_rate"] = learning_rate
    try:
        return keras.optimizers.get({"class_name": name, "config": options})
    except ValueError as error:
        raise SeqbotError(f"unknown optimizer {name!r} ({error})") from None


# --- distribution ---

def worker_role() -> tuple[str, int]:
    """(task type, index) from TF_CONFIG; ("chief", 0) when there is no cluster."""
    config = json.loads(os.environ.get("TF_CONFIG") or "{}")
    task = config.get("task") or {}
    return task.get("type", "chief"), int(task.get("index", 0))


def is_chief() -> bool:
    """The process that writes the run folder and exports: the chief, or worker 0 of a cluster without one."""
    config = json.loads(os.environ.get("TF_CONFIG") or "{}")
    kind, index = worker_role()
    if "chief" in (config.get("cluster") or {}):
        return kind == "chief"
    return kind in ("chief", "worker") and index == 0


def distribution_scope(strategy: str = "default"):
    """A context to build and compile the model in. TensorFlow: tf.distribute's Mirrored (all local
    GPUs) or MultiWorkerMirrored (TF_CONFIG); JAX: keras.distribution.DataParallel over the local
    devices (multi-host JAX needs jax.distributed.initialize first, see docs/training.md)."""
    if strategy not in STRATEGIES:
        raise SeqbotError(f"unknown strategy {strategy!r}; choose one of {', '.join(STRATEGIES)}")
    if strategy == "default":
        return contextlib.nullcontext()
    from seqbot.models.keras_setup import import_keras

    keras = import_keras()
    if keras.backend.backend() == "jax":
        keras.distribution.set_distribution(keras.distribution.DataParallel())
        return contextlib.nullcontext()
    if keras.backend.backend() != "tensorflow":
        raise SeqbotError(f"--strategy {strategy} needs the tensorflow or jax backend, not {keras.backend.backend()}")
    import tensorflow as tf

    if strategy == "mirrored":
        return tf.distribute.MirroredStrategy().scope()
    if not os.environ.get("TF_CONFIG"):
        raise SeqbotError("--strategy multiworker needs TF_CONFIG (cluster addresses and this task); see docs/training.md")
    return tf.distribute.MultiWorkerMirroredStrategy().scope()


# --- the loop ---

def fit(model, train_data, validation_data, config: LoopConfig, run_dir: str | os.PathLike, export=None,
        log=print, after_epoch=None, callbacks=()) -> FitResult:
    """Train `model` (compiled) under `config`, resuming what `run_dir` holds; then load the best
    (or averaged) weights and call `export(model, result)`, which writes the artifact under
    `result.run_dir` and returns its path: `result.exported` on the chief (other workers' files
    are deleted). `after_epoch(model, progress)` runs on the chief after every epoch is saved, with
    the FitResult so far; `callbacks` are extra Keras callbacks, run after everything else.
    Returns the FitResult of the whole run."""
    import keras

    run_dir = Path(run_dir)
    if not is_chief():  # other workers save their state apart, as Keras' multi-worker guide asks
        kind, index = worker_role()
        run_dir = run_dir / f"{kind}-{index}"
    run_dir.mkdir(parents=True, exist_ok=True)
    state_path = run_dir / "loop_state.json"
    state = json.loads(state_path.read_text()) if state_path.exists() else {}
    if config.steps_per_epoch and _is_tf_dataset(train_data):
        train_data = train_data.repeat()
    state_keeper = _LoopState(config, run_dir, state, train_data, validation_data, log)
    # double_checkpoint: a run killed while writing the backup falls back to the one before
    backup = keras.callbacks.BackupAndRestore(str(run_dir / "backup"), delete_checkpoint=False, double_checkpoint=True)
    extra_callbacks, callbacks = list(callbacks or ()), []
    if config.patience is not None:
        callbacks.append(keras.callbacks.EarlyStopping(config.monitor, patience=config.patience, restore_best_weights=True))
    if config.plateau_factor < 1.0:
        callbacks.append(keras.callbacks.ReduceLROnPlateau(config.monitor, factor=config.plateau_factor,
                                                           patience=config.plateau_patience, min_lr=config.min_learning_rate))
    callbacks.append(_csv_logger(run_dir / "log.csv"))
    if config.tensorboard:
        callbacks.append(keras.callbacks.TensorBoard(str(run_dir / "tensorboard"), write_graph=False, profile_batch=0))
    # last: it saves the optimizer after ReduceLROnPlateau lowered the rate, and after loop_state.json
    callbacks += [state_keeper, backup, _EpochLine(state_keeper, log, after_epoch if is_chief() else None), *extra_callbacks]
    state_keeper.callbacks_to_restore = [callback for callback in callbacks if type(callback).__name__ in RESTORED]
    if _finished(config, state):
        log(f"{run_dir} finished ({state['stopped']} after epoch {state['epoch']}); exporting its best weights")
        backup.set_model(model)
        backup.on_train_begin()  # weights and optimizer state as the run left them
    else:
        if state.get("epoch"):
            log(f"resuming {run_dir} after epoch {state['epoch']}")
        _build_before_multiworker_fit(model, train_data)
        model.fit(train_data, validation_data=validation_data, epochs=config.epochs, steps_per_epoch=config.steps_per_epoch,
                  callbacks=callbacks, verbose=1 if sys.stdout.isatty() else 0, shuffle=False)
        state_keeper.finish()
    result = state_keeper.result(model)
    best_path = run_dir / "weights" / "best.npz"
    if best_path.exists():
        model.set_weights(_load_weights(best_path))
    if config.average_last > 1:
        result.averaged = _average_last(model, run_dir, state_keeper.state, validation_data, config, log)
        state_keeper.save()
    result.run_dir = run_dir
    if export is not None:
        # every worker exports (its evaluation needs them all); only the chief's file is kept
        exported = export(model, result)
        if is_chief():
            result.exported = exported
        elif exported is not None:
            Path(exported).unlink(missing_ok=True)
    return result


def run_progress(run_dir: str | os.PathLike) -> FitResult:
    """A run's progress as run_dir/loop_state.json holds it, without building its model."""
    path = Path(run_dir) / "loop_state.json"
    state = json.loads(path.read_text()) if path.exists() else {}
    return FitResult(epochs=state.get("epoch", 0), best_epoch=state.get("best_epoch"), best=state.get("best"),
                     stopped=state.get("stopped") or "epochs", updates=state.get("updates", 0),
                     time_s=state.get("elapsed_s", 0.0), history=state.get("history", []), averaged=state.get("averaged"),
                     run_dir=Path(run_dir))


def worker_count(model) -> int:
    """How many workers train `model` together (1 without a multi-worker strategy)."""
    strategy = getattr(model, "_distribute_strategy", None)
    return int(getattr(strategy.extended, "_num_workers", 1)) if strategy is not None else 1


def _build_before_multiworker_fit(model, train_data) -> None:
    """Two failures of Keras' TensorFlow trainer across several workers, worked around in
    seqbot/training/keras_patches.py (the one place that touches private Keras code)."""
    if worker_count(model) < 2 or not _is_tf_dataset(train_data):
        return
    from seqbot.training.keras_patches import patch_multiworker_fit

    patch_multiworker_fit(model, next(iter(train_data)))


def _finished(config: LoopConfig, state: dict) -> bool:
    """Early stopping ends a run for good; the epoch limit until it is raised; a spent time budget
    (of one session) never: rerunning the same command continues the run."""
    stopped = state.get("stopped")
    if stopped == "early_stopping":
        return True
    return stopped in ("epochs", "time") and state.get("epoch", 0) >= config.epochs


def _csv_logger(path: Path):
    """Keras' CSVLogger appending to run_dir/log.csv; a file that exists keeps its columns (a run started
    by an older trainer logged other keys), so no row is written under the wrong header."""
    import keras

    class CSVLogger(keras.callbacks.CSVLogger):
        def on_train_begin(self, logs=None):
            super().on_train_begin(logs)
            header = path.read_text().split("\n", 1)[0] if path.exists() else ""
            if header.startswith("epoch,"):
                self.keys = header.split(",")[1:]

    return CSVLogger(str(path), append=True)


def _is_tf_dataset(data) -> bool:
    return type(data).__module__.startswith("tensorflow") and hasattr(data, "repeat")


def _save_weights(path: Path, weights: list) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    partial = path.with_name(path.name + ".partial.npz")
    np.savez(partial, *[np.asarray(weight) for weight in weights])
    os.replace(partial, path)  # a run killed mid-write keeps the previous file


def _load_weights(path: Path) -> list:
    with np.load(path) as saved:
        return [saved[f"arr_{i}"] for i in range(len(saved.files))]


def _as_float(value) -> float:
    return float(np.asarray(value))


def _loop_state_class():
    import keras

    class LoopState(keras.callbacks.Callback):
        """Best-kept weights, epoch snapshots, the counters of EarlyStopping / ReduceLROnPlateau,
        the time budget and one log line per epoch; everything saved to loop_state.json."""

        def __init__(self, config, run_dir, state, train_data, validation_data, log):
            super().__init__()
            self.config, self.run_dir, self.log = config, run_dir, log
            self.train_data, self.validation_data = train_data, validation_data
            self.state = {"epoch": 0, "best": None, "best_epoch": None, "elapsed_s": 0.0, "history": [],
                          "callbacks": {}, "stopped": None, **state}
            self.epoch_start = None
            self.session_s = 0.0  # training time of this session, for the time budget
            self.callbacks_to_restore = []  # EarlyStopping / ReduceLROnPlateau of this fit, set by fit()

        def on_train_begin(self, logs=None):
            self.resumed = False

        def on_epoch_begin(self, epoch, logs=None):
            if not self.resumed:  # the first epoch of this session: `epoch` is what BackupAndRestore restored
                self.resumed = True
                self.state["history"] = [entry for entry in self.state["history"] if entry["epoch"] <= epoch]
                self.state["epoch"] = epoch
                self.state["stopped"] = None
                saved = self.state["callbacks"] if self.state.get("callbacks_epoch", epoch) == epoch else {}
                for callback in self.callbacks_to_restore:
                    for attribute, value in saved.get(type(callback).__name__, {}).items():
                        setattr(callback, attribute, value)
            self.epoch_start = time.perf_counter()
            if hasattr(self.train_data, "set_epoch"):
                self.train_data.set_epoch(epoch)

        def on_epoch_end(self, epoch, logs=None):
            logs = {key: _as_float(value) for key, value in (logs or {}).items()}
            seconds = time.perf_counter() - self.epoch_start
            learning_rate = _as_float(keras.ops.convert_to_numpy(self.model.optimizer.learning_rate))
            entry = {"epoch": epoch + 1, **{k: v for k, v in logs.items() if k != "learning_rate"},
                     "learning_rate": learning_rate, "seconds": round(seconds, 2)}
            self.state["history"].append(entry)
            self.state["epoch"] = epoch + 1
            self.state["elapsed_s"] = round(self.state["elapsed_s"] + seconds, 2)
            self.state["updates"] = int(keras.ops.convert_to_numpy(self.model.optimizer.iterations))
            self.session_s += seconds
            current = logs.get(self.config.monitor)
            if current is not None and (self.state["best"] is None or current < self.state["best"]):
                self.state["best"], self.state["best_epoch"] = current, epoch + 1
                _save_weights(self.run_dir / "weights" / "best.npz", self.model.get_weights())
            if self.config.average_last > 1:
                _save_weights(self.run_dir / "weights" / f"epoch-{epoch + 1}.npz", self.model.get_weights())
                stale = self.run_dir / "weights" / f"epoch-{epoch + 1 - self.config.average_last}.npz"
                stale.unlink(missing_ok=True)
            self.state["callbacks"] = {type(c).__name__: {a: _plain(getattr(c, a)) for a in RESTORED[type(c).__name__]}
                                       for c in self.callbacks_to_restore}
            self.state["callbacks_epoch"] = epoch + 1
            budget = self.config.max_minutes
            if budget is not None and self.session_s >= budget * 60:
                self.model.stop_training = True
                self.state["stopped"] = "time"
            self.save()
            metrics = "  ".join(f"{key} {value:.4f}" for key, value in logs.items() if key != "learning_rate")
            self.line = f"epoch {epoch + 1}/{self.config.epochs}: {metrics}  lr {learning_rate:.2e}  ({seconds:.1f} s)"

        def finish(self):
            if self.state["stopped"] is None:
                early = [c for c in self.callbacks_to_restore if type(c).__name__ == "EarlyStopping"]
                self.state["stopped"] = "early_stopping" if early and early[0].stopped_epoch else "epochs"
            self.save()

        def save(self):
            path = self.run_dir / "loop_state.json"
            partial = path.with_name(path.name + ".partial")
            partial.write_text(json.dumps(self.state, indent=1))
            os.replace(partial, path)

        def result(self, model) -> FitResult:
            return FitResult(epochs=self.state["epoch"], best_epoch=self.state["best_epoch"], best=self.state["best"],
                             stopped=self.state["stopped"] or "epochs",
                             updates=int(keras.ops.convert_to_numpy(model.optimizer.iterations)),
                             time_s=self.state["elapsed_s"], history=self.state["history"], averaged=self.state.get("averaged"))

    class EpochLine(keras.callbacks.Callback):
        """Prints LoopState's line for the epoch once BackupAndRestore (just before it) has saved it,
        then runs the trainer's `after_epoch(model, progress)`."""

        def __init__(self, state_keeper, log, after_epoch=None):
            super().__init__()
            self.state_keeper, self.log, self.after_epoch = state_keeper, log, after_epoch

        def on_epoch_end(self, epoch, logs=None):
            self.log(self.state_keeper.line)
            if self.after_epoch is not None:
                self.after_epoch(self.model, self.state_keeper.result(self.model))

    return LoopState, EpochLine


# attributes of Keras' callbacks that on_train_begin resets and a resumed run must get back
RESTORED = {"EarlyStopping": ("wait", "best", "best_epoch"), "ReduceLROnPlateau": ("wait", "best", "cooldown_counter")}


def _plain(value):
    if value is None or isinstance(value, (int, str)):
        return value
    value = float(np.asarray(value))
    return value if math.isfinite(value) else None


def _LoopState(config, run_dir, state, train_data, validation_data, log):
    return _loop_state_class()[0](config, run_dir, state, train_data, validation_data, log)


def _EpochLine(state_keeper, log, after_epoch=None):
    return _loop_state_class()[1](state_keeper, log, after_epoch)


def _average_last(model, run_dir: Path, state: dict, validation_data, config: LoopConfig, log) -> dict | None:
    """Mean of the last `average_last` epochs' weights, kept when its validation loss beats the best epoch's."""
    last = state["epoch"]
    paths = [p for epoch in range(last - config.average_last + 1, last + 1)
             if (p := run_dir / "weights" / f"epoch-{epoch}.npz").exists()]
    if len(paths) < 2 or validation_data is None:
        return None
    best = model.get_weights()
    snapshots = [_load_weights(path) for path in paths]
    model.set_weights([np.mean(arrays, axis=0).astype(arrays[0].dtype) for arrays in zip(*snapshots)])
    scores = model.evaluate(validation_data, verbose=0, return_dict=True)
    loss = float(scores["loss"])
    kept = state["best"] is not None and loss < state["best"]
    averaged = {"epochs": len(paths), "val_loss": round(loss, 4), "kept": kept,
                **{f"val_{k}": round(float(v), 4) for k, v in scores.items() if k != "loss"}}
    log(f"mean of the last {len(paths)} epochs' weights: val_loss {loss:.4f} "
        f"({'kept' if kept else 'best single epoch kept'}; best epoch {state['best']:.4f})")
    if not kept:
        model.set_weights(best)
    state["averaged"] = averaged
    return averaged
