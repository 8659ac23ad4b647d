"""End-to-end tests of the web UI in real headless Chromium (Debian's ``chromium`` package,
driven by playwright; ``scripts/services.d/browser.sh`` installs it).

The server runs in a thread with a fake technique model (predictable, overlapping spans) and a
throwaway SQLite store. Screenshots go to ``test-artifacts/``.
"""

from __future__ import annotations

import json
import socket
import sys
import threading
import time
from collections import Counter
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

pytest.importorskip("fastapi")
pytest.importorskip("playwright")

import uvicorn  # noqa: E402
from playwright.sync_api import Browser, Page, expect, sync_playwright  # noqa: E402

from unspin.api import Settings, create_app  # noqa: E402
from unspin.labels import TECHNIQUES  # noqa: E402
from unspin.pipeline import Analyzer  # noqa: E402

sys.path.insert(0, str(Path(__file__).parent / "fixtures" / "api"))
from api_fakes import FakeClaims, FakeModel  # noqa: E402

pytestmark = pytest.mark.browser

ROOT = Path(__file__).resolve().parent.parent
CHROMIUM = Path("/usr/bin/chromium")
ARTIFACTS = ROOT / "test-artifacts"
API_FIXTURES = Path(__file__).parent / "fixtures" / "api"
TOKEN = "browser-token"


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


class Server:
    def __init__(self, app: Any) -> None:
        self.port = _free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        config = uvicorn.Config(app, host="127.0.0.1", port=self.port, log_level="warning")
        self.server = uvicorn.Server(config)
        self.thread = threading.Thread(target=self.server.run, daemon=True)

    def __enter__(self) -> Server:
        self.thread.start()
        deadline = time.monotonic() + 20
        while not self.server.started:
            if time.monotonic() > deadline or not self.thread.is_alive():
                raise RuntimeError("the test server did not start")
            time.sleep(0.02)
        return self

    def __exit__(self, *exc: object) -> None:
        self.server.should_exit = True
        self.thread.join(10)


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Server]:
    db = tmp_path_factory.mktemp("web") / "web.db"
    analyzer = Analyzer(FakeModel(), components=[FakeClaims()])
    app = create_app(analyzer, Settings(db=f"sqlite:///{db}"))
    with Server(app) as s:
        yield s


@pytest.fixture(scope="module")
def secured_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Server]:
    db = tmp_path_factory.mktemp("web-token") / "web.db"
    app = create_app(Analyzer(FakeModel()), Settings(db=f"sqlite:///{db}", token=TOKEN))
    with Server(app) as s:
        yield s


@pytest.fixture(scope="module")
def browser() -> Iterator[Browser]:
    if not CHROMIUM.exists():
        pytest.skip("needs /usr/bin/chromium (scripts/services.d/browser.sh installs it)")
    with sync_playwright() as p:
        b = p.chromium.launch(
            executable_path=str(CHROMIUM),
            args=["--no-sandbox", "--disable-gpu", "--disable-background-networking"],
        )
        yield b
        b.close()


class Watched:
    """A page, with every dialog, page error and console error it raised."""

    def __init__(self, page: Page) -> None:
        self.page = page
        self.dialogs: list[str] = []
        self.errors: list[str] = []
        page.on("dialog", self._dialog)
        page.on("pageerror", lambda e: self.errors.append(str(e)))
        page.on("console", lambda m: self.errors.append(m.text) if m.type == "error" else None)

    def _dialog(self, dialog: Any) -> None:
        self.dialogs.append(dialog.message)
        dialog.dismiss()


@pytest.fixture
def watched(browser: Browser) -> Iterator[Watched]:
    context = browser.new_context(viewport={"width": 1280, "height": 900}, accept_downloads=True)
    w = Watched(context.new_page())
    yield w
    context.close()


def analyse(page: Page, base: str, text: str) -> dict[str, Any]:
    page.goto(base + "/")
    page.fill("#text", text)
    page.click("#analyze-btn")
    page.wait_for_selector("#result:not([hidden])")
    return page.evaluate("window.unspinUI.analysis")  # type: ignore[no-any-return]


def shown_fragments(page: Page) -> dict[int, str]:
    """Span index -> the text its highlight elements cover, in document order."""
    return page.evaluate("""() => {
        const out = {};
        for (const e of document.querySelectorAll('#doc .hl')) {
            out[e.dataset.i] = (out[e.dataset.i] || '') + e.textContent;
        }
        return out;
    }""")


def test_sample_highlights_land_on_the_right_fragments(
    watched: Watched, server: Server, sample_text: str
) -> None:
    page = watched.page
    data = analyse(page, server.url, sample_text)
    assert data["text"] == sample_text
    spans = data["techniques"]
    assert len(spans) >= 10
    # the rendered text is the text, character for character
    assert (
        page.evaluate(
            "[...document.querySelectorAll('#doc .line')].map(e => e.textContent).join('')"
        )
        == sample_text
    )
    # every span's highlight covers exactly its fragment, overlapping ones included
    shown = shown_fragments(page)
    assert {int(k): v for k, v in shown.items()} == {
        i: sample_text[s["start"] : s["end"]] for i, s in enumerate(spans)
    }
    nested = [
        (a, b)
        for a in spans
        for b in spans
        if a is not b and a["start"] <= b["start"] and b["end"] <= a["end"]
    ]
    crossing = [
        (a, b) for a in spans for b in spans if a["start"] < b["start"] < a["end"] < b["end"]
    ]
    assert nested and crossing  # the fixture model exercises both kinds of overlap
    # colour and a pattern per technique (colour is never the only cue)
    style = page.evaluate("""() => {
        const e = document.querySelector('#doc .hl[data-label="Loaded_Language"]');
        const s = getComputedStyle(e);
        return [s.textDecorationStyle, s.textDecorationLine, e.closest('.hl.start') ? 1 : 0];
    }""")
    assert style[0] == TECHNIQUES["Loaded_Language"].pattern == "wavy"
    assert style[1] == "underline"
    # legend counts agree with the JSON
    counts = Counter(s["label"] for s in spans)
    for label, n in counts.items():
        item = page.locator(f'.legend-item[data-label="{label}"]')
        assert item.locator(".legend-count").inner_text() == str(n)
    # sentence scores in the margin
    margin = page.locator("#doc .gutter .num").all_inner_texts()
    assert margin == [f"{round(s['score'] * 100)}%" for s in data["sentences"]]
    # summary
    assert page.locator("#summary").inner_text().count(str(data["summary"]["words"])) >= 1
    ARTIFACTS.mkdir(exist_ok=True)
    page.hover('#doc .hl.start[data-label="Flag-Waving"]')
    expect(page.locator("#card")).to_be_visible()
    assert "Flag-waving" in page.locator("#card").inner_text()
    page.screenshot(path=str(ARTIFACTS / "web-sample.png"), full_page=True)
    assert not watched.errors and not watched.dialogs


def test_hover_focus_and_keyboard_show_the_details(
    watched: Watched, server: Server, sample_text: str
) -> None:
    page = watched.page
    data = analyse(page, server.url, sample_text)
    spans = sorted(enumerate(data["techniques"]), key=lambda p: (p[1]["start"], -p[1]["end"]))
    first_i, first = spans[0]
    page.locator("#doc .hl.start").first.focus()
    assert page.evaluate("document.activeElement.dataset.i") == str(first_i)
    card = page.locator("#card")
    expect(card).to_be_visible()
    text = card.inner_text()
    tech = TECHNIQUES[first["label"]]
    assert tech.display in text and tech.definition in text
    assert sample_text[first["start"] : first["end"]] in text
    assert f"{first['score']:.2f}" in text
    # arrow keys walk the highlights in text order; Tab does too
    page.keyboard.press("ArrowRight")
    assert page.evaluate("document.activeElement.dataset.i") == str(spans[1][0])
    page.keyboard.press("End")
    assert page.evaluate("document.activeElement.dataset.i") == str(spans[-1][0])
    page.keyboard.press("Home")
    page.keyboard.press("Tab")
    assert page.evaluate("document.activeElement.dataset.i") == str(spans[1][0])
    # the focus is visible
    outline = page.evaluate("getComputedStyle(document.activeElement).outlineStyle")
    assert outline == "solid"
    page.keyboard.press("Escape")
    expect(card).to_be_hidden()
    # a click on overlapping highlights lists every technique there
    page.click('#doc .hl[data-label="Loaded_Language"] >> nth=0')
    assert "techniques overlap here" in card.inner_text()
    assert not watched.errors and not watched.dialogs


def test_legend_filters_the_highlights(watched: Watched, server: Server, sample_text: str) -> None:
    page = watched.page
    analyse(page, server.url, sample_text)
    button = page.locator('.legend-item[data-label="Repetition"]')
    assert button.get_attribute("aria-pressed") == "true"
    button.click()
    assert button.get_attribute("aria-pressed") == "false"
    state = page.evaluate("""() => [...document.querySelectorAll('#doc .hl')].map(e => [
        e.dataset.label, e.classList.contains('off'),
        getComputedStyle(e).textDecorationLine, e.getAttribute('tabindex')])""")
    for label, off, line, tabindex in state:
        if label == "Repetition":
            assert off and line == "none" and tabindex in (None, "-1")
        else:
            assert not off and line == "underline"
    assert "Showing" in page.locator("#legend-status").inner_text()
    # hidden highlights are skipped by the keyboard
    heads = page.evaluate(
        "[...document.querySelectorAll('#doc .hl.start')]"
        ".filter(e => e.tabIndex >= 0).map(e => e.dataset.label)"
    )
    assert "Repetition" not in heads and heads
    page.screenshot(path=str(ARTIFACTS / "web-legend-filtered.png"), full_page=True)
    page.click("#legend-none")
    assert page.evaluate("document.querySelectorAll('#doc .hl:not(.off)').length") == 0
    page.click("#legend-all")
    assert page.evaluate("document.querySelectorAll('#doc .hl.off').length") == 0


def test_script_and_img_payloads_render_as_text_and_run_nothing(
    watched: Watched, server: Server
) -> None:
    page = watched.page
    payload = (API_FIXTURES / "xss.txt").read_text(encoding="utf-8")
    data = analyse(page, server.url, payload)
    assert data["techniques"]  # highlights land inside and around the markup too
    rendered = page.evaluate(
        "[...document.querySelectorAll('#doc .line')].map(e => e.textContent).join('')"
    )
    assert rendered == payload
    assert (
        page.evaluate(
            "document.querySelectorAll('#doc script, #doc img, #doc svg, "
            "#doc iframe, #doc b').length"
        )
        == 0
    )
    assert "<script>window.__pwned" in page.locator("#doc").inner_text()
    # a hostile file name as the article id
    page.click("#new-btn")
    page.set_input_files(
        "#file",
        files=[
            {
                "name": '<img src=x onerror="window.__pwned=5">.txt',
                "mimeType": "text/plain",
                "buffer": payload.encode("utf-8"),
            }
        ],
    )
    page.click("#analyze-btn")
    page.wait_for_selector("#result:not([hidden])")
    assert "<img src=x onerror=" in page.locator("#result-title").inner_text()
    # the stored analysis, server-rendered on its permalink page
    page.reload()
    page.wait_for_selector("#result:not([hidden])")
    assert page.evaluate("window.unspinUI.analysis.text") == payload
    page.wait_for_timeout(300)  # give any injected handler a chance to fire
    assert page.evaluate("typeof window.__pwned") == "undefined"
    assert page.evaluate("document.querySelectorAll('img, iframe, svg').length") == 0
    assert not watched.dialogs
    assert not watched.errors


def test_permalink_download_and_upload(watched: Watched, server: Server, sample_text: str) -> None:
    page = watched.page
    data = analyse(page, server.url, sample_text)
    permalink = data["stored"]["permalink"]
    assert page.url == server.url + permalink
    assert page.input_value("#permalink") == server.url + permalink
    page.click("#copy-btn")
    expect(page.locator("#status")).to_contain_text("copied")
    with page.expect_download() as download:
        page.click("#download-btn")
    saved = json.loads(Path(download.value.path()).read_text(encoding="utf-8"))
    assert saved == data
    # the permalink page renders the stored analysis by itself
    page.goto(server.url + permalink)
    page.wait_for_selector("#result:not([hidden])")
    expect(page.locator("#input")).to_be_hidden()
    assert shown_fragments(page)
    # an HTML file upload: offsets refer to the extracted main text
    page.click("#new-btn")
    page.set_input_files("#file", str(API_FIXTURES / "article.html"))
    expect(page.locator("#file-chip")).to_be_visible()
    page.click("#analyze-btn")
    page.wait_for_selector("#result:not([hidden])")
    uploaded = page.evaluate("window.unspinUI.analysis")
    assert "Subscribe now" not in uploaded["text"]
    shown = shown_fragments(page)
    assert {int(k): v for k, v in shown.items()} == {
        i: uploaded["text"][s["start"] : s["end"]] for i, s in enumerate(uploaded["techniques"])
    }
    # an invalid upload is reported, not rendered
    page.click("#new-btn")
    page.set_input_files("#file", str(API_FIXTURES / "invalid-utf8.txt"))
    page.click("#analyze-btn")
    page.wait_for_selector("#error:not([hidden])")
    assert "not valid UTF-8" in page.locator("#error").inner_text()
    assert not watched.dialogs


def test_phone_width_is_readable(browser: Browser, server: Server, sample_text: str) -> None:
    context = browser.new_context(
        viewport={"width": 375, "height": 740}, is_mobile=True, has_touch=True
    )
    page = context.new_page()
    analyse(page, server.url, sample_text)
    overflow = page.evaluate("document.documentElement.scrollWidth - window.innerWidth")
    assert overflow <= 0  # no sideways scrolling
    size = page.evaluate(
        "parseFloat(getComputedStyle(document.querySelector('#doc .line')).fontSize)"
    )
    assert size >= 15
    page.locator('#doc .hl.start[data-label="Slogans"]').tap()
    card = page.locator("#card")
    expect(card).to_be_visible()
    box = card.bounding_box()
    assert box is not None and box["x"] >= 0 and box["x"] + box["width"] <= 375
    page.screenshot(path=str(ARTIFACTS / "web-phone.png"), full_page=False)
    context.close()


def test_ui_with_a_token_asks_for_it(
    watched: Watched, secured_server: Server, sample_text: str
) -> None:
    page = watched.page
    page.goto(secured_server.url + "/")
    assert "/login" in page.url
    page.fill("#token", "wrong")
    page.click("form.login button[type=submit]")
    assert "not right" in page.locator(".error").inner_text()
    page.fill("#token", TOKEN)
    page.click("form.login button[type=submit]")
    page.wait_for_selector("#text")
    data = analyse(page, secured_server.url, sample_text)
    assert data["techniques"]
    cookies = page.context.cookies()
    session = [c for c in cookies if c["name"] == "unspin_session"]
    assert session and session[0]["httpOnly"] and session[0]["value"] != TOKEN


def test_narratives_and_claims_are_shown(
    watched: Watched, server: Server, sample_text: str
) -> None:
    page = watched.page
    data = analyse(page, server.url, sample_text)
    assert data["claims"] and data["narratives"]
    claims = page.locator("#claims-box")
    expect(claims).to_be_visible()
    text = claims.inner_text()
    assert "resembles" in text and "Opposition leaders were paid in Brussels" in text
    assert "<b>Bold</b> claim" in text  # a title is text, not markup
    link = claims.locator("a", has_text="Opposition leaders were paid")
    assert link.get_attribute("href") == "https://example.org/fc-1"
    assert link.get_attribute("rel") == "noopener noreferrer"
    assert link.get_attribute("target") == "_blank"
    # a javascript: URL never becomes a link
    assert (
        page.evaluate(
            "[...document.querySelectorAll('a')]"
            ".filter(a => a.href.startsWith('javascript')).length"
        )
        == 0
    )
    assert page.locator("#claims b").count() == 0
    # the sentence holding the claim is marked in the margin
    marked = page.locator("#doc .row", has=page.locator(".claim-mark"))
    expect(marked).to_have_count(1)
    assert FakeClaims.CLAIM in marked.locator(".line").inner_text()
    narrative = page.locator("#narratives-box")
    assert "Foreign interference" in narrative.inner_text()
    narrative.locator("button.fragment").click()
    assert (
        page.evaluate("window.getSelection().toString()") == "foreign agents wanted them to happen"
    )
    page.locator("#claims button.fragment").click()
    assert page.evaluate("window.getSelection().toString()") == FakeClaims.CLAIM
    page.screenshot(path=str(ARTIFACTS / "web-claims.png"), full_page=True)
    assert page.evaluate("typeof window.__pwned") == "undefined"


def test_interactive_docs_work_offline(watched: Watched, server: Server) -> None:
    page = watched.page
    requests: list[str] = []
    page.on("request", lambda r: requests.append(r.url))
    page.goto(server.url + "/docs")
    expect(page.locator(".swagger-ui .info .title")).to_contain_text("unspin")
    expect(page.locator(".opblock-summary-path").first).to_be_visible()
    paths = page.locator(".opblock-summary-path").all_inner_texts()
    assert "/v1/analyze" in paths and "/v1/health" in paths
    assert all(u.startswith(server.url) or u.startswith("data:") for u in requests), requests
    assert not watched.errors


def test_offsets_count_code_points_not_utf16_units(watched: Watched, server: Server) -> None:
    # Emoji and other characters outside the BMP are one code point (one step in the JSON
    # offsets) but two UTF-16 units in JavaScript: the highlights must not drift.
    text = (
        "\U0001f600 They lied. \U0001d54f Every true patriot knows that our nation lied "
        "\U0001f44d\U0001f3fd.\n\u00e9\u0301 Order, unity, sovereignty! \U0001f1fa\U0001f1e6"
    )
    page = watched.page
    data = analyse(page, server.url, text)
    assert data["text"] == text and len(data["techniques"]) == 5
    shown = shown_fragments(page)
    assert {int(k): v for k, v in shown.items()} == {
        i: text[s["start"] : s["end"]] for i, s in enumerate(data["techniques"])
    }
    assert (
        page.evaluate(
            "[...document.querySelectorAll('#doc .line')].map(e => e.textContent).join('')"
        )
        == text
    )
    page.locator('#doc .hl.start[data-label="Slogans"]').focus()
    expect(page.locator("#card")).to_contain_text("“Order, unity, sovereignty!”")
    assert not watched.errors


def test_random_overlaps_render_exactly(watched: Watched, server: Server) -> None:
    """Random span sets (nested, crossing, identical, adjacent; some invalid ones that must be
    dropped) rendered by the page's own renderer: every valid span covers its fragment."""
    import random

    from unspin.pipeline import Analyzer as Plain

    rng = random.Random(20201)
    page = watched.page
    page.goto(server.url + "/")
    labels = list(TECHNIQUES)
    base = "Ünïcode \U0001f600 text. It has two sentences!\nAnd a third line, \U0001d54f here."
    for _ in range(25):
        text = base * rng.randint(1, 3)
        analysis = Plain(model=None).analyze(text).to_dict()
        n = len(text)
        spans = []
        for _ in range(rng.randint(0, 12)):
            a = rng.randrange(n)
            b = rng.randint(a + 1, min(n, a + 40))
            spans.append(
                {"start": a, "end": b, "label": rng.choice(labels), "score": round(rng.random(), 2)}
            )
        if spans:
            spans.append(dict(spans[0]))  # an identical twin
        invalid = [
            {"start": 5, "end": 5, "label": labels[0], "score": 1},
            {"start": n - 1, "end": n + 3, "label": labels[0], "score": 1},
            {"start": "1", "end": 4, "label": labels[0], "score": 1},
        ]
        analysis["techniques"] = spans + invalid
        page.evaluate("a => window.unspinUI.render(a)", analysis)
        shown = {int(k): v for k, v in shown_fragments(page).items()}
        assert shown == {i: text[s["start"] : s["end"]] for i, s in enumerate(spans)}
        assert (
            page.evaluate(
                "[...document.querySelectorAll('#doc .line')].map(e => e.textContent).join('')"
            )
            == text
        )
        heads = page.evaluate("document.querySelectorAll('#doc .hl.start').length")
        assert heads == len(spans)
    assert not watched.errors
