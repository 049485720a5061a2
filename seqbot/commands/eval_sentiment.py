"""How far the sentiment models' probabilities can be trusted, on whole reviews and on chat-length messages.

    seqbot eval sentiment                       the shipped imdb and nsmc checkpoints
    seqbot eval sentiment imdb --sample 2000    a seeded 2,000 of the long test sets (a quick look)
    seqbot eval sentiment runs/classify-imdb_lstm_cnn_crops/imdb.npz
    seqbot eval sentiment imdb --json           the rows as JSON

Sets (all from test files the models never trained on):
  IMDB reviews        the 25,000 test reviews
  IMDB short          2,000 snippets of <= 12 words from strongly rated test reviews (1-2 or 9-10
                      stars), labelled by their review (seqbot.data.short_messages)
  IMDB short, hand    the hand-checked head of that set whose snippet alone is clearly positive or
                      negative, labelled by the reader (seqbot/data/imdb_short_checked.tsv)
  NSMC reviews        the 50,000 test reviews (every one under 140 characters)
  NSMC short          those of at most 12 words
The notes say how often a model gives >= 70 % to the hand-checked messages that say neither.
Columns: accuracy, the share whose right class got >= 70 %, log-loss (nats) and expected calibration
error (15 bins). T is the temperature the set's texts were served with (a calibrated IMDB model has
one for messages of <= 12 words and one for longer texts); a calibrated checkpoint gets a second
row per set with T = 1, its raw probabilities.
"""

from __future__ import annotations

import json
import sys
from pathlib import Path

DEFAULT_MODELS = ("imdb", "nsmc")


def add_arguments(parser) -> None:
    parser.add_argument("models", nargs="*", default=list(DEFAULT_MODELS),
                        help="checkpoint names or .npz paths (default: imdb nsmc)")
    parser.add_argument("--corpora", help="corpora folder (default $SEQBOT_CORPORA or corpora/)")
    parser.add_argument("--checkpoints", help="checkpoint folder (default $SEQBOT_CHECKPOINTS or checkpoints/)")
    parser.add_argument("--sample", type=int, help="score a seeded N of the long test sets (reviews) only")
    parser.add_argument("--json", action="store_true", help="print the rows as JSON")


def run(args) -> int:
    from seqbot.engine.calibration import CONFIDENT
    from seqbot.engine.classifier import load_classifier
    from seqbot.errors import SeqbotError
    from seqbot.paths import checkpoints_dir

    rows, notes = [], []
    for model in args.models:
        path = Path(model) if model.endswith(".npz") else checkpoints_dir(args.checkpoints) / f"{model}.npz"
        classifier = load_classifier(path)
        corpus = classifier.metadata.get("corpus") or classifier.metadata.get("dataset")
        if getattr(classifier, "task", None) != "sentiment" or corpus not in ("imdb", "nsmc"):
            raise SeqbotError(f"{path} is not an IMDB or NSMC sentiment model (task {getattr(classifier, 'task', '?')}, "
                              f"corpus {corpus})")
        for name, texts, labels in test_sets(corpus, args.corpora, args.sample, notes):
            print(f"  scoring {model} on {name} ({len(texts)} texts)", file=sys.stderr, flush=True)
            if labels is None:  # no right answer: how often the model is sure anyway
                sure = float((classifier.probabilities_batch(texts).max(axis=1) >= CONFIDENT).mean())
                notes.append(f"{model}: {sure:.0%} of the {len(texts)} hand-checked messages that say neither get >= "
                             f"{CONFIDENT:.0%} for one side")
                continue
            rows += score(model, classifier, name, texts, labels)
    if args.json:
        print(json.dumps({"rows": rows, "notes": notes}, indent=2))
    else:
        print_table(rows)
        for note in notes:
            print(note)
    return 0


def test_sets(corpus: str, corpora: str | None, sample: int | None, notes: list[str]):
    """(name, texts, labels) for each of the corpus's sets; notes get the hand-checked sample's label noise.
    Texts without a label (the hand-checked messages that say neither) come with labels None."""
    import numpy as np

    from seqbot.data.classify_splits import imdb_reviews, load_dataset
    from seqbot.data.short_messages import MAX_WORDS
    from seqbot.paths import corpora_dir

    if corpus == "imdb":  # the archive is read once: the reviews carry the ratings the short-message set needs
        _, test = imdb_reviews(corpora_dir(corpora))
        texts, labels = [r.text for r in test], [r.label for r in test]
    else:
        data = load_dataset(corpus, corpora)
        texts, labels = list(data.test_texts), list(data.test_labels)
    pick = lambda items: items
    if sample and sample < len(texts):
        picked = np.sort(np.random.default_rng(0).choice(len(texts), size=sample, replace=False))
        pick = lambda items: [items[i] for i in picked]
    if corpus == "nsmc":
        texts, labels = pick(texts), pick(labels)
        yield "NSMC reviews", texts, labels
        short = [(t, y) for t, y in zip(texts, labels) if 0 < len(t.split()) <= MAX_WORDS]
        yield f"NSMC short (<= {MAX_WORDS} words)", [t for t, _ in short], [y for _, y in short]
        return
    yield "IMDB reviews", pick(texts), pick(labels)
    messages, checked = imdb_short_sets(test, notes)
    yield "IMDB short (review's label)", [m.text for m in messages], [m.label for m in messages]
    clear = [c for c in checked if c.hand_label is not None]
    yield "IMDB short, hand-checked", [c.message.text for c in clear], [c.hand_label for c in clear]
    yield NEITHER, [c.message.text for c in checked if c.hand_label is None], None


NEITHER = "IMDB short, hand-checked neither"


def imdb_short_sets(test_reviews, notes: list[str]):
    from seqbot.data.short_messages import hand_checked, imdb_short_messages

    messages = imdb_short_messages(test_reviews)
    checked, unmatched = hand_checked(messages)
    clear = [c for c in checked if c.hand_label is not None]
    agree = sum(c.hand_label == c.message.label for c in clear)
    if not any("hand-checked" in note for note in notes):
        notes.append(f"hand-checked sample: {len(checked)} messages; {len(checked) - len(clear)} say neither (neutral, "
                     f"mixed or meaningless alone); of the {len(clear)} clear ones {len(clear) - agree} say the opposite "
                     f"of their review, so {(len(checked) - agree) / max(len(checked), 1):.0%} of the review labels do not "
                     f"describe the snippet" + (f"; {unmatched} rows did not match this corpus copy" if unmatched else ""))
    return messages, checked


def score(model: str, classifier, name: str, texts: list[str], labels: list[int]) -> list[dict]:
    """One row (two for a calibrated checkpoint: as served, and without its temperatures)."""
    import numpy as np

    from seqbot.engine.calibration import calibration_report

    labels = np.asarray(labels)
    temperatures = sorted({classifier.temperature_for(text) for text in texts}) if hasattr(classifier, "temperature_for") else [1.0]
    rows = [{"model": model, "set": name, "temperature": temperatures[0] if len(temperatures) == 1 else temperatures,
             **calibration_report(classifier.probabilities_batch(texts), labels)}]
    if temperatures != [1.0]:
        rows.append({"model": model, "set": name, "temperature": 1.0,
                     **calibration_report(classifier.probabilities_batch(texts, calibrated=False), labels)})
    return rows


def print_table(rows: list[dict]) -> None:
    print(f"{'model':<10} {'set':<30} {'T':>5} {'texts':>6} {'accuracy':>9} {'right>=70%':>11} {'log-loss':>9} {'ECE':>7}")
    for row in rows:
        temperature = row["temperature"]
        temperature = "mixed" if isinstance(temperature, list) else f"{temperature:.2f}"
        print(f"{row['model']:<10} {row['set']:<30} {temperature:>5} {row['texts']:>6} {row['accuracy']:>9.2%} "
              f"{row['right_confident']:>11.2%} {row['log_loss']:>9.4f} {row['ece']:>7.4f}")
