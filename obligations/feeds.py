"""Calendar feeds, the pure part: what a feed holds and the text of its events.

A feed has a *scope*: a case (``case:CASE``), a party in a case (``party:CASE:PARTY``), a person
(``person:EMAIL``: every case, party or duty assigned to them) or the whole firm (``firm``).
It holds each dated duty that is open, done within the done window, or vacated within the
vacated window, as one event; ``calendars.ical`` writes the bytes.

No database, clock or file here: ``obligations.store.feeds`` reads a feed's duties and keeps its
tokens and stamps, and the web application (``cli.web``) serves it. A feed's bytes depend only
on the stored data, the scope, the windows and ``as_of``. See ``docs/feeds.md``.
"""

from __future__ import annotations

import hashlib
import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from datetime import time as clock_time
from typing import Any

from calendars import get_court, ical

#: How long a done duty stays (marked DONE), and a vacated one (CANCELLED), after that day.
DONE_DAYS = 14
VACATED_DAYS = 60
#: Over this a feed gives a warning: Google Calendar drops feeds near 1 MB.
SIZE_WARNING = 500_000
UID_SUFFIX = "@docketcal"
BOTH = "both"
#: A timed event is the half hour that ends at the deadline (khal and others read a timed
#: event without DTEND as a day long; starting it at the deadline would suggest later).
TIMED_BLOCK = timedelta(minutes=30)
END_OF_DAY = clock_time(23, 59)
_HOURS = re.compile(r"\bhours?\b", re.IGNORECASE)
_STATED_TIME = re.compile(r"^\s*(on|by)\s+\d{4}-\d{2}-\d{2}[ T]\d{1,2}:\d{2}", re.IGNORECASE)
TOKEN_SHAPE = re.compile(r"[A-Za-z0-9_-]{43}")
MIN_SECRET = 32


class FeedError(ical.FeedError):
    """Bad input for a feed (an unknown scope, case, party or person): nothing written."""


class SecretError(FeedError):
    """No usable feed secret."""


# -- scopes ---------------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class Scope:
    """What a feed covers: ``case:CASE``, ``party:CASE:PARTY``, ``person:EMAIL`` or ``firm``."""

    kind: str
    case: str | None = None
    party: str | None = None
    email: str | None = None

    @classmethod
    def parse(cls, text: str) -> Scope:
        kind, _, rest = text.strip().partition(":")
        kind = kind.lower()
        if kind == "firm" and not rest:
            return cls("firm")
        if kind == "case" and rest:
            return cls("case", case=rest)
        if kind == "party" and ":" in rest:
            case, party = rest.rsplit(":", 1)
            if case and party:
                return cls("party", case=case, party=party)
        if kind == "person" and "@" in rest:
            return cls("person", email=rest.lower())
        raise FeedError(
            f"scope '{text}': expected case:CASE, party:CASE:PARTY, person:EMAIL or firm"
        )

    def __str__(self) -> str:
        if self.kind == "case":
            return f"case:{self.case}"
        if self.kind == "party":
            return f"party:{self.case}:{self.party}"
        if self.kind == "person":
            return f"person:{self.email}"
        return "firm"


@dataclass(frozen=True, slots=True)
class Windows:
    """Days a done duty (``done``, from the day it was done) and a vacated or removed one
    (``vacated``, from the day it changed) stay in the feed after ``as_of``."""

    done: int = DONE_DAYS
    vacated: int = VACATED_DAYS

    def __post_init__(self) -> None:
        if self.done < 0 or self.vacated < 0:
            raise FeedError("feed windows are days: zero or more")


DEFAULT_WINDOWS = Windows()


# -- reading a feed's duties ---------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class Item:
    """One stored obligation, as a feed reads it."""

    ref: str
    uid: str
    case: str
    order: str
    obligation: str
    court: str
    party: str
    summary: str
    text: str
    cite: str
    when: str
    kind: str
    state: str  # open | done | vacated | moot (no longer in its order reads as vacated)
    due: date
    due_at: datetime | None
    safe_due: date | None
    done_on: date | None
    readings: tuple[dict[str, Any], ...]
    warnings: tuple[str, ...]
    trace: tuple[dict[str, Any], ...]
    depends_on: tuple[str, ...]
    revision: int
    changed_at: datetime
    consequence: str = ""
    condition: str = ""
    removed: bool = False  # no longer in the current version of its order
    end_at: datetime | None = None  # a timed appearance's end
    review: str = ""  # what a person must still decide about its due rule


@dataclass(frozen=True, slots=True)
class Waiting:
    """A duty with no date yet (listed in a case feed's description, never an event)."""

    ref: str
    party: str
    summary: str
    waiting_on: tuple[str, ...]


@dataclass(frozen=True, slots=True)
class Feed:
    """What one feed holds on ``as_of``: its name, description and duties."""

    scope: Scope
    name: str
    description: str
    items: tuple[Item, ...]
    related: Mapping[str, str] = field(default_factory=dict)  # upstream ref -> its UID


def with_waiting(description: str, waiting: Sequence[Waiting]) -> str:
    if not waiting:
        return description
    lines = [description, "", "Waiting (no date yet, so not in the calendar):"]
    for w in waiting:
        on = f"; waits on {', '.join(w.waiting_on)}" if w.waiting_on else ""
        lines.append(f"- {party_label(w.party)}: {w.summary}{on} [{w.ref}]")
    return "\n".join(lines)


def naming(scope: Scope, who: str | None = None) -> tuple[str, str]:
    """The feed's name and description; ``who``: the person's name, for a person's feed."""
    tail = "Court-ordered deadlines from docketcal. All-day events are date deadlines; timed ones end at the deadline, in court time."
    if scope.kind == "case":
        return f"{scope.case} deadlines", f"Case {scope.case}. {tail}"
    if scope.kind == "party":
        party = party_label(scope.party or "")
        return (
            f"{scope.case} · {party} deadlines",
            f"Case {scope.case}, the duties of {party.lower()} and of both parties. {tail}",
        )
    if scope.kind == "person":
        who = who or scope.email
        return (
            f"Deadlines: {who}",
            f"The cases, parties and duties assigned to {who} <{scope.email}>. {tail}",
        )
    return "Deadlines: every case", f"Every case on the docket. {tail}"


# -- duties as events ----------------------------------------------------------------------------


def party_label(party: str) -> str:
    if party == BOTH:
        return "Both parties"
    return party[:1].upper() + party[1:]


def is_timed(item: Item) -> bool:
    """Whether a deadline is a time of day, not a day.

    The store keeps ``due_at`` for every deadline with a time: a federal date deadline ends at
    23:59 court time (Fed. R. Civ. P. 6(a)(4)(A), the end of the day for electronic filing),
    while an hours period or a time the order states ends at that instant; state rule sets give
    no ``due_at`` for a date deadline. So a deadline is a day (an all-day event) when it has
    no ``due_at``, or when ``due_at`` is 23:59 court time and its rule neither counts hours nor
    states a time ("by 2013-07-15 23:59" stays timed); otherwise it is timed.
    """
    if item.due_at is None:
        return False
    if _HOURS.search(item.when) or _STATED_TIME.search(item.when):
        return True
    local = item.due_at.astimezone(get_court(item.court).zone)
    return local.time().replace(second=0, microsecond=0) != END_OF_DAY


def _day(d: date) -> str:
    return f"{d.strftime('%a')} {d.isoformat()}"


def describe(item: Item, timed: bool | None = None) -> str:
    """The event's DESCRIPTION: the order's words, where they are, the rule, the date and how
    it was computed, the safe date when readings differ, warnings, and what is known."""
    court = get_court(item.court)
    lines = [item.text.strip(), ""]
    lines.append(f"Party: {party_label(item.party)}")
    lines.append(f"Cite: {item.cite or '-'} (order {item.order}, case {item.case})")
    if item.review:
        lines.append(f"NEEDS REVIEW: {item.review}")
    if item.when:
        lines.append(f"Rule: {item.when}")
    if item.due_at is not None and item.end_at is not None:
        start = item.due_at.astimezone(court.zone).strftime("%H:%M")
        end = item.end_at.astimezone(court.zone).strftime("%H:%M %Z")
        lines.append(f"When: {_day(item.due)} from {start} to {end} (court time, {court.tz})")
    elif item.due_at is not None:
        local = item.due_at.astimezone(court.zone)
        at = local.strftime("%H:%M %Z")
        if is_timed(item) if timed is None else timed:
            lines.append(f"Due: {_day(item.due)} at {at} (court time, {court.tz})")
        else:
            lines.append(f"Due: {_day(item.due)}, by {at} for electronic filing (court time)")
    else:
        lines.append(f"Due: {_day(item.due)}")
    dates = {r.get("due") for r in item.readings}
    if (item.safe_due is not None and item.safe_due != item.due) or len(dates) > 1:
        safe = item.safe_due or item.due
        lines.append(f"Safe date: {_day(safe)}: the readings of the law differ:")
        for r in item.readings:
            lines.append(f"- {r.get('due')}: {r.get('assumes')}")
    if item.trace:
        lines.append("How the date was computed:")
        for step in item.trace:
            moved = f"{step.get('from')} -> {step.get('to')}"
            note = f": {step['note']}" if step.get("note") else ""
            lines.append(f"{step.get('step')}. {step.get('rule')} ({moved}){note}")
    if item.warnings:
        lines.append("Warnings:")
        lines.extend(f"- {w}" for w in item.warnings)
    if item.depends_on:
        lines.append(f"Follows: {', '.join(item.depends_on)}")
    if item.condition:
        lines.append(f"Condition: {item.condition}")
    if item.consequence:
        lines.append(f"Consequence: {item.consequence}")
    if item.state == "done":
        lines.append(f"DONE on {item.done_on.isoformat() if item.done_on else '?'}.")
    elif item.removed:
        lines.append("REMOVED: no longer in the current version of its order.")
    elif item.state == "vacated":
        lines.append("VACATED: the court vacated it.")
    elif item.state == "moot":
        lines.append("MOOT: its condition was not met, or the default it follows did not happen.")
    lines.append(f"Ref: {item.ref}")
    return "\n".join(lines)


def event(item: Item, related: Mapping[str, str]) -> ical.Event:
    """One duty as a VEVENT (pure: the stored data only)."""
    prefix = {"done": "DONE: ", "vacated": "VACATED: ", "moot": "MOOT: "}.get(item.state, "")
    if item.review and not prefix:
        prefix = "REVIEW: "
    head = f"{prefix}{item.case} · {party_label(item.party)}: {item.summary or item.obligation}"
    categories = ["Deadline", item.case, party_label(item.party)]
    if item.state in ("done", "vacated", "moot"):
        categories.append(item.state.capitalize())
    start: date | datetime
    end: date | datetime
    zone = None
    timed = is_timed(item)
    if timed and item.end_at is not None and item.due_at is not None and item.end_at > item.due_at:
        # an appearance: from its start to its end (DTEND)
        court = get_court(item.court)
        zone = court.tz
        start = item.due_at.astimezone(court.zone)
        end = item.end_at.astimezone(court.zone)
        head += f" ({start.strftime('%H:%M')}–{end.strftime('%H:%M %Z')})"
    elif timed:
        assert item.due_at is not None
        court = get_court(item.court)
        zone = court.tz
        end = item.due_at.astimezone(court.zone)
        start = end - TIMED_BLOCK
        head += f" (due {end.strftime('%H:%M %Z')})"
    else:
        start, end = item.due, item.due + timedelta(days=1)
    return ical.Event(
        uid=item.uid + UID_SUFFIX,
        sequence=item.revision,
        stamp=item.changed_at,
        summary=head,
        start=start,
        end=end,
        zone=zone,
        description=describe(item, timed),
        status="CANCELLED" if item.state in ("vacated", "moot") else "CONFIRMED",
        categories=tuple(categories),
        related=tuple(related[r] + UID_SUFFIX for r in item.depends_on if r in related),
    )


def calendar(feed: Feed) -> ical.Calendar:
    return ical.Calendar(
        name=feed.name,
        description=feed.description,
        events=tuple(event(i, feed.related) for i in feed.items),
    )


@dataclass(frozen=True, slots=True)
class Rendered:
    """A feed's bytes, their strong ETag (a hash of the bytes, made once), how many events,
    and warnings (size)."""

    scope: Scope
    data: bytes
    events: int
    warnings: tuple[str, ...] = ()
    etag: str = ""

    def __post_init__(self) -> None:
        if not self.etag:
            tag = '"' + hashlib.sha256(self.data).hexdigest()[:40] + '"'
            object.__setattr__(self, "etag", tag)


def rendered(feed: Feed, windows: Windows) -> Rendered:
    """A feed's bytes, with their warnings."""
    data = ical.build(calendar(feed))
    return Rendered(feed.scope, data, len(feed.items), size_warnings(feed, len(data), windows))


def size_warnings(feed: Feed, size: int, windows: Windows) -> tuple[str, ...]:
    """Over ``SIZE_WARNING`` bytes: what to narrow, naming the biggest parts."""
    if size <= SIZE_WARNING:
        return ()
    per_case: dict[str, int] = {}
    per_party: dict[str, int] = {}
    done = sum(1 for i in feed.items if i.state == "done")
    vacated = sum(1 for i in feed.items if i.state == "vacated")
    for i in feed.items:
        per_case[i.case] = per_case.get(i.case, 0) + 1
        per_party[i.party] = per_party.get(i.party, 0) + 1
    advice = []
    if feed.scope.kind in ("person", "firm") and len(per_case) > 1:
        big = sorted(per_case.items(), key=lambda kv: (-kv[1], kv[0]))[:3]
        shown = ", ".join(f"{c} ({n} events)" for c, n in big)
        advice.append(f"subscribe per case instead (case:CASE; the largest: {shown})")
    elif feed.scope.kind in ("case", "person", "firm") and len(per_party) > 1:
        big = sorted(per_party.items(), key=lambda kv: (-kv[1], kv[0]))[:3]
        shown = ", ".join(f"{p} ({n} events)" for p, n in big)
        advice.append(f"subscribe per party instead (party:CASE:PARTY; {shown})")
    if done or vacated:
        advice.append(
            f"shorten the windows (feed_done_days {windows.done}: {done} done events;"
            f" feed_vacated_days {windows.vacated}: {vacated} vacated events)"
        )
    if not advice:
        advice.append("split the case's duties between people (person:EMAIL assignments)")
    return (
        f"feed {feed.scope} is {size / 1000:,.0f} KB ({len(feed.items)} events), over"
        f" {SIZE_WARNING // 1000} KB: Google Calendar drops feeds near 1 MB. Narrow it: "
        + "; or ".join(advice),
    )
