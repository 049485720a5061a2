"""End to end: the real `seqbot` command in a real terminal (tmux), on the shipped checkpoints.
Types a message, then reads the French reply and the side panel from the screen. (Without
shipped checkpoints it runs on a small random translator, so the terminal path is still tested.)
Also checks that opening the app never imports TensorFlow.

    python -m pytest tests/test_app_e2e.py -q
"""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import sys
import time

import pytest

from seqbot.paths import PROJECT_ROOT, checkpoints_dir

TMUX = shutil.which("tmux")


def test_opening_the_app_imports_no_tensorflow():
    code = (
        "import sys; from seqbot.cli import build_parser; build_parser(); "
        "import seqbot.app.app, seqbot.app.engines; "
        "print('tensorflow' in sys.modules, 'keras' in sys.modules)"
    )
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=60, check=True)
    assert result.stdout.split() == ["False", "False"], result.stdout + result.stderr


class Tmux:
    """A private tmux server (its own socket) running one command in a 120x40 window."""

    def __init__(self, command: str, name: str = "app") -> None:
        self.socket = f"seqbot-e2e-{os.getpid()}-{name}"
        self.run("new-session", "-d", "-s", "app", "-x", "120", "-y", "40", command)

    def run(self, *args: str) -> str:
        return subprocess.run([TMUX, "-L", self.socket, *args], capture_output=True, text=True, timeout=10).stdout

    def screen(self) -> str:
        return self.run("capture-pane", "-p", "-t", "app")

    def wait_for(self, condition, timeout: float, what: str) -> str:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            screen = self.screen()
            if condition(screen):
                return screen
            time.sleep(0.2)
        raise AssertionError(f"timed out waiting for {what}; the screen shows:\n{self.screen()}")

    def close(self) -> None:
        self.run("kill-server")


@pytest.mark.skipif(TMUX is None, reason="tmux is not installed (apt-get install tmux; .ci/run installs it)")
def test_seqbot_command_in_tmux_translates_and_classifies(tmp_path):
    from seqbot.engine import translator as translator_module
    checkpoints = checkpoints_dir()
    translator_path = checkpoints / "translator.npz"
    message = "I am happy."
    if not translator_path.exists():
        # No shipped checkpoints yet: a small random translator still exercises the whole path.
        from seqbot.artifact import save_artifact
        from seqbot.engine.seq2seq import random_artifact

        for shipped in checkpoints.glob("*.npz"):  # the shipped classifiers still fill the side panel
            (tmp_path / shipped.name).symlink_to(shipped.resolve())
        checkpoints, message = tmp_path, "i am happy."
        translator_path = checkpoints / "translator.npz"
        save_artifact(translator_path, random_artifact(end_bias=2.0))
    expected = translator_module.Translator.load(translator_path).translate(message).text
    assert expected, "the translator gives an empty translation; nothing to look for on the screen"
    classifiers_ready = (checkpoints / "spam_rnn.npz").exists()

    # stty: tmux can start the command before the window takes its 120x40 size, and the app keeps 80x24.
    # A private data folder: the test's conversation must not land in the person's own history.
    command = (f"stty cols 120 rows 40; cd {PROJECT_ROOT} && SEQBOT_HOME={tmp_path / 'home'} "
               f"exec {sys.executable} -m seqbot --checkpoints {checkpoints}")
    tmux = Tmux(command)
    try:
        tmux.wait_for(lambda s: "Welcome to seqbot" in s, 20, "the first screen")
        tmux.wait_for(lambda s: "translator" in s and "loading" not in s, 60, "the models to load")
        tmux.run("send-keys", "-t", "app", "-l", message)
        tmux.run("send-keys", "-t", "app", "Enter")
        screen = tmux.wait_for(lambda s: expected[:40] in s and "writing" not in s, 60, f"the reply {expected!r}")
        assert "you · translate" in screen and message in screen
        if classifiers_ready:
            screen = tmux.wait_for(lambda s: "Topic" in s, 30, "the side panel")
            for heading in ("Spam", "Sentiment", "Topic"):
                assert heading in screen
            assert screen.count("%") >= 4  # spam RNN, Naive Bayes, IMDB and the Reuters top 3
            from seqbot.engine.classifier import ClassifierSet

            for prediction in ClassifierSet.load(checkpoints).classify(message):
                # Every bar is labelled with the winner and its probability ("negative 61%").
                assert prediction.model in screen and prediction.label in screen, screen
                assert f"{prediction.probability:.0%}" in screen, screen
    finally:
        tmux.close()


@pytest.mark.skipif(TMUX is None, reason="tmux is not installed (apt-get install tmux; .ci/run installs it)")
def test_keys_typed_while_the_app_starts_are_sent(tmp_path):
    """A message and Enter typed before seqbot has even started (the shell is still sleeping, the
    terminal in line mode) is sent once the app is up: the keys went to the conversation and were
    dropped, and the Enter arrived as a line feed (a new line instead of sending)."""
    message = "Thank you very much."
    command = (f"stty cols 120 rows 40; cd {PROJECT_ROOT} && SEQBOT_HOME={tmp_path / 'home'} "
               f"sh -c 'sleep 1.5; exec {sys.executable} -m seqbot --no-classifiers'")
    tmux = Tmux(command, name="early")
    try:
        time.sleep(0.5)
        tmux.run("send-keys", "-t", "app", "-l", message)
        tmux.run("send-keys", "-t", "app", "Enter")
        screen = tmux.wait_for(lambda s: "you · translate" in s, 30, "the message typed while the app started")
        assert message in screen.split("you · translate", 1)[1]
        tmux.wait_for(lambda s: re.search(r"seqbot · beam \d+ · \d+\.\d\d s", s), 60, "its reply (beam search by default)")
    finally:
        tmux.close()


@pytest.mark.skipif(TMUX is None, reason="tmux is not installed (apt-get install tmux; .ci/run installs it)")
def test_a_conversation_survives_a_restart(tmp_path):
    """Type a message, quit, start seqbot again: Ctrl+O finds the conversation and reopens it,
    and `seqbot history` lists it."""
    home = tmp_path / "home"
    message = "Remember the zebra."
    command = (f"cd {PROJECT_ROOT} && SEQBOT_HOME={home} {sys.executable} -m seqbot --no-classifiers; "
               "echo SEQBOT-EXITED; sleep 60")
    first = Tmux(command, name="first")
    try:
        first.wait_for(lambda s: "Welcome to seqbot" in s, 30, "the first screen")
        first.run("send-keys", "-t", "app", "-l", message)
        first.run("send-keys", "-t", "app", "Enter")
        first.wait_for(lambda s: "you · translate" in s and message in s, 30, "the message on screen")
        first.run("send-keys", "-t", "app", "C-q")
        first.wait_for(lambda s: "SEQBOT-EXITED" in s, 30, "the app to quit")
    finally:
        first.close()

    listed = subprocess.run([sys.executable, "-m", "seqbot", "history"], capture_output=True, text=True, timeout=60,
                            env=dict(os.environ, SEQBOT_HOME=str(home)), cwd=PROJECT_ROOT)
    assert listed.returncode == 0 and message in listed.stdout, listed.stdout + listed.stderr

    second = Tmux(command, name="second")
    try:
        second.wait_for(lambda s: "Welcome to seqbot" in s, 30, "the first screen after the restart")
        second.run("send-keys", "-t", "app", "C-o")
        second.wait_for(lambda s: "Conversations" in s and message in s, 30, "the conversations list")
        second.run("send-keys", "-t", "app", "-l", "zebra")
        second.wait_for(lambda s: "1 conversation " in s, 30, "the search result")
        second.run("send-keys", "-t", "app", "Enter")
        screen = second.wait_for(lambda s: "you · translate" in s and "Welcome to seqbot" not in s, 30,
                                 "the reopened conversation")
        assert message in screen
    finally:
        second.close()
