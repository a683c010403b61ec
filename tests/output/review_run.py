"""A real run for the review page's tests: sample documents, a real NDA PDF, a hostile text,
a broken PDF, through the real pipeline and the fake HTTP server."""

from __future__ import annotations

import shutil
from pathlib import Path

from extract.cli import main
from tests.cli_args import run_args
from tests.conftest import NDA_PDFS, ROOT
from tests.fake_server import FakeOpenAI, document_text, schema_responder
from tests.test_cli import invoice_fill

HOSTILE = (
    "Invoice HX-77 </script><script>window.__pwned=1</script>\n"
    '<b>bold</b> <img src=x onerror="window.__pwned=2"> &amp; <!-- comment\n'
    "Smile \U0001f600 then the total: 99.50 EUR\n"
)
HOSTILE_VALUE = "</script><script>window.__pwned=3</script>"
DEEP_VALUE = "Rahul Brennan"  # printed once, near the end of the long agreement


def fill(request) -> dict:
    """Answer like a model would: invoices as in test_cli, plus the documents added here."""
    text = document_text(request)
    if "HX-77" in text:
        return {"invoice_number": "HX-77", "total": 99.5, "currency": "EUR"}
    if "MASTER SERVICES AGREEMENT" in text or "Recovery time objective" in text:
        if "BETWEEN:" in text:  # the first chunk
            return {"customer": {"name": "Kestrel Logistics Group plc"}}
        if DEEP_VALUE in text:  # the last chunk reads another name: a conflict
            return {
                "customer": {"name": "Andrew Lomax"},
                "vendor": {"name": None, "address": None, "tax_id": DEEP_VALUE},
            }
        return {}
    if "Bluefin" in text or "BLUEFIN" in text:
        return {"invoice_number": HOSTILE_VALUE, "currency": "USD"}  # not in the text
    if "NIKE" in text:
        return {"customer": {"name": "NIKE, Inc.", "address": None, "tax_id": None}}
    return invoice_fill(request)


def make_run(folder: Path, suffix: str = ".parquet", *extra: str) -> Path:
    """Run the pipeline over the test documents; return the main table's path (or, for
    suffix "/", the dataset's folder)."""
    docs = folder / "docs"
    shutil.copytree(ROOT / "sample_docs", docs)
    (docs / "hostile.txt").write_text(HOSTILE, encoding="utf-8")
    (docs / "broken.pdf").write_bytes(b"%PDF-1.7\n%%garbage, not a real PDF")
    if NDA_PDFS.is_dir():
        shutil.copy(sorted(NDA_PDFS.glob("*.pdf"))[0], docs / "nda-nike.pdf")
    out = folder / "out" / f"invoices{suffix}"
    with FakeOpenAI(schema_responder(fill)) as fake:
        where = str(out) + ("/" if suffix == "/" else "")  # a trailing slash: a dataset
        options = ("--backend", "openai", "--no-cache", "--quiet", *extra)
        main(run_args(docs, "invoice", where, fake.base_url, *options))
    return out
