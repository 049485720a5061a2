"""Score classifier checkpoints on their held-out test split with the NumPy engine (no TensorFlow).

    seqbot eval classify all                 one table: every shipped model and every trained variant
    seqbot eval classify spam_rnn            one model (a checkpoint name, or a training name in runs/)
    seqbot eval classify runs/classify-imdb  a run whose training name is also a checkpoint's
    seqbot eval classify imdb --sample 2000  a seeded random 2,000 test texts (a quick look)
    seqbot eval classify reuters --limit 500 the first 500 test texts only (IMDB and NSMC list
                                             their test files by label: use --sample there)

The test split is rebuilt from the corpus with the rule and seed recorded in the checkpoint, so
the numbers are those of texts the model never trained on. Columns: accuracy, macro-averaged F1,
and for spam the precision and recall of the spam class.
"""

from __future__ import annotations

import sys
import time
from pathlib import Path

from seqbot.contract.shipped import classifiers

# Every shipped classifier (seqbot/contract/shipped.py): the side panel's in its order, then those kept in
# checkpoints/ only to check the lecture's targets (the app does not load them).
CLASSIFIERS = tuple(model.name for model in classifiers())
PROGRESS_CHUNK = 1000  # texts scored between two progress reports
# The lecture's reported test accuracy, for the table's last column.
LECTURE = {"spam_rnn": "98.16%", "reuters": "71.33%", "nsmc": "85.7%", "imdb": "88.89% (Maas)"}


def add_arguments(parser) -> None:
    parser.add_argument("name", help="checkpoint or training name, or 'all'")
    parser.add_argument("--corpora", help="corpora folder (default $SEQBOT_CORPORA or corpora/)")
    parser.add_argument("--checkpoints", help="checkpoint folder (default $SEQBOT_CHECKPOINTS or checkpoints/)")
    parser.add_argument("--runs", default=None, help="where trained variants live (default $SEQBOT_RUNS or runs/ in the project)")
    parser.add_argument("--limit", type=int, help="score only the first N test texts")
    parser.add_argument("--sample", type=int, help="score a seeded random N of the test texts (same N, same texts)")


def run(args) -> int:
    from seqbot.errors import SeqbotError

    candidates = find_checkpoints(args.checkpoints, args.runs)
    if args.name == "all":
        selected = candidates
    elif args.name in candidates:
        selected = {args.name: candidates[args.name]}
    else:
        known = ", ".join(candidates) or "none found"
        raise SeqbotError(f"no classifier checkpoint named {args.name!r}; found: {known}")
    if not selected:
        raise SeqbotError("no classifier checkpoints found; train one with `seqbot train classify NAME`")
    rows, cache = [], {}
    for name, path in selected.items():
        try:
            rows.append(evaluate(name, path, args.corpora, args.limit, cache, args.sample))
        except Exception as error:  # one broken model must not hide the others' scores
            message = str(error) if isinstance(error, SeqbotError) else f"{type(error).__name__}: {error}"
            rows.append({"model": name, "error": message})
            print(f"  could not score {name}: {message}", file=sys.stderr, flush=True)
        else:
            print(f"  scored {name}", file=sys.stderr, flush=True)
    print_table(rows)
    failed = sum("error" in row for row in rows)
    if failed == len(rows):
        print(f"seqbot: none of the {len(rows)} model{'s' if len(rows) > 1 else ''} could be scored (see above)",
              file=sys.stderr)
    return 0 if not failed else 1


def find_checkpoints(checkpoints: str | None, runs: str | None) -> dict[str, Path]:
    """Shipped and reference checkpoints by name, then trained variants runs/classify-NAME/*.npz by
    training name, or as runs/classify-NAME where a checkpoint already has that name."""
    from seqbot.paths import checkpoints_dir, runs_dir

    found = {}
    for name in CLASSIFIERS:
        path = checkpoints_dir(checkpoints) / f"{name}.npz"
        if path.exists():
            found[name] = path
    for path in sorted(runs_dir(runs).glob("classify-*/*.npz")):
        name = path.parent.name[len("classify-"):]
        found[f"runs/{path.parent.name}" if name in found else name] = path
    return found


def evaluate(name: str, path: Path, corpora: str | None, limit: int | None, cache: dict, sample: int | None = None) -> dict:
    """Score one checkpoint; `limit` keeps the first N test texts, `sample` a seeded random N of them."""
    import numpy as np

    from seqbot.engine.classifier import load_classifier
    from seqbot.data.classify_splits import load_dataset

    classifier = load_classifier(path, name)
    corpus = classifier.metadata.get("corpus")
    split = classifier.metadata.get("split", {})
    key = (corpus, split.get("seed"))
    if key not in cache:
        warn_if_not_the_manifest_copy(corpus, corpora)
        cache[key] = load_dataset(corpus, corpora, split.get("seed"))
    data = cache[key]
    texts, labels = data.test_texts, np.asarray(data.test_labels)
    if sample and sample < len(texts):
        picked = np.sort(np.random.default_rng(0).choice(len(texts), size=sample, replace=False))
        texts, labels = [texts[i] for i in picked], labels[picked]
    if limit:
        texts, labels = texts[:limit], labels[:limit]
    # The checkpoint's labels may be ordered differently from the dataset's names.
    column = [classifier.labels.index(label) for label in data.label_names]
    started = time.time()
    probabilities = scored_with_progress(classifier, list(texts), name)[:, column]
    seconds = time.time() - started
    predicted = probabilities.argmax(axis=1)
    architecture = getattr(classifier, "architecture", None)
    if architecture is None:  # Naive Bayes: say what it counts
        architecture = f"naive_bayes ({getattr(classifier.model.bag, 'weighting', 'counts')})"
    row = {"model": name, "architecture": architecture, "file": str(path), "corpus": corpus, "texts": len(texts),
           "accuracy": float((predicted == labels).mean()), "macro_f1": macro_f1(labels, predicted, len(data.label_names)),
           "ms_per_text": 1000 * seconds / max(len(texts), 1)}
    if "spam" in data.label_names:
        spam = data.label_names.index("spam")
        true_positive = float(((predicted == spam) & (labels == spam)).sum())
        row["spam_precision"] = true_positive / max(float((predicted == spam).sum()), 1.0)
        row["spam_recall"] = true_positive / max(float((labels == spam).sum()), 1.0)
    return row


def scored_with_progress(classifier, texts: list[str], name: str, chunk: int = PROGRESS_CHUNK):
    """classifier.probabilities_batch(texts), in chunks so that a long run shows its progress."""
    import numpy as np

    from seqbot.commands.progress import Progress

    progress = Progress(f"scoring {name}", len(texts))
    parts = []
    for start in range(0, len(texts), chunk):
        parts.append(classifier.probabilities_batch(texts[start:start + chunk]))
        progress.update(start + len(parts[-1]))
    progress.finish()
    return np.concatenate(parts) if parts else np.zeros((0, len(classifier.labels)))


def warn_if_not_the_manifest_copy(corpus: str, corpora: str | None) -> None:
    from seqbot.data.locate import checksum_mismatches

    for problem in checksum_mismatches(corpus, corpora):
        print(f"seqbot: warning: {problem}: scores on it are not comparable with the recorded ones "
              f"(`seqbot data fetch {corpus}` gets the reference copy)", file=sys.stderr, flush=True)


def macro_f1(labels: np.ndarray, predicted: np.ndarray, classes: int) -> float:
    """Mean over the classes present in the labels or predictions of 2PR/(P+R)."""
    import numpy as np

    scores = []
    for c in range(classes):
        true_positive = float(((predicted == c) & (labels == c)).sum())
        predicted_c, actual_c = float((predicted == c).sum()), float((labels == c).sum())
        if predicted_c == 0 and actual_c == 0:
            continue
        scores.append(2 * true_positive / (predicted_c + actual_c))
    return float(np.mean(scores)) if scores else 0.0


def print_table(rows: list[dict]) -> None:
    header = f"| {'model':<22} | {'architecture':<22} | {'corpus':<13} | {'test texts':>10} | {'accuracy':>8} | {'macro-F1':>8} | {'spam P':>6} | {'spam R':>6} | {'lecture':<13} |"
    print(header)
    print("|" + "|".join("-" * (len(cell)) for cell in header.split("|")[1:-1]) + "|")
    for row in rows:
        if "error" in row:
            print(f"| {row['model']:<22} | error: {row['error']}")
            continue
        spam_p = f"{row['spam_precision']:.1%}" if "spam_precision" in row else ""
        spam_r = f"{row['spam_recall']:.1%}" if "spam_recall" in row else ""
        print(f"| {row['model']:<22} | {row['architecture']:<22} | {row['corpus']:<13} | {row['texts']:>10,} | {row['accuracy']:>8.2%} | "
              f"{row['macro_f1']:>8.4f} | {spam_p:>6} | {spam_r:>6} | {LECTURE.get(row['model'], ''):<13} |")
