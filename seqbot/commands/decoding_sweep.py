"""Choose the beam search's length penalty on the novel split's validation pairs, never on its test pairs.

    seqbot eval translate --sweep-alpha 0,0.2,0.4,0.6,0.8,1.0 --limit 1000          gnmt, the checkpoint's beam
    seqbot eval translate --sweep-alpha 0.4,0.6,0.8 --sweep-beam 4,8 --penalty average
    seqbot eval translate --sweep-alpha 0.6,1 --sweep-greedy-candidate   each setting with and without the greedy candidate

Every setting translates the same validation pairs (a seeded sample with --limit): greedy, the
checkpoint's own decoding (the baseline), then each beam width x alpha with --penalty (default gnmt).
Each row gives chrF and BLEU, the output length over the reference length, and on how many sentences
beam scores below greedy (sentence chrF). The best chrF is named with the DecodingConfig values that
would record it; the probes and the test pairs play no part in the choice.
"""

from __future__ import annotations

import sys
import time

from seqbot.errors import SeqbotError

DEFAULT_PENALTY = "gnmt"


def parse_list(text: str, convert, option: str) -> list:
    """"0,0.2,0.4" -> [0.0, 0.2, 0.4] with `convert`; a SeqbotError naming `option` otherwise."""
    try:
        values = [convert(part) for part in text.split(",") if part.strip()]
    except ValueError:
        raise SeqbotError(f"{option} takes comma-separated numbers, e.g. {option} 0.4,0.6,0.8; got {text!r}") from None
    if not values:
        raise SeqbotError(f"{option} needs at least one value")
    return values


def sweep_settings(base, alphas: list[float], beams: list[int], penalty: str, greedy_candidates=(None,)) -> list:
    """greedy, `base` (the checkpoint's decoding), then every beam x alpha x greedy_candidate (None:
    the checkpoint's) with `penalty`, each once."""
    from seqbot.contract.decoding import DecodingConfig

    settings = [DecodingConfig.from_dict(base.to_dict(), beam=1, greedy_candidate=False), base]
    for beam in beams:
        for alpha in alphas:
            for greedy_candidate in greedy_candidates:
                try:
                    setting = DecodingConfig.from_dict(base.to_dict(), beam=beam, alpha=alpha, penalty=penalty,
                                                       greedy_candidate=greedy_candidate)
                except ValueError as error:
                    raise SeqbotError(f"cannot sweep beam {beam}, {penalty} alpha {alpha}: {error}") from None
                if setting not in settings:
                    settings.append(setting)
    return settings


def describe(setting) -> str:
    if setting.beam == 1:
        return "greedy"
    return f"beam {setting.beam}, {setting.penalty} alpha {setting.alpha:g}" + (" + greedy" if setting.greedy_candidate else "")


def run_sweep(translator, english: list[str], references: list[str], settings: list, translate) -> list[dict]:
    """One row of scores per setting; `translate(translator, english)` decodes with translator.decoding."""
    from seqbot.commands.eval_translate import translation_scores
    from seqbot.data.translation_probes import sentence_chrf

    original = translator.decoding
    rows, greedy_chrf = [], None
    try:
        for setting in settings:
            print(f"seqbot: sweep: {describe(setting)}", file=sys.stderr)
            translator.decoding = setting
            started = time.perf_counter()
            outputs = [result.text for result in translate(translator, english)]
            seconds = time.perf_counter() - started
            chrf = [sentence_chrf(output, [reference]) for output, reference in zip(outputs, references)]
            if greedy_chrf is None:
                greedy_chrf = chrf
            rows.append({
                "decoding": describe(setting), "setting": setting.to_dict(),
                **translation_scores(outputs, references),
                "length_ratio": round(sum(map(len, outputs)) / max(sum(map(len, references)), 1), 3),
                "worse_than_greedy": sum(ours < greedy for ours, greedy in zip(chrf, greedy_chrf)),
                "ms_per_sentence": round(1000 * seconds / len(english), 2),
            })
    finally:
        translator.decoding = original
    return rows


def best_row(rows: list[dict]) -> dict:
    """The beam setting with the highest chrF (BLEU breaks a tie, then the earlier row)."""
    beams = [row for row in rows if row["setting"]["beam"] > 1]
    return max(beams, key=lambda row: (row["chrF"], row["BLEU"]))


def print_sweep(rows: list[dict], pairs: int, source: str) -> None:
    print(f"length-penalty sweep on {pairs:,} pairs from {source}")
    print(f"  {'decoding':<28} {'chrF':>6} {'BLEU':>6} {'length':>7} {'< greedy':>9} {'ms/sent':>8}")
    for row in rows:
        print(f"  {row['decoding']:<28} {row['chrF']:6.2f} {row['BLEU']:6.2f} {row['length_ratio']:7.3f} "
              f"{row['worse_than_greedy']:9,} {row['ms_per_sentence']:8.2f}")
    best = best_row(rows)
    setting = best["setting"]
    print(f"best on validation: {best['decoding']} (chrF {best['chrF']:.2f}); as the artifact's decoding: "
          f"beam={setting['beam']}, penalty={setting['penalty']!r}, alpha={setting['alpha']:g}, "
          f"greedy_candidate={setting.get('greedy_candidate', False)}")
    sys.stdout.flush()
