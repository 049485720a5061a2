"""Training batches of an augmenting translator recipe, made by worker processes for a GPU.

The translator's recipe rewrites its training pairs every pass (seqbot.data.augment: names, numbers,
case, extra conversational and number copies), which is Python work on the CPU. On a GPU machine
(tools/gpu_train.py) that work runs in a pool of worker processes feeding a keras.utils.PyDataset,
so the GPU is not starved, and every batch has one of a few fixed shapes, so JAX compiles the
training step once per shape instead of once per batch length:

    shapes = bucket_shapes(longest_lengths(train, augmenter))
    pairs = AugmentedPairs(train + augmenter.extra_pairs(train), augmenter, source_vocab, target_vocab, shapes,
                           batch_size=128, seed=1)
    with training_batches(pairs, steps_per_round=300, workers=14) as data:   # a keras.utils.PyDataset
        fit(model, data, validation_batches(validation, source_vocab, target_vocab, shapes, 128), ...)

Batch g of a run is a pure function of (seed, g): pass p = g // B (B batches a pass) shuffles the
pairs with the generator seeded [seed, p], groups them by the first shape that holds them however the
augmenter rewrites them (`longest_lengths`), cuts each group into full batches (a group's last few
rows wait for another pass) and shuffles the batches; batch j of the pass is then rewritten by the
augmenter with the generator seeded [seed, p, j] and padded to its shape (the next one that holds
it, should a rewrite still outgrow it). So any worker can make any batch, a
resumed run gets the batches an uninterrupted run would, and the number of workers changes nothing.
`seqbot train translate` (TensorFlow, dynamic shapes) batches the same pairs with
seqbot.training.translate.make_batches instead.

Keras' own PyDataset workers are not used: they start a new pool at every round (forking a process
that already runs JAX), and the batches they made ahead of a round's end are served at the start of
the next round, made for the round before. The pool here starts once, by forkserver (no JAX, no
TensorFlow in the workers), and makes batches ahead by their global number.
"""

from __future__ import annotations

import math

import numpy as np

from seqbot.errors import SeqbotError

# Quantiles of the training pairs' longest lengths (longest_lengths) that get a batch shape of their
# own; one more shape holds the longest pair with a margin.
BUCKET_QUANTILES = (0.5, 0.8, 0.95, 0.99)
LONGEST_MARGIN = 16


def _ceil8(value: float) -> int:
    return max(8, int(math.ceil(value / 8)) * 8)


def longest_lengths(pairs, augmenter=None) -> tuple[np.ndarray, np.ndarray]:
    """(source, target) lengths of `pairs`, <end> included on the target side, as long as `augmenter`
    can make them: each shared name replaced by its longest name, each shared number by one of at
    least 4 digits (seqbot.data.augment). A batch of pairs grouped by these lengths still fits its
    shape once rewritten, instead of growing into the next shape with its longest name."""
    sources = np.array([len(english) for english, _ in pairs], np.int64)
    targets = np.array([len(french) + 1 for _, french in pairs], np.int64)
    if augmenter is None:
        return sources, targets
    import re

    from seqbot.data.augment import DIGITS, shared_names

    longest_name = max(len(name) for name in augmenter.names)
    for index, (english, french) in enumerate(pairs):
        for name in shared_names(english, french, augmenter.lower_words):
            growth = longest_name - len(name)
            sources[index] += growth * len(re.findall(rf"\b{name}\b", english))
            targets[index] += growth * len(re.findall(rf"\b{name}\b", french))
        for number in set(DIGITS.findall(english)) & set(DIGITS.findall(french)):
            growth = max(0, 4 - len(number))
            sources[index] += growth * len(re.findall(rf"(?<!\d){number}(?!\d)", english))
            targets[index] += growth * len(re.findall(rf"(?<!\d){number}(?!\d)", french))
    return sources, targets


def bucket_shapes(lengths: tuple[np.ndarray, np.ndarray], quantiles=BUCKET_QUANTILES,
                  margin: int = LONGEST_MARGIN) -> list[tuple[int, int]]:
    """(source length, target length) pairs, multiples of 8 and increasing on both sides, that batches
    are padded to: one per quantile of `lengths` (longest_lengths), and a last one holding the longest
    source and target with `margin` characters to spare."""
    sources, targets = (np.asarray(side) for side in lengths)
    if not len(sources):
        raise SeqbotError("no training pairs to size batches for")
    candidates = [(_ceil8(np.quantile(sources, q)), _ceil8(np.quantile(targets, q))) for q in quantiles]
    candidates.append((_ceil8(sources.max() + margin), _ceil8(targets.max() + margin)))
    shapes: list[tuple[int, int]] = []
    for source, target in candidates:
        if shapes:
            source, target = max(source, shapes[-1][0]), max(target, shapes[-1][1])
            if (source, target) == shapes[-1]:
                continue
        shapes.append((source, target))
    return shapes


def _first_fit(shapes, source_length: int, target_length: int, start: int = 0) -> int | None:
    """Index of the first shape from `start` holding a source of `source_length` characters and a
    target of `target_length` (<end> included)."""
    for index in range(start, len(shapes)):
        if source_length <= shapes[index][0] and target_length <= shapes[index][1]:
            return index
    return None


def _encode_batch(texts, rows: int, shape, source_vocab, target_vocab):
    """((source, decoder input), decoder target) of `texts` padded to `shape` and to `rows` rows (the
    extra rows are all padding: they add no character to the loss)."""
    source = np.zeros((rows, shape[0]), np.int32)
    target_in = np.zeros((rows, shape[1]), np.int32)
    target_out = np.zeros((rows, shape[1]), np.int32)
    for row, (english, french) in enumerate(texts):
        ids, target = source_vocab.encode(english), target_vocab.encode(french)
        source[row, :len(ids)] = ids
        target_in[row, 0] = 1  # <start>
        target_in[row, 1:len(target) + 1] = target
        target_out[row, :len(target)] = target
        target_out[row, len(target)] = 2  # <end>
    return (source, target_in), target_out


class AugmentedPairs:
    """The training pairs of a run (extra copies included) and how batch g of the run is made (see
    the module docstring). Picklable: the pool's workers each get a copy once."""

    def __init__(self, pairs, augmenter, source_vocab, target_vocab, shapes, batch_size: int, seed: int, lengths=None):
        """`lengths`: longest_lengths(pairs, augmenter), when known already (it takes seconds)."""
        if batch_size < 1:
            raise SeqbotError(f"batch size must be at least 1, not {batch_size}")
        self.pairs = list(pairs)
        self.augmenter, self.source_vocab, self.target_vocab = augmenter, source_vocab, target_vocab
        self.shapes = [tuple(shape) for shape in shapes]
        self.batch_size, self.seed = batch_size, seed
        buckets = np.empty(len(self.pairs), np.int64)
        for index, (source, target) in enumerate(zip(*(lengths or longest_lengths(self.pairs, augmenter)))):
            bucket = _first_fit(self.shapes, source, target)
            if bucket is None:
                english, french = self.pairs[index]
                if _first_fit(self.shapes, len(english), len(french) + 1) is None:
                    raise SeqbotError(f"training pair {index} ({len(english)} -> {len(french)} characters) is longer than "
                                      f"the largest batch shape {self.shapes[-1]}; prepare the bundle again")
                bucket = len(self.shapes) - 1
            buckets[index] = bucket
        for bucket in range(len(self.shapes) - 1):  # a group too small for one batch joins the next shape
            if 0 < np.sum(buckets == bucket) < batch_size:
                buckets[buckets == bucket] = bucket + 1
        self.buckets = buckets
        self.batches_per_pass = sum(int(np.sum(buckets == b)) // batch_size for b in range(len(self.shapes)))
        if self.batches_per_pass == 0:
            raise SeqbotError(f"{len(self.pairs)} training pairs fill no batch of {batch_size}; lower the batch size")
        self._layout: tuple[int, list] | None = None

    def __getstate__(self):
        state = dict(self.__dict__)
        state["_layout"] = None
        return state

    def layout(self, pass_index: int) -> list[tuple[int, np.ndarray]]:
        """(shape index, row numbers) of every batch of pass `pass_index`, in the order trained."""
        if self._layout is None or self._layout[0] != pass_index:
            rng = np.random.default_rng([self.seed, pass_index])
            order = rng.permutation(len(self.pairs))
            batches = []
            for bucket in range(len(self.shapes)):
                rows = order[self.buckets[order] == bucket]
                batches += [(bucket, rows[start:start + self.batch_size])
                            for start in range(0, len(rows) - self.batch_size + 1, self.batch_size)]
            self._layout = (pass_index, [batches[i] for i in rng.permutation(len(batches))])
        return self._layout[1]

    def batch(self, number: int, pad_to: tuple[int, int] | None = None):
        """Batch `number` of the run (counted over all passes), rewritten by the augmenter and padded to
        its shape (or to `pad_to`, a larger one)."""
        pass_index, position = divmod(number, self.batches_per_pass)
        bucket, rows = self.layout(pass_index)[position]
        rng = np.random.default_rng([self.seed, pass_index, position])
        texts, longest = [], (0, 0)
        for row in rows:
            english, french = self.augmenter(*self.pairs[row], rng) if self.augmenter is not None else self.pairs[row]
            if _first_fit(self.shapes, len(english), len(french) + 1) is None:
                english, french = self.pairs[row]  # rewritten past the largest shape: trained as written
            texts.append((english, french))
            longest = (max(longest[0], len(english)), max(longest[1], len(french) + 1))
        shape = tuple(pad_to or self.shapes[_first_fit(self.shapes, *longest, start=bucket)])
        return _encode_batch(texts, len(rows), shape, self.source_vocab, self.target_vocab)


def validation_batches(pairs, source_vocab, target_vocab, shapes, batch_size: int, one_shape: bool = False) -> list:
    """The validation pairs in batches of the training shapes, in order within each shape; a shape's
    last batch is filled with padding rows, so every batch has `batch_size` rows (no new shape to
    compile). A padding row adds nothing to the loss or the accuracy; Keras weights each batch's mean
    by its rows, so a filled batch weighs a little more in val_loss than its pairs alone would.
    `one_shape`: every batch padded to the largest shape (see `training_batches`)."""
    shapes = [tuple(shape) for shape in shapes]
    groups: dict[tuple[int, int], list] = {}
    for english, french in pairs:
        index = _first_fit(shapes, len(english), len(french) + 1)
        shape = shapes[index] if index is not None else (_ceil8(len(english)), _ceil8(len(french) + 1))
        groups.setdefault(shape, []).append((english, french))
    batches = []
    for shape in sorted(groups):
        texts = groups[shape]
        padded = max(shapes[-1], shape) if one_shape else shape
        batches += [_encode_batch(texts[start:start + batch_size], batch_size, padded, source_vocab, target_vocab)
                    for start in range(0, len(texts), batch_size)]
    return batches


# --- the pool (module-level functions: the workers import this module) ---

_WORKER_PAIRS: AugmentedPairs | None = None


def _start_worker(pairs: AugmentedPairs) -> None:
    global _WORKER_PAIRS
    _WORKER_PAIRS = pairs


def _make_batch(number: int, pad_to=None):
    return _WORKER_PAIRS.batch(number, pad_to)


def one_shape() -> bool:
    """Whether batches must all have one shape: under TensorFlow, Keras fixes a PyDataset's tensor
    shapes from its first two batches (JAX, the GPU's backend, takes every shape, compiling once each)."""
    import keras

    return keras.backend.backend() == "tensorflow"


def training_batches(pairs: AugmentedPairs, steps_per_round: int | None = None, workers: int = 0, ahead: int | None = None):
    """A keras.utils.PyDataset of `pairs`' batches: round r (the loop calls `set_epoch(r)`) serves
    batches r*S .. r*S+S-1 of the run, S = `steps_per_round` (default: one pass). With `workers` > 1
    a pool of that many processes makes the next `ahead` batches (default 4 per worker) while the
    model trains; use the dataset as a context manager, or call `close()`, to stop the pool. Under
    TensorFlow every batch is padded to the largest shape (`one_shape`; the loss ignores padding)."""
    import multiprocessing

    import keras

    length = steps_per_round or pairs.batches_per_pass
    pad_to = pairs.shapes[-1] if one_shape() else None
    pool = None
    if workers > 1:
        pool = multiprocessing.get_context("forkserver").Pool(workers, initializer=_start_worker, initargs=(pairs,))
    window = ahead or 4 * max(1, workers)

    class AugmentedBatches(keras.utils.PyDataset):
        def __init__(self):
            super().__init__()
            self.round = 0
            self.pending = {}

        def set_epoch(self, epoch: int) -> None:
            self.round = epoch

        def __len__(self):
            return length

        def __getitem__(self, index):
            number = self.round * length + index
            if pool is None:
                return pairs.batch(number, pad_to)
            for stale in [key for key in self.pending if not number <= key < number + window]:
                del self.pending[stale]
            for key in range(number, number + window):
                if key not in self.pending:
                    self.pending[key] = pool.apply_async(_make_batch, (key, pad_to))
            return self.pending.pop(number).get()

        def close(self) -> None:
            if pool is not None:
                pool.terminate()
                pool.join()

        def __enter__(self):
            return self

        def __exit__(self, *exc):
            self.close()

    return AugmentedBatches()


def fixed_batches(batches: list):
    """A keras.utils.PyDataset of ready batches (validation), the same every epoch."""
    import keras

    class FixedBatches(keras.utils.PyDataset):
        def __init__(self):
            super().__init__()

        def __len__(self):
            return len(batches)

        def __getitem__(self, index):
            return batches[index]

    return FixedBatches()
