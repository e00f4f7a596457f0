"""The console script ``docketcal``.

``docketcal compute --jsonl`` (with ``--no-trace`` or not, and nothing else) is answered here
without loading the command-line framework, the database layer or the other commands: a bulk
run starts in the time the core needs. It keeps the contract of every command: the settings are
read as ``cli.main`` reads them (a broken config file is the same error), an error of the one
hierarchy (calendars/errors.py) prints ``docketcal: message`` with its exit code, a reader that
stops reading ends the run quietly, anything else is one line and exit 1 (its traceback with
DOCKETCAL_DEBUG=1), Ctrl-C is 130. Plain ``rules list``, ``rules show`` and ``rules preview``
command lines are answered by cli/quickrules.py the same way; every other command line goes to
``cli.main``.
"""

from __future__ import annotations

import contextlib
import os
import sys
from collections.abc import Callable
from pathlib import Path

#: the command lines answered here
BULK = {
    ("compute", "--jsonl"): True,
    ("compute", "--jsonl", "--no-trace"): False,
    ("compute", "--no-trace", "--jsonl"): False,
}


def main() -> None:
    """Dispatch: the bulk calculator here, every other command line through ``cli.main``."""
    if "rules" in sys.argv[1:]:  # rules list, show and preview: cli/quickrules.py
        from cli.quickrules import answer

        code = answer(sys.argv[1:], _settings)
        if code is not None:
            sys.exit(code)
    trace = BULK.get(tuple(sys.argv[1:]))
    if trace is None:
        from cli.main import main as everything

        everything()
        return
    sys.exit(bulk(trace))


def bulk(trace: bool) -> int:
    """``docketcal compute --jsonl``: the exit code."""

    def answer() -> int:
        _settings()
        from cli.bulk import run_split
        from cli.kept import keeping

        out = sys.stdout
        encoding = getattr(out, "encoding", None)
        errors = getattr(out, "errors", None) or "strict"
        beneath = getattr(out, "buffer", None)

        def encode(text: str) -> bytes:
            return text.encode(encoding or "utf-8", errors)

        # the standard output's bytes, for the half of a split run that waits (cli/bulk.py)
        binary = (encode, beneath.write) if isinstance(encoding, str) and beneath else None
        with keeping(steady=True):  # the data files and the courts' holidays: kept copies
            code = run_split(sys.stdin.buffer, out.write, out.flush, trace, guard, binary)
        sys.stdout.flush()
        return code

    return guard(answer)


def guard(work: Callable[[], int]) -> int:
    """The exit code of ``work``, with the errors of every command handled as ``cli.main``
    handles them (the module's text); the bulk calculator's second process runs under it too."""
    from calendars.errors import UNEXPECTED, DocketcalError, escape

    try:
        try:
            return work()
        except DocketcalError as exc:
            for line in escape(str(exc), keep_newlines=True).split("\n"):
                print(f"docketcal: {line}", file=sys.stderr)
            return exc.exit_code
        except BrokenPipeError:  # ``... | head``: the reader had enough
            with contextlib.suppress(OSError, ValueError):  # the rest goes nowhere, quietly
                os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
            return 0
        except Exception as exc:
            from cli.main import DEBUG_ENV

            if os.environ.get(DEBUG_ENV, "0") not in ("", "0"):
                raise
            print(
                f"docketcal: unexpected error ({type(exc).__name__}); nothing more was done."
                f" Run again with {DEBUG_ENV}=1 to see the traceback, and report it.",
                file=sys.stderr,
            )
            return UNEXPECTED
    except KeyboardInterrupt:
        return 130


def _settings() -> None:
    """The settings ``cli.main`` reads before every command (the database's): a config file
    that cannot be read is refused here as there."""
    if os.environ.get("DOCKETCAL_DB"):
        return  # the environment wins: the file is not read
    if not config_path().is_file():
        return  # nothing to read (cli.config would read nothing either)
    from cli.config import resolve

    resolve("db", None)


def config_path() -> Path:
    """``cli.config.config_path`` without loading the command-line framework that module
    needs (tests/cli/test_calc_bulk.py checks that the two agree)."""
    named = os.environ.get("DOCKETCAL_CONFIG")
    if named:
        return Path(named)
    from platformdirs import user_config_dir

    return Path(user_config_dir("docketcal", appauthor=False)) / "config.toml"
