"""TensorFlow-free inference: NumPy implementations of the Keras layers seqbot trains.

Nothing under `seqbot.engine` may import TensorFlow; `tests/test_no_tensorflow.py`
checks it.
"""
