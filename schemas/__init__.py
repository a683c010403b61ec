"""The bundled schemas, by name: `--schema invoice` etc."""

from __future__ import annotations

from pydantic import BaseModel

from schemas.charity_report import CharityReport
from schemas.contract import Contract
from schemas.invoice import Invoice
from schemas.nda import NDA
from schemas.receipt import Receipt

BUNDLED: dict[str, type[BaseModel]] = {
    "invoice": Invoice,
    "receipt": Receipt,
    "nda": NDA,
    "charity_report": CharityReport,
    "contract": Contract,
}

__all__ = ["BUNDLED", "NDA", "CharityReport", "Contract", "Invoice", "Receipt"]
