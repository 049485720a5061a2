"""Shared fixtures. Real-data tests take the corpora folder from $SEQBOT_CORPORA
(`.ci/run` points it at ../shared/corpora) and are skipped, with the reason, without it."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")
os.environ.setdefault("TF_ENABLE_ONEDNN_OPTS", "0")

FIXTURES = Path(__file__).parent / "fixtures"


@pytest.fixture(scope="session")
def fixtures_dir() -> Path:
    return FIXTURES


@pytest.fixture(scope="session")
def real_corpora() -> Path:
    """The real corpora folder, or skip: set SEQBOT_CORPORA to ../shared/corpora to run these."""
    value = os.environ.get("SEQBOT_CORPORA")
    if not value:
        pytest.skip("real-data test: SEQBOT_CORPORA is not set (point it at ../shared/corpora)")
    path = Path(value)
    if not path.is_dir():
        pytest.skip(f"real-data test: SEQBOT_CORPORA={value} is not a folder")
    return path
