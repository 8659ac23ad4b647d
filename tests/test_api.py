"""The REST API, in-process: every endpoint, every error path, one error shape."""

from __future__ import annotations

import asyncio
import json
import sys
import threading
from pathlib import Path

import httpx
import pytest

pytest.importorskip("fastapi")

from fastapi.testclient import TestClient  # noqa: E402

from unspin.api import Settings, create_app  # noqa: E402
from unspin.labels import TECHNIQUES  # noqa: E402
from unspin.pipeline import Analyzer  # noqa: E402
from unspin.types import Analysis  # noqa: E402

sys.path.insert(0, str(Path(__file__).parent / "fixtures" / "api"))
from api_fakes import FakeModel  # noqa: E402

API_FIXTURES = Path(__file__).parent / "fixtures" / "api"
TEXT = "They lied to us. Every true patriot knows that our nation lied. Order, unity, sovereignty!"


def make_app(tmp_path: Path, model: object | None = None, **settings: object):
    opts: dict[str, object] = {"db": f"sqlite:///{tmp_path / 'api.db'}"}
    opts.update(settings)
    return create_app(Analyzer(model or FakeModel()), Settings(**opts))  # type: ignore[arg-type]


@pytest.fixture
def client(tmp_path: Path):
    with TestClient(make_app(tmp_path)) as c:
        yield c


def fragments(body: dict) -> list[tuple[str, str]]:
    return [(body["text"][s["start"] : s["end"]], s["label"]) for s in body["techniques"]]


def assert_error(response: httpx.Response, status: int, code: str | None = None) -> dict:
    """The one error shape: {"error": {"status", "code", "message", "details"}}."""
    assert response.status_code == status, response.text
    assert response.headers["content-type"].startswith("application/json")
    body = response.json()
    assert set(body) == {"error"}
    err = body["error"]
    assert set(err) == {"status", "code", "message", "details"}
    assert err["status"] == status
    assert isinstance(err["code"], str) and err["code"]
    assert isinstance(err["message"], str) and err["message"]
    assert isinstance(err["details"], list)
    for d in err["details"]:
        assert set(d) == {"loc", "msg", "type"}
    if code is not None:
        assert err["code"] == code, err
    return err


# --- POST /v1/analyze --------------------------------------------------------------------


def test_analyze_json_returns_analysis_with_exact_spans(client: TestClient) -> None:
    r = client.post("/v1/analyze", json={"text": TEXT, "id": "a1"})
    assert r.status_code == 200
    body = r.json()
    assert body["schema"] == "unspin.analysis/1"
    assert body["id"] == "a1"
    assert body["text"] == TEXT
    assert body["model"] == {"name": "fake", "version": "1"}
    assert sorted(fragments(body)) == sorted(
        [
            ("lied", "Repetition"),
            ("lied", "Repetition"),
            ("Every true patriot", "Flag-Waving"),
            ("true patriot knows that our nation", "Exaggeration,Minimisation"),
            ("Order, unity, sovereignty!", "Slogans"),
        ]
    )
    assert [s["score"] for s in body["sentences"]][2] == 1.0
    assert body["summary"]["spans"] == 5
    assert Analysis.from_dict(body).text == TEXT  # the answer is a valid Analysis


def test_analyze_stores_and_serves_the_permalink(client: TestClient) -> None:
    r = client.post("/v1/analyze", json={"text": TEXT, "id": "a1"})
    stored = r.json()["stored"]
    assert stored["url"] == f"/v1/analyses/{stored['id']}"
    assert stored["permalink"] == f"/a/{stored['id']}"
    assert r.headers["location"] == stored["url"]
    again = client.get(stored["url"])
    assert again.status_code == 200
    assert again.json() == r.json()
    page = client.get(stored["permalink"])
    assert page.status_code == 200
    assert page.headers["content-type"].startswith("text/html")
    assert "Every true patriot" in page.text


def test_analyze_threshold_drops_weaker_spans(client: TestClient) -> None:
    body = client.post("/v1/analyze", json={"text": TEXT, "threshold": 0.85}).json()
    assert sorted(label for _, label in fragments(body)) == ["Flag-Waving", "Slogans"]


def test_permalinks_keep_the_threshold(client: TestClient) -> None:
    strict = client.post("/v1/analyze", json={"text": TEXT, "id": "t", "threshold": 0.85}).json()
    default = client.post("/v1/analyze", json={"text": TEXT, "id": "t"}).json()
    assert strict["stored"]["id"] != default["stored"]["id"]
    for body in (strict, default):
        again = client.get(body["stored"]["url"]).json()
        assert again["techniques"] == body["techniques"] and again["id"] == "t"
    same = client.post("/v1/analyze", json={"text": TEXT, "id": "t", "threshold": 0.85}).json()
    assert same["stored"]["id"] == strict["stored"]["id"]  # storing is idempotent


def test_analyze_without_store(tmp_path: Path) -> None:
    with TestClient(make_app(tmp_path, store=False)) as c:
        body = c.post("/v1/analyze", json={"text": TEXT}).json()
        assert "stored" not in body
        assert_error(c.get("/v1/analyses/0123456789abcdef01234567"), 404, "not_found")
    assert not (tmp_path / "api.db").exists()


def test_analyze_without_content_type_is_taken_as_json(client: TestClient) -> None:
    r = client.post("/v1/analyze", content=json.dumps({"text": TEXT}).encode())
    assert r.status_code == 200


def test_analyze_upload_txt(client: TestClient) -> None:
    data = TEXT.encode("utf-8")
    r = client.post(
        "/v1/analyze", files={"file": ("speech.txt", data, "text/plain")}, data={"threshold": "0.5"}
    )
    assert r.status_code == 200, r.text
    body = r.json()
    assert body["id"] == "speech"  # the file name without its extension
    assert body["text"] == TEXT
    assert body["meta"]["meta"]["filename"] == "speech.txt"
    assert ("lied", "Repetition") in fragments(body)


def test_analyze_upload_keeps_text_exactly(client: TestClient) -> None:
    text = "\ufeffThey lied.\r\nThey lied again. \u00e9\u0301 \U0001f600 lied"
    r = client.post("/v1/analyze", files={"file": ("x.txt", text.encode("utf-8"), "text/plain")})
    body = r.json()
    assert body["text"] == text
    assert [f for f, _ in fragments(body)] == ["lied", "lied", "lied"]


def test_analyze_upload_html_extracts_main_text(client: TestClient) -> None:
    html = (API_FIXTURES / "article.html").read_bytes()
    r = client.post(
        "/v1/analyze", files={"file": ("riots.html", html, "text/html")}, data={"id": "riots"}
    )
    assert r.status_code == 200, r.text
    body = r.json()
    assert body["id"] == "riots"
    assert "paid provocateurs" in body["text"]
    assert "Subscribe now" not in body["text"] and "All rights reserved" not in body["text"]
    assert body["meta"]["meta"]["extracted_from"] == "html"
    # offsets refer to the extracted text
    assert ("paid provocateurs", "Name_Calling,Labeling") in fragments(body)
    assert ("traitors", "Name_Calling,Labeling") in fragments(body)


def test_analyze_upload_file_name_is_untrusted(client: TestClient) -> None:
    r = client.post(
        "/v1/analyze", files={"file": ("../../etc/<script>x.txt", b"They lied.", "text/plain")}
    )
    assert r.status_code == 200
    assert r.json()["id"] == "<script>x"  # last path part only; escaped where shown


# --- POST /v1/analyze/batch --------------------------------------------------------------


def test_batch_answers_in_order(client: TestClient) -> None:
    arts = [
        {"text": "They lied.", "id": "one"},
        {"text": "Nothing here.", "id": "two"},
        {"text": "Order, unity, sovereignty!", "id": "three"},
    ]
    r = client.post("/v1/analyze/batch", json={"articles": arts})
    assert r.status_code == 200
    out = r.json()["analyses"]
    assert [a["id"] for a in out] == ["one", "two", "three"]
    assert [len(a["techniques"]) for a in out] == [1, 0, 1]
    for a in out:
        assert client.get(a["stored"]["url"]).json()["text"] == a["text"]


def test_batch_limit(tmp_path: Path) -> None:
    with TestClient(make_app(tmp_path, max_batch=2)) as c:
        arts = [{"text": f"Text {i}."} for i in range(3)]
        err = assert_error(
            c.post("/v1/analyze/batch", json={"articles": arts}), 422, "batch_too_large"
        )
        assert "at most 2" in err["message"]
        assert c.post("/v1/analyze/batch", json={"articles": arts[:2]}).status_code == 200


def test_batch_empty_text_names_the_article(client: TestClient) -> None:
    r = client.post("/v1/analyze/batch", json={"articles": [{"text": "ok."}, {"text": " "}]})
    err = assert_error(r, 422, "empty_text")
    assert "articles.1.text" in err["message"]


# --- GET endpoints -------------------------------------------------------------------------


def test_techniques(client: TestClient) -> None:
    body = client.get("/v1/techniques").json()
    assert [t["name"] for t in body["techniques"]] == list(TECHNIQUES)
    for t in body["techniques"]:
        assert t["definition"] and t["example"] and t["display"]
        assert t["pattern"] in {"solid", "dashed", "dotted", "double", "wavy"}
        assert t["color"].startswith("#") and len(t["symbol"]) == 1


def test_models_and_health(client: TestClient) -> None:
    models = client.get("/v1/models").json()
    assert models["loaded"] == {"name": "fake", "version": "1"}
    assert isinstance(models["installed"], list)
    health = client.get("/v1/health").json()
    assert health["status"] == "ok"
    assert health["model"]["name"] == "fake"
    assert health["store"] is True
    assert health["inflight"] == 0 and health["capacity"] == 16


def test_health_with_no_model(tmp_path: Path) -> None:
    app = create_app(Analyzer(model=None), Settings(store=False))
    with TestClient(app) as c:
        assert c.get("/v1/health").json()["model"]["name"] == "none"
        body = c.post("/v1/analyze", json={"text": TEXT}).json()
        assert body["techniques"] == [] and len(body["sentences"]) == 3


def test_openapi_lists_every_endpoint(client: TestClient) -> None:
    spec = client.get("/openapi.json").json()
    assert set(spec["paths"]) == {
        "/v1/analyze",
        "/v1/analyze/batch",
        "/v1/analyses/{analysis_id}",
        "/v1/techniques",
        "/v1/models",
        "/v1/health",
    }
    content = spec["paths"]["/v1/analyze"]["post"]["requestBody"]["content"]
    assert set(content) == {"application/json", "multipart/form-data"}
    for ref in ("AnalyzeRequest", "AnalyzeUpload", "BatchRequest", "ErrorOut"):
        assert ref in spec["components"]["schemas"]
    assert "securitySchemes" not in spec["components"]


def test_docs_page_is_offline(client: TestClient) -> None:
    r = client.get("/docs")
    assert r.status_code == 200
    assert "/static/vendor/swagger-ui/swagger-ui-bundle.js" in r.text
    assert "cdn" not in r.text.lower() and "https://" not in r.text
    assert client.get("/static/vendor/swagger-ui/swagger-ui-bundle.js").status_code == 200
    assert client.get("/static/docs.js").status_code == 200


def test_nothing_loads_from_outside() -> None:
    root = Path(__file__).parent.parent / "src" / "unspin" / "api"
    for path in [
        *root.glob("templates/*.html"),
        *root.glob("static/*.js"),
        *root.glob("static/*.css"),
    ]:
        text = path.read_text(encoding="utf-8")
        for needle in ("//cdn", 'src="http', 'href="http', "url(http", "@import"):
            assert needle not in text, (path, needle)


def test_page_script_never_parses_html() -> None:
    script = Path(__file__).parent.parent / "src" / "unspin" / "api" / "static" / "unspin.js"
    code = "\n".join(
        line
        for line in script.read_text(encoding="utf-8").splitlines()
        if not line.lstrip().startswith("//")
    )
    for sink in (
        "innerHTML",
        "outerHTML",
        "insertAdjacentHTML",
        "document.write",
        "eval(",
        "new Function",
        "DOMParser",
        "createContextualFragment",
    ):
        assert sink not in code, sink


# --- errors ------------------------------------------------------------------------------

BIG = 10 * 1024 * 1024

ERROR_CASES = [
    # (name, method, path, kwargs, status, code)
    (
        "malformed json",
        "post",
        "/v1/analyze",
        {"content": b'{"text": "unterminated', "headers": {"content-type": "application/json"}},
        400,
        "malformed_json",
    ),
    (
        "empty body",
        "post",
        "/v1/analyze",
        {"content": b"", "headers": {"content-type": "application/json"}},
        400,
        "malformed_json",
    ),
    (
        "body not utf-8",
        "post",
        "/v1/analyze",
        {"content": b'{"text": "\xff\xfe"}', "headers": {"content-type": "application/json"}},
        400,
        "malformed_json",
    ),
    ("json array", "post", "/v1/analyze", {"json": ["text"]}, 422, "invalid_request"),
    ("missing text", "post", "/v1/analyze", {"json": {"id": "x"}}, 422, "invalid_request"),
    ("text not a string", "post", "/v1/analyze", {"json": {"text": 42}}, 422, "invalid_request"),
    ("text null", "post", "/v1/analyze", {"json": {"text": None}}, 422, "invalid_request"),
    (
        "id not a string",
        "post",
        "/v1/analyze",
        {"json": {"text": "a.", "id": 7}},
        422,
        "invalid_request",
    ),
    (
        "id too long",
        "post",
        "/v1/analyze",
        {"json": {"text": "a.", "id": "x" * 201}},
        422,
        "invalid_request",
    ),
    (
        "unknown field",
        "post",
        "/v1/analyze",
        {"json": {"text": "a.", "colour": "red"}},
        422,
        "invalid_request",
    ),
    (
        "threshold out of range",
        "post",
        "/v1/analyze",
        {"json": {"text": "a.", "threshold": 2}},
        422,
        "invalid_request",
    ),
    (
        "threshold a string",
        "post",
        "/v1/analyze",
        {"json": {"text": "a.", "threshold": "0.5"}},
        422,
        "invalid_request",
    ),
    ("empty text", "post", "/v1/analyze", {"json": {"text": ""}}, 422, "empty_text"),
    ("whitespace text", "post", "/v1/analyze", {"json": {"text": " \n\t "}}, 422, "empty_text"),
    ("NUL in text", "post", "/v1/analyze", {"json": {"text": "a\u0000b"}}, 422, "bad_input"),
    (
        "lone surrogate",
        "post",
        "/v1/analyze",
        {"content": b'{"text": "a \\ud800 b"}', "headers": {"content-type": "application/json"}},
        400,
        "malformed_json",
    ),
    ("10 MB body", "post", "/v1/analyze", {"json": {"text": "a" * BIG}}, 413, "body_too_large"),
    (
        "10 MB upload",
        "post",
        "/v1/analyze",
        {"files": {"file": ("big.txt", b"a" * BIG, "text/plain")}},
        413,
        "body_too_large",
    ),
    (
        "wrong content type",
        "post",
        "/v1/analyze",
        {"content": b"They lied.", "headers": {"content-type": "text/plain"}},
        415,
        "unsupported_media_type",
    ),
    (
        "upload: invalid utf-8",
        "post",
        "/v1/analyze",
        {
            "files": {
                "file": ("bad.txt", (API_FIXTURES / "invalid-utf8.txt").read_bytes(), "text/plain")
            }
        },
        422,
        "bad_input",
    ),
    (
        "upload: NUL bytes",
        "post",
        "/v1/analyze",
        {"files": {"file": ("bin.txt", b"abc\x00def", "text/plain")}},
        422,
        "bad_input",
    ),
    (
        "upload: empty file",
        "post",
        "/v1/analyze",
        {"files": {"file": ("e.txt", b"", "text/plain")}},
        422,
        "empty_text",
    ),
    (
        "upload: whitespace file",
        "post",
        "/v1/analyze",
        {"files": {"file": ("e.txt", b"  \n", "text/plain")}},
        422,
        "empty_text",
    ),
    (
        "upload: no file field",
        "post",
        "/v1/analyze",
        {"data": {"id": "x"}, "files": {"other": ("a.txt", b"x")}},
        422,
        "invalid_request",
    ),
    (
        "upload: unsupported type",
        "post",
        "/v1/analyze",
        {"files": {"file": ("a.pdf", b"%PDF-1.4", "application/pdf")}},
        415,
        "unsupported_media_type",
    ),
    (
        "upload: bad threshold",
        "post",
        "/v1/analyze",
        {"files": {"file": ("a.txt", b"They lied.", "text/plain")}, "data": {"threshold": "x"}},
        422,
        "invalid_request",
    ),
    (
        "upload: html without text",
        "post",
        "/v1/analyze",
        {
            "files": {
                "file": (
                    "a.html",
                    b"<html><body><script>var x;</script></body></html>",
                    "text/html",
                )
            }
        },
        422,
        "bad_input",
    ),
    (
        "batch: not a list",
        "post",
        "/v1/analyze/batch",
        {"json": {"articles": "x"}},
        422,
        "invalid_request",
    ),
    (
        "batch: empty list",
        "post",
        "/v1/analyze/batch",
        {"json": {"articles": []}},
        422,
        "invalid_request",
    ),
    (
        "batch: malformed json",
        "post",
        "/v1/analyze/batch",
        {"content": b"[", "headers": {"content-type": "application/json"}},
        400,
        "malformed_json",
    ),
    (
        "batch: form body",
        "post",
        "/v1/analyze/batch",
        {"data": {"articles": "x"}},
        415,
        "unsupported_media_type",
    ),
    ("unknown analysis id", "get", "/v1/analyses/0123456789abcdef01234567", {}, 404, "not_found"),
    ("malformed analysis id", "get", "/v1/analyses/..%2F..%2Fetc", {}, 404, "not_found"),
    ("unknown endpoint", "get", "/v1/nothing", {}, 404, "not_found"),
    ("wrong method", "delete", "/v1/analyze", {}, 405, "method_not_allowed"),
    ("get on post endpoint", "get", "/v1/analyze/batch", {}, 405, "method_not_allowed"),
]


@pytest.mark.parametrize(
    ("name", "method", "path", "kwargs", "status", "code"),
    ERROR_CASES,
    ids=[c[0] for c in ERROR_CASES],
)
def test_error_paths_answer_4xx_with_the_error_body(
    client: TestClient,
    name: str,
    method: str,
    path: str,
    kwargs: dict,
    status: int,
    code: str | None,
) -> None:
    r = getattr(client, method)(path, **kwargs)
    assert_error(r, status, code)


def test_chunked_body_over_the_limit_is_stopped(tmp_path: Path) -> None:
    with TestClient(make_app(tmp_path, max_body=1000)) as c:

        def chunks():
            yield b'{"text": "'
            for _ in range(100):
                yield b"x" * 100
            yield b'"}'

        r = c.post("/v1/analyze", content=chunks(), headers={"content-type": "application/json"})
        assert_error(r, 413, "body_too_large")
        ok = c.post("/v1/analyze", json={"text": "They lied."})
        assert ok.status_code == 200


def test_bad_content_length(client: TestClient) -> None:
    r = client.post(
        "/v1/analyze",
        content=b"{}",
        headers={"content-length": "abc", "content-type": "application/json"},
    )
    assert_error(r, 400, "bad_request")


def test_error_messages_say_what_was_expected(client: TestClient) -> None:
    err = assert_error(client.post("/v1/analyze", json={"text": 42}), 422)
    assert err["message"].startswith("text:")
    assert err["details"][0]["loc"] == ["text"]
    upload = (API_FIXTURES / "invalid-utf8.txt").read_bytes()
    err = assert_error(client.post("/v1/analyze", files={"file": ("bad.txt", upload)}), 422)
    assert "not valid UTF-8" in err["message"] and "byte 0xff at byte 10" in err["message"]


# --- overload and time limit ----------------------------------------------------------------


def test_overload_answers_503_at_once(tmp_path: Path) -> None:
    gate = threading.Event()
    app = make_app(tmp_path, model=FakeModel(gate=gate), max_concurrency=1, workers=1, store=False)

    async def scenario() -> tuple[httpx.Response, httpx.Response, float]:
        transport = httpx.ASGITransport(app=app)
        async with httpx.AsyncClient(transport=transport, base_url="http://t") as c:
            first = asyncio.create_task(c.post("/v1/analyze", json={"text": "They lied."}))
            while app.state.unspin.runner.inflight == 0:
                await asyncio.sleep(0.01)
            loop = asyncio.get_running_loop()
            t0 = loop.time()
            second = await c.post("/v1/analyze", json={"text": "They lied."})
            took = loop.time() - t0
            gate.set()
            return await first, second, took

    first, second, took = asyncio.run(scenario())
    assert first.status_code == 200
    assert_error(second, 503, "overloaded")
    assert second.headers["retry-after"] == "1"
    assert took < 1.0
    assert app.state.unspin.runner.refused == 1


def test_store_outage_answers_503(client: TestClient, monkeypatch: pytest.MonkeyPatch) -> None:
    from unspin.store import StoreError

    def broken(*args: object, **kwargs: object) -> None:
        raise StoreError("could not store analyses: database is locked")

    monkeypatch.setattr(client.app.state.unspin.store, "save_many", broken)  # type: ignore[attr-defined]
    monkeypatch.setattr(client.app.state.unspin.store, "get", broken)  # type: ignore[attr-defined]
    err = assert_error(client.post("/v1/analyze", json={"text": TEXT}), 503, "store_error")
    assert "database is locked" in err["message"]
    assert_error(client.get("/v1/analyses/0123456789abcdef01234567"), 503, "store_error")


def test_a_bug_is_a_500_with_the_error_body(tmp_path: Path) -> None:
    class Broken(FakeModel):
        def predict(self, texts, threshold=None):  # type: ignore[no-untyped-def]
            raise RuntimeError("boom")

    app = make_app(tmp_path, model=Broken())
    with TestClient(app, raise_server_exceptions=False) as c:
        err = assert_error(c.post("/v1/analyze", json={"text": TEXT}), 500, "internal_error")
        assert "boom" not in err["message"]  # no internals in the answer
        assert c.get("/v1/health").status_code == 200  # and the server carries on


def test_time_limit_answers_504(tmp_path: Path) -> None:
    app = make_app(tmp_path, model=FakeModel(delay=0.5), timeout=0.05, store=False)
    with TestClient(app) as c:
        assert_error(c.post("/v1/analyze", json={"text": "They lied."}), 504, "timeout")


# --- the token -------------------------------------------------------------------------------

TOKEN = "s3cret-token"


@pytest.fixture
def secured(tmp_path: Path):
    with TestClient(make_app(tmp_path, token=TOKEN)) as c:
        yield c


@pytest.mark.parametrize(
    ("method", "path", "kwargs"),
    [
        ("get", "/v1/health", {}),
        ("get", "/v1/techniques", {}),
        ("get", "/v1/models", {}),
        ("get", "/v1/analyses/0123456789abcdef01234567", {}),
        ("post", "/v1/analyze", {"json": {"text": TEXT}}),
        ("post", "/v1/analyze/batch", {"json": {"articles": [{"text": TEXT}]}}),
        ("get", "/openapi.json", {}),
        ("get", "/v1/nothing", {}),
    ],
)
def test_token_required_everywhere(
    secured: TestClient, method: str, path: str, kwargs: dict
) -> None:
    r = getattr(secured, method)(path, **kwargs)
    assert_error(r, 401, "unauthorized")
    assert r.headers["www-authenticate"].startswith("Bearer")
    wrong = getattr(secured, method)(path, headers={"Authorization": "Bearer nope"}, **kwargs)
    assert_error(wrong, 401, "unauthorized")
    basic = getattr(secured, method)(path, headers={"Authorization": f"Basic {TOKEN}"}, **kwargs)
    assert_error(basic, 401, "unauthorized")
    ok = getattr(secured, method)(path, headers={"Authorization": f"Bearer {TOKEN}"}, **kwargs)
    assert ok.status_code != 401


def test_token_in_openapi(secured: TestClient) -> None:
    spec = secured.get("/openapi.json", headers={"Authorization": f"Bearer {TOKEN}"}).json()
    assert spec["components"]["securitySchemes"]["bearer"]["scheme"] == "bearer"


def test_ui_asks_for_the_token(secured: TestClient) -> None:
    r = secured.get("/", headers={"accept": "text/html"}, follow_redirects=False)
    assert r.status_code == 303
    assert r.headers["location"] == "/login?next=%2F"
    assert secured.get("/static/unspin.js").status_code == 200  # static files are public
    form = secured.get("/login?next=/a/xyz")
    assert form.status_code == 200 and 'name="token"' in form.text
    bad = secured.post("/login", data={"token": "nope", "next": "/"}, follow_redirects=False)
    assert bad.status_code == 401 and "not right" in bad.text
    assert "unspin_session" not in bad.headers.get("set-cookie", "")
    good = secured.post("/login", data={"token": TOKEN, "next": "/a/xyz"}, follow_redirects=False)
    assert good.status_code == 303 and good.headers["location"] == "/a/xyz"
    cookie = good.headers["set-cookie"]
    assert "HttpOnly" in cookie and "SameSite=strict" in cookie.replace("Strict", "strict")
    assert TOKEN not in cookie  # an HMAC of the token, not the token
    # the cookie now opens the UI and the API, from this origin
    assert secured.get("/").status_code == 200
    r = secured.post("/v1/analyze", json={"text": TEXT}, headers={"origin": "http://testserver"})
    assert r.status_code == 200
    # ... but a cross-site request cannot ride on it
    r = secured.post("/v1/analyze", json={"text": TEXT}, headers={"origin": "https://evil.test"})
    assert_error(r, 403, "forbidden")
    out = secured.post("/logout", follow_redirects=False)
    assert out.status_code == 303
    secured.cookies.clear()
    assert_error(secured.get("/v1/health"), 401)


def test_login_never_redirects_off_site(secured: TestClient) -> None:
    for target in ("https://evil.test/", "//evil.test/", "/\\evil.test", "javascript:alert(1)"):
        r = secured.post("/login", data={"token": TOKEN, "next": target}, follow_redirects=False)
        assert r.headers["location"] == "/", target


def test_login_without_token_goes_home(client: TestClient) -> None:
    r = client.get("/login", follow_redirects=False)
    assert r.status_code == 303 and r.headers["location"] == "/"


# --- pages and escaping ----------------------------------------------------------------------


def test_security_headers(client: TestClient) -> None:
    r = client.get("/")
    csp = r.headers["content-security-policy"]
    assert "script-src 'self'" in csp and "unsafe-inline" not in csp.split("style-src")[0]
    assert r.headers["x-content-type-options"] == "nosniff"
    assert r.headers["x-frame-options"] == "DENY"
    assert r.headers["referrer-policy"] == "no-referrer"
    assert client.get("/v1/health").headers["cache-control"] == "no-store"


def test_permalink_page_escapes_the_stored_text(client: TestClient) -> None:
    payload = (API_FIXTURES / "xss.txt").read_text(encoding="utf-8")
    stored = client.post(
        "/v1/analyze", json={"text": payload, "id": "</script><script>alert(1)</script>"}
    ).json()["stored"]
    page = client.get(stored["permalink"]).text
    assert "<script>window.__pwned" not in page
    assert "<img src=x" not in page
    assert "</script><script>alert(1)" not in page
    assert page.count("<script") == 2  # the JSON data block and unspin.js, nothing else
    data = page.split('id="unspin-boot">', 1)[1].split("</script>", 1)[0]
    assert json.loads(data)["analysis"]["text"] == payload


def test_unknown_permalink_is_an_escaped_404_page(client: TestClient) -> None:
    r = client.get("/a/%3Cimg%20src%3Dx%20onerror%3Dalert(1)%3E")
    assert r.status_code == 404
    assert r.headers["content-type"].startswith("text/html")
    assert "<img" not in r.text and "&lt;img src=x onerror=alert(1)&gt;" in r.text


def test_index_page(client: TestClient) -> None:
    r = client.get("/")
    assert r.status_code == 200
    assert 'id="text"' in r.text and "/static/unspin.js" in r.text
    boot = json.loads(r.text.split('id="unspin-boot">', 1)[1].split("</script>", 1)[0])
    assert len(boot["techniques"]) == 14 and boot["analysis"] is None
