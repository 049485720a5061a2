"""The translator's speed targets, for the shipped translator and the previous one in the same run.

    python bench/bench_translator_targets.py                       # checkpoints/translator.npz vs translator-gru512.npz
    python bench/bench_translator_targets.py --skip-process --skip-memory
    python bench/bench_translator_targets.py --blocks-only         # plain vs blocked products only

Prints, for each checkpoint:
- greedy and beam-4 latency of one 40-character sentence (engine, one process; median of --repeats);
- batched beam-4 throughput (sentences/s) over --sentences sentences of everyday length;
- `seqbot translate "..."` as a whole process (median wall time of 3 runs);
- peak memory (max RSS) of `seqbot translate` on one 1 MB input line (greedy, stdin);
and the ratio of each figure against the previous translator, since this machine is shared and
absolute times move with its load. Targets (issue 12): greedy <= 15 ms, beam 4 >= 150 sentences/s,
whole process <= 400 ms, 1 MB line <= 500 MB.

Then, for each checkpoint, the engine's products plain (Seq2SeqModel block_columns=0, before issue 19
item 7) against blocked (layers.BlockedMatrix, each width of --block-columns; the engine's default is
marked): greedy, beam 4 and beam 8 on the one 40-character sentence (ms per sentence, one BLAS
thread), the ratio to plain, and whether every output is the same text as plain.
"""

from __future__ import annotations

import argparse
import resource
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from seqbot.artifact import load_artifact
from seqbot.engine.layers import BLOCK_COLUMNS
from seqbot.engine.seq2seq import KIND, Seq2SeqModel
from seqbot.engine.translator import Translator
from seqbot.paths import default_checkpoint

SENTENCE = "Do you know where I can buy a good book?"  # 40 characters
SENTENCES = [
    "I love this movie.", "Where is the station?", "He is reading a book in the garden.", "We're late.",
    "Could you tell me where the station is?", "She doesn't like coffee.", "It's raining again today.",
    "Thank you very much for your help.", "I don't know what you mean.", "Tom lives in a small town near Boston.",
]


def sentence_ms(translator: Translator, repeats: int, beam: int) -> float:
    """Median time of translating the one 40-character sentence (what a person types)."""
    translator.translate(SENTENCE, beam=beam)
    times = []
    for _ in range(repeats):
        started = time.perf_counter()
        translator.translate(SENTENCE, beam=beam, attention=False)
        times.append(1000 * (time.perf_counter() - started))
    return statistics.median(times)


def blocked_against_plain(path: Path, repeats: int, widths: list[int]) -> None:
    """Greedy, beam 4 and beam 8 latency with plain products and with each block width (see the docstring)."""
    translator = Translator.load(path)
    artifact = load_artifact(path, kind=KIND)
    timed = {}
    for columns in [0] + widths:
        translator.model = Seq2SeqModel.from_artifact(artifact, block_columns=columns)
        label = "plain" if columns == 0 else f"blocks of {columns}" + (" (default)" if columns == BLOCK_COLUMNS else "")
        texts = [translator.translate_batch(SENTENCES, beam=beam) for beam in (1, 4, 8)]
        timed[label] = ([sentence_ms(translator, repeats, beam) for beam in (1, 4, 8)],
                        [[result.text for result in batch] for batch in texts])
    print(f"products, {path.name}: ms per sentence (one 40-character sentence, median of {repeats})")
    print(f"  {'':<26} {'greedy':>8} {'beam 4':>8} {'beam 8':>8}   {'ratio to plain (g / 4 / 8)':<28} same text")
    plain_ms, plain_texts = timed["plain"]
    for label, (times, texts) in timed.items():
        ratios = " / ".join(f"{time_ms / base:.2f}" for time_ms, base in zip(times, plain_ms))
        print(f"  {label:<26} {times[0]:8.1f} {times[1]:8.1f} {times[2]:8.1f}   {ratios:<28} "
              f"{'yes' if texts == plain_texts else 'NO'}")


def beam_throughput(translator: Translator, count: int) -> float:
    texts = (SENTENCES * (count // len(SENTENCES) + 1))[:count]
    started = time.perf_counter()
    translator.translate_batch(texts, beam=4)
    return count / (time.perf_counter() - started)


def process_ms(checkpoint: Path) -> float:
    times = []
    for _ in range(3):
        started = time.perf_counter()
        subprocess.run([sys.executable, "-m", "seqbot", "translate", "--checkpoint", str(checkpoint), SENTENCE],
                       check=True, capture_output=True)
        times.append(1000 * (time.perf_counter() - started))
    return statistics.median(times)


def megabyte_line_peak_mb(checkpoint: Path) -> tuple[float, float]:
    """(peak RSS in MB, seconds) of translating one 1 MB line of everyday sentences, greedy."""
    line = " ".join(SENTENCES * (1_000_000 // len(" ".join(SENTENCES)) + 1))[:1_000_000]
    with tempfile.NamedTemporaryFile("w", suffix=".txt", delete=False) as handle:
        handle.write(line + "\n")
    code = ("import resource, subprocess, sys, time; started = time.perf_counter(); "
            f"subprocess.run([sys.executable, '-m', 'seqbot', 'translate', '--beam', '1', '--checkpoint', {str(checkpoint)!r}],"
            f" stdin=open({handle.name!r}), stdout=subprocess.DEVNULL, check=True); "
            "print(resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024, time.perf_counter() - started)")
    output = subprocess.run([sys.executable, "-c", code], check=True, capture_output=True, text=True).stdout.split()
    Path(handle.name).unlink()
    return float(output[0]), float(output[1])


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--checkpoint", type=Path, default=default_checkpoint("translator"))
    parser.add_argument("--baseline", type=Path, default=default_checkpoint("translator").with_name("translator-gru512.npz"))
    parser.add_argument("--repeats", type=int, default=20)
    parser.add_argument("--sentences", type=int, default=300)
    parser.add_argument("--skip-process", action="store_true")
    parser.add_argument("--skip-memory", action="store_true")
    parser.add_argument("--block-columns", default="64,128,256,384",
                        help="block widths to time against the plain products (comma-separated)")
    parser.add_argument("--blocks-only", action="store_true", help="only the plain vs blocked products table")
    args = parser.parse_args()
    widths = [int(width) for width in args.block_columns.split(",") if width.strip()]
    if args.blocks_only:
        for path in (args.baseline, args.checkpoint):
            blocked_against_plain(path, args.repeats, widths)
        return
    rows = {}
    for name, path in (("baseline", args.baseline), ("checkpoint", args.checkpoint)):
        translator = Translator.load(path)
        row = {"greedy ms (40 chars)": sentence_ms(translator, args.repeats, beam=1),
               "beam 4 ms (40 chars)": sentence_ms(translator, args.repeats, beam=4),
               "beam 4 sentences/s": beam_throughput(translator, args.sentences)}
        if not args.skip_process:
            row["seqbot translate ms"] = process_ms(path)
        if not args.skip_memory:
            row["1 MB line peak MB"], row["1 MB line s"] = megabyte_line_peak_mb(path)
        rows[name] = row
        print(f"{name}: {path}")
        for key, value in row.items():
            print(f"  {key:<24} {value:10.1f}")
    print("ratio checkpoint / baseline")
    for key in rows["checkpoint"]:
        print(f"  {key:<24} {rows['checkpoint'][key] / rows['baseline'][key]:10.2f}")
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    print(f"(this bench process peaked at {peak:.0f} MB)")
    for path in (args.baseline, args.checkpoint):
        blocked_against_plain(path, args.repeats, widths)


if __name__ == "__main__":
    main()
