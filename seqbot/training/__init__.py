"""Training with Keras 3 / TensorFlow. Only this package and `seqbot.models` import TensorFlow."""
