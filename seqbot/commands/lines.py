"""The text that line-oriented commands (translate, chat, classify) read: arguments or stdin lines.

    for number, text in enumerate(input_texts(args.text, hint="type English lines"), 1):
        ...

Whatever bytes come in, every input line becomes exactly one text: bytes that are not UTF-8
(on stdin, or in arguments, which Python hands over as lone surrogates) become U+FFFD and are
reported once on standard error; a NUL byte or a 1 MB line is just text. Texts are NFC-normalised,
so a decomposed "été" reads as the precomposed one. At a terminal, stdin first prints how to use it.
"""

from __future__ import annotations

import sys
import unicodedata
from collections.abc import Iterable, Iterator

REPLACEMENT = "\ufffd"


class _Report:
    """Says once per run that some input was not UTF-8."""

    def __init__(self, stream):
        self.stream = stream
        self.said = False

    def bad_bytes(self, where: str) -> None:
        if not self.said:
            self.said = True
            print(f"seqbot: {where} is not valid UTF-8; the bad bytes were replaced by {REPLACEMENT} "
                  "(reported once)", file=self.stream)


def readable(raw: bytes | str) -> tuple[str, bool]:
    """(NFC text, whether bytes had to be replaced) for one line of bytes or one argument string."""
    if isinstance(raw, str):
        raw = raw.encode("utf-8", "surrogateescape")  # lone surrogates are argv bytes that were not UTF-8
    text = raw.decode("utf-8", "replace")
    replaced = REPLACEMENT in text and REPLACEMENT.encode("utf-8") not in raw
    return unicodedata.normalize("NFC", text), replaced


def stdin_lines(stdin=None, stderr=None) -> Iterator[str]:
    """Each line of stdin (read as bytes), without its line ending ("\\n" or "\\r\\n")."""
    stdin = stdin if stdin is not None else sys.stdin
    report = _Report(stderr or sys.stderr)
    source = getattr(stdin, "buffer", stdin)
    for raw in source:
        if isinstance(raw, bytes):
            raw = raw[:-1] if raw.endswith(b"\n") else raw
            raw = raw[:-1] if raw.endswith(b"\r") else raw
        else:
            raw = raw.rstrip("\r\n")
        text, replaced = readable(raw)
        if replaced:
            report.bad_bytes("standard input")
        yield text


def argument_texts(arguments: Iterable[str], stderr=None) -> list[str]:
    report = _Report(stderr or sys.stderr)
    texts = []
    for argument in arguments:
        text, replaced = readable(argument)
        if replaced:
            report.bad_bytes("an argument")
        texts.append(text)
    return texts


def input_texts(arguments: list[str], hint: str) -> Iterable[str]:
    """The arguments if any, else stdin's lines; at a terminal, `hint` (what to type) goes to stderr first."""
    if arguments:
        return argument_texts(arguments)
    if sys.stdin.isatty():
        print(f"seqbot: {hint}, one per line; Ctrl+D to end", file=sys.stderr)
    return stdin_lines()
