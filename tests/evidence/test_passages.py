"""The lexical search for the second pass's passages: windows, scoring, pages."""

from __future__ import annotations

import itertools

from extract.evidence.passages import Passage, find_passages, merge_passages, windows
from extract.llm.strict_schema import to_strict_schema
from extract.run.second_pass import eligible_fields
from schemas.invoice import Invoice
from schemas.nda import NDA

FILLER = "The Recipient shall keep the information secret and use it only for the Purpose.\n"


def test_windows_cover_the_text_on_line_starts_and_overlap():
    text = FILLER * 60
    spans = windows(text, 1000)
    assert spans[0][0] == 0 and spans[-1][1] == len(text)
    for (a, b), (c, _) in itertools.pairwise(spans):
        assert c < b  # overlapping: nothing falls between two windows
        assert text[c - 1] == "\n"  # each starts on a line
        assert b - a <= 1000
    assert windows("", 1000) == [] and windows("short", 1000) == [(0, 5)]


def test_the_rare_words_win_and_pages_are_counted_from_one():
    law = "This Agreement shall be governed by the laws of the State of Delaware.\n"
    pages = (FILLER * 20, FILLER * 10 + law + FILLER * 5)
    text = "\n\n".join(pages)
    starts = [0, len(pages[0]) + 2]
    (best,) = find_passages(text, starts, ["governing law", "governed", "laws"], top=1)
    assert "State of Delaware" in best.text and best.pages == "page 2"


def test_the_rejected_value_finds_where_it_nearly_came_from():
    text = FILLER * 15 + "Mutual NDA between Acme Widgets Corporation and Beta LLC.\n" + FILLER * 15
    (best,) = find_passages(text, [0], ["parties"], "Acme Widget Corp", top=1)
    assert "Acme Widgets Corporation" in best.text


def test_no_word_found_gives_the_start_of_the_document():
    text = FILLER * 40
    (first,) = find_passages(text, [0], ["zeppelin"], top=2)
    assert first.start == 0


def test_overlapping_passages_of_two_fields_are_joined():
    text = FILLER * 40
    a, b, c, d = windows(text, 1000)[:4]
    found = [Passage(*s, 1, 1, text[s[0] : s[1]]) for s in (d, b, a)]  # any order
    joined, apart = merge_passages(found, text, [0])
    assert (joined.start, joined.end) == (a[0], b[1]) and (apart.start, apart.end) == d
    assert c[1] > d[0] > b[1]  # d overlaps only c, which was not found


def test_only_scalars_and_lists_of_scalars_are_asked_again():
    assert eligible_fields(to_strict_schema(NDA)) == {
        "parties",
        "effective_date",
        "jurisdiction",
        "term",
    }
    invoice = eligible_fields(to_strict_schema(Invoice))
    assert "line_items" not in invoice and "vendor" not in invoice  # objects: not here
    assert {"invoice_number", "total"} <= invoice
