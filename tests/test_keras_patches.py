"""seqbot/training/keras_patches.py is the one place that patches private Keras code; it is pinned to the
Keras version it was checked on. This test fails as soon as another Keras is installed or a private name
it uses is gone: re-check both multi-worker failures on that version (tests/test_training_distributed.py),
then move KERAS_VERSION.

    python -m pytest tests/test_keras_patches.py -q
"""

from __future__ import annotations

import ast
from pathlib import Path

from seqbot.paths import PROJECT_ROOT


def test_the_installed_keras_is_the_pinned_one_with_every_private_name():
    from seqbot.models.keras_setup import import_keras
    from seqbot.training.keras_patches import KERAS_VERSION, check_keras_version, missing_private_names

    keras = import_keras()
    assert keras.__version__ == KERAS_VERSION, f"Keras {keras.__version__}: re-check seqbot/training/keras_patches.py"
    assert missing_private_names() == []
    check_keras_version()


def test_no_other_module_reaches_into_private_keras():
    """keras.src imports and private trainer attributes appear in keras_patches.py only."""
    offenders = []
    for path in sorted((PROJECT_ROOT / "seqbot").rglob("*.py")) + sorted((PROJECT_ROOT / "tools").glob("*.py")):
        if path.name == "keras_patches.py":
            continue
        tree = ast.parse(path.read_text(encoding="utf-8"))
        for node in ast.walk(tree):
            if isinstance(node, ast.ImportFrom) and (node.module or "").startswith("keras.src"):
                offenders.append(f"{path.relative_to(PROJECT_ROOT)}: from {node.module}")
            if isinstance(node, ast.Attribute) and node.attr in ("_symbolic_build", "_maybe_symbolic_build",
                                                                 "reduce_per_replica"):
                offenders.append(f"{path.relative_to(PROJECT_ROOT)}: .{node.attr}")
    assert offenders == []
