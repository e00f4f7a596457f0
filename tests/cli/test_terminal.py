"""`docketcal upcoming` on a real terminal (tmux, 80 columns): nothing wraps, nothing is cut
without an ellipsis, overdue stands out."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import time
import uuid
from pathlib import Path

import pytest
from typer.testing import CliRunner

from cli.main import app

TMUX = shutil.which("tmux")
needs_tmux = pytest.mark.skipif(
    TMUX is None and not os.environ.get("CI"), reason="tmux is not installed (.ci/run installs it)"
)


def _screen(command: str, width: int = 80, height: int = 60) -> tuple[list[str], list[str], str]:
    """Run ``command`` in a detached tmux of ``width`` columns; the screen rows, the rows with
    wrapped lines joined, and the screen with its colour codes."""
    assert TMUX is not None, "tmux is needed: .ci/run installs it"
    name = f"docketcal-{uuid.uuid4().hex[:8]}"
    done = f"/tmp/{name}.done"
    subprocess.run(
        [TMUX, "new-session", "-d", "-s", name, "-x", str(width), "-y", str(height),
         f"{command}; touch {done}; sleep 30"],
        check=True,
        env={**os.environ, "TERM": "xterm-256color"},
    )  # fmt: skip
    try:
        for _ in range(200):
            if Path(done).exists():
                break
            time.sleep(0.05)
        rows = subprocess.run(
            [TMUX, "capture-pane", "-p", "-t", name], capture_output=True, text=True, check=True
        ).stdout
        joined = subprocess.run(
            [TMUX, "capture-pane", "-p", "-J", "-t", name],
            capture_output=True,
            text=True,
            check=True,
        ).stdout
        coloured = subprocess.run(
            [TMUX, "capture-pane", "-p", "-e", "-t", name],
            capture_output=True,
            text=True,
            check=True,
        ).stdout
    finally:
        subprocess.run([TMUX, "kill-session", "-t", name], check=False)
        Path(done).unlink(missing_ok=True)
    return rows.rstrip("\n").splitlines(), joined.rstrip("\n").splitlines(), coloured


@needs_tmux
def test_upcoming_fits_80_columns_in_a_real_terminal(tmp_path: Path) -> None:
    db = tmp_path / "demo.db"
    assert CliRunner().invoke(app, ["demo", "--keep", str(db)]).exit_code == 0
    exe = Path(sys.executable).parent / "docketcal"
    rows, joined, coloured = _screen(
        f"{exe} --db {db} --as-of 2013-12-03 upcoming --include-waiting"
    )
    content = [r for r in rows if r.strip()]
    assert any("bates-stamp" in r for r in content), rows
    assert rows == joined, "a line wrapped at 80 columns"
    assert all(len(r) <= 80 for r in rows)
    for row in content:
        if row.startswith("    ") or row.startswith("  caed") or row.startswith("  njd"):
            # every duty line ends with its reference, and its text is whole or ends with "…"
            text = row.split("  ")
            assert any(t.endswith("…") for t in text) or len(row) < 80, row
    first = coloured.splitlines()[0]
    assert first.endswith("Overdue") and "\x1b[31m" in first  # overdue stands out, in red


@needs_tmux
def test_explain_fits_80_columns(tmp_path: Path) -> None:
    db = tmp_path / "demo.db"
    assert CliRunner().invoke(app, ["demo", "--keep", str(db)]).exit_code == 0
    exe = Path(sys.executable).parent / "docketcal"
    rows, joined, _ = _screen(f"{exe} --db {db} --as-of 2013-12-03 explain bates-stamp", height=80)
    assert any("Fed. R. Civ. P. 6(a)(1)(C)" in r for r in rows)
    assert rows == joined
