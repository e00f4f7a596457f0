"""``docketcal rules preview`` as a whole process: a trigger with 20 deadlines (issue 17's
target: under 200 ms), beside the command line's own start-up (``--help``) and ``compute``.

Method: a folder with every file of data/rules and one more rule set whose trigger sets 20
deadlines (days after and before, court days, service, chains three deep) is named by
``DOCKETCAL_RULES``; each command runs as a new process (the installed console script, bytecode
already written by a first run that is dropped), ``--runs`` times; the figure is the median.
The preview answers in JSON, with the trace of every deadline, as a program would ask for it.

Run: ``.venv/bin/python bench/rules.py [--runs 15]``. Prints one JSON line per figure.
"""

from __future__ import annotations

import argparse
import os
import resource
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from report import emit, median

BENCH = "rules.py"
TARGET_MS = 200

#: 20 deadlines of one trigger: the shapes the data uses, in the proportions of data/rules.
SHAPES = [
    "{n} days after trigger",
    "{n} days after trigger",
    "{n} days after trigger",
    "{n} days before trigger",
    "{n} court days before trigger",
    "{n} days after {prev}.due",
]


def rules_file() -> str:
    lines = [
        "[ruleset]",
        'id = "bench-twenty"',
        'title = "A trigger with 20 deadlines (bench)"',
        'applies = { rules = ["frcp"] }',
        'source = "bench/rules.py"',
        "reviewed = 2026-12-05",
        "",
        "[[trigger]]",
        'id = "bench-trigger"',
        'name = "A trigger with 20 deadlines"',
        'cite = "bench"',
    ]
    for k in range(20):
        shape = SHAPES[k % len(SHAPES)]
        due = shape.format(n=7 + k, prev=f"bench-d{k - 1}")
        lines += [
            "",
            "[[deadline]]",
            f'id = "bench-d{k}"',
            'trigger = "bench-trigger"',
            f'title = "Deadline {k}"',
            'party = "both"',
            f'due = "{due}"',
            f"service = {'true' if 'after trigger' in due and k % 2 else 'false'}",
            f'cite = "bench rule {k}"',
            'excerpt = "within the period after the trigger"',
        ]
    return "\n".join(lines) + "\n"


def wall(args: list[str], runs: int, env: dict[str, str]) -> tuple[list[float], list[float]]:
    """Milliseconds per run of ``docketcal`` as a new process, wall-clock and processor time
    (user + system, of the child: what other processes on the machine do not add to); the
    first run dropped."""
    exe = Path(sys.executable).parent / "docketcal"
    times: list[float] = []
    cpu: list[float] = []
    for _ in range(runs + 1):
        before = resource.getrusage(resource.RUSAGE_CHILDREN)
        start = time.perf_counter()
        done = subprocess.run([str(exe), *args], capture_output=True, check=False, env=env)
        times.append((time.perf_counter() - start) * 1000)
        after = resource.getrusage(resource.RUSAGE_CHILDREN)
        used = (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)
        cpu.append(used * 1000)
        if done.returncode != 0:
            raise RuntimeError(f"docketcal {' '.join(args)}: {done.stderr.decode()}")
    return times[1:], cpu[1:]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=15)
    args = parser.parse_args()
    from calendars.data import data_path

    with tempfile.TemporaryDirectory() as folder:
        for path in sorted(data_path("rules").glob("*.toml")):
            shutil.copy(path, folder)
        Path(folder, "bench-twenty.toml").write_text(rules_file(), encoding="utf-8")
        env = {k: v for k, v in os.environ.items() if not k.startswith("DOCKETCAL_")}
        env.pop("PYTHONDONTWRITEBYTECODE", None)
        env["DOCKETCAL_RULES"] = folder
        env["XDG_CACHE_HOME"] = str(Path(folder, "cache"))  # the kept copies (cli/kept.py), here
        env["DOCKETCAL_CONFIG"] = str(Path(folder, "no-config.toml"))
        files = len(list(Path(folder).glob("*.toml")))
        # the first run of each command is dropped: it writes the bytecode and the kept copies
        preview = ["rules", "preview", "bench-trigger", "2025-01-22", "--court", "nysd"]
        figures = [
            ("--help (the command line's start-up)", ["--help"], None),
            ("compute (one date with its trace)", ["compute", "21 days after 2025-01-22", "--court", "nysd"], None),
            ("rules preview, a trigger with 20 deadlines, whole process", [*preview, "--format", "json", "--service", "mail"], TARGET_MS),
            ("rules preview, a trigger with 20 deadlines, as text", preview, None),
        ]  # fmt: skip
        for figure, argv, target in figures:
            times, cpu = wall(argv, args.runs, env)
            emit(BENCH, figure, median(times), "ms", target=target, runs=args.runs,
                 how=f"new process, median of the runs after the first ({files} rule files)",
                 cpu_ms=median(cpu))  # fmt: skip


if __name__ == "__main__":
    main()
