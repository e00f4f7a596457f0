"""Properties of the rule data (data/rules, and the fixtures): every deadline has a citation, an
excerpt and a due rule that parses and counts from its trigger; ids are unique; every chain
terminates; and for any trigger, date, court and method, preview gives every deadline a date
or says what it waits on, with the rule's citation first in its trace and a safe date no later
than the date."""

from __future__ import annotations

import tomllib
from datetime import date, timedelta
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from calendars import all_courts, get_ruleset
from calendars.data import data_path
from obligations.orderfile import parse_order
from obligations.rules import TRIGGER, Library, load_library, preview, rules_order_text
from obligations.when import DueAnchor, MissedAnchor, NamedAnchor, anchors_of

FIXTURES = Path(__file__).parent / "fixtures" / "good"
FOLDERS = [pytest.param(FIXTURES, id="fixtures"), pytest.param(data_path("rules"), id="data")]


def _lib(folder: Path) -> Library:
    if not folder.is_dir() or not any(folder.glob("*.toml")):
        pytest.skip(f"no rule files in {folder.name} yet")
    return load_library(folder)


@pytest.mark.parametrize("folder", FOLDERS)
def test_every_deadline_is_cited_and_counts_from_its_trigger(folder: Path) -> None:
    lib = _lib(folder)
    for d in lib.deadlines.values():
        assert d.trigger in lib.triggers
        for v in d.versions:
            assert v.cite.strip() and v.excerpt.strip(), d.id
            names = {
                a.name
                for a in anchors_of(v.due)
                if isinstance(a, NamedAnchor | DueAnchor | MissedAnchor)
            }
            same = {x.id for x in lib.set_by(d.trigger)}
            assert names <= same | {TRIGGER}, (d.id, names)


@pytest.mark.parametrize("folder", FOLDERS)
def test_ids_are_unique_across_files(folder: Path) -> None:
    _lib(folder)
    ids: list[str] = []
    for path in sorted(folder.glob("*.toml")):
        data = tomllib.loads(path.read_text(encoding="utf-8"))
        ids += [t["id"] for t in data.get("trigger", [])]
        ids += [d["id"] for d in data.get("deadline", [])]
    assert len(ids) == len(set(ids)), sorted(i for i in ids if ids.count(i) > 1)


@pytest.mark.parametrize("folder", FOLDERS)
def test_every_chain_terminates_at_its_trigger(folder: Path) -> None:
    """Followed through every version of every deadline it names, no chain comes back to a
    deadline already on its path: each ends at the trigger."""
    lib = _lib(folder)

    def follows(ident: str) -> set[str]:
        return {
            getattr(a, "name", TRIGGER)
            for v in lib.deadlines[ident].versions
            for a in anchors_of(v.due)
        } - {TRIGGER}

    for start in lib.deadlines:
        path = [start]
        stack = [iter(sorted(follows(start)))]
        while stack:
            for name in stack[-1]:
                assert name not in path, f"a chain loops: {' -> '.join([*path, name])}"
                path.append(name)
                stack.append(iter(sorted(follows(name))))
                break
            else:
                stack.pop()
                path.pop()


@pytest.mark.parametrize("folder", FOLDERS)
def test_every_trigger_makes_an_order_file_in_every_court_it_applies_in(folder: Path) -> None:
    lib = _lib(folder)
    courts = list(all_courts())
    for t in lib.triggers.values():
        where = [c for c in courts if lib.applies(t.id, c)][:3]
        assert where, f"trigger {t.id} applies in no court"
        for court in where:
            for day in (date(2025, 3, 3), date(2000, 6, 1)):
                text = rules_order_text(lib, t.id, day, court, "case-1", earliest=True)
                order = parse_order(text, f"rules:{t.id}")
                assert {ob.id for ob in order.obligations} == {
                    d.id for d in lib.set_by(t.id, court)
                }


def _check(lib: Library, trigger: str, day: date, court: str, service: str | None) -> None:
    got = preview(lib, trigger, day, court, service)
    assert [i.deadline.id for i in got.items] == [d.id for d in lib.set_by(trigger, court)]
    for item in got.items:
        assert item.trace and item.trace[0].step == 1
        v = item.version
        if v is not None:
            assert item.trace[0].rule == v.cite
        if item.due is None:
            assert item.waiting_on, item.deadline.id
        else:
            assert item.due.safe_due <= item.due.due
            assert [s.step for s in item.trace] == list(range(1, len(item.trace) + 1))


@pytest.mark.parametrize("folder", FOLDERS)
@settings(max_examples=60, deadline=None)
@given(data=st.data())
def test_any_preview_dates_or_explains_every_deadline(folder: Path, data: st.DataObject) -> None:
    lib = _lib(folder)
    trigger = data.draw(st.sampled_from(sorted(lib.triggers)))
    courts = [c for c in sorted(all_courts()) if lib.applies(trigger, c)]
    court = data.draw(st.sampled_from(courts))
    day = date(1995, 1, 1) + timedelta(days=data.draw(st.integers(0, 365 * 35)))
    methods = sorted(get_ruleset(all_courts()[court].ruleset).methods)
    service = data.draw(st.none() | st.sampled_from(methods))
    _check(lib, trigger, day, court, service)
