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
    MOOT = "moot"  # its condition was not met, or the default it follows did not happen


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
    condition_id: str = ""  # the name its condition is recorded under (default: its own id)
    review: str = ""  # what a person must decide before its due rule can be written or trusted
    source_text: str = ""  # the order's words the due rule was read from
    #: the rule set that counts this duty's periods when it is not the order's (a notice of
    #: appeal is filed in the district court but counted by Fed. R. App. P. 26)
    rules: str | None = None

    @property
    def condition_name(self) -> str:
        """The name a condition of this duty is recorded under, or "" without a condition."""
        if not self.condition and not self.condition_id:
            return ""
        return self.condition_id or self.id


@dataclass(frozen=True, slots=True)
class Amendment:
    """A later order's change to an earlier order's obligations. Nothing is overwritten.

    It names one obligation (``obligation``), several (``obligations``) or all of them
    (``every``), optionally only those due on or after a date; the order it names may not be
    loaded yet (the amendment is then pending until it is)."""

    order: str
    obligation: str
    action: str  # extend | vacate | supersede
    to: date | datetime | None = None
    by: Period | None = None
    replacement: str = ""  # supersede: the id of the new obligation in the amending order
    reason: str = ""
    line: int = 0
    obligations: tuple[str, ...] = ()
    every: bool = False  # obligations = "all"
    due_on_or_after: date | None = None

    @property
    def targets(self) -> tuple[str, ...]:
        """The obligation ids it names (none when it names all)."""
        return ((self.obligation,) if self.obligation else ()) + self.obligations

    def describe(self) -> str:
        """What it changes, in words: "extend all obligations due on or after 2025-03-01 by 60 days"."""
        what = "all obligations" if self.every else ", ".join(self.targets)
        if self.due_on_or_after is not None:
            what += f" due on or after {self.due_on_or_after.isoformat()}"
        how = ""
        if self.action == "extend":
            how = f" to {self.to.isoformat()}" if self.to is not None else f" by {self.by}"
        elif self.action == "supersede":
            how = f" with {self.replacement}"
        return f"{self.action} {what} of order {self.order}{how}"


@dataclass(frozen=True, slots=True)
class Check:
    """An example an order file carries: given these facts, expect these dates or states."""

    given: tuple[tuple[str, date | datetime], ...]
    expect: tuple[tuple[str, str], ...]  # obligation id -> ISO date, date-time or a state name
    as_of: date | None = None
    name: str = ""
    line: int = 0
    service: tuple[tuple[str, str], ...] = ()  # given name -> the service method it came by
    conditions: tuple[tuple[str, str], ...] = ()  # condition name -> "met" | "not-met"
    expect_lines: tuple[int, ...] = ()  # the line of each expectation, for failures


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
    consequence: str = ""  # stated once for the whole order, shown on each duty without its own
    warnings: tuple[str, ...] = ()  # what the loader found worth a second look (never an error)

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
    service: str = ""  # how it was served, when that adds time to periods counted from it


@dataclass(frozen=True, slots=True)
class Completion:
    """An obligation done, on a date."""

    case: str
    order: str
    obligation: str
    on: date
    seq: int = 0
    note: str = ""
    service: str = ""  # how what was done was served (a response served by mail)


@dataclass(frozen=True, slots=True)
class Condition:
    """A condition of duties recorded as met (``met``) or not met, on a date."""

    case: str
    name: str
    met: bool
    on: date | None = None
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


Fact = Event | Completion | Extension | Vacatur | Closure | Condition


@dataclass(frozen=True, slots=True)
class Facts:
    """Everything recorded about the cases being scheduled."""

    events: tuple[Event, ...] = ()
    completions: tuple[Completion, ...] = ()
    extensions: tuple[Extension, ...] = ()
    vacaturs: tuple[Vacatur, ...] = ()
    closures: tuple[Closure, ...] = field(default=())
    conditions: tuple[Condition, ...] = ()

    @classmethod
    def of(cls, facts: tuple[Fact, ...] | list[Fact]) -> Facts:
        return cls(
            events=tuple(f for f in facts if isinstance(f, Event)),
            completions=tuple(f for f in facts if isinstance(f, Completion)),
            extensions=tuple(f for f in facts if isinstance(f, Extension)),
            vacaturs=tuple(f for f in facts if isinstance(f, Vacatur)),
            closures=tuple(f for f in facts if isinstance(f, Closure)),
            conditions=tuple(f for f in facts if isinstance(f, Condition)),
        )
