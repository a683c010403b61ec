"""Company names with their legal form: what grounding completes and list caps count."""

from __future__ import annotations

import pytest

from extract.evidence.grounding import evidence_fields, ground_answer
from extract.evidence.legal_names import defined_name, legal_names, with_legal_form
from extract.ingest.documents import read_document
from schemas.nda import NDA
from tests.conftest import EVALDATA, NDA_PDFS, require_evaldata

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


@pytest.mark.parametrize(
    ("term", "name"),
    [
        ("VMU", "Virgin Mobile USA, LLC"),  # not "Delaware limited": a form is capitalised
        ("GSK", "GlaxoSmithKline LLC"),  # the name before the address, after TESARO's bracket
        ("Bank", "First Bank of Beverly Hills"),  # no legal form: the words before it
        ("Employee", "Joseph W. Kiley, III"),
        ("Recipient", None),  # defined after a form's blank: no name to give
        ("Franchisee", None),  # the name before it is another party's (CUAD, PF Hospitality)
        ("Acme", None),  # defined nowhere
    ],
)
def test_a_defined_short_name_stands_for_the_name_before_its_definition(term, name):
    text = (
        "between Virgin Mobile USA, LLC, a Delaware limited liability company (“VMU”), and "
        "TESARO, Inc. (“TESARO”), located at 1000 Winter Street, Waltham, MA 02451, "
        "GlaxoSmithKline LLC, located at 1250 South Collegeville Road, PA 19426 (“GSK”). "
        "It is made between First Bank of Beverly Hills (the “Bank”), a state chartered "
        "bank, and Joseph W. Kiley, III (the “Employee”), and [ , a corporation] (“Recipient”). "
        "Between Pizza Fusion Holding, Inc., a Florida corporation, and the individual or "
        "legal entity identified on the cover page (“Franchisee”)."
    )
    assert defined_name(term, text) == name


def test_a_party_answered_by_its_short_name_is_kept_as_the_name_it_stands_for():
    """Kleister NDA dev-0 3aeb57dd: the model answered "VMU"; the gold is the company."""
    require_evaldata()
    nda = next(NDA_PDFS.glob("3aeb57dd*.pdf"))
    text = read_document(nda).text
    grounded = ground_answer({"parties": ["VMU"]}, evidence_fields(NDA), text)
    assert grounded["parties"] == ["Virgin Mobile USA, LLC"]
