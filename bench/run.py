"""``make bench``: run every benchmark of the project, then write ``bench/README.md``'s table.

Each benchmark prints one JSON line per figure in the shape of ``bench/report.py``; this keeps
those lines in ``bench/figures.json`` (a benchmark run again replaces its own figures, the others
stay, each with the machine and the day it was measured on) and writes the table between the
markers in ``bench/README.md``. A benchmark that fails is named in the table and the run exits 1
after the others have run.

Run: ``.venv/bin/python bench/run.py [--only NAME ...] [--quick]``. ``--quick`` passes small
sizes to every benchmark: a check that they all run, not figures to keep (written nowhere).
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import sqlite3
import subprocess
import sys
from datetime import date
from pathlib import Path
from typing import Any

HERE = Path(__file__).resolve().parent
FIGURES = HERE / "figures.json"
README = HERE / "README.md"
BEGIN = "<!-- figures: written by bench/run.py (make bench); edit the scripts, not this table -->"
END = "<!-- /figures -->"

#: every benchmark, in the order they run (the firm-scale one first: it holds the issue's
#: targets), with the arguments of a full run and of ``--quick``
BENCHES: dict[str, tuple[list[str], list[str]]] = {
    "firm.py": (
        ["--backend", "both"],
        ["--sizes", "2000,10000", "--events", "20", "--loads", "5", "--runs", "3"],
    ),
    "compute.py": ([], ["--n", "20000"]),
    "schedule.py": ([], []),
    "upcoming.py": ([], ["--obligations", "5000"]),
    "feeds.py": ([], []),
    "remind.py": ([], ["--obligations", "4000", "--people", "100"]),
    "store.py": (["--backend", "both"], ["--cases", "100", "--events", "100", "--cold", "20"]),
    "rules.py": ([], ["--runs", "3"]),
    "desk.py": ([], ["--obligations", "3000", "--seconds", "2"]),
}


def machine() -> str:
    """The machine in a few words: processor, cores, memory, and the versions measured."""
    model = platform.machine()
    cpuinfo = Path("/proc/cpuinfo")
    if cpuinfo.exists():
        for line in cpuinfo.read_text().splitlines():
            if line.startswith("model name"):
                model = line.split(":", 1)[1].strip()
                break
    memory = ""
    meminfo = Path("/proc/meminfo")
    if meminfo.exists():
        kb = int(meminfo.read_text().split()[1])
        memory = f", {kb / 1024 / 1024:.0f} GB"
    versions = f"Python {platform.python_version()}, SQLite {sqlite3.sqlite_version}"
    postgres = _postgres_version()
    if postgres:
        versions += f", PostgreSQL {postgres}"
    return f"{os.cpu_count()} cores of {model}{memory}; {versions}"


def _postgres_version() -> str:
    url = os.environ.get("DOCKETCAL_TEST_POSTGRES", "postgresql://postgres@127.0.0.1:5432/test")
    try:
        import psycopg

        from obligations.store.location import libpq_url

        with psycopg.connect(libpq_url(url)) as conn:
            row = conn.execute("SHOW server_version").fetchone()
            return str(row[0]).split()[0] if row else ""
    except Exception:
        return ""


def run(name: str, args: list[str]) -> tuple[list[dict[str, Any]], int]:
    """The benchmark's figures (lines with a ``value``), its other lines kept in bench/out."""
    out = HERE / "out"
    out.mkdir(exist_ok=True)
    figures: list[dict[str, Any]] = []
    print(f"== {name} {' '.join(args)}", file=sys.stderr, flush=True)
    with (out / f"{Path(name).stem}.jsonl").open("w") as log:
        proc = subprocess.Popen(
            [sys.executable, str(HERE / name), *args], stdout=subprocess.PIPE, text=True
        )
        assert proc.stdout is not None
        for line in proc.stdout:
            log.write(line)
            print(line, end="", flush=True)
            try:
                data = json.loads(line)
            except json.JSONDecodeError:
                continue
            if isinstance(data, dict) and "value" in data and "figure" in data:
                figures.append(data)
        code = proc.wait()
    return figures, code


def _cell(value: Any) -> str:
    if isinstance(value, float):
        return f"{value:,.2f}".rstrip("0").rstrip(".") if value < 100 else f"{value:,.0f}"
    if isinstance(value, int):
        return f"{value:,}"
    return str(value)


def table(kept: dict[str, Any]) -> str:
    lines = [
        BEGIN,
        "",
        "| benchmark | figure | result | target | met | runs | machine | date | how |",
        "| --- | --- | --- | --- | --- | --- | --- | --- | --- |",
    ]
    machines: dict[str, str] = {}
    for name in BENCHES:
        entry = kept.get(name)
        if entry is None:
            lines.append(f"| {name} | not run yet | | | | | | | |")
            continue
        tag = machines.setdefault(entry["machine"], chr(ord("A") + len(machines)))
        if entry.get("exit"):
            lines.append(
                f"| {name} | **failed** (exit {entry['exit']}) | | | | | {tag} | {entry['date']} | |"
            )
        for f in entry["figures"]:
            where = " / ".join(
                _cell(f[k]) + (" obligations" if k == "obligations" else "")
                for k in ("backend", "obligations")
                if f.get(k) is not None
            )
            figure = f["figure"] + (f" ({where})" if where else "")
            met = {True: "yes", False: "**no**", None: ""}[f.get("met")]
            lines.append(
                f"| {name} | {figure} | {_cell(f['value'])} {f['unit']} | {f.get('target') or ''} "
                f"| {met} | {f.get('runs') or ''} | {tag} | {entry['date']} | {f.get('how', '')} |"
            )
    lines.append("")
    lines += [f"Machine {tag}: {text}." for text, tag in machines.items()]
    lines += ["", END]
    return "\n".join(lines)


def write_readme(kept: dict[str, Any], readme: Path = README) -> None:
    """The table between the markers (added at the end the first time); the rest kept."""
    text = readme.read_text()
    block = table(kept)
    if BEGIN in text and END in text:
        head, rest = text.split(BEGIN, 1)
        text = head + block + rest.split(END, 1)[1]
    else:
        text = text.rstrip("\n") + "\n\n## All figures\n\n" + block + "\n"
    readme.write_text(text)


def main() -> int:
    parser = argparse.ArgumentParser(description=(__doc__ or "").splitlines()[0])
    parser.add_argument("--only", action="append", choices=sorted(BENCHES), default=[])
    parser.add_argument("--quick", action="store_true")
    args = parser.parse_args()
    kept: dict[str, Any] = json.loads(FIGURES.read_text()) if FIGURES.exists() else {}
    where, today, failed = machine(), date.today().isoformat(), []
    for name, (full, quick) in BENCHES.items():
        if args.only and name not in args.only:
            continue
        figures, code = run(name, quick if args.quick else full)
        if code:
            failed.append(name)
        if not args.quick:
            kept[name] = {"date": today, "machine": where, "exit": code, "figures": figures}
            FIGURES.write_text(json.dumps(kept, indent=1, ensure_ascii=False) + "\n")
            write_readme(kept)
    if failed:
        print(f"failed: {', '.join(failed)}", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
