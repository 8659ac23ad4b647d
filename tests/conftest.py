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


@pytest.fixture(scope="session")
def fixture_model(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The tiny random technique model, built once per test session by the repo's script."""
    pytest.importorskip("torch", reason="building the fixture model needs the train extra")
    from unspin.training.fixture import build_fixture_model

    return build_fixture_model(tmp_path_factory.mktemp("fixture-model"))
