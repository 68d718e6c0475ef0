"""Speaker rules of issue #18 on short fictional texts: each rule's case, right and wrong side."""

from __future__ import annotations

from typing import TYPE_CHECKING

from spacy.tokens import Doc

from storyline.extract.quotes.cue_subject import bare_surnames
from storyline.extract.quotes.find import find_quotes
from storyline.extract.quotes.speakers import SELF_PRONOUNS

if TYPE_CHECKING:
    from spacy.language import Language


def _speakers(nlp: Language, text: str) -> dict[str, str | None]:
    return {q.text: q.speaker for q in find_quotes(nlp(text), "t")}


def test_it_is_the_named_body_before_it(nlp: Language) -> None:
    text = (
        "The Harbor Fund cut its forecast on Tuesday. "
        "It said that exports from Norland would fall by a third next year."
    )
    assert _speakers(nlp, text) == {
        "that exports from Norland would fall by a third next year": "Harbor Fund"
    }


def test_it_for_an_unnamed_thing_names_nobody(nlp: Language) -> None:
    # the nearest agreeing subject is "The letter": "it" is the letter, not the farther name
    text = (
        "Mayor Ann Reyes wrote to the council on Monday. The letter arrived a day late. "
        "It says the budget must be cut by a tenth."
    )
    quotes = find_quotes(nlp(text), "t")
    assert all(q.speaker != "Ann Reyes" for q in quotes if q.text.startswith("the budget"))


def test_they_are_the_two_people_named_before(nlp: Language) -> None:
    text = (
        "Senator Mark Dole and Senator Ruth Vance want the program changed.\n\n"
        "The program has grown far beyond its purpose, they say."
    )
    assert _speakers(nlp, text)["The program has grown far beyond its purpose"] == (
        "Mark Dole and Ruth Vance"
    )


def test_they_for_unnamed_insiders_names_nobody(nlp: Language) -> None:
    text = (
        "Kevin Marsh ran the studio for a decade, according to former employees. "
        "They said he shouted at junior staff every week."
    )
    quotes = find_quotes(nlp(text), "t")
    said = [q for q in quotes if q.text.startswith("he shouted")]
    assert said
    assert all(q.speaker is None for q in said)


def test_object_controls_the_infinitive(nlp: Language) -> None:
    text = (
        "Senator Ruth Vance forced Tom Brandt, the bank's chief, to admit that no executive "
        "had been punished."
    )
    speakers = _speakers(nlp, text)
    assert speakers == {"that no executive had been punished": "Tom Brandt"}


def test_long_apposition_before_the_verb(nlp: Language) -> None:
    text = (
        '"It is an invasion of the state\'s domain," Carl Mendes, the Republican attorney '
        "general of the state of Westland since early 2019, said on Friday."
    )
    assert _speakers(nlp, text) == {"It is an invasion of the state's domain,": "Carl Mendes"}


def test_a_letter_reads(nlp: Language) -> None:
    text = (
        "A group of parents sent a letter to the board.\n\n"
        '"We see our children thriving in these schools," the letter reads.'
    )
    quotes = find_quotes(nlp(text), "t")
    assert [(q.text, q.speaker_text) for q in quotes] == [
        ("We see our children thriving in these schools,", "the letter")
    ]


def test_quoted_transcript_label_is_the_speaker(nlp: Language) -> None:
    text = (
        '"HOLT: Governor, will you be at the debate tomorrow night in the city?\n\n'
        '"KAINE: I will be there, and so will everyone who works for the campaign.\n\n'
        '"HOLT: Thank you for joining us this morning, Governor.\n\n'
        '"KAINE: Thank you for having me on the program again."'
    )
    quotes = find_quotes(nlp(text), "t")
    assert [q.speaker_text for q in quotes] == ["HOLT", "KAINE", "HOLT", "KAINE"]


def test_a_quoted_show_title_is_not_the_speaker(nlp: Language) -> None:
    text = (
        '"He is right about the army," Dale Crane, a senior adviser, said Thursday on '
        'Channel Five\'s "Dawn and Friends."'
    )
    speakers = _speakers(nlp, text)
    assert speakers["He is right about the army,"] == "Dale Crane"


def test_the_author_of_a_speech(nlp: Language) -> None:
    text = (
        "The tax is meant to curb short-term trading, according to a speech Ann Reyes "
        "delivered in Harbor City last year."
    )
    assert _speakers(nlp, text) == {"The tax is meant to curb short-term trading": "Ann Reyes"}


def test_a_description_by_its_title_alone(nlp: Language) -> None:
    text = (
        "Sen. Lena Graves has criticised the plan since May.\n\n"
        "In June, the Westland senator said that the plan would ruin small farms."
    )
    assert _speakers(nlp, text)["that the plan would ruin small farms"] == "Lena Graves"


def test_he_continues_the_subject_of_the_new_paragraph(nlp: Language) -> None:
    # centering: the person who speaks in the sentence before "he" beats one quoted earlier
    text = (
        '"The budget is late again," said Nora Bell, a council member.\n\n'
        "Council member Peter Oduya largely agreed with Bell.\n\n"
        '"We have waited long enough," he said.'
    )
    assert _speakers(nlp, text)["We have waited long enough,"] == "Peter Oduya"


def test_he_stays_with_the_speaker_of_the_same_paragraph(nlp: Language) -> None:
    # the wrong side: within the paragraph of the speaker's cue, that speaker stays
    text = (
        "Mark Hollis said the rules were clear. Then Tom Brandt nodded. "
        '"We followed them," he said.'
    )
    assert _speakers(nlp, text)["We followed them,"] == "Mark Hollis"


def test_she_is_not_her_fathers_surname(nlp: Language) -> None:
    # "Trump" votes male (Donald); "Ivanka Trump" is decided by her own first name, or unknown
    text = (
        "Donald Trump unveiled a plan on Monday. Donald Trump said it would help families.\n\n"
        '"It is unfair to fathers," said Carla Moreno, an analyst.\n\n'
        "His daughter Ivanka Trump acknowledged the problem in an essay last week.\n\n"
        '"Single mothers carry most of the burden," she wrote.'
    )
    assert _speakers(nlp, text)["Single mothers carry most of the burden,"] == "Ivanka Trump"


def test_who_is_a_person_not_the_place_named_after_them(nlp: Language) -> None:
    text = (
        "The move is meant to calm nervous Democrats on Capitol Hill, who have argued that "
        "the plan helps candidates in close races."
    )
    speakers = _speakers(nlp, text)
    assert speakers["that the plan helps candidates in close races"] != "Capitol Hill"


def test_who_follows_the_nearest_conjunct(nlp: Language) -> None:
    text = (
        "Guests included celebrities like Oprah Winfrey, Will Smith, Robert De Niro and "
        "Stevie Wonder, who joked of the museum, \"I haven't seen it yet, but I'm going to.\""
    )
    quotes = find_quotes(nlp(text), "t")
    assert [q.speaker for q in quotes if q.text.startswith("I haven't")] == ["Stevie Wonder"]


def test_who_on_an_apposition_is_the_person(nlp: Language) -> None:
    text = (
        '"These are strange days," said Peter Morgan, a lawyer for the Sierra Club, who has '
        "argued that the mine cannot be reopened."
    )
    assert _speakers(nlp, text)["that the mine cannot be reopened"] == "Peter Morgan"


def test_a_free_adjunct_after_said_is_the_speakers(nlp: Language) -> None:
    # ", suggesting ..." after "Sanders said" is his, though the parser hangs it on the quote
    text = (
        '"The voters do not agree with Mr. Dunmore," Ortega said, suggesting a few questions, '
        'including, "Mr. Dunmore, do you really think that billionaires need a tax break?"'
    )
    quotes = find_quotes(nlp(text), "t")
    assert {q.speaker for q in quotes} == {"Ortega"}


def test_who_after_a_place_that_stands_for_its_people(nlp: Language) -> None:
    # the wrong side: "criticism" cannot be "who"; the West (its people) stays the speaker
    text = (
        "The campaign has come under severe criticism from the West, who claim the strikes "
        "hit groups opposed to the government."
    )
    speakers = _speakers(nlp, text)
    assert speakers["the strikes hit groups opposed to the government"] == "West"


def test_a_bare_surname_the_tagger_missed_is_a_subject(nlp: Language) -> None:
    # "Ham" alone untagged, "Norman Ham" named before: the subject is that person
    words = ["Norman", "Ham", "spoke", ".", "Ham", "made", "it", "clear", "."]
    doc = Doc(
        nlp.vocab,
        words=words,
        pos=["PROPN", "PROPN", "VERB", "PUNCT", "PROPN", "VERB", "PRON", "ADJ", "PUNCT"],
        deps=["compound", "nsubj", "ROOT", "punct", "nsubj", "ROOT", "nsubj", "ccomp", "punct"],
        heads=[1, 2, 2, 2, 5, 5, 7, 5, 5],
        ents=["B-PERSON", "I-PERSON", "O", "O", "O", "O", "O", "O", "O"],
    )
    assert bare_surnames(doc, {"ham": "Norman Ham"}) == [(4, "Ham", True)]
    assert bare_surnames(doc, {"ham": "Ham"}) == []  # never named in full: no one known


def test_a_paragraph_opens_a_main_clause_for_he(nlp: Language) -> None:
    # the parser runs the sentence on past the closing quote; "Anderson" still opens a
    # paragraph and is the centre "he" continues, not the speaker quoted before
    text = (
        "\u201cIt\u2019s not something that she continuously says,\u201d McKenna said. She "
        "continued, \u201cWhen the media dies down on that, and she\u2019s still saying it \u2026 "
        "that would help.\u201d\n\nAnderson largely agreed with McKenna and seemed to think the "
        "outreach to young voters was somewhat phony.\n\n\u201cA lot of her attempts to reach "
        "out come across as pandering,\u201d he said."
    )
    quote = next(q for q in find_quotes(nlp(text), "t") if q.text.startswith("A lot of her"))
    assert quote.speaker == "Anderson"


def test_she_continues_the_same_pronoun_past_a_name_in_an_object(nlp: Language) -> None:
    # centering "continue": the second "She" is the first one (Mara Lind), not the woman named
    # in an apposition between them
    text = (
        '"Own it, be the voice that people hear," Mara Lind said.\n\n'
        "She has faced a number of controversies - most recently her decision to meet with Tom "
        "Voss while the department was investigating his wife, Clara Voss. She has called the "
        "police shootings a moment similar to the civil rights movement."
    )
    quote = next(q for q in find_quotes(nlp(text), "t") if q.text.startswith("the police"))
    assert quote.speaker == "Mara Lind"


def test_a_nested_quote_in_the_speakers_own_voice_is_no_second_source(nlp: Language) -> None:
    text = (
        '"Many of the visitors were older, and I had to step back and think, '
        "'This is their lives,'\" said Dana Rowe."
    )
    quotes = find_quotes(nlp(text), "t")
    outer = next(q for q in quotes if q.nested_in is None and "visitors" in q.text)
    assert outer.speaker == "Dana Rowe"
    assert all(q.speaker is None for q in quotes if q.nested_in is not None)


def test_a_nested_quote_the_speaker_said_before_is_theirs(nlp: Language) -> None:
    # the right side: "I told him, '...'" reports words the speaker said (past tense)
    text = (
        "\u201cI told him at half-time, \u2018Be brave, you will get one chance,\u2019 and he "
        "took it,\u201d said Gwen Marlow, the manager."
    )
    inner = [q for q in find_quotes(nlp(text), "t") if q.nested_in is not None]
    assert [q.speaker for q in inner] in ([], ["Gwen Marlow"])
    assert all(q.speaker == "Gwen Marlow" for q in inner)


def test_the_listener_of_a_directive_is_no_speaker(nlp: Language) -> None:
    # "asking prosecutors to charge": nobody has charged anyone yet; the object is the listener
    text = (
        "The council can enforce its order by asking federal prosecutors to say that the "
        "mayor broke the law."
    )
    assert all(q.speaker_text != "federal prosecutors" for q in find_quotes(nlp(text), "t"))


def test_lets_is_no_speaker(nlp: Language) -> None:
    text = "Let's focus on understanding exactly how companies keep money offshore."
    # the clitic is "us": a self pronoun with no source, as "we" alone would be
    quotes = find_quotes(nlp(text), "t")
    assert all(q.speaker is None and q.speaker_text in {None, "'s", "’s"} for q in quotes)
    assert all((q.speaker_text or "").casefold() in SELF_PRONOUNS for q in quotes)


def test_who_with_a_plural_verb_is_the_plural_noun_before_it(nlp: Language) -> None:
    text = (
        "The video has become a focal point for protesters here, who have marched daily and "
        "demanded that the footage be released."
    )
    quotes = find_quotes(nlp(text), "t")
    assert [q.speaker_text for q in quotes if q.text.startswith("that the footage")] in (
        [],
        ["protesters"],
    )
    assert all(q.speaker_text != "a focal point" for q in quotes)
