"""Text normalisation the chat model was trained with, so a typed message reads as its training pairs did.

    normalise("\u201cHi\u201d  there\u2026")   # -> '"Hi" there...'
    chat_source("I passed! Yay!", "How was it?", 40, 40)  # -> 'How was it?\nI passed! Yay!'

Training applies it to every (utterance, reply) pair (seqbot.training.chat) and the engine to
every message before encoding (seqbot.engine.chat): change it and the shipped chat model reads
characters it never saw. `chat_source` is the one place that turns a message (and, for a model
trained with context, the line before it) into the text the encoder reads, in training and in the engine.
"""

import re

_SENTENCE_END = re.compile(r"(?<=[.!?])\s+")
# Between the previous line and the message in a context model's input: normalise never leaves one.
CONTEXT_SEPARATOR = "\n"

# Typographic and Windows-1252 quotes (both occur in the Friends transcripts) -> ASCII.
_QUOTES = str.maketrans({"\u2019": "'", "\u2018": "'", "\x92": "'", "\x91": "'",
                         "\u201c": '"', "\u201d": '"', "\x93": '"', "\x94": '"', "\x85": "...", "\u2026": "..."})


def normalise(text: str) -> str:
    """ASCII quotes, collapsed whitespace (training pairs get the same treatment)."""
    return " ".join(text.translate(_QUOTES).split())


def sentences(text: str) -> list[str]:
    """`text` split after each ".", "!" or "?" followed by a space ("Hi. Who's there?" -> 2)."""
    return [part for part in _SENTENCE_END.split(text.strip()) if part]


def first_sentences(text: str, limit: int) -> str:
    """The longest run of `text`'s leading whole sentences that fits in `limit` characters ("" when
    even the first is longer): how a long reply begins is still a reply."""
    return " ".join(_fitting(sentences(text), limit))


def last_sentences(text: str, limit: int) -> str:
    """The longest run of `text`'s closing whole sentences that fits in `limit` characters ("" when
    even the last is longer): the end of a long line is what the next speaker answers."""
    return " ".join(reversed(_fitting(sentences(text)[::-1], limit)))


def _fitting(parts: list[str], limit: int) -> list[str]:
    """The first `parts` that fit in `limit` characters once joined by spaces."""
    kept, length = [], -1
    for part in parts:
        if length + 1 + len(part) > limit:
            break
        kept.append(part)
        length += 1 + len(part)
    return kept


def message_text(message: str, limit: int) -> str:
    """A message as a chat model reads it: normalised; when longer than `limit` characters, its last
    whole sentences that fit (as the training messages were cut), else its first `limit` characters."""
    message = normalise(message)
    if len(message) <= limit:
        return message
    return last_sentences(message, limit) or message[:limit]


def context_text(line: str, limit: int) -> str:
    """The line before a message as a context model reads it: its last whole sentences that fit in
    `limit` characters, else its last `limit` characters from the first word that starts in them."""
    line = normalise(line)
    if len(line) <= limit:
        return line
    fitting = last_sentences(line, limit)
    if fitting:
        return fitting
    tail = line[-limit:]
    return tail if line[-limit - 1] == " " else tail.partition(" ")[2]


def chat_source(message: str, context: str, message_limit: int, context_limit: int = 0) -> str:
    """The text a chat model's encoder reads: `message_text`, and for a model trained with context
    (`context_limit` > 0) the previous line's `context_text` and CONTEXT_SEPARATOR before it (also when
    there is no previous line, so the message always follows the separator)."""
    if context_limit <= 0:
        return message_text(message, message_limit)
    return context_text(context, context_limit) + CONTEXT_SEPARATOR + message_text(message, message_limit)
