"""Checkpoint averaging: the mean of the weights of a run's last rounds (Vaswani et al. 2017, 5.4).

Noise of the last updates averages out; on a model still improving, the mean of rounds k..n sits
near round n but smoother. Whether it beats the best single round is measured, not assumed:
`seqbot eval translate --split validation` on both.

    seqbot train translate --average-last 3 --out runs/translator   # -> runs/translator/averaged.npz
"""

from __future__ import annotations

from pathlib import Path

import numpy as np

from seqbot.artifact import Artifact, load_artifact, save_artifact
from seqbot.errors import SeqbotError


def average_artifacts(paths: list[Path]) -> Artifact:
    """One artifact whose weights are the mean of `paths`' weights (same kind, network and shapes): a
    run's rounds, or a shipped checkpoint and rounds of a run that started from it (list a path twice to
    weight it twice). The config is the last artifact's."""
    if not paths:
        raise SeqbotError("no round artifacts to average")
    artifacts = [load_artifact(path) for path in paths]
    first = artifacts[0]
    for path, artifact in zip(paths[1:], artifacts[1:]):
        if artifact.kind != first.kind or _network(artifact.config) != _network(first.config) or artifact.weights.keys() != first.weights.keys():
            raise SeqbotError(f"{path} is not the same model as {paths[0]}; only rounds of one run can be averaged")
    weights = {name: np.mean([artifact.weights[name] for artifact in artifacts], axis=0).astype(np.float32)
               for name in first.weights}
    metadata = dict(artifacts[-1].metadata) | {"averaged_rounds": [Path(path).name for path in paths]}
    return Artifact(first.kind, artifacts[-1].config, weights, metadata, first.blobs)


# What an export adds to a network's config: decoding settings, the placeholders' word lists, the
# confidence calibrators. Rounds written before and after a change of the default DecodingConfig (a
# resumed run), and a shipped checkpoint against its run's rounds, are still the same network.
NOT_NETWORK = ("decoding", "placeholders", "confidence")


def _network(config: dict) -> dict:
    """The config without what an export adds (NOT_NETWORK); the last artifact's settings are kept."""
    return {key: value for key, value in config.items() if key not in NOT_NETWORK}


def average_last_rounds(run_dir: str | Path, last: int) -> Path:
    """Average the last `last` rounds saved in run_dir/rounds into run_dir/averaged.npz."""
    rounds = sorted((Path(run_dir) / "rounds").glob("round-*.npz"))
    if len(rounds) < last:
        raise SeqbotError(f"{run_dir} holds {len(rounds)} saved round(s); cannot average the last {last}")
    return save_artifact(Path(run_dir) / "averaged.npz", average_artifacts(rounds[-last:]))
