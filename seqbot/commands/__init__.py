"""One module per CLI command: `add_arguments(parser)` and `run(args) -> int`.

Modules import heavy libraries inside `run`, so `seqbot --help` and the TF-free
commands start fast.
"""
