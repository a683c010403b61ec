"""What the benchmarks share: the fake API in its own process, the configuration that measures
the pipeline alone, scratch folders and the clocks.

    with fake_api(latency=0.5) as url, scratch() as folder:
        (folder / "r.txt").write_text("SHOP 1 SDN BHD, TOTAL 9.50")
        start = time.monotonic()
        report = extract_paths([folder], "receipt", bench_config(url, 16), progress=False)
        wall = time.monotonic() - start
        ideal = ideal_seconds(server_stats(url)["chat_requests"], 0.5, 16)
"""

from __future__ import annotations

import json
import resource
import subprocess
import sys
import tempfile
import urllib.request
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from extract import Config
from extract.ingest.pdf_reader import worker_cpu_seconds


@contextmanager
def fake_api(latency: float, responder: str | None = None) -> Iterator[str]:
    """The fake API in its own process (so its CPU is not the pipeline's); its URL.
    `responder` is `module:name` of a responder importable in that process."""
    extra = ["--responder", responder] if responder else []
    proc = subprocess.Popen(
        [sys.executable, "-m", "tests.fake_server", "--latency", str(latency), *extra],
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        text=True,
    )
    try:
        yield proc.stdout.readline().strip()
    finally:
        proc.stdin.close()  # the server stops when its stdin does
        try:
            proc.wait(timeout=30)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait()


def server_stats(base_url: str) -> dict[str, Any]:
    """The fake API's own counts (requests answered, most in flight at once)."""
    root = base_url.removesuffix("/v1")
    with urllib.request.urlopen(f"{root}/_fake/stats", timeout=10) as reply:
        return json.loads(reply.read())


def bench_config(url: str, concurrency: int, **more: Any) -> Config:
    """No answer cache and no rate limit, so the run measures the pipeline itself; quiet
    unless `more` says otherwise."""
    more = {"quiet": True, **more}
    return Config.resolve(
        base_url=url,
        api_key="x",
        concurrency=concurrency,
        cache=False,
        requests_per_minute=0,
        tokens_per_minute=0,
        **more,
    )


def ideal_seconds(requests: int, latency: float, concurrency: int) -> float:
    """The wall time a run would take if the API's latency were all it waited on."""
    return requests * latency / concurrency


def cpu_seconds() -> float:
    """This process's CPU time plus the PDF reader process's (PDFs are parsed there)."""
    usage = resource.getrusage(resource.RUSAGE_SELF)
    return usage.ru_utime + usage.ru_stime + worker_cpu_seconds()


@contextmanager
def scratch() -> Iterator[Path]:
    """A folder for one benchmark's generated documents and outputs, removed after it."""
    with tempfile.TemporaryDirectory() as tmp:
        yield Path(tmp)
