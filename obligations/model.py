"""The domain: orders, the obligations they impose, amendments, checks and the facts of a case.

Everything here is plain immutable data. The order-file loader builds ``Order`` values; the
store keeps facts; the engine (``obligations.engine.schedule``) turns both into a schedule.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime
from enum import StrEnum

from calendars.period import Period
from obligations.when import When


class Kind(StrEnum):
    DEADLINE = "deadline"  # a duty with a due date ("within 14 days ... shall produce")
    STANDING = "standing"  # a duty that continues ("continue to meet and confer")
    PROHIBITION = "prohibition"  # a duty not to act ("no further submissions without leave")
    RECURRING = "recurring"  # a duty each time an event happens ("whenever a new set ...")


class State(StrEnum):
    WAITING = "waiting"
    OPEN = "open"
    OVERDUE = "overdue"
    DONE = "done"
    VACATED = "vacated"
    STANDING = "standing"


@dataclass(frozen=True, slots=True)
class Obligation:
    """One ordered duty, with the order's own words and its due rule."""

    id: str
    party: str
    text: str
    cite: str
    kind: Kind = Kind.DEADLINE
    due: When | None = None
    service: str | None = None
    consequence: str = ""
    condition: str = ""
    on: str = ""  # for a recurring duty: the event whose every occurrence creates an instance
    summary: str = ""  # the duty in a few words, for agendas and calendar titles
    line: int = 0  # where it stands in its order file, for messages


@dataclass(frozen=True, slots=True)
class Amendment:
    """A later order's change to an earlier order's obligation. Nothing is overwritten."""

    order: str
    obligation: str
    action: str  # extend | vacate | supersede
    to: date | datetime | None = None
    by: Period | None = None
    replacement: str = ""  # supersede: the id of the new obligation in the amending order
    reason: str = ""
    line: int = 0


@dataclass(frozen=True, slots=True)
class Check:
    """An example an order file carries: given these facts, expect these dates or states."""

    given: tuple[tuple[str, date | datetime], ...]
    expect: tuple[tuple[str, str], ...]  # obligation id -> ISO date or a state name
    as_of: date | None = None
    name: str = ""
    line: int = 0


@dataclass(frozen=True, slots=True)
class Order:
    """A court order: who entered it, when its periods run from, and what it imposes."""

    id: str
    case: str
    court: str
    entered: date
    title: str = ""
    judge: str = ""
    source: str = ""
    note: str = ""
    issued: date | None = None
    served: date | None = None
    runs_from: str = "entered"  # entered | issued | served: what "order" means in a due rule
    rules: str | None = None  # a rule set other than the court's (frcrp for a criminal case)
    obligations: tuple[Obligation, ...] = ()
    amendments: tuple[Amendment, ...] = ()
    checks: tuple[Check, ...] = ()
    path: str = ""

    @property
    def start(self) -> date:
        """The date "order" means in a due rule: entry, or issuance or service where it says so."""
        if self.runs_from == "issued" and self.issued is not None:
            return self.issued
        if self.runs_from == "served" and self.served is not None:
            return self.served
        return self.entered


# --- facts -----------------------------------------------------------------------------------
# A fact with the same key as an earlier one corrects it: the engine uses the one with the
# highest ``seq``. ``seq`` is the order of recording (the store's id); 0 for examples.


@dataclass(frozen=True, slots=True)
class Event:
    """A case event recorded: "hearing" set for a date, documents returned, requests served."""

    case: str
    name: str
    at: date | datetime
    seq: int = 0
    note: str = ""
    occurrence: str = ""  # distinguishes occurrences of a recurring event; "" = the event itself


@dataclass(frozen=True, slots=True)
class Completion:
    """An obligation done, on a date."""

    case: str
    order: str
    obligation: str
    on: date
    seq: int = 0
    note: str = ""


@dataclass(frozen=True, slots=True)
class Extension:
    """Time extended: to a date, or by a period counted from the current due date."""

    case: str
    order: str
    obligation: str
    to: date | datetime | None = None
    by: Period | None = None
    reason: str = ""
    seq: int = 0


@dataclass(frozen=True, slots=True)
class Vacatur:
    """An obligation vacated by the court (or a vacatur undone, with ``undone``)."""

    case: str
    order: str
    obligation: str
    reason: str = ""
    seq: int = 0
    undone: bool = False


@dataclass(frozen=True, slots=True)
class Closure:
    """A day a court's clerk's office was closed or inaccessible (FRCP 6(a)(3), CCP 12b)."""

    court: str
    day: date
    reason: str = ""
    seq: int = 0


Fact = Event | Completion | Extension | Vacatur | Closure


@dataclass(frozen=True, slots=True)
class Facts:
    """Everything recorded about the cases being scheduled."""

    events: tuple[Event, ...] = ()
    completions: tuple[Completion, ...] = ()
    extensions: tuple[Extension, ...] = ()
    vacaturs: tuple[Vacatur, ...] = ()
    closures: tuple[Closure, ...] = field(default=())

    @classmethod
    def of(cls, facts: tuple[Fact, ...] | list[Fact]) -> Facts:
        return cls(
            events=tuple(f for f in facts if isinstance(f, Event)),
            completions=tuple(f for f in facts if isinstance(f, Completion)),
            extensions=tuple(f for f in facts if isinstance(f, Extension)),
            vacaturs=tuple(f for f in facts if isinstance(f, Vacatur)),
            closures=tuple(f for f in facts if isinstance(f, Closure)),
        )
