"""``docketcal feed build | feed show | feed token ... | feed secret | serve``: iCalendar feeds
clerks and attorneys subscribe to (docs/feeds.md)."""

from __future__ import annotations

import contextlib
import os
import re
import sys
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any

import typer

from cli.context import who
from cli.output import NOT_FOUND, UNEXPECTED, emit_json, fail, fmt
from cli.render import clean

if TYPE_CHECKING:
    from cli.web.feeds import Publisher
    from obligations.feeds import Windows
    from obligations.store.feeds import Token

feed_app = typer.Typer(
    no_args_is_help=True, help="Calendar feeds (.ics) per case, party, person or firm."
)
token_app = typer.Typer(
    no_args_is_help=True, help="Secret feed URLs: create, list, revoke, rotate."
)

SCOPE_HELP = "case:CASE, party:CASE:PARTY, person:EMAIL or firm."


# -- settings ------------------------------------------------------------------------------------


def _secret() -> str:
    """The feed secret: feed_secret (environment or config file), else feed_secret_file, else
    the file ``feed_secret`` beside the config file, made on first need (256 random bits,
    readable by this user alone) and said where. A value set but empty is refused, not
    replaced."""
    from cli.config import resolve
    from obligations.store.feeds import check_secret

    value = resolve("feed_secret").value
    if value is None:
        path = resolve("feed_secret_file").value
        if path:
            try:
                value = Path(path).read_text(encoding="utf-8").strip()
            except OSError as exc:
                fail(f"feed_secret_file {path}: {exc.strerror or exc}")
        else:
            value = _own_secret()
    return check_secret(value)


def secret_path() -> Path:
    from cli.config import config_path

    return config_path().parent / "feed_secret"


def _own_secret() -> str:
    """The secret in the user's config folder, made (mode 0600) when there is none."""
    import os

    from obligations.store.feeds import new_secret

    path = secret_path()
    try:
        return path.read_text(encoding="utf-8").strip()
    except FileNotFoundError:
        pass
    except OSError as exc:
        fail(f"feed secret {path}: {exc.strerror or exc}")
    secret = new_secret()
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    except FileExistsError:  # another process made it first: theirs is the secret
        return path.read_text(encoding="utf-8").strip()
    except OSError as exc:
        fail(f"cannot create the feed secret {path}: {exc.strerror or exc}")
    with os.fdopen(fd, "w", encoding="utf-8") as f:
        f.write(secret + "\n")
    typer.echo(
        f"docketcal: made a feed secret in {path} (readable by you alone); feed URLs and desk"
        " sessions depend on it: keep it, and back it up with the config",
        err=True,
    )
    return secret


def _windows() -> Windows:
    from cli.config import resolve
    from obligations.feeds import Windows

    days = []
    for name in ("feed_done_days", "feed_vacated_days"):
        text = resolve(name).value or ""
        if not text.strip().isdigit() or len(text.strip()) > 6:
            fail(f"{name} '{text}': expected a number of days (0 to 999999)")
        days.append(int(text))
    return Windows(done=days[0], vacated=days[1])


def _base_url() -> str:
    from cli.config import resolve

    base = resolve("feed_url").value or "http://127.0.0.1:8080/feeds/"
    return base if base.endswith("/") else base + "/"


def _urls(token: str) -> dict[str, str]:
    from urllib.parse import quote

    url = f"{_base_url()}{token}.ics"
    webcal = re.sub(r"^https?://", "webcal://", url)
    return {
        "url": url,
        "webcal": webcal,
        "google": "https://www.google.com/calendar/render?cid=" + quote(url, safe=""),
    }


def _scope(text: str) -> Any:
    from obligations.feeds import Scope

    return Scope.parse(text)


def _checked(ctx: typer.Context, text: str) -> Any:
    from cli.agenda import reading
    from obligations.store.feeds import check_scope

    scope = _scope(text)
    with reading(ctx) as r:
        check_scope(r, scope)
    return scope


def _token_id(ctx: typer.Context, ident: str) -> Token:
    from cli.agenda import reading
    from obligations.store.feeds import find_token

    with reading(ctx) as r:
        try:
            return find_token(r, ident)
        except LookupError as exc:
            fail(str(exc), NOT_FOUND)


def _when(value: datetime | None) -> str:
    return value.astimezone().strftime("%Y-%m-%d %H:%M") if value else "-"


# -- feed build / show / secret -----------------------------------------------------------------


def build_command(
    ctx: typer.Context,
    out: Annotated[
        Path, typer.Option("--out", help="The directory the web server serves /feeds/ from.")
    ],
) -> None:
    """Write every subscribed feed to OUT/<token>.ics, for a web server.

    Each file is written atomically; unchanged files are left alone; files of revoked tokens
    are removed."""
    from cli.agenda import reading
    from cli.context import today as _today
    from obligations.store.feeds import build

    secret, windows, as_of = _secret(), _windows(), _today(ctx)
    with reading(ctx) as r:
        try:
            result = build(r, out, secret, as_of, windows)
        except OSError as exc:
            fail(f"{out}: {exc.strerror or exc}")
    for w in result.warnings:
        typer.echo(f"docketcal: warning: {w}", err=True)
    if fmt(ctx) == "json":
        emit_json({"out": str(out), **result.to_json()})
    else:
        typer.echo(
            f"{out}: {len(result.written)} written, {len(result.unchanged)} unchanged,"
            f" {len(result.removed)} removed ({len(result.feeds)} feeds)",
            err=True,
        )
    if not result.written and not result.unchanged:
        fail("no live feed token: create one with 'docketcal feed token create'", NOT_FOUND)


def show_command(
    ctx: typer.Context,
    scope: Annotated[str, typer.Argument(help=SCOPE_HELP)],
) -> None:
    """Print one feed (the .ics) to standard output: what its subscribers get."""
    from cli.agenda import reading
    from cli.context import today as _today
    from obligations.store.feeds import check_scope, render

    parsed = _scope(scope)
    windows, as_of = _windows(), _today(ctx)
    with reading(ctx) as r:
        check_scope(r, parsed)
        rendered = render(r, parsed, as_of, windows)
    for w in rendered.warnings:
        typer.echo(f"docketcal: warning: {w}", err=True)
    sys.stdout.buffer.write(rendered.data)
    sys.stdout.flush()


def secret_command() -> None:
    """Print a new random feed secret (256 bits), for DOCKETCAL_FEED_SECRET.

    Changing the secret stops 'feed build' writing the existing URLs: rotate them after."""
    from obligations.store.feeds import new_secret

    typer.echo(new_secret())


# -- feed token ----------------------------------------------------------------------------------


def token_create(
    ctx: typer.Context,
    scope: Annotated[str, typer.Option("--scope", help=SCOPE_HELP)],
    label: Annotated[str, typer.Option("--label", help="Whose subscription, for the list.")] = "",
) -> None:
    """A new secret feed URL for SCOPE, printed once: only a hash of it is kept."""
    from cli.docket import docket
    from obligations.store.feeds import Tokens

    secret = _secret()
    parsed = _checked(ctx, scope)
    with docket(ctx) as d:
        row, token = Tokens(d.db, who()).create(parsed, secret, label=label)
    _show_new(ctx, row, token, "created")


def _show_new(ctx: typer.Context, row: Token, token: str, what: str) -> None:
    urls = _urls(token)
    if fmt(ctx) == "json":
        emit_json({"id": row.id, "scope": row.scope, "label": row.label, **urls})
        return
    typer.echo(f"feed token {row.id} {what} for {row.scope}; the URL is shown only now:", err=True)
    typer.echo(urls["url"])
    typer.echo(f"  Apple Calendar, Outlook desktop: {urls['webcal']}", err=True)
    typer.echo(f"  Google Calendar: {urls['google']}", err=True)


def token_list(ctx: typer.Context) -> None:
    """Every feed token: scope, creation, revocation, last fetch and user agent."""
    from cli.agenda import reading
    from obligations.store.feeds import tokens

    with reading(ctx) as r:
        rows = tokens(r)
    now = datetime.now(UTC)
    if fmt(ctx) == "json":
        emit_json([t.to_json(now) for t in rows])
    else:
        for t in clean(rows):
            if t.revoked_at is None:
                status = "live"
            elif t.live(now):
                status = f"live until {_when(t.revoked_at)}"
            else:
                status = f"revoked {_when(t.revoked_at)}"
            if t.replaced_by:
                status += f" (replaced by {t.replaced_by})"
            label = f" ({t.label})" if t.label else ""
            typer.echo(
                f"{t.id:>4}  {t.scope}{label}  created {_when(t.created_at)} by {t.created_by or '-'}"
                f"  {status}  last fetch {_when(t.last_fetch_at)}"
                f" ({t.fetches} fetches) {t.last_user_agent or ''}".rstrip()
            )
    if not rows:
        fail("no feed tokens: create one with 'docketcal feed token create'", NOT_FOUND)


def token_revoke(
    ctx: typer.Context,
    ident: Annotated[str, typer.Argument(help="The token's id ('feed token list'), or its URL.")],
    out: Annotated[
        Path | None,
        typer.Option("--out", help="Also remove its file from this feed directory now."),
    ] = None,
) -> None:
    """Revoke a feed URL: it answers 404 from now on.

    'serve' answers 404 at once; 'feed build' removes its file (or --out DIR now)."""
    from cli.docket import docket
    from obligations.store.feeds import TOKEN_SHAPE, Tokens, derive_token

    found = _token_id(ctx, ident)
    path = None
    if out is not None:  # the file's name first: bad input never writes anything
        tail = ident.strip().rstrip("/").rsplit("/", 1)[-1].removesuffix(".ics")
        if not TOKEN_SHAPE.fullmatch(tail):
            tail = derive_token(_secret(), found.id, found.created_at)
        path = out / f"{tail}.ics"
    with docket(ctx) as d:
        row = Tokens(d.db, who()).revoke(found.id)
    removed = None
    if path is not None and path.exists():
        path.unlink()
        removed = str(path)
    if fmt(ctx) == "json":
        emit_json({**row.to_json(datetime.now(UTC)), "removed": removed})
        return
    typer.echo(f"feed token {row.id} ({row.scope}) revoked at {_when(row.revoked_at)}", err=True)
    if removed:
        typer.echo(f"removed {removed}", err=True)


def token_rotate(
    ctx: typer.Context,
    ident: Annotated[str, typer.Argument(help="The token's id ('feed token list'), or its URL.")],
    grace: Annotated[
        int,
        typer.Option(
            "--grace", min=0, max=3660, help="Days the old URL keeps working (default 0)."
        ),
    ] = 0,
) -> None:
    """A new URL for the same scope; the old one stops (after --grace days)."""
    from cli.docket import docket
    from obligations.store.feeds import Tokens

    secret = _secret()
    found = _token_id(ctx, ident)
    with docket(ctx) as d:
        row, token = Tokens(d.db, who()).rotate(found.id, secret, grace=timedelta(days=grace))
    _show_new(ctx, row, token, f"replaces {found.id}")


# -- serve ---------------------------------------------------------------------------------------


def serve_command(
    ctx: typer.Context,
    host: Annotated[str, typer.Option("--host", help="The address to listen on.")] = "127.0.0.1",
    port: Annotated[
        int, typer.Option("--port", min=0, max=65535, help="The port (0: any free one).")
    ] = 8080,
    quiet: Annotated[bool, typer.Option("--quiet", help="Do not log each request.")] = False,
    trust_header: Annotated[
        str | None,
        typer.Option(
            "--trust-header",
            help="Take the signed-in person's e-mail from this request header, set by a single"
            " sign-on proxy in front (off by default; anyone who can reach the server without"
            " the proxy can then be anyone: docs/desk.md).",
        ),
    ] = None,
    workers: Annotated[
        int,
        typer.Option(
            "--workers",
            min=1,
            max=64,
            help="Processes answering on the one port, each with its own connections to the"
            " database (one per core is a good start; sessions and throttling are in the"
            " database, so any process answers any browser).",
        ),
    ] = 1,
) -> None:
    """Serve the desk (sign in at /login) and the feeds at /feeds/<token>.ics over HTTP (put
    HTTPS in front of it)."""
    from cli.context import today as _today
    from cli.web.feeds import Publisher
    from obligations.store.db import Database, ready
    from obligations.store.errors import StoreNotReady
    from obligations.store.feeds import Tokens
    from obligations.store.location import resolve_url
    from obligations.store.read import Reader, ReadError

    obj = ctx.find_root().obj or {}
    url = resolve_url(obj.get("db"))
    try:
        Reader(url).close()
    except ReadError as exc:
        fail(str(exc))
    db = Database(url)
    try:
        ready(db.engine)
    except StoreNotReady as exc:
        db.dispose()
        fail(str(exc))
    as_of = _today(ctx) if obj.get("as_of") else None
    if trust_header is not None and not re.fullmatch(r"[A-Za-z0-9-]{1,100}", trust_header):
        db.dispose()
        fail(f"--trust-header {trust_header!r}: expected a header name (letters, digits, -)")
    secret = _secret()

    def log(message: str) -> None:
        sys.stderr.write(f"docketcal serve: {message}\n")
        sys.stderr.flush()

    if workers > 1 and not hasattr(os, "fork"):
        db.dispose()
        fail("--workers: this system cannot start worker processes; run one serve per port")
    windows, feed_url = _windows(), _base_url()
    try:
        sock = _listen(host, port)
    except OSError as exc:
        db.dispose()
        fail(f"cannot listen on {host}:{port}: {exc.strerror or exc}", UNEXPECTED)
    bound = sock.getsockname()[1]
    listening = (
        f"listening on http://{host}:{bound}/feeds/<token>.ics; the desk at"
        f" http://{host}:{bound}/login"
    )

    def serve(database: Database, started: Callable[[], None]) -> None:
        publisher = Publisher(
            url,
            windows=windows,
            as_of=as_of,
            record=Tokens(database, "serve").record_fetches,
            log=log,
            db=database,
        )
        _run(
            sock,
            publisher,
            db=database,
            secret=secret,
            feed_url=feed_url,
            trust_header=trust_header,
            log=log,
            quiet=quiet,
            started=started,
        )

    try:
        if workers == 1:
            serve(db, lambda: log(listening))
        else:
            db.dispose()  # each worker opens its own connections

            def worker(started: Callable[[], None]) -> None:
                own = Database(url)
                try:
                    serve(own, started)
                finally:
                    own.dispose()

            if not _workers(workers, worker, log, listening):
                fail("a worker process could not start (its error is above)", UNEXPECTED)
    finally:
        sock.close()
        db.dispose()
        log("stopped")


def _workers(
    count: int,
    serve: Callable[[Callable[[], None]], None],
    log: Callable[[str], None],
    listening: str,
) -> bool:
    """``count`` worker processes answering on the listening socket (the kernel hands each
    new connection to one of them); one that dies after it was ready is started again, one
    that dies before stops them all (it could not start: the others would not either).
    SIGTERM or SIGINT stops them all. "listening" is logged once every worker is ready.
    False when a worker could not start."""
    import select
    import signal

    ready_r, ready_w = os.pipe()
    children: dict[int, bool] = {}  # pid: ready
    stopping = failed = False

    def started() -> None:
        os.write(ready_w, f"{os.getpid()}\n".encode())  # one write under PIPE_BUF: atomic

    def start() -> None:
        pid = os.fork()
        if pid == 0:  # the worker: serves until SIGTERM, then leaves without the parent's exit
            code = 0
            try:
                os.close(ready_r)
                signal.signal(signal.SIGTERM, signal.SIG_DFL)
                signal.signal(signal.SIGINT, signal.SIG_DFL)
                serve(started)
            except BaseException as exc:
                if not isinstance(exc, KeyboardInterrupt | SystemExit):
                    log(f"worker {os.getpid()} failed: {exc!r}")
                    code = 1
            finally:
                sys.stderr.flush()
                os._exit(code)
        children[pid] = False

    def stop(_signum: int, _frame: Any) -> None:
        nonlocal stopping
        stopping = True
        for pid in list(children):
            with contextlib.suppress(ProcessLookupError):
                os.kill(pid, signal.SIGTERM)

    def reap() -> None:
        nonlocal failed
        while children:
            try:
                pid, status = os.waitpid(-1, os.WNOHANG)
            except ChildProcessError:
                children.clear()
                return
            if pid == 0:
                return
            was_ready = children.pop(pid, None)
            if was_ready is None or stopping:
                continue
            code = os.waitstatus_to_exitcode(status)
            if was_ready:
                log(f"worker {pid} ended (exit {code}): starting another")
                start()
            else:
                log(f"worker {pid} could not start (exit {code}): stopping")
                failed = True
                stop(signal.SIGTERM, None)

    for _ in range(count):
        start()
    old_term = signal.signal(signal.SIGTERM, stop)
    old_int = signal.signal(signal.SIGINT, stop)
    try:
        announced, pending = False, b""
        while children:
            if select.select([ready_r], [], [], 0.5)[0]:
                *lines, pending = (pending + os.read(ready_r, 4096)).split(b"\n")
                for line in lines:
                    if int(line) in children:
                        children[int(line)] = True
            if not announced and not stopping and children and all(children.values()):
                log(f"{listening} ({count} worker processes)")
                announced = True
            reap()
    finally:
        signal.signal(signal.SIGTERM, old_term)
        signal.signal(signal.SIGINT, old_int)
        os.close(ready_r)
        os.close(ready_w)
    return not failed


def _listen(host: str, port: int) -> Any:
    """A listening TCP socket made with the protocol named (IPPROTO_TCP), so asyncio sets
    TCP_NODELAY on each connection: a response's headers and body then leave at once instead
    of 40 ms apart (the client's delayed ACK)."""
    import socket

    family, kind, proto, _, address = socket.getaddrinfo(
        host, port, type=socket.SOCK_STREAM, proto=socket.IPPROTO_TCP
    )[0]
    sock = socket.socket(family, kind, proto)
    try:
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        sock.bind(address)
        sock.listen(2048)
    except OSError:
        sock.close()
        raise
    return sock


def _run(
    sock: Any,
    publisher: Publisher,
    *,
    db: Any,
    secret: str,
    feed_url: str,
    trust_header: str | None,
    log: Any,
    quiet: bool,
    started: Any,
) -> None:
    """uvicorn on ``sock`` until SIGINT or SIGTERM (the web stack is imported only here)."""
    import uvicorn

    from cli.web.app import create_app
    from cli.web.desk import DeskPages

    desk = DeskPages(publisher, db, secret, feed_url=feed_url, trust_header=trust_header, log=log)
    if trust_header:
        log(f"trusting the {trust_header} header for who is signed in (docs/desk.md)")
    config = uvicorn.Config(
        create_app(publisher, log=log, quiet=quiet, desk=desk, started=started),
        log_level="warning",
        access_log=False,
        server_header=False,
        date_header=False,  # the application sends its own (cli.web.app.AccessLog)
        lifespan="on",
        timeout_graceful_shutdown=10,
    )
    uvicorn.Server(config).run(sockets=[sock])


def register(app: typer.Typer) -> None:
    """Add the feed commands to the command line."""
    feed_app.command("build", epilog="Example:  docketcal feed build --out /srv/feeds")(
        build_command
    )
    feed_app.command("show", epilog="Example:  docketcal feed show case:caed-2013-11-12")(
        show_command
    )
    feed_app.command("secret", epilog="Example:  docketcal feed secret")(secret_command)
    token_app.command(
        "create", epilog="Example:  docketcal feed token create --scope person:ann@firm.example"
    )(token_create)
    token_app.command("list", epilog="Example:  docketcal feed token list")(token_list)
    token_app.command("revoke", epilog="Example:  docketcal feed token revoke 3")(token_revoke)
    token_app.command("rotate", epilog="Example:  docketcal feed token rotate 3 --grace 7")(
        token_rotate
    )
    feed_app.add_typer(token_app, name="token")
    app.add_typer(feed_app, name="feed")
    app.command("serve", epilog="Example:  docketcal serve --port 8080")(serve_command)
