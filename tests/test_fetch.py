from __future__ import annotations

import ipaddress
import itertools
import os

import pytest
from typer.testing import CliRunner

from storyline import api
from storyline.cli.app import app
from storyline.cli.exit_codes import EXIT_REJECTED
from storyline.errors import InputError
from storyline.fetch import Archive, Fetcher, FetchRequest, check_url
from storyline.fetch.client import interleave_hosts
from storyline.fetch.politeness import Politeness
from storyline.fetch.safety import is_public
from storyline.ingest import read_paths
from storyline.store.feeds import fetch_states
from tests.conftest import FETCH_TIMEOUT, REPO, settings_for

DATA = REPO / "tests" / "data" / "fetch"
runner = CliRunner()


def test_fetch_pages_become_articles_with_page_metadata(fetch_server, fetch_workspace):
    summary = fetch_workspace.fetch(
        [fetch_server.url("/ferry-aground.html"), fetch_server.url("/ferry-inquiry.html")]
    )
    assert (summary.stored, summary.rejected) == (2, ())
    by_title = {a.title: a for a in fetch_workspace.articles()}
    aground = by_title["Ferry Aldermoor runs aground off Tessel Point"]
    assert aground.source == "Tessel Gazette"
    assert aground.published == "2026-05-04"
    assert aground.url == fetch_server.url("/ferry-aground.html")
    assert aground.locator == fetch_server.url("/ferry-aground.html")
    assert aground.meta["author"] == "Mira Castell"
    assert "212 people on board" in aground.text
    assert by_title["Inquiry opened after ferry grounding near Tessel"].source == "Northwater Post"


def test_fetch_every_response_is_archived_as_warc_and_reads_back(
    fetch_server, fetch_workspace, tmp_path
):
    fetch_workspace.fetch(
        [fetch_server.url("/ferry-aground.html"), fetch_server.url("/undated.html")]
    )
    stored = {a.title: a for a in fetch_workspace.articles()}
    warcs = list((tmp_path / "warc").glob("*.warc.gz"))
    assert len(warcs) == 1
    assert all(a.meta["warc"].startswith(str(warcs[0]) + "@") for a in stored.values())
    # the archive is a WARC storyline itself reads: same pages, same text
    again = [a for a in read_paths([warcs[0]]) if not hasattr(a, "code")]
    assert {a.title for a in again} == set(stored)
    for article in again:
        assert article.text == fetch_workspace.store.raw_text(stored[article.title].id)


def test_fetch_page_scripts_are_never_run(fetch_server, fetch_workspace):
    fetch_workspace.fetch([fetch_server.url("/ferry-aground.html")])
    assert fetch_server.behaviour.hits("/tracker") == []
    (article,) = fetch_workspace.articles()
    assert "document.title" not in article.text


def test_fetch_conditional_request_gets_304_and_counts_unchanged(fetch_server, fetch_workspace):
    url = fetch_server.url("/ferry-aground.html")
    first = fetch_workspace.fetch([url])
    second = fetch_workspace.fetch([url])
    assert (first.stored, second.stored, second.unchanged) == (1, 0, 1)
    hits = fetch_server.behaviour.hits("/ferry-aground.html")
    assert [h.status for h in hits] == [200, 304]
    assert hits[0].headers.get("If-None-Match") is None
    assert hits[1].headers["If-None-Match"] == fetch_states(fetch_workspace.store, [url])[url].etag
    assert hits[1].headers["If-Modified-Since"] == "Mon, 04 May 2026 10:00:00 GMT"
    assert len(fetch_workspace.articles()) == 1


@pytest.mark.parametrize(
    ("path", "code", "words"),
    [
        ("/status/404", "S112", "HTTP 404"),
        ("/status/500", "S112", "HTTP 500"),
        ("/loop/a", "S112", "redirect loop"),
        ("/huge", "S106", "over 1000000 bytes"),
        ("/huge-declared", "S106", "3000000 bytes"),
        ("/binary", "S114", "image/png"),
        ("/feed.xml", "S114", "application/xml"),
        ("/slow", "S112", "timed out"),
    ],
)
def test_fetch_bad_response_is_rejected_with_its_code(
    fetch_server, fetch_workspace, path, code, words
):
    fetch_server.behaviour.slow_seconds = 2 * FETCH_TIMEOUT  # the fixture's timeout, twice
    good = fetch_server.url("/ferry-aground.html")
    summary = fetch_workspace.fetch([good, fetch_server.url(path)])
    assert summary.stored == 1
    (rejected,) = summary.rejected
    assert (rejected.locator, rejected.code) == (fetch_server.url(path), code)
    assert words in rejected.reason
    assert [r.code for r in fetch_workspace.store.rejected()] == [code]


def test_fetch_bad_run_keeps_what_was_stored(fetch_server, fetch_workspace):
    fetch_workspace.fetch([fetch_server.url("/ferry-aground.html")])
    summary = fetch_workspace.fetch([fetch_server.url("/status/500"), fetch_server.url("/loop/b")])
    assert summary.stored == 0
    assert [a.title for a in fetch_workspace.articles()] == [
        "Ferry Aldermoor runs aground off Tessel Point"
    ]


def test_fetch_slow_drip_is_cut_at_the_overall_deadline(fetch_server, tmp_path):
    settings = settings_for(tmp_path, timeout=0.5)
    with api.open(tmp_path / "d.db", settings=settings) as ws:
        summary = ws.fetch([fetch_server.url("/drip")])
    (rejected,) = summary.rejected
    assert rejected.code == "S112"
    assert "took over 2.0s" in rejected.reason


def test_fetch_slow_drip_headers_are_cut_at_the_whole_response_deadline(fetch_server, tmp_path):
    """Issue #16 row 8: a header line a second kept a fetch going past 200 s."""
    # each header line comes within the 1 s read timeout; the deadline is 4 x 1 s
    settings = settings_for(tmp_path, timeout=1.0, retries=2)
    fetch_server.behaviour.drip_header_lines = 60  # 12 s of headers
    with api.open(tmp_path / "d.db", settings=settings) as ws:
        summary = ws.fetch([fetch_server.url("/drip-headers")])
    (rejected,) = summary.rejected
    assert (rejected.locator, rejected.code) == (fetch_server.url("/drip-headers"), "S112")
    assert summary.stored == 0
    # abandoned at the deadline, not retried: one request, and the server was still sending
    (hit,) = fetch_server.behaviour.hits("/drip-headers")
    assert hit.end == 0.0
    assert "took over 4.0s" in rejected.reason


def test_fetch_retries_with_backoff_then_succeeds(fetch_server, tmp_path):
    fetch_server.behaviour.flaky_failures = 2
    with api.open(tmp_path / "r.db", settings=settings_for(tmp_path, retries=2)) as ws:
        summary = ws.fetch([fetch_server.url("/flaky")])
    assert summary.stored == 1
    assert [h.status for h in fetch_server.behaviour.hits("/flaky")] == [503, 503, 200]


def test_fetch_retries_are_bounded(fetch_server, tmp_path):
    fetch_server.behaviour.flaky_failures = 10
    with api.open(tmp_path / "r.db", settings=settings_for(tmp_path, retries=1)) as ws:
        summary = ws.fetch([fetch_server.url("/flaky")])
    assert [r.code for r in summary.rejected] == ["S112"]
    assert len(fetch_server.behaviour.hits("/flaky")) == 2


def test_fetch_redirect_is_followed_to_the_final_url(fetch_server, fetch_workspace):
    summary = fetch_workspace.fetch([fetch_server.url("/redirect")])
    assert summary.stored == 1
    (article,) = fetch_workspace.articles()
    assert article.locator == fetch_server.url("/redirect")
    assert article.url == fetch_server.url("/ferry-aground.html")


def test_fetch_too_many_redirects_is_rejected(fetch_server, tmp_path):
    with api.open(tmp_path / "m.db", settings=settings_for(tmp_path, max_redirects=0)) as ws:
        summary = ws.fetch([fetch_server.url("/redirect")])
    assert [r.code for r in summary.rejected] == ["S112"]
    assert "more than 0 redirects" in summary.rejected[0].reason


def test_fetch_ssrf_private_addresses_refused_without_allow_private(fetch_server, tmp_path):
    settings = settings_for(tmp_path, allow_private=False)
    with api.open(tmp_path / "p.db", settings=settings) as ws:
        summary = ws.fetch([fetch_server.url("/ferry-aground.html"), "http://localhost:9/x"])
    assert [r.code for r in summary.rejected] == ["S113", "S113"]
    assert "non-public address 127.0.0.1" in summary.rejected[0].reason
    assert fetch_server.behaviour.log == []  # refused before any connection


@pytest.mark.parametrize(
    "url",
    [
        "http://10.1.2.3/",
        "http://192.168.0.1/admin",
        "http://169.254.169.254/latest/meta-data/",
        "http://[::1]:8080/",
        "http://[::ffff:127.0.0.1]/",
        "http://0.0.0.0/",
        "file:///etc/passwd",
        "ftp://files.example/a.html",
        "javascript:alert(1)",
        "http:///no-host",
    ],
)
def test_fetch_safety_refuses_schemes_and_private_addresses(url):
    with pytest.raises(InputError) as info:
        check_url(url, allow_private=False)
    assert info.value.code == "S113"


def test_fetch_safety_public_literal_addresses_pass():
    assert check_url("https://93.184.215.14/news", allow_private=False) == "93.184.215.14"
    assert is_public(ipaddress.ip_address("2a00:1450:4001:80b::200e"))
    assert not is_public(ipaddress.ip_address("fd00::1"))


def test_fetch_redirect_to_a_private_address_is_refused(fetch_server, tmp_path):
    fetch = settings_for(tmp_path).fetch
    with Fetcher(fetch, archive=Archive(tmp_path / "w")) as fetcher:
        # allowed for the first hop only: a checker that refuses every later one
        checked = []

        def refuse_after_first(url, *, allow_private):
            checked.append(url)
            if len(checked) > 1:
                raise InputError("S113", url, "refused")
            return "127.0.0.1"

        import storyline.fetch.client as client_module  # noqa: PLC0415

        original = client_module.check_url
        client_module.check_url = refuse_after_first
        try:
            with pytest.raises(InputError) as info:
                fetcher.fetch(fetch_server.url("/redirect"))
        finally:
            client_module.check_url = original
    assert info.value.code == "S113"
    assert checked == [fetch_server.url("/redirect"), fetch_server.url("/ferry-aground.html")]
    assert fetch_server.behaviour.hits("/ferry-aground.html") == []


def test_fetch_robots_txt_disallowed_path_is_refused(fetch_server, tmp_path):
    settings = settings_for(tmp_path, politeness=True)
    with api.open(tmp_path / "b.db", settings=settings) as ws:
        summary = ws.fetch(
            [fetch_server.url("/private/page.html"), fetch_server.url("/undated.html")]
        )
    assert summary.stored == 1
    assert [(r.code, "robots.txt" in r.reason) for r in summary.rejected] == [("S113", True)]
    assert fetch_server.behaviour.hits("/private/page.html") == []
    assert len(fetch_server.behaviour.hits("/robots.txt")) == 1


def test_fetch_politeness_one_connection_and_a_delay_per_host(fetch_server, tmp_path):
    settings = settings_for(tmp_path, politeness=True, delay=0.2, concurrency=4)
    paths = ["/ferry-aground.html", "/ferry-inquiry.html", "/ferry-refloated.html", "/undated.html"]
    with api.open(tmp_path / "p.db", settings=settings) as ws:
        summary = ws.fetch([fetch_server.url(p) for p in paths])
    assert summary.stored == 4
    hits = sorted(fetch_server.behaviour.log, key=lambda h: h.start)
    assert next(h.path for h in hits) == "/robots.txt"
    for before, after in itertools.pairwise(hits):
        # never two requests at once, and the delay between the end of one and the next
        assert after.start - before.end >= 0.19, (before.path, after.path)


def test_fetch_without_politeness_runs_requests_concurrently(fetch_server, tmp_path):
    fetch_server.behaviour.slow_seconds = 0.5
    settings = settings_for(tmp_path, concurrency=4, timeout=3.0)
    with api.open(tmp_path / "c.db", settings=settings) as ws:
        ws.fetch(
            [fetch_server.url("/slow")] * 1 + [fetch_server.url(f"/slow?{n}") for n in range(3)]
        )
    hits = fetch_server.behaviour.hits("/slow")
    assert len(hits) == 4
    # every request had started before the first one was answered
    assert max(h.start for h in hits) < min(h.end for h in hits)


def test_fetch_cli_ingest_urls_and_url_list(fetch_server, tmp_path):
    config = tmp_path / "fetch.toml"
    config.write_text(
        f'[fetch]\nallow_private = true\npoliteness = false\nretries = 0\ntimeout = 1.0\narchive_dir = "{tmp_path / "w"}"\n'
    )
    listing = tmp_path / "urls.txt"
    listing.write_text(
        f"# outlets\n{fetch_server.url('/ferry-inquiry.html')}\n\n{fetch_server.url('/status/404')}\n"
    )
    db = str(tmp_path / "s.db")
    result = runner.invoke(
        app,
        [
            "ingest",
            fetch_server.url("/ferry-aground.html"),
            "--urls",
            str(listing),
            "--db",
            db,
            "--config",
            str(config),
        ],
    )
    assert result.exit_code == EXIT_REJECTED, result.output
    assert "S112" in result.output
    with api.open(db) as ws:
        assert sorted(a.source for a in ws.articles()) == ["Northwater Post", "Tessel Gazette"]


def test_fetch_cli_refuses_loopback_by_default(fetch_server, tmp_path):
    db = str(tmp_path / "s.db")
    result = runner.invoke(app, ["ingest", fetch_server.url("/ferry-aground.html"), "--db", db])
    assert result.exit_code == EXIT_REJECTED
    assert "S113" in result.output
    assert fetch_server.behaviour.log == []


def test_fetch_connection_guard_refuses_private_address_at_connect_time(
    fetch_server, tmp_path, monkeypatch
):
    # the name check is fooled (as by DNS rebinding): the socket must still not be opened
    monkeypatch.setattr("storyline.fetch.client.check_url", lambda url, *, allow_private: "x")
    settings = settings_for(tmp_path, allow_private=False, retries=2)
    with api.open(tmp_path / "g.db", settings=settings) as ws:
        summary = ws.fetch([fetch_server.url("/ferry-aground.html")])
    assert [r.code for r in summary.rejected] == ["S113"]
    assert "non-public address 127.0.0.1" in summary.rejected[0].reason
    assert fetch_server.behaviour.log == []


def test_fetch_bulk_batch_goes_through_a_child_process_in_order(
    fetch_server, fetch_workspace, tmp_path
):
    # 70 requests, politeness off: fetched by a forked child, answered in request order
    good = [fetch_server.url(f"/ferry-aground.html?copy={n}") for n in range(60)]
    bad = [fetch_server.url(f"/status/404?n={n}") for n in range(5)] + [
        fetch_server.url("/binary")
    ] * 1
    urls = [fetch_server.url("/ferry-inquiry.html"), *good, *bad, fetch_server.url("/undated.html")]
    summary = fetch_workspace.fetch(urls)
    assert summary.stored == 3  # the 60 copies are one article
    assert summary.unchanged == 59
    assert [(r.locator, r.code) for r in summary.rejected] == [
        *((u, "S112") for u in bad[:5]),
        (bad[5], "S114"),
    ]
    warcs = list((tmp_path / "warc").glob("*.warc.gz"))
    assert len(warcs) == 1
    assert not warcs[0].name.endswith(f"-{os.getpid()}.warc.gz")  # written by the child
    assert {a.meta["warc"].split("@")[0] for a in fetch_workspace.articles()} == {str(warcs[0])}
    states = fetch_states(fetch_workspace.store, urls)
    assert states[bad[0]].error == "S112: HTTP 404 Not Found"
    assert states[good[0]].ok


def test_fetch_polite_batches_take_hosts_in_turn():
    urls = [
        "http://a.example/1",
        "http://a.example/2",
        "http://a.example/3",
        "http://b.example/1",
        "https://a.example/4",
        "http://b.example/2",
    ]
    ordered = [r.url for r in interleave_hosts([FetchRequest(u) for u in urls])]
    assert ordered == [
        "http://a.example/1",
        "http://b.example/1",
        "https://a.example/4",
        "http://a.example/2",
        "http://b.example/2",
        "http://a.example/3",
    ]


@pytest.mark.parametrize(
    ("robots", "delay"),
    [
        ("User-agent: *\nDisallow: /private/\n", 0.5),
        ("User-agent: *\nCrawl-delay: 2\n", 2.0),
        ("User-agent: *\nRequest-rate: 1/5\n", 5.0),
        ("User-agent: *\nRequest-rate: 4/1\nCrawl-delay: 0.1\n", 0.5),
    ],
)
def test_fetch_robots_crawl_delay_and_request_rate_space_requests(robots, delay):
    politeness = Politeness(enabled=True, delay=0.5, user_agent="storyline")
    assert politeness.allowed("http://news.example/a", lambda _url: (200, robots))
    assert politeness.host_delay("http://news.example/b") == delay
