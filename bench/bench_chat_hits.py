"""How far hits@1 of 10 goes when every score the shipped chat model can give a (message, reply)
pair is combined, and a response selector is trained on top of its two encoders (issue 23).

    python bench/bench_chat_hits.py                  # checkpoints/chat.npz, seeds 1-3 of both parts
    python bench/bench_chat_hits.py --epochs 8 --seeds 1,2

For each part (validation, test) and seed it draws the 200 messages and 9 distractors of `seqbot
eval chat` and scores all 10 candidates by:
  forward   log p(reply | message), the chat model (its previous line as context);
  prior     log p(reply), the model's own mean over the checkpoint's 16 background messages
            (--prior-messages N: over N training messages, as `seqbot eval chat --prior-messages N`);
  backward  log p(message | reply), the backward model the checkpoint carries;
  selector  the cosine of a message vector and a reply vector: two small heads trained here, with
            the other pairs of each batch as negatives (in-batch softmax), on the frozen encoders'
            states (the forward model's over the message, the backward model's over the reply),
            the epoch kept by validation hits@1.
Then it prints hits@1 by each score alone, by the mutual information read both ways (forward -
prior + backward), and by forward - lambda prior + beta backward + w selector, the weights chosen
on the validation part; the best test figure over the same grid is printed too, as an upper
bound that no choice made without the test part reaches.

Needs the training extra (the heads train with Keras) and $SEQBOT_CORPORA. About three minutes on two
cores, longer with --prior-messages.
"""

from __future__ import annotations

import argparse
import itertools
import os

import numpy as np

from seqbot.artifact import load_artifact
from seqbot.engine.chat import Chatbot, background_texts
from seqbot.engine.seq2seq import padded_ids
from seqbot.evaluation import chat_eval
from seqbot.evaluation.chat_eval import first_share
from seqbot.paths import default_checkpoint
from seqbot.training.chat import background_messages

PARTS = ("validation", "test")
LAMBDAS = (0.75, 1.0, 1.25)
BETAS = (0.0, 0.25, 0.5, 0.75, 1.0)
SELECTOR_WEIGHTS = (0, 5, 10, 20, 30, 40, 60)


def encoder_features(model, rows: list[list[int]], batch_size: int = 512) -> np.ndarray:
    """Each row's encoder outputs averaged over its characters, and its final state (h, and c for an LSTM)."""
    features = []
    for start in range(0, len(rows), batch_size):
        ids = padded_ids(rows[start:start + batch_size])
        state = model.encode(ids)
        mask = (ids != 0)[..., None].astype(np.float32)
        mean = (state.memory * mask).sum(axis=1) / np.maximum(mask.sum(axis=1), 1.0)
        final = state.rnn_state[: 2 if model.cell == "lstm" else 1]  # the first decoder layer's start
        features.append(np.concatenate([mean, *final], axis=1).astype(np.float32))
    return np.concatenate(features)


def candidate_sets(parts, seeds):
    """(part, seed) -> (chosen pairs, their distractors), as `seqbot eval chat` draws them."""
    sets = {}
    for part, seed in itertools.product(PARTS, seeds):
        chosen = chat_eval.choose_messages(parts[part], 200, seed)
        sets[part, seed] = chosen, chat_eval.distractor_sets(chosen, parts[part], 9, seed)
    return sets


def train_selector(bot: Chatbot, train: list[tuple[str, str]], sets: dict, contexts: dict, epochs: int, seed: int) -> dict:
    """(part, seed) -> (messages, 10) cosines of the selector heads at their best validation epoch."""
    os.environ.setdefault("KERAS_BACKEND", "tensorflow")
    import keras
    from keras import layers, ops

    keras.utils.set_random_seed(seed)

    def reply_rows(replies):
        return bot.backward.reply_sources([bot.reply_ids(reply) for reply in replies])

    messages = encoder_features(bot.model, bot.source_rows([source for source, _ in train]))
    replies = encoder_features(bot.backward.model, reply_rows([reply for _, reply in train]))
    held = {key: (encoder_features(bot.model, bot.source_rows([bot.fed_text(pair[0], chat_eval.context_of(pair, contexts))
                                                               for pair in chosen])),
                  encoder_features(bot.backward.model, reply_rows(chat_eval.candidates(chosen, distractors))))
            for key, (chosen, distractors) in sets.items()}

    def head(width: int):
        inputs = keras.Input((width,))
        x = layers.LayerNormalization()(inputs)
        x = layers.Dense(512, activation="tanh")(layers.Dropout(0.2)(x))
        x = layers.Dense(256)(layers.Dropout(0.2)(x))
        return keras.Model(inputs, layers.UnitNormalization()(x))

    message_head, reply_head = head(messages.shape[1]), head(replies.shape[1])

    class Selector(keras.Model):
        def __init__(self):
            super().__init__()
            self.message_head, self.reply_head = message_head, reply_head
            self.log_scale = self.add_weight(shape=(), initializer=keras.initializers.Constant(np.log(20.0)))

        def call(self, inputs, training=False):
            a = self.message_head(inputs[0], training=training)
            b = self.reply_head(inputs[1], training=training)
            return ops.matmul(a, ops.transpose(b)) * ops.exp(self.log_scale)

    def in_batch_softmax(_, logits):  # row i's reply is the right one for row i's message, and the other way
        labels = ops.arange(ops.shape(logits)[0])
        return (keras.losses.sparse_categorical_crossentropy(labels, logits, from_logits=True) +
                keras.losses.sparse_categorical_crossentropy(labels, ops.transpose(logits), from_logits=True)) / 2

    def cosines():
        result = {}
        for key, (m, r) in held.items():
            a = message_head.predict(m, verbose=0)
            b = reply_head.predict(r, verbose=0).reshape(len(a), -1, a.shape[1])
            result[key] = np.einsum("nd,nkd->nk", a, b)
        return result

    selector = Selector()
    selector.compile(keras.optimizers.Adam(1e-3), loss=in_batch_softmax)
    rng, batch, best, kept = np.random.default_rng(seed), 256, -1.0, None
    for epoch in range(1, epochs + 1):
        order = rng.permutation(len(messages))[: len(messages) // batch * batch]
        selector.fit([messages[order], replies[order]], np.zeros(len(order)), batch_size=batch, epochs=1,
                     verbose=0, shuffle=False)
        result = cosines()
        validation = np.mean([first_share(s) for (part, _), s in result.items() if part == "validation"])
        print(f"selector epoch {epoch}: validation hits@1 {validation:.3f}", flush=True)
        if validation > best:
            best, kept = validation, result
    return kept


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--checkpoint", help="chat artifact (default checkpoints/chat.npz)")
    parser.add_argument("--corpora", help="default $SEQBOT_CORPORA")
    parser.add_argument("--seeds", default="1,2,3")
    parser.add_argument("--epochs", type=int, default=8, help="selector epochs (the best on validation is kept)")
    parser.add_argument("--prior-messages", type=int,
                        help="average p(reply) over this many training messages (default: the checkpoint's 16)")
    args = parser.parse_args()
    seeds = [int(seed) for seed in args.seeds.split(",")]
    path = args.checkpoint or default_checkpoint("chat")
    artifact = load_artifact(path, kind="seq2seq")
    bot = Chatbot(artifact, path, background=background_texts(artifact.blobs, path))
    if bot.backward is None:
        raise SystemExit(f"{path} carries no backward model (python -m seqbot.evaluation.chat_rerank --backward adds one)")
    data = chat_eval.chat_split(artifact, args.corpora)
    contexts = chat_eval.heldout_contexts(artifact, args.corpora) or {}
    sets = candidate_sets(chat_eval.heldout_parts(artifact, args.corpora, data), seeds)
    background = background_messages(data.train, args.prior_messages) if args.prior_messages else bot.background
    scores = {key: chat_eval.candidate_scores(bot, chosen, distractors, contexts, background)
              for key, (chosen, distractors) in sets.items()}
    selector = train_selector(bot, data.train, sets, contexts, args.epochs, seed=1)

    def combined(key, lam, beta, weight):
        s = scores[key]
        return s["forward"] - lam * s["prior"] + beta * s["backward"] + weight * selector[key]

    def row(name, score_of):
        figures = {part: [first_share(score_of((part, seed))) for seed in seeds] for part in PARTS}
        print(f"{name:52s}" + "  ".join(f"{part} " + " ".join(f"{x:.3f}" for x in figures[part]) +
                                       f" (mean {np.mean(figures[part]):.3f})" for part in PARTS))
        return figures

    print(f"hits@1 of 10, 200 messages per seed, seeds {args.seeds}; p(reply) over {len(background)} messages")
    row("forward: log p(reply | message)", lambda k: scores[k]["forward"])
    row("backward: log p(message | reply)", lambda k: scores[k]["backward"])
    row("selector (cosine)", lambda k: selector[k])
    row("forward - prior", lambda k: combined(k, 1.0, 0.0, 0.0))
    row("forward - prior + backward", lambda k: combined(k, 1.0, 1.0, 0.0))
    grid = list(itertools.product(LAMBDAS, BETAS, SELECTOR_WEIGHTS))
    means = {part: {weights: np.mean([first_share(combined((part, seed), *weights)) for seed in seeds]) for weights in grid}
             for part in PARTS}
    chosen = max(grid, key=lambda weights: means["validation"][weights])
    lam, beta, weight = chosen
    row(f"all, chosen on validation (l {lam}, b {beta}, w {weight})", lambda k: combined(k, *chosen))
    best_test = max(grid, key=lambda weights: means["test"][weights])
    row(f"all, best on test (l {best_test[0]}, b {best_test[1]}, w {best_test[2]})", lambda k: combined(k, *best_test))


if __name__ == "__main__":
    main()
