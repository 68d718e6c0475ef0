"""End-to-end: the web UI in a real headless Chromium (Debian's), driven by playwright.

The stores are SQLite files, or PostgreSQL schemas when STORYLINE_E2E_BACKEND=postgresql (a
step of .ci/run: `storyline serve --db postgresql://...` in a real browser).
Screenshots go to $STORYLINE_SCREENSHOTS when set (the README's come from here), else to a
temporary folder. Skipped when Chromium or playwright is missing, except under CI=true.
"""

from __future__ import annotations

import os
import socket
import threading
import time
from contextlib import ExitStack
from pathlib import Path

import pytest
import uvicorn

import storyline
from storyline.store import Store
from storyline.web import Providers, create_app
from tests.conftest import shared_path, store_url
from tests.test_web import seed

try:
    from playwright.sync_api import sync_playwright
except ImportError:  # the module skips (or fails under CI=true) below
    sync_playwright = None

CHROMIUM = Path("/usr/bin/chromium")
BACKEND = os.environ.get("STORYLINE_E2E_BACKEND", "sqlite")
CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]


def _require_browser():
    missing = []
    if not CHROMIUM.exists():
        missing.append(str(CHROMIUM))
    if sync_playwright is None:
        missing.append("the playwright package")
    if missing:
        reason = f"end-to-end tests need {' and '.join(missing)}"
        if os.environ.get("CI") == "true":
            pytest.fail(reason)
        pytest.skip(reason)


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def _briefing(conn, story):
    if story["id"] != "s1":
        return None
    return {
        "story_id": "s1",
        "sentences": [
            {"text": "The Marenholt dam broke after days of rain.", "sources": ["a1"]},
            {"text": "The reservoir level keeps falling.", "sources": ["a2"]},
        ],
    }


@pytest.fixture(scope="module")
def server(tmp_path_factory):
    _require_browser()
    folder = tmp_path_factory.mktemp("web")
    urls = ExitStack()
    store = seed(Store(urls.enter_context(store_url(BACKEND, folder))))
    app = create_app(store, providers=Providers(briefing=_briefing))
    port = _free_port()
    config = uvicorn.Config(app, host="127.0.0.1", port=port, log_level="warning")
    server = uvicorn.Server(config)
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    deadline = time.monotonic() + 20
    while not server.started:
        if time.monotonic() > deadline or not thread.is_alive():
            pytest.fail("uvicorn did not start")
        time.sleep(0.05)
    yield f"http://127.0.0.1:{port}"
    server.should_exit = True
    thread.join(timeout=10)
    store.close()
    urls.close()


@pytest.fixture(scope="module")
def browser(server):
    with sync_playwright() as pw:
        chromium = pw.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS)
        yield chromium
        chromium.close()


@pytest.fixture(scope="module")
def shots(tmp_path_factory) -> Path:
    wanted = os.environ.get("STORYLINE_SCREENSHOTS")
    folder = Path(wanted) if wanted else tmp_path_factory.mktemp("screenshots")
    folder.mkdir(parents=True, exist_ok=True)
    return folder


@pytest.fixture
def page(browser):
    context = browser.new_context(viewport={"width": 1100, "height": 900})
    page = context.new_page()
    dialogs: list[str] = []
    errors: list[str] = []  # failed loads and CSP violations show up as console errors

    def on_dialog(dialog):
        dialogs.append(dialog.message)
        dialog.dismiss()

    def on_console(message):
        if message.type == "error":
            errors.append(message.text)

    page.on("dialog", on_dialog)
    page.on("console", on_console)
    page.dialogs = dialogs
    page.console_errors = errors
    yield page
    context.close()


def test_web_e2e_reader_follows_story_citation_and_searches(server, page, shots):
    page.goto(server + "/")
    # the readable title (the most representative headline) leads; the keyword label follows
    title = "Mayor promises to rebuild the Marenholt dam"
    assert page.locator("a.story-link").all_inner_texts() == [title]
    assert page.locator("svg.spark polyline").count() == 1
    page.screenshot(path=str(shots / "stories.png"), full_page=True)

    page.click("a.story-link")
    page.wait_for_url("**/stories/s1")
    assert page.locator("h1").inner_text() == title
    assert page.locator("p.label").inner_text() == "Marenholt dam breach"
    assert "The Marenholt dam broke after days of rain." in page.locator("#briefing").inner_text()
    assert "the dam will be rebuilt before winter" in page.locator("#quotes").inner_text()
    assert page.locator("#timeline circle").count() == 1
    page.screenshot(path=str(shots / "story.png"), full_page=True)

    page.locator("#briefing a.cite").first.click()
    page.wait_for_url("**/articles/a1")
    assert page.locator("h1").inner_text() == "Mayor promises to rebuild the Marenholt dam"
    assert (
        page.locator("#article-text mark.quote").inner_text()
        == "the dam will be rebuilt before winter"
    )
    assert page.locator("#article-text mark.timex").inner_text() == "20 October"
    assert page.locator("#removed del").inner_text() == "Sign up for our morning newsletter"
    page.screenshot(path=str(shots / "article.png"), full_page=True)
    # the little script: unticking "highlight" turns the marks off
    page.uncheck("#toggle-marks")
    assert "plain" in (page.locator("#article-text").get_attribute("class") or "")

    page.fill(".search input", "reservoir")
    page.press(".search input", "Enter")
    page.wait_for_url("**/search?q=reservoir")
    titles = page.locator("a.hit-link").all_inner_texts()
    assert sorted(titles) == sorted(
        ["Reservoir falls again", "<script>alert('title')</script> Hostile headline"]
    )
    page.screenshot(path=str(shots / "search.png"), full_page=True)
    assert page.dialogs == []
    assert page.console_errors == []


def test_web_e2e_hostile_article_never_runs_script(server, page, shots):
    for path in ["/articles/a3", "/stories/s1", "/search?q=hostile", "/search?q=%3Cscript%3E"]:
        page.goto(server + path)
        page.wait_for_load_state("load")
    page.goto(server + "/articles/a3")
    # the markup shows as text: no element was created from it
    assert page.locator("h1").inner_text() == "<script>alert('title')</script> Hostile headline"
    assert "<img src=x onerror=alert(1)>" in page.locator("#article-text").inner_text()
    assert page.locator("#article-text img").count() == 0
    assert page.evaluate("document.scripts.length") == 1
    page.screenshot(path=str(shots / "hostile.png"), full_page=True)
    assert page.dialogs == []


def test_web_e2e_story_page_fits_a_phone(server, browser, shots):
    context = browser.new_context(viewport={"width": 375, "height": 740}, is_mobile=True)
    page = context.new_page()
    for path in ["/", "/stories/s1", "/articles/a1"]:
        page.goto(server + path)
        width = page.evaluate("document.documentElement.scrollWidth")
        assert width <= 375, f"{path} scrolls sideways on a phone ({width}px)"
    page.goto(server + "/stories/s1")
    page.screenshot(path=str(shots / "story-phone.png"), full_page=True)
    context.close()


# -- #19: the seeds and the example corpus through the whole pipeline, read in a browser -----

EXAMPLES = Path(__file__).resolve().parent.parent / "examples" / "corpus"
SEED_002_REASON = (
    "the headline gives words to John Kerry; the body quotes Vladimir Putin and never Kerry"
)


def _serve(store):
    """Start uvicorn on a free port in a thread; return (url, server, thread)."""
    app = create_app(store)
    port = _free_port()
    server = uvicorn.Server(uvicorn.Config(app, host="127.0.0.1", port=port, log_level="warning"))
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    deadline = time.monotonic() + 20
    while not server.started:
        if time.monotonic() > deadline or not thread.is_alive():
            pytest.fail("uvicorn did not start")
        time.sleep(0.05)
    return f"http://127.0.0.1:{port}", server, thread


@pytest.fixture(scope="module")
def corpora(tmp_path_factory, browser):
    """Serve the seeds and the example corpus, each run through `storyline run`."""
    served, workspaces, urls = {}, [], ExitStack()
    for name, folder in (("seeds", shared_path("seeds")), ("examples", EXAMPLES)):
        workspace = storyline.open(
            urls.enter_context(store_url(BACKEND, tmp_path_factory.mktemp(name)))
        )
        workspace.ingest([folder])
        workspace.run(workers=1)
        workspaces.append(workspace)
        served[name] = _serve(workspace.store)
    yield {name: url for name, (url, _, _) in served.items()}
    for _, server, thread in served.values():
        server.should_exit = True
        thread.join(timeout=10)
    for workspace in workspaces:
        workspace.close()
    urls.close()


def _api(page, url):
    return page.evaluate("async (u) => (await fetch(u)).json()", url)


def _storyline_with_conflict(page, base):
    stories = _api(page, base + "/api/stories?per_page=100")["items"]
    for story in stories:
        if story["level"] != "storyline":
            continue
        briefing = _api(page, f"{base}/api/stories/{story['id']}")["briefing"]
        if briefing and briefing["conflicts"]:
            return story, briefing
    pytest.fail("the example corpus has no storyline whose sources differ")
    return None


def test_web_e2e_story_page_shows_title_dates_marks_and_conflicts(corpora, page, shots):
    base = corpora["examples"]
    page.goto(base + "/")
    story, briefing = _storyline_with_conflict(page, base)
    page.goto(f"{base}/stories/{story['id']}")
    assert page.locator("h1").inner_text() == story["title"]
    assert page.locator("p.label").inner_text() == story["label"]
    assert "0 outlets" not in page.locator("p.meta").first.inner_text()
    # the briefing shows what `storyline brief` prints: dates, marks, where sources differ
    shown = page.locator("#briefing p.sentence")
    assert shown.count() == len(briefing["sentences"])
    for i, sentence in enumerate(briefing["sentences"]):
        text = shown.nth(i).inner_text()
        if sentence["date"]:
            assert text.startswith(sentence["date"] + " ")
        mark = sentence["corroboration"].replace("_", " ")
        assert (f"({mark})" in text) == (sentence["corroboration"] != "corroborated")
        # the mark of a sentence from flagged copy alone, or of a flagged page it cites
        flagged_cited = set(sentence["citations"]) & set(briefing["flagged"])
        assert ("flagged copy" in text) == (sentence["flagged_only"] or bool(flagged_cited))
    differ = page.locator("#briefing li.conflict").all_inner_texts()
    assert len(differ) == len(briefing["conflicts"])
    for conflict, text in zip(briefing["conflicts"], differ, strict=True):
        assert text.startswith(f"sources differ on {conflict['subject']}:")
        assert all(v["value"] in text for v in conflict["values"])
    page.screenshot(path=str(shots / "story-page.png"), full_page=False)

    event = _api(page, f"{base}/api/stories/{story['id']}")["events"][0]
    page.goto(f"{base}/stories/{event['id']}")
    assert page.locator("h1").inner_text() == (event["title"] or event["label"])
    own = set(event["article_ids"])
    cited = [a.get_attribute("href") for a in page.locator("#briefing a.cite").all()]
    assert cited
    assert {href.removeprefix("/articles/") for href in cited} <= own
    page.screenshot(path=str(shots / "event-page.png"), full_page=False)
    assert page.console_errors == []


def test_web_e2e_entity_page_shows_reported_speech_without_quotation_marks(corpora, page, shots):
    base = corpora["examples"]
    page.goto(base + "/")
    quotes = _api(page, base + "/api/quotes?per_page=100")["items"]
    speakers = [q["speaker_entity_id"] for q in quotes if q["speaker_entity_id"]]
    busiest = max(set(speakers), key=lambda e: (speakers.count(e), e))
    page.goto(f"{base}/entities/{busiest}")
    # the entity's statements, each once: quote groups, not every outlet's copy
    indirect = page.locator("li.quote-group.indirect")
    direct = page.locator("li.quote-group.direct")
    assert indirect.count() > 0
    assert indirect.locator("q").count() == 0  # reported speech: no quotation marks
    assert indirect.locator("span.reported").count() == indirect.count()
    assert direct.locator("q").count() == direct.count()
    page.screenshot(path=str(shots / "entity-page.png"), full_page=False)


def test_web_e2e_seeds_flagged_copy_is_marked_and_002_banner_gives_its_reason(corpora, page, shots):
    base = corpora["seeds"]
    page.goto(base + "/")
    story = next(
        s
        for s in _api(page, base + "/api/stories?per_page=100")["items"]
        if s["level"] == "storyline"
    )
    page.goto(f"{base}/stories/{story['id']}")
    assert page.locator("h1").inner_text() == story["title"]
    entry = page.locator("#timeline li", has=page.locator('time[datetime="2015-09-29"]'))
    assert entry.locator(".flagged-mark").count() == 1
    later = page.locator("#timeline li", has=page.locator('time[datetime="2015-09-30"]'))
    assert later.locator(".flagged-mark").count() == 0
    flagged_quotes = page.locator("#quotes li.quote-group.flagged")
    assert flagged_quotes.count() > 0
    for i in range(flagged_quotes.count()):
        group = flagged_quotes.nth(i)
        assert "reported only by flagged copy" in group.text_content()  # folded or not
        # the group's own mark, then one per variant: every one of them is 002's
        assert group.locator(".flagged-mark").count() == 1 + group.locator("a.variant").count()
    # the flagged page's banner names the flag and the reason a reader can check
    flagged_quotes.locator("a.variant:visible").first.click()
    page.wait_for_url("**/articles/002_*")
    page.evaluate("window.scrollTo(0, 0)")
    banner = page.locator(".banner.untrusted")
    assert "attribution_mismatch" in banner.inner_text()
    assert SEED_002_REASON in banner.inner_text()
    page.screenshot(path=str(shots / "flagged-article.png"), full_page=False)
    assert page.console_errors == []


def test_web_e2e_seeds_story_page_lists_quote_groups_and_filters_them(corpora, page, shots):
    base = corpora["seeds"]
    page.goto(base + "/")
    story = next(
        s
        for s in _api(page, base + "/api/stories?per_page=100")["items"]
        if s["level"] == "storyline"
    )
    page.goto(f"{base}/stories/{story['id']}")
    groups = page.locator("#quotes li.quote-group")
    sochi = groups.filter(has=page.locator('a.variant[title*="contemplating"]'))
    assert sochi.count() == 1  # two translations, one statement
    assert "reported by 2 outlets" in sochi.inner_text()
    assert sochi.locator("q").inner_text().startswith("We are now thinking about this")
    variants = sochi.locator("a.variant")
    assert variants.count() == 2
    assert variants.nth(1).inner_text().startswith("Middle East Eye")
    sochi.scroll_into_view_if_needed()
    page.screenshot(path=str(shots / "story-quote-groups.png"), full_page=False)
    everyone = groups.count()
    # the filter: one speaker, by any alias the page offers; then one outlet
    page.select_option("form.quote-filter select[name=speaker]", "Vladimir Putin")
    page.click("form.quote-filter button")
    page.wait_for_url("**speaker=Vladimir+Putin**")
    assert page.locator("#quotes details.speaker summary").count() == 1
    assert 0 < page.locator("#quotes li.quote-group").count() < everyone
    page.goto(f"{base}/stories/{story['id']}?outlet=The+Week+US")
    shown = page.locator("#quotes li.quote-group")
    assert shown.count() > 0
    for i in range(shown.count()):
        outlets = shown.nth(i).locator("a.variant").all_inner_texts()
        assert any(t.startswith("The Week US") for t in outlets)
    # the variant link opens the quote in its article
    page.goto(f"{base}/stories/{story['id']}")
    sochi.locator("a.variant").nth(1).click()
    page.wait_for_url("**/articles/001_*#q-*")
    assert page.locator("#article-text mark.quote", has_text="contemplating").count() == 1
    assert page.console_errors == []
