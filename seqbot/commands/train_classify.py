"""Train one of the lecture's classifiers on its real corpus and export it as a checkpoint.

    seqbot train classify spam_nb            Naive Bayes on SMS spam (seconds)
    seqbot train classify spam_rnn           SimpleRNN(32) on SMS spam
    seqbot train classify reuters            LSTM(120) on Reuters-46
    seqbot train classify nsmc               LSTM(128) on NSMC (Korean)
    seqbot train classify imdb_lstm          one of the IMDB variants (imdb, imdb_lstm_cnn_ppmi, imdb_lstm, imdb_gru, imdb_bilstm_attention)
    seqbot train classify newsgroups_nb      Naive Bayes on 20 Newsgroups

Rerunning the same name resumes from runs/classify-NAME/ (weights saved every epoch, early
stopping on the validation loss). Shipped names write checkpoints/NAME.npz; variants write
runs/classify-NAME/, where `seqbot eval classify all` finds them.
"""

from __future__ import annotations


def add_arguments(parser) -> None:
    parser.add_argument("name", help="what to train (see the list above)")
    parser.add_argument("--corpora", help="corpora folder (default $SEQBOT_CORPORA or corpora/)")
    parser.add_argument("--output", help="artifact path (default checkpoints/NAME.npz or runs/classify-NAME/)")
    parser.add_argument("--epochs", type=int, help="upper bound on epochs (default: the model's own)")
    parser.add_argument("--threads", type=int, default=1, help="TensorFlow threads (default 1)")


def run(args) -> int:
    from seqbot.errors import SeqbotError
    from seqbot.training.classify import NAMES, train

    if args.name not in NAMES:
        raise SeqbotError(f"unknown classifier {args.name!r}; choose one of {', '.join(NAMES)}")
    train(args.name, args.corpora, args.output, args.epochs, args.threads, log=lambda line: print(line, flush=True))
    return 0
