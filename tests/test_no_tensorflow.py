"""The engine, the app and the inference commands must run without importing TensorFlow.

Each module is imported in a fresh interpreter (others may have imported TF in this one); the list
is built from the modules that exist, so new engine/app modules are covered as they land. The
translate command is also run end to end, since its imports happen inside run().
"""

from __future__ import annotations

import pkgutil
import subprocess
import sys
import textwrap
from importlib.util import find_spec

import seqbot

PACKAGES = ("seqbot.engine", "seqbot.app")
COMMANDS = ("translate", "eval_translate", "classify", "eval_classify", "model_info", "chat", "generate", "app")
FORBIDDEN = ("tensorflow", "keras")


def tf_free_modules() -> list[str]:
    names = ["seqbot.cli"]
    for package in PACKAGES:
        module = __import__(package, fromlist=["__path__"])
        names.append(package)
        names += [info.name for info in pkgutil.walk_packages(module.__path__, prefix=package + ".")]
    names += [f"seqbot.commands.{name}" for name in COMMANDS if find_spec(f"seqbot.commands.{name}") is not None]
    return names


def run_python(code: str) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-c", textwrap.dedent(code)], capture_output=True, text=True, timeout=300)


def test_module_list_covers_the_translator():
    names = tf_free_modules()
    for name in ("seqbot.engine.seq2seq", "seqbot.engine.decoding", "seqbot.engine.translator",
                 "seqbot.commands.translate", "seqbot.commands.eval_translate"):
        assert name in names


def test_engine_app_and_inference_commands_do_not_import_tensorflow():
    modules = tf_free_modules()
    completed = run_python(f"""
        import importlib, sys
        offenders = []
        for name in {modules!r}:
            importlib.import_module(name)
            pulled = [m for m in {FORBIDDEN!r} if m in sys.modules]
            if pulled:
                offenders.append((name, pulled))
                for m in list(sys.modules):
                    if m.split(".")[0] in {FORBIDDEN!r}:
                        del sys.modules[m]
        print(offenders)
    """)
    assert completed.returncode == 0, completed.stderr[-2000:]
    assert completed.stdout.strip() == "[]", f"modules that import TensorFlow: {completed.stdout.strip()}"


def test_translate_command_runs_without_tensorflow(tmp_path):
    completed = run_python(f"""
        import sys
        from seqbot.artifact import save_artifact
        from seqbot.engine.seq2seq import random_artifact
        from seqbot.cli import main
        path = save_artifact({str(tmp_path / "translator.npz")!r}, random_artifact())
        pairs = {str(tmp_path / "pairs.txt")!r}
        open(pairs, "w").write("hello\\tbonjour\\n")
        assert main(["translate", "--checkpoint", str(path), "hello there"]) == 0
        assert main(["translate", "--checkpoint", str(path), "--beam", "3", "hello there"]) == 0
        assert main(["eval", "translate", "--checkpoint", str(path), "--pairs", pairs, "--json"]) == 0
        print("loaded:", [m for m in {FORBIDDEN!r} if m in sys.modules])
    """)
    assert completed.returncode == 0, completed.stderr[-2000:]
    assert completed.stdout.strip().splitlines()[-1] == "loaded: []"


def test_eval_classify_and_models_info_run_without_tensorflow_or_training(tmp_path, fixtures_dir):
    import shutil

    (tmp_path / "sms-spam").mkdir()
    shutil.copy(fixtures_dir / "classify" / "SMSSpamCollection", tmp_path / "sms-spam" / "SMSSpamCollection")
    completed = run_python(f"""
        import sys
        from seqbot.cli import main
        assert main(["eval", "classify", "spam_nb", "--corpora", {str(tmp_path)!r}, "--runs", {str(tmp_path / "none")!r}]) == 0
        print("eval loaded:", [m for m in {FORBIDDEN + ("seqbot.training",)!r} if m in sys.modules])
        assert main(["models", "info", "spam_nb"]) == 0
        assert main(["models", "recipes"]) == 0
        # models info and recipes read the recipe registry, plain values; nothing else of training
        training = [m for m in sys.modules if m.startswith("seqbot.training.") and m != "seqbot.training.recipes"]
        print("loaded:", [m for m in {FORBIDDEN!r} if m in sys.modules] + training)
    """)
    assert completed.returncode == 0, completed.stderr[-2000:]
    assert "| spam_nb" in completed.stdout and "eval loaded: []" in completed.stdout
    assert completed.stdout.strip().splitlines()[-1] == "loaded: []"


def test_models_summary_of_every_checkpoint_runs_without_tensorflow():
    """`seqbot models summary NAME` prints each shipped checkpoint's table from its file, with
    TensorFlow and Keras made impossible to import (as on the base install)."""
    from seqbot.artifact import load_artifact
    from seqbot.paths import PROJECT_ROOT

    paths = sorted((PROJECT_ROOT / "checkpoints").glob("*.npz"))
    completed = run_python(f"""
        import sys
        for name in {FORBIDDEN!r}:
            sys.modules[name] = None  # `import tensorflow` now raises ImportError
        from seqbot.cli import main
        for name in {[path.stem for path in paths]!r}:
            print("==", name, flush=True)
            print("exit", main(["models", "summary", name]), flush=True)
    """)
    assert completed.returncode == 0, completed.stderr[-2000:]
    sections = completed.stdout.split("== ")[1:]
    assert [section.split()[0] for section in sections] == [path.stem for path in paths]
    for path, section in zip(paths, sections):
        lines = section.splitlines()
        assert lines[-1] == "exit 0", f"{path.stem}: {completed.stderr[-1000:]}"
        stored = sum(int(weight.size) for weight in load_artifact(path).weights.values())
        totals = [line.split()[-1] for line in lines if line.strip().startswith("Total params")]
        assert totals == [f"{stored:,}"], f"{path.stem}: {section}"
