"""seqbot: a terminal chat that translates English to French, character by character,
and shows what the RNN lecture's classifiers make of each message.

Layers depend one way only:
    data -> models/training -> exported artifact -> engine -> app / CLI
The engine, the app and the `translate` / `classify` commands never import TensorFlow.
"""

__version__ = "0.1.0"
