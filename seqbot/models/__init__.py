"""Keras 3 model builders (functional API). Imports TensorFlow; the engine never imports this."""
