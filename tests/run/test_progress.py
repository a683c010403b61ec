"""Progress a person can watch: lines off a terminal, bars on one, nothing when quiet."""

from __future__ import annotations

import io
import re
import shutil
from pathlib import Path

import pytest

from extract.cli import main
from extract.run.progress import Progress, pick_style
from tests.cli_args import run_args
from tests.conftest import ROOT
from tests.fake_server import FakeOpenAI, schema_responder


class Terminal(io.StringIO):
    def isatty(self) -> bool:
        return True


def test_style_follows_the_stream_unless_told():
    assert pick_style(False, None, io.StringIO()) == "lines"  # CI, `| tee log`, a notebook
    assert pick_style(False, None, Terminal()) == "bars"
    assert pick_style(True, None, Terminal()) == "off"
    assert pick_style(False, False, Terminal()) == "off"
    assert pick_style(True, True, io.StringIO()) == "bars"


def test_lines_say_each_document_and_the_time_left():
    out, now = io.StringIO(), iter([100.0, 100.1, 112.5, 112.6])
    progress = Progress(3, "lines", stream=out, clock=lambda: next(now))
    progress.start("extract: 3 document(s), backend local, model m")
    progress.document_done("docs/c.pdf", "ok", 0.01, 1, cached=True)
    progress.document_done("docs/a.pdf", "ok", 12.34, 1)
    progress.document_done("docs/b.txt", "error", 0.01, 0)
    progress.close()
    lines = out.getvalue().splitlines()
    assert lines[0] == "extract: 3 document(s), backend local, model m"
    # a cached answer takes no time: it neither says a request nor sets the pace
    assert lines[1] == "extract: [1/3] c.pdf: ok, 0.0 s, from the answer cache"
    assert re.fullmatch(
        r"extract: \[2/3\] a\.pdf: ok, 12\.3 s, 1 request\(s\); about 12 s left", lines[2]
    )
    assert lines[3] == "extract: [3/3] b.txt: error, 0.0 s, no request (unreadable)"
    assert len(lines) == 4  # no bar drawn into a log


def test_cli_off_a_terminal_prints_a_start_line_and_one_line_per_document(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
):
    docs = tmp_path / "docs"
    docs.mkdir()
    for name in ("invoice-northwind-5531.txt", "receipt-kopi-tiam.txt"):
        shutil.copy(ROOT / "sample_docs" / name, docs / name)
    (docs / "broken.pdf").write_bytes(b"%PDF-1.7 not really")
    with FakeOpenAI(schema_responder(lambda r: {})) as fake:
        code = main(run_args(docs, "invoice", tmp_path / "t.csv", fake.base_url))
    err = capsys.readouterr().err
    assert code == 1  # the broken PDF
    assert re.search(r"^extract: 3 document\(s\), backend openai, model ", err, re.M)
    for name, status in (("broken.pdf", "error"), ("invoice-northwind-5531.txt", "ok")):
        assert re.search(rf"^extract: \[\d/3\] {re.escape(name)}: {status}, [\d.]+ s", err, re.M)
    assert "it/s" not in err and "\r" not in err  # no tqdm bar in a log
