"""docketcal installs from its wheel and works from there: the wheel is built, installed in a
fresh virtual environment (its runtime dependencies from the package registry, nothing of the
development tree), and ``--help``, ``compute`` and ``demo`` are run from a folder outside the
repository, so nothing can be read from the working tree."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
import venv
import zipfile
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]


def _run(args: list[str], cwd: Path, env: dict[str, str], timeout: float = 600) -> str:
    done = subprocess.run(
        args, cwd=cwd, env=env, capture_output=True, text=True, timeout=timeout, check=False
    )
    assert done.returncode == 0, f"{args}: exit {done.returncode}\n{done.stdout}\n{done.stderr}"
    return done.stdout


@pytest.fixture(scope="module")
def wheel(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """Built from a copy of the sources: a ``build/`` folder left in the working tree by an
    earlier build would otherwise be packed as it is."""
    source = tmp_path_factory.mktemp("source") / "docketcal"
    shutil.copytree(
        ROOT,
        source,
        ignore=shutil.ignore_patterns(
            ".git", ".venv", "build", "dist", "*.egg-info", "__pycache__", ".*_cache", "out"
        ),
    )
    out = tmp_path_factory.mktemp("wheel")
    env = {k: v for k, v in os.environ.items() if not k.startswith("DOCKETCAL_")}
    _run(
        [sys.executable, "-m", "pip", "wheel", "--no-deps", "--quiet", "-w", str(out), str(source)],
        out,
        env,
    )
    (found,) = out.glob("docketcal-*.whl")
    return found


def test_the_wheel_carries_every_data_file_under_the_package(wheel: Path) -> None:
    names = set(zipfile.ZipFile(wheel).namelist())
    data = ROOT / "data"
    expected = {
        "calendars/_data/" + p.relative_to(data).as_posix()
        for p in data.rglob("*")
        if p.is_file() and "__pycache__" not in p.parts
    }
    assert expected and expected <= names, sorted(expected - names)
    # no top-level package named "data" in site-packages
    assert not [n for n in names if n.startswith("data/")]


def test_installed_in_a_fresh_environment_it_computes_and_runs_the_demo(
    wheel: Path, tmp_path: Path
) -> None:
    env_dir = tmp_path / "env"
    venv.EnvBuilder(with_pip=True).create(env_dir)
    python = env_dir / "bin" / "python"
    env = {
        k: v
        for k, v in os.environ.items()
        if not k.startswith(("DOCKETCAL_", "PYTHON", "VIRTUAL_ENV"))
    }
    env["DOCKETCAL_CONFIG"] = str(tmp_path / "no-config.toml")
    env["DOCKETCAL_DB"] = str(tmp_path / "docket.db")
    _run([str(python), "-m", "pip", "install", "--quiet", str(wheel)], tmp_path, env)
    site = Path(
        _run([str(python), "-c", "import sysconfig; print(sysconfig.get_path('purelib'))"],
             tmp_path, env).strip()
    )  # fmt: skip
    assert not (site / "data").exists()
    assert (site / "calendars" / "_data" / "federal-courts.toml").is_file()
    for test_only in ("pytest", "hypothesis", "jsonschema", "aiosmtpd", "icalendar", "courts_db"):
        assert not (site / test_only).exists(), f"{test_only} is installed as a runtime dependency"

    docketcal = str(env_dir / "bin" / "docketcal")
    assert "compute" in _run([docketcal, "--help"], tmp_path, env)
    due = json.loads(
        _run(
            [docketcal, "compute", "14 days after 2013-11-16", "--court", "caed",
             "--service", "mail", "--format", "json"],
            tmp_path, env,
        )
    )  # fmt: skip
    # Fed. R. Civ. P. 6(a)(1)(C) and 6(d): Sat 2013-11-30 rolls to Mon 2013-12-02, then + 3 days
    assert due["due"] == "2013-12-05"
    demo = _run([docketcal, "demo"], tmp_path, env)
    assert "bates-stamp" in demo and "caed-2013-11-12" in demo
    assert not (tmp_path / "docket.db").exists()  # the demo never touches the user's docket
