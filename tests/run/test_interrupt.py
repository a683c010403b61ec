"""Ctrl-C: no new requests, those in flight finish, the tables are written, exit 130,
and the rerun resumes from the cache. A real process gets a real SIGINT."""

from __future__ import annotations

import json
import os
import re
import signal
import subprocess
import sys
import time
from pathlib import Path

import pandas as pd

from tests.cli_args import run_args
from tests.conftest import ROOT
from tests.fake_server import FakeOpenAI, schema_responder

N_DOCS, CONCURRENCY = 24, 3


def receipts(folder: Path, n: int) -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    for i in range(n):
        (folder / f"r{i:03d}.txt").write_text(f"SHOP {i} SDN BHD\nDATE: 01/01/2019\nTOTAL {i}.50\n")
    return folder


def command(docs: Path, out: Path, url: str, cache: Path) -> list[str]:
    options = ("--cache-path", str(cache), "--concurrency", str(CONCURRENCY), "--rpm", "0", "-q")
    return [sys.executable, "-m", "extract", *run_args(docs, "receipt", out, url, *options)]


def ctrl_c_as_on_a_terminal() -> None:
    """In the child: SIGINT at its default, as a user's terminal delivers it. A suite started
    in the background (`make test &`) inherits SIGINT ignored, and Python then installs no
    handler at all: the run would rightly ignore Ctrl-C, and these tests would fail."""
    signal.signal(signal.SIGINT, signal.SIG_DFL)


def wait_for_requests(fake: FakeOpenAI, n: int, proc: subprocess.Popen) -> None:
    deadline = time.monotonic() + 60
    while len(fake.chat_requests()) < n:
        assert proc.poll() is None, proc.stderr.read() if proc.stderr else ""
        assert time.monotonic() < deadline, "the run never got going"
        time.sleep(0.02)


def test_ctrl_c_finishes_what_is_in_flight_writes_the_tables_and_the_rerun_resumes(
    tmp_path: Path,
):
    docs, out, cache = receipts(tmp_path / "docs", N_DOCS), tmp_path / "r.parquet", tmp_path / "c"
    with FakeOpenAI(schema_responder(), latency=0.4) as fake:
        args = command(docs, out, fake.base_url, cache)
        proc = subprocess.Popen(
            args,
            cwd=ROOT,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            preexec_fn=ctrl_c_as_on_a_terminal,
        )
        wait_for_requests(fake, 2 * CONCURRENCY, proc)
        at_signal = len(fake.chat_requests())
        os.kill(proc.pid, signal.SIGINT)
        _, err = proc.communicate(timeout=60)
        after = len(fake.chat_requests())
        assert proc.returncode == 130, err.decode()
        assert after - at_signal <= CONCURRENCY  # only what was already on its way

        table = pd.read_parquet(out)
        assert len(table) == N_DOCS and table["doc_id"].is_unique  # every document has a row
        done = table[table["status"] == "ok"]
        stopped = table[table["status"] != "ok"]
        assert len(done) == after  # every request in flight was waited for and kept
        assert len(stopped) == N_DOCS - after
        assert stopped["error"].str.startswith("interrupted").all()
        assert b"Ctrl-C again" in err

        rerun = subprocess.run(args, cwd=ROOT, capture_output=True, text=True, timeout=120)
        assert rerun.returncode == 0, rerun.stderr
        assert len(fake.chat_requests()) - after == N_DOCS - after  # finished ones not re-sent
    assert (pd.read_parquet(out)["status"] == "ok").all()


def test_a_second_ctrl_c_abandons_the_requests_in_flight(tmp_path: Path):
    docs, out, cache = receipts(tmp_path / "docs", 6), tmp_path / "r.csv", tmp_path / "c"
    with FakeOpenAI(schema_responder(), latency=300) as fake:  # answers that never come in time
        proc = subprocess.Popen(
            command(docs, out, fake.base_url, cache),
            cwd=ROOT,
            stderr=subprocess.PIPE,
            preexec_fn=ctrl_c_as_on_a_terminal,
        )
        wait_for_requests(fake, CONCURRENCY, proc)
        os.kill(proc.pid, signal.SIGINT)
        time.sleep(0.5)
        os.kill(proc.pid, signal.SIGINT)
        _, err = proc.communicate(timeout=60)  # long before any answer could arrive
        assert len(fake.chat_requests()) == CONCURRENCY
    assert proc.returncode == 130, err.decode()
    table = pd.read_csv(out)
    assert len(table) == 6 and (table["status"] == "error").all()
    assert table["error"].str.startswith("interrupted").all()


def test_sigterm_stops_at_once_and_writes_a_row_for_every_document(tmp_path: Path):
    """`timeout`, `kill` or a job scheduler: no waiting for answers, and nothing lost."""
    docs, out, cache = receipts(tmp_path / "docs", 8), tmp_path / "r.csv", tmp_path / "c"
    with FakeOpenAI(schema_responder(), latency=300) as fake:  # answers that never come in time
        proc = subprocess.Popen(
            command(docs, out, fake.base_url, cache), cwd=ROOT, stderr=subprocess.PIPE
        )
        wait_for_requests(fake, CONCURRENCY, proc)
        os.kill(proc.pid, signal.SIGTERM)
        _, err = proc.communicate(timeout=60)  # long before any answer could arrive
    assert proc.returncode == 130, err.decode()
    assert b"terminated" in err
    table = pd.read_csv(out)
    assert len(table) == 8 and table["doc_id"].is_unique
    assert table["error"].str.startswith("interrupted").all()


def printed_total(request) -> dict[str, str]:
    """The receipt's own total, so a row can be checked against its document."""
    return {"total": re.search(r"TOTAL (\d+\.50)", json.dumps(request.body))[1]}


def test_sigterm_keeps_the_documents_finished_before_it(tmp_path: Path):
    docs, out, cache = receipts(tmp_path / "docs", 6), tmp_path / "r.parquet", tmp_path / "c"
    with FakeOpenAI(schema_responder(printed_total)) as fake:
        args = command(docs, out, fake.base_url, cache)
        first = subprocess.run(args, cwd=ROOT, capture_output=True, text=True, timeout=120)
        assert first.returncode == 0, first.stderr
        receipts(docs, 9)  # three more, whose answers will not come in time
        fake.latency = 300
        proc = subprocess.Popen(args, cwd=ROOT, stderr=subprocess.PIPE)
        wait_for_requests(fake, 6 + 1, proc)
        os.kill(proc.pid, signal.SIGTERM)
        _, err = proc.communicate(timeout=60)
    assert proc.returncode == 130, err.decode()
    table = pd.read_parquet(out).set_index("doc_id")
    assert len(table) == 9
    finished = table[table["status"] == "ok"]
    assert len(finished) == 6  # from the cache, and written despite the signal
    assert finished["total"].tolist() == [f"{i}.50" for i in range(6)]
    assert table["error"].iloc[6:].str.startswith("interrupted").all()
