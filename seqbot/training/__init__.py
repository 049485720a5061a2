"""Training with Keras 3 / TensorFlow. Only this package and `seqbot.models` import TensorFlow.

Training writes artifacts and never imports the engine: what both sides must agree on (special ids,
text normalisation, DecodingConfig, artifact keys) is `seqbot.contract`, and what runs a trained
artifact through the engine (calibration, scores, reranking) is `seqbot.evaluation`.
"""
