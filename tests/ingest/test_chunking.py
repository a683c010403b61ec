"""Chunking to a token budget with the real Tekken tokenizer."""

from __future__ import annotations

from pathlib import Path

from extract.ingest.chunking import chunk_document, split_chunk
from extract.ingest.documents import Document, read_document
from extract.ingest.tokenizer import count_tekken_tokens as count
from tests.conftest import real_pdfs


def _doc(*pages: str) -> Document:
    return Document(doc_id="d", source="mem.txt", pages=pages)


def test_a_document_that_fits_is_one_chunk(nda_pdf: Path):
    doc = read_document(nda_pdf)
    chunks = chunk_document(doc, budget=30_000, count=count)
    assert len(chunks) == 1
    assert chunks[0].text == doc.text
    assert (chunks[0].page_start, chunks[0].page_end) == (1, doc.n_pages)
    assert chunks[0].n_tokens == count(doc.text)


def test_long_document_chunks_fit_cover_everything_and_keep_offsets():
    docs = [read_document(p) for p in real_pdfs(3)]
    doc = _doc(*[p for d in docs for p in d.pages])
    budget = 1_500
    chunks = chunk_document(doc, budget=budget, count=count)
    assert len(chunks) > 3
    assert all(count(c.text) <= budget for c in chunks)
    assert "".join(c.text for c in chunks) == doc.text
    for c in chunks:
        assert doc.text[c.char_start : c.char_end] == c.text
        assert 1 <= c.page_start <= c.page_end <= doc.n_pages
    assert [c.index for c in chunks] == [(i,) for i in range(len(chunks))]


def test_page_boundaries_come_first():
    pages = [f"Page {i}. " + "Some words here. " * 40 for i in range(6)]
    doc = _doc(*pages)
    per_page = count(pages[0] + "\n\n")
    chunks = chunk_document(doc, budget=per_page * 2 + 5, count=count)
    # every chunk starts at the start of a page
    page_starts = {doc.text.index(p) for p in pages}
    assert all(c.char_start in page_starts for c in chunks)


def test_never_cuts_inside_a_word():
    words = [f"word{i:05d}" for i in range(3000)]
    doc = _doc(" ".join(words))
    chunks = chunk_document(doc, budget=200, count=count)
    assert len(chunks) > 5
    for c in chunks:
        assert all(tok in words for tok in c.text.split())


def test_split_chunk_halves_and_keeps_document_order():
    doc = _doc(*(f"Paragraph {i}. " + "Text of the clause. " * 30 for i in range(4)))
    (whole,) = chunk_document(doc, budget=10_000, count=count)
    parts = split_chunk(whole, doc, count)
    assert len(parts) >= 2
    assert "".join(p.text for p in parts) == whole.text
    assert all(p.n_tokens <= whole.n_tokens // 2 + 1 for p in parts)
    assert [p.index for p in parts] == [(0, i) for i in range(len(parts))]
    assert sorted([(1,), *[p.index for p in parts]]) == [*[p.index for p in parts], (1,)]


def test_tiny_chunk_cannot_be_split():
    doc = _doc("Total: 3.50")
    (whole,) = chunk_document(doc, budget=100, count=count)
    assert split_chunk(whole, doc, count) == []
