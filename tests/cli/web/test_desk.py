"""The desk's security, over HTTP against the installed ``docketcal serve``: signed out sees
nothing, CSRF, session fixation, passwords stored as argon2 hashes (and never taken as an
argument), order text shown escaped, sign-in throttling, roles, and the trusted header."""

from __future__ import annotations

import re
import sqlite3
from collections.abc import Iterator
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from .conftest import (
    ATTORNEY,
    CAED,
    CLERK,
    NJD,
    ORDERS,
    OTHER,
    PASSWORD,
    Desk,
    docketcal,
    make_docket,
    start,
)

PAGES = ("/", "/calendar", f"/case/{CAED}", "/duty/bates-stamp", "/record", "/subscribe", "/intake")


def state(db: Path, ref_tail: str) -> tuple[str, str | None]:
    with sqlite3.connect(db) as conn:
        row = conn.execute(
            "SELECT state, done_on FROM obligation WHERE ref LIKE ?", (f"%/{ref_tail}",)
        ).fetchone()
    return str(row[0]), row[1]


def test_signed_out_every_page_but_login_and_the_feeds_redirects(desk: Desk) -> None:
    for path in PAGES:
        status, headers, body = desk.request("GET", path)
        assert status == 303, path
        assert headers["location"].startswith("/login"), path
        assert body == "" and "caed" not in body
    assert (
        desk.request("GET", "/duty/bates-stamp")[1]["location"]
        == "/login?next=%2Fduty%2Fbates-stamp"
    )
    # a post signed out writes nothing
    status, headers, _ = desk.request(
        "POST", "/record/done", {"ref": "return-documents", "csrf": "x"}
    )
    assert status == 303 and headers["location"].startswith("/login")
    assert state(desk.db, "return-documents") == ("open", None)
    # the feeds answer as ever (an unknown token: 404), the login page and the style sheet load
    assert desk.request("GET", "/feeds/" + "A" * 43 + ".ics")[0] == 404
    status, headers, page = desk.request("GET", "/login")
    assert status == 200 and 'name="password"' in page and 'type="password"' in page
    assert "caed" not in page and "Bates" not in page
    assert "frame-ancestors 'none'" in headers["content-security-policy"]
    assert desk.request("GET", "/static/desk.css")[0] == 200


def test_sign_in_sign_out_and_a_new_session_id_each_time(desk: Desk) -> None:
    assert desk.sign_in(CLERK) == 303
    first = desk.cookies["docketcal_session"]
    status, _, page = desk.request("GET", "/")
    assert status == 200 and "Ada Clerk" in page and "file a single joint letter" in page
    # signing in again (a session id known before sign-in) gives a new id; the old one is dead
    assert desk.sign_in(CLERK) == 303
    second = desk.cookies["docketcal_session"]
    assert second != first
    desk.cookies["docketcal_session"] = first
    assert desk.request("GET", "/")[0] == 303
    desk.cookies["docketcal_session"] = second
    assert desk.request("GET", "/")[0] == 200
    # the cookie's flags
    token = desk.csrf("/login")
    desk.request("POST", "/login", {"csrf": token, "email": CLERK, "password": PASSWORD})
    (cookie,) = [c.lower() for c in desk.set_cookies if c.startswith("docketcal_session=")]
    assert "httponly" in cookie and "samesite=lax" in cookie and "path=/" in cookie
    assert "secure" not in cookie  # plain HTTP here: a Secure cookie would never come back
    # sign out: the session ends on the server, not only in the browser
    signed_in = desk.cookies["docketcal_session"]
    csrf = desk.csrf("/subscribe")
    status, headers, _ = desk.request("POST", "/logout", {"csrf": csrf})
    assert status == 303 and headers["location"] == "/login"
    desk.cookies["docketcal_session"] = signed_in
    assert desk.request("GET", "/")[0] == 303


def test_a_forged_or_altered_session_cookie_is_nobody(desk: Desk) -> None:
    assert desk.sign_in(ATTORNEY) == 303
    value = desk.cookies["docketcal_session"]
    sid, _, mac = value.rpartition(".")
    for forged in (sid, f"{sid}.{'A' * len(mac)}", f"{sid[:-1]}x.{mac}", "", "."):
        desk.cookies["docketcal_session"] = forged
        assert desk.request("GET", "/")[0] == 303, forged


def test_csrf_a_post_without_the_token_is_refused(desk: Desk) -> None:
    # sign-in itself needs the token of the login page
    status, _, body = desk.request("POST", "/login", {"email": CLERK, "password": PASSWORD})
    assert status == 403 and "docketcal_session" not in desk.cookies
    assert desk.sign_in(CLERK) == 303
    for sent in ({}, {"csrf": ""}, {"csrf": "not-the-token"}):
        form = {"ref": "return-documents", "on": "2013-11-23", **sent}
        status, _, body = desk.request("POST", "/record/done", form)
        assert status == 403 and "refused" in body
    assert state(desk.db, "return-documents") == ("open", None)
    assert desk.request("POST", "/logout", {})[0] == 403
    # with the token: recorded
    csrf = desk.csrf("/record")
    status, _, page = desk.request(
        "POST", "/record/done", {"ref": "return-documents", "on": "2013-11-23", "csrf": csrf}
    )
    assert status == 200 and "recorded return-documents done 2013-11-23" in page
    assert state(desk.db, "return-documents") == ("done", "2013-11-23")


def test_passwords_are_argon2_hashes_set_from_stdin_never_an_argument(desk: Desk) -> None:
    with sqlite3.connect(desk.db) as conn:
        hashes = [r[0] for r in conn.execute("SELECT hash FROM password")]
    assert len(hashes) == 3 and len(set(hashes)) == 3  # salted: the same password, three hashes
    assert all(h.startswith("$argon2id$") and PASSWORD not in h for h in hashes)
    done = docketcal(desk.env, "person", "password", CLERK, PASSWORD)
    assert done.returncode == 2 and "unexpected extra argument" in done.stderr.lower()
    done = docketcal(desk.env, "person", "password", CLERK, stdin="short\n")
    assert done.returncode == 2 and "at least 12" in done.stderr
    done = docketcal(desk.env, "person", "password", "zed@firm.example", stdin=PASSWORD + "\n")
    assert done.returncode == 3 and "no person with e-mail zed@firm.example" in done.stderr
    # a new password ends the person's sessions
    assert desk.sign_in(CLERK) == 303
    done = docketcal(desk.env, "person", "password", CLERK, stdin="another long passphrase\n")
    assert done.returncode == 0, done.stderr
    assert desk.request("GET", "/")[0] == 303
    assert desk.sign_in(CLERK, PASSWORD) == 401
    assert desk.sign_in(CLERK, "another long passphrase") == 303


def test_failed_sign_ins_are_throttled_per_account_and_per_address(desk: Desk) -> None:
    for _ in range(5):
        assert desk.sign_in(ATTORNEY, "wrong password!") == 401
    # the right password no longer helps for a while, for that account
    token = desk.csrf("/login")
    status, headers, page = desk.request(
        "POST", "/login", {"csrf": token, "email": ATTORNEY, "password": PASSWORD}
    )
    assert status == 429 and "Too many failed sign-ins" in page and int(headers["retry-after"]) > 0
    assert "docketcal_session" not in desk.cookies
    # an unknown address gets the same answer as a wrong password
    status, _, unknown = desk.request(
        "POST", "/login", {"csrf": desk.csrf(), "email": "zed@firm.example", "password": PASSWORD}
    )
    assert status == 401 and "do not match" in unknown
    # another account from the same address still signs in, until the address is throttled
    assert desk.sign_in(OTHER) == 303
    for n in range(14):
        assert desk.sign_in(f"guess{n}@firm.example", "guess") == 401
    assert desk.sign_in(CLERK) == 429  # 20 failures from this address


def test_order_text_with_a_script_is_shown_escaped(desk: Desk, tmp_path: Path) -> None:
    text = (ORDERS / f"{NJD}.toml").read_text()
    text = text.replace(f'case = "{NJD}"', 'case = "njd-script"').replace(
        "ORDERED that no further submissions",
        "<script>alert('x')</script> ORDERED that no further submissions",
    )
    assert desk.sign_in(CLERK) == 303
    status, _, page = desk.request(
        "POST", "/intake/check", {"csrf": desk.csrf("/intake"), "text": text}
    )
    assert status == 200, page
    assert "<script>alert" not in page and "&lt;script&gt;alert(" in page
    status, _, page = desk.request(
        "POST", "/intake/confirm", {"csrf": desk.csrf("/intake"), "toml": text, "action": "confirm"}
    )
    assert status == 200 and "Loaded order" in page, page
    status, _, page = desk.request("GET", "/duty/njd-script/njd-2013-07-02/no-further-submissions")
    assert status == 200 and "<script>alert" not in page and "&lt;script&gt;alert(" in page
    status, _, page = desk.request("GET", "/case/njd-script")
    assert status == 200 and "<script>" not in page


def test_roles_an_attorney_marks_only_their_own_duties_done(desk: Desk) -> None:
    assert desk.sign_in(ATTORNEY) == 303
    csrf = desk.csrf("/record")
    status, _, page = desk.request(
        "POST",
        "/record/event",
        {"csrf": csrf, "case": CAED, "event": "hearing", "when": "2013-12-02"},
    )
    assert status == 403 and "clerk or paralegal" in page
    status, _, page = desk.request(
        "POST", "/record/done", {"csrf": csrf, "ref": "joint-letter", "on": "2013-11-20"}
    )
    assert status == 403 and "not assigned to you" in page
    assert state(desk.db, "joint-letter")[0] == "open"
    assert desk.request("GET", "/intake")[0] == 403
    status, _, page = desk.request(
        "POST", "/record/done", {"csrf": csrf, "ref": "produce-documents", "on": "2013-11-20"}
    )
    assert status == 200 and "recorded produce-documents done 2013-11-20" in page
    # the CLI's validation and message, on the page
    status, _, page = desk.request(
        "POST", "/record/done", {"csrf": csrf, "ref": "return-documents", "on": "2013-02-30"}
    )
    assert status == 400 and "February 2013 has 28 days" in page


def test_the_clerk_gets_the_cli_messages(desk: Desk) -> None:
    assert desk.sign_in(CLERK) == 303
    csrf = desk.csrf("/record")
    for form, message in (
        (
            {"ref": "return-documents", "on": "2013-02-30"},
            "--on &#39;2013-02-30&#39; is not a date that exists: February 2013 has 28 days",
        ),
        ({"ref": "nothing-like-it", "on": "2013-11-20"}, "nothing-like-it"),
    ):
        status, _, page = desk.request("POST", "/record/done", {"csrf": csrf, **form})
        assert status in (400, 404) and message in page, page
    status, _, page = desk.request(
        "POST",
        "/record/extend",
        {"csrf": csrf, "ref": "produce-documents", "by": "soon", "reason": "r"},
    )
    assert status == 400 and "expected a period such as" in page


def test_a_trusted_header_is_off_by_default_and_names_the_person_when_on(
    desk_env: dict[str, str], tmp_path: Path, desk: Desk
) -> None:
    assert desk.request("GET", "/", headers={"X-Remote-User": CLERK})[0] == 303  # off
    proxied = start(desk_env, tmp_path, "--trust-header", "X-Remote-User")
    try:
        status, _, page = proxied.request("GET", "/", headers={"X-Remote-User": ATTORNEY})
        assert status == 200 and "Ann Lee" in page
        assert proxied.request("GET", "/")[0] == 303
        assert proxied.request("GET", "/", headers={"X-Remote-User": "zed@x.example"})[0] == 303
        # posts still need the CSRF token (a cookie the page set, and the form's copy)
        form = {"ref": "produce-documents", "on": "2013-11-20"}
        status, _, _ = proxied.request("POST", "/record/done", form, {"X-Remote-User": ATTORNEY})
        assert status == 403 and state(proxied.db, "produce-documents") == ("open", None)
        proxied.cookies.clear()
        status, _, page = proxied.request("GET", "/record", headers={"X-Remote-User": ATTORNEY})
        token = re.search(r'name="csrf" value="([^"]+)"', page)
        assert status == 200 and token and "docketcal_csrf" in proxied.cookies
        status, _, page = proxied.request(
            "POST", "/record/done", {**form, "csrf": token[1]}, {"X-Remote-User": ATTORNEY}
        )
        assert status == 200 and "recorded produce-documents done 2013-11-20" in page
    finally:
        proxied.stop()
    assert "trusting the X-Remote-User header" in proxied.log.read_text()


def test_the_duty_words_are_marked_where_the_text_wraps_them_differently() -> None:
    from cli.web.desk import highlight

    text = "ORDERED that the parties\n  shall meet; and it is further ORDERED that none shall file."
    assert highlight(text, ["the parties shall meet", "none shall file", "not there"]) == [
        ("ORDERED that ", False),
        ("the parties\n  shall meet", True),
        ("; and it is further ORDERED that ", False),
        ("none shall file", True),
        (".", False),
    ]
    assert highlight("", ["x"]) == [] and highlight("abc", [""]) == [("abc", False)]


FIELDS = st.dictionaries(
    st.sampled_from(["ref", "on", "case", "event", "when", "to", "by", "reason", "undo", "court",
                     "day", "name", "state", "note", "service", "for_later", "text", "toml",
                     "scope", "id", "label", "action", "base", "order.entered",
                     "duty.0.due", "duty.0.needs_review", "duty.0.drop"]),
    st.one_of(st.sampled_from(["produce-documents", CAED, "2013-11-23", "2013-02-30",
                               "14 days", "on", "met", "caed", "firm", "1", "<b>", "\x00",
                               (ORDERS / f"{NJD}.toml").read_text()]),
              st.text(max_size=30)),
    max_size=6,
)  # fmt: skip


@pytest.mark.fuzz
@settings(deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(
    path=st.sampled_from(
        ["/record/done", "/record/event", "/record/extend", "/record/vacate", "/record/closure",
         "/record/condition", "/record/bogus", "/intake/check", "/intake/confirm",
         "/intake/dates",
         "/subscribe/create", "/subscribe/rotate", "/subscribe/revoke", "/subscribe/x"]
    ),
    form=FIELDS,
)  # fmt: skip
def test_fuzz_every_form(signed_in: Desk, path: str, form: dict[str, str]) -> None:
    status, _, page = signed_in.request("POST", path, {**form, "csrf": signed_in.csrf("/record")})
    assert status in (200, 400, 403, 404), (path, form, status, page[-500:])
    assert "Traceback" not in page


@pytest.fixture(scope="module")
def signed_in(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Desk]:
    folder = tmp_path_factory.mktemp("fuzz")
    server = start(make_docket(folder), folder)
    assert server.sign_in(CLERK) == 303
    try:
        yield server
    finally:
        server.stop()


def test_over_https_the_cookies_are_secure(desk: Desk) -> None:
    """Behind a TLS proxy on the same host (X-Forwarded-Proto, which uvicorn takes from
    127.0.0.1 only), the session cookie is marked Secure."""
    https = {"X-Forwarded-Proto": "https"}
    _, _, page = desk.request("GET", "/login", headers=https)
    assert all("secure" in c.lower() for c in desk.set_cookies) and desk.set_cookies
    token = re.search(r'name="csrf" value="([^"]+)"', page)
    assert token
    status, _, _ = desk.request(
        "POST", "/login", {"csrf": token[1], "email": CLERK, "password": PASSWORD}, https
    )
    assert status == 303
    (cookie,) = [c.lower() for c in desk.set_cookies if c.startswith("docketcal_session=")]
    assert "secure" in cookie and "httponly" in cookie


def test_a_session_made_by_one_serve_process_is_good_at_another(
    desk_env: dict[str, str], tmp_path: Path, desk: Desk
) -> None:
    """Behind a load balancer a browser's requests reach any process: sessions, CSRF tokens
    and failed sign-ins live in the database."""
    other = start(desk_env, tmp_path)
    try:
        assert desk.sign_in(CLERK) == 303
        other.cookies = dict(desk.cookies)
        status, _, page = other.request("GET", "/record")
        assert status == 200 and "Ada Clerk" in page
        csrf = desk.csrf("/record")  # a token one process put in a form, posted to the other
        status, _, page = other.request(
            "POST", "/record/done", {"csrf": csrf, "ref": "produce-documents", "on": "2013-11-22"}
        )
        assert status == 200 and "recorded produce-documents done 2013-11-22" in page
        status, _, _ = other.request("POST", "/logout", {"csrf": csrf})
        assert status == 303 and desk.request("GET", "/")[0] == 303  # signed out at both
    finally:
        other.stop()


def _children(pid: int) -> set[int]:
    """The processes whose parent is ``pid`` (Linux's /proc)."""
    found = set()
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            try:
                fields = (entry / "stat").read_text().rsplit(")", 1)[1].split()
            except OSError:
                continue
            if int(fields[1]) == pid:
                found.add(int(entry.name))
    return found


@pytest.mark.skipif(not Path("/proc/self/stat").exists(), reason="reads processes from /proc")
def test_workers_answer_on_one_port_one_session_for_all_and_stop_together(
    desk_env: dict[str, str], tmp_path: Path
) -> None:
    """``serve --workers 2``: two processes on the one port, a session good at whichever
    answers (each request here is a new connection), a worker that dies replaced, and
    SIGTERM stopping them all."""
    import os
    import signal
    import time

    server = start(desk_env, tmp_path, "--workers", "2")
    try:
        assert "(2 worker processes)" in server.log.read_text()
        workers = _children(server.proc.pid)
        assert len(workers) == 2
        assert server.sign_in(CLERK) == 303
        for _ in range(12):
            status, _, page = server.request("GET", "/")
            assert status == 200 and "Ada Clerk" in page
        csrf = server.csrf("/record")
        status, _, page = server.request(
            "POST", "/record/done", {"csrf": csrf, "ref": "produce-documents", "on": "2013-11-22"}
        )
        assert status == 200 and "recorded produce-documents done 2013-11-22" in page
        # a worker that dies is replaced
        victim = min(workers)
        os.kill(victim, signal.SIGKILL)
        deadline = time.monotonic() + 20
        while len(_children(server.proc.pid) - {victim}) < 2:
            assert time.monotonic() < deadline, server.log.read_text()
            time.sleep(0.1)
        assert "starting another" in server.log.read_text()
        for _ in range(6):
            assert server.request("GET", "/")[0] == 200
        workers = _children(server.proc.pid)
    finally:
        server.stop()
    assert server.proc.returncode == 0
    assert not workers & _children(server.proc.pid)
    assert server.log.read_text().count("stopped") == 1


def test_workers_is_refused_out_of_range(desk_env: dict[str, str]) -> None:
    done = docketcal(desk_env, "serve", "--workers", "0")
    assert done.returncode == 2 and "--workers" in done.stderr
