"""Limits shared by the engine, every command and the app. It imports nothing, so the app can
check its settings against them before NumPy is loaded (the first frame needs only Textual).
"""

# The widest beam search anything runs: `seqbot translate --beam`, `seqbot chat --beam`,
# `seqbot eval translate --beam`, the app's settings (F6) and a checkpoint's DecodingConfig.
# Wider beams cost about linearly more per character and did not translate better.
MAX_BEAM = 32
