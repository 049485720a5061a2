"""How long `seqbot` takes to show its first interactive screen, against Python's own start.

Starts the real command in a pseudo-terminal (as a person would), times until the welcome
text is on the screen, until text typed right then is echoed in the input (the screen is
interactive while the models load in a worker), and until the translator reports ready
(models load after the first frame), then quits it with Ctrl+Q. The baseline, `python -c pass`, is measured in the same
run, so the ratio means the same on any machine. It also times building the CLI's argument
parser alone (every command module is imported before the app starts) and says which heavy
modules that pulls in: anything there delays the first frame.

    python bench/bench_app_start.py                       # shipped checkpoints, 5 runs each
    python bench/bench_app_start.py --checkpoints DIR --runs 3
"""

from __future__ import annotations

import argparse
import fcntl
import os
import pty
import re
import select
import signal
import statistics
import struct
import subprocess
import sys
import termios
import time

ANSI = re.compile(rb"\x1b(\[[0-?]*[ -/]*[@-~]|\][^\x07\x1b]*(\x07|\x1b\\)|[PX^_][^\x1b]*\x1b\\|[@-Z\\-_])")
FIRST_SCREEN = b"Welcome to seqbot"
TRANSLATOR_READY = re.compile(rb"translator\s+ready")
TYPED = b"zqxj"  # typed as soon as the first screen shows; no reply or panel text contains it


def time_python_pass() -> float:
    started = time.perf_counter()
    subprocess.run([sys.executable, "-c", "pass"], check=True)
    return time.perf_counter() - started


PARSER_PROBE = (
    "import sys, time; started = time.perf_counter(); from seqbot.cli import build_parser; build_parser(); "
    "print(time.perf_counter() - started, *[m for m in ('numpy', 'tensorflow', 'keras') if m in sys.modules])"
)


def time_parser() -> tuple[float, list[str]]:
    """Seconds to import seqbot.cli and build its parser (in a fresh process), and the heavy modules it imported."""
    output = subprocess.run([sys.executable, "-c", PARSER_PROBE], check=True, capture_output=True, text=True).stdout.split()
    return float(output[0]), output[1:]


def time_app(checkpoints: str | None, wait_ready: float) -> tuple[float, float | None, float | None]:
    """Seconds to the first screen, to 'translator ready' (None if not within wait_ready), and to
    the echo of keys typed at the first screen (None if never seen)."""
    command = [sys.executable, "-m", "seqbot"] + (["--checkpoints", checkpoints] if checkpoints else [])
    leader, follower = pty.openpty()
    fcntl.ioctl(follower, termios.TIOCSWINSZ, struct.pack("HHHH", 40, 120, 0, 0))
    environment = dict(os.environ, TERM="xterm-256color", COLUMNS="120", LINES="40")
    started = time.perf_counter()
    process = subprocess.Popen(command, stdin=follower, stdout=follower, stderr=follower, env=environment,
                               start_new_session=True)
    os.close(follower)
    screen, first, ready, echoed = b"", None, None, None
    deadline = started + 30
    try:
        while time.perf_counter() < deadline:
            readable, _, _ = select.select([leader], [], [], 0.01)
            if readable:
                try:
                    chunk = os.read(leader, 65536)
                except OSError:
                    break
                screen += ANSI.sub(b"", chunk)
                now = time.perf_counter() - started
                if first is None and FIRST_SCREEN in screen:
                    first = now
                    os.write(leader, TYPED)
                if first is not None and echoed is None and TYPED in screen:
                    echoed = now
                if ready is None and TRANSLATOR_READY.search(screen):
                    ready = now
            if first is not None and echoed is not None and (ready is not None or time.perf_counter() - started > first + wait_ready):
                break
            if process.poll() is not None:
                break
        if first is None:
            raise SystemExit(f"the app never showed its first screen; it printed:\n{screen[-2000:].decode(errors='replace')}")
        os.write(leader, b"\x11")  # Ctrl+Q
        try:
            process.wait(timeout=5)
        except subprocess.TimeoutExpired:
            os.killpg(process.pid, signal.SIGKILL)
            process.wait()
    finally:
        if process.poll() is None:
            os.killpg(process.pid, signal.SIGKILL)
        os.close(leader)
    return first, ready, echoed


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--checkpoints", default=None, help="checkpoint folder (default: the shipped one)")
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument("--wait-ready", type=float, default=15.0, help="seconds to wait for the translator after the first screen")
    args = parser.parse_args()

    baseline = [time_python_pass() for _ in range(args.runs)]
    parsers = [time_parser() for _ in range(args.runs)]
    firsts, readies, echoes = [], [], []
    for _ in range(args.runs):
        first, ready, echoed = time_app(args.checkpoints, args.wait_ready)
        firsts.append(first)
        if echoed is not None:
            echoes.append(echoed)
        if ready is not None:
            readies.append(ready)
    base, first = statistics.median(baseline), statistics.median(firsts)
    print(f"python -c pass (baseline)      median {base * 1000:7.0f} ms  over {args.runs} runs")
    heavy = sorted({name for _, names in parsers for name in names})
    print(f"seqbot CLI parser alone         median {statistics.median(t for t, _ in parsers) * 1000:7.0f} ms  "
          + (f"(imports {', '.join(heavy)}: a command module imports it at the top)" if heavy else "(no NumPy / TensorFlow)"))
    print(f"seqbot: first interactive screen median {first * 1000:7.0f} ms  (min {min(firsts) * 1000:.0f}, max {max(firsts) * 1000:.0f})")
    print(f"ratio first screen / baseline:  {first / base:.1f}x   target: first screen < 1000 ms -> {'OK' if first < 1.0 else 'TOO SLOW'}")
    if echoes:
        print(f"seqbot: keys typed at once echoed median {statistics.median(echoes) * 1000:7.0f} ms  ({len(echoes)}/{args.runs} runs)")
    if readies:
        print(f"seqbot: translator ready        median {statistics.median(readies) * 1000:7.0f} ms  ({len(readies)}/{args.runs} runs)")
    else:
        print("seqbot: the translator did not report ready (missing checkpoint or engine?)")


if __name__ == "__main__":
    main()
