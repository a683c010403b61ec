"""What an evaluation measured: a leaf of data types that the runner fills and the report reads.

Kept apart from both so neither imports the other.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

from extract.evaluation.bootstrap import Bootstrap
from extract.evaluation.datasets import Example
from extract.evaluation.scoring import Gold, Scores
from extract.evaluation.trust import Trust
from extract.run.estimate import Estimate


@dataclass
class SystemRun:
    """One system's answers on the examples (in example order), its scores and its cost."""

    label: str  # "pipeline" | "naive"
    preds: list[Gold]
    statuses: list[str]
    errors: list[str | None]
    scores: Scores
    seconds: float
    requests: int
    prompt_tokens: int
    completion_tokens: int
    cost_usd: float | None
    inputs_cut: int = 0  # naive: documents cut to fit the context window
    cached: int = 0  # naive: documents answered from the cache

    @property
    def documents(self) -> int:
        return len(self.preds)

    @property
    def seconds_per_doc(self) -> float:
        return self.seconds / self.documents if self.documents else 0.0


@dataclass
class EvalResult:
    """Everything `evaluate()` measured; `report_dir` holds report.md, per_document.csv, f1.png."""

    dataset: str
    split: str
    selection: str
    examples: list[Example]
    pipeline: SystemRun
    naive: SystemRun | None
    backend: str
    model: str
    mode: str
    command: str
    estimate: Estimate
    cached_chunks: int = 0
    bootstrap: Bootstrap | None = None  # F1 intervals over documents, and of the difference
    trust: Trust | None = None  # grounded vs ungrounded precision, accuracy by confidence
    reference: SystemRun | None = None  # scan datasets: the same documents read as text
    ceiling: Scores | None = None  # the gold through grounding and validation (`ceiling.py`)
    report_dir: Path | None = None
    written: list[Path] = field(default_factory=list)

    def summary(self) -> str:
        """One line per system, for the terminal."""
        lines = [f"{self.dataset} ({self.selection}, {len(self.examples)} documents):"]
        for run in filter(None, (self.pipeline, self.naive, self.reference)):
            cost = "unknown" if run.cost_usd is None else f"${run.cost_usd:.4f}"
            lines.append(
                f"  {run.label:8} F1 {run.scores.overall.f1:.3f} (P {run.scores.overall.precision:.3f}"
                f" R {run.scores.overall.recall:.3f}); {run.seconds:.1f} s, "
                f"{run.prompt_tokens}+{run.completion_tokens} tokens, cost {cost}"
            )
        if self.ceiling is not None:
            lines.append(f"  ceiling  F1 {self.ceiling.overall.f1:.3f} (the gold, grounded)")
        if self.bootstrap is not None and self.bootstrap.difference is not None:
            diff = self.bootstrap.difference
            other = "text" if self.reference is not None else "naive"
            lines.append(f"  pipeline - {other} F1 {diff.describe(signed=True)} (95% bootstrap)")
        if self.report_dir is not None:
            lines.append(f"  report: {self.report_dir / 'report.md'}")
        return "\n".join(lines)
