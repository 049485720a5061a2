"""Fit and score the translator's sentence confidence (seqbot.engine.confidence). NumPy and sacrebleu only.

    seqbot train calibrate translator                          fit on 2,000 validation pairs -> runs/calibrate-translator/
    seqbot train calibrate translator --export checkpoints/translator.npz --force
    seqbot train calibrate translator --pairs 300 --greedy-only    a quick look while developing
    calibrate_translator("checkpoints/translator.npz", "runs/x/translator.npz", corpora=None, pairs=2000)
    confidence_report(results, references)                     AUROC, ECE, chrF of sure vs unsure sentences

The calibrators are fitted on a seeded sample of the novel split's VALIDATION pairs (never its test
pairs, which `seqbot eval translate` scores them on), each decoded as the artifact decodes them:
one for greedy decoding and one for beam search at the artifact's width (4 when it decodes greedy).
A translation counts as good when its sentence chrF against the reference is >= GOOD_CHRF (50): on
this corpus that is about where a sentence stops being a usable translation (a wrong verb or noun
costs most of a short sentence's character n-grams). `seqbot train translate --export` refits them
for the weights it exports.
"""

from __future__ import annotations

import random
from pathlib import Path

import numpy as np

from seqbot.engine.confidence import (BEAM_FEATURES, GOOD_CHRF, GREEDY_FEATURES, SURE, UNSURE, Calibrator,
                                      ConfidenceModel, auroc, binary_ece)

DEFAULT_PAIRS = 2000
SEED = 0  # the validation sample, as `seqbot eval translate --limit` samples
CHUNK = 250  # sentences translated between two progress reports
BEAM_WHEN_GREEDY = 4  # the beam calibrator's width for an artifact whose own decoding is greedy


def good_labels(outputs: list[str], references: list[str]) -> np.ndarray:
    """Whether each output's sentence chrF against its reference is >= GOOD_CHRF."""
    return np.array([chrf >= GOOD_CHRF for chrf in sentence_chrfs(outputs, references)], dtype=bool)


def sentence_chrfs(outputs: list[str], references: list[str]) -> list[float]:
    import sacrebleu

    return [sacrebleu.sentence_chrf(output, [reference]).score for output, reference in zip(outputs, references)]


def translate_all(translator, english: list[str], beam: int, log=print) -> list:
    """translator.translate_batch(english, beam=beam) in chunks, saying how far it is."""
    results = []
    for start in range(0, len(english), CHUNK):
        results += translator.translate_batch(english[start:start + CHUNK], beam=beam)
        log(f"  beam {beam}: {len(results):,}/{len(english):,} sentences")
    return results


def fit_confidence(translator, english: list[str], references: list[str], greedy: bool = True, beam: bool = True,
                   log=print) -> tuple[ConfidenceModel, dict]:
    """Calibrators for greedy and beam decoding, fitted on (english, references); (model, report).
    Sentences the translator does not decode (no Latin letter, nothing it can read) are left out."""
    if not (greedy or beam):
        raise ValueError("fit at least one of the greedy and beam calibrators")
    width = translator.decoding.beam if translator.decoding.beam > 1 else BEAM_WHEN_GREEDY
    fitted: dict[str, Calibrator | None] = {"greedy": None, "beam": None}
    report: dict = {}
    for key, decode_width, names in (("greedy", 1, GREEDY_FEATURES), ("beam", width, BEAM_FEATURES)):
        if not (greedy if key == "greedy" else beam):
            continue
        results = translate_all(translator, english, decode_width, log)
        rows = [i for i, result in enumerate(results) if result.features is not None]
        matrix = np.array([results[i].features.vector(names) for i in rows])
        labels = good_labels([results[i].text for i in rows], [references[i] for i in rows])
        calibrator = Calibrator.fit(matrix, labels, names)
        probabilities = calibrator.probabilities(matrix)
        fitted[key] = calibrator
        report[key] = {"beam": decode_width, "pairs": len(rows), "good_share": round(float(labels.mean()), 4),
                       "auroc_fit": round(auroc(probabilities, labels), 4),
                       "ece_fit": round(binary_ece(probabilities, labels), 4),
                       "weights": {name: round(float(w), 4) for name, w in zip(names, calibrator.weights)}}
        log(f"{key} (beam {decode_width}): {len(rows):,} pairs, {labels.mean():.1%} good; on these pairs AUROC "
            f"{report[key]['auroc_fit']:.3f}, ECE {report[key]['ece_fit']:.3f}")
    fitted_on = {"pairs": "novel split (validation)", "sentences": len(english), "seed": SEED,
                 "decoding": translator.decoding.to_dict()}
    return ConfidenceModel(fitted["greedy"], fitted["beam"], fitted_on=fitted_on), report


def validation_pairs(corpora: str | None, count: int | None = DEFAULT_PAIRS) -> list[tuple[str, str]]:
    """A seeded sample of `count` of the novel split's validation pairs (all of them for None)."""
    from seqbot.data.fra_eng import locate, read_pairs
    from seqbot.data.novel_split import novel_split

    pairs = [(pair.english, pair.french) for pair in novel_split(read_pairs(locate(corpora)))["validation"]]
    return pairs if count is None else random.Random(SEED).sample(pairs, min(count, len(pairs)))


def calibrate_artifact(artifact, pairs: list[tuple[str, str]], greedy: bool = True, beam: bool = True,
                       log=print) -> dict:
    """Fit the calibrators of a translator artifact in place (config["confidence"], and the fit's report
    in metadata["confidence_calibration"]); returns the report."""
    from seqbot.engine.translator import Translator

    if artifact.config.get("task", "translate") != "translate":
        raise ValueError(f"only a translator takes a confidence calibrator; this seq2seq model is for "
                         f"{artifact.config.get('task')!r}")
    artifact.config.pop("confidence", None)  # decode without the old calibrator (it is refitted)
    translator = Translator(artifact)
    english, references = [pair[0] for pair in pairs], [pair[1] for pair in pairs]
    model, report = fit_confidence(translator, english, references, greedy, beam, log)
    artifact.config["confidence"] = model.to_config()
    artifact.metadata["confidence_calibration"] = {"good": model.good, **model.fitted_on, **report}
    return report


def calibrate_translator(path: str | Path, output: str | Path, corpora: str | None = None,
                         pairs: int | None = DEFAULT_PAIRS, greedy: bool = True, beam: bool = True, log=print) -> dict:
    """Fit the translator at `path` on `pairs` validation pairs and write it, calibrated, to `output`."""
    from seqbot.artifact import load_artifact, save_artifact

    artifact = load_artifact(path, kind="seq2seq")
    chosen = validation_pairs(corpora, pairs)
    log(f"fitting the confidence of {path} on {len(chosen):,} validation pairs of the novel split")
    report = calibrate_artifact(artifact, chosen, greedy, beam, log)
    save_artifact(Path(output), artifact)
    return report


def confidence_report(results: list, references: list[str], bins: int = 10) -> dict | None:
    """How well the confidence of `results` (Translations) tells good translations from bad against
    `references`: AUROC, ECE over `bins` bins, and the corpus chrF of the sure (>= SURE) and unsure
    (< UNSURE) sentences. None when no result has a confidence (an artifact without a calibrator)."""
    import sacrebleu

    rows = [i for i, result in enumerate(results) if result.confidence is not None]
    if not rows:
        return None
    confidence = np.array([results[i].confidence for i in rows])
    labels = good_labels([results[i].text for i in rows], [references[i] for i in rows])
    report = {"good": f"sentence chrF >= {GOOD_CHRF:g}", "pairs": len(rows), "good_share": round(float(labels.mean()), 4),
              "mean_confidence": round(float(confidence.mean()), 4),
              "auroc": round(auroc(confidence, labels), 4) if 0 < labels.sum() < len(labels) else None,
              "ece": round(binary_ece(confidence, labels, bins), 4)}
    for name, inside in (("sure", confidence >= SURE), ("unsure", confidence < UNSURE)):
        chosen = [rows[i] for i in np.flatnonzero(inside)]
        report[name] = {"pairs": len(chosen), "chrF": round(sacrebleu.corpus_chrf(
            [results[i].text for i in chosen], [[references[i] for i in chosen]]).score, 2) if chosen else None}
    if report["sure"]["chrF"] is not None and report["unsure"]["chrF"] is not None:
        report["sure_minus_unsure_chrF"] = round(report["sure"]["chrF"] - report["unsure"]["chrF"], 2)
    return report
