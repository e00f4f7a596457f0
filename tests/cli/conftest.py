"""What the command tests that run real processes share: an empty docket on each database, and
an SMTP server on loopback that keeps what it receives."""

from __future__ import annotations

import asyncio
import email
import email.utils
import re
import socket
import subprocess
import threading
import uuid
from collections import Counter
from collections.abc import Iterator
from dataclasses import dataclass, field
from email.message import EmailMessage
from email.policy import default as default_policy
from pathlib import Path
from typing import Any

import pytest
from aiosmtpd.controller import Controller
from sqlalchemy import create_engine, text

from obligations.store.db import Database, upgrade


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


# -- the docket, on each database ------------------------------------------------------------------


@dataclass(frozen=True)
class Where:
    """A docket: ``url`` for the command line (with the schema in it on PostgreSQL), and the
    plain URL and schema for this process."""

    url: str
    base: str
    schema: str | None = None

    def open(self) -> Database:
        return Database(self.base, schema=self.schema)


@pytest.fixture(params=["sqlite", "postgres"])
def where(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[Where]:
    """An empty docket at the head: a SQLite file, or a PostgreSQL schema of its own (dropped
    afterwards). Without PostgreSQL the second is skipped, except under CI, where it fails."""
    if request.param == "sqlite":
        url = f"sqlite:///{tmp_path / 'docket.db'}"
        db = Database(url)
        upgrade(db.writer)
        db.dispose()
        yield Where(url, url)
        return
    base = request.getfixturevalue("postgres_url")
    schema = f"docketcal_cli_{uuid.uuid4().hex[:10]}"
    engine = create_engine(base)
    with engine.begin() as conn:
        conn.execute(text(f"CREATE SCHEMA {schema}"))
    db = Database(base, schema=schema)
    upgrade(db.writer)
    db.dispose()
    sep = "&" if "?" in base else "?"
    try:
        yield Where(f"{base}{sep}options=-csearch_path%3D{schema}", base, schema)
    finally:
        with engine.begin() as conn:
            conn.execute(text(f"DROP SCHEMA IF EXISTS {schema} CASCADE"))
        engine.dispose()


# -- the SMTP server -------------------------------------------------------------------------------


@dataclass
class Inbox:
    """What the SMTP server received. ``replies``: answers to give instead of 250, in turn;
    ``delay``: seconds to take over each message; ``gate``: answer no message before this many
    connections have sent one (so that runs overlap for certain); ``kill``: a process to kill
    (SIGKILL) once a message is stored and before the server answers 250."""

    port: int = 0
    messages: list[EmailMessage] = field(default_factory=list)
    rcpts: list[list[str]] = field(default_factory=list)
    replies: list[str] = field(default_factory=list)
    delay: float = 0.0
    kill: subprocess.Popen[bytes] | None = None
    gate: int = 0
    peers: set[Any] = field(default_factory=set)
    lock: threading.Lock = field(default_factory=threading.Lock)

    async def handle_DATA(self, server: Any, session: Any, envelope: Any) -> str:
        with self.lock:
            if self.replies:
                return self.replies.pop(0)
        msg = email.message_from_bytes(envelope.content, policy=default_policy)
        assert isinstance(msg, EmailMessage)
        with self.lock:
            self.messages.append(msg)
            self.rcpts.append(list(envelope.rcpt_tos))
            victim, self.kill = self.kill, None
        if self.delay:
            await asyncio.sleep(self.delay)
        if self.gate:
            with self.lock:
                self.peers.add(session.peer)
            waited = 0.0
            while len(self.peers) < self.gate and waited < 20:
                await asyncio.sleep(0.01)
                waited += 0.01
        if victim is not None:
            victim.kill()
            while victim.poll() is None:
                await asyncio.sleep(0.01)
        return "250 Message accepted for delivery"

    def take(self) -> list[EmailMessage]:
        """The messages received since the last take; the gate counts anew."""
        with self.lock:
            out, self.messages, self.rcpts, self.peers = list(self.messages), [], [], set()
        return out


@pytest.fixture
def inbox() -> Iterator[Inbox]:
    box = Inbox(port=free_port())
    controller = Controller(box, hostname="127.0.0.1", port=box.port)
    controller.start()
    try:
        yield box
    finally:
        controller.stop()


# -- the reminder tests' order and mail -------------------------------------------------------------

CASE = "acme-v-zenith"
#: Two dated duties (produce, due Mon 2024-04-01; respond, Wed 2024-04-03), one waiting on a
#: hearing notice, one standing; the text of the first is unsafe as HTML.
ORDER = """
[order]
id = "order-1"
case = "acme-v-zenith"
court = "njd"
entered = 2024-03-01
title = "Scheduling order"

[[obligation]]
id = "produce"
summary = "produce documents"
party = "defendant"
text = \"\"\"Defendant shall <script>alert("x")</script> produce all documents & "things".\"\"\"
cite = "¶ 3"
due = "on 2024-04-01"

[[obligation]]
id = "respond"
summary = "respond to the interrogatories"
party = "plaintiff"
text = "Plaintiff shall respond to the interrogatories."
cite = "¶ 4"
due = "on 2024-04-03"

[[obligation]]
id = "reply"
summary = "reply to the notice"
party = "defendant"
text = "Within 7 days after the hearing notice, defendant shall reply."
cite = "¶ 6"
due = "7 days after hearing-notice"

[[obligation]]
id = "confer"
summary = "keep conferring"
party = "both"
kind = "standing"
text = "The parties shall continue to meet and confer."
cite = "¶ 7"
"""


def refs(msg: EmailMessage) -> list[str]:
    """The obligations an e-mail reminds of, from its "docketcal explain REF" lines."""
    plain = msg.get_body(("plain",))
    assert plain is not None
    return re.findall(r"docketcal explain (\S+)", str(plain.get_content()))  # type: ignore[attr-defined]


def told(messages: list[EmailMessage]) -> Counter[tuple[str, str]]:
    """How many times each (recipient, obligation id) was reminded in ``messages``."""
    return Counter(
        (email.utils.parseaddr(str(m["To"]))[1], ref.rsplit("/", 1)[1])
        for m in messages
        for ref in refs(m)
    )
