"""Property-based run over the OpenAPI schema (schemathesis): no input gives a 5xx."""

from __future__ import annotations

import sys
from pathlib import Path

import pytest

pytest.importorskip("schemathesis")

import schemathesis  # noqa: E402
from hypothesis import HealthCheck, settings  # noqa: E402
from schemathesis.checks import not_a_server_error  # noqa: E402

from unspin.api import Settings, create_app  # noqa: E402
from unspin.pipeline import Analyzer  # noqa: E402

sys.path.insert(0, str(Path(__file__).parent / "fixtures" / "api"))
from api_fakes import FakeModel  # noqa: E402

app = create_app(Analyzer(FakeModel()), Settings(db="sqlite://", max_body=200_000))
schema = schemathesis.openapi.from_asgi("/openapi.json", app)


@pytest.mark.slow
@schema.parametrize()
@settings(max_examples=60, deadline=None, derandomize=True, suppress_health_check=list(HealthCheck))
def test_no_input_gives_a_server_error(case) -> None:  # type: ignore[no-untyped-def]
    response = case.call()
    case.validate_response(response, checks=[not_a_server_error])
    assert response.status_code < 500, response.text
    if response.status_code >= 400:
        body = response.json()
        assert set(body["error"]) == {"status", "code", "message", "details"}
