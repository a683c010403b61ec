"""Reading documents: real PDFs page by page, text files, and every kind of bad input."""

from __future__ import annotations

import io
from pathlib import Path

import pytest
from pypdf import PdfReader, PdfWriter

from extract.errors import DocumentError
from extract.ingest.documents import discover, read_document
from tests.conftest import real_pdfs


def test_real_pdf_is_read_page_by_page(nda_pdf: Path):
    doc = read_document(nda_pdf)
    assert doc.n_pages == len(PdfReader(nda_pdf).pages) > 1
    assert all(isinstance(p, str) for p in doc.pages)
    assert "agreement" in doc.text.lower()
    assert doc.source == str(nda_pdf)


def test_doc_id_is_a_content_hash(tmp_path: Path, nda_pdf: Path):
    copy = tmp_path / "renamed.pdf"
    copy.write_bytes(nda_pdf.read_bytes())
    assert read_document(copy).doc_id == read_document(nda_pdf).doc_id
    other = read_document(real_pdfs(2)[1])
    assert other.doc_id != read_document(nda_pdf).doc_id


def test_text_and_markdown(tmp_path: Path):
    (tmp_path / "a.txt").write_text("Invoice 17\r\nTotal: 12.00\n", encoding="utf-8")
    (tmp_path / "b.md").write_text("# Receipt\n\nTotal 3.50", encoding="utf-8")
    a, b = read_document(tmp_path / "a.txt"), read_document(tmp_path / "b.md")
    assert a.pages == ("Invoice 17\nTotal: 12.00\n",)
    assert b.text.startswith("# Receipt")


def _encrypted_pdf(source: Path) -> bytes:
    writer = PdfWriter(clone_from=source)
    writer.encrypt(user_password="secret", algorithm="RC4-128")
    buf = io.BytesIO()
    writer.write(buf)
    return buf.getvalue()


@pytest.mark.parametrize(
    ("name", "content", "reason"),
    [
        ("empty.pdf", b"", "empty file"),
        ("empty.txt", b"", "empty file"),
        ("blank.txt", b"   \n\n ", "no text"),
        ("corrupt.pdf", b"%PDF-1.4\n1 0 obj << /Type /Catalog >> garbage", "corrupt PDF"),
        ("fake.pdf", b"this is not a pdf at all", "not a PDF"),
        ("image.txt", b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR", "binary content"),
        ("latin1.txt", "Café crème à 3,50 EUR".encode("latin-1"), "not valid UTF-8"),
        ("sheet.xlsx", b"PK\x03\x04", "unsupported file type"),
    ],
)
def test_bad_input_gets_a_clear_error(tmp_path: Path, name: str, content: bytes, reason: str):
    path = tmp_path / name
    path.write_bytes(content)
    with pytest.raises(DocumentError, match=reason):
        read_document(path)


def test_encrypted_pdf_is_refused(tmp_path: Path, nda_pdf: Path):
    path = tmp_path / "locked.pdf"
    path.write_bytes(_encrypted_pdf(nda_pdf))
    with pytest.raises(DocumentError, match="encrypted"):
        read_document(path)


def test_zero_page_pdf_is_refused(tmp_path: Path):
    buf = io.BytesIO()
    PdfWriter().write(buf)
    path = tmp_path / "zero.pdf"
    path.write_bytes(buf.getvalue())
    with pytest.raises(DocumentError, match="no pages"):
        read_document(path)


def test_pdf_without_text_layer_is_refused(tmp_path: Path):
    writer = PdfWriter()
    writer.add_blank_page(width=612, height=792)
    path = tmp_path / "scan.pdf"
    with path.open("wb") as f:
        writer.write(f)
    with pytest.raises(DocumentError, match="no text layer"):
        read_document(path)


def test_missing_file(tmp_path: Path):
    with pytest.raises(DocumentError, match="not found"):
        read_document(tmp_path / "gone.txt")


def test_discover_recurses_sorts_and_skips_hidden(tmp_path: Path):
    (tmp_path / "b").mkdir()
    (tmp_path / "b" / "2.txt").write_text("x")
    (tmp_path / "1.pdf").write_text("x")
    (tmp_path / ".git").mkdir()
    (tmp_path / ".git" / "config").write_text("x")
    (tmp_path / "notes.docx").write_text("x")
    found = discover([tmp_path, tmp_path / "1.pdf"])
    assert [p.relative_to(tmp_path).as_posix() for p in found] == ["1.pdf", "b/2.txt", "notes.docx"]


def test_deeply_nested_pdf_is_an_error_not_a_crash(tmp_path: Path):
    path = tmp_path / "nested.pdf"
    depth = 50_000
    path.write_bytes(
        b"%PDF-1.4\n1 0 obj\n<< /Type /Catalog /Pages 2 0 R /X "
        + b"[" * depth
        + b"]" * depth
        + b" >>\nendobj\ntrailer\n<< /Root 1 0 R >>\n%%EOF\n"
    )
    with pytest.raises(DocumentError):
        read_document(path)


def test_slow_pdf_is_stopped_by_the_time_limit(monkeypatch: pytest.MonkeyPatch, nda_pdf: Path):
    import extract.ingest.documents as documents

    monkeypatch.setattr(documents, "MAX_READ_SECONDS", -1.0)
    with pytest.raises(DocumentError, match="too slow"):
        read_document(nda_pdf)
