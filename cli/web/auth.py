"""Passwords and cookies of the desk: argon2 hashes (argon2-cffi's defaults, RFC 9106's
second recommended setting), and cookie values signed with a key derived from the feed secret
(HMAC-SHA256), so a cookie cannot be forged or altered without the secret."""

from __future__ import annotations

import base64
import contextlib
import hashlib
import hmac

from calendars.errors import BadInput

#: Shorter passwords are refused by ``docketcal person password``.
MIN_PASSWORD = 12
MAX_PASSWORD = 1000

_hasher = None


def _ph() -> object:
    global _hasher
    if _hasher is None:
        from argon2 import PasswordHasher

        _hasher = PasswordHasher()
    return _hasher


def check_password(password: str) -> str:
    """A new password, refused when too short, too long or a run of one character."""
    if len(password) < MIN_PASSWORD:
        raise BadInput(f"the password has {len(password)} characters: at least {MIN_PASSWORD}")
    if len(password) > MAX_PASSWORD:
        raise BadInput(f"the password has {len(password)} characters: at most {MAX_PASSWORD}")
    if len(set(password)) < 4:
        raise BadInput("the password repeats a few characters: choose another")
    if "\x00" in password:
        raise BadInput("the password holds a NUL")
    return password


def hash_password(password: str) -> str:
    from argon2 import PasswordHasher

    ph = _ph()
    assert isinstance(ph, PasswordHasher)
    return ph.hash(check_password(password))


#: Verified against when there is no person or no password, so an unknown e-mail costs the
#: same time as a wrong password.
_DUMMY: list[str] = []


def verify_password(stored: str | None, password: str) -> bool:
    from argon2 import PasswordHasher
    from argon2.exceptions import InvalidHashError, VerificationError

    ph = _ph()
    assert isinstance(ph, PasswordHasher)
    if stored is None:
        if not _DUMMY:
            _DUMMY.append(ph.hash("docketcal: no such person's password"))
        stored, password = _DUMMY[0], password + "\x00"
        with contextlib.suppress(VerificationError, InvalidHashError):
            ph.verify(stored, password)
        return False
    try:
        return bool(ph.verify(stored, password[:MAX_PASSWORD]))
    except (VerificationError, InvalidHashError):
        return False


class Signer:
    """Signs and checks cookie values: ``value.signature``."""

    def __init__(self, secret: str) -> None:
        self.key = hmac.new(secret.encode(), b"docketcal desk cookies v1", hashlib.sha256).digest()

    def _mac(self, value: str) -> str:
        mac = hmac.new(self.key, value.encode(), hashlib.sha256).digest()
        return base64.urlsafe_b64encode(mac).rstrip(b"=").decode()

    def sign(self, value: str) -> str:
        return f"{value}.{self._mac(value)}"

    def unsign(self, signed: str | None) -> str | None:
        if not signed or "." not in signed or len(signed) > 200:
            return None
        value, _, mac = signed.rpartition(".")
        return value if hmac.compare_digest(mac.encode(), self._mac(value).encode()) else None
