"""List caps follow the document: a grammar never stops a list the text really holds."""

from __future__ import annotations

from extract import Config, extract_document
from extract.api import build_task
from extract.ingest.documents import read_document
from extract.llm.backends.base import StructuredRequest
from tests.conftest import require_evaldata
from tests.evidence.test_legal_names import JOINT_FILING
from tests.fake_backend import FakeBackend, document_of

FUNDS = [
    "HPS INVESTMENT PARTNERS, LLC",
    "HPS MEZZANINE PARTNERS II, LLC",
    "HPS MEZZANINE PARTNERS II OFFSHORE GP, L.P.",
    "MEZZANINE PARTNERS - OFFSHORE INVESTMENT MASTER FUND II, L.P.",
    "MEZZANINE PARTNERS II OFFSHORE LUX S.À R.L",
    "MEZZANINE PARTNERS II OFFSHORE LUX S.À R.L II",
    "HPS MEZZANINE PARTNERS II GP, L.P.",
    "MEZZANINE PARTNERS II, L.P.",
    "MEZZANINE PARTNERS II ONSHORE LUX S.À R.L",
    "MEZZANINE PARTNERS II ONSHORE LUX S.À R.L II",
]


def test_a_contract_naming_two_companies_keeps_the_schemas_cap():
    """Most texts keep the cap of 8, so the same request (and cache key) as before."""
    task = build_task("nda", Config.resolve(backend="local"))
    assert task.caps_for("Between Acme, Inc. and Beta LLC.") == {"parties": 8}


def test_ten_signatories_are_all_asked_for_and_all_kept():
    """The joint filing agreement prints eleven legal names; its request lets the list
    hold eleven, and an answer naming the ten funds keeps all ten, as printed."""
    require_evaldata()

    def all_funds(request: StructuredRequest) -> dict[str, object]:
        assert "JOINT FILING AGREEMENT" in document_of(request)
        return {"document_name": "JOINT FILING AGREEMENT", "parties": FUNDS}

    backend = FakeBackend(all_funds)
    config = Config.resolve(base_url="http://127.0.0.1:9/v1", api_key="x", cache=False)
    result = extract_document(
        read_document(JOINT_FILING), "contract", config=config, backend=backend
    )
    assert [r.max_items for r in backend.requests] == [{"parties": 11}]
    assert result.data["parties"] == FUNDS
