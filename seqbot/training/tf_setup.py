"""Re-export of seqbot.models.keras_setup (where Keras set-up lives now), for older imports."""

from seqbot.models.keras_setup import dataset_options, import_keras, import_tensorflow

__all__ = ["dataset_options", "import_keras", "import_tensorflow"]
