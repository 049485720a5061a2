"""Train the English-to-French character-level translator and, on request, export it.

    seqbot train translate                             the shipped translator's recipe -> RUNS/translator
    seqbot train translate --max-minutes 60            the same, stopping after an hour (rerun to continue)
    seqbot train translate --average-last 3            average the run's last 3 rounds -> runs/translator/averaged.npz
    seqbot train translate --export checkpoints/translator.npz --force   copy the best model over the shipped one
    seqbot train translate --export-from checkpoints/translator.npz --decoding greedy_candidate=true \
        --export checkpoints/translator.npz --force   the same weights with today's export (placeholders, decoding)
    seqbot train translate --recipe gru512             the previous translator (GRU 512, 50-character sentences)
    seqbot train translate --recipe keras-example      the keras-io lstm_seq2seq settings
    seqbot train translate --export-from checkpoints/translator.npz --calibration-pairs 0 --export ...   no refit

Every export refits the translator's confidence calibrators (seqbot.engine.confidence) for the weights and
decoding it exports, on --calibration-pairs of the novel split's validation pairs (default 2,000: about a
minute and a half of greedy and beam decoding on a quiet machine; 0 skips it and keeps what the artifact had).

Every flag left out keeps the recipe's value (seqbot/training/recipes.py; `seqbot models recipes`). Training writes
only under the run folder: --out, else RUNS/RECIPE where RUNS is --runs, $SEQBOT_RUNS or the project's
runs/ (never the working directory); a checkpoint is replaced only by --export, and an existing file only with
--force (the old one is kept beside it). Rerun the same command after an interruption to continue
from the last finished round.
"""

from __future__ import annotations

import json
from dataclasses import fields


def add_arguments(parser) -> None:
    parser.add_argument("--recipe", default="translator",
                        help="translator (default, the shipped model), gru512 or keras-example (`seqbot models recipes`)")
    parser.add_argument("--attention", choices=["none", "dot", "bahdanau"])
    parser.add_argument("--cell", choices=["lstm", "gru"])
    parser.add_argument("--units", type=int)
    parser.add_argument("--embedding-dim", type=int)
    parser.add_argument("--encoder-layers", type=int)
    parser.add_argument("--decoder-layers", type=int)
    parser.add_argument("--dropout", type=float, help="dropout on the embeddings, between layers and before the output layer")
    parser.add_argument("--label-smoothing", type=float)
    parser.add_argument("--epochs", type=int, help="rounds of --steps-per-epoch batches")
    parser.add_argument("--batch-size", type=int)
    parser.add_argument("--learning-rate", type=float)
    parser.add_argument("--plateau-factor", type=float,
                        help="multiply the learning rate by this after a round without a better validation loss (1: never)")
    parser.add_argument("--steps-per-epoch", type=int, help="batches per round (validation and export after each)")
    parser.add_argument("--patience", type=int, help="stop after this many rounds without a better validation loss")
    parser.add_argument("--max-validation-pairs", type=int, help="validate on the first N validation pairs only")
    parser.add_argument("--max-pairs", type=int, help="train on the first N training pairs only (smoke runs)")
    parser.add_argument("--placeholder-rate", type=float,
                        help="share of training pairs read through the engine's name and number placeholders (0: none)")
    parser.add_argument("--max-minutes", type=float, help="stop after this much training time, keeping the best round")
    parser.add_argument("--init-from", help="start from this seq2seq artifact (weights grown to the new layout); none: from scratch")
    parser.add_argument("--strategy", choices=["default", "mirrored", "multiworker"],
                        help="tf.distribute: mirrored = all local devices; multiworker = the cluster in TF_CONFIG")
    parser.add_argument("--threads", type=int, help="TensorFlow CPU threads")
    parser.add_argument("--precision", choices=["float32", "mixed_bfloat16"],
                        help="mixed_bfloat16: bfloat16 compute with float32 weights (1.3x faster on a CPU with AVX-512 BF16)")
    parser.add_argument("--out", help="run folder (default RUNS/RECIPE; resumable)")
    parser.add_argument("--runs", help="runs root (default $SEQBOT_RUNS, else runs/ in the project)")
    parser.add_argument("--average-last", type=int, metavar="N", help="after training, average the last N rounds into OUT/averaged.npz")
    parser.add_argument("--export", help="copy the best model (or the averaged one with --average-last) here")
    parser.add_argument("--force", action="store_true", help="let --export replace an existing file (kept as FILE.bak-TIME)")
    parser.add_argument("--export-from", metavar="PATH",
                        help="train nothing: export this translator artifact (e.g. the shipped one) with what an export "
                             "writes today (placeholders of the recipe's training English, --decoding)")
    parser.add_argument("--decoding", metavar="KEY=VALUE,...",
                        help="decoding settings to write into the exported artifact, chosen on the validation pairs "
                             "(`eval translate --sweep-alpha ...`), e.g. greedy_candidate=true,alpha=0.8")
    parser.add_argument("--calibration-pairs", type=int, default=2000, metavar="N",
                        help="with --export: refit the confidence calibrators on N validation pairs (default 2,000; "
                             "0: skip, keeping the artifact's own)")
    parser.add_argument("--corpora", help="folder holding fra-eng/ (and friends/, reuters21578/ for the name list)")


def run(args) -> int:
    from pathlib import Path

    from seqbot.errors import SeqbotError
    from seqbot.training.recipes import find_recipe
    from seqbot.training.translate import TrainSettings, recipe_data, recipe_settings, train_seq2seq

    recipe = find_recipe("translate", args.recipe)
    for name in ("units", "embedding_dim", "epochs", "batch_size", "max_pairs", "threads", "encoder_layers",
                 "decoder_layers", "steps_per_epoch", "average_last", "patience"):
        value = getattr(args, name)
        if value is not None and value < 1:
            raise SeqbotError(f"--{name.replace('_', '-')} must be at least 1, got {value}")
    if args.dropout is not None and not 0.0 <= args.dropout < 1.0:
        raise SeqbotError(f"--dropout must be in [0, 1), got {args.dropout}")
    if args.placeholder_rate is not None and not 0.0 <= args.placeholder_rate <= 1.0:
        raise SeqbotError(f"--placeholder-rate must be in [0, 1], got {args.placeholder_rate}")
    decoding = decoding_overrides(args.decoding) if args.decoding else None
    if (decoding or args.export_from) and not args.export:
        raise SeqbotError(f"{'--decoding' if decoding else '--export-from'} sets what an export writes; add --export PATH")
    if args.calibration_pairs and args.calibration_pairs < 20:
        raise SeqbotError(f"--calibration-pairs must be 0 (no refit) or at least 20, got {args.calibration_pairs}")
    if args.plateau_factor is not None and not 0.0 < args.plateau_factor <= 1.0:
        raise SeqbotError(f"--plateau-factor must be in (0, 1], got {args.plateau_factor}")
    if args.learning_rate is not None and args.learning_rate <= 0:
        raise SeqbotError(f"--learning-rate must be positive, got {args.learning_rate}")
    overrides = {f.name: getattr(args, f.name) for f in fields(TrainSettings) if getattr(args, f.name, None) is not None}
    settings = recipe_settings(recipe, overrides)
    if overrides.get("init_from") == "none":
        settings.init_from = None
    from seqbot.training.outputs import run_folder

    run_dir = Path(args.out) if args.out else run_folder(args.recipe, args.runs)
    if args.export:
        check_export(Path(args.export), args.force)
    data = recipe_data(recipe, args.corpora, args.max_pairs, settings.placeholder_rate)
    calibration = (args.calibration_pairs, args.corpora) if args.calibration_pairs else None
    if args.export_from:
        export(Path(args.export_from), Path(args.export), args.force, run_dir, data, decoding, calibration)
        return 0
    print(f"{len(data.train):,} training pairs, {len(data.validation):,} validation pairs; run folder {run_dir}", flush=True)
    best = train_seq2seq(data, settings, run_dir)
    print(f"best model: {best}")
    chosen = best
    if args.average_last:
        from seqbot.training.average import average_last_rounds

        chosen = average_last_rounds(run_dir, args.average_last)
        print(f"average of the last {args.average_last} rounds: {chosen}")
    if args.export:
        export(chosen, Path(args.export), args.force, run_dir, data, decoding, calibration)
    return 0


def check_export(destination, force: bool) -> None:
    from seqbot.errors import SeqbotError

    if destination.is_dir():
        raise SeqbotError(f"--export {destination} is a folder; give the artifact's file name")
    if destination.exists() and not force:
        raise SeqbotError(f"{destination} exists; add --force to replace it (the old file is kept beside it)")


def decoding_overrides(text: str) -> dict:
    """`KEY=VALUE,...` as DecodingConfig values (seqbot.commands.run_options.key_values), checked by
    DecodingConfig itself."""
    from seqbot.commands.run_options import key_values
    from seqbot.contract.decoding import DecodingConfig
    from seqbot.errors import SeqbotError

    values = key_values(text, DecodingConfig, "--decoding")
    try:
        DecodingConfig.from_dict({}, **values)
    except ValueError as error:
        raise SeqbotError(f"--decoding: {error}") from None
    return values


def export(artifact, destination, force: bool, run_dir=None, data=None, decoding: dict | None = None,
           calibration: tuple[int, str | None] | None = None) -> None:
    """Copy `artifact` to `destination` by the one export rule (seqbot.training.outputs.export_copy: an
    existing file needs `force` and is kept as destination.bak-TIME). An artifact saved before the run
    recorded how it was made gets the run's record (and the default decoding settings) in a completed
    copy in the run folder first, as does one without placeholders (seqbot.data.placeholders:
    the words of its training English, so the engine knows which names it never met) or with
    `decoding` settings to write (DecodingConfig fields, chosen on the validation pairs). With
    `calibration` (pairs, corpora) the confidence calibrators are refitted on that many of the novel
    split's validation pairs, for these weights and this decoding (translation_confidence)."""
    from seqbot.artifact import load_artifact, save_artifact
    from seqbot.training.outputs import export_copy

    from seqbot.errors import SeqbotError

    check_export(destination, force)
    if run_dir is not None and data is not None:
        loaded = load_artifact(artifact, kind="seq2seq")
        placeholders_missing = loaded.config.get("task") == "translate" and "placeholders" not in loaded.config
        needs_record = "code_version" not in loaded.metadata
        if needs_record or "decoding" not in loaded.config or placeholders_missing or decoding or calibration:
            from seqbot.contract.decoding import DecodingConfig
            from seqbot.data.placeholders import Placeholders
            from seqbot.training.loop import run_progress
            from seqbot.training.translate import seq2seq_metadata

            if needs_record:
                if not (run_dir / "run.json").exists():
                    raise SeqbotError(f"{artifact} does not record how it was made, and {run_dir} holds no run.json "
                                      f"to take it from; give the run folder with --out")
                run = json.loads((run_dir / "run.json").read_text())
                loaded.metadata = seq2seq_metadata(run, data, run_progress(run_dir)) | loaded.metadata
            loaded.config.setdefault("decoding", DecodingConfig().to_dict())
            if decoding:
                loaded.config["decoding"] = DecodingConfig.from_dict(loaded.config["decoding"], **decoding).to_dict()
            if placeholders_missing:
                loaded.config["placeholders"] = Placeholders.from_pairs(english for english, _ in data.train).to_config()
            if calibration and loaded.config.get("task") == "translate":
                from seqbot.evaluation.translation_confidence import calibrate_artifact, validation_pairs

                pairs, corpora = calibration
                print(f"fitting the confidence calibrators on {pairs:,} validation pairs (--calibration-pairs)", flush=True)
                try:
                    calibrate_artifact(loaded, validation_pairs(corpora, pairs), log=lambda line: print(line, flush=True))
                except ValueError as error:  # e.g. a smoke run's model gets no translation right: export it anyway
                    loaded.config.pop("confidence", None)
                    print(f"warning: exported without a confidence calibrator ({error}); fit one later with "
                          f"`seqbot train calibrate {destination}`", flush=True)
            run_dir.mkdir(parents=True, exist_ok=True)
            artifact = save_artifact(run_dir / "export.npz", loaded)
    export_copy(artifact, destination, force)
