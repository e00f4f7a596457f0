"""The project speaks of itself only: no file it ships or documents with names a folder of a
development machine; the shared references are named as the project reaches them
(``../shared/...``) or by their public source."""

from __future__ import annotations

import re
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
MACHINE = re.compile(r"(?<![\w.])/(?:work|home|root|Users|tmp/pytest)/[\w.-]")


def test_no_file_names_a_folder_of_a_development_machine() -> None:
    places = [ROOT / "README.md", ROOT / "pyproject.toml", ROOT / "Makefile"]
    for folder in ("data", "docs", "bench", "calendars", "obligations", "cli"):
        places += [
            p
            for p in (ROOT / folder).rglob("*")
            if p.is_file() and p.suffix in (".toml", ".md", ".py", ".txt", ".csv", ".json")
        ]
    found = [
        f"{p.relative_to(ROOT)}:{n}: {line.strip()[:100]}"
        for p in places
        for n, line in enumerate(p.read_text(encoding="utf-8").splitlines(), 1)
        if MACHINE.search(line)
    ]
    assert found == []


def test_mypy_strict_covers_every_package() -> None:
    import tomllib

    config = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))["tool"]["mypy"]
    assert config["strict"] is True
    assert set(config["files"]) >= {"calendars", "obligations", "cli"}
