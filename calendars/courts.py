"""The court registry: a courts-db id resolves to a ``Court``.

Federal district courts and courts of appeals come from ``data/federal-courts.toml`` (every
active court, with its time zone and clerk's office closing time); bankruptcy courts and
bankruptcy appellate panels from ``data/bankruptcy-courts.toml`` (a bankruptcy court takes its
state and clock from its district court, of which it is a unit); the Tax Court and the Court of
Federal Claims from ``data/national-courts.toml``; the state courts docketcal has rule sets for
from ``data/state-courts.toml``. Where courts-db has no id for a court, the row says so
(``courts_db = false``) and names the one docketcal uses.
"""

from __future__ import annotations

import difflib
from dataclasses import dataclass
from datetime import time
from functools import cache
from typing import Any
from zoneinfo import ZoneInfo

from calendars.data import data_path, read_toml
from calendars.errors import BadInput

FEDERAL_RULESETS = {"district": "frcp", "appeals": "frap", "bankruptcy": "frbp", "bap": "frbp"}
DATA_FILES = (
    "federal-courts.toml",
    "bankruptcy-courts.toml",
    "national-courts.toml",
    "state-courts.toml",
)


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
    kind: str  # district | appeals | bankruptcy | bap | tax | claims | state
    state: str  # USPS code; for a court of appeals, where its clerk's principal office is
    tz: str
    ruleset: str
    clerk_closes: time | None = None
    clerk_closes_source: str = ""
    circuit: str = ""
    other_zones: tuple[Zone, ...] = ()
    #: for a bankruptcy court, the district court it is a unit of (28 U.S.C. § 151)
    district: str = ""
    #: a state court's level: "trial" or "appellate"
    level: str = ""
    #: False when courts-db has no id for the court and docketcal names one
    courts_db: bool = True

    @property
    def zone(self) -> ZoneInfo:
        return _zone(self.tz)

    @property
    def federal(self) -> bool:
        return self.kind != "state"


@cache
def _zone(name: str) -> ZoneInfo:
    return ZoneInfo(name)


class UnknownCourt(BadInput, KeyError):
    """A court id docketcal does not know (a mistyped argument: exit 2); the message suggests
    the closest ones. Still a ``KeyError`` for callers that look courts up by id."""


def _load(name: str) -> dict[str, Any]:
    return read_toml(data_path(name))


@cache
def all_courts() -> dict[str, Court]:
    """Every court docketcal computes for, by id."""
    courts: dict[str, Court] = {}
    federal = _load("federal-courts.toml").get("court", {})
    for cid, row in federal.items():
        courts[cid] = _court(cid, row, FEDERAL_RULESETS[row["kind"]])
    for cid, row in _load("bankruptcy-courts.toml").get("court", {}).items():
        if "district" in row:  # a unit of the district court: its state and clock
            unit = federal[row["district"]]
            row = {
                "kind": "bankruptcy",
                "state": unit["state"],
                "tz": unit["tz"],
                "circuit": unit.get("circuit", ""),
                "other_zones": unit.get("other_zones", ()),
                **row,
            }
        courts[cid] = _court(cid, row, FEDERAL_RULESETS[row["kind"]])
    for cid, row in _load("national-courts.toml").get("court", {}).items():
        courts[cid] = _court(cid, row, row["ruleset"])
    for cid, row in _load("state-courts.toml").get("court", {}).items():
        courts[cid] = _court(cid, {"kind": "state", **row}, row["ruleset"])
    return courts


def _court(cid: str, row: dict[str, Any], ruleset: str) -> Court:
    closes = row.get("clerk_closes")
    return Court(
        id=cid,
        name=row["name"],
        short=row["short"],
        kind=row["kind"],
        state=row["state"],
        tz=row["tz"],
        ruleset=ruleset,
        clerk_closes=time.fromisoformat(closes) if closes else None,
        clerk_closes_source=row.get("clerk_closes_source", ""),
        circuit=row.get("circuit", ""),
        other_zones=tuple(Zone(z["tz"], z["where"]) for z in row.get("other_zones", ())),
        district=row.get("district", ""),
        level=row.get("level", ""),
        courts_db=row.get("courts_db", True),
    )


def get_court(court_id: str) -> Court:
    """The court with this id, or ``UnknownCourt`` naming the closest known ids."""
    courts = all_courts()
    key = court_id.strip().lower()
    if key in courts:
        return courts[key]
    close = difflib.get_close_matches(key, list(courts), n=4, cutoff=0.6)
    hint = f"; did you mean {', '.join(close)}?" if close else ""
    raise UnknownCourt(
        f"unknown court '{court_id}': expected a courts-db id such as caed, njd, ca9, nysb, tax,"
        " calsuperct"
        f" (run 'docketcal courts' for the list){hint}"
    )
