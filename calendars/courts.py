"""The court registry: a courts-db id resolves to a ``Court``.

Federal district courts and courts of appeals come from ``data/federal-courts.toml`` (every
active court, with its time zone and clerk's office closing time); the state courts docketcal
has rule sets for come from ``data/state-courts.toml``.
"""

from __future__ import annotations

import difflib
import tomllib
from dataclasses import dataclass
from datetime import time
from functools import cache
from typing import Any
from zoneinfo import ZoneInfo

from calendars.data import data_path
from calendars.errors import BadInput

FEDERAL_RULESETS = {"district": "frcp", "appeals": "frap"}


@dataclass(frozen=True, slots=True)
class Zone:
    tz: str
    where: str


@dataclass(frozen=True, slots=True)
class Court:
    """A court: where it sits, its clock, and the rule set that computes its periods."""

    id: str
    name: str
    short: str
    kind: str  # district | appeals | state
    state: str  # USPS code; for a court of appeals, where its clerk's principal office is
    tz: str
    ruleset: str
    clerk_closes: time | None = None
    clerk_closes_source: str = ""
    circuit: str = ""
    other_zones: tuple[Zone, ...] = ()

    @property
    def zone(self) -> ZoneInfo:
        return _zone(self.tz)

    @property
    def federal(self) -> bool:
        return self.kind in FEDERAL_RULESETS


@cache
def _zone(name: str) -> ZoneInfo:
    return ZoneInfo(name)


class UnknownCourt(BadInput, KeyError):
    """A court id docketcal does not know (a mistyped argument: exit 2); the message suggests
    the closest ones. Still a ``KeyError`` for callers that look courts up by id."""


def _load(name: str) -> dict[str, Any]:
    with open(data_path(name), "rb") as f:
        return tomllib.load(f)


@cache
def all_courts() -> dict[str, Court]:
    """Every court docketcal computes for, by id."""
    courts: dict[str, Court] = {}
    federal = _load("federal-courts.toml").get("court", {})
    for cid, row in federal.items():
        closes = row.get("clerk_closes")
        courts[cid] = Court(
            id=cid,
            name=row["name"],
            short=row["short"],
            kind=row["kind"],
            state=row["state"],
            tz=row["tz"],
            ruleset=FEDERAL_RULESETS[row["kind"]],
            clerk_closes=time.fromisoformat(closes) if closes else None,
            clerk_closes_source=row.get("clerk_closes_source", ""),
            circuit=row.get("circuit", ""),
            other_zones=tuple(Zone(z["tz"], z["where"]) for z in row.get("other_zones", ())),
        )
    for cid, row in _load("state-courts.toml").get("court", {}).items():
        courts[cid] = Court(
            id=cid,
            name=row["name"],
            short=row["short"],
            kind="state",
            state=row["state"],
            tz=row["tz"],
            ruleset=row["ruleset"],
            other_zones=tuple(Zone(z["tz"], z["where"]) for z in row.get("other_zones", ())),
        )
    return courts


def get_court(court_id: str) -> Court:
    """The court with this id, or ``UnknownCourt`` naming the closest known ids."""
    courts = all_courts()
    key = court_id.strip().lower()
    if key in courts:
        return courts[key]
    close = difflib.get_close_matches(key, list(courts), n=4, cutoff=0.6)
    hint = f"; did you mean {', '.join(close)}?" if close else ""
    raise UnknownCourt(
        f"unknown court '{court_id}': expected a courts-db id such as caed, njd, ca9, calsuperct"
        f" (run 'docketcal courts' for the list){hint}"
    )
