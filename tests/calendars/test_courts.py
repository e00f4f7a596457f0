"""The court registry: every active federal court resolves, with the right state and clock."""

from __future__ import annotations

import csv
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest
from courts_db import courts as courts_db

from calendars import RULESET_IDS, UnknownCourt, all_courts, get_court

GOLDEN = Path(__file__).parent / "golden" / "federal-courts.csv"


def test_every_district_court_and_court_of_appeals_is_known() -> None:
    kinds = [c.kind for c in all_courts().values()]
    assert kinds.count("district") == 94
    assert kinds.count("appeals") == 13


def test_every_bankruptcy_court_in_courts_db_is_known() -> None:
    ours = {cid for cid, c in all_courts().items() if c.kind in ("bankruptcy", "bap")}
    theirs = {c["id"] for c in courts_db if c.get("type") == "bankruptcy"}
    # the District of Tennessee (1797-1801) and the Second Circuit's panel (ended 2000) are gone
    assert ours == theirs - {"tennesseeb", "bap2"}
    assert sum(c.kind == "bankruptcy" for c in all_courts().values()) == 94


def test_a_bankruptcy_court_takes_its_district_courts_state_and_clock() -> None:
    for court in all_courts().values():
        if court.kind == "bankruptcy":
            unit = get_court(court.district)
            assert (court.state, court.tz, court.other_zones) == (
                unit.state,
                unit.tz,
                unit.other_zones,
            )
            assert court.ruleset == "frbp"


def test_every_id_is_a_courts_db_id_unless_its_row_says_not() -> None:
    known = {c["id"] for c in courts_db}
    for cid, court in all_courts().items():
        assert (cid in known) == court.courts_db, cid
    assert not get_court("texdistct").courts_db


def test_every_court_has_a_real_time_zone_and_a_rule_set() -> None:
    for court in all_courts().values():
        ZoneInfo(court.tz)
        for zone in court.other_zones:
            ZoneInfo(zone.tz)
        assert court.ruleset in RULESET_IDS
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
