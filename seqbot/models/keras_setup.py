"""Import Keras 3 and TensorFlow the way seqbot needs them (quiet, no oneDNN, bounded threads).

    keras = import_keras()                      # any backend KERAS_BACKEND names
    tf = import_tensorflow(threads=2)
    dataset = dataset.with_options(dataset_options())

Model builders (seqbot.models) and trainers (seqbot.training) both import from here; models never
imports training.
"""

from __future__ import annotations

import os


def import_tensorflow(threads: int | None = None, onednn: bool = False):
    """Import TensorFlow quietly. oneDNN stays off unless `onednn` (training asks for it: 1.3x in
    float32 here and what makes bfloat16 pay), since it changes numerics in the last digits and slows
    start-up. Only the first import in a process decides."""
    os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")
    os.environ.setdefault("TF_ENABLE_ONEDNN_OPTS", "1" if onednn else "0")
    import tensorflow as tf

    if threads:
        try:
            tf.config.threading.set_intra_op_parallelism_threads(threads)
            tf.config.threading.set_inter_op_parallelism_threads(threads)
        except RuntimeError:
            pass  # already initialised in this process
    return tf


def import_keras():
    """Import Keras 3 for model building under whichever backend KERAS_BACKEND names.

    TensorFlow (the default) is set up as above first; other backends (JAX on a GPU machine,
    see tools/gpu_train.py) build the same models without TensorFlow installed.
    """
    if os.environ.get("KERAS_BACKEND", "tensorflow") == "tensorflow":
        import_tensorflow()
    import keras

    return keras


def dataset_options():
    """Options for every `tf.data` pipeline fed to `fit`: autotune off, it can stall for seconds here."""
    tf = import_tensorflow()
    options = tf.data.Options()
    options.autotune.enabled = False
    return options
