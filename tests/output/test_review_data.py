"""The review page's data and apply-corrections, on real runs against the fake HTTP server."""

from __future__ import annotations

import json
import re
import struct
import zlib
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from extract.cli import main
from extract.output.corrections import corrected_path
from extract.output.review import write_review
from extract.output.review.gather import gather
from extract.output.review.html import script_json
from extract.output.review.images import png_grey
from tests.cli_args import run_args
from tests.conftest import ROOT
from tests.fake_server import FakeOpenAI, schema_responder
from tests.output.review_run import HOSTILE_VALUE, make_run

NDA = ROOT / "sample_docs" / "nda-mutual-bluefin.pdf"


@pytest.mark.parametrize(
    "value",
    [HOSTILE_VALUE, "<!-- x", "a & b <b>", "\u2028line\u2029", {"k": ["</SCRIPT >"]}],
)
def test_json_for_a_script_block_cannot_close_it_and_parses_back(value):
    text = script_json(value)
    assert "<" not in text and ">" not in text
    assert json.loads(text) == value


def test_the_page_is_built_from_csv_tables_too(tmp_path: Path):
    out = make_run(tmp_path, ".csv")
    page = write_review(out, tmp_path / "page.html").read_text(encoding="utf-8")
    index = json.loads(re.search(r'id="review-index">(.*?)</script>', page, re.S).group(1))
    main_table = pd.read_csv(out, dtype=str)
    assert [d["id"] for d in index["docs"]] == list(main_table["doc_id"])
    assert not re.search(r"""(src|href)=["']?(https?:)?//""", page)  # nothing fetched
    assert page.count("<script") == len(index["docs"]) + 2  # index, one per document, code


def test_a_run_without_evidence_still_gets_a_page_with_its_values_and_texts(tmp_path: Path):
    out = make_run(tmp_path, ".parquet", "--evidence", "off")
    assert not out.with_name("invoices.evidence.parquet").exists()
    data = gather(out)
    assert data.meta["has_evidence"] is False and data.meta["has_texts"] is True
    assert all(doc["grounded"] is None for doc in data.index)
    northwind = next(i for i, d in enumerate(data.index) if d["name"].endswith("5531.txt"))
    detail = data.details[northwind]
    values = {v["f"]: v for v in detail["values"]}
    assert values["invoice_number"] == {"f": "invoice_number", "v": "NW-5531"}  # no quote
    assert "NW-5531" in detail["pages"][0]
    write_review(out)  # and the page is written


def run_nda(tmp_path: Path, parties: list[str]) -> Path:
    out = tmp_path / "nda.parquet"
    fill = {"parties": parties, "effective_date": "2019-09-02"}
    with FakeOpenAI(schema_responder(lambda _request: fill)) as fake:
        options = ("--backend", "openai", "--no-cache", "-q")
        code = main(run_args(NDA, "nda", out, fake.base_url, *options))
    assert code == 0
    return out


def write_csv(path: Path, rows: list[tuple[str, str, str, str]]) -> Path:
    frame = pd.DataFrame(rows, columns=["doc_id", "field", "value", "corrected"])
    frame.to_csv(path, index=False)
    return path


def test_apply_corrections_fixes_list_items_and_skips_stale_rows(tmp_path: Path, capsys):
    out = run_nda(tmp_path, ["Bluefin Robotics, Inc.", "Harbor Analytics LLC"])
    before = out.read_bytes()
    doc_id = pd.read_parquet(out)["doc_id"].iloc[0]
    fixes = write_csv(
        tmp_path / "corrections.csv",
        [
            (doc_id, "parties[1]", "Harbor Analytics LLC", "Harbor Analytics, LLC"),
            (doc_id, "effective_date", "2019-09-03", "2019-09-04"),  # not what the table holds
            ("no-such-doc", "parties[0]", "x", "y"),
        ],
    )
    assert main(["apply-corrections", str(out), str(fixes)]) == 1
    err = capsys.readouterr().err
    assert "1 corrections applied, 2 skipped" in err
    assert "line 3" in err and "'2019-09-02'" in err and "no such document" in err
    fixed = pd.read_parquet(corrected_path(out))
    assert list(fixed["parties"].iloc[0]) == ["Bluefin Robotics, Inc.", "Harbor Analytics, LLC"]
    assert fixed["effective_date"].iloc[0] == "2019-09-02"
    assert json.loads(fixed["corrected_fields"].iloc[0]) == ["parties[1]"]
    assert out.read_bytes() == before  # the original is kept as it was


def test_apply_corrections_to_csv_tables_keeps_every_other_cell_as_written(tmp_path: Path):
    out = make_run(tmp_path, ".csv")
    main_table = pd.read_csv(out, dtype=str, keep_default_na=False)
    doc_id = main_table.loc[main_table["source"].str.endswith("5531.txt"), "doc_id"].item()
    fixes = write_csv(
        tmp_path / "fixes.csv",
        [
            (doc_id, "total", "534.67", "543.67"),
            (doc_id, "line_items[0].description", "Arabica coffee beans 5 lb", ""),
            (doc_id, "currency", "", "USD"),  # a value the model missed, typed in
        ],
    )
    assert main(["apply-corrections", str(out), str(fixes)]) == 0
    fixed = pd.read_csv(corrected_path(out), dtype=str, keep_default_na=False)
    row = fixed["doc_id"] == doc_id
    assert (fixed.loc[row, "total"].item(), fixed.loc[row, "currency"].item()) == ("543.67", "USD")
    unchanged = [c for c in main_table.columns if c not in ("total", "currency")]
    assert fixed[unchanged].equals(main_table[unchanged])
    items = pd.read_csv(out.with_name("invoices.corrected.line_items.csv"), dtype=str)
    first = items[(items["doc_id"] == doc_id) & (items["item"] == "0")]
    assert first["description"].isna().item()
    assert out.with_name("invoices.line_items.csv").is_file()  # originals stay


def test_a_missed_list_item_can_be_typed_in(tmp_path: Path):
    out = run_nda(tmp_path, [])
    doc_id = pd.read_parquet(out)["doc_id"].iloc[0]
    fixes = write_csv(tmp_path / "c.csv", [(doc_id, "parties", "", "Bluefin Robotics, Inc.")])
    assert main(["apply-corrections", str(out), str(fixes)]) == 0
    fixed = pd.read_parquet(corrected_path(out))
    assert list(fixed["parties"].iloc[0]) == ["Bluefin Robotics, Inc."]


def test_page_images_are_valid_greyscale_pngs():
    pixels = (np.arange(35 * 17).reshape(35, 17) % 256).astype(np.uint8)
    png = png_grey(pixels)
    assert png.startswith(b"\x89PNG\r\n\x1a\n")
    width, height, depth, colour = struct.unpack(">IIBB", png[16:26])
    assert (width, height, depth, colour) == (17, 35, 8, 0)
    size = struct.unpack(">I", png[33:37])[0]
    assert png[37:41] == b"IDAT"
    rows = np.frombuffer(zlib.decompress(png[41 : 41 + size]), dtype=np.uint8).reshape(35, 18)
    assert (rows[:, 0] == 0).all() and (rows[:, 1:] == pixels).all()


def test_removing_a_list_item_does_not_shift_the_others_corrected_with_it(tmp_path: Path):
    out = run_nda(tmp_path, ["Bluefin Robotics, Inc.", "Harbor Analytics LLC"])
    doc_id = pd.read_parquet(out)["doc_id"].iloc[0]
    fixes = write_csv(
        tmp_path / "c.csv",
        [
            (doc_id, "parties[0]", "Bluefin Robotics, Inc.", ""),  # removed, listed first
            (doc_id, "parties[1]", "Harbor Analytics LLC", "Harbor Analytics, LLC"),
        ],
    )
    assert main(["apply-corrections", str(out), str(fixes)]) == 0
    fixed = pd.read_parquet(corrected_path(out))
    assert list(fixed["parties"].iloc[0]) == ["Harbor Analytics, LLC"]


def test_a_parquet_dataset_folder_gets_a_page_too(tmp_path: Path):
    root = make_run(tmp_path, "/")  # --out DIR/: one folder per table, written in parts
    assert (root / "documents").is_dir() and (root / "evidence").is_dir()
    page = write_review(root)
    assert page == root / "review.html"
    data = gather(root)
    northwind = next(i for i, d in enumerate(data.index) if d["name"].endswith("5531.txt"))
    values = {v["f"]: v for v in data.details[northwind]["values"]}
    assert values["invoice_number"]["m"] == "exact" and values["invoice_number"]["q"] == "NW-5531"
    assert data.meta["has_texts"]  # from DIR/texts/, as a single file's sidecar
    assert sorted(p.name for p in (root / "texts").iterdir()) == ["part-000000.jsonl.gz"]
    assert values["line_items[1].amount"]["v"] == 15
    fixes = write_csv(tmp_path / "c.csv", [("x", "total", "1", "2")])
    assert main(["apply-corrections", str(root), str(fixes)]) == 2  # clear error, no crash
