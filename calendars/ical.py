"""iCalendar feeds of deadlines: a VCALENDAR from plain data.

Pure: no database, no clock, no network. The same input gives the same bytes, whatever order
the events come in, so a feed's ETag changes only when what it says changes.

What the output does, and why (see ``docs/feeds.md`` and the research note on feeds):

- VEVENT only (Google, Outlook and Apple do not show VTODO), no METHOD (a feed is a snapshot,
  RFC 5545 §3.7.2; METHOD:PUBLISH would also want an ORGANIZER), no VALARM (reminders go by
  e-mail), no ATTENDEE.
- An all-day deadline is ``DTSTART;VALUE=DATE`` with ``DTEND`` the next day. A timed one has a
  TZID, one VTIMEZONE per TZID covering every year it is used in (built here from the IANA
  database, never left to X-WR-TIMEZONE) and an explicit DTEND later than DTSTART.
- DTSTAMP and LAST-MODIFIED are the given change instant, in UTC.
- TEXT is escaped (backslash first, then ``;`` ``,`` and newlines), lines end in CRLF and are
  folded at 75 octets without splitting a UTF-8 sequence.

``problems(data)`` is the project's own check of a feed: the rules above that no parser tested
enforces (unique UIDs, DTSTAMP in UTC, a VTIMEZONE for each TZID, DTEND after DTSTART, folding,
CRLF).
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from functools import lru_cache
from zoneinfo import ZoneInfo

from calendars.errors import BadInput

PRODID = "-//docketcal//docketcal deadline feed 1.0//EN"
STATUSES = ("CONFIRMED", "TENTATIVE", "CANCELLED")
#: A UID is kept to characters every CalDAV server and client keeps intact.
UID_CHARS = re.compile(r"[A-Za-z0-9@._\-]+")
MAX_OCTETS = 75


@dataclass(frozen=True, slots=True)
class Event:
    """One deadline as a VEVENT.

    ``start``/``end``: dates for an all-day event (``end`` is the day after, not inclusive), or
    time-zone-aware date-times for a timed one, written in ``zone`` (an IANA name: the TZID).
    ``stamp`` is the last change (DTSTAMP and LAST-MODIFIED), aware; ``related`` are the UIDs
    of the events this one follows (RELATED-TO;RELTYPE=FINISHTOSTART).
    """

    uid: str
    sequence: int
    stamp: datetime
    summary: str
    start: date | datetime
    end: date | datetime
    zone: str | None = None
    description: str = ""
    status: str = "CONFIRMED"
    categories: tuple[str, ...] = ()
    related: tuple[str, ...] = ()

    @property
    def all_day(self) -> bool:
        return not isinstance(self.start, datetime)

    def sort_key(self) -> tuple[date, str]:
        day = self.start.date() if isinstance(self.start, datetime) else self.start
        return day, self.uid


@dataclass(frozen=True, slots=True)
class Calendar:
    """A feed: its name (NAME and X-WR-CALNAME), description, the polling interval it suggests
    (REFRESH-INTERVAL and X-PUBLISHED-TTL) and its events."""

    name: str
    events: Sequence[Event] = ()
    description: str = ""
    refresh: timedelta = timedelta(hours=4)


class FeedError(BadInput):
    """Data that cannot be written as a correct feed (says which event and why)."""


# -- writing -------------------------------------------------------------------------------------

_CONTROL = re.compile(r"[\x00-\x08\x0b-\x1f\x7f]")


def escape(text: str) -> str:
    """A TEXT value (RFC 5545 §3.3.11): ``\\`` ``;`` ``,`` and newlines escaped, CR dropped,
    other control characters (not allowed in TEXT) removed; a colon is left as it is."""
    text = text.replace("\r\n", "\n").replace("\r", "\n")
    if _CONTROL.search(text):
        text = _CONTROL.sub("", text)
    # chained replace (in C) is many times faster than str.translate with a table
    return text.replace("\\", "\\\\").replace(";", "\\;").replace(",", "\\,").replace("\n", "\\n")


def fold(line: str) -> bytes:
    """One content line as UTF-8, folded at 75 octets (a continuation line starts with a
    space), never inside a multi-octet character; ends in CRLF."""
    raw = line.encode("utf-8")
    if len(raw) <= MAX_OCTETS:
        return raw + b"\r\n"
    out = bytearray()
    start, limit = 0, MAX_OCTETS
    while len(raw) - start > limit:
        cut = start + limit
        while raw[cut] & 0xC0 == 0x80:  # a UTF-8 continuation byte: back off to its start
            cut -= 1
        out += raw[start:cut] + b"\r\n "
        start, limit = cut, MAX_OCTETS - 1
    out += raw[start:] + b"\r\n"
    return bytes(out)


def duration(value: timedelta) -> str:
    """A positive DURATION value (``PT4H``, ``P1D``, ``P1DT30M``)."""
    seconds = int(value.total_seconds())
    if seconds <= 0:
        raise FeedError(f"a refresh interval must be positive, not {value}")
    days, rest = divmod(seconds, 86400)
    hours, rest = divmod(rest, 3600)
    minutes, secs = divmod(rest, 60)
    out = "P" + (f"{days}D" if days else "")
    clock = (f"{hours}H" if hours else "") + (f"{minutes}M" if minutes else "")
    clock += f"{secs}S" if secs else ""
    return out + ("T" + clock if clock else "")


def _utc(value: datetime) -> str:
    if value.tzinfo is None:
        raise FeedError(f"a naive date-time {value.isoformat()} cannot be written in UTC")
    return value.astimezone(UTC).strftime("%Y%m%dT%H%M%SZ")


def _param(value: str) -> str:
    return f'"{value}"' if any(c in value for c in ':;,"') else value


def _when(name: str, value: date | datetime, zone: str | None) -> str:
    if not isinstance(value, datetime):
        return f"{name};VALUE=DATE:{value.strftime('%Y%m%d')}"
    assert zone is not None
    local = value.astimezone(ZoneInfo(zone))
    if local.fold:
        # The repeated hour when the clocks go back: a local time there means its first
        # occurrence (RFC 5545 §3.3.5), so the second one is written in UTC, exactly.
        return f"{name}:{_utc(value)}"
    return f"{name};TZID={_param(zone)}:{local.strftime('%Y%m%dT%H%M%S')}"


def _check(event: Event) -> None:
    where = f"event {event.uid!r}"
    if not UID_CHARS.fullmatch(event.uid):
        raise FeedError(f"{where}: a UID of letters, digits and @._- only")
    if event.status not in STATUSES:
        raise FeedError(f"{where}: STATUS {event.status} is not one of {', '.join(STATUSES)}")
    if event.sequence < 0:
        raise FeedError(f"{where}: SEQUENCE {event.sequence} is negative")
    if event.stamp.tzinfo is None:
        raise FeedError(f"{where}: the change instant must be time-zone aware")
    if event.all_day:
        if isinstance(event.end, datetime):
            raise FeedError(f"{where}: an all-day event ends on a date, not a date-time")
        if event.end <= event.start:
            raise FeedError(f"{where}: DTEND {event.end} is not after DTSTART {event.start}")
        return
    if not isinstance(event.end, datetime) or not isinstance(event.start, datetime):
        raise FeedError(f"{where}: a timed event ends at a date-time")
    if event.zone is None:
        raise FeedError(f"{where}: a timed event needs its time zone (TZID)")
    if event.start.tzinfo is None or event.end.tzinfo is None:
        raise FeedError(f"{where}: naive date-times would be floating time: give them a zone")
    if event.end <= event.start:
        raise FeedError(f"{where}: DTEND {event.end} is not after DTSTART {event.start}")


def _event_lines(event: Event) -> list[str]:
    stamp = _utc(event.stamp)
    lines = [
        "BEGIN:VEVENT",
        f"UID:{event.uid}",
        f"DTSTAMP:{stamp}",
        f"LAST-MODIFIED:{stamp}",
        f"SEQUENCE:{event.sequence}",
        _when("DTSTART", event.start, event.zone),
        _when("DTEND", event.end, event.zone),
        f"SUMMARY:{escape(event.summary)}",
    ]
    if event.description:
        lines.append(f"DESCRIPTION:{escape(event.description)}")
    if event.categories:
        # A comma inside a category is legal escaped, but ``ical`` splits on it anyway: dropped.
        names = (escape(c.replace(",", "")) for c in event.categories)
        lines.append("CATEGORIES:" + ",".join(names))
    lines.extend(f"RELATED-TO;RELTYPE=FINISHTOSTART:{uid}" for uid in sorted(set(event.related)))
    lines += [
        f"STATUS:{event.status}",
        "CLASS:PRIVATE",
        "TRANSP:TRANSPARENT",
        "END:VEVENT",
    ]
    return lines


def build(calendar: Calendar) -> bytes:
    """The feed's bytes: deterministic for the same calendar (events sorted by day, then UID)."""
    events = sorted(calendar.events, key=Event.sort_key)
    seen: set[str] = set()
    years: dict[str, set[int]] = {}
    for event in events:
        _check(event)
        if event.uid in seen:
            raise FeedError(f"two events with the UID {event.uid!r}: one would be lost")
        seen.add(event.uid)
        if event.zone is not None and isinstance(event.start, datetime):
            zone = ZoneInfo(event.zone)
            bucket = years.setdefault(event.zone, set())
            for value in (event.start, event.end):
                assert isinstance(value, datetime)
                bucket.add(value.astimezone(zone).year)
    refresh = duration(calendar.refresh)
    head = [
        "BEGIN:VCALENDAR",
        "VERSION:2.0",
        f"PRODID:{PRODID}",
        "CALSCALE:GREGORIAN",
        f"NAME:{escape(calendar.name)}",
        f"X-WR-CALNAME:{escape(calendar.name)}",
    ]
    if calendar.description:
        text = escape(calendar.description)
        head += [f"DESCRIPTION:{text}", f"X-WR-CALDESC:{text}"]
    head += [f"REFRESH-INTERVAL;VALUE=DURATION:{refresh}", f"X-PUBLISHED-TTL:{refresh}"]
    out = bytearray()
    for line in head:
        out += fold(line)
    for name in sorted(years):
        out += vtimezone(name, min(years[name]), max(years[name]))
    for event in events:
        for line in _event_lines(event):
            out += fold(line)
    out += b"END:VCALENDAR\r\n"
    return bytes(out)


# -- time zones ----------------------------------------------------------------------------------


def _offset(value: timedelta) -> str:
    seconds = int(value.total_seconds())
    sign = "-" if seconds < 0 else "+"
    hours, rest = divmod(abs(seconds), 3600)
    minutes, secs = divmod(rest, 60)
    return f"{sign}{hours:02d}{minutes:02d}" + (f"{secs:02d}" if secs else "")


def _state(zone: ZoneInfo, instant: datetime) -> tuple[timedelta, str, bool]:
    local = instant.astimezone(zone)
    return (
        local.utcoffset() or timedelta(0),
        local.tzname() or "",
        bool(local.dst()),
    )


@lru_cache(maxsize=128)
def vtimezone(name: str, first_year: int, last_year: int) -> bytes:
    """A VTIMEZONE for ``name`` that is exact for every instant from the start of
    ``first_year`` to the end of ``last_year``: the state in force at the start, then one
    sub-component per transition (found in the IANA database, to the second)."""
    zone = ZoneInfo(name)
    begin = datetime(first_year, 1, 1, tzinfo=UTC) - timedelta(days=2)
    end = datetime(last_year + 1, 1, 1, tzinfo=UTC) + timedelta(days=2)
    state = _state(zone, begin)
    parts = [_sub(state, state, begin)]
    day = timedelta(days=1)
    t = begin
    while t < end:
        nxt = t + day
        after = _state(zone, nxt)
        if after != state:
            lo, hi = int(t.timestamp()), int(nxt.timestamp())  # state(lo) == state != state(hi)
            while hi - lo > 1:
                mid = (lo + hi) // 2
                if _state(zone, datetime.fromtimestamp(mid, UTC)) == state:
                    lo = mid
                else:
                    hi = mid
            onset = datetime.fromtimestamp(hi, UTC)
            new = _state(zone, onset)
            parts.append(_sub(state, new, onset))
            state = new
            t = onset
            continue
        t = nxt
    lines = ["BEGIN:VTIMEZONE", f"TZID:{name}"]
    for part in parts:
        lines.extend(part)
    lines.append("END:VTIMEZONE")
    return b"".join(fold(line) for line in lines)


def _sub(
    before: tuple[timedelta, str, bool], after: tuple[timedelta, str, bool], onset: datetime
) -> list[str]:
    kind = "DAYLIGHT" if after[2] else "STANDARD"
    # DTSTART of an onset is the local time just before it, in the offset then in force; the
    # first sub-component (the state already in force) starts at a local midnight before it.
    local = (onset + before[0]).replace(tzinfo=None)
    if before == after:
        local = local.replace(hour=0, minute=0, second=0)
    lines = [
        f"BEGIN:{kind}",
        f"DTSTART:{local.strftime('%Y%m%dT%H%M%S')}",
        f"TZOFFSETFROM:{_offset(before[0])}",
        f"TZOFFSETTO:{_offset(after[0])}",
    ]
    if after[1]:
        lines.append(f"TZNAME:{escape(after[1])}")
    lines.append(f"END:{kind}")
    return lines


# -- checking ------------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class Line:
    name: str
    params: dict[str, str]
    value: str


def unfold(data: bytes) -> list[Line]:
    """The content lines of a feed (unfolded, parameters split; values still escaped)."""
    text = data.decode("utf-8").replace("\r\n ", "").replace("\r\n\t", "")
    lines = []
    for raw in text.split("\r\n"):
        if not raw:
            continue
        head, value = _split_value(raw)
        name, *params = _split_params(head)
        found = {}
        for p in params:
            key, _, val = p.partition("=")
            found[key.upper()] = val.strip('"')
        lines.append(Line(name.upper(), found, value))
    return lines


def _split_value(raw: str) -> tuple[str, str]:
    quoted = False
    for i, c in enumerate(raw):
        if c == '"':
            quoted = not quoted
        elif c == ":" and not quoted:
            return raw[:i], raw[i + 1 :]
    return raw, ""


def _split_params(head: str) -> list[str]:
    parts, current, quoted = [], "", False
    for c in head:
        if c == '"':
            quoted = not quoted
        if c == ";" and not quoted:
            parts.append(current)
            current = ""
        else:
            current += c
    parts.append(current)
    return parts


def unescape(value: str) -> str:
    out, i = [], 0
    while i < len(value):
        c = value[i]
        if c == "\\" and i + 1 < len(value):
            nxt = value[i + 1]
            out.append("\n" if nxt in "nN" else nxt)
            i += 2
            continue
        out.append(c)
        i += 1
    return "".join(out)


def _instant(line: Line, zones: set[str]) -> date | datetime | None:
    value = line.value
    if line.params.get("VALUE") == "DATE" or re.fullmatch(r"\d{8}", value):
        return datetime.strptime(value, "%Y%m%d").date()
    if value.endswith("Z"):
        return datetime.strptime(value, "%Y%m%dT%H%M%SZ").replace(tzinfo=UTC)
    tzid = line.params.get("TZID")
    naive = datetime.strptime(value, "%Y%m%dT%H%M%S")
    if tzid is None or tzid not in zones:
        return None
    return naive.replace(tzinfo=ZoneInfo(tzid))


def problems(data: bytes) -> list[str]:
    """What is wrong with a feed, by the rules no tested parser enforces; empty if nothing.

    Lines: CRLF only, at most 75 octets, valid UTF-8, continuation lines not splitting a
    character. Calendar: VERSION and PRODID once, REFRESH-INTERVAL with VALUE=DURATION.
    Events: UID, DTSTAMP, DTSTART and DTEND present; UIDs unique; DTSTAMP and LAST-MODIFIED in
    UTC; no floating date-times; a VTIMEZONE for every TZID; DTSTART and DTEND of one type and
    DTEND later; SEQUENCE a non-negative integer; STATUS a VEVENT status.
    """
    out: list[str] = []
    if not data.endswith(b"\r\n"):
        out.append("the last line does not end in CRLF")
    for n, raw in enumerate(data.split(b"\r\n"), 1):
        if b"\n" in raw or b"\r" in raw:
            out.append(f"line {n}: a bare LF or CR (lines end in CRLF)")
        if len(raw) > MAX_OCTETS:
            out.append(f"line {n}: {len(raw)} octets (at most {MAX_OCTETS})")
        if raw[:1] in (b" ", b"\t") and len(raw) > 1 and raw[1] & 0xC0 == 0x80:
            out.append(f"line {n}: folded inside a UTF-8 character")
    if not out:
        try:
            data.decode("utf-8")
        except UnicodeDecodeError as exc:
            out.append(f"not UTF-8: {exc}")
    if out:
        return out
    lines = unfold(data)
    if not lines or (lines[0].name, lines[0].value) != ("BEGIN", "VCALENDAR"):
        return ["the feed does not begin with BEGIN:VCALENDAR"]
    if (lines[-1].name, lines[-1].value) != ("END", "VCALENDAR"):
        out.append("the feed does not end with END:VCALENDAR")
    stack: list[str] = []
    top: dict[str, int] = {}
    zones: set[str] = set()
    events: list[list[Line]] = []
    current: list[Line] | None = None
    for line in lines:
        if line.name == "BEGIN":
            stack.append(line.value)
            if line.value == "VEVENT":
                current = []
            continue
        if line.name == "END":
            if not stack or stack[-1] != line.value:
                out.append(f"END:{line.value} does not close {stack[-1] if stack else 'anything'}")
                return out
            stack.pop()
            if line.value == "VEVENT" and current is not None:
                events.append(current)
                current = None
            continue
        if stack == ["VCALENDAR"]:
            top[line.name] = top.get(line.name, 0) + 1
            if line.name == "REFRESH-INTERVAL" and line.params.get("VALUE") != "DURATION":
                out.append("REFRESH-INTERVAL without VALUE=DURATION")
        if stack[-1:] == ["VTIMEZONE"] and line.name == "TZID":
            zones.add(line.value)
        if current is not None and stack[-1] == "VEVENT":
            current.append(line)
    if stack:
        out.append(f"{stack[-1]} is not closed")
    for name in ("VERSION", "PRODID"):
        if top.get(name) != 1:
            out.append(f"the calendar has {top.get(name, 0)} {name} (exactly one)")
    uids: dict[str, int] = {}
    for n, props in enumerate(events, 1):
        out.extend(_event_problems(n, props, zones, uids))
    return out


def _event_problems(n: int, props: list[Line], zones: set[str], uids: dict[str, int]) -> list[str]:
    out: list[str] = []
    by: dict[str, Line] = {}
    for p in props:
        by.setdefault(p.name, p)
    uid = by["UID"].value if "UID" in by else f"#{n}"
    where = f"event {uid}"
    for name in ("UID", "DTSTAMP", "DTSTART", "DTEND"):
        if sum(1 for p in props if p.name == name) != 1:
            out.append(f"{where}: needs exactly one {name}")
    if "UID" in by:
        if uid in uids:
            out.append(f"{where}: the UID of event {uids[uid]} too (one of them would be lost)")
        uids[uid] = n
    for name in ("DTSTAMP", "LAST-MODIFIED", "CREATED"):
        if name in by and not re.fullmatch(r"\d{8}T\d{6}Z", by[name].value):
            out.append(f"{where}: {name} {by[name].value} is not a UTC date-time")
    if "SEQUENCE" in by and not re.fullmatch(r"\d+", by["SEQUENCE"].value):
        out.append(f"{where}: SEQUENCE {by['SEQUENCE'].value} is not a non-negative integer")
    if "STATUS" in by and by["STATUS"].value not in STATUSES:
        out.append(f"{where}: STATUS {by['STATUS'].value} is not a VEVENT status")
    values: list[date | datetime] = []
    for name in ("DTSTART", "DTEND"):
        if name not in by:
            continue
        line = by[name]
        tzid = line.params.get("TZID")
        if tzid is not None and tzid not in zones:
            out.append(f"{where}: {name} has TZID {tzid} without a VTIMEZONE")
            continue
        if "T" in line.value and tzid is None and not line.value.endswith("Z"):
            out.append(f"{where}: {name} {line.value} is a floating time")
            continue
        try:
            value = _instant(line, zones)
        except ValueError:
            out.append(f"{where}: {name} {line.value} is not a date or date-time")
            continue
        if value is not None:
            values.append(value)
    if len(values) == 2:
        start, end = values
        if isinstance(start, datetime) != isinstance(end, datetime):
            out.append(f"{where}: DTSTART and DTEND are not both dates or both date-times")
        elif not end > start:
            out.append(f"{where}: DTEND is not after DTSTART")
    return out


def texts(data: bytes, name: str) -> list[str]:
    """The unescaped values of every property ``name`` (for tests and checks)."""
    return [unescape(line.value) for line in unfold(data) if line.name == name]
