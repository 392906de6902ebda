"""Marking the matched words of a text, and picking a snippet around them, in Python.

Used for SQLite: FTS5's own highlight() and snippet() need the MATCH cursor, and FTS5 walks
every document a prefix term matches to reach the twenty on the page (43 ms for a common
word over a million documents). Here the page's twenty texts are read by id and marked
directly; the words are compared as FTS5's unicode61 tokenizer with remove_diacritics
compares them (letters and digits make words, case and diacritics do not count).
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Sequence
from dataclasses import dataclass

START, STOP = "\x02", "\x03"  # around each match; the index strips them from stored text
WORD = re.compile(r"[^\W_]+")  # runs of letters and digits, as unicode61 splits text
ELLIPSIS = "…"


def fold(word: str) -> str:
    """Lower case without diacritics ("Réunion" → "reunion")."""
    decomposed = unicodedata.normalize("NFKD", word.lower())
    return "".join(char for char in decomposed if not unicodedata.combining(char))


@dataclass(frozen=True)
class Matcher:
    """Whether a word of a text matches a query word (the last one as a prefix if asked)."""

    words: frozenset[str]
    prefix: str | None

    @classmethod
    def of(cls, words: Sequence[str], prefix_last: bool) -> Matcher:
        folded = [fold(word) for word in words]
        prefix = folded[-1] if prefix_last and folded else None
        return cls(frozenset(folded[:-1] if prefix else folded), prefix)

    def matches(self, word: str) -> str | None:
        """The query word this text word matches, or None."""
        folded = fold(word)
        if folded in self.words:
            return folded
        if self.prefix is not None and folded.startswith(self.prefix):
            return self.prefix
        return None


def _words(text: str) -> list[re.Match[str]]:
    return list(WORD.finditer(text))


def highlight(text: str, matcher: Matcher) -> str:
    """The whole text with every matching word between START and STOP."""
    return _marked(text, _words(text), matcher, 0, None)


def snippet(text: str, matcher: Matcher, tokens: int) -> str:
    """About `tokens` words of the text around its best cluster of matches, marked, with an
    ellipsis where the text goes on (the start of the text when nothing matches)."""
    words = _words(text)
    hits = [matcher.matches(word.group()) for word in words]
    first = _best_window(hits, tokens)
    last = min(len(words), first + tokens)
    if not words:
        return text
    marked = _marked(text, words, matcher, first, last)
    return (ELLIPSIS if first > 0 else "") + marked + (ELLIPSIS if last < len(words) else "")


def _best_window(hits: list[str | None], tokens: int) -> int:
    """The first word of the window of `tokens` words holding the most distinct matched query
    words, then the most matches; the earliest such window, started a little before its first
    match so the match has some context."""
    best, best_score = 0, (0, 0)
    for start, hit in enumerate(hits):
        if hit is None:
            continue  # the best window begins at a match (then moves back a little)
        window = [h for h in hits[start : start + tokens] if h is not None]
        score = (len(set(window)), len(window))
        if score > best_score:
            best, best_score = start, score
    return max(0, min(best - tokens // 4, len(hits) - tokens)) if best_score[1] else 0


def _marked(text: str, words: list[re.Match[str]], matcher: Matcher, first: int, last: int | None) -> str:
    """The text from word `first` to word `last` (exclusive; None: to the end), marked."""
    chosen = words[first:last]
    if not chosen:
        return text if last is None else ""
    begin = 0 if first == 0 else chosen[0].start()
    end = len(text) if last is None or last >= len(words) else chosen[-1].end()
    parts, position = [], begin
    for word in chosen:
        if matcher.matches(word.group()) is not None:
            parts += [text[position : word.start()], START, word.group(), STOP]
            position = word.end()
    parts.append(text[position:end])
    return "".join(parts)
