"""Seeded, deterministic shuffling and splitting, with no key on two sides of a split.

    parts = split_by_key(pairs, key=lambda p: p.english, fractions={"test": 0.05}, seed=1)
    parts["test"], parts["train"]

fra.txt repeats English sentences with several French translations, so splitting rows
would leak test sentences into training; splitting by unique key cannot.
"""

from __future__ import annotations

import random
from collections.abc import Callable, Hashable, Sequence
from typing import TypeVar

Item = TypeVar("Item")


def shuffled(items: Sequence[Item], seed: int) -> list[Item]:
    items = list(items)
    random.Random(seed).shuffle(items)
    return items


def split_by_key(
    items: Sequence[Item],
    key: Callable[[Item], Hashable],
    fractions: dict[str, float],
    seed: int,
) -> dict[str, list[Item]]:
    """Assign each unique key to one part; the rest of the keys go to "train".

    Parts keep the items' original order within them, so the result does not depend on
    anything but the items, the fractions and the seed.
    """
    total = sum(fractions.values())
    if any(f < 0 for f in fractions.values()) or total >= 1:
        raise ValueError(f"split fractions must be >= 0 and sum below 1, got {fractions}")
    unique_keys = list(dict.fromkeys(key(item) for item in items))
    order = shuffled(unique_keys, seed)
    part_of: dict[Hashable, str] = {}
    start = 0
    for name, fraction in fractions.items():
        count = round(fraction * len(order))
        for k in order[start:start + count]:
            part_of[k] = name
        start += count
    parts: dict[str, list[Item]] = {name: [] for name in fractions} | {"train": []}
    for item in items:
        parts[part_of.get(key(item), "train")].append(item)
    return parts


def deduplicate(items: Sequence[Item], key: Callable[[Item], Hashable] = lambda x: x) -> list[Item]:
    """First occurrence of each key, in order."""
    seen: set = set()
    kept = []
    for item in items:
        k = key(item)
        if k not in seen:
            seen.add(k)
            kept.append(item)
    return kept
