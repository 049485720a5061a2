"""Every command's --help shows its pipeline examples as typed (issue 21 item 9: `seqbot chat
--help` printed `printf 'hi` and `bye` on lines of their own: the docstring's \\n was a line break).

    python -m pytest tests/test_cli_help.py -q
"""

from __future__ import annotations

from seqbot import cli
from test_cli_install import _subparsers


def all_commands() -> dict:
    top = _subparsers(cli.build_parser())
    commands = {name: top[name] for name in cli.COMMANDS}
    for group, (_, members) in cli.GROUPS.items():
        commands.update({f"{group} {name}": _subparsers(top[group])[name] for name in members})
    return commands


def test_pipeline_examples_are_whole_shell_lines():
    commands = all_commands()
    piped = 0
    for name, parser in commands.items():
        for line in parser.format_help().splitlines():
            if "| seqbot" in line:
                piped += 1
                before = line.split("| seqbot")[0]
                assert before.count("'") % 2 == 0 and before.count('"') % 2 == 0, f"seqbot {name} --help: {line!r}"
    assert piped  # seqbot chat's printf example at least


def test_chat_help_shows_the_printf_example_as_typed():
    parser = all_commands()["chat"]
    assert "    printf 'hi\\nbye\\n' | seqbot chat" in parser.format_help().splitlines()
