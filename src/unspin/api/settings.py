"""Server settings: a table of (name, environment variable, default, help).

Every setting is read from its ``UNSPIN_*`` environment variable; ``unspin serve`` options
override some of them. ``docs/api.md`` documents each one (a test checks that it does).

>>> s = Settings.from_env({"UNSPIN_MAX_BODY": "1000"})
>>> s.max_body, s.token
(1000, None)
"""

from __future__ import annotations

import dataclasses
import os
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any

from unspin.errors import UnspinError


class SettingsError(UnspinError):
    """An ``UNSPIN_*`` environment variable has a value the server cannot use."""

    code = "bad_setting"


@dataclass(frozen=True)
class Setting:
    name: str  # attribute of Settings
    env: str  # environment variable
    default: Any
    help: str


SETTINGS: tuple[Setting, ...] = (
    Setting(
        "token",
        "UNSPIN_API_TOKEN",
        None,
        "Bearer token. When set, every API call must send `Authorization: Bearer <token>` "
        "and the web UI asks for it once (login form, HttpOnly cookie).",
    ),
    Setting(
        "max_body",
        "UNSPIN_MAX_BODY",
        2_000_000,
        "Largest request body in bytes; a larger one is answered 413 before it is read.",
    ),
    Setting(
        "timeout",
        "UNSPIN_TIMEOUT",
        30.0,
        "Seconds one analysis request may take; past that it is answered 504.",
    ),
    Setting(
        "max_batch",
        "UNSPIN_MAX_BATCH",
        32,
        "Most articles in one `POST /v1/analyze/batch` request.",
    ),
    Setting(
        "db",
        "UNSPIN_DB",
        "sqlite:///unspin.db",
        "Store for analyses and permalinks (a SQLAlchemy URL or a SQLite file path; "
        "`postgresql://...` with the postgres extra).",
    ),
    Setting(
        "store",
        "UNSPIN_STORE",
        True,
        "Save every analysis in the store and return its permalink (`0` turns this off; "
        "`GET /v1/analyses/{id}` then answers 404).",
    ),
    Setting(
        "max_concurrency",
        "UNSPIN_MAX_CONCURRENCY",
        16,
        "Most analysis requests admitted at once (running or waiting for a worker); "
        "beyond that the server answers 503 with Retry-After at once instead of queueing.",
    ),
    Setting("workers", "UNSPIN_WORKERS", 2, "Threads that run analyses (off the event loop)."),
    Setting(
        "model",
        "UNSPIN_MODEL",
        "default",
        "Technique model: `default`, a model directory, or `none` for no technique model.",
    ),
    Setting(
        "narratives",
        "UNSPIN_NARRATIVES",
        False,
        "Add the narrative and claim-matching layer (`1`): narrative labels with evidence, and "
        "fragments resembling known claims from the installed catalogues. Slower.",
    ),
)


def _parse_bool(raw: str) -> bool:
    v = raw.strip().lower()
    if v in ("1", "true", "yes", "on"):
        return True
    if v in ("0", "false", "no", "off", ""):
        return False
    raise ValueError(raw)


def _positive(kind: Callable[[str], Any]) -> Callable[[str], Any]:
    def parse(raw: str) -> Any:
        value = kind(raw.strip().replace("_", ""))
        if value <= 0:
            raise ValueError(raw)
        return value

    return parse


_PARSERS: dict[str, Callable[[str], Any]] = {
    "token": lambda raw: raw or None,
    "max_body": _positive(int),
    "timeout": _positive(float),
    "max_batch": _positive(int),
    "db": str,
    "store": _parse_bool,
    "max_concurrency": _positive(int),
    "workers": _positive(int),
    "model": str,
    "narratives": _parse_bool,
}


@dataclass(frozen=True)
class Settings:
    """The server's settings (see :data:`SETTINGS` for what each one means)."""

    token: str | None = None
    max_body: int = 2_000_000
    timeout: float = 30.0
    max_batch: int = 32
    db: str = "sqlite:///unspin.db"
    store: bool = True
    max_concurrency: int = 16
    workers: int = 2
    model: str = "default"
    narratives: bool = False

    def __repr__(self) -> str:  # never print the token
        fields = {f.name: getattr(self, f.name) for f in dataclasses.fields(self)}
        if fields["token"]:
            fields["token"] = "***"
        return "Settings(" + ", ".join(f"{k}={v!r}" for k, v in fields.items()) + ")"

    @classmethod
    def from_env(cls, environ: Mapping[str, str] | None = None, **overrides: Any) -> Settings:
        """Settings from ``UNSPIN_*`` variables (``os.environ`` by default), then ``overrides``
        (``None`` values are ignored)."""
        environ = os.environ if environ is None else environ
        values: dict[str, Any] = {}
        for s in SETTINGS:
            if s.env not in environ:
                continue
            raw = environ[s.env]
            try:
                values[s.name] = _PARSERS[s.name](raw)
            except ValueError:
                kind = "1 or 0" if s.name in ("store", "narratives") else "a positive number"
                raise SettingsError(
                    f"{s.env} has an unusable value", expected=kind, found=repr(raw)
                ) from None
        values.update({k: v for k, v in overrides.items() if v is not None})
        return cls(**values)

    def replace(self, **changes: Any) -> Settings:
        return dataclasses.replace(self, **changes)
