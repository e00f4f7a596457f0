"""A docket with the two example orders, three people with passwords, and ``docketcal serve``
(the installed entry point) running on it on a free loopback port, as of 2013-11-20."""

from __future__ import annotations

import http.client
import os
import re
import shutil
import signal
import subprocess
import sys
import time
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import urlencode

import pytest

from calendars.data import data_path

EXE = Path(sys.executable).parent / "docketcal"
ORDERS = data_path("orders")
SECRET = "desk-test-secret-" + "d" * 40
PASSWORD = "correct horse battery staple"
CLERK, ATTORNEY, OTHER = "ada@firm.example", "ann@firm.example", "bo@firm.example"
CAED, NJD = "caed-2013-11-12", "njd-2013-07-02"


def docketcal(
    env: dict[str, str], *args: str, stdin: str = "", cwd: Path | None = None
) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [str(EXE), *args], input=stdin, capture_output=True, text=True, env=env, timeout=60,
        cwd=cwd,
    )  # fmt: skip


@dataclass
class Desk:
    """The running server, and a client that keeps cookies like a browser."""

    base: str
    port: int
    env: dict[str, str]
    db: Path
    log: Path
    proc: subprocess.Popen[bytes]
    cookies: dict[str, str] = field(default_factory=dict)
    set_cookies: list[str] = field(default_factory=list)  # the last answer's Set-Cookie headers

    def request(
        self,
        method: str,
        path: str,
        form: dict[str, str] | None = None,
        headers: dict[str, str] | None = None,
    ) -> tuple[int, dict[str, str], str]:
        conn = http.client.HTTPConnection("127.0.0.1", self.port, timeout=30)
        sent = dict(headers or {})
        if self.cookies:
            sent["Cookie"] = "; ".join(f"{k}={v}" for k, v in self.cookies.items())
        body = None
        if form is not None:
            body = urlencode(form)
            sent["Content-Type"] = "application/x-www-form-urlencoded"
        conn.request(method, path, body=body, headers=sent)
        response = conn.getresponse()
        text = response.read().decode("utf-8", "replace")
        self.set_cookies = []
        for name, value in response.getheaders():
            if name.lower() == "set-cookie":
                self.set_cookies.append(value)
                key, _, rest = value.partition("=")
                val = rest.split(";", 1)[0].strip('"')
                if "max-age=0" in value.lower() or "expires=thu, 01 jan 1970" in value.lower():
                    self.cookies.pop(key, None)
                else:
                    self.cookies[key] = val
        conn.close()
        return response.status, {k.lower(): v for k, v in response.getheaders()}, text

    def csrf(self, path: str = "/login") -> str:
        status, _, page = self.request("GET", path)
        assert status == 200, page
        m = re.search(r'name="csrf" value="([^"]+)"', page)
        assert m, page
        return m[1]

    def sign_in(self, email: str, password: str = PASSWORD) -> int:
        token = self.csrf("/login")
        status, _, _ = self.request(
            "POST", "/login", {"csrf": token, "email": email, "password": password}
        )
        return status

    def stop(self) -> None:
        if self.proc.poll() is None:
            self.proc.send_signal(signal.SIGTERM)
            self.proc.wait(timeout=20)


def make_docket(tmp_path: Path, orders: tuple[str, ...] = (CAED, NJD)) -> dict[str, str]:
    env = {
        **os.environ,
        "DOCKETCAL_DB": str(tmp_path / "docket.db"),
        "DOCKETCAL_CONFIG": str(tmp_path / "config.toml"),
        "DOCKETCAL_FEED_SECRET": SECRET,
        "DOCKETCAL_FEED_URL": "https://desk.firm.example/feeds/",
        "DOCKETCAL_USER": "setup",
    }
    steps = [
        ("order", "load", *(f"orders/{o}.toml" for o in orders)),  # the path the history shows
        ("person", "add", "--name", "Ada Clerk", "--email", CLERK, "--role", "clerk"),
        ("person", "add", "--name", "Ann Lee", "--email", ATTORNEY),
        ("person", "add", "--name", "Bo Chen", "--email", OTHER),
        ("assign", ATTORNEY, CAED),
    ]
    if NJD in orders:
        steps.append(("assign", OTHER, NJD))
    (tmp_path / "orders").mkdir(exist_ok=True)
    for o in orders:
        shutil.copyfile(ORDERS / f"{o}.toml", tmp_path / "orders" / f"{o}.toml")
    for args in steps:
        done = docketcal(env, *args, cwd=tmp_path)
        assert done.returncode == 0, done.stderr
    for email in (CLERK, ATTORNEY, OTHER):
        done = docketcal(env, "person", "password", email, stdin=PASSWORD + "\n")
        assert done.returncode == 0, done.stderr
    return env


def start(env: dict[str, str], tmp_path: Path, *extra: str) -> Desk:
    log = tmp_path / f"serve-{time.monotonic_ns()}.log"
    proc = subprocess.Popen(
        [str(EXE), "--as-of", "2013-11-20", "serve", "--port", "0", *extra],
        stdout=subprocess.DEVNULL,
        stderr=log.open("wb"),
        env=env,
    )
    deadline = time.monotonic() + 30
    while "listening on" not in log.read_text():
        assert proc.poll() is None, log.read_text()
        assert time.monotonic() < deadline, "serve did not start"
        time.sleep(0.05)
    line = next(x for x in log.read_text().splitlines() if "listening on" in x)
    port = int(line.split("127.0.0.1:")[1].split("/")[0])
    return Desk(f"http://127.0.0.1:{port}", port, env, Path(env["DOCKETCAL_DB"]), log, proc)


@pytest.fixture
def desk_env(tmp_path: Path) -> dict[str, str]:
    return make_docket(tmp_path)


@pytest.fixture
def desk(desk_env: dict[str, str], tmp_path: Path) -> Iterator[Desk]:
    server = start(desk_env, tmp_path)
    try:
        yield server
    finally:
        server.stop()
