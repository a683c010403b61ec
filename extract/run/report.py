"""What a run produced and what it cost: the tables, each document's result, the backend
that answered, and a one-line summary for the end of a run."""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING

import pandas as pd

from extract.output.results import DocumentResult
from extract.output.tables import Tables

if TYPE_CHECKING:
    from extract.run.dask_engine import ClusterStats


@dataclass
class RunReport:
    """What a run produced and what it cost."""

    tables: Tables
    results: list[DocumentResult]
    backend: str
    model: str
    mode: str
    seconds: float
    cached_chunks: int = 0
    written: list[Path | str] = field(default_factory=list)  # files, or dataset folders
    cluster: ClusterStats | None = None  # set by the dask engine
    interrupted: bool = False  # Ctrl-C: unfinished documents are "interrupted" error rows
    abandoned: bool = False  # a second Ctrl-C: requests in flight were not waited for

    @property
    def status_counts(self) -> dict[str, int]:
        return dict(Counter(r.status for r in self.results))

    @property
    def all_ok(self) -> bool:
        return all(r.status == "ok" for r in self.results)

    def summary(self) -> str:
        docs = self.tables.documents
        counts = ", ".join(f"{n} {s}" for s, n in sorted(self.status_counts.items())) or "none"
        child_rows = sum(len(t) for t in self.tables.children.values())
        cost_text = cost_summary(docs["cost_usd"])
        return (
            f"{len(docs)} documents ({counts}), {child_rows} child rows; "
            f"{int(docs['requests'].sum())} requests, {int(docs['retries'].sum())} retries, "
            f"{int(docs['prompt_tokens'].sum())} prompt + {int(docs['completion_tokens'].sum())} "
            f"completion tokens, cost {cost_text}; {self.cached_chunks} chunks answered from the cache (not sent again); "
            f"{self.seconds:.1f} s" + (self._cluster_summary(len(docs)) if self.cluster else "")
        )

    def _cluster_summary(self, n_docs: int) -> str:
        c = self.cluster
        assert c is not None
        rate = n_docs / self.seconds if self.seconds else 0.0
        return (
            f"; dask: {c.workers} workers, {c.partitions} tasks, {rate:.1f} documents/s, "
            f"start-up {c.start_seconds:.1f} s"
        )


def cost_summary(costs: pd.Series) -> str:
    """'$0.0123', or 'unknown' where an answer came from a model without a price (pd.NA):
    a sum that skipped those would understate the bill."""
    known = float(costs.sum()) if len(costs) else 0.0  # the sum skips NA
    if not costs.isna().any():
        return f"${known:.4f}"
    return f"unknown (at least ${known:.4f})" if known else "unknown"
