"""An output that cannot be written fails before any request (exit 2); a failure at the final
write is reported cleanly (exit 3) and the rerun, answered from the cache, pays nothing."""

from __future__ import annotations

import shutil
from pathlib import Path

import pandas as pd
import pytest

from extract.cli import main
from tests.cli_args import run_args
from tests.fake_server import FakeOpenAI, schema_responder


def receipts(folder: Path, n: int = 3) -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    for i in range(n):
        (folder / f"r{i}.txt").write_text(f"SHOP {i} SDN BHD\nTOTAL {i}.50\n")
    return folder


def run(docs: Path, out: Path, url: str, *extra: str) -> int:
    return main(run_args(docs, "invoice", out, url, "-q", *extra))


def unwritable_outputs(tmp_path: Path) -> list[Path]:
    (tmp_path / "a-file").write_text("not a folder")
    (tmp_path / "inv.line_items.csv").mkdir()  # where the child table would go
    return [
        tmp_path / "a-file" / "sub" / "out.parquet",  # a parent that cannot be created
        tmp_path / "inv.csv",  # the child table's name is a folder
        Path("/proc/out.parquet"),  # a folder nobody can write in, root included
    ]


@pytest.mark.parametrize("case", range(3))
def test_an_unwritable_output_fails_before_any_request(tmp_path: Path, case: int, capsys):
    docs = receipts(tmp_path / "docs")
    out = unwritable_outputs(tmp_path)[case]
    with FakeOpenAI(schema_responder()) as fake:
        assert run(docs, out, fake.base_url) == 2
        assert fake.chat_requests() == []
    err = capsys.readouterr().err
    assert err.startswith("extract: error: --out") and "Traceback" not in err


def test_a_failed_final_write_is_reported_and_the_rerun_is_free(tmp_path: Path, capsys):
    docs = receipts(tmp_path / "docs")
    out_dir = tmp_path / "out"
    out_dir.mkdir()
    out = out_dir / "inv.parquet"

    def break_the_folder(request):
        """While the run is busy, its output folder turns into a file."""
        if out_dir.is_dir():
            shutil.rmtree(out_dir)
            out_dir.write_text("the disk went away")
        return schema_responder()(request)

    with FakeOpenAI(break_the_folder) as fake:
        cache = [
            "--cache-path",
            str(tmp_path / "c.sqlite"),
            "--audit-log",
            str(tmp_path / "a.jsonl"),
        ]
        assert run(docs, out, fake.base_url, "--concurrency", "1", *cache) == 3
        err = capsys.readouterr().err
        assert "cannot write the tables" in err and "rerun" in err and "Traceback" not in err
        paid = len(fake.chat_requests())
        assert paid == 3

        out_dir.unlink()
        assert run(docs, out, fake.base_url, *cache) == 0
        assert len(fake.chat_requests()) == paid  # every answer came from the cache
    assert len(pd.read_parquet(out)) == 3


def test_a_list_field_named_documents_cannot_take_a_datasets_main_table(tmp_path: Path):
    from pydantic import BaseModel

    from extract import Config, ConfigError, extract_paths

    class Item(BaseModel):
        title: str | None = None

    class Bundle(BaseModel):  # its child table would go to DIR/documents/, over the rows
        documents: list[Item] = []

    docs = receipts(tmp_path / "docs")
    with FakeOpenAI(schema_responder()) as fake:
        cfg = Config.resolve(base_url=fake.base_url, api_key="x", quiet=True, cache=False)
        with pytest.raises(ConfigError, match="DIR/documents/"):
            extract_paths([docs], Bundle, cfg, out=f"{tmp_path}/out/")
        assert fake.chat_requests() == []
        single = extract_paths([docs], Bundle, cfg, out=tmp_path / "bundle.parquet")
    assert pd.read_parquet(tmp_path / "bundle.documents.parquet").empty  # a file of its own
    assert len(single.tables.documents) == 3
