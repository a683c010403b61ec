"""Company names with their legal form: what grounding completes and list caps count."""

from __future__ import annotations

from extract.evidence.legal_names import legal_names, with_legal_form
from extract.ingest.documents import read_document
from tests.conftest import EVALDATA, require_evaldata

JOINT_FILING = (
    EVALDATA
    / "cuad/full_contract_pdf/Part_III/Joint Venture _ Filing"
    / "ATENTOSA_07_06_2020-EX-99.1-JOINT FILING AGREEMENT.PDF"
)


def test_a_name_counts_once_however_it_is_capitalised_and_role_labels_not_at_all():
    text = (
        'This Agreement is between NIKE, INC. (the "Company") and Acme Widgets LLC '
        '("Distributor"). Nike, Inc. and ACME WIDGETS, LLC agree as follows.'
    )
    assert legal_names(text) == {"nikeinc", "acmewidgetsllc"}


def test_every_fund_of_a_real_joint_filing_agreement_is_counted():
    """CUAD's ATENTOSA agreement is signed by ten funds, four of them Luxembourg
    S.à r.l.s and two told apart only by a trailing "II"; the eleventh name printed is a
    general partner signing for one of them."""
    require_evaldata()
    names = legal_names(read_document(JOINT_FILING).text)
    assert len(names) == 11
    assert {"mezzaninepartnersiionshoreluxsàrl", "mezzaninepartnersiionshoreluxsàrlii"} <= names
    assert "mezzaninepartnersoffshoreinvestmentmasterfundiilp" in names  # form on the next line


def test_a_name_written_without_its_legal_form_gets_the_one_printed_after_it():
    text = "by and between ANADIGICS, Inc., a Delaware corporation, and Lux Co S.à r.l."
    assert with_legal_form("Anadigics", text) == "ANADIGICS, Inc."
    assert with_legal_form("Lux Co", text) == "Lux Co S.à r.l."
    assert with_legal_form("Acme", text) == "Acme"  # not printed: unchanged
