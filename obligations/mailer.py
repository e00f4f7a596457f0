"""Sending e-mail with ``smtplib``: one connection per run, reused, opened again when it drops.

Security is ``none`` (plain SMTP: a relay on localhost), ``starttls`` (port 587: upgrade, then
log in) or ``tls`` (port 465: TLS from the first byte). The certificate is checked against the
system's trust store (``SSL_CERT_FILE`` names another). The password comes from the settings
(environment or config file, or a file): never from the command line, never in a message.
"""

from __future__ import annotations

import smtplib
import socket
import ssl
from dataclasses import dataclass, field
from email.utils import make_msgid, parseaddr
from pathlib import Path
from typing import TYPE_CHECKING

from calendars.errors import BadInput, DocketcalError

if TYPE_CHECKING:
    from obligations.reminders import Outgoing

SECURITY = ("none", "starttls", "tls")


class MailSettingsError(BadInput):
    """The mail settings cannot work as given; says which setting and why."""


class SendError(DocketcalError):
    """A message was not sent. ``maybe_delivered``: the connection broke after the message
    was handed over, so the server may have it (a retry must reuse its Message-ID);
    ``connection``: no connection could be made (nothing else will get through either)."""

    def __init__(self, message: str, *, maybe_delivered: bool, connection: bool = False) -> None:
        super().__init__(message)
        self.maybe_delivered = maybe_delivered
        self.connection = connection


@dataclass(frozen=True, slots=True)
class SmtpSettings:
    host: str
    port: int
    security: str
    sender: str
    user: str | None = None
    password: str | None = field(default=None, repr=False)
    timeout: float = 30.0

    def __post_init__(self) -> None:
        if self.security not in SECURITY:
            raise MailSettingsError(
                f"smtp_security '{self.security}': expected one of {', '.join(SECURITY)}"
            )
        if not 0 < self.port < 65536:
            raise MailSettingsError(f"smtp_port {self.port}: not a port number")
        if "@" not in parseaddr(self.sender)[1]:
            raise MailSettingsError(f"mail_from '{self.sender}' is not an e-mail address")
        if self.user and self.password is None:
            raise MailSettingsError(
                "smtp_user is set but no password: set DOCKETCAL_SMTP_PASSWORD or"
                " DOCKETCAL_SMTP_PASSWORD_FILE (or smtp_password_file in the config file)"
            )

    @property
    def domain(self) -> str:
        return parseaddr(self.sender)[1].rsplit("@", 1)[1]

    def message_id(self) -> str:
        """A new, globally unique Message-ID in the sender's domain."""
        return make_msgid(idstring="docketcal", domain=self.domain)


def read_password_file(path: str) -> str:
    """The password in a file (its first line, without the line end)."""
    try:
        text = Path(path).expanduser().read_text(encoding="utf-8")
    except OSError as exc:
        raise MailSettingsError(
            f"smtp_password_file '{path}': {exc.strerror or exc.__class__.__name__}"
        ) from exc
    lines = text.splitlines()
    if not lines or not lines[0]:
        raise MailSettingsError(f"smtp_password_file '{path}' is empty")
    return lines[0]


class Mailer:
    """Sends messages over one SMTP connection, opened on first use."""

    def __init__(self, settings: SmtpSettings) -> None:
        self.settings = settings
        self._smtp: smtplib.SMTP | None = None
        #: the error of a failed connection: later sends in this run fail at once with it
        self.broken: SendError | None = None

    def __enter__(self) -> Mailer:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def _connect(self) -> smtplib.SMTP:
        s = self.settings
        try:
            smtp: smtplib.SMTP
            if s.security == "tls":
                smtp = smtplib.SMTP_SSL(
                    s.host, s.port, timeout=s.timeout, context=ssl.create_default_context()
                )
            else:
                smtp = smtplib.SMTP(s.host, s.port, timeout=s.timeout)
            try:
                smtp.ehlo()
                if s.security == "starttls":
                    smtp.starttls(context=ssl.create_default_context())
                    smtp.ehlo()
                if s.user:
                    smtp.login(s.user, s.password or "")
            except BaseException:
                smtp.close()
                raise
        except smtplib.SMTPAuthenticationError as exc:
            raise SendError(
                f"SMTP login to {s.host}:{s.port} as {s.user} refused: {_reply(exc)}",
                maybe_delivered=False,
                connection=True,
            ) from exc
        except (OSError, smtplib.SMTPException) as exc:
            raise SendError(
                f"cannot connect to SMTP server {s.host}:{s.port} ({s.security}): {_reason(exc)}",
                maybe_delivered=False,
                connection=True,
            ) from exc
        return smtp

    def send(self, msg: Outgoing) -> None:
        """Send one message, or raise ``SendError`` saying whether the server may have it."""
        if self.broken is not None:
            raise self.broken
        fresh = self._smtp is None
        if self._smtp is None:
            self._smtp = self._open()
        try:
            refused = self._smtp.sendmail(msg.sender, [msg.recipient], msg.data)
        except smtplib.SMTPServerDisconnected as exc:
            self._drop()
            if not fresh:  # a reused connection the server had closed: one new try
                self._smtp = self._open()
                return self._send_once(msg)
            raise SendError(f"SMTP connection lost: {_reason(exc)}", maybe_delivered=True) from exc
        except (smtplib.SMTPRecipientsRefused, smtplib.SMTPSenderRefused) as exc:
            self._reset()
            raise SendError(
                f"refused by the SMTP server: {_reply(exc)}", maybe_delivered=False
            ) from exc
        except smtplib.SMTPResponseException as exc:
            self._reset()
            raise SendError(f"SMTP error: {_reply(exc)}", maybe_delivered=False) from exc
        except (OSError, smtplib.SMTPException) as exc:
            self._drop()
            raise SendError(f"SMTP failure: {_reason(exc)}", maybe_delivered=True) from exc
        if refused:
            raise SendError(f"refused by the SMTP server: {refused}", maybe_delivered=False)
        return None

    def _open(self) -> smtplib.SMTP:
        try:
            return self._connect()
        except SendError as exc:
            self.broken = exc
            raise

    def _send_once(self, msg: Outgoing) -> None:
        assert self._smtp is not None
        try:
            self._smtp.sendmail(msg.sender, [msg.recipient], msg.data)
        except smtplib.SMTPResponseException as exc:
            self._reset()
            raise SendError(f"SMTP error: {_reply(exc)}", maybe_delivered=False) from exc
        except (OSError, smtplib.SMTPException) as exc:
            self._drop()
            raise SendError(f"SMTP failure: {_reason(exc)}", maybe_delivered=True) from exc

    def _reset(self) -> None:
        if self._smtp is not None:
            try:
                self._smtp.rset()
            except (OSError, smtplib.SMTPException):
                self._drop()

    def _drop(self) -> None:
        if self._smtp is not None:
            try:
                self._smtp.close()
            finally:
                self._smtp = None

    def close(self) -> None:
        if self._smtp is not None:
            try:
                self._smtp.quit()
            except (OSError, smtplib.SMTPException):
                pass
            finally:
                self._drop()


def _reply(exc: smtplib.SMTPException) -> str:
    code = getattr(exc, "smtp_code", None)
    raw = getattr(exc, "smtp_error", b"")
    words = raw.decode("utf-8", "replace") if isinstance(raw, bytes) else str(raw)
    if isinstance(exc, smtplib.SMTPRecipientsRefused):
        return "; ".join(
            f"{who}: {c} {m.decode('utf-8', 'replace') if isinstance(m, bytes) else m}"
            for who, (c, m) in exc.recipients.items()
        )
    return f"{code} {words}".strip() if code else (words or str(exc))


def _reason(exc: BaseException) -> str:
    if isinstance(exc, socket.timeout | TimeoutError):
        return "timed out"
    return str(exc) or exc.__class__.__name__
