"""Limits shared by the engine, every command and the app. It imports nothing of seqbot or NumPy, so
the app can check its settings against them before NumPy is loaded (the first frame needs only Textual).
"""

from numbers import Integral

# The widest beam search anything runs: `seqbot translate --beam`, `seqbot chat --beam`,
# `seqbot eval translate --beam`, the app's settings (F6) and a checkpoint's DecodingConfig.
# Wider beams cost about linearly more per character and did not translate better.
MAX_BEAM = 32


def beam_problem(beam) -> str | None:
    """Why `beam` is not a usable beam width, or None: the one check of every beam width
    (DecodingConfig, seqbot.engine.decoding.check_beam for the engines and the commands)."""
    if isinstance(beam, Integral) and 1 <= beam <= MAX_BEAM:
        return None
    return f"beam width must be a whole number from 1 to {MAX_BEAM}, got {beam!r}"
