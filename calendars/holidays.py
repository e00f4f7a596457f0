"""Holiday layers: federal legal holidays, state holiday lists and their sources.

Federal dates come from the ``holidays`` package (categories ``public`` and ``government``);
state lists are cited data files in ``data/holidays/`` (the package's state lists are
state-employee lists, not court lists). A state with no reviewed file falls back to the
package's subdivision list, and every result that uses it says so.
"""

from __future__ import annotations

import importlib.util
import os
import sys
from dataclasses import dataclass
from datetime import date, timedelta
from functools import cache
from pathlib import Path
from typing import TYPE_CHECKING, Any, cast

from dateutil.easter import easter

from calendars.data import data_path, kept, read_toml
from calendars.errors import BadInput

if TYPE_CHECKING:
    from holidays.holiday_base import HolidayBase

#: Layer names. A rule set chooses which layers make a day a non-court day.
FEDERAL = "federal"
EO_CLOSURE = "eo-closure"
INAUGURATION = "inauguration"
STATE = "state"
COURT = "court"

WEEKDAYS = ("mon", "tue", "wed", "thu", "fri", "sat", "sun")


@dataclass(frozen=True, slots=True)
class Holiday:
    """One holiday on one date, in one layer, with its authority."""

    day: date
    name: str
    layer: str
    source: str
    arguable: str = ""
    observed: bool = False
    #: the day the holiday was declared, when that was shortly before it (Juneteenth 2021): a
    #: period that began before then is unsettled
    declared: date | None = None
    #: for a state holiday, the state (USPS code) that declares it
    state: str = ""


class HolidayFileError(BadInput):
    """A holiday data file that does not follow the format (names the file and the entry)."""


# --- the holidays package ----------------------------------------------------------------------

_US_MODULE = "holidays.countries.united_states"


@cache
def _united_states() -> type[HolidayBase]:
    """The package's United States class, loaded without its registry of every other country.

    ``holidays.country_holidays("US")`` and ``import holidays.countries.united_states`` both run
    ``holidays/countries/__init__.py``, which imports all of the package's countries (most of its
    import time). The United States module needs none of them, so it is loaded from its file under
    its own name; a later import of ``holidays.countries`` reuses it. Imported here, not at the
    top: the package is slow to import and often not needed.
    """
    loaded = sys.modules.get(_US_MODULE)
    if loaded is None:
        package = importlib.util.find_spec("holidays")
        locations = package.submodule_search_locations if package else None
        spec = None
        if locations:
            for where in locations:
                path = os.path.join(where, "countries", "united_states.py")
                if not os.path.isfile(path):
                    continue
                spec = importlib.util.spec_from_file_location(_US_MODULE, path)
                if spec is not None and spec.loader is not None:
                    break
                spec = None
        if spec is None or spec.loader is None:  # an unexpected layout: the ordinary import
            from holidays.countries import united_states

            return cast("type[HolidayBase]", united_states.US)
        loaded = importlib.util.module_from_spec(spec)
        sys.modules[_US_MODULE] = loaded
        try:
            spec.loader.exec_module(loaded)
        except BaseException:
            del sys.modules[_US_MODULE]
            raise
    return cast("type[HolidayBase]", loaded.US)


def us_holidays(
    year: int, *, subdiv: str | None = None, categories: tuple[str, ...] = ("public",)
) -> HolidayBase:
    """The package's United States holidays of one year, as ``holidays.country_holidays("US",
    subdiv=subdiv, years=year, categories=categories)`` gives them (same defaults)."""
    return _united_states()(
        years=year,
        subdiv=subdiv,
        expand=True,
        observed=True,
        language=None,
        categories=categories,
    )


# --- federal ---------------------------------------------------------------------------------


@cache
def _federal_file() -> dict[str, Any]:
    return read_toml(data_path("federal-holidays.toml"))


def federal_reviewed() -> tuple[int, int]:
    first, last = _federal_file()["file"]["reviewed"]
    return int(first), int(last)


@cache
def federal_holidays(year: int) -> tuple[Holiday, ...]:
    """Federal legal holidays and executive-order closures of one year (a copy kept between
    runs where a keeper is set: calendars/data.py)."""
    return kept(f"federal holidays {year}", _federal_sources, lambda: _federal_holidays(year))


def _federal_sources() -> list[Path]:
    """What the federal days are made of: the data file, this module, and the files of the
    ``holidays`` package the United States' days come from (found without importing it)."""
    out = [data_path("federal-holidays.toml"), Path(__file__)]
    package = importlib.util.find_spec("holidays")
    for where in (package.submodule_search_locations or []) if package else []:
        root = Path(where)
        out += [root / name for name in _PACKAGE_FILES]
        out += sorted(root.parent.glob("holidays-*.dist-info/RECORD"))  # its version
    return out


#: The package's files that make the United States' days.
_PACKAGE_FILES = (
    "__init__.py",
    "version.py",
    "holiday_base.py",
    "observed_holiday_base.py",
    "countries/united_states.py",
)


def _federal_holidays(year: int) -> tuple[Holiday, ...]:
    meta = _federal_file()
    closures: dict[str, str] = meta["closures"]
    half_days: dict[str, str] = meta["half_days"]
    public = us_holidays(year, categories=("public",))
    government = us_holidays(year, categories=("government",))
    out: list[Holiday] = []
    for day, name in sorted(public.items()):
        if day.year != year:
            continue
        observed = "(observed)" in name
        if "Juneteenth" in name and day < date(2023, 12, 1):
            source = meta["juneteenth_2021"]
        else:
            source = meta["observed"] if observed else meta["statutory"]
        declared = meta.get("declared", {}).get(day.isoformat())
        out.append(
            Holiday(
                day,
                _statutory_name(name),
                FEDERAL,
                source,
                observed=observed,
                declared=declared["on"] if declared else None,
            )
        )
    for day, name in sorted(government.items()):
        if day.year != year or day in public or day.isoformat() in half_days:
            continue
        source = closures.get(day.isoformat(), "executive order closing federal agencies")
        out.append(Holiday(day, f"{name} (federal closure by executive order)", EO_CLOSURE, source))
    return tuple(out)


def _statutory_name(name: str) -> str:
    # The package joins the statutory and common names ("Birthday of Martin Luther King, Jr.;
    # Martin Luther King Jr. Day"); the statutory one comes first.
    return name.split(";")[0].strip()


def inauguration_day(year: int) -> Holiday | None:
    """Inauguration Day, a legal public holiday in the D.C. area (5 U.S.C. 6103(c))."""
    if year < 1965 or (year - 1965) % 4:
        return None
    day = date(year, 1, 20)
    if day.weekday() == 6:
        day += timedelta(days=1)
    return Holiday(day, "Inauguration Day", INAUGURATION, "5 U.S.C. § 6103(c)")


# --- state files -----------------------------------------------------------------------------


@dataclass(frozen=True, slots=True, eq=False)  # hashed by identity: one per file, cached
class StateFile:
    """A reviewed state holiday file: its rules, the years reviewed and its sources."""

    state: str
    name: str
    reviewed: tuple[int, int]
    entries: tuple[dict[str, Any], ...]
    path: str

    def holidays(self, year: int, layer: str) -> tuple[Holiday, ...]:
        """Every date of ``year`` on ``layer`` (``state`` or ``court``), observed days added."""
        return _expand(self, year, layer)


@cache
def state_file(state: str) -> StateFile | None:
    """The reviewed holiday file of a state (USPS code), or None when there is none yet."""
    path = data_path("holidays", f"{state.lower()}.toml")
    if not path.exists():
        return None
    raw = read_toml(path)
    try:
        head = raw["file"]
        first, last = head["reviewed"]
        entries = tuple(raw.get("holiday", ()))
    except (KeyError, TypeError, ValueError) as exc:
        raise HolidayFileError(
            f"{path}: [file] needs state, name and reviewed = [first, last]"
        ) from exc
    for i, entry in enumerate(entries, 1):
        _check_entry(str(path), i, entry)
    return StateFile(head["state"], head["name"], (int(first), int(last)), entries, str(path))


def _check_entry(path: str, index: int, entry: dict[str, Any]) -> None:
    where = f"{path}: holiday #{index} ({entry.get('name', 'no name')})"
    for key in ("name", "date", "lists", "source"):
        if key not in entry:
            raise HolidayFileError(f"{where}: missing '{key}'")
    if "declared" in entry and not isinstance(entry["declared"], date):
        raise HolidayFileError(f"{where}: declared must be a date (the day it was declared)")
    for layer in entry["lists"]:
        if layer not in (STATE, COURT):
            raise HolidayFileError(f"{where}: unknown list '{layer}' (expected state or court)")
    spec = entry["date"]
    if not isinstance(spec, dict) or not (
        "dates" in spec
        or "easter" in spec
        or ("month" in spec and ("day" in spec or "weekday" in spec))
    ):
        raise HolidayFileError(
            f"{where}: date must be {{month, day}}, {{month, weekday, nth}}, {{easter}} or {{dates}}"
        )
    if "weekday" in spec and spec["weekday"] not in WEEKDAYS:
        raise HolidayFileError(f"{where}: weekday must be one of {', '.join(WEEKDAYS)}")
    for layer in entry["lists"]:
        rule = _observe_rule(entry, layer)
        if rule not in ("none", "sun-mon", "sat-fri", "sat-fri,sun-mon"):
            raise HolidayFileError(
                f"{where}: observe '{rule}' (expected none, sun-mon, sat-fri or sat-fri,sun-mon)"
            )


def _observe_rule(entry: dict[str, Any], layer: str) -> str:
    observe = entry.get("observe", "none")
    if isinstance(observe, dict):
        return str(observe.get(layer, "none")).replace(" ", "")
    return str(observe).replace(" ", "")


def _dates_of(spec: dict[str, Any], year: int) -> list[date]:
    if "dates" in spec:
        return [d for d in spec["dates"] if d.year == year]
    if "easter" in spec:
        return [easter(year) + timedelta(days=int(spec["easter"]))]
    month = int(spec["month"])
    if "day" in spec:
        base = date(year, month, int(spec["day"]))
    else:
        weekday = WEEKDAYS.index(spec["weekday"])
        nth = int(spec.get("nth", 1))
        if nth > 0:
            first = date(year, month, 1)
            base = first + timedelta(days=(weekday - first.weekday()) % 7 + 7 * (nth - 1))
            if base.month != month:
                return []
        else:
            nxt = date(year + month // 12, month % 12 + 1, 1)
            last = nxt - timedelta(days=1)
            base = last - timedelta(days=(last.weekday() - weekday) % 7)
    return [base + timedelta(days=int(spec.get("offset", 0)))]


@cache
def _expand(sf: StateFile, year: int, layer: str) -> tuple[Holiday, ...]:
    out: list[Holiday] = []
    # Observed days may cross a year end (Jan 1 on a Saturday is observed Dec 31), so look at
    # the neighbouring years' rules too.
    for y in (year - 1, year, year + 1):
        for entry in sf.entries:
            if layer not in entry["lists"]:
                continue
            if "since" in entry and y < int(entry["since"]):
                continue
            if "until" in entry and y > int(entry["until"]):
                continue
            parity = entry.get("years")
            if (parity == "even" and y % 2) or (parity == "odd" and not y % 2):
                continue
            rule = _observe_rule(entry, layer)
            for day in _dates_of(entry["date"], y):
                name, source, arguable = entry["name"], entry["source"], entry.get("arguable", "")
                if day.year == year:
                    declared = entry.get("declared")
                    out.append(
                        Holiday(
                            day, name, layer, source, arguable, declared=declared, state=sf.state
                        )
                    )
                moved = _observed(day, rule)
                if moved is not None and moved.year == year:
                    out.append(
                        Holiday(
                            moved,
                            f"{name} (observed)",
                            layer,
                            source,
                            arguable,
                            True,
                            state=sf.state,
                        )
                    )
    out.sort(key=lambda h: h.day)
    return tuple(out)


def _observed(day: date, rule: str) -> date | None:
    wd = day.weekday()
    if wd == 5 and "sat-fri" in rule:
        return day - timedelta(days=1)
    if wd == 6 and "sun-mon" in rule:
        return day + timedelta(days=1)
    return None


# --- unreviewed states -----------------------------------------------------------------------


@cache
def package_state_holidays(state: str, year: int) -> tuple[Holiday, ...]:
    """A state's days beyond the federal list, from the ``holidays`` package (not yet reviewed)."""
    federal = us_holidays(year, categories=("public",))
    try:
        local = us_holidays(year, subdiv=state, categories=("public",))
    except NotImplementedError:
        return ()
    source = (
        f"holidays package, United States subdivision {state} (state-employee list, not reviewed)"
    )
    return tuple(
        Holiday(day, _statutory_name(name), STATE, source, state=state)
        for day, name in sorted(local.items())
        if day.year == year and day not in federal
    )


@cache
def state_name(state: str) -> str:
    """A state's name ("Texas") from its USPS code: the reviewed file's, else the holidays
    package's name of the subdivision, else the code itself."""
    sf = state_file(state)
    if sf is not None:
        return sf.name
    aliases: dict[str, str] = getattr(_united_states(), "subdivisions_aliases", {}) or {}
    for name, code in aliases.items():
        if code == state:
            return name
    return state
