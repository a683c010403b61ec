"""`make demo`: extract the sample documents, each kind with its own schema.

Uses whatever backend the environment selects: Requesty with REQUESTY_API_KEY,
else EXTRACT_BASE_URL, else the embedded local model. The long contract is
only included with a hosted model: on 2 CPU cores the local model would need
several minutes for its 42K tokens.
"""

from __future__ import annotations

import argparse
import json
import sys
import tempfile
import time
from pathlib import Path

import pandas as pd

from extract.api import build_task, extract_paths
from extract.config import Config
from extract.errors import ConfigError
from extract.llm.backends import Backend
from extract.llm.backends.registry import open_backend
from extract.output.tables import BASE_COLUMNS
from extract.run.estimate import estimate

ROOT = Path(__file__).resolve().parent.parent
SAMPLES = ROOT / "sample_docs"
JOBS = (  # (schema, files, output name)
    ("invoice", ["invoice-acme-2024-017.pdf", "invoice-northwind-5531.txt"], "invoices"),
    ("receipt", ["receipt-kopi-tiam.txt", "receipt-scan-selera.jpg"], "receipts"),
    ("nda", ["nda-mutual-bluefin.pdf"], "ndas"),
    ("contract", ["master-services-agreement-long.txt"], "contracts"),
)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m extract.demo", description=__doc__)
    parser.add_argument("--out", type=Path, default=ROOT / "out", help="folder for the tables")
    parser.add_argument("--only", choices=[j[0] for j in JOBS], help="run one schema's documents")
    parser.add_argument("--local-model", help="a GGUF file or bundled model for the local backend")
    parser.add_argument(
        "--no-cache", action="store_true", help="ask the model again for everything"
    )
    args = parser.parse_args(argv)
    try:
        config = Config.resolve(
            local_model=args.local_model, cache=False if args.no_cache else None
        )
        with open_backend(config) as backend:
            return run_jobs(config, backend, args.out, only=args.only)
    except ConfigError as exc:
        print(f"demo: {exc}", file=sys.stderr)
        return 2


def run_jobs(config: Config, backend: Backend, out_dir: Path, only: str | None = None) -> int:
    """Each sample job through `extract_paths`, one backend for all of them."""
    jobs = [job for job in JOBS if only in (None, job[0])]
    if backend.name == "local" and any(job[0] == "contract" for job in jobs):
        print("demo: skipping the 42K-token contract on the local model (minutes on 2 cores)")
        jobs = [job for job in jobs if job[0] != "contract"]
    print(f"demo: backend {backend.name}, model {backend.model}, mode {backend.mode}")
    documents, requests, prompt = plan(jobs, config, backend)
    where = config.resolved_cache_path  # a remote cache (s3://...) keeps no pace
    folder = where.parent if isinstance(where, Path) else Path(tempfile.gettempdir())
    pace = Pace(folder / "pace.json", f"{backend.name}:{backend.model}")
    print(
        f"demo: {documents} documents, {requests} requests, about {prompt:,} prompt tokens"
        f"{pace.guess(prompt)}",
        flush=True,
    )
    start, failed, sent, cached = time.monotonic(), 0, 0, 0
    for schema, names, stem in jobs:
        out = out_dir / f"{stem}.parquet"
        report = extract_paths(
            [SAMPLES / n for n in names], schema, config, out=out, backend=backend
        )
        failed += sum(r.status != "ok" for r in report.results)
        sent += sum(r.usage.prompt_tokens for r in report.results)
        cached += report.cached_chunks
        print(f"demo: {schema:9} -> {', '.join(p.name for p in report.written)}")
        print(f"      {report.summary()}")
        for line in describe_rows(report.tables.documents, first_field=BASE_COLUMNS):
            print(line)
    seconds = time.monotonic() - start
    if not cached and sent:  # a run answered from the cache says nothing about the pace
        pace.remember(seconds / sent)
    print(f"demo: done in {seconds:.1f} s; tables are in {out_dir}/")
    return 1 if failed else 0


class Pace:
    """Seconds per prompt token the last uncached demo took on this machine, per backend and model."""

    def __init__(self, path: Path, key: str) -> None:
        self.path, self.key = path, key

    def guess(self, prompt_tokens: int) -> str:
        try:
            per_token = float(json.loads(self.path.read_text())[self.key])
        except (OSError, ValueError, KeyError, TypeError):
            return "; the time is estimated once this machine's speed is known (after one run)"
        return f"; about {prompt_tokens * per_token:.0f} s at this machine's last measured pace"

    def remember(self, per_token: float) -> None:
        try:
            known = json.loads(self.path.read_text())
        except (OSError, ValueError):
            known = {}
        known = known if isinstance(known, dict) else {}
        known[self.key] = per_token
        try:
            self.path.parent.mkdir(parents=True, exist_ok=True)
            self.path.write_text(json.dumps(known))
        except OSError:
            pass  # only a hint for the next run's estimate


def plan(
    jobs: list[tuple[str, list[str], str]], config: Config, backend: Backend
) -> tuple[int, int, int]:
    """What the demo will send, counted before sending (the `--dry-run` estimate)."""
    documents = requests = prompt = 0
    for schema, names, _ in jobs:
        guess = estimate([SAMPLES / n for n in names], build_task(schema, config), backend)
        documents, requests = documents + guess.documents, requests + guess.requests
        prompt += guess.prompt_tokens
    return documents, requests, prompt


def describe_rows(frame: pd.DataFrame, first_field: tuple[str, ...]) -> list[str]:
    """One line per document: its status and the fields that were found."""
    lines = []
    for row in frame.to_dict("records"):
        found = [
            f"{k}={_short(v)}"
            for k, v in row.items()
            if k not in first_field and v is not None and v is not pd.NA and v == v and v != []
        ]
        why = f" ({row['error']})" if row["error"] else ""
        how = row.get("text_source")
        read = f", read by {how}" if isinstance(how, str) and how != "text" else ""
        lines.append(
            f"      {Path(row['source']).name} [{row['status']}{read}]{why}: " + "; ".join(found)
        )
    return lines


def _short(value: object, width: int = 40) -> str:
    text = str(list(value) if hasattr(value, "tolist") else value)
    return text if len(text) <= width else text[: width - 1] + "…"


if __name__ == "__main__":
    sys.exit(main())
