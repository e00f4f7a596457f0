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


def test_help_loses_no_text_to_markup() -> None:
    """Square brackets are text, not markup: ``[env: DOCKETCAL_DB]`` and ``[[check]]`` stay."""
    root = runner.invoke(app, ["--help"], terminal_width=200)
    assert "[env: DOCKETCAL_DB; config: db]" in root.stdout
    assert "75" in root.stdout and "busy" in root.stdout  # the exit codes, busy among them
    check = runner.invoke(app, ["order", "check", "--help"], terminal_width=200)
    assert "[[check]]" in check.stdout
    for path in _commands():
        shown = runner.invoke(app, [*path, "--help"], terminal_width=200).stdout
        assert "Example" in shown, path


def test_event_record_help_names_the_flag_for_a_later_order() -> None:
    shown = runner.invoke(app, ["event", "record", "--help"], terminal_width=200).stdout
    assert "--for-later-order" in shown
