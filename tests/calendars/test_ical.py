"""The VCALENDAR builder (calendars/ical.py): every feed it writes is read by two independent
parsers, ``ical`` (strict types) and ``vobject`` (``validate=True``: required properties), and by
``icalendar`` (no recorded errors, no missing time zone), and passes the project's own checks
(``problems``). Instants are compared with what the builder was given; text must come back
exactly; broken feeds must be caught by ``problems``."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from zoneinfo import ZoneInfo

import icalendar
import pytest
import vobject
from hypothesis import given, settings
from hypothesis import strategies as st
from ical.calendar_stream import IcsCalendarStream

from calendars import ical
from calendars.ical import Calendar, Event, FeedError, build, problems

LA = ZoneInfo("America/Los_Angeles")
NY = ZoneInfo("America/New_York")
STAMP = datetime(2013, 11, 12, 17, 5, 9, tzinfo=UTC)
NASTY = 'Smith, v. Jones; "Acme" \\ Co.: ¶ 3 § 2 — née café 🗓️\nsecond line\r\nthird\ttab\x07bell'


def parse_everywhere(data: bytes) -> tuple[object, object, icalendar.Calendar]:
    """The feed as ``ical``, ``vobject`` (validated) and ``icalendar`` read it; each must accept
    it, agree on the UIDs, and the project's own checks must find nothing."""
    assert problems(data) == []
    text = data.decode("utf-8")
    strict = IcsCalendarStream.calendar_from_ics(text)
    # vobject keeps the first VTIMEZONE it met for a TZID for the rest of the process: a feed
    # parsed earlier (another test's, with 2013's transitions only) would be used for this one.
    vars(vobject.icalendar)["__tzidMap"].clear()
    loose = vobject.readOne(text, validate=True)
    lenient = icalendar.Calendar.from_ical(data)
    assert [(c.name, c.errors) for c in lenient.walk() if c.errors] == []
    assert lenient.get_missing_tzids() == set()
    uids = sorted(e.uid for e in strict.events)
    assert uids == sorted(e.uid.value for e in getattr(loose, "vevent_list", []))
    assert uids == sorted(str(e["UID"]) for e in lenient.walk("VEVENT"))
    assert len(uids) == len(set(uids))
    return strict, loose, lenient


def events() -> list[Event]:
    return [
        Event(
            uid="a1@docketcal",
            sequence=0,
            stamp=STAMP,
            summary="caed-2013-11-12 · Plaintiff: produce all responsive documents",
            start=date(2013, 11, 26),
            end=date(2013, 11, 27),
            description=NASTY * 3,
            categories=("Deadline", "caed-2013-11-12", "Plaintiff, pro se"),
        ),
        Event(
            uid="b2@docketcal",
            sequence=3,
            stamp=datetime(2013, 11, 20, 9, 0, tzinfo=LA),  # written in UTC
            summary="caed · Defendant: reply (due 17:00 PDT)",
            start=datetime(2013, 7, 15, 16, 30, tzinfo=LA),
            end=datetime(2013, 7, 15, 17, 0, tzinfo=LA),
            zone="America/Los_Angeles",
            related=("a1@docketcal",),
        ),
        Event(
            uid="c3@docketcal",
            sequence=1,
            stamp=STAMP,
            summary="caed · Plaintiff: file (due 12:00 PST), the day after DST ends",
            start=datetime(2013, 11, 4, 11, 30, tzinfo=LA),
            end=datetime(2013, 11, 4, 12, 0, tzinfo=LA),
            zone="America/Los_Angeles",
        ),
        Event(
            uid="d4@docketcal",
            sequence=2,
            stamp=STAMP,
            summary="VACATED: njd · Both parties: joint letter",
            start=datetime(2026, 3, 9, 23, 29, tzinfo=NY),  # the day after the clocks went forward
            end=datetime(2026, 3, 9, 23, 59, tzinfo=NY),
            zone="America/New_York",
            status="CANCELLED",
        ),
    ]


def feed(**kw: object) -> bytes:
    args: dict[str, object] = {
        "name": "Smith, v. Jones; deadlines",
        "description": NASTY,
        "events": events(),
    }
    args.update(kw)
    return build(Calendar(**args))  # type: ignore[arg-type]


def test_a_feed_is_read_by_every_parser_with_the_instants_it_was_given() -> None:
    data = feed()
    strict, loose, lenient = parse_everywhere(data)
    given_ = {e.uid: e for e in events()}
    for e in strict.events:  # type: ignore[attr-defined]
        g = given_[e.uid]
        assert e.dtstart == g.start and e.dtend == g.end, e.uid
        assert e.sequence == g.sequence
        assert e.dtstamp == g.stamp.astimezone(UTC)
        assert e.status.value == g.status
    for v in loose.vevent_list:  # type: ignore[attr-defined]
        g = given_[v.uid.value]
        assert v.dtstart.value == g.start and v.dtend.value == g.end
    for c in lenient.walk("VEVENT"):
        g = given_[str(c["UID"])]
        assert c.start == g.start and c.end == g.end
        assert c["TRANSP"] == "TRANSPARENT" and c["CLASS"] == "PRIVATE"


def test_text_comes_back_exactly_from_every_parser() -> None:
    data = feed()
    strict, loose, lenient = parse_everywhere(data)
    clean = NASTY.replace("\r\n", "\n").replace("\x07", "")
    first = next(e for e in strict.events if e.uid == "a1@docketcal")  # type: ignore[attr-defined]
    assert first.description == clean * 3
    assert first.summary == "caed-2013-11-12 · Plaintiff: produce all responsive documents"
    # a comma inside a category is dropped: ``ical`` would split the category there
    assert first.categories == ["Deadline", "caed-2013-11-12", "Plaintiff pro se"]
    v = next(x for x in loose.vevent_list if x.uid.value == "a1@docketcal")  # type: ignore[attr-defined]
    assert v.description.value == clean * 3
    assert loose.x_wr_calname.value == "Smith, v. Jones; deadlines"  # type: ignore[attr-defined]
    assert loose.x_wr_caldesc.value == clean  # type: ignore[attr-defined]
    # icalendar does not know NAME's type (RFC 7986) and keeps the value as written: escaped
    assert str(lenient["NAME"]) == "Smith\\, v. Jones\\; deadlines"
    assert ical.texts(data, "X-WR-CALNAME") == ["Smith, v. Jones; deadlines"]


def test_the_same_events_give_the_same_bytes_in_any_order() -> None:
    data = feed()
    assert feed(events=list(reversed(events()))) == data
    assert feed(events=events()[1:] + events()[:1]) == data
    assert b"DTSTAMP:20131112T170509Z" in data  # the change instant, never "now"


def test_the_shapes_of_all_day_and_timed_events_and_the_header() -> None:
    text = feed().decode()
    lines = ical.unfold(feed())
    assert text.startswith("BEGIN:VCALENDAR\r\nVERSION:2.0\r\nPRODID:")
    assert "CALSCALE:GREGORIAN\r\n" in text and "METHOD" not in text
    assert "REFRESH-INTERVAL;VALUE=DURATION:PT4H\r\n" in text
    assert "X-PUBLISHED-TTL:PT4H\r\n" in text
    assert "NAME:Smith\\, v. Jones\\; deadlines\r\n" in text
    assert "X-WR-CALNAME:Smith\\, v. Jones\\; deadlines\r\n" in text
    assert "DTSTART;VALUE=DATE:20131126\r\nDTEND;VALUE=DATE:20131127\r\n" in text
    assert "DTSTART;TZID=America/Los_Angeles:20130715T163000\r\n" in text
    assert "DTEND;TZID=America/Los_Angeles:20130715T170000\r\n" in text
    assert "DTSTAMP:20131120T170000Z\r\nLAST-MODIFIED:20131120T170000Z\r\n" in text
    assert "RELATED-TO;RELTYPE=FINISHTOSTART:a1@docketcal\r\n" in text
    assert "STATUS:CANCELLED\r\n" in text
    assert [x.value for x in lines if x.name == "TZID"] == [
        "America/Los_Angeles",
        "America/New_York",
    ]
    assert "VALARM" not in text and "VTODO" not in text and "ATTENDEE" not in text
    assert text.count("BEGIN:VEVENT") == 4 and text.endswith("END:VCALENDAR\r\n")


@pytest.mark.parametrize(
    "zone",
    ["America/Los_Angeles", "America/New_York", "America/Phoenix", "Pacific/Honolulu",
     "America/Chicago", "America/Anchorage", "America/Puerto_Rico", "Pacific/Guam",
     "Europe/London", "America/Sao_Paulo"],
)  # fmt: skip
def test_the_vtimezone_gives_the_offset_of_every_instant_in_its_years(zone: str) -> None:
    """Read with icalendar's own VTIMEZONE interpreter (not the IANA name) and with a small one
    written here: both agree with zoneinfo every 6 hours and on each side of every change."""
    data = b"BEGIN:VCALENDAR\r\nVERSION:2.0\r\nPRODID:t\r\n" + ical.vtimezone(zone, 2006, 2008)
    data += b"END:VCALENDAR\r\n"
    built = icalendar.Calendar.from_ical(data).walk("VTIMEZONE")[0].to_tz(lookup_tzid=False)
    onsets = _onsets(data)
    real = ZoneInfo(zone)
    t = datetime(2006, 1, 1, tzinfo=UTC)
    checks = []
    while t < datetime(2009, 1, 1, tzinfo=UTC):
        checks.append(t)
        t += timedelta(hours=6)
    for _, instant, _ in onsets[1:]:
        checks += [instant - timedelta(seconds=1), instant]
    for t in checks:
        expected = t.astimezone(real).utcoffset()
        assert t.astimezone(built).utcoffset() == expected, (zone, t)
        assert max(o for o in onsets if o[1] <= t)[2] == expected, (zone, t)


def _onsets(data: bytes) -> list[tuple[datetime, datetime, timedelta]]:
    """(local onset, UTC onset, offset after) of each sub-component, by RFC 5545 §3.6.5."""

    def offset(text: str) -> timedelta:
        sign = -1 if text[0] == "-" else 1
        h, m, s = int(text[1:3]), int(text[3:5]), int(text[5:7] or 0)
        return sign * timedelta(hours=h, minutes=m, seconds=s)

    out, props = [], {}
    for line in ical.unfold(data):
        if line.name == "END" and line.value in ("STANDARD", "DAYLIGHT"):
            local = datetime.strptime(props["DTSTART"], "%Y%m%dT%H%M%S")
            start = (local - offset(props["TZOFFSETFROM"])).replace(tzinfo=UTC)
            out.append((local, start, offset(props["TZOFFSETTO"])))
            props = {}
        else:
            props[line.name] = line.value
    return sorted(out, key=lambda o: o[1])


def test_a_zone_without_changes_still_has_its_standard_time() -> None:
    text = ical.vtimezone("America/Phoenix", 2013, 2013).decode()
    assert "BEGIN:STANDARD\r\n" in text and "TZOFFSETTO:-0700\r\n" in text
    assert "DAYLIGHT" not in text


def test_the_second_pass_through_the_repeated_hour_is_written_in_utc() -> None:
    first = datetime(2013, 11, 3, 1, 30, tzinfo=LA)  # 08:30Z, PDT
    second = datetime(2013, 11, 3, 9, 30, tzinfo=UTC)  # 01:30 again, PST
    e = Event("x@docketcal", 0, STAMP, "s", first, second, zone="America/Los_Angeles")
    data = build(Calendar("n", [e]))
    assert b"DTSTART;TZID=America/Los_Angeles:20131103T013000\r\n" in data
    assert b"DTEND:20131103T093000Z\r\n" in data
    strict, _, _ = parse_everywhere(data)
    assert strict.events[0].dtend == second  # type: ignore[attr-defined]
    assert strict.events[0].dtstart == first  # type: ignore[attr-defined]


@settings(max_examples=150, deadline=None)
@given(
    summary=st.text(min_size=1, max_size=200),
    description=st.text(max_size=600),
    name=st.text(min_size=1, max_size=120),
)
def test_any_text_is_folded_escaped_and_read_back(
    summary: str, description: str, name: str
) -> None:
    e = Event("p@docketcal", 0, STAMP, summary, date(2013, 11, 26), date(2013, 11, 27),
              description=description)  # fmt: skip
    data = build(Calendar(name, [e]))
    assert problems(data) == []
    for raw in data.split(b"\r\n")[:-1]:
        assert len(raw) <= 75
    strict = IcsCalendarStream.calendar_from_ics(data.decode())
    vob = vobject.readOne(data.decode(), validate=True)

    def clean(t: str) -> str:
        return ical._CONTROL.sub("", t.replace("\r\n", "\n").replace("\r", "\n"))

    assert strict.events[0].summary == clean(summary)
    assert vob.vevent.summary.value == clean(summary)
    if clean(description):
        assert strict.events[0].description == clean(description)
        assert vob.vevent.description.value == clean(description)
    assert ical.texts(data, "NAME") == [clean(name)]


def test_folding_never_splits_a_character() -> None:
    for n in range(60, 80):
        line = "SUMMARY:" + "a" * n + "¶§🗓️" * 30
        folded = ical.fold(line)
        parts = folded.split(b"\r\n")[:-1]
        assert all(len(p) <= 75 for p in parts)
        assert all(p.decode("utf-8") for p in parts)  # each part is whole characters
        assert b"".join(p[1:] if i else p for i, p in enumerate(parts)).decode() == line


def test_escaping_and_durations() -> None:
    assert ical.escape("a,b;c\\d\ne:f") == "a\\,b\\;c\\\\d\\ne:f"
    assert ical.escape("x\r\ny\rz\x00") == "x\\ny\\nz"
    assert ical.duration(timedelta(hours=4)) == "PT4H"
    assert ical.duration(timedelta(days=1, minutes=30)) == "P1DT30M"
    assert ical.duration(timedelta(seconds=90)) == "PT1M30S"
    with pytest.raises(FeedError):
        ical.duration(timedelta(0))


@pytest.mark.parametrize(
    ("change", "message"),
    [
        ({"start": datetime(2013, 7, 15, 16, 30)}, "naive"),
        ({"end": datetime(2013, 7, 15, 16, 0, tzinfo=LA)}, "not after"),
        ({"zone": None}, "time zone"),
        ({"status": "COMPLETED"}, "STATUS"),
        ({"uid": "a/b:c"}, "UID"),
        ({"stamp": datetime(2013, 1, 1)}, "aware"),
        ({"sequence": -1}, "negative"),
    ],
)
def test_events_that_would_make_a_wrong_feed_are_refused(
    change: dict[str, object], message: str
) -> None:
    base = events()[1]
    args = {k: getattr(base, k) for k in Event.__dataclass_fields__}
    args.update(change)
    with pytest.raises(FeedError, match=message):
        build(Calendar("n", [Event(**args)]))  # type: ignore[arg-type]


def test_two_events_with_one_uid_are_refused() -> None:
    e = events()[0]
    with pytest.raises(FeedError, match="two events"):
        build(Calendar("n", [e, e]))
    with pytest.raises(FeedError, match="all-day"):
        build(
            Calendar(
                "n", [Event("x", 0, STAMP, "s", date(2013, 1, 2), datetime(2013, 1, 3, tzinfo=UTC))]
            )
        )
    with pytest.raises(FeedError, match="not after"):
        build(Calendar("n", [Event("x", 0, STAMP, "s", date(2013, 1, 2), date(2013, 1, 2))]))


def _swap(data: bytes, old: bytes, new: bytes) -> bytes:
    assert old in data
    return data.replace(old, new, 1)


@pytest.mark.parametrize(
    ("break_it", "found"),
    [
        (lambda d: _swap(d, b"DTSTAMP:20131112T170509Z", b"DTSTAMP:20131112T170509"), "not a UTC"),
        (lambda d: _swap(d, b"UID:b2@docketcal", b"UID:a1@docketcal"), "UID of event"),
        (lambda d: d[: d.index(b"BEGIN:VTIMEZONE")] + d[d.index(b"BEGIN:VEVENT") :], "without a VTIMEZONE"),
        (lambda d: _swap(d, b"DTEND;TZID=America/Los_Angeles:20130715T170000", b"DTEND;TZID=America/Los_Angeles:20130715T160000"), "not after"),
        (lambda d: _swap(d, b"DTEND;VALUE=DATE:20131127", b"DTEND:20131127T000000Z"), "not both"),
        (lambda d: _swap(d, b"DTEND;VALUE=DATE:20131127\r\n", b""), "exactly one DTEND"),
        (lambda d: _swap(d, b"DTSTART;TZID=America/Los_Angeles:20130715T163000", b"DTSTART:20130715T163000"), "floating"),
        (lambda d: d.replace(b"\r\n ", b""), "octets"),
        (lambda d: d.replace(b"\r\n", b"\n"), "bare LF"),
        (lambda d: _swap(d, b"REFRESH-INTERVAL;VALUE=DURATION:", b"REFRESH-INTERVAL:"), "VALUE=DURATION"),
        (lambda d: _swap(d, b"STATUS:CANCELLED", b"STATUS:COMPLETED"), "VEVENT status"),
        (lambda d: _swap(d, b"PRODID:", b"X-PRODID:"), "PRODID"),
        (lambda d: _swap(d, b"SEQUENCE:3", b"SEQUENCE:x"), "SEQUENCE"),
        (lambda d: _swap(d, b"END:VEVENT\r\nEND:VCALENDAR", b"END:VCALENDAR"), "does not close"),
        (lambda d: _swap(d, "¶ 3".encode(), b"\xc2\r\n \xb6 3"), "inside a UTF-8"),
    ],
)  # fmt: skip
def test_the_project_checks_catch_what_parsers_let_through(break_it: object, found: str) -> None:
    data = feed()
    assert problems(data) == []
    broken = break_it(data)  # type: ignore[operator]
    assert any(found in p for p in problems(broken)), problems(broken)
