"""Errors for users: each says what was expected, what was found, and what to try.

Front ends catch :class:`UnspinError` and print ``str(err)`` as one line (the CLI
exits with status 1); anything else escaping is a bug.
"""

from __future__ import annotations


class UnspinError(Exception):
    """Base class of every error unspin raises on purpose."""

    code = "unspin_error"

    def __init__(
        self,
        message: str,
        *,
        expected: str | None = None,
        found: str | None = None,
        hint: str | None = None,
    ) -> None:
        parts = [message]
        if expected is not None:
            parts.append(f"expected {expected}")
        if found is not None:
            parts.append(f"found {found}")
        text = "; ".join(parts)
        if hint:
            text += f" ({hint})"
        super().__init__(text)
        self.message = message
        self.expected = expected
        self.found = found
        self.hint = hint


class InputError(UnspinError):
    """The input text or file is not something unspin can analyse (binary, bad UTF-8, ...)."""

    code = "bad_input"


class FormatError(InputError):
    """A line or record of a data file does not match its format.

    ``location`` is ``file:line`` (or ``file:record``) when known.
    """

    code = "bad_format"

    def __init__(
        self,
        message: str,
        *,
        location: str | None = None,
        expected: str | None = None,
        found: str | None = None,
        hint: str | None = None,
    ) -> None:
        prefix = f"{location}: " if location else ""
        super().__init__(prefix + message, expected=expected, found=found, hint=hint)
        self.location = location


class LabelError(FormatError):
    """An unknown technique name."""

    code = "unknown_label"


class OffsetError(UnspinError):
    """A span whose offsets do not fit its text."""

    code = "bad_offset"


class ModelError(UnspinError):
    """A model directory that is missing, incomplete or incompatible."""

    code = "bad_model"


class ScoringError(UnspinError):
    """Gold and prediction files that cannot be scored against each other."""

    code = "scoring_error"


class MissingExtraError(UnspinError):
    """An optional dependency is not installed."""

    code = "missing_extra"

    def __init__(self, feature: str, extra: str, module: str) -> None:
        super().__init__(
            f"{feature} needs the optional package '{module}'",
            hint=f"install it with: pip install 'unspin[{extra}]'",
        )
        self.extra = extra
        self.module = module


def require(module: str, *, feature: str, extra: str):  # type: ignore[no-untyped-def]
    """Import ``module`` or raise :class:`MissingExtraError` naming the extra to install."""
    import importlib

    try:
        return importlib.import_module(module)
    except ImportError as err:
        raise MissingExtraError(feature, extra, module) from err
