"""The court registry: every active federal court resolves, with the right state and clock."""

from __future__ import annotations

import csv
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest
from courts_db import courts as courts_db

from calendars import UnknownCourt, all_courts, get_court

GOLDEN = Path(__file__).parent / "golden" / "federal-courts.csv"


def test_every_district_court_and_court_of_appeals_is_known() -> None:
    kinds = [c.kind for c in all_courts().values()]
    assert kinds.count("district") == 94
    assert kinds.count("appeals") == 13


def test_every_id_is_a_courts_db_id_except_texas_district_courts() -> None:
    known = {c["id"] for c in courts_db}
    missing = [cid for cid in all_courts() if cid not in known]
    assert missing == ["texdistct"]


def test_every_court_has_a_real_time_zone_and_a_rule_set() -> None:
    for court in all_courts().values():
        ZoneInfo(court.tz)
        for zone in court.other_zones:
            ZoneInfo(zone.tz)
        assert court.ruleset in {
            "frcp",
            "frap",
            "california",
            "new-jersey",
            "new-york",
            "texas",
            "florida",
        }
        if court.federal:
            assert court.clerk_closes is not None


def _golden() -> list[dict[str, str]]:
    with GOLDEN.open(newline="", encoding="utf-8") as f:
        return list(csv.DictReader(f))


@pytest.mark.parametrize("row", _golden(), ids=lambda r: r["court"])
def test_golden_court_rows(row: dict[str, str]) -> None:
    assert row["source"].strip()
    court = get_court(row["court"])
    assert court.state == row["state"]
    assert court.tz == row["tz"]


def test_an_unknown_court_suggests_the_closest_ids() -> None:
    with pytest.raises(UnknownCourt) as err:
        get_court("caedd")
    assert "did you mean caed" in str(err.value)


def test_the_example_courts() -> None:
    caed, njd, ca9 = get_court("caed"), get_court("njd"), get_court("ca9")
    assert (caed.state, caed.tz, caed.ruleset) == ("CA", "America/Los_Angeles", "frcp")
    assert (njd.state, njd.tz, njd.ruleset) == ("NJ", "America/New_York", "frcp")
    assert (ca9.state, ca9.ruleset) == ("CA", "frap")
    assert get_court("CAED") is caed


def test_every_state_court_entry_names_its_source() -> None:
    import tomllib

    from calendars.data import data_path

    with open(data_path("state-courts.toml"), "rb") as f:
        rows = tomllib.load(f)["court"]
    assert rows and all(row.get("source", "").strip() for row in rows.values())
