"""Settings: a flag, then an environment variable, then the TOML config file, then the default.

The config file is ``config.toml`` in the user's config directory (``DOCKETCAL_CONFIG`` names
another). ``docketcal config`` shows every effective value and where it came from, with
secrets masked.
"""

from __future__ import annotations

import os
import tomllib
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import typer

from calendars.errors import BadInput

#: name -> (environment variable, default, secret, what it is)
SETTINGS: dict[str, tuple[str, str | None, bool, str]] = {
    "db": ("DOCKETCAL_DB", None, False, "the database: a SQLite file or a SQLAlchemy URL"),
    "user": ("DOCKETCAL_USER", None, False, "who records facts (default: the login name)"),
    "within": ("DOCKETCAL_WITHIN", "14d", False, "upcoming's default window"),
    "color": ("DOCKETCAL_COLOR", "auto", False, "auto, always or never"),
    "smtp_host": ("DOCKETCAL_SMTP_HOST", None, False, "the SMTP server for reminders"),
    "smtp_port": ("DOCKETCAL_SMTP_PORT", "587", False, "its port"),
    "smtp_security": ("DOCKETCAL_SMTP_SECURITY", "starttls", False, "none, starttls or tls"),
    "smtp_user": ("DOCKETCAL_SMTP_USER", None, False, "the SMTP user"),
    "smtp_password": (
        "DOCKETCAL_SMTP_PASSWORD",
        None,
        True,
        "the SMTP password (never on the command line)",
    ),
    "smtp_password_file": (
        "DOCKETCAL_SMTP_PASSWORD_FILE",
        None,
        False,
        "a file holding the SMTP password",
    ),
    "mail_from": ("DOCKETCAL_MAIL_FROM", None, False, "the From address of reminders"),
    "remind_leads": (
        "DOCKETCAL_REMIND_LEADS",
        "14,7,3,1,0",
        False,
        "reminder lead times, days before the due date (then daily while overdue)",
    ),
    # calendar feeds (docs/feeds.md)
    "feed_secret": ("DOCKETCAL_FEED_SECRET", None, True, "the secret feed tokens derive from"),
    "feed_secret_file": ("DOCKETCAL_FEED_SECRET_FILE", None, False, "a file holding it"),
    "feed_url": ("DOCKETCAL_FEED_URL", "http://127.0.0.1:8080/feeds/", False, "feed URL base"),
    "feed_done_days": ("DOCKETCAL_FEED_DONE_DAYS", "14", False, "days a done duty stays"),
    "feed_vacated_days": ("DOCKETCAL_FEED_VACATED_DAYS", "60", False, "days a vacated one stays"),
}

#: Tables the config file may hold besides the settings: ``[remind]`` (docs/reminders.md).
TABLES = ("remind",)


class ConfigError(BadInput):
    """A config file that cannot be read; names the file and what was wrong."""


@dataclass(frozen=True, slots=True)
class Setting:
    name: str
    value: str | None
    source: str  # flag | environment (VAR) | config file (path) | default
    secret: bool

    def shown(self) -> str | None:
        if self.value is None:
            return None
        return "********" if self.secret else self.value


def config_path() -> Path:
    named = os.environ.get("DOCKETCAL_CONFIG")
    if named:
        return Path(named)
    from platformdirs import user_config_dir

    return Path(user_config_dir("docketcal", appauthor=False)) / "config.toml"


def _file() -> tuple[Path, dict[str, Any]]:
    path = config_path()
    if not path.is_file():
        return path, {}
    try:
        with path.open("rb") as f:
            data = tomllib.load(f)
    except tomllib.TOMLDecodeError as exc:
        raise ConfigError(f"{path}: {exc}") from exc
    unknown = sorted(set(data) - set(SETTINGS) - set(TABLES))
    if unknown:
        raise ConfigError(
            f"{path}: unknown setting {', '.join(unknown)}; known: {', '.join(SETTINGS)}"
        )
    return path, data


def resolve(name: str, flag: str | None = None) -> Setting:
    """One setting, from the first of: the flag, the environment, the config file, the default."""
    env, default, secret, _ = SETTINGS[name]
    if flag is not None:
        return Setting(name, flag, "flag", secret)
    if os.environ.get(env):
        return Setting(name, os.environ[env], f"environment ({env})", secret)
    path, data = _file()
    if name in data:
        return Setting(name, str(data[name]), f"config file ({path})", secret)
    return Setting(name, default, "default", secret)


def table(name: str) -> tuple[Path, dict[str, Any]]:
    """A table of the config file (``[remind]``), empty when the file has none; and its path."""
    path, data = _file()
    value = data.get(name, {})
    if not isinstance(value, dict):
        raise ConfigError(f"{path}: '{name}' must be a table ([{name}])")
    return path, value


def everything(flags: dict[str, str | None]) -> list[Setting]:
    return [resolve(name, flags.get(name)) for name in SETTINGS]


def config_command(ctx: typer.Context) -> None:
    """The effective settings and where each came from (secrets masked)."""
    from cli.output import emit_json, fail, fmt

    obj = ctx.find_root().obj or {}
    try:
        settings = everything({"db": obj.get("db_flag")})
    except ConfigError as exc:
        fail(str(exc))
    if fmt(ctx) == "json":
        emit_json(
            {
                "config_file": str(config_path()),
                "settings": [
                    {"name": s.name, "value": s.shown(), "source": s.source} for s in settings
                ],
            }
        )
        return
    typer.echo(f"config file: {config_path()}")
    for s in settings:
        typer.echo(f"{s.name:<19} {s.shown() or '-':<40} {s.source}")
