"""Score the translator on held-out English-French pairs: chrF, BLEU, exact match, character accuracy,
overall and by English length, plus probes of what people type first (greetings, names, numbers,
capitals, a paragraph) and greedy against beam on 30 everyday sentences (beam must score >= greedy).

    seqbot eval translate                          the novel split's 6,000 test pairs (seqbot.data.novel_split)
    seqbot eval translate --split checkpoint       the test split recorded in the checkpoint (older models: by English only)
    seqbot eval translate --split train --limit 2000   pairs the model trained on: how well it fits
    seqbot eval translate --pairs my_pairs.txt     a file of English<TAB>French lines (a third column is ignored)
    seqbot eval translate --limit 2000 --beam 4 --json
    seqbot eval translate --penalty gnmt --alpha 0.6              another length penalty than the checkpoint's
    seqbot eval translate --sweep-alpha 0,0.2,0.4,0.6,0.8,1 --limit 1000   choose alpha on the VALIDATION pairs

The novel split keeps every paraphrase cluster (same folded English or French) on one side and draws
its test pairs from sentences the previously shipped translator never trained on, so every model is
scored on sentences it never saw. The pairs are rebuilt from the fra-eng corpus (no TensorFlow needed).
Metrics, all on a 0-100 scale:
- chrF and BLEU: sacrebleu's corpus_chrf / corpus_bleu (default settings) against one reference each.
- exact match: share of sentences whose output equals the reference (both stripped of outer whitespace).
- character accuracy: position-wise match over the reference, without padding: for every pair and
  every position i < len(reference), a hit when the output has a character at i and it equals
  reference[i]; hits / total reference characters. Output beyond the reference length is not counted.
- confidence (a checkpoint with a calibrator, seqbot.engine.confidence): how well the calibrated sentence
  confidence tells good translations (sentence chrF >= 50) from bad ones: AUROC, ECE over 10 bins of
  the predicted probability, and the corpus chrF of the sentences it is sure of (>= 0.7) and unsure
  of (< 0.5) (seqbot.evaluation.translation_confidence.confidence_report).
"""

from __future__ import annotations

import json
import sys
import time
import unicodedata
from pathlib import Path

from seqbot.commands.decoding_sweep import describe
from seqbot.errors import SeqbotError

SAMPLES = 5
PROGRESS_CHUNK = 500  # sentences translated between two progress reports


def add_arguments(parser) -> None:
    parser.add_argument("--checkpoint", help="translator artifact (default checkpoints/translator.npz)")
    parser.add_argument("--pairs", help="English<TAB>French file to score on (default: the novel split's test pairs)")
    parser.add_argument("--split", choices=["novel", "checkpoint", "train", "validation"], default=None,
                        help="novel: the novel split's test pairs (default); checkpoint: the test split the checkpoint "
                             "records; train: the novel split's training pairs (fit); validation: its validation pairs "
                             "(to choose between models without looking at the test pairs)")
    parser.add_argument("--no-probes", action="store_true", help="skip the probes (greetings, names, numbers, capitals, paragraph, everyday greedy vs beam)")
    parser.add_argument("--corpora", help="corpora folder holding fra-eng/ (default $SEQBOT_CORPORA or corpora/)")
    parser.add_argument("--limit", type=int, help="score N pairs only: a seeded sample of the novel split, else the first N")
    parser.add_argument("--beam", type=int, metavar="K", help="beam width; 1 = greedy (default: the checkpoint's decoding settings)")
    parser.add_argument("--penalty", choices=["average", "gnmt"],
                        help="length penalty of beam search (default: the checkpoint's; with --sweep-alpha: gnmt)")
    parser.add_argument("--alpha", type=float, help="length penalty alpha (default: the checkpoint's)")
    parser.add_argument("--sweep-alpha", metavar="A,B,...",
                        help="score each alpha (with --penalty) on the novel split's validation pairs, against "
                             "greedy and the checkpoint's decoding, and name the best (seqbot.commands.decoding_sweep)")
    parser.add_argument("--sweep-greedy-candidate", action="store_true",
                        help="sweep every setting with and without the greedy hypothesis as a beam candidate "
                             "(DecodingConfig.greedy_candidate)")
    parser.add_argument("--sweep-beam", metavar="K,L,...",
                        help="beam widths for --sweep-alpha (default: --beam, else the checkpoint's)")
    parser.add_argument("--no-placeholders", action="store_true",
                        help="feed unknown names and numbers as typed, not behind the checkpoint's stand-ins (seqbot.data.placeholders)")
    parser.add_argument("--likelihood", action="store_true",
                        help="also score the references teacher-forced: per-character NLL, the label-smoothed loss "
                             "(0.1) and its uniform part, top-1 accuracy (seqbot.engine.likelihood)")
    parser.add_argument("--json", action="store_true", help="print one JSON object instead of a report")


def run(args) -> int:
    from seqbot.engine.decoding import check_beam
    from seqbot.engine.translator import Translator

    if args.beam is not None:
        check_beam(args.beam)
    if args.limit is not None and args.limit < 1:
        raise SeqbotError(f"--limit must be at least 1, got {args.limit}")
    translator = Translator.load(args.checkpoint)
    if args.no_placeholders:
        translator.placeholders = None
    if args.sweep_alpha is not None:
        return run_sweep(args, translator)
    if args.sweep_beam is not None:
        raise SeqbotError("--sweep-beam goes with --sweep-alpha")
    translator.decoding = decoding_with(translator.decoding, penalty=args.penalty, alpha=args.alpha)
    args.split = args.split or "novel"
    if args.pairs:
        pairs, source = read_pairs_file(args.pairs), str(args.pairs)
    elif args.split == "checkpoint":
        pairs, source = held_out_pairs(translator.metadata, args.corpora), "the checkpoint's own test split"
    else:
        part = "test" if args.split == "novel" else args.split
        pairs, source = novel_pairs(args.corpora, part), f"novel split ({part})"
    if args.limit is not None:
        # The corpus is sorted by length: the novel split's parts are sampled (seeded), not cut.
        pairs = sample(pairs, args.limit) if not args.pairs and args.split != "checkpoint" else pairs[: args.limit]
    english = [pair[0] for pair in pairs]
    references = [pair[1] for pair in pairs]
    started = time.perf_counter()
    results = translate_with_progress(translator, english, args.beam)
    seconds = time.perf_counter() - started
    hypotheses = [result.text for result in results]
    from seqbot.evaluation.translation_confidence import confidence_report

    confidence = confidence_report(results, references)
    report = {
        "checkpoint": str(translator.path),
        "pairs_source": source,
        "pairs": len(pairs),
        "decoding": describe(decoding_with(translator.decoding, beam=args.beam)),
        "placeholders": translator.placeholders is not None,
        **translation_scores(hypotheses, references),
        "buckets": bucket_scores(english, hypotheses, references),
        "confidence": confidence,
        "seconds": round(seconds, 3),
        "ms_per_sentence": round(1000 * seconds / len(pairs), 3),
        "samples": [
            {"english": english[i], "reference": references[i], "translation": hypotheses[i]}
            for i in sample_indices(len(pairs), SAMPLES)
        ],
    }
    if args.likelihood:
        from seqbot.engine.likelihood import reference_scores

        report["likelihood"] = reference_scores(translator, pairs).to_dict()
    if not args.no_probes:
        from seqbot.errors import CorpusError

        try:
            report["probes"] = probe_report(translator, args.beam, args.corpora)
        except CorpusError as error:  # a --pairs file scores without the corpus; the probes need it
            print(f"seqbot: probes skipped: {error}", file=sys.stderr)
        report["everyday"] = everyday_report(translator, args.beam)
    if args.json:
        print(json.dumps(report, ensure_ascii=False, indent=2))
    else:
        print_report(report, translator.config)
    return 0


def decoding_with(config, **overrides):
    """`config` with the overrides that are not None; a SeqbotError for a bad value."""
    from seqbot.contract.decoding import DecodingConfig

    try:
        return DecodingConfig.from_dict(config.to_dict(), **overrides)
    except ValueError as error:
        raise SeqbotError(str(error)) from None


def run_sweep(args, translator) -> int:
    """--sweep-alpha: the length penalty scored on the novel split's validation pairs (decoding_sweep)."""
    from seqbot.commands import decoding_sweep

    if args.pairs or args.split not in (None, "validation"):
        raise SeqbotError("--sweep-alpha chooses decoding on the novel split's validation pairs only: "
                          "drop --pairs / --split (never choose it on the test pairs)")
    alphas = decoding_sweep.parse_list(args.sweep_alpha, float, "--sweep-alpha")
    beams = decoding_sweep.parse_list(args.sweep_beam, int, "--sweep-beam") if args.sweep_beam else \
        [args.beam or translator.decoding.beam]
    if min(beams) < 2:
        raise SeqbotError(f"a length penalty only matters to beam search: sweep beam widths of 2 or more, got {beams} "
                          "(--beam or --sweep-beam)")
    if args.alpha is not None:
        raise SeqbotError("--alpha and --sweep-alpha do not go together: the sweep sets alpha")
    settings = decoding_sweep.sweep_settings(translator.decoding, alphas, beams, args.penalty or decoding_sweep.DEFAULT_PENALTY,
                                             (False, True) if args.sweep_greedy_candidate else (None,))
    pairs = novel_pairs(args.corpora, "validation")
    if args.limit is not None:
        pairs = sample(pairs, args.limit)
    english, references = [pair[0] for pair in pairs], [pair[1] for pair in pairs]
    rows = decoding_sweep.run_sweep(translator, english, references, settings,
                                    lambda model, texts: translate_with_progress(model, texts, None))
    source = "novel split (validation)"
    if args.json:
        print(json.dumps({"checkpoint": str(translator.path), "pairs_source": source, "pairs": len(pairs), "rows": rows,
                          "best": decoding_sweep.best_row(rows)["setting"]}, ensure_ascii=False, indent=2))
    else:
        decoding_sweep.print_sweep(rows, len(pairs), source)
    return 0


def everyday_report(translator, beam: int | None) -> dict:
    """Greedy against beam search on the everyday probe (translation_probes.EVERYDAY; no corpus needed).
    The beam width is --beam, else the checkpoint's, else 4 when either of those is greedy."""
    from seqbot.data.translation_probes import EVERYDAY, compare_decodings

    width = next((width for width in (beam, translator.decoding.beam) if width and width > 1), 4)
    english = [probe.english for probe in EVERYDAY]
    greedy = [result.text for result in translator.translate_batch(english, beam=1)]
    beamed = [result.text for result in translator.translate_batch(english, beam=width)]
    return {"decoding": describe(decoding_with(translator.decoding, beam=width)), **compare_decodings(greedy, beamed)}


def translate_with_progress(translator, english: list[str], beam: int | None, chunk: int = PROGRESS_CHUNK, stream=None):
    """translator.translate_batch(english), in chunks so that a run of minutes shows its progress on stderr
    (results do not depend on how sentences are batched: tests/test_beam_batch.py)."""
    from seqbot.commands.progress import Progress

    progress = Progress("translating", len(english), stream=stream)
    results = []
    for start in range(0, len(english), chunk):
        results += translator.translate_batch(english[start:start + chunk], beam=beam)
        progress.update(len(results))
    progress.finish()
    return results


BUCKETS = ((0, 20, "<=20"), (21, 40, "21-40"), (41, 60, "41-60"), (61, 10**9, ">60"))


def bucket_scores(english: list[str], hypotheses: list[str], references: list[str]) -> dict[str, dict]:
    """The scores of each English-length bucket (characters): <=20, 21-40, 41-60, >60."""
    buckets = {}
    for low, high, name in BUCKETS:
        rows = [i for i, text in enumerate(english) if low <= len(text) <= high]
        if rows:
            buckets[name] = {"pairs": len(rows), **translation_scores([hypotheses[i] for i in rows], [references[i] for i in rows])}
    return buckets


def novel_pairs(corpora: str | None, part: str) -> list[tuple[str, str]]:
    from seqbot.data.fra_eng import locate, read_pairs
    from seqbot.data.novel_split import novel_split
    from seqbot.errors import CorpusError

    try:
        pairs = read_pairs(locate(corpora))
    except CorpusError as error:
        raise CorpusError(f"{error}; or pass --pairs FILE to score on your own English<TAB>French pairs") from None
    return [(pair.english, pair.french) for pair in novel_split(pairs)[part]]


def sample(pairs: list, count: int, seed: int = 0) -> list:
    import random

    return random.Random(seed).sample(pairs, min(count, len(pairs)))


def probe_report(translator, beam: int, corpora: str | None) -> dict:
    """Pass rate of each probe group (seqbot.data.translation_probes) and the probes that failed."""
    from seqbot.data.fra_eng import locate, read_pairs
    from seqbot.data.translation_probes import build_probes, passes

    probes = build_probes(read_pairs(locate(corpora)))
    outputs = [result.text for result in translator.translate_batch([probe.english for probe in probes], beam=beam)]
    groups: dict[str, dict] = {}
    for probe, output in zip(probes, outputs):
        group = groups.setdefault(probe.group, {"probes": 0, "passed": 0, "failed": []})
        group["probes"] += 1
        if passes(probe, output):
            group["passed"] += 1
        else:
            group["failed"].append({"english": probe.english, "translation": output})
    for group in groups.values():
        group["pass_rate"] = round(100.0 * group["passed"] / group["probes"], 1)
    return groups


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
    names = "unknown names and numbers behind stand-ins" if report["placeholders"] else "names and numbers as typed"
    print(f"pairs          {report['pairs']:,} from {report['pairs_source']}, {report['decoding']}, {names}")
    print(f"chrF           {report['chrF']:.2f}")
    print(f"BLEU           {report['BLEU']:.2f}")
    print(f"exact match    {report['exact_match']:.2f} %")
    print(f"char accuracy  {report['char_accuracy']:.2f} %")
    print(f"time           {report['seconds']:.2f} s, {report['ms_per_sentence']:.2f} ms/sentence")
    if "likelihood" in report:
        scores = report["likelihood"]
        print(f"likelihood     NLL {scores['nll']:.4f} per character (top-1 {scores['accuracy']:.2%}); smoothed loss "
              f"{scores['smoothed']:.4f} = 0.9 NLL + 0.1 x uniform part {scores['uniform']:.3f} (teacher-forced)")
    confidence = report.get("confidence")
    if confidence is None:
        print("confidence     none: this checkpoint has no calibrator (`seqbot train calibrate translator`)")
    else:
        auroc = "n/a" if confidence["auroc"] is None else f"{confidence['auroc']:.3f}"
        print(f"confidence     AUROC {auroc}, ECE {confidence['ece']:.3f} (10 bins); good ({confidence['good']}) "
              f"{confidence['good_share']:.1%} of sentences, mean confidence {confidence['mean_confidence']:.3f}")
        for name in ("sure", "unsure"):
            part = confidence[name]
            shown = "-" if part["chrF"] is None else f"{part['chrF']:.2f}"
            print(f"  {name:<6} {'>= 0.7' if name == 'sure' else '<  0.5'}  {part['pairs']:>6,} pairs  chrF {shown}")
    print("by English length (characters)")
    for name, bucket in report["buckets"].items():
        print(f"  {name:>6}  {bucket['pairs']:>6,} pairs  chrF {bucket['chrF']:6.2f}  BLEU {bucket['BLEU']:6.2f}  "
              f"exact {bucket['exact_match']:6.2f} %")
    if "probes" in report:
        print("probes")
        for name, group in report["probes"].items():
            print(f"  {name:<10} {group['passed']:>3} / {group['probes']:<3} ({group['pass_rate']:.1f} %)")
            for failure in group["failed"][:3]:
                print(f"      {failure['english']}  ->  {failure['translation']}")
    if "everyday" in report:
        everyday = report["everyday"]
        verdict = "beam >= greedy" if everyday["beam_at_least_greedy"] else "beam < greedy (FAILED)"
        print(f"everyday       {everyday['probes']} sentences, sentence chrF: greedy {everyday['greedy_chrF']:.2f}, "
              f"{everyday['decoding']} {everyday['beam_chrF']:.2f}: {verdict}")
        for row in everyday["beam_worse"]:
            print(f"      {row['english']}  greedy {row['greedy']!r} ({row['greedy_chrF']:.1f})  "
                  f"beam {row['beam']!r} ({row['beam_chrF']:.1f})")
    print("samples")
    for sample in report["samples"]:
        print(f"  EN   {sample['english']}")
        print(f"  REF  {sample['reference']}")
        print(f"  OUT  {sample['translation']}")
    sys.stdout.flush()
