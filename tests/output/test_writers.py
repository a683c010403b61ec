"""Tables as a person meets them: opened in a spreadsheet, shared with the usual file
permissions, and one run's main and child tables always belonging together."""

from __future__ import annotations

import csv
import os
from pathlib import Path

import pandas as pd
import pytest

from extract.cli import main
from extract.errors import OutputError
from extract.output.tables import Tables
from extract.output.writers import write_tables
from tests.cli_args import run_args
from tests.fake_server import FakeOpenAI, schema_responder

FORMULAS = ['=HYPERLINK("http://evil.example","click")', "+1+2", "-3+4", "@SUM(A1:A9)"]


@pytest.fixture
def memo_schema(tmp_path: Path) -> str:
    (tmp_path / "memo_schema.py").write_text(
        "from pydantic import BaseModel\n"
        "class Item(BaseModel):\n"
        "    text: str | None = None\n"
        "class Memo(BaseModel):\n"
        "    '''An office memo.'''\n"
        "    subject: str | None = None\n"
        "    items: list[Item] = []\n"
    )
    return f"{tmp_path / 'memo_schema.py'}:Memo"


def run(doc: Path, schema: str, out: Path, url: str) -> int:
    return main(run_args(doc, schema, out, url, "--rpm", "0", "-q", "--no-cache"))


def test_csv_cells_a_spreadsheet_would_run_are_written_as_text(tmp_path: Path, memo_schema):
    doc = tmp_path / "memo.txt"
    doc.write_text("Subject: a memo with formulas in it")
    fill = lambda r: {"subject": FORMULAS[0], "items": [{"text": f} for f in FORMULAS]}  # noqa: E731
    with FakeOpenAI(schema_responder(fill)) as fake:
        assert run(doc, memo_schema, tmp_path / "m.csv", fake.base_url) == 0
        assert run(doc, memo_schema, tmp_path / "m.parquet", fake.base_url) == 0
    with (tmp_path / "m.items.csv").open(newline="") as f:
        cells = [row["text"] for row in csv.DictReader(f)]
    assert cells == ["'" + f for f in FORMULAS]  # shown as typed, never evaluated
    assert pd.read_csv(tmp_path / "m.csv").loc[0, "subject"] == "'" + FORMULAS[0]
    assert list(pd.read_parquet(tmp_path / "m.items.parquet")["text"]) == FORMULAS  # data as is


@pytest.mark.parametrize("suffix", [".csv", ".parquet"])
def test_tables_get_the_users_usual_file_permissions(tmp_path: Path, memo_schema, suffix: str):
    doc = tmp_path / "memo.txt"
    doc.write_text("Subject: permissions")
    old = os.umask(0o022)
    try:
        with FakeOpenAI() as fake:
            assert run(doc, memo_schema, tmp_path / f"m{suffix}", fake.base_url) == 0
    finally:
        os.umask(old)
    for name in (f"m{suffix}", f"m.items{suffix}", "m.texts.jsonl.gz"):
        assert (tmp_path / name).stat().st_mode & 0o777 == 0o644, name


def test_a_child_table_of_an_older_run_does_not_outlive_it(tmp_path: Path, memo_schema):
    doc = tmp_path / "memo.txt"
    doc.write_text("Subject: stale tables")
    out = tmp_path / "t.csv"
    (tmp_path / "t.notes.csv").write_text("mine,not yours\n1,2\n")  # the user's own file
    plain = tmp_path / "plain.py"
    plain.write_text(
        "from pydantic import BaseModel\nclass Plain(BaseModel):\n    subject: str | None = None\n"
    )
    with FakeOpenAI() as fake:
        assert run(doc, memo_schema, out, fake.base_url) == 0
        assert (tmp_path / "t.items.csv").exists()
        assert run(doc, f"{plain}:Plain", out, fake.base_url) == 0  # a schema without lists
    assert not (tmp_path / "t.items.csv").exists()
    assert (tmp_path / "t.notes.csv").read_text() == "mine,not yours\n1,2\n"


def test_main_and_child_tables_are_replaced_together_or_not_at_all(tmp_path: Path):
    out = tmp_path / "t.csv"
    out.write_text("doc_id,status\nold,ok\n")  # the previous run's main table
    (tmp_path / "t.items.csv").mkdir()  # a child table that cannot be replaced
    tables = Tables(
        documents=pd.DataFrame({"doc_id": ["new"], "status": ["ok"]}),
        children={"items": pd.DataFrame({"doc_id": ["new"], "item": [0]})},
    )
    with pytest.raises(OutputError, match="a folder is where a table goes"):
        write_tables(tables, out)
    assert out.read_text() == "doc_id,status\nold,ok\n"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["t.csv", "t.items.csv"]  # no temps
