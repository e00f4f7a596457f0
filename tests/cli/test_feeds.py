"""The feed commands on a real SQLite docket file, and ``docketcal serve`` as a real process on
a free loopback port: tokens (create, list, revoke, rotate), ``feed build`` files, ``feed
show``, and HTTP answers (200, 304 on either validator, 404 alike for unknown and revoked
tokens, no content negotiation, no other case's data).

Every feed is read by ``ical`` and ``vobject`` (validated) and ``icalendar``, and passes the
project's own checks (``calendars.ical.problems``)."""

from __future__ import annotations

import http.client
import json
import os
import signal
import statistics
import subprocess
import sys
import time
from collections.abc import Iterator
from email.utils import format_datetime, parsedate_to_datetime
from pathlib import Path
from typing import Any

import icalendar
import pytest
import vobject
from ical.calendar_stream import IcsCalendarStream
from typer.testing import CliRunner

from calendars.data import data_path
from calendars.ical import problems
from cli.main import app, hoist

runner = CliRunner()
ORDERS = data_path("orders")
CAED, NJD = "caed-2013-11-12", "njd-2013-07-02"
SECRET = "cli-test-secret-" + "z" * 40
BASE = "https://docket.firm.example/feeds/"
ENV = {"DOCKETCAL_FEED_SECRET": SECRET, "DOCKETCAL_FEED_URL": BASE, "DOCKETCAL_USER": "clerk"}


def parse_everywhere(data: bytes) -> Any:
    """The feed as ``ical`` reads it, after ``vobject`` (validated) and ``icalendar`` accepted
    it with the same UIDs and the project's checks found nothing."""
    assert problems(data) == [], problems(data)
    text = data.decode("utf-8")
    strict = IcsCalendarStream.calendar_from_ics(text)
    loose = vobject.readOne(text, validate=True)
    lenient = icalendar.Calendar.from_ical(data)
    assert [(c.name, c.errors) for c in lenient.walk() if c.errors] == []
    assert lenient.get_missing_tzids() == set()
    uids = sorted(e.uid for e in strict.events)
    assert uids == sorted(e.uid.value for e in getattr(loose, "vevent_list", []))
    assert len(uids) == len(set(uids))
    return strict


def run(db: Path, *args: str, env: dict[str, str] | None = None) -> tuple[int, str, str]:
    result = runner.invoke(app, hoist(["--db", str(db), *args]), env={**ENV, **(env or {})})
    return result.exit_code, result.stdout, result.stderr


def show(db: Path, *args: str) -> bytes:
    """``feed show``'s output as bytes (CRLF kept)."""
    result = runner.invoke(app, hoist(["--db", str(db), *args]), env=ENV)
    assert result.exit_code == 0, result.stderr
    return result.stdout_bytes


def docket(path: Path) -> Path:
    code, _, err = run(path, "order", "load", *map(str, sorted(ORDERS.glob("*.toml"))))
    assert code == 0, err
    for name, email in (("Ann Lee", "ann@firm.example"), ("Bo Chen", "bo@firm.example")):
        assert run(path, "person", "add", "--name", name, "--email", email)[0] == 0
    assert run(path, "assign", "ann@firm.example", CAED)[0] == 0
    assert run(path, "assign", "bo@firm.example", NJD)[0] == 0
    return path


@pytest.fixture
def db(tmp_path: Path) -> Path:
    return docket(tmp_path / "docket.db")


def create(db: Path, scope: str, *more: str) -> dict[str, Any]:
    code, out, err = run(db, "--format", "json", "feed", "token", "create", "--scope", scope, *more)
    assert code == 0, err
    return dict(json.loads(out))


def token_of(url: str) -> str:
    return url.rsplit("/", 1)[1].removesuffix(".ics")


# -- tokens --------------------------------------------------------------------------------------


def test_a_token_url_is_printed_once_and_listed_without_it(db: Path) -> None:
    code, out, err = run(db, "feed", "token", "create", "--scope", "person:ann@firm.example",
                         "--label", "Ann's phone")  # fmt: skip
    assert code == 0, err
    (url,) = out.split()
    assert url.startswith(BASE) and url.endswith(".ics") and len(token_of(url)) == 43
    assert "shown only now" in err and "webcal://docket.firm.example/feeds/" in err
    assert CAED not in url and "ann" not in url  # no case, party or person in a URL
    made = create(db, f"party:{CAED}:plaintiff")
    assert set(made) == {"id", "scope", "label", "url", "webcal", "google"}
    assert made["google"].startswith("https://www.google.com/calendar/render?cid=https%3A%2F%2F")
    code, out, _ = run(db, "--format", "json", "feed", "token", "list")
    assert code == 0
    rows = json.loads(out)
    assert [r["scope"] for r in rows] == ["person:ann@firm.example", f"party:{CAED}:plaintiff"]
    assert rows[0]["label"] == "Ann's phone" and rows[0]["created_by"] == "clerk"
    assert set(rows[0]) == {"id", "scope", "label", "created_at", "created_by", "revoked_at",
                            "replaced_by", "live", "last_fetch_at", "last_user_agent", "fetches"}  # fmt: skip
    assert token_of(url) not in out and token_of(made["url"]) not in out
    code, out, _ = run(db, "feed", "token", "list")
    assert code == 0 and "person:ann@firm.example (Ann's phone)" in out and "live" in out


def test_bad_scopes_and_missing_secrets_are_refused(db: Path, tmp_path: Path) -> None:
    for scope, message in (
        ("case:nope", "no case 'nope'"),
        (f"party:{CAED}:court", "no party 'court'"),
        ("person:zed@firm.example", "no person with e-mail zed@firm.example"),
        ("everything", "expected case:CASE, party:CASE:PARTY, person:EMAIL or firm"),
    ):
        code, out, err = run(db, "feed", "token", "create", "--scope", scope)
        assert (code, out) == (2, "") and message in err, err
    # no secret anywhere: one is made beside the config file, readable by the user alone
    config = tmp_path / "config" / "config.toml"
    code, _, err = run(db, "feed", "token", "create", "--scope", "firm",
                       env={"DOCKETCAL_FEED_SECRET": "", "DOCKETCAL_CONFIG": str(config)})  # fmt: skip
    made = config.parent / "feed_secret"
    assert code == 0 and f"made a feed secret in {made}" in err, err
    assert made.stat().st_mode & 0o777 == 0o600 and len(made.read_text().strip()) >= 43
    code, _, err = run(db, "feed", "token", "create", "--scope", "firm",
                       env={"DOCKETCAL_FEED_SECRET": "", "DOCKETCAL_CONFIG": str(config)})  # fmt: skip
    assert code == 0 and "made a feed secret" not in err  # the same one, taken again
    code, _, err = run(db, "feed", "token", "create", "--scope", "firm",
                       env={"DOCKETCAL_FEED_SECRET": "ab" * 20})  # fmt: skip
    assert code == 2 and "too easy to guess" in err
    code, _, err = run(db, "feed", "token", "create", "--scope", "firm",
                       env={"DOCKETCAL_FEED_SECRET": "short"})  # fmt: skip
    assert code == 2 and "at least 32" in err
    secret_file = tmp_path / "secret"
    secret_file.write_text(SECRET + "\n")
    code, _, err = run(db, "feed", "token", "create", "--scope", "firm",
                       env={"DOCKETCAL_FEED_SECRET": "", "DOCKETCAL_FEED_SECRET_FILE": str(secret_file)})  # fmt: skip
    assert code == 0, err
    code, out, _ = run(db, "--format", "json", "feed", "token", "list")
    assert len(json.loads(out)) == 3  # nothing was written by the refused ones
    code, _, err = run(db, "feed", "token", "revoke", "99")
    assert code == 3 and "no feed token '99'" in err
    code, out, _ = run(db, "feed", "secret")
    assert code == 0 and len(out.strip()) >= 43


def test_revoke_and_rotate(db: Path) -> None:
    a, b = create(db, f"case:{CAED}"), create(db, f"case:{NJD}", "--label", "NJ team")
    code, out, err = run(db, "--format", "json", "feed", "token", "revoke", str(a["id"]))
    assert code == 0 and json.loads(out)["live"] is False, err
    code, out, err = run(db, "--format", "json", "feed", "token", "rotate", b["url"])
    assert code == 0, err
    new = json.loads(out)
    assert new["scope"] == f"case:{NJD}" and new["label"] == "NJ team" and new["url"] != b["url"]
    rows = {r["id"]: r for r in json.loads(run(db, "--format", "json", "feed", "token", "list")[1])}
    assert rows[b["id"]]["replaced_by"] == new["id"] and rows[b["id"]]["live"] is False
    assert rows[new["id"]]["live"] is True
    code, _, err = run(db, "feed", "token", "rotate", str(a["id"]))
    assert code == 2 and "is revoked" in err
    code, out, err = run(db, "--format", "json", "feed", "token", "rotate", str(new["id"]),
                         "--grace", "7")  # fmt: skip
    assert code == 0, err
    rows = {r["id"]: r for r in json.loads(run(db, "--format", "json", "feed", "token", "list")[1])}
    assert rows[new["id"]]["live"] is True  # for its seven days of grace
    assert "live until" in run(db, "feed", "token", "list")[1]


# -- files ---------------------------------------------------------------------------------------


def test_build_writes_the_file_each_url_asks_for_and_show_prints_the_same(
    db: Path, tmp_path: Path
) -> None:
    out = tmp_path / "srv" / "feeds"
    code, _, err = run(db, "feed", "build", "--out", str(out))
    assert code == 3 and "no live feed token" in err
    ann = create(db, "person:ann@firm.example")
    case = create(db, f"case:{CAED}")
    firm = create(db, "firm")
    code, stdout, err = run(db, "--as-of", "2013-11-20", "--format", "json", "feed", "build",
                            "--out", str(out))  # fmt: skip
    assert code == 0, err
    report = json.loads(stdout)
    assert (report["written"], report["unchanged"], report["removed"]) == (3, 0, 0)
    for made in (ann, case, firm):
        path = out / made["url"].removeprefix(BASE)  # the file a web server serves at the URL
        parse_everywhere(path.read_bytes())
    shown = show(db, "--as-of", "2013-11-20", "feed", "show", f"case:{CAED}")
    assert shown == (out / f"{token_of(case['url'])}.ics").read_bytes()
    assert b"njd" not in (out / f"{token_of(ann['url'])}.ics").read_bytes().lower()

    code, _, err = run(db, "--as-of", "2013-11-20", "feed", "build", "--out", str(out))
    assert code == 0 and "0 written, 3 unchanged, 0 removed" in err
    code, _, err = run(db, "feed", "token", "revoke", str(firm["id"]), "--out", str(out))
    assert code == 0 and "removed" in err
    assert not (out / f"{token_of(firm['url'])}.ics").exists()
    run(db, "feed", "token", "revoke", ann["url"])
    code, _, err = run(db, "--as-of", "2013-11-20", "feed", "build", "--out", str(out))
    assert code == 0 and "0 written, 1 unchanged, 1 removed" in err
    assert sorted(p.name for p in out.iterdir()) == [f"{token_of(case['url'])}.ics"]
    code, _, err = run(db, "feed", "show", "case:nope")
    assert code == 2 and "no case 'nope'" in err


def test_windows_come_from_the_settings(db: Path) -> None:
    assert run(db, "done", "produce-documents", "--on", "2013-11-22")[0] == 0
    shown = show(db, "--as-of", "2013-12-10", "feed", "show", f"case:{CAED}")
    assert all(not e.summary.startswith("DONE") for e in parse_everywhere(shown).events)
    result = runner.invoke(
        app,
        ["--db", str(db), "--as-of", "2013-12-10", "feed", "show", f"case:{CAED}"],
        env={**ENV, "DOCKETCAL_FEED_DONE_DAYS": "30"},
    )
    summaries = [e.summary for e in parse_everywhere(result.stdout_bytes).events]
    assert f"DONE: {CAED} · Plaintiff: produce all responsive documents" in summaries
    code, _, err = run(db, "feed", "show", "firm", env={"DOCKETCAL_FEED_VACATED_DAYS": "soon"})
    assert code == 2 and "feed_vacated_days 'soon'" in err


# -- the server ----------------------------------------------------------------------------------


class Server:
    def __init__(self, db: Path, log: Path) -> None:
        self.db = db
        self.log = log
        exe = Path(sys.executable).parent / "docketcal"
        self.proc = subprocess.Popen(
            [str(exe), "--db", str(db), "--as-of", "2013-11-20", "serve", "--port", "0"],
            stdout=subprocess.DEVNULL,
            stderr=log.open("wb"),
            env={**os.environ, **ENV},
        )
        deadline = time.monotonic() + 30
        while "listening on" not in log.read_text():
            assert self.proc.poll() is None, log.read_text()
            assert time.monotonic() < deadline, "the server did not start"
            time.sleep(0.05)
        line = next(x for x in log.read_text().splitlines() if "listening on" in x)
        self.port = int(line.split("127.0.0.1:")[1].split("/")[0])
        self.conn = http.client.HTTPConnection("127.0.0.1", self.port, timeout=10)

    def get(
        self, path: str, headers: dict[str, str] | None = None, method: str = "GET"
    ) -> tuple[int, dict[str, str], bytes]:
        self.conn.request(method, path, headers=headers or {})
        response = self.conn.getresponse()
        body = response.read()
        if response.status == 200 and method == "GET":
            parse_everywhere(body)  # every feed served is read by every parser
        return response.status, {k: v for k, v in response.getheaders()}, body

    def stop(self) -> None:
        self.conn.close()
        self.proc.send_signal(signal.SIGTERM)
        self.proc.wait(timeout=20)


@pytest.fixture
def served(db: Path, tmp_path: Path) -> Iterator[Server]:
    server = Server(db, tmp_path / "serve.log")
    try:
        yield server
    finally:
        if server.proc.poll() is None:
            server.stop()


def test_the_server_answers_200_then_304_on_either_validator(served: Server) -> None:
    made = create(served.db, f"case:{CAED}")
    path = "/feeds/" + made["url"].removeprefix(BASE)
    status, headers, body = served.get(path, {"User-Agent": "Google-Calendar-Importer"})
    assert status == 200
    assert headers["Content-Type"] == "text/calendar; charset=utf-8"
    assert int(headers["Content-Length"]) == len(body)
    assert headers["ETag"].startswith('"') and not headers["ETag"].startswith("W/")
    assert "private" in headers["Cache-Control"]
    cal = parse_everywhere(body)
    assert len(cal.events) == 5
    shown = show(served.db, "--as-of", "2013-11-20", "feed", "show", f"case:{CAED}")
    assert body == shown  # the same bytes as the files and 'feed show'

    etag, modified = headers["ETag"], headers["Last-Modified"]
    status, again, body = served.get(path, {"If-None-Match": etag})
    assert (status, body) == (304, b"") and again["ETag"] == etag
    status, _, body = served.get(path, {"If-Modified-Since": modified})
    assert (status, body) == (304, b"")
    older = format_datetime(parsedate_to_datetime(modified).replace(year=2020), usegmt=True)
    assert served.get(path, {"If-Modified-Since": older})[0] == 200
    assert served.get(path, {"If-None-Match": '"stale"', "If-Modified-Since": modified})[0] == 200
    # no content negotiation: whatever Accept says, the feed
    status, headers, body = served.get(path, {"Accept": "text/html"})
    assert status == 200 and headers["Content-Type"].startswith("text/calendar")
    status, headers, body = served.get(path, method="HEAD")
    assert status == 200 and body == b"" and headers["ETag"] == etag

    # a change shows at the next request, with new validators
    assert (
        run(served.db, "extend", "produce-documents", "--to", "2013-12-10", "--reason", "s")[0] == 0
    )
    status, headers, body = served.get(path, {"If-None-Match": etag})
    assert status == 200 and headers["ETag"] != etag and b"DTSTART;VALUE=DATE:20131210" in body
    # the fetches are recorded: the first at once, with its user agent
    rows = json.loads(run(served.db, "--format", "json", "feed", "token", "list")[1])
    assert rows[0]["last_user_agent"] == "Google-Calendar-Importer" and rows[0]["fetches"] >= 1
    served.stop()
    rows = json.loads(run(served.db, "--format", "json", "feed", "token", "list")[1])
    assert rows[0]["fetches"] == 8  # every answer, recorded when the server stopped
    log = served.log.read_text()
    assert token_of(made["url"]) not in log and "/feeds/" + token_of(made["url"])[:4] + "…" in log


def test_unknown_and_revoked_tokens_get_the_same_404_in_the_same_time(served: Server) -> None:
    gone = create(served.db, f"case:{CAED}")
    live = create(served.db, f"case:{CAED}")
    gone_path = "/feeds/" + gone["url"].removeprefix(BASE)
    assert served.get(gone_path)[0] == 200
    assert run(served.db, "feed", "token", "revoke", str(gone["id"]))[0] == 0
    unknown_path = "/feeds/" + "A" * 43 + ".ics"
    s1, h1, b1 = served.get(gone_path)  # at once, with the server running
    s2, h2, b2 = served.get(unknown_path)
    h1.pop("Date"), h2.pop("Date")
    assert (s1, h1, b1) == (s2, h2, b2) and s1 == 404
    assert served.get("/feeds/short.ics")[0] == 404 and served.get("/nothing")[0] == 404
    assert served.get("/")[0] == 303  # the desk's agenda: signed out, to /login (test_desk.py)
    assert served.get("/feeds/" + live["url"].removeprefix(BASE))[0] == 200
    times: dict[str, list[float]] = {gone_path: [], unknown_path: []}
    for _ in range(150):
        for path in times:
            t0 = time.perf_counter()
            assert served.get(path)[0] == 404
            times[path].append(time.perf_counter() - t0)
    a, b = (statistics.median(v) for v in times.values())
    assert abs(a - b) < max(a, b) * 0.5, (a, b)


def test_a_person_feed_over_http_has_no_other_case(served: Server) -> None:
    ann = create(served.db, "person:ann@firm.example")  # assigned to the caed case only
    bo = create(served.db, "person:bo@firm.example")  # assigned to the njd case only
    _, _, ann_body = served.get("/feeds/" + ann["url"].removeprefix(BASE))
    _, _, bo_body = served.get("/feeds/" + bo["url"].removeprefix(BASE))
    ann_cal, bo_cal = parse_everywhere(ann_body), parse_everywhere(bo_body)
    assert ann_cal.events and bo_cal.events
    assert all(e.summary.startswith(f"{CAED} · ") for e in ann_cal.events)
    assert all(e.summary.startswith(f"{NJD} · ") for e in bo_cal.events)
    assert b"njd" not in ann_body.lower() and CAED.encode() not in bo_body
    assert not {e.uid for e in ann_cal.events} & {e.uid for e in bo_cal.events}
