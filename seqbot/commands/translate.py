"""Translate English to French with the character-level seq2seq model (NumPy, no TensorFlow).

    seqbot translate "I love this movie." "Hello."     each argument is one sentence, one line out each
    seqbot translate --beam 1 "Where is the station?"  greedy instead of the checkpoint's beam search
    seqbot translate < english.txt > french.txt        each input line -> one output line, in order
    seqbot translate --json "Where is the station?"    one JSON object per line: text, confidence, words
    seqbot translate --json --alternatives 4 "Hello."  ... and the 4 best distinct translations with theirs

A blank input line gives a blank output line. A line with no Latin letter (Korean, emoji or symbols
only) is not translated: a blank output line, and a one-line notice on standard error saying why
(seqbot.engine.translator.untranslatable). Other notices (characters the model never saw, which are
skipped; input cut at the model's maximum length) go to standard error too.

--json writes one object per input line instead: {"text", "confidence" (the calibrated probability that
the translation is good, null without a calibrator or translation), "words": [[word, score], ...] (each
French word's score: the lowest probability of its characters, seqbot.engine.confidence), "unknown_characters",
"truncated", "not_translated"}; with --alternatives K, "alternatives": the K best distinct translations,
best first, each {"text", "confidence", "score", "words"} (score: the beam's length-normalised
log-probability). The translation and its alternatives come from one beam search of width
max(--beam, K), so the first of them is "text" itself.
"""

from __future__ import annotations

import sys
from itertools import islice

LINES_PER_BATCH = 64  # stdin lines translated together when stdin is not a terminal
# In a log (stderr not a terminal), a progress line at most this often; on a terminal one line is rewritten.
PROGRESS_EVERY_SECONDS = 10.0


def add_arguments(parser) -> None:
    parser.add_argument("text", nargs="*", help="sentences to translate (default: each line of standard input)")
    parser.add_argument("--checkpoint", help="translator artifact (default checkpoints/translator.npz)")
    parser.add_argument("--beam", type=int, metavar="K",
                        help="beam width; 1 = greedy (default: the checkpoint's decoding settings, beam 4)")
    parser.add_argument("--json", action="store_true",
                        help="one JSON object per line: text, confidence and per-word scores")
    parser.add_argument("--alternatives", type=int, metavar="K",
                        help="with --json: the K best distinct translations (1-16), with their confidence")


def run(args) -> int:
    from seqbot.commands.lines import argument_texts, input_texts
    from seqbot.engine.decoding import check_beam
    from seqbot.engine.translator import Translator
    from seqbot.errors import SeqbotError

    if args.beam is not None:
        check_beam(args.beam)
    if args.alternatives is not None:
        if not args.json:
            raise SeqbotError("--alternatives goes with --json (the plain output is one translation per line)")
        check_beam(args.alternatives)
    translator = Translator.load(args.checkpoint)
    write = _json_writer(args.alternatives) if args.json else None
    beam = (args.beam, args.alternatives)
    if args.text:
        _translate_lines(translator, argument_texts(args.text), beam, first_number=1, label="argument", write=write)
        return 0
    lines = iter(input_texts([], hint="type English sentences to translate"))
    batch = 1 if sys.stdin.isatty() else LINES_PER_BATCH  # at a terminal, answer each line at once
    number = 1
    while chunk := list(islice(lines, batch)):
        _translate_lines(translator, chunk, beam, first_number=number, label="line", write=write)
        number += len(chunk)
    return 0


def _json_writer(alternatives: int | None):
    """write(result): one JSON line for `result`, with its alternatives (from its own search) when asked for."""
    import json

    def write(result) -> None:
        record = translation_record(result)
        record |= {"unknown_characters": list(result.unknown_chars), "truncated": result.truncated,
                   "not_translated": result.not_translated}
        if alternatives:
            found = result.alternatives or []
            record["alternatives"] = [translation_record(other) | {"score": round(other.score, 4)} for other in found]
        sys.stdout.write(json.dumps(record, ensure_ascii=False) + "\n")

    return write


def translation_record(result) -> dict:
    """text, confidence and [word, score] pairs of a Translation, rounded for people."""
    return {"text": result.text, "confidence": None if result.confidence is None else round(result.confidence, 4),
            "words": [[word.word, round(word.score, 4)] for word in result.words]}


def _translate_lines(translator, texts: list[str], beam: tuple[int | None, int | None], first_number: int, label: str,
                     write=None) -> None:
    """Each text's translation on stdout (one line each, or one JSON object with `write`), notices on stderr.
    `beam`: (--beam, --alternatives)."""
    results = _translate_batch(translator, texts, beam, first_number, label)
    for number, (text, result) in enumerate(zip(texts, results), start=first_number):
        if result.not_translated:
            print(f"seqbot: {label} {number}: {result.not_translated}", file=sys.stderr)
        if result.unknown_chars:
            shown = " ".join(repr(char) for char in result.unknown_chars)
            print(f"seqbot: {label} {number}: skipped characters the model never saw: {shown}", file=sys.stderr)
        if result.truncated:
            print(f"seqbot: {label} {number}: input cut to the model's {translator.max_source_length} characters: "
                  f"{result.source!r}", file=sys.stderr)
        if write is not None:
            write(result)
        else:
            sys.stdout.write(result.text + "\n")
    sys.stdout.flush()


def _translate_batch(translator, texts: list[str], beam: tuple[int | None, int | None], first_number: int,
                     label: str) -> list:
    """translator.translate_batch(texts) (with `beam` = (width, alternatives)), saying on stderr how far it is when the texts hold more
    sentences than one batch decodes (a 20,000-character line with beam 4 ran for 48 s in silence)."""
    from seqbot.commands.progress import Progress
    from seqbot.engine.translator import BATCH_SIZE

    width, alternatives = beam
    sentences = sum(len(translator.segments(text)) for text in texts)
    if sentences <= BATCH_SIZE:
        return translator.translate_batch(texts, beam=width, alternatives=alternatives)
    last = first_number + len(texts) - 1
    where = f"{label} {first_number}" if last == first_number else f"{label}s {first_number}-{last}"
    progress = Progress(f"{where}: sentences translated", sentences, every_seconds=PROGRESS_EVERY_SECONDS)

    def batch_done(done: int, total: int) -> None:
        progress.total = total  # the sentences the decoder reads (blank ones are not decoded)
        progress.update(done)

    results = translator.translate_batch(texts, beam=width, on_batch=batch_done, alternatives=alternatives)
    progress.finish()
    return results
