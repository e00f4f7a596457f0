"""Every command explains itself with --help, and every --help shows an example."""

from __future__ import annotations

import typer
from typer.testing import CliRunner

from cli.main import app

runner = CliRunner()


def _commands() -> list[list[str]]:
    import click

    root = typer.main.get_command(app)
    out: list[list[str]] = []

    def walk(cmd: click.Command, path: list[str]) -> None:
        if isinstance(cmd, click.Group):
            for name, sub in cmd.commands.items():
                walk(sub, [*path, name])
        else:
            out.append(path)

    walk(root, [])
    return out


def test_every_command_has_help_with_an_example() -> None:
    commands = _commands()
    assert ["upcoming"] in commands and ["order", "load"] in commands and ["compute"] in commands
    missing = []
    for path in commands:
        result = runner.invoke(app, [*path, "--help"])
        assert result.exit_code == 0, (path, result.stdout)
        if "Example" not in result.stdout:
            missing.append(" ".join(path))
    assert missing == []


def test_no_arguments_shows_the_commands() -> None:
    result = runner.invoke(app, [])
    assert "upcoming" in result.stdout and "explain" in result.stdout
