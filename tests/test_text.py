"""The text layer: one splitter, one set of word lists, every stage reading them."""

from __future__ import annotations

import ast
import math
import re
from pathlib import Path

import pytest
from sklearn.feature_extraction.text import ENGLISH_STOP_WORDS

from storyline.text import calendar, cues, numbers, words
from storyline.text.scripts import WordMeasure
from storyline.text.sentences import find_names, sentence_spans, split_sentences

ROOT = Path(__file__).resolve().parents[1] / "storyline"


def test_text_splitter_keeps_abbreviations_initials_and_months() -> None:
    text = 'Mr. Putin met George W. Bush on Sept. 5 in the U.S. capital. "It went well." He left.'
    assert split_sentences(text) == [
        "Mr. Putin met George W. Bush on Sept. 5 in the U.S. capital.",
        '"It went well."',
        "He left.",
    ]


def test_text_splitter_spans_point_into_the_text_and_lines_end_sentences() -> None:
    text = "  A headline\nThe first one (really.) Then 2 more!  "
    spans = sentence_spans(text)
    assert [text[a:b] for a, b in spans] == [
        "A headline",
        "The first one (really.)",
        "Then 2 more!",
    ]


def test_text_calendar_reads_months_and_weekdays() -> None:
    assert calendar.month_number("Sept.") == 9
    assert calendar.month_number("december") == 12
    assert calendar.WEEKDAY_NUMBERS["sunday"] == 6
    assert "may" not in calendar.MONTH_ABBREVIATIONS  # a verb as often as a month


def test_text_number_words() -> None:
    assert numbers.number_value("twenty-one") == 21
    assert numbers.number_value("Forty five") == 45
    assert numbers.number_value("several") is None


def test_text_stop_words_and_stemmers() -> None:
    assert words.BROAD_STOP_WORDS == ENGLISH_STOP_WORDS  # copied as data, kept equal
    assert words.FUNCTION_WORDS <= words.CLUSTER_STOP_WORDS
    assert words.FUNCTION_WORDS <= words.CLAIM_STOP_WORDS
    assert {"january", "tuesday", "said"} <= words.CLUSTER_STOP_WORDS
    assert [words.stem(w) for w in ("killed", "kills", "killing", "Isil’s")] == [
        "kill",
        "kill",
        "kill",
        "isis",
    ]
    assert words.plural_stem("Talks") == "talk"
    assert words.plural_stem("fed") == "fed"
    assert words.prefix_stem("reporters’") == "report"


def test_text_reporting_forms_come_from_the_cue_verbs() -> None:
    assert {"said", "says", "told", "warned", "denied"} - cues.REPORTING_FORMS == {"denied"}
    assert cues.past_forms(frozenset({"deny", "say", "note"})) == {"denied", "said", "noted"}
    assert "states" not in cues.REPORTING_FORMS  # "the United States": a noun as often
    assert cues.REPORTING_LEMMAS <= cues.SPEECH_VERBS | cues.REPORT_VERBS


def test_text_names_skip_calendar_words() -> None:
    assert find_names("On Monday President Obama met Angela Merkel in March") == [
        "Obama",
        "Angela Merkel",
    ]


def _string_constants(path: Path) -> list[str]:
    tree = ast.parse(path.read_text(encoding="utf-8"))
    return [
        n.value for n in ast.walk(tree) if isinstance(n, ast.Constant) and isinstance(n.value, str)
    ]


def test_text_month_names_live_only_in_the_text_layer() -> None:
    """A module outside storyline/text that spells out the months again has its own list."""
    spelled = []
    for path in sorted(ROOT.rglob("*.py")):
        if path.parent.name == "text":
            continue
        for value in _string_constants(path):
            low = value.lower()
            if "january" in low and "february" in low:
                spelled.append(path.relative_to(ROOT).as_posix())
    assert spelled == []


_MEASURE = WordMeasure(cjk_chars_per_word=1.6, thai_chars_per_word=5.0)


@pytest.mark.parametrize(
    "text",
    [
        "Plain English, with — a dash and it's 3 p.m.",
        "  two\nlines\t tabbed  ",
        "Русский текст, Ελληνικά, العربية",
        "서울시는 오늘 새로운 정책을 발표했다",  # Korean writes spaces between its words
        "",
    ],
)
def test_text_word_measure_counts_spaced_scripts_as_split_does(text: str) -> None:
    assert _MEASURE.count(text) == len(text.split())
    tokens = re.findall(r"\w+", text)
    assert _MEASURE.count_tokens(tokens, text) == len(tokens)


def test_text_word_measure_counts_cjk_and_thai_characters_at_their_rate() -> None:
    sentence = "临江市交通局昨天宣布，地铁三号线的主体工程已经全部完工。"  # 26 Han characters
    assert _MEASURE.count(sentence) == math.ceil(26 / 1.6) == 17
    assert _MEASURE.count("2023年北京 news") == 1 + math.ceil(3 / 1.6) + 1  # "2023", 年北京, "news"
    assert _MEASURE.count("港市立図書館が、三日に再開した。") == math.ceil(
        14 / 1.6
    )  # kanji and kana
    thai = "สวนจะเปิดให้บริการทุกวัน"  # 24 code points, vowel and tone marks included
    assert _MEASURE.count(thai) == math.ceil(len(thai) / 5.0)
    # a word-character tokenizer splits Thai at its marks: the characters come from the text
    assert _MEASURE.count_tokens(re.findall(r"\w+", thai), thai) == _MEASURE.count(thai)
    # a word-character tokenizer cuts Hindi words at their vowel signs: the words are the pieces;
    # "12" is no token of a letters-only tokenizer, so it is not counted here either
    hindi = "सरकारी स्कूलों में स्मार्ट कक्षाएं, 12 स्कूल"
    assert _MEASURE.count_tokens(re.findall(r"[^\W\d_]+", hindi), hindi) == 6
    assert _MEASURE.count_tokens(re.findall(r"\w+", hindi), hindi) == 7
    # the rate is the setting's: twice the characters per word, about half the words
    assert WordMeasure(3.2, 5.0).count(sentence) == math.ceil(26 / 3.2)


def test_indic_words_in_a_latin_line_count_once_each_and_the_rest_as_tokens():
    line = "Prime Minister Narendra Modi said the new rules would take effect in the spring."
    tokens = re.findall(r"[^\W\d_]+", line)
    mixed = line.replace("Modi", "Modi (नरेंद्र मोदी)")
    mixed_tokens = re.findall(r"[^\W\d_]+", mixed)
    assert _MEASURE.count_tokens(tokens, line) == len(tokens)
    assert _MEASURE.count_tokens(mixed_tokens, mixed) == len(tokens) + 2
