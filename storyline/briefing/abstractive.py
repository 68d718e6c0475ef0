"""Optional abstractive briefings: a local OpenAI-compatible endpoint rewrites the sentences.

The extractive briefing stays the source of truth. The model only rewrites the wording of each
numbered sentence (resolve "he", drop "the agency said", join clauses); every rewritten sentence
keeps the citations, date and corroboration of the sentence it came from, so no citation can be
lost or invented. A rewrite is kept only when it invents no number and stays close to the words
of the briefing; otherwise that sentence stays extractive. Any failure of the endpoint (down,
slow, not JSON) leaves the whole briefing extractive and says why.
"""

from __future__ import annotations

import dataclasses
import json
import os
import re
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

import httpx

from storyline.claims.statements import statement_terms
from storyline.errors import ConfigError

if TYPE_CHECKING:
    from storyline.config import BriefingSettings
    from storyline.models import Briefing, BriefingSentence

__all__ = ["Endpoint", "endpoint_from", "rewrite_briefing"]

_SYSTEM_PROMPT = (
    "You edit news briefings. Rewrite each numbered sentence so that it reads well on its own "
    "and in sequence: replace pronouns with the names they stand for (use the other sentences), "
    "drop attributions to news outlets, keep every fact, name, number and date exactly, add "
    "nothing that is not in the sentences. Answer with JSON only, in the form "
    '{"sentences": [{"n": 1, "text": "..."}]}, one entry per input sentence, same numbers.'
)
_NUMBER_RE = re.compile(r"\d+(?:[.,]\d+)*")
_JSON_RE = re.compile(r"\{.*\}", re.DOTALL)
# Share of a rewrite's content words that must come from the briefing itself.
MIN_SUPPORTED = 0.6
_MAX_GROWTH = 2.0  # a rewrite this many times longer than its sentence is not a rewrite


@dataclass(frozen=True, slots=True)
class Endpoint:
    """Where the rewriting model listens: an OpenAI-compatible ``/v1`` base URL."""

    url: str  # e.g. "http://127.0.0.1:8080/v1" (llama.cpp) or "http://127.0.0.1:11434/v1"
    model: str = ""
    timeout: float = 60.0
    api_key: str = ""


def rewrite_briefing(
    briefing: Briefing, endpoint: Endpoint, *, client: httpx.Client | None = None
) -> tuple[Briefing, str | None]:
    """Return the briefing with its sentences rewritten, and why it was not when it was not.

    Returns:
        (briefing, None) when the endpoint answered: sentences whose rewrite failed the checks
        stay as they were; (the extractive briefing unchanged, reason) when it did not.
    """
    if not briefing.sentences:
        return briefing, None
    try:
        answer = _ask(briefing.sentences, endpoint, client)
        rewrites = _parse(answer, len(briefing.sentences))
    except (httpx.HTTPError, ValueError) as exc:
        note = f"abstractive briefing unavailable ({exc}); kept the extractive one"
        return dataclasses.replace(briefing, note=note), note
    vocabulary = {t for s in briefing.sentences for t in statement_terms(s.text)}
    sentences = tuple(
        _checked(sentence, rewrites.get(n, ""), vocabulary)
        for n, sentence in enumerate(briefing.sentences, start=1)
    )
    return dataclasses.replace(briefing, sentences=sentences, mode="abstractive"), None


def _ask(
    sentences: tuple[BriefingSentence, ...], endpoint: Endpoint, client: httpx.Client | None
) -> str:
    numbered = "\n".join(
        f"{n}. {f'({s.date}) ' if s.date else ''}{s.text}" for n, s in enumerate(sentences, 1)
    )
    payload: dict[str, Any] = {
        "model": endpoint.model,
        "temperature": 0,
        "messages": [
            {"role": "system", "content": _SYSTEM_PROMPT},
            {"role": "user", "content": numbered},
        ],
        "response_format": {"type": "json_object"},
    }
    headers = {"Authorization": f"Bearer {endpoint.api_key}"} if endpoint.api_key else {}
    url = endpoint.url.rstrip("/") + "/chat/completions"
    own = client is None
    http = client or httpx.Client(timeout=endpoint.timeout)
    try:
        response = http.post(url, json=payload, headers=headers)
        if response.status_code == httpx.codes.BAD_REQUEST:
            # Some servers do not know response_format; the prompt already asks for JSON.
            del payload["response_format"]
            response = http.post(url, json=payload, headers=headers)
        response.raise_for_status()
        body = response.json()
    finally:
        if own:
            http.close()
    try:
        return str(body["choices"][0]["message"]["content"])
    except (KeyError, IndexError, TypeError) as exc:
        raise ValueError("the answer is not a chat completion") from exc


def _parse(answer: str, expected: int) -> dict[int, str]:
    """Return the rewritten text per sentence number from the model's JSON answer."""
    match = _JSON_RE.search(answer)  # models wrap JSON in prose or code fences
    if match is None:
        raise ValueError("the answer holds no JSON object")
    try:
        data = json.loads(match.group())
    except json.JSONDecodeError as exc:
        raise ValueError(f"the answer is not valid JSON ({exc.msg})") from exc
    items = data.get("sentences") if isinstance(data, dict) else None
    if not isinstance(items, list):
        raise ValueError("the answer has no 'sentences' list")  # noqa: TRY004 - a bad answer, not a bug
    out: dict[int, str] = {}
    for item in items:
        if isinstance(item, dict) and isinstance(item.get("n"), int):
            text = item.get("text")
            if isinstance(text, str) and 1 <= item["n"] <= expected:
                out[item["n"]] = " ".join(text.split())
    if not out:
        raise ValueError("the answer rewrites no sentence")
    return out


def _checked(sentence: BriefingSentence, rewrite: str, vocabulary: set[str]) -> BriefingSentence:
    """Return the sentence with the rewrite's wording when the rewrite can be trusted."""
    if not rewrite or len(rewrite.split()) > _MAX_GROWTH * len(sentence.text.split()) + 10:
        return sentence
    allowed = set(_NUMBER_RE.findall(sentence.text))
    if sentence.date:  # the model may spell out the date it was given: "on 10 March 2026"
        allowed |= {part.lstrip("0") or "0" for part in sentence.date.split("-")}
        allowed |= set(sentence.date.split("-"))
    if not set(_NUMBER_RE.findall(rewrite)) <= allowed:
        return sentence  # a number the sources do not give
    terms = statement_terms(rewrite)
    supported = sum(t in vocabulary for t in terms) / len(terms) if terms else 0.0
    if supported < MIN_SUPPORTED:
        return sentence
    return dataclasses.replace(sentence, text=rewrite)


def endpoint_from(settings: BriefingSettings) -> Endpoint:
    """Return the endpoint the ``[briefing]`` settings name.

    Raises:
        ConfigError: abstractive mode without an endpoint URL.
    """
    if not settings.endpoint:
        raise ConfigError(
            'briefing.mode = "abstractive" needs briefing.endpoint, an OpenAI-compatible '
            'base URL such as "http://127.0.0.1:8080/v1"'
        )
    key = os.environ.get(settings.api_key_env, "") if settings.api_key_env else ""
    return Endpoint(settings.endpoint, settings.model, settings.timeout, key)
