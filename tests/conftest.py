"""Shared fixtures: paths to the real evaluation documents, and an isolated cache per test."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
EVALDATA = ROOT.parent / "shared" / "evaldata"
NDA_PDFS = EVALDATA / "kleister_nda" / "documents"
# `make test` sets this: there, a missing dependency of a test is a failure, not a skip.
REQUIRE = "EXTRACT_REQUIRE_LOCAL_MODEL"


def skip_or_fail(reason: str) -> None:
    """Skip with `reason` (printed by `pytest -rs`), or fail under EXTRACT_REQUIRE_LOCAL_MODEL=1."""
    if os.environ.get(REQUIRE):
        pytest.fail(f"{reason} ({REQUIRE} is set, so this is a failure, not a skip)")
    pytest.skip(reason)


def require_evaldata(root: Path = EVALDATA) -> Path:
    """The evaluation data folder; skip (or fail, see `skip_or_fail`) when it is absent."""
    if not root.is_dir():
        skip_or_fail(f"evaluation data not found at {root}")
    return root


def real_pdfs(n: int) -> list[Path]:
    """The first `n` Kleister NDA PDFs (real SEC filings with a text layer)."""
    require_evaldata(NDA_PDFS)
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
