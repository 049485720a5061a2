"""Options every `seqbot train` command that writes a run shares (not a command itself)."""

from __future__ import annotations


def add_run_options(parser, export_example: str, tensorflow: bool = True) -> None:
    """--corpora, --export, --force, --runs and, for commands that train with TensorFlow, --threads and --strategy."""
    parser.add_argument("--corpora", help="corpora folder (default $SEQBOT_CORPORA or corpora/)")
    parser.add_argument("--export", help=f"copy the resulting artifact here, e.g. {export_example}")
    parser.add_argument("--force", action="store_true", help="let --export replace an existing file (kept as .bak-<time>)")
    parser.add_argument("--runs", help="runs root (default $SEQBOT_RUNS or runs/)")
    if tensorflow:
        parser.add_argument("--threads", type=int, default=1, help="TensorFlow threads (default 1)")
        parser.add_argument("--strategy", choices=["default", "mirrored", "multiworker"], default="default",
                            help="tf.distribute strategy (multiworker reads TF_CONFIG; see docs/training.md)")
