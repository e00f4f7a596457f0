"""``docketcal rules list``, ``rules show`` and ``rules preview`` answered by the console script
without loading the command-line framework, the database layer or the other commands.

The command line is read here only when it has one of the plain shapes those commands take:
the global options (``--format``, ``--db``, ``--as-of``, anywhere, as ``cli.main`` lets them
stand), the command, its arguments, and its options each given once (``--court ID`` or
``--court=ID``). Anything else (``--help``, an unknown or repeated option, a missing value, a
word too many, a NUL) goes to ``cli.main``, whose parser answers it, so the two never differ.
The answers are ``cli/rulebook.py``'s, which the typer commands call too; the errors are printed
as ``cli.main`` prints them (tests/cli/test_rules_quick.py compares the two).
"""

from __future__ import annotations

import codecs
import os
import re
import sys
from collections.abc import Callable
from dataclasses import dataclass, field

from cli.argv import GLOBAL_OPTIONS, hoist

#: What each command takes: its options with a value, its flags, and how many arguments.
_OPTIONS = {
    "list": ("--court",),
    "show": (),
    "preview": ("--court", "--service", "--party", "--rules-as-of"),
}
_FLAGS = {"list": (), "show": (), "preview": ("--jsonl",)}
_ARGUMENTS = {"list": (0, 0), "show": (1, 1), "preview": (0, 2)}
#: The values ``--format`` takes (``cli.main.Format``).
_FORMATS = ("table", "json")
#: Bytes that are not UTF-8 (lone surrogates) and NUL: ``cli.main`` refuses them.
_NOT_TEXT = re.compile("[\x00\ud800-\udfff]")
#: Set by a shell asking the command line to complete a word.
_COMPLETION_ENV = "_DOCKETCAL_COMPLETE"


@dataclass(slots=True)
class Call:
    """A command line read: the command, its arguments and options, the global options."""

    command: str
    arguments: list[str] = field(default_factory=list)
    options: dict[str, str] = field(default_factory=dict)
    flags: set[str] = field(default_factory=set)
    form: str = "table"
    db: str | None = None


def read(argv: list[str]) -> Call | None:
    """``argv`` (without the program's name) as ``docketcal rules list|show|preview`` would
    read it, or None when it is not one of the plain shapes answered here."""
    if any(_NOT_TEXT.search(a) for a in argv):
        return None
    args = hoist(argv)
    seen: dict[str, str] = {}
    i = 0
    while i < len(args) and args[i].startswith("-"):  # the global options, at the front
        got = _option(args, i, GLOBAL_OPTIONS, seen)
        if got is None:
            return None
        i = got
    if args[i : i + 1] != ["rules"] or i + 1 >= len(args) or args[i + 1] not in _OPTIONS:
        return None
    command = args[i + 1]
    form = seen.get("--format", "table")
    if form not in _FORMATS:
        return None
    call = Call(command, form=form, db=seen.get("--db"))
    i += 2
    least, most = _ARGUMENTS[command]
    while i < len(args):
        arg = args[i]
        if arg.startswith("-") and len(arg) > 1:
            if arg in _FLAGS[command] and arg not in call.flags:
                call.flags.add(arg)
                i += 1
                continue
            got = _option(args, i, _OPTIONS[command], call.options)
            if got is None:
                return None
            i = got
            continue
        if len(call.arguments) == most:
            return None
        call.arguments.append(arg)
        i += 1
    if len(call.arguments) < least:
        return None
    return call


def _option(args: list[str], i: int, names: tuple[str, ...], into: dict[str, str]) -> int | None:
    """The option at ``args[i]`` (``--name VALUE`` or ``--name=VALUE``) put in ``into``; the
    index after it, or None when it is not one of ``names``, is repeated or has no value."""
    name, equals, value = args[i].partition("=")
    if name not in names or name in into:
        return None
    if not equals:
        if i + 1 >= len(args):
            return None
        value = args[i + 1]
        if value.startswith("-") and len(value) > 1:
            return None  # the parser's reading of that is its own
        i += 1
    into[name] = value
    return i + 1


def answer(argv: list[str], settings: Callable[[], None]) -> int | None:
    """Answer ``argv`` here: the exit code; None when ``cli.main`` is to answer it.
    ``settings`` reads the settings every command reads first (the config file's)."""
    if _COMPLETION_ENV in os.environ or sys.platform == "win32" or not _plain_streams():
        return None
    call = read(argv)
    if call is None:
        return None
    return _run(call, settings)


def _plain_streams() -> bool:
    """Whether output and errors go to streams ``click.echo`` would write to as they are (it
    wraps a stream whose encoding is ASCII)."""
    for stream in (sys.stdout, sys.stderr):
        encoding = getattr(stream, "encoding", None)
        if stream is None or not encoding:
            return False
        try:
            if codecs.lookup(encoding).name == "ascii":
                return False
        except LookupError:
            return False
    return True


def _echo(text: str) -> None:
    sys.stdout.write(text + "\n")
    sys.stdout.flush()


def _run(call: Call, settings: Callable[[], None]) -> int:
    """The command, with the handling of errors of ``cli.main``'s root command
    (``cli.entry.guard``)."""
    from cli.entry import guard
    from cli.kept import keeping

    def work() -> int:
        if call.db is None:  # a --db flag is taken as it is, as cli.main takes it
            settings()
        with keeping():  # the data files and the federal holidays: kept copies
            _command(call)
        sys.stdout.flush()
        return 0

    return guard(work)


def _command(call: Call) -> None:
    from cli import rulebook

    if call.command == "list":
        rulebook.list_answer(call.options.get("--court"), call.form, _echo)
    elif call.command == "show":
        rulebook.show_answer(call.arguments[0], call.form, _echo)
    else:
        trigger, when = [*call.arguments, None, None][:2]
        rulebook.preview_answer(
            trigger,
            when,
            call.options.get("--court"),
            call.options.get("--service"),
            call.options.get("--party"),
            call.options.get("--rules-as-of"),
            "--jsonl" in call.flags,
            call.form,
            _echo,
        )
