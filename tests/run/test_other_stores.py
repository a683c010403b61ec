"""Object storage beyond S3: any fsspec filesystem, through the same generic code.

fsspec's `memory://` filesystem stands in for gs:// and az:// (gcsfs, adlfs):
nothing in the pipeline names a protocol, so inputs, the Parquet dataset (with
its texts) and the answer cache work on it as on S3. It lives in this process,
so Dask worker processes cannot see it: the local engine runs it here (the
Dask engine's object storage is tested against a real S3 server, moto's, in
test_dask_engine.py).
"""

from __future__ import annotations

import pandas as pd
import pytest

pytest.importorskip("fsspec")

import fsspec

from extract import Config, extract_paths
from extract.output.dataset import read_dataset_texts
from tests.fake_server import FakeOpenAI, document_text, schema_responder


def invoice_number(request) -> dict:
    """A deterministic 'model': the number the invoice prints."""
    return {"invoice_number": document_text(request).split("INVOICE #")[1].split()[0]}


def test_inputs_dataset_texts_and_cache_on_another_fsspec_store():
    fs = fsspec.filesystem("memory")  # one store per process: start it empty
    if fs.exists("/store-a"):
        fs.rm("/store-a", recursive=True)
    for i in range(5):
        fs.pipe_file(
            f"/store-a/in/inv{i:03d}.txt", f"ACME\nINVOICE #A-{i:04d}\nTOTAL 9.00\n".encode()
        )
    fs.pipe_file("/store-a/in/broken.pdf", b"%PDF-1.4 not really")
    fs.pipe_file("/store-a/in/.hidden.txt", b"skipped, as in a local folder")
    with FakeOpenAI(schema_responder(invoice_number)) as fake:
        cfg = Config.resolve(
            base_url=fake.base_url,
            api_key="x",
            quiet=True,
            cache_path="memory://store-a/cache",
            requests_per_minute=0,
            tokens_per_minute=0,
        )
        first = extract_paths(["memory://store-a/in/"], "invoice", cfg, out="memory://store-a/out/")
        sent = len(fake.chat_requests())
        again = extract_paths(["memory://store-a/in"], "invoice", cfg, out="memory://store-a/out/")
        assert len(fake.chat_requests()) == sent == 5  # the cache on the store answered

    documents = pd.read_parquet("memory://store-a/out/documents")
    assert list(documents["source"]) == [
        f"memory:///store-a/in/{name}"  # the store's own paths: memory's are rooted at "/"
        for name in ["broken.pdf", *(f"inv{i:03d}.txt" for i in range(5))]
    ]
    assert list(documents["status"]) == ["error", *["ok"] * 5]
    assert list(documents["invoice_number"].dropna()) == [f"A-{i:04d}" for i in range(5)]
    texts = read_dataset_texts("memory://store-a/out")
    doc_id = documents.loc[1, "doc_id"]
    assert "INVOICE #A-0000" in texts[doc_id].text
    assert len(fs.find("/store-a/cache")) == 5
    assert again.cached_chunks == 5
    assert first.written[0] == "memory://store-a/out/documents/part-000000.parquet"
