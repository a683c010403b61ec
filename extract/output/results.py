"""What one document gave: the data types that become its table row.

A leaf: the pool fills these, the tables and the API read them, and nothing
here imports the rest of the pipeline.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from extract.evidence.rows import DocumentEvidence
from extract.ingest.chunking import Chunk
from extract.ingest.documents import Document
from extract.output.merge import Conflict


@dataclass
class Usage:
    """Requests and tokens spent, counting every attempt that got an answer."""

    requests: int = 0
    retries: int = 0
    prompt_tokens: int = 0
    completion_tokens: int = 0
    cost_usd: float | None = 0.0  # at the price of the model that answered; None: unknown

    def add(self, other: Usage) -> None:
        self.requests += other.requests
        self.retries += other.retries
        self.prompt_tokens += other.prompt_tokens
        self.completion_tokens += other.completion_tokens
        self.charge(other.cost_usd)

    def charge(self, cost: float | None) -> None:
        self.cost_usd = None if cost is None or self.cost_usd is None else self.cost_usd + cost


@dataclass
class DocumentResult:
    """Everything the tables need about one input document."""

    doc_id: str | None
    source: str
    status: str  # ok | partial | error
    error: str | None = None
    pages: int | None = None
    n_chunks: int = 0
    data: dict[str, Any] | None = None
    conflicts: list[Conflict] = field(default_factory=list)
    checks: dict[str, str] = field(default_factory=dict)  # failed rule -> discrepancy
    origins: dict[str, list[str]] = field(default_factory=dict)
    chunks: dict[str, Chunk] = field(default_factory=dict)
    usage: Usage = field(default_factory=Usage)
    models: list[str] = field(default_factory=list)
    evidence: DocumentEvidence | None = None  # None: evidence off, or no data
    document: Document | None = None  # the text the evidence points into
    text_source: str | None = None  # text | ocr | vision | mixed (None: not read)
    scanned_pages: str | None = None  # 1-based, "1,3-4"
    image_tokens: int = 0  # tokens of the page images sent (mistral-common count)
    notes: list[str] = field(default_factory=list)  # how pages were read, when not the plan
    second_pass: dict[str, list[str]] | None = None  # fields asked again, and those changed
