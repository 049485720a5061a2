"""The one place seqbot reaches into private Keras code, pinned to the Keras version it was checked on.

Two failures of Keras 3.15's TensorFlow trainer across several workers (MultiWorkerMirroredStrategy)
need a workaround; nothing else in seqbot touches Keras internals:

- the trainer builds the model from the first batch averaged across workers (`strategy.reduce("MEAN",
  batch)`), which fails for integer token batches: `build_from_local_batch` builds it from one local
  batch and turns the trainer's own build into a no-op;
- it averages the logged loss and metrics with `strategy.reduce("MEAN", value, axis=0)`, which fails
  for scalars: `average_scalars_across_workers` averages them with axis=None (every worker then sees
  the same values, so early stopping and halving decide alike).

    from seqbot.training.keras_patches import patch_multiworker_fit
    patch_multiworker_fit(model, first_batch)       # only with two or more workers

`tests/test_keras_patches.py` fails as soon as the installed Keras is not KERAS_VERSION or the private
names used here are gone: re-check both failures on the new version (tests/test_training_distributed.py
trains two workers), then move the pin.
"""

from __future__ import annotations

from seqbot.errors import SeqbotError

KERAS_VERSION = "3.15.1"  # the version these workarounds were written and tested against
# the private names they use: (module, attribute)
PRIVATE_NAMES = (
    ("keras.src.backend.tensorflow.trainer", "reduce_per_replica"),
    ("keras.src.backend.tensorflow.trainer", "_collective_all_reduce_multi_worker"),
    ("keras.src.trainers.trainer", "Trainer._symbolic_build"),
    ("keras.src.backend.tensorflow.trainer", "TensorFlowTrainer._maybe_symbolic_build"),
)


def missing_private_names() -> list[str]:
    """The private Keras names this module needs that the installed Keras lacks."""
    import importlib

    missing = []
    for module_name, path in PRIVATE_NAMES:
        try:
            target = importlib.import_module(module_name)
        except ImportError:
            missing.append(f"{module_name}.{path}")
            continue
        for part in path.split("."):
            target = getattr(target, part, None)
        if target is None:
            missing.append(f"{module_name}.{path}")
    return missing


def check_keras_version() -> None:
    """SeqbotError unless the installed Keras is the pinned one with every private name present."""
    import keras

    missing = missing_private_names()
    if keras.__version__ != KERAS_VERSION or missing:
        raise SeqbotError(f"multi-worker training patches Keras {KERAS_VERSION} internals, but Keras {keras.__version__} "
                          f"is installed{' (missing: ' + ', '.join(missing) + ')' if missing else ''}; re-check "
                          f"seqbot/training/keras_patches.py against it")


def patch_multiworker_fit(model, first_batch) -> None:
    """Both workarounds, for a model compiled under a MultiWorkerMirroredStrategy with 2+ workers."""
    check_keras_version()
    build_from_local_batch(model, first_batch)
    average_scalars_across_workers()


def build_from_local_batch(model, batch) -> None:
    strategy = model._distribute_strategy
    with strategy.scope():
        model._symbolic_build(data_batch=batch)
    model._maybe_symbolic_build = lambda iterator=None, data_batch=None: None


def average_scalars_across_workers() -> None:
    from keras import tree
    from keras.src.backend.tensorflow import trainer

    if getattr(trainer.reduce_per_replica, "seqbot", False):
        return
    original = trainer.reduce_per_replica

    def reduce_per_replica(values, strategy, reduction):
        if reduction in ("auto", "mean") and trainer._collective_all_reduce_multi_worker(strategy):
            return tree.map_structure(lambda value: strategy.reduce("MEAN", value, axis=None), values)
        return original(values, strategy, reduction)

    reduce_per_replica.seqbot = True
    trainer.reduce_per_replica = reduce_per_replica
