"""Server settings, their documentation, and the ``serve`` command."""

from __future__ import annotations

from pathlib import Path

import pytest

pytest.importorskip("fastapi")

from unspin.api import SETTINGS, Settings, SettingsError  # noqa: E402
from unspin.api.inputs import safe_stem  # noqa: E402
from unspin.cli.main import main  # noqa: E402
from unspin.cli.serve import _is_loopback  # noqa: E402

DOCS = Path(__file__).resolve().parent.parent / "docs" / "api.md"


def test_defaults_match_the_table() -> None:
    s = Settings()
    for setting in SETTINGS:
        assert getattr(s, setting.name) == setting.default, setting.name
    assert Settings.from_env({}) == s


def test_from_env_reads_every_variable() -> None:
    env = {
        "UNSPIN_API_TOKEN": "s3cret",
        "UNSPIN_MAX_BODY": "1_000",
        "UNSPIN_TIMEOUT": "2.5",
        "UNSPIN_MAX_BATCH": "3",
        "UNSPIN_DB": "sqlite:///x.db",
        "UNSPIN_STORE": "0",
        "UNSPIN_MAX_CONCURRENCY": "4",
        "UNSPIN_WORKERS": "1",
        "UNSPIN_MODEL": "none",
        "UNSPIN_NARRATIVES": "yes",
    }
    assert {s.env for s in SETTINGS} == set(env)
    s = Settings.from_env(env)
    assert s == Settings(
        token="s3cret",
        max_body=1000,
        timeout=2.5,
        max_batch=3,
        db="sqlite:///x.db",
        store=False,
        max_concurrency=4,
        workers=1,
        model="none",
        narratives=True,
    )
    assert "s3cret" not in repr(s)  # the token is never printed
    assert Settings.from_env(env, db="other.db", model=None).db == "other.db"


@pytest.mark.parametrize(
    ("var", "value"),
    [
        ("UNSPIN_MAX_BODY", "lots"),
        ("UNSPIN_MAX_BODY", "-1"),
        ("UNSPIN_TIMEOUT", "0"),
        ("UNSPIN_STORE", "maybe"),
    ],
)
def test_bad_values_say_what_was_expected(var: str, value: str) -> None:
    with pytest.raises(SettingsError) as err:
        Settings.from_env({var: value})
    assert var in str(err.value) and repr(value) in str(err.value)


def test_every_setting_is_documented() -> None:
    docs = DOCS.read_text(encoding="utf-8")
    for setting in SETTINGS:
        assert f"`{setting.env}`" in docs, setting.env


def test_every_error_code_is_documented() -> None:
    docs = DOCS.read_text(encoding="utf-8")
    for code in (
        "malformed_json",
        "invalid_request",
        "empty_text",
        "bad_input",
        "batch_too_large",
        "body_too_large",
        "unsupported_media_type",
        "not_found",
        "method_not_allowed",
        "unauthorized",
        "forbidden",
        "overloaded",
        "timeout",
        "internal_error",
    ):
        assert f"`{code}`" in docs, code


@pytest.mark.parametrize(
    ("name", "stem"),
    [
        ("article.txt", "article"),
        ("a/b/c.html", "c"),
        ("..\\..\\x.txt", "x"),
        (".hidden", ".hidden"),
        ("bell\x07.txt", "bell"),
        ("", ""),
    ],
)
def test_safe_stem(name: str, stem: str) -> None:
    assert safe_stem(name) == stem


def test_loopback_detection() -> None:
    assert _is_loopback("127.0.0.1") and _is_loopback("::1") and _is_loopback("localhost")
    assert not _is_loopback("0.0.0.0") and not _is_loopback("192.168.1.4")


def test_serve_help(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["serve", "--help"]) == 0
    out = capsys.readouterr().out
    assert "--host" in out and "127.0.0.1" in out and "--port" in out


def test_serve_bad_setting_is_one_line(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.setenv("UNSPIN_MAX_BODY", "big")
    assert main(["serve", "--model", "none", "--no-store"]) == 1
    err = capsys.readouterr().err
    assert err.startswith("error: UNSPIN_MAX_BODY has an unusable value")


def test_serve_starts_on_loopback(tmp_path: Path) -> None:
    """``unspin serve`` for real: binds 127.0.0.1 by default and answers."""
    import http.client
    import os
    import socket
    import subprocess
    import sys
    import time

    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    env = dict(os.environ, UNSPIN_API_TOKEN="tok")
    proc = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "unspin.cli.main",
            "serve",
            "--port",
            str(port),
            "--model",
            "none",
            "--db",
            str(tmp_path / "s.db"),
            "--log-level",
            "warning",
        ],
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
    )
    try:
        deadline = time.monotonic() + 30
        status = None
        while time.monotonic() < deadline and status is None:
            try:
                conn = http.client.HTTPConnection("127.0.0.1", port, timeout=2)
                conn.request("GET", "/v1/health", headers={"Authorization": "Bearer tok"})
                resp = conn.getresponse()
                status, body = resp.status, resp.read()
            except OSError:
                assert proc.poll() is None, proc.stderr.read() if proc.stderr else ""
                time.sleep(0.1)
        assert status == 200
        assert b'"model":{"name":"none"' in body
        conn = http.client.HTTPConnection("127.0.0.1", port, timeout=2)
        conn.request("GET", "/v1/health")
        assert conn.getresponse().status == 401
    finally:
        proc.terminate()
        _, err = proc.communicate(timeout=10)
    assert f"serving on http://127.0.0.1:{port}/" in err.decode()
    assert "warning" not in err.decode().split("serving on")[0]


def test_narrative_layer_setting() -> None:
    pytest.importorskip("unspin.narratives.layer")
    from fastapi.testclient import TestClient

    from unspin.api import create_app

    app = create_app(settings=Settings(model="none", narratives=True, store=False))
    assert [c.name for c in app.state.unspin.analyzer.components] == ["narratives"]
    with TestClient(app) as c:
        body = c.post("/v1/analyze", json={"text": "The West wants to destroy us. Again."}).json()
    assert isinstance(body["narratives"], list) and isinstance(body["claims"], list)
