"""Talk to the dialogue model: one reply per message, from the arguments or, without them, from
each line of standard input.

    seqbot chat "How are you?" "What's your name?"
    seqbot chat --beam 5 "Where are you going?"
    printf 'hi\\nbye\\n' | seqbot chat

Beam search (--beam K > 1) uses a length penalty and a repetition guard; --beam 1 is greedy and
streams each reply as it is decoded.
"""

from __future__ import annotations

import sys


def add_arguments(parser) -> None:
    parser.add_argument("text", nargs="*", help="messages (default: read one per line from standard input)")
    parser.add_argument("--checkpoint", help="chat artifact (default checkpoints/chat.npz)")
    parser.add_argument("--beam", type=int, help="beam width; 1 = greedy, streamed (default: the model's decoding settings, 5)")


def run(args) -> int:
    from seqbot.commands.lines import input_texts
    from seqbot.contract.limits import beam_problem
    from seqbot.contract.text import normalise
    from seqbot.engine.chat import Chatbot
    from seqbot.errors import SeqbotError

    if args.beam is not None and beam_problem(args.beam):
        raise SeqbotError(f"--beam: {beam_problem(args.beam)}")
    bot = Chatbot.load(args.checkpoint)
    beam = bot.decoding.beam if args.beam is None else args.beam
    for message in input_texts(args.text, hint="type messages to the chatbot"):
        if not message.strip():
            print(flush=True)  # one output line per input line: a blank stays blank
            continue
        unknown = bot.unknown_characters(message)
        if set(normalise(message).replace(" ", "")) <= set(unknown):
            print(f"seqbot: nothing the chat model can read in {message[:40]!r} (only characters it never saw); "
                  "no reply", file=sys.stderr)
            print(flush=True)
            continue
        if unknown:
            print(f"seqbot: characters the model never saw, read as unknown: {''.join(unknown)!r}", file=sys.stderr)
        if len(normalise(message)) > bot.max_source_length:
            print(f"seqbot: the chat model reads at most {bot.max_source_length} characters; the rest was ignored",
                  file=sys.stderr)
        if beam == 1:
            for piece in bot.stream(message):
                sys.stdout.write(piece)
                sys.stdout.flush()
            sys.stdout.write("\n")
        else:
            print(bot.reply(message, beam=beam), flush=True)
    return 0
