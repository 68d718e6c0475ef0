"""Quote extraction: seeds (read from ../shared) and hand-made sentences for each form."""

from __future__ import annotations

from typing import TYPE_CHECKING

import pytest

from storyline.extract.entities import find_mentions, merge_entities
from storyline.extract.quotes.find import _appositive_person, canonicalise_speakers, find_quotes
from tests.conftest import shared_path

if TYPE_CHECKING:
    from spacy.language import Language

    from storyline.models import Quote


@pytest.fixture(scope="module")
def seed_quotes(nlp: Language) -> dict[str, list[Quote]]:
    out = {}
    for path in sorted(shared_path("seeds").glob("0*.txt")):
        title, body = path.read_text(encoding="utf-8").split("\n", 1)
        out[path.stem] = find_quotes(nlp(body), path.stem, title=title)
    return out


def _quote(quotes: list[Quote], start: str) -> Quote:
    found = [q for q in quotes if start in q.text]
    assert found, f"no quote with {start!r}"
    return min(found, key=lambda q: len(q.text))  # the innermost quote holding the words


def _all(seed_quotes: dict[str, list[Quote]]) -> list[Quote]:
    return [q for qs in seed_quotes.values() for q in qs]


@pytest.mark.parametrize(
    ("start", "speaker"),
    [
        ("There is no need to play on words", "Vladimir Putin"),
        ("As a result of Russian air strikes", "Andrei Kartapolov"),
        ("The only goal we must have is fighting Daesh", "Francois Hollande"),
        ("We think it is an enormous mistake", "Putin"),
        ("We are now thinking about this", "Vladimir Putin"),
        ("Unfortunately, people from the former", "Vladimir Putin"),
        ("issues regarding the fight against", "Dmitry Peskov"),
    ],
)
def test_quotes_seed_speakers(
    seed_quotes: dict[str, list[Quote]], start: str, speaker: str
) -> None:
    quote = _quote(_all(seed_quotes), start)
    assert quote.speaker == speaker
    assert quote.kind in {"direct", "mixed"}


def test_quotes_seed_description_speakers_resolve(seed_quotes: dict[str, list[Quote]]) -> None:
    by_text = {q.speaker_text: q.speaker for q in _all(seed_quotes) if q.speaker_text}
    assert by_text["the French president"] == "Francois Hollande"
    assert by_text["The Russian leader"] == "Vladimir Putin"


def test_quotes_seed_split_pieces_join(seed_quotes: dict[str, list[Quote]]) -> None:
    quote = _quote(_all(seed_quotes), "There is no need to play on words")
    article = shared_path("seeds", f"{quote.article_id}.txt").read_text(encoding="utf-8")
    body = article.split("\n", 1)[1]
    assert body[quote.start : quote.end].startswith("There is no need")
    assert not body[quote.start : quote.end].startswith(('"', "“"))


def test_quotes_seed_headline_name_never_speaks(seed_quotes: dict[str, list[Quote]]) -> None:
    assert all(q.speaker != "John Kerry" for q in _all(seed_quotes))


def test_quotes_seed_nested_assad_inside_putin(seed_quotes: dict[str, list[Quote]]) -> None:
    quotes = _all(seed_quotes)
    inner = _quote(quotes, "fine with that")
    assert inner.speaker == "Bashar al-Assad"
    outer = next(q for q in quotes if q.id == inner.nested_in)
    assert outer.speaker == "Vladimir Putin"
    assert outer.start <= inner.start
    assert inner.end <= outer.end


def _one(nlp: Language, text: str, title: str = "") -> list[Quote]:
    return find_quotes(nlp(text), "a1", title=title)


@pytest.mark.parametrize(
    "text",
    [
        'Jane Okafor spoke on Monday. "We will win the vote," Okafor said.',
        'Jane Okafor spoke on Monday. Okafor said: "We will win the vote."',
        'Jane Okafor spoke on Monday. "We will win the vote," said Ms Okafor.',
        "Jane Okafor spoke on Monday.\n“We will win the vote,” she told reporters.",
        'The minister was upbeat.\n"We will win the vote." —Jane Okafor',
    ],
)
def test_quotes_direct_forms(nlp: Language, text: str) -> None:
    quote = _quote(_one(nlp, text), "We will win the vote")
    assert quote.speaker == "Jane Okafor"
    assert quote.text.startswith("We will win the vote")
    assert nlp(text).text[quote.start : quote.end].startswith("We will win")


def test_quotes_one_quotation_broken_by_its_cue_is_one_verbatim_record(nlp: Language) -> None:
    # Issue #18: joining pieces with a space printed words nobody wrote; the record is the
    # passage as printed (cue included), never an edited sentence.
    text = 'Jane Okafor arrived late. "We will win," she said, "and we will win soon."'
    [quote] = [q for q in _one(nlp, text) if q.kind == "direct"]
    assert quote.text == 'We will win," she said, "and we will win soon.'
    assert quote.speaker == "Jane Okafor"
    assert text[quote.start : quote.end] == quote.text


def test_quotes_two_quotations_are_never_one_record(nlp: Language) -> None:
    text = (
        'The aim is to "stop the fighting in the east," Tom Brandt said. '
        '"To do that, we need every army in the region."'
    )
    quotes = [q for q in _one(nlp, text) if q.kind in {"direct", "mixed"}]
    assert "To do that" not in quotes[0].text
    second = _quote(quotes, "To do that")
    assert second.text.startswith("To do that")
    assert second.speaker == "Tom Brandt"
    assert all(q.text in text[q.start : q.end] for q in quotes)


def test_quotes_multi_paragraph(nlp: Language) -> None:
    text = 'Tom Brandt spoke first.\n"The plan is ready and the money is there.\n"We start in May," Brandt said.'
    quotes = _one(nlp, text)
    quote = _quote(quotes, "The plan is ready")
    assert quote.speaker == "Tom Brandt"
    assert _quote(quotes, "We start in May").speaker == "Tom Brandt"
    assert all(text[q.start : q.end] == q.text for q in quotes)


def test_quotes_transcript_form(nlp: Language) -> None:
    text = (
        "OKAFOR: We will win the vote tomorrow, I promise.\nHOLT: What about the north?\n"
        "OKAFOR: The north is ours as well.\nHOLT: Thank you, senator, for coming."
    )
    quote = _quote(_one(nlp, text), "We will win")
    assert quote.speaker_text == "OKAFOR"


def test_quotes_page_furniture_labels_never_speak(nlp: Language) -> None:
    # Issue #18: "READ MORE:", "WATCH:" and all-caps section labels are page furniture.
    text = (
        "READ MORE: Ferry fares to rise in spring for all island routes\n"
        "ENERGY: Crude oil slipped on Tuesday as stocks rose in Asia.\n"
        "WATCH: The storm hits the pier at high tide\n"
        'Port director Elena Vasquez spoke on Monday. "We open in June," Vasquez said.'
    )
    quotes = _one(nlp, text)
    assert [(q.speaker, q.text) for q in quotes] == [("Elena Vasquez", "We open in June,")]


def test_quotes_indirect_and_according_to(nlp: Language) -> None:
    quotes = _one(
        nlp,
        "Jane Okafor said the government might resign next week. "
        "According to Tom Brandt, the talks failed on Friday.",
    )
    resign = _quote(quotes, "government might resign")
    assert (resign.speaker, resign.kind, resign.cue) == ("Jane Okafor", "indirect", "said")
    talks = _quote(quotes, "the talks failed")
    assert (talks.speaker, talks.cue) == ("Tom Brandt", "according to")
    assert "According" not in talks.text


def test_quotes_pronoun_resolves_to_previous_body_person(nlp: Language) -> None:
    text = 'Tom Brandt met the press on Monday. "Nothing has changed at all," he said.'
    quote = _quote(_one(nlp, text, title="Jane Okafor talks"), "Nothing has changed")
    assert quote.speaker == "Tom Brandt"
    assert quote.speaker_text == "he"


def test_quotes_pronoun_skips_person_of_other_gender(nlp: Language) -> None:
    text = 'Ms. Jane Okafor spoke first. Then Mr. Tom Brandt spoke. "We will see," she said.'
    assert _quote(_one(nlp, text), "We will see").speaker == "Jane Okafor"


def test_quotes_headline_never_supplies_speaker(nlp: Language) -> None:
    quote = _quote(
        _one(nlp, '"Nothing has changed at all," he said.', title="Tom Brandt speaks"), "Nothing"
    )
    assert quote.speaker is None


def test_quotes_nested_quote_gets_its_own_speaker(nlp: Language) -> None:
    text = "Jane Okafor described the meeting. \"I met Tom Brandt. He said: 'I am fine with that plan.'\" Okafor said."
    quotes = _one(nlp, text)
    inner = _quote(quotes, "I am fine with that plan")
    assert inner.speaker == "Tom Brandt"
    outer = next(q for q in quotes if q.id == inner.nested_in)
    assert outer.speaker == "Jane Okafor"


@pytest.mark.parametrize(
    "text",
    [
        'He said "this never ends. And so on',
        "“Open ” close ” again “",
        "'''\"\"\"",
        "",
        '"',
        "Mr O'Neil's dog's",
    ],
)
def test_quotes_unbalanced_marks_never_raise(nlp: Language, text: str) -> None:
    for quote in _one(nlp, text):
        assert 0 <= quote.start <= quote.end <= len(text)


def test_quotes_ids_are_stable(nlp: Language) -> None:
    text = '"We will win the vote," Jane Okafor said.'
    assert [q.id for q in _one(nlp, text)] == [q.id for q in _one(nlp, text)]


def test_quotes_canonicalise_speakers_uses_merged_entity(nlp: Language) -> None:
    docs = {
        "a1": nlp('Russian President Vladimir Putin spoke. "We are ready to talk," Putin said.'),
        "a2": nlp('"We are ready to talk," said Mr Putin on Friday.'),
    }
    mentions = [m for aid, doc in docs.items() for m in find_mentions(doc, aid)]
    entities, mention_map = merge_entities(mentions)
    quotes = [q for aid, doc in docs.items() for q in find_quotes(doc, aid)]
    canon = canonicalise_speakers(quotes, entities, mention_map)
    putin = next(e for e in entities if e.name == "Vladimir Putin")
    assert {q.speaker for q in canon} == {"Vladimir Putin"}
    assert {q.speaker_entity_id for q in canon} == {putin.id}


def test_quotes_as_put_it_joins_the_clause_around_the_cue(nlp: Language) -> None:
    text = "Tom Brandt runs the fund. The plan, as Brandt put it, is a bet on cheap money."
    quote = _quote(_one(nlp, text), "bet on cheap money")
    assert quote.speaker == "Tom Brandt"
    assert quote.text == "The plan is a bet on cheap money"


def test_quotes_parenthetical_cue_leaves_the_clause_whole(nlp: Language) -> None:
    text = "Jane Okafor spoke at noon. Acts of protest, Okafor said, are acts of patriotism."
    quote = _quote(_one(nlp, text), "acts of patriotism")
    assert quote.speaker == "Jane Okafor"
    assert quote.text == "Acts of protest are acts of patriotism"


def test_quotes_stance_verbs_with_a_named_object(nlp: Language) -> None:
    quotes = _one(nlp, "Senator Jane Okafor denounced Moscow on Friday.")
    quote = _quote(quotes, "Moscow")
    assert (quote.speaker, quote.cue, quote.text) == ("Jane Okafor", "denounced", "Moscow")


def test_quotes_pronoun_prefers_the_recent_speaker(nlp: Language) -> None:
    text = (
        "Mark Hollis said the rules were clear. Then Tom Brandt nodded. "
        '"We followed them," he said.'
    )
    assert _quote(_one(nlp, text), "We followed them").speaker == "Mark Hollis"


def test_quotes_first_name_gives_pronoun_gender(nlp: Language) -> None:
    text = 'Hillary Okafor spoke first. Then Tom Brandt spoke. "We will win," she said.'
    assert _quote(_one(nlp, text), "We will win").speaker == "Hillary Okafor"


def test_quotes_time_stamp_paragraph_is_not_a_speaker(nlp: Language) -> None:
    text = "Tom Brandt arrived.\n\n___.\n\n12:15 p.m.\n\nJane Okafor says the vote will go ahead."
    quote = _quote(_one(nlp, text), "the vote will go ahead")
    assert quote.speaker == "Jane Okafor"


def test_quotes_modal_cue_and_writer_voice_are_not_attributions(nlp: Language) -> None:
    text = (
        "Jane Okafor would argue that taxes are too high. "
        "I believe the plan is sound and fair to everyone."
    )
    texts = [q.text for q in _one(nlp, text)]
    assert not any("taxes are too high" in t for t in texts)
    assert not any("plan is sound" in t for t in texts)


def test_quotes_show_titles_are_not_quotes(nlp: Language) -> None:
    text = 'Jane Okafor told "Morning Report" on Friday that the vote will go ahead.'
    quotes = _one(nlp, text)
    assert all(q.text != "Morning Report" for q in quotes)


def test_quotes_intent_noun_with_infinitive(nlp: Language) -> None:
    text = "Jane Okafor's decision to leave the council surprised everyone."
    quote = _quote(_one(nlp, text), "to leave the council")
    assert (quote.speaker, quote.cue) == ("Jane Okafor", "decision")


def test_quotes_nested_cue_with_pronoun_subject_belongs_to_outer_speaker(nlp: Language) -> None:
    text = (
        "Mayor Jane Okafor toured the site on Monday and said she thought the repairs were "
        '"a very big mistake" for the town.'
    )
    quote = _quote(_one(nlp, text), "she thought")
    assert quote.speaker == "Jane Okafor"
    assert quote.cue == "said"
    assert quote.text.endswith("for the town")


def test_quotes_one_word_person_named_once_is_no_rival_for_he(nlp: Language) -> None:
    text = (
        "In his 2002 book, Mr. Kevin Dorr suggested cutting costs.\n\nHarsh? He does not think "
        'so. "I never judge what people spend money on," he said.'
    )
    assert _quote(_one(nlp, text), "I never judge").speaker == "Kevin Dorr"


def test_quotes_description_with_person_in_apposition_is_that_person(nlp: Language) -> None:
    doc = nlp("The minister of the economy, Mr. Brandt Ruiz, argues there is little point.")
    head = next(t for t in doc if t.lower_ == "minister")
    assert _appositive_person(doc, head) == "Brandt Ruiz"
