"""Shared fixtures. Tests build their inputs by hand; nothing is downloaded."""

from __future__ import annotations

from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
FIXTURES = Path(__file__).resolve().parent / "fixtures"


@pytest.fixture
def fixtures() -> Path:
    return FIXTURES


@pytest.fixture
def sample_text() -> str:
    return (ROOT / "examples" / "sample.txt").read_text(encoding="utf-8")
