"""Seeded splits: deterministic, disjoint by key, every item used once."""

from __future__ import annotations

import pytest

from seqbot.data.splits import deduplicate, shuffled, split_by_key


def _pairs():
    # like fra.txt: sorted by length, English sentences repeated with several translations
    return [(f"sentence {i // 3}", f"traduction {i}") for i in range(300)]


def test_split_by_key_keeps_each_key_on_one_side():
    parts = split_by_key(_pairs(), key=lambda p: p[0], fractions={"test": 0.1, "validation": 0.05}, seed=7)
    keys = {name: {p[0] for p in items} for name, items in parts.items()}
    assert not keys["test"] & keys["train"] and not keys["validation"] & keys["train"] and not keys["test"] & keys["validation"]
    assert sorted(sum(parts.values(), [])) == sorted(_pairs())
    assert len(keys["test"]) == 10 and len(keys["validation"]) == 5  # fractions of the 100 unique keys
    assert len(parts["test"]) == 30  # all three translations of each test sentence


def test_split_is_seeded_and_keeps_file_order():
    a = split_by_key(_pairs(), key=lambda p: p[0], fractions={"test": 0.1}, seed=1)
    b = split_by_key(_pairs(), key=lambda p: p[0], fractions={"test": 0.1}, seed=1)
    c = split_by_key(_pairs(), key=lambda p: p[0], fractions={"test": 0.1}, seed=2)
    assert a == b and a["test"] != c["test"]
    order = {p: i for i, p in enumerate(_pairs())}
    assert [order[p] for p in a["test"]] == sorted(order[p] for p in a["test"])


@pytest.mark.parametrize("fractions", [{"test": 0.6, "validation": 0.5}, {"test": -0.1}, {"test": 1.0}])
def test_bad_fractions(fractions):
    with pytest.raises(ValueError, match="fractions"):
        split_by_key(_pairs(), key=lambda p: p[0], fractions=fractions, seed=1)


def test_shuffled_is_seeded_and_leaves_the_input_alone():
    items = list(range(50))
    assert shuffled(items, 3) == shuffled(items, 3) != items
    assert sorted(shuffled(items, 3)) == items and items == list(range(50))


def test_deduplicate_keeps_first_occurrence():
    assert deduplicate(["b", "a", "b", "c", "a"]) == ["b", "a", "c"]
    assert deduplicate(_pairs(), key=lambda p: p[0])[:2] == [("sentence 0", "traduction 0"), ("sentence 1", "traduction 3")]
