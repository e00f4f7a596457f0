"""The versions of the federal time-computation rules, read from ``data/rule-versions.toml``.

A computation uses the version in force on the day of the event (or on the date asked for); the
trace names it. Only what changes the arithmetic is data here; the words of each version are in
its citations.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from functools import cache

from calendars.data import data_path, read_toml
from calendars.due import ComputeError


@dataclass(frozen=True, slots=True)
class Version:
    """One text of a rule, from the day it took effect."""

    rules: str
    since: date
    label: str
    computation: str  # "sub": cite the current text's subdivisions
    service: str
    short_below: int
    service_days: str  # "after-period" | "to-period"
    adds: frozenset[str]
    state_holidays: str  # "forward" | "both" | "none"
    backward: str  # "back" | "unsettled"
    hours: bool
    source: str

    @property
    def current_style(self) -> bool:
        """The 2009 text and later: days are days, hours, the next day both ways."""
        return self.computation == "sub"


@cache
def versions(rules: str) -> tuple[Version, ...]:
    """The versions of one rule set, oldest first (empty when docketcal has none for it)."""
    raw = read_toml(data_path("rule-versions.toml"))
    out = [
        Version(
            rules=v["rules"],
            since=v["since"],
            label=v["label"],
            computation=v["computation"],
            service=v["service"],
            short_below=int(v["short_below"]),
            service_days=v["service_days"],
            adds=frozenset(v["adds"]),
            state_holidays=v["state_holidays"],
            backward=v["backward"],
            hours=bool(v["hours"]),
            source=v["source"],
        )
        for v in raw["version"]
        if v["rules"] == rules
    ]
    out.sort(key=lambda v: v.since)
    return tuple(out)


def in_force(rules: str, on: date, name: str) -> Version:
    """The version of ``rules`` in force on ``on``; a date before the first one is refused."""
    found = None
    for v in versions(rules):
        if v.since <= on:
            found = v
    if found is None:
        first = versions(rules)[0]
        raise ComputeError(
            f"{on.isoformat()} is before {first.since.isoformat()}: earlier texts of {name} are not"
            " in docketcal; compute by hand from the rule then in force"
        )
    return found


def later(rules: str, after: date, through: date) -> Version | None:
    """The last version that took effect after ``after`` and on or before ``through``."""
    found = None
    for v in versions(rules):
        if after < v.since <= through:
            found = v
    return found
