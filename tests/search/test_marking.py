"""Marking matches in Python (crm/search/marking.py), as SQLite search shows them.

Examples pin down what a reader sees; the properties hold for any text: removing the marks
gives back the text (or an ellipsised piece of it), every marked word matches the query, and
no matching word in the marked part is left unmarked.
"""

from __future__ import annotations

import re

from hypothesis import given, settings
from hypothesis import strategies as st

from crm.search.marking import ELLIPSIS, START, STOP, Matcher, fold, highlight, snippet
from crm.search.queries import highlighted, parse

MARKED = re.compile(f"{START}(.*?){STOP}")


def matcher(query: str) -> Matcher:
    terms = parse(query)
    return Matcher.of(terms.words, terms.prefix)


def test_every_matching_word_of_a_title_is_marked_whatever_its_case_or_accents():
    marked = highlight("Liaison office: the LIAISON officer's Réunion", matcher("liaison reunion"))

    assert MARKED.findall(marked) == ["Liaison", "LIAISON", "Réunion"]
    assert str(highlighted(marked)) == (
        "<mark>Liaison</mark> office: the <mark>LIAISON</mark> officer&#39;s <mark>Réunion</mark>"
    )


def test_the_last_word_matches_as_a_prefix_only_when_the_query_ends_in_it():
    text = "The officer visited the office"

    assert MARKED.findall(highlight(text, matcher("offic"))) == ["officer", "office"]
    assert MARKED.findall(highlight(text, matcher("office "))) == ["office"]


def test_a_snippet_centres_on_the_matches_and_says_where_the_text_goes_on():
    body = " ".join(f"w{n}" for n in range(100)) + " liaison office " + " ".join(f"v{n}" for n in range(100))

    piece = snippet(body, matcher("liaison office"), 24)

    assert piece.startswith(ELLIPSIS)
    assert piece.endswith(ELLIPSIS)
    assert f"{START}liaison{STOP} {START}office{STOP}" in piece
    assert len(piece.replace(ELLIPSIS, "").split()) == 24


def test_a_short_body_is_shown_whole_and_one_without_a_match_from_its_start():
    assert snippet("A short note.", matcher("note"), 24) == f"A short {START}note{STOP}."
    assert snippet("w " * 50, matcher("absent"), 24) == ("w " * 24).strip() + ELLIPSIS
    assert snippet("", matcher("x"), 24) == ""


def test_folding_drops_case_and_diacritics():
    assert fold("Réunion ÉTÉ") == "reunion ete"


words = st.sampled_from(["liaison", "office", "officer", "Réunion", "data", "x", "ÉTÉ", "offic"])
# Stored text holds no control characters (the index replaces them), so neither do these.
noise = st.text(st.characters(exclude_categories=("Cc", "Cs")), max_size=8)
texts = st.lists(st.one_of(words, noise), max_size=60).map(" ".join)


@settings(deadline=None, database=None, derandomize=True, max_examples=300)
@given(text=texts, query=st.lists(words, min_size=1, max_size=3).map(" ".join), tokens=st.integers(1, 30))
def test_marks_only_wrap_matching_words_and_lose_no_text(text, query, tokens):
    m = matcher(query)
    for marked, whole in ((highlight(text, m), True), (snippet(text, m, tokens), False)):
        plain = marked.replace(START, "").replace(STOP, "")
        if whole:
            assert plain == text
        else:
            assert plain.strip(ELLIPSIS) in text
        assert all(m.matches(word) for word in MARKED.findall(marked))
        unmarked = MARKED.sub(" ", marked)
        assert not any(m.matches(word) for word in re.findall(r"[^\W_]+", unmarked))
