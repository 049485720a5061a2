"""Errors that carry a message meant for the person at the keyboard.

The CLI and the app catch `SeqbotError` and show its text without a traceback, so
every message should say what was wrong and what to do about it.
"""


class SeqbotError(ValueError):
    """A user-facing error: bad input, a missing file, a wrong format."""


class CorpusError(SeqbotError):
    """A corpus file is missing, truncated, or not in the format its reader expects."""


class CheckpointError(SeqbotError):
    """A model artifact is missing, corrupt, or of the wrong kind."""
