"""Talk to the dialogue model: one reply per message, from the arguments or, without them, from
each line of standard input.

    seqbot chat "How are you?" "What's your name?"
    seqbot chat --beam 5 "Where are you going?"
    printf 'hi\\nbye\\n' | seqbot chat

Beam search (--beam K > 1) uses a length penalty and a repetition guard; --beam 1 is greedy and
streams each reply as it is decoded. The messages are one conversation: a model trained with the
previous line as context reads its own reply to the message before (--no-context: none).
A message longer than the model reads is cut to its last whole sentences that fit, as in training.
"""

from __future__ import annotations

import sys


def add_arguments(parser) -> None:
    parser.add_argument("text", nargs="*", help="messages (default: read one per line from standard input)")
    parser.add_argument("--checkpoint", help="chat artifact (default checkpoints/chat.npz)")
    parser.add_argument("--beam", type=int, help="beam width; 1 = greedy, streamed (default: the model's decoding settings, 5)")
    parser.add_argument("--no-context", action="store_true",
                        help="answer each message on its own (a model trained with context then reads no previous line)")


def run(args) -> int:
    from seqbot.commands.lines import input_texts
    from seqbot.contract.limits import beam_problem
    from seqbot.contract.text import message_text, normalise
    from seqbot.engine.chat import Chatbot
    from seqbot.errors import SeqbotError

    if args.beam is not None and beam_problem(args.beam):
        raise SeqbotError(f"--beam: {beam_problem(args.beam)}")
    bot = Chatbot.load(args.checkpoint)
    beam = bot.decoding.beam if args.beam is None else args.beam
    previous = ""  # the bot's reply to the message before: a context model reads it first
    for message in input_texts(args.text, hint="type messages to the chatbot"):
        context = "" if args.no_context else previous
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
        if len(normalise(message)) > bot.message_length:
            print(f"seqbot: the chat model reads at most {bot.message_length} characters of a message; it read "
                  f"{message_text(message, bot.message_length)!r}", file=sys.stderr)
        if beam == 1:
            previous = ""
            for piece in bot.stream(message, context=context):
                previous += piece
                sys.stdout.write(piece)
                sys.stdout.flush()
            sys.stdout.write("\n")
        else:
            previous = bot.reply(message, beam=beam, context=context)
            print(previous, flush=True)
    return 0
