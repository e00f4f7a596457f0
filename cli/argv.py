"""The command line's words before a parser reads them, without the command-line framework:
``cli.main`` and the console script's quick ways (``cli/entry.py``) read them the same way."""

from __future__ import annotations

GLOBAL_OPTIONS = ("--db", "--format", "--as-of")


def hoist(args: list[str]) -> list[str]:
    """Let the global options stand anywhere (``docketcal done REF --format json``): they are
    moved before the command, where the parser expects them."""
    front: list[str] = []
    rest: list[str] = []
    i = 0
    while i < len(args):
        arg = args[i]
        if arg == "--":
            rest.extend(args[i:])
            break
        name = arg.split("=", 1)[0]
        if name in GLOBAL_OPTIONS:
            if "=" in arg:
                front.append(arg)
            else:
                front.extend(args[i : i + 2])
                i += 1
        else:
            rest.append(arg)
        i += 1
    return front + rest
