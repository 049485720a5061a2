"""The command line as installed: on the base install (no TensorFlow) training says what to install in
one line, every command's help keeps its examples one per line, and a wheel (`pip install .`, pipx)
carries the shipped checkpoints and finds them from any directory."""

from __future__ import annotations

import argparse
from importlib.util import find_spec

import pytest

from seqbot import cli


def test_train_without_tensorflow_prints_one_line_naming_the_extra(monkeypatch, capsys):
    monkeypatch.setattr(cli, "find_spec", lambda name: None if name == "tensorflow" else object())
    assert cli.main(["train", "classify", "spam_nb"]) == 2
    captured = capsys.readouterr()
    assert captured.out == ""
    lines = captured.err.strip().splitlines()
    assert len(lines) == 1 and 'pip install -e ".[train]"' in lines[0]


@pytest.mark.parametrize("missing", ["scipy", "keras.layers", "yaml"])
def test_a_missing_training_library_inside_a_command_gives_the_hint_not_a_traceback(missing, monkeypatch, capsys):
    def run(args):
        raise ModuleNotFoundError(f"No module named {missing!r}", name=missing)

    monkeypatch.setattr("seqbot.commands.models.run", run)
    assert cli.main(["models", "list"]) == 2
    error = capsys.readouterr().err
    assert 'pip install -e ".[train]"' in error and missing in error


def test_a_missing_module_that_is_not_a_training_library_is_not_disguised(monkeypatch):
    def run(args):
        raise ModuleNotFoundError("No module named 'seqbot.nothing'", name="seqbot.nothing")

    monkeypatch.setattr("seqbot.commands.models.run", run)
    with pytest.raises(ModuleNotFoundError):
        cli.main(["models", "list"])


def _subparsers(parser) -> dict:
    return next(action.choices for action in parser._actions if isinstance(action, argparse._SubParsersAction))


def test_every_command_help_keeps_its_examples_on_their_own_lines():
    top = _subparsers(cli.build_parser())
    commands = {name: top[name] for name in cli.COMMANDS}
    for group, (_, members) in cli.GROUPS.items():
        commands.update({f"{group} {name}": _subparsers(top[group])[name] for name in members})
    assert "translate" in commands and "eval classify" in commands and "train classify" in commands
    for name, parser in commands.items():
        help_lines = parser.format_help().splitlines()
        examples = [line for line in parser.description.splitlines() if line.lstrip().startswith("seqbot ")]
        assert examples, f"seqbot {name}: its docstring shows no example"
        for example in examples:
            assert example in help_lines, f"seqbot {name} --help runs {example.strip()!r} into a paragraph"


def test_the_base_install_is_inference_only_and_the_test_extra_pulls_in_training():
    import tomllib

    from seqbot.paths import PROJECT_ROOT

    project = tomllib.loads((PROJECT_ROOT / "pyproject.toml").read_text())["project"]
    base = " ".join(project["dependencies"])
    for library in ("tensorflow", "tensorboard", "scipy", "keras"):
        assert library not in base, f"{library} is in the base install"
    assert any(requirement.startswith("tensorflow-cpu") for requirement in project["optional-dependencies"]["train"])
    assert "seqbot[train]" in project["optional-dependencies"]["test"]


def test_pyproject_lists_every_package_and_maps_the_checkpoints_into_the_wheel():
    """The package list is explicit (the checkpoints are mapped in from checkpoints/): a new package in
    seqbot/ left out of it would be missing from every wheel."""
    import tomllib

    from setuptools import find_packages

    from seqbot.paths import PROJECT_ROOT

    setuptools = tomllib.loads((PROJECT_ROOT / "pyproject.toml").read_text())["tool"]["setuptools"]
    in_the_tree = find_packages(str(PROJECT_ROOT), include=["seqbot*"])
    assert sorted(setuptools["packages"]) == sorted(in_the_tree + ["seqbot.checkpoints"])
    assert setuptools["package-dir"] == {"seqbot.checkpoints": "checkpoints"}
    assert setuptools["package-data"]["seqbot.checkpoints"] == ["*.npz"]


def test_the_shipped_checkpoints_are_the_packaged_ones_when_installed_else_the_source_folder(tmp_path, monkeypatch):
    from seqbot import paths

    monkeypatch.delenv(paths.CHECKPOINTS_ENV, raising=False)
    monkeypatch.setattr(paths, "PACKAGED_CHECKPOINTS", tmp_path / "not-installed")
    assert paths.checkpoints_dir() == paths.SOURCE_CHECKPOINTS == paths.PROJECT_ROOT / "checkpoints"
    packaged = tmp_path / "site-packages" / "seqbot" / "checkpoints"
    packaged.mkdir(parents=True)
    monkeypatch.setattr(paths, "PACKAGED_CHECKPOINTS", packaged)
    assert paths.checkpoints_dir() == packaged
    assert paths.default_checkpoint("translator") == packaged / "translator.npz"
    chosen = tmp_path / "mine"
    chosen.mkdir()
    assert paths.checkpoints_dir(chosen) == chosen  # --checkpoints DIR still wins
    monkeypatch.setenv(paths.CHECKPOINTS_ENV, str(chosen))
    assert paths.checkpoints_dir() == chosen


def _pip(*args: str, cwd=None) -> None:
    import subprocess
    import sys

    done = subprocess.run([sys.executable, "-m", "pip", *args], cwd=cwd, capture_output=True, text=True, timeout=300)
    assert done.returncode == 0, f"pip {' '.join(args)} failed:\n{done.stdout[-2000:]}\n{done.stderr[-2000:]}"


@pytest.mark.skipif(find_spec("setuptools") is None, reason="building a wheel offline needs setuptools in this environment")
def test_a_wheel_carries_the_shipped_checkpoints_and_finds_them_from_any_directory(tmp_path):
    """`pip install .` / pipx: build the wheel offline (no build isolation, no index) from a copy of the
    project, install it into a folder of its own and run `seqbot` from an unrelated directory."""
    import os
    import shutil
    import subprocess
    import sys
    import zipfile

    from seqbot.paths import PROJECT_ROOT

    source = tmp_path / "source"
    source.mkdir()
    for name in ("pyproject.toml", "README.md"):
        shutil.copy(PROJECT_ROOT / name, source / name)
    shutil.copytree(PROJECT_ROOT / "seqbot", source / "seqbot", ignore=shutil.ignore_patterns("__pycache__"))
    (source / "checkpoints").symlink_to(PROJECT_ROOT / "checkpoints")  # 50 MB: read through, not copied
    _pip("wheel", "--no-build-isolation", "--no-deps", "--no-index", "-q", "-w", str(tmp_path / "dist"), str(source))
    [wheel] = (tmp_path / "dist").glob("seqbot-*.whl")
    shipped = sorted(path.name for path in (PROJECT_ROOT / "checkpoints").glob("*.npz"))
    assert "translator.npz" in shipped
    packaged = sorted(name.rsplit("/", 1)[1] for name in zipfile.ZipFile(wheel).namelist()
                      if name.startswith("seqbot/checkpoints/"))
    assert packaged == shipped

    site = tmp_path / "site"
    _pip("install", "--no-deps", "--no-index", "-q", "--target", str(site), str(wheel))
    elsewhere = tmp_path / "elsewhere"
    elsewhere.mkdir()
    env = {key: value for key, value in os.environ.items() if key != "SEQBOT_CHECKPOINTS"}
    env["PYTHONPATH"] = str(site)
    where = subprocess.run([sys.executable, "-c", "import seqbot, seqbot.paths as p; print(seqbot.__file__); "
                            "print(p.checkpoints_dir())"], cwd=elsewhere, env=env, capture_output=True, text=True)
    module, checkpoints = where.stdout.split()
    assert module.startswith(str(site)) and checkpoints == str(site / "seqbot" / "checkpoints")

    translated = subprocess.run([str(site / "bin" / "seqbot"), "translate", "--beam", "1", "Where is the station?"],
                                cwd=elsewhere, env=env, capture_output=True, text=True, timeout=120)
    assert translated.returncode == 0, translated.stderr
    assert translated.stdout.strip() and "not found" not in translated.stderr

    own = tmp_path / "own-checkpoints"  # --checkpoints DIR still picks a folder of one's own
    own.mkdir()
    shutil.copy(PROJECT_ROOT / "checkpoints" / "spam_nb.npz", own / "spam_nb.npz")
    classified = subprocess.run([str(site / "bin" / "seqbot"), "classify", "--checkpoints", str(own), "free prize now"],
                                cwd=elsewhere, env=env, capture_output=True, text=True, timeout=120)
    assert classified.returncode == 0 and "models: spam_nb" in classified.stdout
