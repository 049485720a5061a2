"""Translate English to French with the character-level seq2seq model (NumPy, no TensorFlow).

    seqbot translate "I love this movie." "Hello."     each argument is one sentence, one line out each
    seqbot translate --beam 1 "Where is the station?"  greedy instead of the checkpoint's beam search
    seqbot translate < english.txt > french.txt        each input line -> one output line, in order

A blank input line gives a blank output line. A line with no Latin letter (Korean, emoji or symbols
only) is not translated: a blank output line, and a one-line notice on standard error saying why
(seqbot.engine.translator.untranslatable). Other notices (characters the model never saw, which are
skipped; input cut at the model's maximum length) go to standard error too.
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


def run(args) -> int:
    from seqbot.commands.lines import argument_texts, input_texts
    from seqbot.engine.translator import Translator, check_beam

    if args.beam is not None:
        check_beam(args.beam)
    translator = Translator.load(args.checkpoint)
    if args.text:
        _translate_lines(translator, argument_texts(args.text), args.beam, first_number=1, label="argument")
        return 0
    lines = iter(input_texts([], hint="type English sentences to translate"))
    batch = 1 if sys.stdin.isatty() else LINES_PER_BATCH  # at a terminal, answer each line at once
    number = 1
    while chunk := list(islice(lines, batch)):
        _translate_lines(translator, chunk, args.beam, first_number=number, label="line")
        number += len(chunk)
    return 0


def _translate_lines(translator, texts: list[str], beam: int | None, first_number: int, label: str) -> None:
    for number, result in enumerate(_translate_batch(translator, texts, beam, first_number, label), start=first_number):
        if result.not_translated:
            print(f"seqbot: {label} {number}: {result.not_translated}", file=sys.stderr)
        if result.unknown_chars:
            shown = " ".join(repr(char) for char in result.unknown_chars)
            print(f"seqbot: {label} {number}: skipped characters the model never saw: {shown}", file=sys.stderr)
        if result.truncated:
            print(f"seqbot: {label} {number}: input cut to the model's {translator.max_source_length} characters: "
                  f"{result.source!r}", file=sys.stderr)
        sys.stdout.write(result.text + "\n")
    sys.stdout.flush()


def _translate_batch(translator, texts: list[str], beam: int | None, first_number: int, label: str) -> list:
    """translator.translate_batch(texts), saying on stderr how far it is when the texts hold more
    sentences than one batch decodes (a 20,000-character line with beam 4 ran for 48 s in silence)."""
    from seqbot.commands.progress import Progress
    from seqbot.engine.translator import BATCH_SIZE

    sentences = sum(len(translator.segments(text)) for text in texts)
    if sentences <= BATCH_SIZE:
        return translator.translate_batch(texts, beam=beam)
    last = first_number + len(texts) - 1
    where = f"{label} {first_number}" if last == first_number else f"{label}s {first_number}-{last}"
    progress = Progress(f"{where}: sentences translated", sentences, every_seconds=PROGRESS_EVERY_SECONDS)

    def batch_done(done: int, total: int) -> None:
        progress.total = total  # the sentences the decoder reads (blank ones are not decoded)
        progress.update(done)

    results = translator.translate_batch(texts, beam=beam, on_batch=batch_done)
    progress.finish()
    return results
