"""``docketcal compute --jsonl``: one JSON request per line in, one JSON answer per line out.

This module imports neither the command-line framework nor the database, so that
``docketcal compute --jsonl`` can start without them (``cli/entry.py``); ``cli/calc.py`` calls
it too. A request that is a plain period in days or weeks ("14 days after 2013-11-12") in a court
whose rule set counts it as Fed. R. Civ. P. 6 does is answered by ``calendars.fast.quick_line``;
every other line, and every line it declines, goes the general way (``calculate``). Both write
the same text for the same line (tests/calendars/test_fast_path.py).
"""

from __future__ import annotations

import json
import re
from collections.abc import Callable, Iterable, Iterator
from datetime import date
from typing import Any

#: The keys a request may have, with the JSON types each may be.
KEYS: dict[str, tuple[type, ...]] = {
    "court": (str,),
    "when": (str,),
    "service": (str, type(None)),
    "closures": (list, type(None)),
    "rules": (str, type(None)),
    "rules_as_of": (str, type(None)),
    "trace": (bool,),
}
_TYPE_NAMES = {
    str: "a string",
    list: "a list of dates",
    bool: "true or false",
    type(None): "null",
}
_KEY_SET = frozenset(KEYS)
#: "N days|weeks after|before YYYY-MM-DD" as the when-language reads it, and nothing else: any
#: other spelling (capitals, more spaces, "1 day") goes through the parser
_PLAIN = re.compile(r"([1-9][0-9]{0,3}) (days|weeks) (after|before) ([0-9]{4}-[0-9]{2}-[0-9]{2})")
_WS = r"[ \t\n\r]*"
_TEXT = r'"([^"\\\x00-\x1f]*)"'
#: a whole request line of the commonest shape, {"court": ..., "when": "N days after DATE"} with
#: "service" and "trace" optional, in that order, its strings without escapes: such a line is
#: read without the JSON parser (json.loads reads it as exactly these values)
_LINE = re.compile(
    rf'{_WS}\{{{_WS}"court"{_WS}:{_WS}{_TEXT}{_WS},{_WS}"when"{_WS}:{_WS}'
    r'"([1-9][0-9]{0,3} (?:days|weeks)) (after|before) ([0-9]{4}-[0-9]{2}-[0-9]{2})"'
    rf'(?:{_WS},{_WS}"service"{_WS}:{_WS}(?:{_TEXT}|null))?'
    rf"(?:{_WS},{_WS}\"trace\"{_WS}:{_WS}(true|false))?{_WS}\}}{_WS}"
)
#: answered lines joined and written at once (a piece small enough to be joined and encoded
#: while its lines are still in the processor's caches, and for the memory of one piece to
#: serve the next: a piece of a few hundred kilobytes is given fresh pages each time)
_CHUNK = 64
#: bytes read at once (at most: what the input has ready) from a stream
_BLOCK = 1 << 20
#: ``run_split``: the input is answered in rounds of about this many bytes, each by two
#: processes at once when it has at least ``_SPLIT_LINES`` lines (fewer cost more to split than
#: they save)
_ROUND = 1 << 22
_SPLIT_LINES = 8192
#: at most this many of the first round's lines are answered before it is split (``_round``)
_WARM = 1024


class BadLine(ValueError):
    """A request line that is not what --jsonl expects (its message says what was expected)."""


def json_object(line: bytes) -> dict[str, Any]:
    """One line of a --jsonl input read as a JSON object (every --jsonl command reads its lines
    here), or BadLine saying what was expected."""
    try:
        text = line.decode("utf-8")
    except UnicodeDecodeError as exc:
        raise BadLine(f"the line is not UTF-8 text (byte {exc.start + 1})") from None
    try:
        req = json.loads(text)
    except json.JSONDecodeError as exc:
        raise BadLine(f"not JSON ({exc.msg} at column {exc.colno})") from None
    except RecursionError:
        raise BadLine("not JSON (nested too deep)") from None
    if not isinstance(req, dict):
        raise BadLine(f"expected a JSON object, found {type(req).__name__}")
    return req


def request(line: bytes) -> dict[str, Any]:
    """The request of one line, checked for shape and types before anything is computed."""
    req = json_object(line)
    unknown = sorted(set(req) - set(KEYS))
    if unknown:
        raise BadLine(f"unknown keys: {', '.join(unknown)}; known: {', '.join(KEYS)}")
    for key in ("court", "when"):
        if key not in req:
            raise BadLine(f'expected "court" and "when" as strings; "{key}" is missing')
    for key, value in req.items():
        if not isinstance(value, KEYS[key]):
            wanted = " or ".join(_TYPE_NAMES[t] for t in KEYS[key])
            raise BadLine(f'"{key}" must be {wanted}, found {json.dumps(value)[:60]}')
        if isinstance(value, str):
            _unicode(key, value)
    for item in req.get("closures") or ():
        if not isinstance(item, str):
            raise BadLine(f'"closures" must be a list of dates, found {json.dumps(item)[:60]}')
    return req


def _unicode(key: str, value: str) -> None:
    try:
        value.encode("utf-8")
    except UnicodeEncodeError as exc:
        raise BadLine(
            f'"{key}" holds a lone surrogate (\\u{ord(value[exc.start]):04x} at character'
            f" {exc.start + 1}), which is not text"
        ) from None


def _iso_day(text: str, what: str) -> date:
    try:
        return date.fromisoformat(text)
    except ValueError:
        raise BadLine(f"{what} '{text}' is not a date (expected YYYY-MM-DD)") from None


def general(number: int, line: bytes, trace: bool = True) -> str:
    """The answer to one line the general way: the request checked, the phrase parsed, the
    date computed; a bad line gets ``{"error": "line N: ..."}``."""
    from calendars.errors import DocketcalError
    from obligations.calculator import calculate
    from obligations.when import WhenSyntaxError

    result: dict[str, Any]
    try:
        req = request(line)
        closures = [_iso_day(d, '"closures" entry') for d in req.get("closures") or ()]
        as_of = req.get("rules_as_of")
        result = calculate(
            req["court"],
            req["when"],
            service=req.get("service"),
            closures=closures,
            rules=req.get("rules"),
            rules_as_of=_iso_day(as_of, '"rules_as_of"') if as_of is not None else None,
        ).to_json(trace=req.get("trace", trace))
    except (BadLine, WhenSyntaxError, DocketcalError) as exc:
        result = {"error": f"line {number}: {exc}"}
    try:
        text = json.dumps(result, ensure_ascii=False)
        text.encode("utf-8")
    except UnicodeEncodeError:  # an error that quotes a lone surrogate: escape it
        text = json.dumps(result)
    return text


class Quick:
    """The quick answers of one run: the courts and periods it has met, looked up once."""

    def __init__(self, trace: bool) -> None:
        from calendars import Direction, Period, Request, Unit, compute_general
        from calendars.fast import UNSETTLED, Plan, line_of, unsettled_answer

        self.trace = trace
        #: whether a round was split after this process answered its first lines (``_round``)
        self.warmed = False
        #: court id -> (the court, its plan), or None for an id the quick path does not take
        self.courts: dict[str, tuple[Any, Plan] | None] = {}
        #: "N days" or "N weeks" -> (days, the period, its words in a trace)
        self.shapes: dict[str, tuple[int, Period, str]] = {}
        self.line = line_of
        self.unsettled = UNSETTLED
        self.units = {"days": Unit.DAYS, "weeks": Unit.WEEKS}
        self.ways = {"after": Direction.AFTER, "before": Direction.BEFORE}
        self.period = Period
        self.request = Request
        self.unsettled_answer = unsettled_answer
        self.compute_general = compute_general

    def plain(self, line: str) -> str | None:
        """The line of a request of the commonest shape (``_LINE``), or None."""
        found = _LINE.fullmatch(line)
        if found is None:
            return None
        court_id, amount, way, day, service, trace = found.groups()
        court: Any = self.courts.get(court_id, False)
        if court is False:
            court = self.court(court_id, None)
        if court is None:
            return None
        shape = self.shapes.get(amount)
        if shape is None:
            shape = self.shape(amount)
        try:
            anchor = date.fromisoformat(day)
        except ValueError:
            return None
        days, period, words = shape
        method = service or "none"
        traced = self.trace if trace is None else trace == "true"
        text = self.line(court[1], anchor, days, period, words, way == "after", method, traced)
        if type(text) is str:
            return text
        if text == self.unsettled:
            return self.computed(court[0], court[1], None, anchor, period, way, method, traced)
        return None

    def shape(self, amount: str) -> tuple[int, Any, str]:
        """The days, the period and its words of "N days" or "N weeks" (kept)."""
        n, unit = amount.split(" ")
        period = self.period(int(n), self.units[unit])
        days = period.n * 7 if unit == "weeks" else period.n
        found = self.shapes[amount] = (days, period, str(period))
        return found

    def court(self, court_id: str, rules: str | None) -> tuple[Any, Any] | None:
        """The court of an id as ``calculate`` finds it and its plan under ``rules``, or None
        when it finds none or the rule set answers in its own way (kept for the court's own
        rule set)."""
        from calendars import UnknownCourt, get_court
        from calendars.fast import plan

        try:
            court = get_court(court_id)
        except UnknownCourt:
            found = None
        else:
            p = plan(court, rules)
            found = None if p is None else (court, p)
        if rules is None:
            self.courts[court_id] = found
        return found

    def computed(
        self,
        court: Any,
        plan: Any,
        rules: str | None,
        anchor: date,
        period: Any,
        way: str,
        method: str,
        trace: bool,
    ) -> str | None:
        """A plain period whose last day meets an unsettled day, computed as ``calculate``
        computes it with ``calendars.compute`` (the phrase read as the pattern reads it; the
        answer ``compute`` gives from the tables, ``unsettled_answer``, else its general one),
        or None for one it refuses (the general way writes the error)."""
        from calendars.errors import DocketcalError

        req = self.request(anchor=anchor, period=period, direction=self.ways[way], service=method)
        try:
            due = self.unsettled_answer(plan, court, req, rules) or self.compute_general(
                court, req, rules=rules
            )
        except DocketcalError:
            return None
        return json.dumps(due.to_json(trace=trace), ensure_ascii=False)

    def answer(self, req: Any) -> str | None:
        """The line of a request the quick path takes, or None."""
        if type(req) is not dict or not req.keys() <= _KEY_SET:
            return None
        court_id = req.get("court")
        when = req.get("when")
        if type(court_id) is not str or type(when) is not str:
            return None
        found = _PLAIN.fullmatch(when)
        if found is None:
            return None
        service = req.get("service")
        closures = req.get("closures")
        rules = req.get("rules")
        trace = req.get("trace", self.trace)
        if (
            (service is not None and type(service) is not str)
            or (closures is not None and (type(closures) is not list or closures))
            or (rules is not None and type(rules) is not str)
            or req.get("rules_as_of") is not None
            or type(trace) is not bool
        ):
            return None
        court: Any = self.courts.get(court_id, False) if rules is None else False
        if court is False:
            court = self.court(court_id, rules)
        if court is None:
            return None
        n, unit, way, day = found.groups()
        amount = f"{n} {unit}"
        shape = self.shapes.get(amount)
        if shape is None:
            shape = self.shape(amount)
        try:
            anchor = date.fromisoformat(day)
        except ValueError:
            return None
        days, period, words = shape
        method = service or "none"
        text = self.line(court[1], anchor, days, period, words, way == "after", method, trace)
        if type(text) is str:
            return text
        if text == self.unsettled:
            return self.computed(court[0], court[1], rules, anchor, period, way, method, trace)
        return None

    def slow(self, number: int, raw: bytes) -> str | None:
        """The answer to a line that is not of the commonest shape (``raw``, as read), or None
        for a blank line (skipped)."""
        if not raw.strip():
            return None
        try:
            text = self.answer(json.loads(raw.decode("utf-8")))
        except (ValueError, RecursionError):  # not UTF-8, or not JSON: the general way says which
            text = None
        if text is None:
            text = general(number, raw, self.trace)
        return text

    def block(
        self, data: bytes, number: int, write: Callable[[str], object] | None = None
    ) -> list[str]:
        """The answers to the lines of ``data`` (whole lines, the last one's newline perhaps
        missing at the end of the input), the first of them line ``number``: in pieces of
        ``_CHUNK`` answered lines, each line ended by a newline (each piece joined as soon as
        its lines are written, while they are at hand); with ``write``, each piece is written
        as soon as it is joined (the memory of one piece then serves the next), and none is
        returned."""
        out: list[str] = []
        done: list[str] = []
        append = done.append
        plain = self.plain
        try:
            lines = data.decode("utf-8").split("\n")
        except UnicodeDecodeError:  # a line that is not UTF-8: each line on its own
            for raw in _split(data):
                text = self.slow(number, raw)
                if text is not None:
                    append(text)
                number += 1
            _piece(done, out, write)
            return out
        last = len(lines) - 1
        if not lines[last]:
            del lines[last]  # the newline that ends the input
            last = -1
        for k, line in enumerate(lines):
            text = plain(line)
            if text is None:
                raw = line.encode("utf-8")
                text = self.slow(number + k, raw if k == last else raw + b"\n")
                if text is None:
                    continue
            append(text)
            if len(done) >= _CHUNK:
                _piece(done, out, write)
        _piece(done, out, write)
        return out


def _piece(done: list[str], out: list[str], write: Callable[[str], object] | None = None) -> None:
    """The lines of ``done`` joined into one piece of ``out``, or written with ``write``
    (``done`` is emptied)."""
    if done:
        done.append("")
        if write is None:
            out.append("\n".join(done))
        else:
            write("\n".join(done))
        done.clear()


def _split(data: bytes) -> list[bytes]:
    """The lines of ``data`` as a binary stream gives them (split after each newline only)."""
    lines = [line + b"\n" for line in data.split(b"\n")]
    lines[-1] = lines[-1][:-1]
    if not lines[-1]:
        del lines[-1]
    return lines


def _blocks(stream: Any) -> Iterator[tuple[int, bytes]]:
    """The input in blocks of whole lines (the last one perhaps without its newline), each with
    the number of its first line."""
    read = getattr(stream, "read1", None) or stream.read
    number = 1
    rest = b""
    while True:
        chunk = read(_BLOCK)
        if not chunk:
            if rest:
                yield number, rest
            return
        if rest:
            chunk = rest + chunk
        cut = chunk.rfind(b"\n") + 1
        if cut == 0:
            rest = chunk
            continue
        rest = chunk[cut:]
        block = chunk[:cut] if rest else chunk
        yield number, block
        number += block.count(b"\n")


def run(lines: Iterable[bytes], write: Callable[[str], object], trace: bool = True) -> None:
    """Answer every line of ``lines`` (a binary stream, or its lines as read), writing the
    answers in order."""
    quick = Quick(trace)
    if hasattr(lines, "read"):
        for number, block in _blocks(lines):
            quick.block(block, number, write)
        return
    out: list[str] = []
    for number, line in enumerate(lines, 1):
        out.extend(quick.block(line, number))
        if len(out) >= _CHUNK:
            write("".join(out))
            out.clear()
    if out:
        write("".join(out))


def run_split(
    stream: Any,
    write: Callable[[str], object],
    flush: Callable[[], object],
    trace: bool,
    guard: Callable[[Callable[[], int]], int],
    binary: tuple[Callable[[str], bytes], Callable[[bytes], object]] | None = None,
) -> int:
    """``run`` over a binary stream, answering large inputs in two processes at once where
    the machine has two processors or more: the exit code. ``binary`` (how ``write`` encodes
    its text, and the writer of the bytes beneath it) lets the half that waits encode its
    answers while the other half is answered, rather than after.

    The input is read in rounds of about ``_ROUND`` bytes. A round of ``_SPLIT_LINES`` lines or
    more is split at a line in its middle; a child process (forked with everything this one has
    loaded and found so far) answers the first half and writes it, while this one answers the
    second half, waits for the child and writes it after; so the lines come out in their order.
    The child runs under ``guard`` (the exit code of the command's own handling of errors: an
    error is reported there, once); when it fails, this one stops with its exit code and
    writes nothing more.
    """
    quick = Quick(trace)
    if not _two_processors():
        for number, block in _blocks(stream):
            quick.block(block, number, write)
        return 0
    pending: list[bytes] = []
    size = 0
    start = 1
    for number, block in _blocks(stream):
        if not pending:
            start = number
        pending.append(block)
        size += len(block)
        if size >= _ROUND:
            code = _round(quick, b"".join(pending), start, write, flush, guard, binary)
            if code:
                return code
            pending.clear()
            size = 0
    if pending:
        return _round(quick, b"".join(pending), start, write, flush, guard, binary)
    return 0


def _after_lines(data: bytes, n: int) -> int:
    """The offset just after the ``n``th line of ``data`` (0 for n = 0)."""
    at = 0
    for _ in range(n):
        at = data.find(b"\n", at) + 1
        if at == 0:
            return len(data)
    return at


def _two_processors() -> bool:
    import os

    if not hasattr(os, "fork"):
        return False
    try:
        return len(os.sched_getaffinity(0)) >= 2
    except AttributeError:  # no affinity on this system: what it has
        return (os.cpu_count() or 1) >= 2


def _write(out: list[str], write: Callable[[str], object]) -> None:
    for piece in out:
        write(piece)


def _round(
    quick: Quick,
    data: bytes,
    number: int,
    write: Callable[[str], object],
    flush: Callable[[], object],
    guard: Callable[[Callable[[], int]], int],
    binary: tuple[Callable[[str], bytes], Callable[[bytes], object]] | None = None,
) -> int:
    """One round of ``run_split``: the exit code (0: answered and written).

    Before the first split, this process answers the round's first lines (up to ``_WARM``)
    itself, so that what they find out once (the courts' plans and tables, the years' roll
    tables and warnings, each kind of line checked against the general path) is found once and
    shared by both processes; their answers are written by the child, before its half."""
    import os

    first_line = number
    lines = data.count(b"\n")
    if lines < _SPLIT_LINES:
        quick.block(data, number, write)
        return 0
    warm: list[str] = []
    if not quick.warmed:
        quick.warmed = True
        cut = _after_lines(data, min(_WARM, lines // 8))
        if 0 < cut < len(data):
            warm = quick.block(data[:cut], number)
            number += data.count(b"\n", 0, cut)
            data = data[cut:]
    middle = data.find(b"\n", len(data) // 2) + 1
    if not 0 < middle < len(data):
        _write(warm, write)
        quick.block(data, number, write)
        return 0
    first, second = data[:middle], data[middle:]
    halfway = number + first.count(b"\n")
    flush()  # nothing this process has buffered may be written twice
    child = os.fork()
    if child == 0:  # pragma: no cover (the child's coverage is not collected)

        def answer_first() -> int:
            _write(warm, write)
            quick.block(first, number, write)
            flush()
            return 0

        code = 1
        try:
            code = guard(answer_first)
        finally:  # never back into the command's own code: this process only answers its half
            os._exit(code)
    held: list[Any] = []
    if binary is None:
        hold: Callable[[str], object] = held.append
    else:
        encode = binary[0]

        def hold(text: str) -> None:
            held.append(encode(text))

    try:
        quick.block(second, halfway, hold)
    finally:
        _, status = os.waitpid(child, 0)
    code = os.waitstatus_to_exitcode(status)
    if code < 0:  # ended by a signal: nothing reported it
        import signal
        import sys

        print(
            f"docketcal: the process answering lines {first_line} to {halfway - 1}"
            f" was ended by {signal.Signals(-code).name}; nothing more was written",
            file=sys.stderr,
        )
        return 1
    if code:
        return code
    if binary is None:
        _write(held, write)
    else:
        flush()  # what was written as text before goes first
        for piece in held:
            binary[1](piece)
    return 0
