"""Reminders: which to send today, to whom, and the e-mail that carries them.

Pure: no database, no clock, no network. ``plan`` takes the open obligations, who is assigned to
what, the lead times and today, and returns the reminder rows the outbox should hold (one per
obligation, recipient, lead time and due date) and which of them are the ones to send now;
``Plan.digests`` groups those into one e-mail per recipient and ``compose`` renders it as
plain text and HTML. The database (``obligations.store.outbox``) and SMTP
(``obligations.mailer``) are at the edges.

The rule for one obligation and one recipient on a day ``today``, with ``left`` days to the
due date and the recipient's lead times (default 14, 7, 3, 1, 0):

- the reminder due now is the one for the smallest lead time ``>= left`` (so a missed run
  catches up with the most recent lead time that has come due, not with every one it missed);
  once overdue (``left < 0``) it is the notice of that day (``lead = left``: daily);
- every larger lead time not sent yet is recorded as skipped (missed, and past);
- nothing before the first lead time, nothing for a duty that is done, vacated, standing,
  waiting (no date yet) or no longer in its order.
"""

from __future__ import annotations

import binascii
import html
import re
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime
from email.header import Header
from email.headerregistry import Address
from email.utils import format_datetime, formataddr, parseaddr

from calendars.errors import BadInput, shown

DEFAULT_LEADS: tuple[int, ...] = (14, 7, 3, 1, 0)
MAX_LEAD = 366

#: (obligation uid, recipient, lead, due date): the unique key of a reminder.
Key = tuple[str, str, int, date]


@dataclass(frozen=True, slots=True)
class Item:
    """One obligation as a reminder needs it; ``state`` is the stored state (``open`` etc.)."""

    uid: str
    ref: str
    case: str
    party: str
    text: str
    state: str
    due: date | None
    summary: str = ""
    cite: str = ""
    due_at: datetime | None = None
    court: str = ""
    active: bool = True

    @property
    def what(self) -> str:
        """The duty in a few words: its summary, or the start of the order's text."""
        return _oneline(self.summary) or _cut(_oneline(self.text), 70)


@dataclass(frozen=True, slots=True)
class Assignee:
    """A person responsible for a whole case, one party in it, or one obligation."""

    email: str
    name: str
    case: str
    party: str | None = None
    obligation_ref: str | None = None

    def covers(self, item: Item) -> bool:
        return (
            self.case == item.case
            and (self.party is None or self.party == item.party)
            and (self.obligation_ref is None or self.obligation_ref == item.ref)
        )


@dataclass(frozen=True, slots=True)
class Schedule:
    """When one person is told: lead times in days before the due date, and daily once overdue."""

    leads: tuple[int, ...] = DEFAULT_LEADS
    overdue: bool = True

    def __post_init__(self) -> None:
        if not self.leads and not self.overdue:
            raise ValueError("no lead times and no overdue notices: nothing would ever be sent")
        bad = [n for n in self.leads if not 0 <= n <= MAX_LEAD]
        if bad:
            raise ValueError(
                f"lead times are days before the due date, 0 to {MAX_LEAD}: not {bad[0]}"
            )
        object.__setattr__(self, "leads", tuple(sorted(set(self.leads), reverse=True)))

    def current(self, left: int) -> int | None:
        """The lead time whose reminder is the one to send with ``left`` days to go."""
        if left < 0:
            return left if self.overdue else None
        come_due = [n for n in self.leads if n >= left]
        return min(come_due) if come_due else None

    def describe(self) -> str:
        leads = ", ".join(str(n) for n in self.leads) or "no"
        tail = ", then daily while overdue" if self.overdue else ""
        return f"{leads} days before the due date{tail}"


@dataclass(frozen=True, slots=True)
class Leads:
    """The firm's schedule and the people who have their own."""

    default: Schedule = field(default_factory=Schedule)
    people: Mapping[str, Schedule] = field(default_factory=dict)

    def of(self, email: str) -> Schedule:
        return self.people.get(email.lower(), self.default)

    @property
    def horizon(self) -> int:
        """The most days ahead any reminder is sent: obligations due later need no look."""
        return max([0, *self.default.leads, *(n for s in self.people.values() for n in s.leads)])


@dataclass(frozen=True, slots=True)
class Reminder:
    """A reminder row: ``pending`` (to send) or ``skipped`` (a lead time missed and past)."""

    uid: str
    ref: str
    recipient: str
    lead: int
    due: date
    send_on: date
    status: str

    @property
    def key(self) -> Key:
        return (self.uid, self.recipient, self.lead, self.due)


@dataclass(frozen=True, slots=True)
class Entry:
    """One duty in a digest."""

    item: Item
    lead: int
    left: int  # days from today to the due date; negative when overdue
    key: Key


@dataclass(frozen=True, slots=True)
class Digest:
    """One e-mail to one person: the reminders due for them in this run, most urgent first."""

    recipient: str
    name: str
    today: date
    entries: tuple[Entry, ...]
    schedule: Schedule

    @property
    def keys(self) -> list[Key]:
        return [e.key for e in self.entries]

    def subject(self) -> str:
        first = self.entries[0]
        head = f"{when(first.left)}: {first.item.what} ({first.item.case})"
        more = len(self.entries) - 1
        return _cut(head, 150) + (f"; {more} more" if more else "")


@dataclass(slots=True)
class Plan:
    """What the outbox should hold today, and which of it is to be sent now."""

    today: date
    rows: list[Reminder]
    current: dict[Key, Reminder]
    items: dict[str, Item]
    names: dict[str, str]
    leads: Leads
    open_due: dict[str, date]  # every open, dated obligation planned over: uid -> due date
    pairs: set[tuple[str, str]]  # (uid, recipient) with a current reminder

    def digests(self, keys: Iterable[Key] | None = None) -> list[Digest]:
        """One digest per recipient for the current reminders among ``keys`` (all by default).
        A key that is not current (superseded, moved, done) is left out: see ``why_not``."""
        chosen = self.current.keys() if keys is None else (k for k in keys if k in self.current)
        by_person: dict[str, list[Entry]] = {}
        for key in chosen:
            r = self.current[key]
            item = self.items[r.uid]
            by_person.setdefault(r.recipient, []).append(
                Entry(item, r.lead, (r.due - self.today).days, key)
            )
        out = []
        for email in sorted(by_person):
            entries = sorted(by_person[email], key=lambda e: (e.left, e.item.case, e.item.ref))
            out.append(
                Digest(
                    email,
                    self.names.get(email, ""),
                    self.today,
                    tuple(entries),
                    self.leads.of(email),
                )
            )
        return out

    def why_not(self, key: Key) -> str:
        """Why a reminder still waiting in the outbox is not to be sent today."""
        uid, recipient, _lead, due = key
        if uid not in self.open_due:
            return "not sent: the duty is no longer open (done, vacated, removed or undated)"
        if self.open_due[uid] != due:
            return f"not sent: the due date moved from {due.isoformat()}"
        if (uid, recipient) not in self.pairs:
            return f"not sent: no reminder of it is due for {recipient} now"
        return "not sent: a more recent reminder replaced it"


def plan(
    items: Iterable[Item],
    assignments: Sequence[Assignee],
    leads: Leads,
    today: date,
) -> Plan:
    """The reminder rows for today: for each open, dated obligation and each person responsible
    for it, the one due now (``pending``) and the larger lead times it passed (``skipped``)."""
    by_case: dict[str, list[Assignee]] = {}
    names: dict[str, str] = {}
    for a in assignments:
        email = a.email.lower()
        by_case.setdefault(a.case, []).append(a)
        names.setdefault(email, a.name)
    horizon = leads.horizon
    rows: list[Reminder] = []
    current: dict[Key, Reminder] = {}
    kept: dict[str, Item] = {}
    open_due: dict[str, date] = {}
    pairs: set[tuple[str, str]] = set()
    for item in items:
        if item.state != "open" or not item.active or item.due is None:
            continue
        due = item.due
        open_due[item.uid] = due
        left = (due - today).days
        if left > horizon:
            continue
        people = by_case.get(item.case)
        if not people:
            continue
        seen: set[str] = set()
        for a in people:
            email = a.email.lower()
            if email in seen or not a.covers(item):
                continue
            seen.add(email)
            schedule = leads.of(email)
            lead = schedule.current(left)
            if lead is None:
                continue
            send_on = today if lead < 0 else _minus(due, lead)
            now = Reminder(item.uid, item.ref, email, lead, due, send_on, "pending")
            rows.append(now)
            current[now.key] = now
            kept[item.uid] = item
            pairs.add((item.uid, email))
            for n in schedule.leads:
                if n > lead:
                    rows.append(
                        Reminder(item.uid, item.ref, email, n, due, _minus(due, n), "skipped")
                    )
    return Plan(today, rows, current, kept, names, leads, open_due, pairs)


def _minus(day: date, days: int) -> date:
    return date.fromordinal(day.toordinal() - days)


# -- words ----------------------------------------------------------------------------------------


def when(left: int) -> str:
    """``Due today``, ``Due tomorrow``, ``Due in 3 days``, ``Overdue 2 days``."""
    if left < 0:
        return f"Overdue {-left} day{'s' if left != -1 else ''}"
    if left == 0:
        return "Due today"
    if left == 1:
        return "Due tomorrow"
    return f"Due in {left} days"


def day(d: date) -> str:
    """A date with its weekday, as the terminal shows it: ``Tue 2013-11-26``."""
    return d.strftime("%a %Y-%m-%d")


def due_words(item: Item) -> str:
    """The due date with its weekday, and the time in the court's zone when one applies."""
    assert item.due is not None
    text = day(item.due)
    if item.due_at is not None:
        text += f", by {_court_time(item)}"
    return text


def _court_time(item: Item) -> str:
    assert item.due_at is not None
    try:
        from calendars import get_court

        local = item.due_at.astimezone(get_court(item.court).zone)
    except Exception:  # an unknown court: say the instant in UTC rather than guess a zone
        local = item.due_at
    return local.strftime("%H:%M %Z")


def explain_command(item: Item) -> str:
    return f"docketcal explain {item.ref}"


def _oneline(text: str) -> str:
    return " ".join(text.split())


def _cut(text: str, width: int) -> str:
    return text if len(text) <= width else text[: width - 1].rstrip() + "…"


_CONTROL = re.compile(r"[\x00-\x1f\x7f]")


def _address(text: str, what: str) -> str:
    """An address as a header carries it, read whole by the standard library's address parser
    (``email.headerregistry.Address``): CR, LF or a second address cannot ride along."""
    try:
        return Address(addr_spec=text.strip()).addr_spec
    except Exception as exc:  # ValueError, IndexError or the parser's own errors
        raise BadInput(f"{what} {shown(text)} is not an e-mail address") from exc


def _header(text: str) -> str:
    """A header value from untrusted words: one line, no control characters."""
    return _CONTROL.sub(" ", _oneline(text))


# -- the e-mail -------------------------------------------------------------------------------------


def render_text(d: Digest) -> str:
    """The plain-text body (first in the message: clerks forward and print these)."""
    count = len(d.entries)
    lines = [
        f"{d.name or d.recipient},",
        "",
        f"{'This court-ordered duty needs' if count == 1 else f'These {count} court-ordered duties need'}"
        f" your attention (as of {day(d.today)}):",
    ]
    for n, e in enumerate(d.entries, 1):
        item = e.item
        lines += [
            "",
            f"{n}. {when(e.left).upper()}: {item.what}",
            f"   Case:  {item.case}",
            f"   Party: {item.party}",
            f"   Due:   {due_words(item)} ({_left_words(e.left)})",
            f"   The order{f' ({item.cite})' if item.cite else ''}:",
        ]
        for para in item.text.strip().splitlines() or [""]:
            lines += _wrap(para, 72, "     ")
        lines.append(f"   How this date was computed: {explain_command(item)}")
    lines += ["", "-- ", *_footer(d)]
    return "\n".join(lines) + "\n"


def render_html(d: Digest) -> str:
    """The HTML body. Everything from the order or the docket is escaped: it is untrusted."""

    def esc(text: str) -> str:
        return html.escape(text, quote=True)

    count = len(d.entries)
    parts = [
        "<!DOCTYPE html>",
        '<html><head><meta charset="utf-8"><title>' + esc(d.subject()) + "</title></head>",
        '<body style="font-family: sans-serif; line-height: 1.4">',
        f"<p>{esc(d.name or d.recipient)},</p>",
        f"<p>{'This court-ordered duty needs' if count == 1 else f'These {count} court-ordered duties need'}"
        f" your attention (as of {esc(day(d.today))}):</p>",
        "<ol>",
    ]
    for e in d.entries:
        item = e.item
        colour = "#b00020" if e.left < 0 else ("#8a4b00" if e.left <= 1 else "#000")
        text = "</p><p>".join(esc(_oneline(p)) for p in item.text.strip().splitlines() if p.strip())
        parts += [
            '<li style="margin-bottom: 1em">',
            f'<strong style="color: {colour}">{esc(when(e.left))}</strong>: {esc(item.what)}<br>',
            f"Case: {esc(item.case)}<br>",
            f"Party: {esc(item.party)}<br>",
            f"Due: {esc(due_words(item))} ({esc(_left_words(e.left))})<br>",
            f"The order{esc(f' ({item.cite})') if item.cite else ''}:",
            f'<blockquote style="margin: 0.3em 0 0.3em 1em; color: #333"><p>{text}</p></blockquote>',
            f"How this date was computed: <code>{esc(explain_command(item))}</code>",
            "</li>",
        ]
    parts += ["</ol>", "<hr>", *(f"<p><small>{esc(line)}</small></p>" for line in _footer(d))]
    parts += ["</body></html>"]
    return "\n".join(parts) + "\n"


def _wrap(text: str, width: int, indent: str) -> list[str]:
    """Greedy word wrap (``textwrap`` does the same here, several times slower); a blank
    paragraph stays one empty line, a word longer than the line stands alone."""
    words = text.split()
    if not words:
        return [""]
    lines: list[str] = []
    line = indent + words[0]
    for word in words[1:]:
        if len(line) + 1 + len(word) > width:
            lines.append(line)
            line = indent + word
        else:
            line += " " + word
    lines.append(line)
    return lines


def _left_words(left: int) -> str:
    if left < 0:
        return f"{-left} day{'s' if left != -1 else ''} overdue"
    if left == 0:
        return "today"
    return f"{left} day{'s' if left != 1 else ''} left"


def _footer(d: Digest) -> list[str]:
    return [
        f"Sent by docketcal remind to the people responsible for these duties; you are told"
        f" {d.schedule.describe()}.",
        "Due dates are computed from the orders and the court's rules: check them against the"
        " order before relying on them.",
    ]


@dataclass(frozen=True, slots=True)
class Outgoing:
    """A composed e-mail, ready for SMTP: the envelope and the message as it goes on the wire."""

    sender: str  # the envelope sender: the bare address of the From header
    recipient: str
    message_id: str
    data: bytes  # ASCII, CRLF line ends


def compose(d: Digest, sender: str, message_id: str, sent_at: datetime) -> Outgoing:
    """The digest as a multipart/alternative e-mail: plain text first, then HTML, both UTF-8 in
    quoted-printable, every header ASCII (RFC 2047 words where needed).

    Written out directly rather than through ``email.message``: the same bytes (the tests
    parse them with the ``email`` package), in a fifth of the time, which a run of 2,000
    e-mails notices. The boundary starts with ``=_``, which quoted-printable text cannot hold.
    """
    name, address = parseaddr(sender)
    address = _address(address, "mail_from")
    recipient = _address(d.recipient, "the recipient")
    subject = _header(d.subject())
    charset = "us-ascii" if subject.isascii() else "utf-8"
    boundary = f"=_docketcal_{message_id.strip('<>').encode().hex()[:40]}"
    head = [
        f"From: {formataddr((name, address)) if name else address}",
        f"To: {formataddr((_header(d.name), recipient)) if d.name else recipient}",
        f"Subject: {Header(subject, charset, header_name='Subject').encode()}",
        f"Date: {format_datetime(sent_at)}",
        f"Message-ID: {_header(message_id)}",
        "Auto-Submitted: auto-generated",  # RFC 3834: no vacation replies
        "MIME-Version: 1.0",
        f'Content-Type: multipart/alternative;\n boundary="{boundary}"',
        "",
    ]
    parts = []
    for subtype, body in (("plain", render_text(d)), ("html", render_html(d))):
        text = body.replace("\r\n", "\n").replace("\r", "\n")
        parts.append(
            f"--{boundary}\n"
            f'Content-Type: text/{subtype}; charset="utf-8"\n'
            "Content-Transfer-Encoding: quoted-printable\n\n"
            + binascii.b2a_qp(text.encode("utf-8"), istext=True).decode("ascii")
            + "\n"
        )
    message = "\n".join(head) + "\n" + "".join(parts) + f"--{boundary}--\n"
    return Outgoing(address, recipient, message_id, message.replace("\n", "\r\n").encode("ascii"))
