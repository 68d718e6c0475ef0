from __future__ import annotations

import json
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import TYPE_CHECKING

import pytest

from storyline.briefing.abstractive import Endpoint, endpoint_from, rewrite_briefing
from storyline.briefing.select import to_json
from storyline.config import load_settings
from storyline.errors import ConfigError
from storyline.models import Briefing, BriefingSentence
from tests.conftest import make_article

if TYPE_CHECKING:
    from pathlib import Path

BRIEFING = Briefing(
    story_id="s-1",
    sentences=(
        BriefingSentence(
            "The Kestrin Dam gave way before dawn, flooding Lowgate.",
            ("a1", "a2"),
            date="2031-03-10",
            corroboration="corroborated",
        ),
        BriefingSentence(
            "He said 14 people had died, the agency reported.",
            ("a2",),
            date="2031-03-11",
            corroboration="single_source",
        ),
    ),
)


class FakeModel:
    """An OpenAI-compatible chat endpoint on 127.0.0.1 that answers what a test sets."""

    def __init__(self) -> None:
        self.status = 200
        self.content = ""
        self.reject_response_format = False
        self.requests: list[dict] = []
        owner = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self) -> None:
                body = json.loads(self.rfile.read(int(self.headers["Content-Length"])))
                owner.requests.append({"path": self.path, "body": body})
                status = owner.status
                if owner.reject_response_format and "response_format" in body:
                    status = 400
                reply = {"choices": [{"message": {"role": "assistant", "content": owner.content}}]}
                data = json.dumps(reply).encode()
                self.send_response(status)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(data)))
                self.end_headers()
                self.wfile.write(data)

            def log_message(self, *args: object) -> None:
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}/v1"
        threading.Thread(target=self.server.serve_forever, daemon=True).start()

    def answer(self, *texts: str) -> None:
        items = [{"n": n, "text": t} for n, t in enumerate(texts, start=1)]
        self.content = "```json\n" + json.dumps({"sentences": items}) + "\n```"


@pytest.fixture
def model():
    fake = FakeModel()
    yield fake
    fake.server.shutdown()
    fake.server.server_close()


def test_abstractive_rewrites_keep_each_sentences_citations(model):
    model.answer(
        "The Kestrin Dam gave way before dawn on 10 March, flooding Lowgate.",
        "The flood agency said 14 people had died.",
    )
    briefing, note = rewrite_briefing(BRIEFING, Endpoint(model.url, model="local", timeout=5))
    assert note is None
    assert briefing.mode == "abstractive"
    assert [s.text for s in briefing.sentences] == [
        "The Kestrin Dam gave way before dawn on 10 March, flooding Lowgate.",
        "The flood agency said 14 people had died.",
    ]
    assert [s.citations for s in briefing.sentences] == [("a1", "a2"), ("a2",)]
    assert [s.corroboration for s in briefing.sentences] == ["corroborated", "single_source"]
    request = model.requests[0]
    assert request["path"] == "/v1/chat/completions"
    assert request["body"]["model"] == "local"
    assert "2. (2031-03-11) He said 14 people" in request["body"]["messages"][1]["content"]
    assert to_json(briefing)["mode"] == "abstractive"


def test_abstractive_a_rewrite_with_an_invented_number_keeps_the_original(model):
    model.answer(
        "The Kestrin Dam gave way before dawn, flooding Lowgate.",
        "He said 19 people had died.",  # 19 is nowhere in the sources
    )
    briefing, _ = rewrite_briefing(BRIEFING, Endpoint(model.url, timeout=5))
    assert briefing.sentences[1] == BRIEFING.sentences[1]


def test_abstractive_a_rewrite_about_something_else_keeps_the_original(model):
    model.answer("Markets in Estmark rallied as chip exports soared to new highs.", "")
    briefing, _ = rewrite_briefing(BRIEFING, Endpoint(model.url, timeout=5))
    assert briefing.sentences == BRIEFING.sentences


def test_abstractive_retries_without_response_format_when_the_server_rejects_it(model):
    model.reject_response_format = True
    model.answer("The Kestrin Dam failed before dawn, flooding Lowgate.")
    briefing, note = rewrite_briefing(BRIEFING, Endpoint(model.url, timeout=5))
    assert note is None
    assert briefing.sentences[0].text == "The Kestrin Dam failed before dawn, flooding Lowgate."
    assert briefing.sentences[1] == BRIEFING.sentences[1]  # not rewritten: stays as it was
    assert ["response_format" in r["body"] for r in model.requests] == [True, False]


@pytest.mark.parametrize(
    ("status", "content"),
    [(500, ""), (200, "I cannot help with that."), (200, '{"sentences": "none"}')],
)
def test_abstractive_failures_fall_back_to_the_extractive_briefing(model, status, content):
    model.status, model.content = status, content
    briefing, note = rewrite_briefing(BRIEFING, Endpoint(model.url, timeout=5))
    assert briefing.sentences == BRIEFING.sentences
    assert briefing.mode == "extractive"
    assert note
    assert note == briefing.note
    assert "kept the extractive one" in note


def test_abstractive_unreachable_endpoint_falls_back():
    briefing, note = rewrite_briefing(BRIEFING, Endpoint("http://127.0.0.1:9/v1", timeout=2))
    assert briefing.sentences == BRIEFING.sentences
    assert note


def test_abstractive_mode_needs_an_endpoint(tmp_path):
    config = tmp_path / "storyline.toml"
    config.write_text('[briefing]\nmode = "abstractive"\n')
    settings = load_settings(config)
    assert settings.briefing.mode == "abstractive"
    with pytest.raises(ConfigError, match=r"briefing\.endpoint"):
        endpoint_from(settings.briefing)
    assert load_settings(None).briefing.mode == "extractive"  # off by default


def test_abstractive_briefing_stage_rewords_through_the_configured_endpoint(model, tmp_path):
    from storyline.briefing import stage  # noqa: PLC0415 - the stage, as `storyline run` calls it
    from storyline.builtin_stages import endpoint_of  # noqa: PLC0415

    text = "The Kestrin Dam gave way before dawn on Tuesday, flooding the Lowgate district."
    articles = tuple(
        make_article(aid, "Dam fails", text, "2031-03-11", source=source)
        for aid, source in (("a1", "Coast Post"), ("a2", "Valley Wire"))
    )
    config = tmp_path / "storyline.toml"
    config.write_text(f'[briefing]\nmode = "abstractive"\nendpoint = "{model.url}"\n')
    settings = load_settings(config)
    options = {"max_sentences": settings.briefing.max_sentences, "endpoint": endpoint_of(settings)}
    model.answer("The Kestrin Dam failed before dawn on Tuesday, flooding Lowgate.")

    _, _, briefing = stage.brief_storyline(
        stage.BriefingTask("s-1", articles, {}, frozenset(), **options)
    )

    assert briefing["mode"] == "abstractive"
    (sentence,) = briefing["sentences"]
    assert sentence["text"] == "The Kestrin Dam failed before dawn on Tuesday, flooding Lowgate."
    assert sentence["citations"] == ["a1", "a2"]


def _dam_corpus(tmp_path: Path, model: FakeModel) -> tuple[Path, Path]:
    """Two outlets' reports of one dam failure, and a config that rewords through ``model``."""
    corpus = tmp_path / "corpus"
    corpus.mkdir()
    text = "The Kestrin Dam gave way before dawn on Tuesday, flooding the Lowgate district."
    for name in ("coast", "valley"):
        (corpus / f"{name}.txt").write_text(f"Dam fails in {name} report\n\n{text}\n")
    config = tmp_path / "storyline.toml"
    config.write_text(f'[briefing]\nmode = "abstractive"\nendpoint = "{model.url}"\n')
    return corpus, config


def test_abstractive_endpoint_is_called_once_per_briefing_per_run(model, tmp_path):
    import storyline  # noqa: PLC0415

    corpus, config = _dam_corpus(tmp_path, model)
    model.answer("The Kestrin Dam failed before dawn on Tuesday, flooding Lowgate.")
    with storyline.open(tmp_path / "x.db", settings=load_settings(config)) as workspace:
        workspace.ingest([corpus])
        workspace.run(workers=1)
        called = len(model.requests)
        (storyline_row,) = workspace.store.stories(level="storyline")
        assert called >= 1
        briefing = workspace.briefing(storyline_row.id)  # what the run stored: no call
        assert len(model.requests) == called
        assert briefing.mode == "abstractive"
        assert [s.text for s in briefing.sentences] == [
            "The Kestrin Dam failed before dawn on Tuesday, flooding Lowgate."
        ]
        assert [a for a, _, _ in briefing.titles] == list(briefing.sentences[0].citations)
        again = workspace.briefing(storyline_row.id, max_sentences=3)  # another size: rebuilt
        assert len(model.requests) == called + 1
        assert to_json(again) == to_json(briefing)  # the stored one reads back whole
        plain = workspace.briefing(storyline_row.id, mode="extractive")  # another mode
        assert len(model.requests) == called + 1
        assert plain.mode == "extractive"
        assert plain.sentences[0].text.startswith("The Kestrin Dam gave way")


def test_abstractive_endpoint_is_not_called_for_a_storyline_that_did_not_change(model, tmp_path):
    import storyline  # noqa: PLC0415

    corpus, config = _dam_corpus(tmp_path, model)
    later = tmp_path / "later.txt"
    later.write_text(
        "Orchard growers plant apple trees\n\nGrowers in the Ferrow valley planted 4,000 young "
        "apple trees on Saturday, the orchard cooperative said in its spring newsletter.\n"
    )
    model.answer("The Kestrin Dam failed before dawn on Tuesday, flooding Lowgate.")
    with storyline.open(tmp_path / "x.db", settings=load_settings(config)) as workspace:
        workspace.ingest([corpus])
        workspace.run(workers=1)
        dam = {s.id: workspace.store.stored_briefing(s.id) for s in workspace.store.stories()}
        called = len(model.requests)
        workspace.ingest([later])
        workspace.run(workers=1)
        new = [s for s in workspace.store.stories() if s.id not in dam]
        asked = "\n".join(str(r["body"]) for r in model.requests[called:])
        assert all(workspace.store.stored_briefing(sid) == doc for sid, doc in dam.items())
    assert new  # the orchard article is a story of its own
    assert len(model.requests) - called == len(new)  # one call per new story, none for the dam
    assert "Kestrin" not in asked


def test_abstractive_a_briefing_the_endpoint_failed_is_asked_for_again_with_nothing_new(
    model, tmp_path
):
    import storyline  # noqa: PLC0415

    corpus, config = _dam_corpus(tmp_path, model)
    model.status = 500  # the endpoint is down for the first run
    with storyline.open(tmp_path / "x.db", settings=load_settings(config)) as workspace:
        workspace.ingest([corpus])
        workspace.run(workers=1)
        (row,) = workspace.store.stories(level="storyline")
        assert workspace.store.stored_briefing(row.id).mode == "extractive"
        model.status = 200  # back up: a rerun with no new article rewords it
        model.answer("The Kestrin Dam failed before dawn on Tuesday, flooding Lowgate.")
        workspace.run(workers=1)
        assert workspace.store.stored_briefing(row.id).mode == "abstractive"
