"""Train one of the lecture's classifiers on its real corpus (recipes in seqbot.training.classify).

    seqbot train classify spam_nb                     Naive Bayes on SMS spam (seconds)
    seqbot train classify spam_rnn                    SimpleRNN(32) on SMS spam
    seqbot train classify reuters                     LSTM(120) on Reuters-46
    seqbot train classify nsmc_spm_attention_98       the shipped NSMC model's recipe
    seqbot train classify imdb_lstm_cnn_crops         the shipped IMDB model's recipe
    seqbot train classify spam_rnn --epochs 1 --train-limit 500     a smoke run
    seqbot train classify spam_rnn --export checkpoints/spam_rnn.npz --force

Every run writes only runs/classify-NAME/ (root: --runs, $SEQBOT_RUNS, runs/); rerunning the same
command resumes it. --export copies the artifact; replacing an existing file needs --force, and
the old file is kept beside it as NAME.npz.bak-<timestamp>. Options left out keep the recipe's value.
"""

from __future__ import annotations

from seqbot.commands.run_options import add_run_options

# option -> ClassifyConfig field; every default is None so only what is given overrides the recipe
OVERRIDES = {"epochs": int, "batch_size": int, "learning_rate": float, "patience": int, "max_length": int,
             "train_limit": int, "validation_fraction": float, "seed": int, "clipnorm": float, "plateau_factor": float,
             "init_from": str}


def add_arguments(parser) -> None:
    parser.add_argument("name", help="recipe to train (see the list above, or `seqbot models recipes`)")
    for option, kind in OVERRIDES.items():
        parser.add_argument(f"--{option.replace('_', '-')}", type=kind, default=None, help="override the recipe's value")
    add_run_options(parser, "checkpoints/spam_rnn.npz")


def run(args) -> int:
    from seqbot.errors import SeqbotError
    from seqbot.evaluation.calibration import calibrate_classifier
    from seqbot.training.classify import NAMES, train

    if args.name not in NAMES:
        raise SeqbotError(f"unknown classifier {args.name!r}; choose one of {', '.join(NAMES)}")
    overrides = {option: getattr(args, option) for option in OVERRIDES}
    train(args.name, args.corpora, overrides, export=args.export, force=args.force, threads=args.threads,
          strategy=args.strategy, runs=args.runs, log=lambda line: print(line, flush=True), calibrate=calibrate_classifier)
    return 0
