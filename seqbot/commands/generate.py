"""Generate Shakespeare-like text with the RNN language model, streamed as it is sampled.

    seqbot generate "ROMEO:"
    seqbot generate --temperature 0.5 --top-k 10 --length 400 --seed 1 "JULIET:"
    seqbot generate --temperature 0 "KING"          (0 = greedy)

Notices (empty prompt, unknown characters, capped length) go to standard error.
"""

from __future__ import annotations

import sys


def add_arguments(parser) -> None:
    parser.add_argument("prompt", nargs="*", help="text to continue (default: the model's start line)")
    parser.add_argument("--checkpoint", help="generator artifact (default checkpoints/generator.npz)")
    parser.add_argument("--temperature", type=float, default=0.8, help="sampling temperature; 0 = greedy (default 0.8)")
    parser.add_argument("--top-k", type=int, help="sample only from the K most likely tokens")
    parser.add_argument("--length", type=int, default=300, help="characters (or words) to generate (default 300)")
    parser.add_argument("--seed", type=int, help="random seed: the same seed gives the same text")


def run(args) -> int:
    from seqbot.engine.generator import Generator

    generator = Generator.load(args.checkpoint)
    prompt = " ".join(args.prompt)
    plan = generator.plan(prompt, args.temperature, args.length, args.top_k)
    for notice in plan.notices:
        print(f"seqbot: {notice}", file=sys.stderr)
    from seqbot.engine.generator import detokenize

    sys.stdout.write(detokenize(plan.prompt_tokens, generator.level))
    for piece in generator.stream_plan(plan, seed=args.seed):
        sys.stdout.write(piece)
        sys.stdout.flush()
    sys.stdout.write("\n")
    return 0
