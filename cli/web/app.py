"""The web application of ``docketcal serve``: the feeds (``/feeds/<token>.ics``) and the desk,
one ASGI application (Starlette) run by uvicorn.

The feeds answer as they always have (``cli.web.feeds.Publisher``: tokens, ETag and
Last-Modified from the shared stamps, 304, the same 404 for an unknown or revoked token). The
access log cuts every feed token to its first four characters."""

from __future__ import annotations

import email.utils
import re
import sys
import time
from collections.abc import AsyncIterator, Awaitable, Callable, MutableMapping
from contextlib import asynccontextmanager
from typing import Any, Protocol

from starlette.applications import Starlette
from starlette.concurrency import run_in_threadpool
from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import BaseRoute, Route

from cli.web.feeds import NOT_FOUND, Publisher
from cli.web.feeds import Response as FeedResponse

Scope = MutableMapping[str, Any]
Message = MutableMapping[str, Any]
Receive = Callable[[], Awaitable[Message]]
Send = Callable[[Message], Awaitable[None]]
ASGIApp = Callable[[Scope, Receive, Send], Awaitable[None]]


class Desk(Protocol):
    """The desk's pages (``cli.web.desk``), mounted beside the feeds."""

    def routes(self) -> list[BaseRoute]: ...

    def close(self) -> None: ...


_TOKEN_IN_PATH = re.compile(r"(/feeds/[^/\s]{4})[^/\s]*?\.ics")

TRY_LATER = FeedResponse(
    503,
    (("Content-Type", "text/plain; charset=utf-8"), ("Content-Length", "12"),
     ("Cache-Control", "no-store"), ("Retry-After", "60")),
    b"try later.\r\n",
)  # fmt: skip


def redact(message: str) -> str:
    """A log line with each feed token cut to its first four characters."""
    return _TOKEN_IN_PATH.sub(r"\1….ics", message)


def _http(response: FeedResponse) -> Response:
    """A publisher's answer as it is, headers in its order (Content-Length its own: a HEAD
    gives the GET's length without the body, which uvicorn leaves out)."""
    out = Response(content=response.body, status_code=response.status)
    out.raw_headers = [(k.encode(), v.encode()) for k, v in response.headers]
    return out


class AccessLog:
    """The ``Date`` header on every answer, ``Server-Timing`` on the desk's (the time from the
    request to the answer's headers: bench/desk.py reads it; the feeds' answers stay as they
    were, alike for every unknown or revoked token), and one log line per request with the
    tokens cut (none when ``write`` is None)."""

    def __init__(self, app: ASGIApp, write: Callable[[str], None] | None) -> None:
        self.app = app
        self.write = write

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        status = 0
        began = time.perf_counter()
        timed = not scope["path"].startswith("/feeds/")

        async def sending(message: Message) -> None:
            nonlocal status
            if message["type"] == "http.response.start":
                status = int(message["status"])
                date = email.utils.formatdate(usegmt=True).encode()
                extra = [(b"Date", date)]
                if timed:
                    took = (time.perf_counter() - began) * 1000
                    extra.append((b"Server-Timing", f"app;dur={took:.1f}".encode()))
                message["headers"] = [*message.get("headers", ()), *extra]
            await send(message)

        try:
            await self.app(scope, receive, sending)
        finally:
            if self.write is not None:
                self._log(scope, status)

    def _log(self, scope: Scope, status: int) -> None:
        if self.write is not None:
            client = (scope.get("client") or ("-", 0))[0]
            raw = scope.get("raw_path") or scope["path"].encode()
            target = raw.decode("latin-1")
            if scope.get("query_string"):
                target += "?" + scope["query_string"].decode("latin-1")
            line = f'{client} "{scope["method"]} {target} HTTP/{scope["http_version"]}" {status}'
            self.write(redact(re.sub(r"[\x00-\x1f\x7f]", "?", line)))


def create_app(
    publisher: Publisher,
    *,
    log: Callable[[str], None],
    quiet: bool = False,
    desk: Desk | None = None,
    started: Callable[[], None] | None = None,
) -> ASGIApp:
    """The application: the feeds, and the desk's pages when ``desk`` is given.
    ``started`` runs once the application is ready (the serve command says where it listens)."""

    async def feed(request: Request) -> Response:
        headers = {k.lower(): v for k, v in request.headers.items()}
        path = request.scope.get("raw_path", b"").decode("latin-1") or request.url.path
        try:
            answer = await run_in_threadpool(publisher.answer, path, headers)
        except Exception as exc:
            log(f"error answering {redact(path)}: {exc!r}")
            answer = TRY_LATER
        return _http(answer)

    @asynccontextmanager
    async def lifespan(_app: Starlette) -> AsyncIterator[None]:
        if started is not None:
            started()
        try:
            yield
        finally:
            await run_in_threadpool(publisher.close)
            if desk is not None:
                desk.close()

    routes: list[BaseRoute] = [Route("/feeds/{rest:path}", feed, methods=["GET", "HEAD"])]
    if desk is not None:
        routes += desk.routes()
    app = Starlette(routes=routes, lifespan=lifespan)
    app.add_exception_handler(404, lambda request, exc: _http(NOT_FOUND))
    app.add_exception_handler(405, lambda request, exc: _http(NOT_FOUND))

    def write(line: str) -> None:
        sys.stderr.write(line + "\n")
        sys.stderr.flush()

    return AccessLog(app, None if quiet else write)
