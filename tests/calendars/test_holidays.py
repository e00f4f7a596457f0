"""Holiday layers: the state files expand to the dates courts and statutes name, and the
federal layer matches 5 U.S.C. 6103 and the executive orders."""

from __future__ import annotations

import csv
import json
import subprocess
import sys
from datetime import date
from pathlib import Path

import pytest

from calendars import all_courts
from calendars.data import data_path
from calendars.holidays import (
    COURT,
    EO_CLOSURE,
    FEDERAL,
    STATE,
    HolidayFileError,
    federal_holidays,
    inauguration_day,
    state_file,
)

GOLDEN = Path(__file__).parent / "golden" / "holidays.csv"
# Every state file in data/holidays/, and every state whose courts a state rule set serves.
REVIEWED = sorted(
    {p.stem.upper() for p in data_path("holidays").glob("*.toml")}
    | {c.state for c in all_courts().values() if c.kind == "state"}
)


def _rows() -> list[dict[str, str]]:
    if not GOLDEN.exists():
        return []
    with GOLDEN.open(newline="", encoding="utf-8") as f:
        return list(csv.DictReader(f))


def test_the_golden_table_is_there_and_large_enough() -> None:
    assert len(_rows()) >= 60


@pytest.mark.parametrize("row", _rows(), ids=lambda r: f"{r['state']}-{r['list']}-{r['date']}")
def test_golden_holiday_rows(row: dict[str, str]) -> None:
    assert row["source"].strip()
    sf = state_file(row["state"])
    assert sf is not None
    day = date.fromisoformat(row["date"])
    names = [h.name for h in sf.holidays(day.year, row["list"]) if h.day == day]
    assert bool(names) == (row["holiday"] == "yes"), names


@pytest.mark.parametrize("state", REVIEWED)
def test_every_reviewed_state_has_a_cited_file(state: str) -> None:
    sf = state_file(state)
    assert sf is not None, f"data/holidays/{state.lower()}.toml"
    first, last = sf.reviewed
    assert first <= 2013 and last >= 2026
    assert all(entry["source"].strip() for entry in sf.entries)
    for year in range(first, last + 1):
        for layer in (STATE, COURT):
            for h in sf.holidays(year, layer):
                assert h.day.year == year


def test_federal_holidays_2021_include_the_observed_days() -> None:
    days = {h.day: h for h in federal_holidays(2021)}
    assert days[date(2021, 6, 18)].observed  # Juneteenth, signed June 17, 2021
    assert days[date(2021, 12, 24)].layer == FEDERAL
    assert days[date(2021, 12, 31)].observed  # New Year's Day 2022 on a Saturday
    assert "117-17" in days[date(2021, 6, 18)].source


def test_executive_order_closures_are_their_own_layer_and_cited() -> None:
    closures = {
        h.day: h
        for y in (2014, 2018, 2024, 2025)
        for h in federal_holidays(y)
        if h.layer == EO_CLOSURE
    }
    assert set(closures) == {
        date(2014, 12, 26),
        date(2018, 12, 5),
        date(2018, 12, 24),
        date(2024, 12, 24),
        date(2025, 1, 9),
        date(2025, 12, 24),
        date(2025, 12, 26),
    }
    assert "13852" in closures[date(2018, 12, 5)].source


def test_a_half_day_closing_is_not_a_holiday() -> None:
    assert date(2015, 12, 24) not in {h.day for h in federal_holidays(2015)}


def test_inauguration_day_moves_off_a_sunday() -> None:
    assert inauguration_day(2013) is not None and inauguration_day(2013).day == date(2013, 1, 21)  # type: ignore[union-attr]
    assert inauguration_day(2017).day == date(2017, 1, 20)  # type: ignore[union-attr]
    assert inauguration_day(2018) is None


def test_a_malformed_holiday_file_names_the_file_and_the_entry(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    (tmp_path / "holidays").mkdir()
    (tmp_path / "holidays" / "zz.toml").write_text(
        '[file]\nstate = "ZZ"\nname = "Nowhere"\nreviewed = [2020, 2026]\n\n'
        '[[holiday]]\nname = "Bad Day"\ndate = { month = 2, weekday = "funday", nth = 1 }\n'
        'lists = ["court"]\nsource = "none"\n'
    )
    monkeypatch.setenv("DOCKETCAL_DATA", str(tmp_path))
    state_file.cache_clear()
    try:
        with pytest.raises(HolidayFileError) as err:
            state_file("ZZ")
        assert (
            "zz.toml" in str(err.value)
            and "Bad Day" in str(err.value)
            and "weekday" in str(err.value)
        )
    finally:
        state_file.cache_clear()
    assert data_path("x").parent == tmp_path


# --- the holidays package, loaded without its other countries --------------------------------

# Every subdivision docketcal asks the package for: the federal list (no subdivision) and the
# state of every court.
PACKAGE_SUBDIVS: list[str | None] = [None, *sorted({c.state for c in all_courts().values()})]
PACKAGE_YEARS = sorted(set(range(1900, 2201, 7)) | set(range(2020, 2031)))


CATEGORIES = [("public",), ("government",)]


@pytest.fixture(scope="module")
def package_lists() -> dict[str, list[list[str]]]:
    """Every list through the package's public API, ``holidays.country_holidays``, in a fresh
    process that never imports calendars (so the package loads its United States module its own
    way, not through calendars.holidays)."""
    code = (
        "import json, sys\n"
        "import holidays\n"
        "subdivs, years, categories = json.loads(sys.argv[1])\n"
        "out = {}\n"
        "for s in subdivs:\n"
        "    for c in categories:\n"
        "        for y in years:\n"
        "            h = holidays.country_holidays('US', subdiv=s, years=y, categories=tuple(c))\n"
        "            out[f'{s}|{c[0]}|{y}'] = sorted([d.isoformat(), n] for d, n in h.items())\n"
        "assert 'calendars' not in sys.modules\n"
        "print(json.dumps(out))\n"
    )
    arg = json.dumps([PACKAGE_SUBDIVS, PACKAGE_YEARS, CATEGORIES])
    run = subprocess.run(
        [sys.executable, "-c", code, arg], capture_output=True, text=True, check=True
    )
    lists: dict[str, list[list[str]]] = json.loads(run.stdout)
    return lists


@pytest.mark.parametrize("subdiv", PACKAGE_SUBDIVS)
@pytest.mark.parametrize("categories", CATEGORIES)
def test_us_holidays_match_the_package_public_api(
    package_lists: dict[str, list[list[str]]], subdiv: str | None, categories: tuple[str, ...]
) -> None:
    from calendars.holidays import us_holidays

    compared = 0
    for year in PACKAGE_YEARS:
        ours = us_holidays(year, subdiv=subdiv, categories=categories)
        mine = sorted([d.isoformat(), n] for d, n in ours.items())
        theirs = package_lists[f"{subdiv}|{categories[0]}|{year}"]
        assert mine == theirs, (subdiv, year, categories)
        compared += len(theirs)
    # the package's lists end with 2100; before then every year has public holidays
    assert compared > (len(PACKAGE_YEARS) if categories == ("public",) else 0)


def test_compute_loads_no_other_country_of_the_package() -> None:
    # A fresh process, computing as docs/computing.md's "14 days after 2025-01-02" in nysd does:
    # the federal and New York layers are read, so the United States module must be loaded.
    code = (
        "import sys\n"
        "from datetime import date\n"
        "import calendars\n"
        "from calendars import Period, Request, Unit\n"
        "due = calendars.compute('nysd', Request(anchor=date(2025, 1, 2),"
        " period=Period(14, Unit.DAYS)))\n"
        "print(due.due.isoformat())\n"
        "print(' '.join(sorted(m for m in sys.modules if m.startswith('holidays.countries'))))\n"
    )
    out = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, check=True
    ).stdout.splitlines()
    assert out[0] == "2025-01-16"  # 14 days after Thursday 2 January 2025: a Thursday
    assert out[1].split() == ["holidays.countries.united_states"]
