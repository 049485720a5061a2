"""Text normalisation shared by training and the engine: NFC, whitespace collapsed, trimmed.

The engine's Translator applies the same rule to what a person types, so a model never
sees a character at inference that training normalised away.
"""

import unicodedata


def normalise(text: str) -> str:
    # str.split() also splits on the no-break spaces French typography puts before ! ? :
    return " ".join(unicodedata.normalize("NFC", text).split())
