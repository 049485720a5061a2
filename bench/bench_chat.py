"""Chat reply latency: the shipped decoding (the checkpoint's: MMI reranking, the word guard), also
streamed as the app shows it, against the plain beam search of the same width (length penalty,
patience 4) on the same checkpoint, in the same run.

    python bench/bench_chat.py                       # checkpoints/chat.npz
    python bench/bench_chat.py --checkpoint runs/chat-ctx40-prior/model.npz --repeats 5

Each decoding answers the same everyday messages one after the other, each as a conversation's first
message, NumPy's BLAS on one thread (as the app and `seqbot chat` run); it prints the median over
--repeats passes of the mean milliseconds per reply, and the ratio of the two.
"""

from __future__ import annotations

import argparse
import statistics
import time

from seqbot.contract.decoding import DecodingConfig
from seqbot.engine.chat import ALPHA, PATIENCE, Chatbot
from seqbot.engine.seq2seq import limit_blas_threads

MESSAGES = ["Hi guys!", "I passed my exam!", "Who finished the milk?", "It's so cold today.",
            "Congratulations on the baby!", "Hello!", "How are you?", "What is your name?", "I love you.",
            "Where are you going?", "Do you want some coffee?", "Good night!"]


def ms_per_reply(bot: Chatbot, repeats: int, streamed: bool = False) -> float:
    """Median over `repeats` passes of the mean milliseconds per reply; `streamed`: through
    stream_reply, as the app shows a reply while the search runs."""
    answer = (lambda message: list(bot.stream_reply(message))) if streamed else bot.reply  # noqa: E731
    answer(MESSAGES[0])  # warm-up
    passes = []
    for _ in range(repeats):
        forget = getattr(bot.reply_prior, "forget", None)
        if forget:
            forget()  # the model's own p(reply) remembers replies: every pass pays for them again
        started = time.perf_counter()
        for message in MESSAGES:
            answer(message)
        passes.append((time.perf_counter() - started) * 1000 / len(MESSAGES))
    return statistics.median(passes)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--checkpoint", help="chat artifact (default checkpoints/chat.npz)")
    parser.add_argument("--repeats", type=int, default=3)
    args = parser.parse_args()
    limit_blas_threads(1)
    shipped = Chatbot.load(args.checkpoint)
    plain = Chatbot.load(args.checkpoint, decoding=DecodingConfig.from_dict(
        shipped.decoding.to_dict(), rerank="length", mmi_lambda=0.0, mmi_gamma=0.0, known_words=False,
        alpha=ALPHA, patience=PATIENCE))
    baseline = ms_per_reply(plain, args.repeats)
    measured = ms_per_reply(shipped, args.repeats)
    streamed = ms_per_reply(shipped, args.repeats, streamed=True)
    d = shipped.decoding
    print(f"{len(MESSAGES)} messages, median of {args.repeats} passes, one BLAS thread")
    print(f"plain beam search (beam {plain.decoding.beam}, patience {plain.decoding.patience}): {baseline:6.1f} ms per reply")
    bidi = f", backward x {d.mmi_backward}" if d.mmi_backward else ""
    prior = f" ({d.mmi_prior} p(reply){bidi})" if d.rerank == "mmi" else ""
    print(f"shipped decoding (beam {d.beam}, patience {d.patience}, rerank {d.rerank}{prior}, known words "
          f"{'on' if d.known_words else 'off'}): {measured:6.1f} ms per reply")
    print(f"... streamed as the app shows it (stream_reply): {streamed:6.1f} ms per reply")
    print(f"ratio shipped / plain: {measured / baseline:.2f}; streamed / plain: {streamed / baseline:.2f}")


if __name__ == "__main__":
    main()
