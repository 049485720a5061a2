"""Translator latency and throughput: the NumPy engine against Keras step models with the same weights.

Single-sentence greedy decoding of a 40-character sentence, three ways, in the same run:
- engine: `Translator.translate` (NumPy, seqbot.engine);
- keras-io loop: `decoder_model.predict` once per output character, as the keras-io lstm_seq2seq example does;
- tf.function loop: the same Keras step model wrapped in `tf.function`, one call per character.
The Keras encoder/decoder step models are built here from the checkpoint's weights (same layout as
docs/architecture.md), and the bench checks all three produce the same characters before timing.
Then batched greedy throughput (sentences/s) of the engine against its own one-at-a-time rate.

    python bench/bench_translate.py                                   # checkpoints/translator.npz
    python bench/bench_translate.py --random --units 256 --attention bahdanau   # random weights, realistic size

With --random (or no checkpoint) the weights are random: decoding then always runs to --output-length
characters, which makes the three ways do identical work. TensorFlow runs on --tf-threads threads and
NumPy's BLAS on one, so the comparison is per core.
"""

from __future__ import annotations

import argparse
import os
import statistics
import string
import time
from pathlib import Path

import numpy as np

from seqbot.artifact import load_artifact
from seqbot.contract.tokens import END, START
from seqbot.engine import decoding
from seqbot.engine.seq2seq import KIND, random_artifact
from seqbot.engine.translator import Translator
from seqbot.paths import default_checkpoint

SENTENCE = "Do you know where I can buy a good book?"  # 40 characters
BATCH_SENTENCES = [
    "I love this movie.", "Where is the station?", "He is reading a book in the garden.", "We're late.",
    "Could you tell me where the station is?", "She doesn't like coffee.", "It's raining again today.",
    "Thank you very much for your help.", "I don't know what you mean.", "Tom lives in a small town near Boston.",
]


def random_translator_artifact(args):
    english = string.ascii_letters + string.digits + " .,!?'-:;\"()%$&"
    french = english + "éèàçêâîôûùëïœÉÀÇÊ«»\u202f\u00a0’"
    return random_artifact(source_chars=english, target_chars=french, cell=args.cell, attention=args.attention,
                           units=args.units, embedding_dim=args.embedding_dim, attention_units=args.units,
                           max_source_length=80, max_target_length=args.output_length, end_bias=-100.0, seed=0)


def build_keras_step_models(artifact, keras):
    """Keras encoder and one-step decoder models holding the artifact's weights (the keras-io inference split)."""
    from keras import layers, ops

    config, w = artifact.config, artifact.weights
    units, embedding_dim, attention = config["units"], config["embedding_dim"], config["attention"]
    rnn_class = layers.LSTM if config["cell"] == "lstm" else layers.GRU
    state_count = 2 if config["cell"] == "lstm" else 1

    source = keras.Input((None,), dtype="int32")
    source_embedding = layers.Embedding(len(config["source_vocab"]), embedding_dim, mask_zero=True)
    encoder_rnn = rnn_class(units, return_sequences=True, return_state=True)
    memory, *encoder_state = encoder_rnn(source_embedding(source))
    encoder_outputs = [memory]
    key_layer = query_layer = v_layer = None
    if attention == "bahdanau":
        key_layer = layers.Dense(config["attention_units"])
        encoder_outputs.append(key_layer(memory))
    encoder = keras.Model(source, encoder_outputs + encoder_state)

    token = keras.Input((1,), dtype="int32")
    state_inputs = [keras.Input((units,)) for _ in range(state_count)]
    memory_input = keras.Input((None, units))
    keys_input = keras.Input((None, config.get("attention_units", units)))
    mask_input = keras.Input((None,))
    target_embedding = layers.Embedding(len(config["target_vocab"]), embedding_dim)
    decoder_rnn = rnn_class(units, return_state=True)
    output, *decoder_state = decoder_rnn(target_embedding(token), initial_state=state_inputs)
    inputs = [token] + state_inputs
    outputs = []
    if attention != "none":
        if attention == "dot":
            scores = ops.squeeze(ops.matmul(memory_input, ops.expand_dims(output, -1)), -1)
        else:
            query_layer = layers.Dense(config["attention_units"], use_bias=False)
            v_layer = layers.Dense(1, use_bias=False)
            energy = ops.tanh(keys_input + ops.expand_dims(query_layer(output), 1))
            scores = ops.squeeze(v_layer(energy), -1)
        weights = ops.softmax(scores - 1e9 * (1.0 - mask_input), axis=-1)
        context = ops.squeeze(ops.matmul(ops.expand_dims(weights, 1), memory_input), 1)
        combine = layers.Dense(units, activation="tanh")
        output = combine(ops.concatenate([output, context], axis=-1))
        inputs += [memory_input] + ([keys_input] if attention == "bahdanau" else []) + [mask_input]
        outputs.append(weights)
    output_layer = layers.Dense(len(config["target_vocab"]), activation="softmax")
    decoder = keras.Model(inputs, [output_layer(output)] + outputs + decoder_state)

    source_embedding.set_weights([w["source_embedding"]])
    encoder_rnn.set_weights([w["encoder/kernel"], w["encoder/recurrent_kernel"], w["encoder/bias"]])
    target_embedding.set_weights([w["target_embedding"]])
    decoder_rnn.set_weights([w["decoder/kernel"], w["decoder/recurrent_kernel"], w["decoder/bias"]])
    if attention == "bahdanau":
        key_layer.set_weights([w["attention/key_kernel"], w["attention/key_bias"]])
        query_layer.set_weights([w["attention/query_kernel"]])
        v_layer.set_weights([w["attention/v"][:, None]])
    if attention != "none":
        combine.set_weights([w["combine/kernel"], w["combine/bias"]])
    output_layer.set_weights([w["output/kernel"], w["output/bias"]])
    return encoder, decoder


class KerasGreedy:
    """Greedy decoding with the Keras step models: `predict` per character, or a tf.function step."""

    def __init__(self, artifact, tf, keras, use_predict: bool):
        self.config = artifact.config
        self.encoder, self.decoder = build_keras_step_models(artifact, keras)
        self.use_predict = use_predict
        if not use_predict:
            self.encode_fn = tf.function(lambda source: self.encoder(source, training=False), reduce_retracing=True)
            self.step_fn = tf.function(lambda inputs: self.decoder(inputs, training=False), reduce_retracing=True)
        self.attention = self.config["attention"]
        self.state_count = 2 if self.config["cell"] == "lstm" else 1

    def __call__(self, source_ids: np.ndarray, max_length: int, forced: list[int] | None = None):
        """Greedy tokens; with `forced`, feed those tokens instead and return each step's probabilities."""
        source = source_ids[None, :].astype(np.int32)
        if self.use_predict:
            encoded = self.encoder.predict(source, verbose=0)
        else:
            encoded = [t.numpy() for t in self.encode_fn(source)]
        encoded = encoded if isinstance(encoded, list) else [encoded]
        memory = encoded[0]
        keys = encoded[1] if self.attention == "bahdanau" else None
        state = encoded[-self.state_count:]
        mask = (source != 0).astype(np.float32)
        token, tokens, step_probs = START, [], []
        for step in range(max_length if forced is None else len(forced)):
            inputs = [np.array([[token]], dtype=np.int32)] + list(state)
            if self.attention != "none":
                inputs += [memory] + ([keys] if keys is not None else []) + [mask]
            if self.use_predict:
                outputs = self.decoder.predict(inputs, verbose=0)  # the keras-io example's inner loop
            else:
                outputs = [t.numpy() for t in self.step_fn(inputs)]
            probs = outputs[0][0].copy()
            state = outputs[-self.state_count:]
            if forced is not None:
                step_probs.append(probs)
                token = forced[step]
                continue
            probs[decoding.NEVER_EMITTED] = -1.0
            token = int(probs.argmax())
            if token == END:
                break
            tokens.append(token)
        return tokens if forced is None else np.array(step_probs)


def timed(function, runs: int) -> list[float]:
    times = []
    for _ in range(runs):
        start = time.perf_counter()
        function()
        times.append(time.perf_counter() - start)
    return times


def describe(name: str, times: list[float]) -> str:
    return f"{name:<22} median {1000 * statistics.median(times):9.2f} ms   min {1000 * min(times):9.2f} ms   ({len(times)} runs)"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--checkpoint", help="translator artifact (default checkpoints/translator.npz)")
    parser.add_argument("--random", action="store_true", help="random weights of the size below instead of a checkpoint")
    parser.add_argument("--cell", default="lstm", choices=["lstm", "gru"])
    parser.add_argument("--attention", default="bahdanau", choices=["none", "dot", "bahdanau"])
    parser.add_argument("--units", type=int, default=256)
    parser.add_argument("--embedding-dim", type=int, default=64)
    parser.add_argument("--output-length", type=int, default=45, help="characters decoded with random weights")
    parser.add_argument("--runs", type=int, default=30, help="engine runs (and tf.function runs)")
    parser.add_argument("--predict-runs", type=int, default=3, help="runs of the slow predict loop")
    parser.add_argument("--batch", type=int, default=512, help="sentences for the throughput test")
    parser.add_argument("--tf-threads", type=int, default=1)
    args = parser.parse_args()

    path = Path(args.checkpoint) if args.checkpoint else default_checkpoint("translator")
    if args.random or not path.exists():
        artifact, origin = random_translator_artifact(args), "random weights"
    else:
        artifact, origin = load_artifact(path, kind=KIND), str(path)
    config = artifact.config
    if config.get("bidirectional") or config.get("encoder_layers", 1) > 1 or config.get("decoder_layers", 1) > 1:
        raise SystemExit(f"{origin}: this bench rebuilds Keras step models of one-layer, one-direction translators only; "
                         "pass --checkpoint checkpoints/translator-gru512.npz or --random, or run "
                         "bench/bench_translator_targets.py for the shipped translator's speed")
    translator = Translator(artifact)
    prepared = translator.prepare(SENTENCE)
    max_length = translator.model.max_target_length
    print(f"model: {origin}: {config['cell']}, attention {config['attention']}, {config['units']} units, "
          f"embedding {config['embedding_dim']}, vocab {len(config['source_vocab'])}/{len(config['target_vocab'])}")
    print(f"sentence ({len(SENTENCE)} characters): {SENTENCE!r}; load average {os.getloadavg()[0]:.1f} on {os.cpu_count()} CPUs")

    result = translator.translate(SENTENCE)
    engine_tokens = list(decoding.decode(translator.model, prepared.ids[None, :], decoding.DecodingConfig(beam=1))[0].tokens)
    print(f"engine output ({len(result.text)} characters): {result.text!r}")
    engine_times = timed(lambda: translator.translate(SENTENCE), args.runs)

    from seqbot.models.keras_setup import import_tensorflow

    tf = import_tensorflow(threads=args.tf_threads)
    import keras

    function_loop = KerasGreedy(artifact, tf, keras, use_predict=False)
    predict_loop = KerasGreedy(artifact, tf, keras, use_predict=True)
    same = {}
    for name, loop in (("tf.function loop", function_loop), ("keras-io predict loop", predict_loop)):
        same[name] = loop(prepared.ids, max_length) == engine_tokens  # also warms up (traces) each loop
    # Probabilities along the engine's output, Keras vs engine: the same math on the same weights.
    engine_probs, state = [], translator.model.encode(prepared.ids[None, :])
    for token in [START] + engine_tokens[:-1]:
        log_probs, state, _ = translator.model.step(np.array([token]), state)
        engine_probs.append(np.exp(log_probs[0]))
    keras_probs = function_loop(prepared.ids, max_length, forced=engine_tokens)
    difference = float(np.abs(np.array(engine_probs) - keras_probs).max())
    function_times = timed(lambda: function_loop(prepared.ids, max_length), args.runs)
    predict_times = timed(lambda: predict_loop(prepared.ids, max_length), args.predict_runs)

    print(f"largest probability difference, engine vs Keras, over {len(engine_tokens)} steps: {difference:.2e}")
    print("\nsingle sentence, greedy:")
    print(describe("engine (NumPy)", engine_times))
    print(describe("tf.function loop", function_times) + f"   same output: {same['tf.function loop']}")
    print(describe("keras-io predict loop", predict_times) + f"   same output: {same['keras-io predict loop']}")
    engine_ms = 1000 * statistics.median(engine_times)
    print(f"engine vs predict loop: {statistics.median(predict_times) / statistics.median(engine_times):.0f}x faster; "
          f"vs tf.function loop: {statistics.median(function_times) / statistics.median(engine_times):.1f}x faster; "
          f"engine {engine_ms:.2f} ms ({'meets' if engine_ms <= 5 else 'misses'} the 5 ms target)")

    sentences = [BATCH_SENTENCES[i % len(BATCH_SENTENCES)] for i in range(args.batch)]
    one_by_one = sentences[: max(20, args.batch // 16)]
    single_times = timed(lambda: [translator.translate(s) for s in one_by_one], 1)
    batch_times = timed(lambda: translator.translate_batch(sentences), 2)
    single_rate = len(one_by_one) / min(single_times)
    batch_rate = len(sentences) / min(batch_times)
    print(f"\nthroughput, greedy: batched ({args.batch} sentences) {batch_rate:,.0f} sentences/s; "
          f"one at a time {single_rate:,.0f} sentences/s; batching {batch_rate / single_rate:.1f}x")


if __name__ == "__main__":
    main()
