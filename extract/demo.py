"""`make demo`: extract the sample documents, each kind with its own schema.

Uses whatever backend the environment selects: Requesty with REQUESTY_API_KEY,
else EXTRACT_BASE_URL, else the embedded local model. The long contract is
only included with a hosted model: on 2 CPU cores the local model would need
several minutes for its 42K tokens.
"""

from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path

import pandas as pd

from extract.api import extract_paths
from extract.config import Config
from extract.errors import ConfigError
from extract.llm.backends import Backend
from extract.llm.backends.registry import open_backend
from extract.output.tables import BASE_COLUMNS

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
    args = parser.parse_args(argv)
    try:
        config = Config.resolve()
        with open_backend(config) as backend:
            return run_jobs(config, backend, args.out)
    except ConfigError as exc:
        print(f"demo: {exc}", file=sys.stderr)
        return 2


def run_jobs(config: Config, backend: Backend, out_dir: Path) -> int:
    """Each sample job through `extract_paths`, one backend for all of them."""
    print(f"demo: backend {backend.name}, model {backend.model}, mode {backend.mode}")
    start, failed = time.monotonic(), 0
    for schema, names, stem in JOBS:
        if backend.name == "local" and schema == "contract":
            print("demo: skipping the 42K-token contract on the local model (minutes on 2 cores)")
            continue
        out = out_dir / f"{stem}.parquet"
        report = extract_paths(
            [SAMPLES / n for n in names], schema, config, out=out, backend=backend
        )
        failed += sum(r.status != "ok" for r in report.results)
        print(f"demo: {schema:9} -> {', '.join(p.name for p in report.written)}")
        print(f"      {report.summary()}")
        for line in describe_rows(report.tables.documents, first_field=BASE_COLUMNS):
            print(line)
    print(f"demo: done in {time.monotonic() - start:.1f} s; tables are in {out_dir}/")
    return 1 if failed else 0


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
