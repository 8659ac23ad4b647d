"""The REST API and web UI (``unspin serve``; needs the ``api`` extra).

>>> from unspin.api import create_app, Settings
>>> from unspin.pipeline import Analyzer
>>> app = create_app(Analyzer(model=None), Settings(store=False))

See ``docs/api.md`` for the endpoints, the error body and the settings.
"""

from __future__ import annotations

from unspin.errors import require

require("fastapi", feature="the web app and REST API", extra="api")

from unspin.api.app import create_app  # noqa: E402
from unspin.api.errors import ApiError  # noqa: E402
from unspin.api.settings import SETTINGS, Settings, SettingsError  # noqa: E402

__all__ = ["SETTINGS", "ApiError", "Settings", "SettingsError", "create_app"]
