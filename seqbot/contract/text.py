"""Text normalisation the chat model was trained with, so a typed message reads as its training pairs did.

    normalise("\u201cHi\u201d  there\u2026")   # -> '"Hi" there...'

Training applies it to every (utterance, reply) pair (seqbot.training.chat) and the engine to
every message before encoding (seqbot.engine.chat): change it and the shipped chat model reads
characters it never saw.
"""

# Typographic and Windows-1252 quotes (both occur in the Friends transcripts) -> ASCII.
_QUOTES = str.maketrans({"\u2019": "'", "\u2018": "'", "\x92": "'", "\x91": "'",
                         "\u201c": '"', "\u201d": '"', "\x93": '"', "\x94": '"', "\x85": "...", "\u2026": "..."})


def normalise(text: str) -> str:
    """ASCII quotes, collapsed whitespace (training pairs get the same treatment)."""
    return " ".join(text.translate(_QUOTES).split())
