"""The command line on the base install (no TensorFlow): training says what to install in one line,
and every command's help keeps its examples one per line."""

from __future__ import annotations

import argparse

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
