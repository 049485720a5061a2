"""Score the translator on held-out English-French pairs: chrF, BLEU, exact match, character accuracy.

    seqbot eval translate                          the test split the checkpoint was trained without
    seqbot eval translate --pairs my_pairs.txt     a file of English<TAB>French lines (a third column is ignored)
    seqbot eval translate --limit 2000 --beam 5 --json

The held-out split is rebuilt from the fra-eng corpus and the split settings stored in the checkpoint
(no TensorFlow needed). Metrics, all on a 0-100 scale:
- chrF and BLEU: sacrebleu's corpus_chrf / corpus_bleu (default settings) against one reference each.
- exact match: share of sentences whose output equals the reference (both stripped of outer whitespace).
- character accuracy: position-wise match over the reference, without padding: for every pair and
  every position i < len(reference), a hit when the output has a character at i and it equals
  reference[i]; hits / total reference characters. Output beyond the reference length is not counted.
"""

from __future__ import annotations

import json
import sys
import time
import unicodedata
from pathlib import Path

SAMPLES = 5


def add_arguments(parser) -> None:
    parser.add_argument("--checkpoint", help="translator artifact (default checkpoints/translator.npz)")
    parser.add_argument("--pairs", help="English<TAB>French file to score on (default: the checkpoint's held-out split)")
    parser.add_argument("--corpora", help="corpora folder holding fra-eng/ (default $SEQBOT_CORPORA or corpora/)")
    parser.add_argument("--limit", type=int, help="score only the first N pairs")
    parser.add_argument("--beam", type=int, default=1, metavar="K", help="beam width; 1 = greedy (default 1)")
    parser.add_argument("--json", action="store_true", help="print one JSON object instead of a report")


def run(args) -> int:
    from seqbot.engine.translator import Translator, check_beam
    from seqbot.errors import SeqbotError

    check_beam(args.beam)
    if args.limit is not None and args.limit < 1:
        raise SeqbotError(f"--limit must be at least 1, got {args.limit}")
    translator = Translator.load(args.checkpoint)
    if args.pairs:
        pairs, source = read_pairs_file(args.pairs), str(args.pairs)
    else:
        pairs, source = held_out_pairs(translator.metadata, args.corpora), "held-out test split"
    if args.limit is not None:
        pairs = pairs[: args.limit]
    english = [pair[0] for pair in pairs]
    references = [pair[1] for pair in pairs]
    started = time.perf_counter()
    results = translator.translate_batch(english, beam=args.beam)
    seconds = time.perf_counter() - started
    hypotheses = [result.text for result in results]
    report = {
        "checkpoint": str(translator.path),
        "pairs_source": source,
        "pairs": len(pairs),
        "decoding": "greedy" if args.beam == 1 else f"beam {args.beam}",
        **translation_scores(hypotheses, references),
        "seconds": round(seconds, 3),
        "ms_per_sentence": round(1000 * seconds / len(pairs), 3),
        "samples": [
            {"english": english[i], "reference": references[i], "translation": hypotheses[i]}
            for i in sample_indices(len(pairs), SAMPLES)
        ],
    }
    if args.json:
        print(json.dumps(report, ensure_ascii=False, indent=2))
    else:
        print_report(report, translator.config)
    return 0


def translation_scores(hypotheses: list[str], references: list[str]) -> dict[str, float]:
    """chrF, BLEU, exact match and character accuracy (see the module docstring), each 0-100."""
    import sacrebleu

    if not references or len(hypotheses) != len(references):
        raise ValueError(f"need as many hypotheses as references (got {len(hypotheses)} and {len(references)}, at least 1)")
    hits = sum(
        sum(1 for out_char, ref_char in zip(hypothesis, reference) if out_char == ref_char)
        for hypothesis, reference in zip(hypotheses, references)
    )
    reference_chars = sum(len(reference) for reference in references)
    exact = sum(h.strip() == r.strip() for h, r in zip(hypotheses, references))
    return {
        "chrF": round(sacrebleu.corpus_chrf(hypotheses, [references]).score, 2),
        "BLEU": round(sacrebleu.corpus_bleu(hypotheses, [references]).score, 2),
        "exact_match": round(100.0 * exact / len(references), 2),
        "char_accuracy": round(100.0 * hits / max(reference_chars, 1), 2),
    }


def read_pairs_file(path: str | Path) -> list[tuple[str, str]]:
    """English<TAB>French lines (fra.txt format; a third attribution column is ignored, blank lines skipped),
    normalised like the training data."""
    from seqbot.errors import CorpusError

    path = Path(path)
    try:
        lines = path.read_text(encoding="utf-8").splitlines()
    except FileNotFoundError:
        raise CorpusError(f"pairs file not found: {path}") from None
    except (OSError, UnicodeDecodeError) as error:
        raise CorpusError(f"cannot read pairs file {path} as UTF-8 text ({error})") from None
    pairs = []
    for number, line in enumerate(lines, start=1):
        if not line.strip():
            continue
        columns = line.split("\t")
        if len(columns) not in (2, 3):
            raise CorpusError(f"{path}, line {number}: expected English<TAB>French (2 or 3 tab-separated columns), "
                              f"found {len(columns)} column(s): {line[:60]!r}")
        pairs.append((normalise(columns[0]), normalise(columns[1])))
    if not pairs:
        raise CorpusError(f"{path} holds no English<TAB>French pairs")
    return pairs


def normalise(text: str) -> str:
    """NFC, whitespace (no-break spaces included) collapsed, trimmed: the rule training and the Translator apply."""
    return " ".join(unicodedata.normalize("NFC", text).split())


def held_out_pairs(metadata: dict, corpora: str | None) -> list[tuple[str, str]]:
    """The checkpoint's test split, rebuilt from the corpus and metadata["split"] (seqbot.data, no TensorFlow)."""
    from seqbot.errors import CheckpointError, CorpusError

    split = metadata.get("split")
    if not split:
        raise CheckpointError("this checkpoint does not record its train/test split; pass --pairs FILE to score it")
    try:
        from seqbot.data.fra_eng import held_out_pairs as rebuild
    except ImportError as error:
        raise CorpusError(f"cannot rebuild the held-out split ({error}); pass --pairs FILE instead") from None
    return [(pair.english, pair.french) for pair in rebuild(split, corpora)]


def sample_indices(count: int, samples: int) -> list[int]:
    """`samples` indices spread evenly over range(count)."""
    if count <= samples:
        return list(range(count))
    return [round(i * (count - 1) / (samples - 1)) for i in range(samples)]


def print_report(report: dict, config: dict) -> None:
    model = f"{config.get('cell')}, attention {config.get('attention')}, {config.get('units')} units"
    print(f"checkpoint     {report['checkpoint']} ({model})")
    print(f"pairs          {report['pairs']:,} from {report['pairs_source']}, {report['decoding']}")
    print(f"chrF           {report['chrF']:.2f}")
    print(f"BLEU           {report['BLEU']:.2f}")
    print(f"exact match    {report['exact_match']:.2f} %")
    print(f"char accuracy  {report['char_accuracy']:.2f} %")
    print(f"time           {report['seconds']:.2f} s, {report['ms_per_sentence']:.2f} ms/sentence")
    print("samples")
    for sample in report["samples"]:
        print(f"  EN   {sample['english']}")
        print(f"  REF  {sample['reference']}")
        print(f"  OUT  {sample['translation']}")
    sys.stdout.flush()
