"""Shared fixtures: paths to the real evaluation documents, and an isolated cache per test."""

from __future__ import annotations

from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
EVALDATA = ROOT.parent / "shared" / "evaldata"
NDA_PDFS = EVALDATA / "kleister_nda" / "documents"


def real_pdfs(n: int) -> list[Path]:
    """The first `n` Kleister NDA PDFs (real SEC filings with a text layer)."""
    if not NDA_PDFS.is_dir():
        pytest.skip(f"evaluation data not found at {NDA_PDFS}")
    return sorted(NDA_PDFS.glob("*.pdf"))[:n]


@pytest.fixture
def nda_pdf() -> Path:
    return real_pdfs(1)[0]


@pytest.fixture(autouse=True)
def isolated_environment(tmp_path_factory: pytest.TempPathFactory, monkeypatch: pytest.MonkeyPatch):
    """Each test gets its own answer cache and no keys from the developer's shell."""
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path_factory.mktemp("cache")))
    for name in (
        "REQUESTY_API_KEY",
        "EXTRACT_API_KEY",
        "EXTRACT_BASE_URL",
        "EXTRACT_MODEL",
        "EXTRACT_BACKEND",
    ):
        monkeypatch.delenv(name, raising=False)
