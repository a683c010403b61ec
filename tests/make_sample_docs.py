"""Writes the generated documents in sample_docs/ (deterministic: same bytes every run).

    python tests/make_sample_docs.py

PDFs are written by hand (PDF 1.4, Helvetica) so no PDF library is needed.

What it writes (the hand-written .txt samples sit beside them):

- invoice-acme-2024-017.pdf: UK invoice, 2 pages, 26 line items, the list continues on page 2.
- nda-mutual-bluefin.pdf: mutual NDA, 3 pages; parties on page 1, term on page 2, governing law
  on page 3.
- receipt-scan-selera.jpg: a Malaysian restaurant receipt as a scan (rendered text, turned a
  little, noise and blur): no text layer at all, read by OCR or by a vision model.
- master-services-agreement-long.txt: a long master services agreement (about 45K Tekken
  tokens, so longer than a 32K window) with definitions, services, service levels, sites, an
  invoice schedule and a change log; the key terms sit in the first chunk, the signatures in the last.

The hand-written ones: invoice-northwind-5531.txt (US invoice with sales tax),
receipt-kopi-tiam.txt (Malaysian cafe receipt, SROIE-like), facture-lumiere-2024-031.txt (French
invoice: decimal commas, euro signs, French month names) and kassenbon-baeckerei-sonne.txt
(German receipt).
"""

from __future__ import annotations

import datetime
import random
import textwrap
from pathlib import Path

HERE = Path(__file__).resolve().parent.parent / "sample_docs"
LINES_PER_PAGE = 60


def write_pdf(path: Path, pages: list[list[str]]) -> None:
    """A minimal valid PDF with one text line per row, 10 pt Helvetica."""
    path.write_bytes(text_pdf_bytes(pages))


def text_pdf_bytes(pages: list[list[str]]) -> bytes:
    """The bytes of `write_pdf`'s file."""
    objects: list[bytes] = []
    n_pages = len(pages)
    page_ids = [4 + 2 * i for i in range(n_pages)]
    objects.append(b"<< /Type /Catalog /Pages 2 0 R >>")
    kids = " ".join(f"{i} 0 R" for i in page_ids)
    objects.append(f"<< /Type /Pages /Kids [{kids}] /Count {n_pages} >>".encode())
    objects.append(
        b"<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica /Encoding /WinAnsiEncoding >>"
    )
    for i, lines in enumerate(pages):
        content_id = page_ids[i] + 1
        objects.append(
            f"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 612 792] "
            f"/Resources << /Font << /F1 3 0 R >> >> /Contents {content_id} 0 R >>".encode()
        )
        ops = ["BT", "/F1 10 Tf", "12 TL", "50 750 Td"]
        for line in lines:
            safe = line.replace("\\", "\\\\").replace("(", "\\(").replace(")", "\\)")
            ops.append(f"({safe.encode('latin-1', 'replace').decode('latin-1')}) Tj T*")
        ops.append("ET")
        stream = "\n".join(ops).encode("latin-1", "replace")
        objects.append(b"<< /Length %d >>\nstream\n" % len(stream) + stream + b"\nendstream")
    return pdf_file(objects)


def pdf_file(objects: list[bytes]) -> bytes:
    """A PDF 1.4 file of `objects`, numbered from 1 (object 1 is the catalog), with the
    cross-reference table that points at each: the one serialiser every hand-made PDF uses."""
    out = bytearray(b"%PDF-1.4\n")
    offsets = []
    for number, body in enumerate(objects, start=1):
        offsets.append(len(out))
        out += b"%d 0 obj\n" % number + body + b"\nendobj\n"
    xref = len(out)
    out += b"xref\n0 %d\n0000000000 65535 f \n" % (len(objects) + 1)
    out += b"".join(b"%010d 00000 n \n" % o for o in offsets)
    out += b"trailer\n<< /Size %d /Root 1 0 R >>\nstartxref\n%d\n%%%%EOF\n" % (
        len(objects) + 1,
        xref,
    )
    return bytes(out)


def paginate(lines: list[str]) -> list[list[str]]:
    return [lines[i : i + LINES_PER_PAGE] for i in range(0, len(lines), LINES_PER_PAGE)]


def invoice_lines() -> list[str]:
    rng = random.Random(17)
    products = [
        "Hex bolt M8x40",
        "Washer M8 zinc",
        "Lock nut M8",
        "Threaded rod M10 1m",
        "Anchor bolt M12",
        "Cable tie 300mm (100)",
        "Wall plug 8mm (50)",
        "Drill bit 6mm",
        "Safety gloves L",
        "Ear defenders",
        "Spirit level 600mm",
        "Tape measure 5m",
    ]
    lines = [
        "ACME INDUSTRIAL SUPPLIES LTD",
        "Unit 4, Riverside Park, Leeds LS11 5DJ, United Kingdom",
        "VAT Reg No: GB 284 1193 07",
        "",
        "INVOICE",
        "Invoice No: ACME-2024-017",
        "Invoice date: 14 March 2024",
        "Due date: 13 April 2024",
        "",
        "Bill to: Northbridge Construction plc",
        "22 Harbour Street, Hull HU1 1AA",
        "VAT Reg No: GB 611 0042 19",
        "",
        "Qty  Description                       Unit price    Amount",
    ]
    subtotal = 0.0
    for i in range(26):
        name = products[i % len(products)] + (
            "" if i < len(products) else f" batch {i // len(products)}"
        )
        qty = rng.randint(1, 40)
        price = round(rng.uniform(0.4, 45.0), 2)
        amount = round(qty * price, 2)
        subtotal += amount
        lines.append(f"{qty:>3}  {name:<34} GBP {price:>8.2f}  GBP {amount:>9.2f}")
        if i == 18:
            lines += [""] * (LINES_PER_PAGE - len(lines))  # page break inside the items
            lines += ["ACME-2024-017 (continued)", ""]
    tax = round(subtotal * 0.2, 2)
    lines += [
        "",
        f"Subtotal: GBP {subtotal:,.2f}",
        f"VAT 20%: GBP {tax:,.2f}",
        f"Total due: GBP {subtotal + tax:,.2f}",
        "",
        "Payment: BACS to sort code 20-45-77, account 43108826.",
        "Thank you for your business.",
    ]
    return lines


NDA_PAGES = [
    """MUTUAL NON-DISCLOSURE AGREEMENT

This Mutual Non-Disclosure Agreement (the "Agreement") is entered into as of the 2nd day of \
September, 2019 (the "Effective Date") by and between Bluefin Robotics, Inc., a Delaware \
corporation with offices at 500 Boylston Street, Boston, Massachusetts 02116 ("Bluefin"), and \
Harbor Analytics LLC, a New York limited liability company with offices at 75 Varick Street, \
New York, New York 10013 ("Harbor"). Bluefin and Harbor are each a "Party" and together the \
"Parties".

RECITALS

A. Bluefin designs and manufactures autonomous underwater vehicles for hydrographic survey.
B. Harbor develops statistical software for the analysis of sonar and bathymetric data.
C. The Parties wish to evaluate a possible collaboration on autonomous underwater survey \
software (the "Purpose") and, in doing so, expect to disclose Confidential Information to \
each other. Each Party may act as a disclosing party ("Discloser") and as a receiving party \
("Recipient") under this Agreement.

NOW, THEREFORE, in consideration of the mutual covenants below, the Parties agree as follows.

1. Definition of Confidential Information. "Confidential Information" means any non-public \
information disclosed by or on behalf of a Discloser to the Recipient, before or after the \
Effective Date, whether in writing, orally, electronically or by inspection of tangible \
objects, that is marked or identified as confidential or that a reasonable person would \
understand to be confidential given its nature and the circumstances of disclosure. It \
includes source code, algorithms, vehicle designs, survey data, customer lists, pricing, \
business plans and the existence and terms of the Parties' discussions.

2. Exclusions. Confidential Information does not include information that the Recipient can \
show (a) is or becomes publicly available through no fault of the Recipient; (b) was \
lawfully known to the Recipient before disclosure without a duty of confidentiality; (c) is \
independently developed by the Recipient without use of or reference to the Discloser's \
Confidential Information; or (d) is rightfully received from a third party without a duty \
of confidentiality.""",
    """3. Obligations of the Recipient. The Recipient shall (a) hold the Discloser's Confidential \
Information in strict confidence using at least the degree of care it uses to protect its \
own confidential information of like importance, and in no event less than reasonable care; \
(b) use it solely for the Purpose; and (c) disclose it only to its employees, officers, \
advisers and contractors who need to know it for the Purpose and are bound by written \
obligations of confidentiality no less protective than this Agreement.

4. Compelled Disclosure. If the Recipient is required by law, regulation or court order to \
disclose Confidential Information, it shall, where legally permitted, give the Discloser \
prompt written notice so that the Discloser may seek a protective order, and shall disclose \
only the portion that it is legally required to disclose.

5. Term and Termination. This Agreement shall remain in effect for a period of three (3) \
years from the Effective Date, unless terminated earlier by either Party on thirty (30) \
days' written notice to the other. The Recipient's obligations under Sections 3 and 4 \
survive for two (2) years after expiry or termination of this Agreement, and for trade \
secrets for as long as they remain trade secrets under applicable law.

6. Return of Materials. Within ten (10) days after the Discloser's written request, or after \
expiry or termination of this Agreement, the Recipient shall return or destroy all \
Confidential Information of the Discloser in its possession and certify the destruction in \
writing, except for copies kept in routine electronic back-ups, which remain subject to this \
Agreement.

7. No License; No Warranty. Nothing in this Agreement grants the Recipient any license or \
right under any patent, copyright, trade secret or other intellectual property right of the \
Discloser. ALL CONFIDENTIAL INFORMATION IS PROVIDED "AS IS", WITHOUT WARRANTY OF ANY KIND.

8. No Obligation. Neither Party is obliged by this Agreement to proceed with any transaction \
or collaboration, and either Party may end discussions at any time.

9. Non-Solicitation. During the term of this Agreement and for twelve (12) months afterwards, \
neither Party shall solicit for employment any employee of the other Party with whom it had \
contact in connection with the Purpose, save through general advertisements.""",
    """10. Remedies. Each Party acknowledges that unauthorised use or disclosure of Confidential \
Information may cause irreparable harm for which damages would not be an adequate remedy, \
and that the Discloser is entitled to seek injunctive relief in addition to any other remedy.

11. Governing Law and Venue. This Agreement shall be governed by and construed in accordance \
with the laws of the Commonwealth of Massachusetts, without regard to its conflict of laws \
principles. The state and federal courts located in Suffolk County, Massachusetts shall have \
exclusive jurisdiction over any dispute arising out of this Agreement.

12. Notices. Notices under this Agreement shall be in writing and delivered by hand, by \
courier or by e-mail with confirmation of receipt to the addresses above, or to the contacts \
listed in Schedule A.

13. Miscellaneous. This Agreement is the entire agreement of the Parties on its subject and \
supersedes all prior discussions. It may be amended only in a writing signed by both \
Parties. Neither Party may assign it without the other's prior written consent. If any \
provision is held unenforceable, the remainder stays in effect. This Agreement may be \
signed in counterparts, including by electronic signature.

IN WITNESS WHEREOF the Parties have signed this Agreement as of the Effective Date.

BLUEFIN ROBOTICS, INC.                    HARBOR ANALYTICS LLC
By: Maria Keane                           By: David Osei
Title: Chief Executive Officer            Title: Managing Member
Date: September 2, 2019                   Date: September 3, 2019

Schedule A - Designated contacts
Bluefin: Office of the General Counsel, legal@bluefin.example, +1 617 555 0142
Harbor: Outside counsel, counsel@harbor.example, +1 212 555 0199""",
]


def nda_pages() -> list[list[str]]:
    """Each page's paragraphs wrapped at 92 characters (fits a US Letter page in 10 pt)."""
    pages = []
    for page in NDA_PAGES:
        lines: list[str] = []
        for paragraph in page.split("\n\n"):
            for raw in paragraph.splitlines():
                lines += textwrap.wrap(raw, 92) if len(raw) > 92 else [raw]
            lines.append("")
        pages.append(lines[:-1])
    return pages


SUPPLIER = "Orion Data Systems Limited"
CUSTOMER = "Kestrel Logistics Group plc"
TOWNS = [
    ("Doncaster", "DN4 5PL"), ("Daventry", "NN11 8YL"), ("Avonmouth", "BS11 9YA"),
    ("Grangemouth", "FK3 8UF"), ("Thurrock", "RM20 3LP"), ("Warrington", "WA5 7YR"),
    ("Tamworth", "B78 3HG"), ("Wakefield", "WF2 0XJ"), ("Peterborough", "PE2 6FL"),
    ("Swindon", "SN3 4TY"), ("Bellshill", "ML4 3NJ"), ("Crick", "NN6 7XT"),
    ("Felixstowe", "IP11 3QX"), ("Immingham", "DN40 2LZ"), ("Newport", "NP19 4QS"),
    ("Castleford", "WF10 5NP"), ("Stoke-on-Trent", "ST4 4EU"), ("Milton Keynes", "MK17 8EW"),
    ("Leicester", "LE19 1WP"), ("Gateshead", "NE10 8YA"), ("Carlisle", "CA1 3NQ"),
    ("Exeter", "EX2 8FD"), ("Belfast", "BT3 9DT"), ("Inverness", "IV2 3JX"),
]  # fmt: skip
SERVICES = [
    ("Warehouse Management System", "WMS", "stock receipt, put-away, picking and despatch"),
    ("Transport Management System", "TMS", "load planning, carrier booking and proof of delivery"),
    ("Route Optimisation Engine", "ROE", "nightly route plans for the trunking and final-mile fleet"),
    ("EDI Gateway", "EDI", "exchange of orders, advance shipping notices and invoices with trading partners"),
    ("Yard Management Module", "YMM", "gate-in, trailer parking and dock door scheduling"),
    ("Telematics Integration", "TEL", "vehicle positions, tachograph data and driver hours"),
    ("Customer Portal", "CPT", "order tracking, delivery booking and claims for the Customer's clients"),
    ("Data Warehouse", "DWH", "consolidated reporting across depots, fleets and contracts"),
    ("Service Desk", "SDK", "first-line support by telephone, e-mail and portal"),
    ("Desktop and Device Support", "DDS", "laptops, handheld scanners, label printers and depot PCs"),
    ("Network Operations", "NOC", "wide-area network, depot Wi-Fi and SD-WAN appliances"),
    ("Hosting and Cloud Operations", "HCO", "the production and non-production cloud tenancies"),
    ("Identity and Access Management", "IAM", "joiners, movers and leavers, single sign-on and MFA"),
    ("Security Operations Centre", "SOC", "log monitoring, threat detection and incident response"),
    ("Backup and Disaster Recovery", "BDR", "backups, replication and the annual recovery test"),
    ("Application Maintenance", "AMS", "fixes and minor enhancements to bespoke applications"),
    ("Payroll Interface", "PAY", "time-and-attendance feeds to the Customer's payroll bureau"),
    ("Finance Integration", "FIN", "postings from the operational systems to the general ledger"),
]  # fmt: skip
FIRST = [
    "Amelia",
    "Rahul",
    "Grace",
    "Tomasz",
    "Priya",
    "Owen",
    "Hannah",
    "Kwame",
    "Isla",
    "Mateusz",
    "Chloe",
    "Farid",
    "Eilidh",
    "Jonas",
    "Ruth",
    "Callum",
    "Aisha",
    "Bethan",
    "Nikolai",
    "Sofia",
]
LAST = [
    "Whitfield",
    "Nair",
    "Okafor",
    "Brennan",
    "Kowalski",
    "Lindqvist",
    "Mahmood",
    "Fraser",
    "Achterberg",
    "Doyle",
    "Sutherland",
    "Patel",
    "Hughes",
    "Ferreira",
    "Campbell",
    "Oduya",
    "Morgan",
    "Quayle",
    "Ellery",
    "Thornton",
]
MONTHS = [
    "January",
    "February",
    "March",
    "April",
    "May",
    "June",
    "July",
    "August",
    "September",
    "October",
    "November",
    "December",
]


def _date(year: int, month: int, day: int) -> str:
    return f"{day} {MONTHS[month - 1]} {year}"


def _add_months(year: int, month: int, n: int) -> tuple[int, int]:
    total = year * 12 + month - 1 + n
    return total // 12, total % 12 + 1


def _wrap(number: str, text: str) -> str:
    return f"{number} {' '.join(text.split())}\n\n"


def _person(rng: random.Random) -> str:
    return f"{rng.choice(FIRST)} {rng.choice(LAST)}"


def _clause_bank() -> dict[str, list[str]]:
    """Hand-written operative clauses by article; {S} is the Supplier, {C} the Customer."""
    return {
        "DEFINITIONS AND INTERPRETATION": [
            "In this Agreement, unless the context otherwise requires, capitalised terms have the meanings given in Schedule 1. Clause, Schedule and paragraph headings do not affect interpretation.",
            "A reference to a statute or statutory provision is a reference to it as amended, extended or re-enacted from time to time, and includes any subordinate legislation made under it.",
            "Words in the singular include the plural and vice versa. The words 'including' and 'in particular' illustrate and do not limit the sense of the words preceding them.",
            "If there is any conflict between the clauses and the Schedules, the clauses prevail; if there is a conflict between a Schedule and a Statement of Work, the Schedule prevails unless the Statement of Work expressly states otherwise.",
        ],
        "COMMENCEMENT AND TERM": [
            "This Agreement is made on 1 February 2023 and takes effect on 1 March 2023 (the 'Effective Date').",
            "This Agreement continues for an initial term of five (5) years from the Effective Date, ending on 28 February 2028 (the 'Initial Term'), unless terminated earlier in accordance with clause 21.",
            "On expiry of the Initial Term this Agreement renews automatically for successive renewal periods of one (1) year each (each a 'Renewal Term') unless either party gives the other not less than ninety (90) days' written notice of non-renewal before the end of the Initial Term or the then-current Renewal Term.",
            "Each Statement of Work has its own term, which may not extend beyond the term of this Agreement unless the parties agree in writing that the Statement of Work survives.",
        ],
        "THE SERVICES": [
            "{S} shall provide the Services described in Schedule 2 from the relevant Service Commencement Date, in accordance with the Service Levels, Good Industry Practice, the Policies and all applicable laws.",
            "{S} shall ensure that the Services are provided by appropriately experienced, qualified and trained personnel, and shall replace any member of its personnel whom {C} reasonably and in good faith asks it to remove.",
            "{C} shall provide {S} with reasonable access to its premises, systems and personnel as set out in the Customer Dependencies, and {S} is relieved of liability for any failure to the extent caused by {C}'s breach of a Customer Dependency, provided that it notifies {C} promptly of the breach.",
            "{S} shall not make any change to the Services that has a material adverse effect on {C}'s operations without following the Change Control Procedure in Schedule 8.",
            "Where the Services include the operation of software licensed to {C} by a third party, {S} shall comply with the terms of that licence as notified to it by {C} in writing.",
        ],
        "TRANSITION": [
            "{S} shall carry out the Transition in accordance with the Transition Plan so that each Service starts on its Service Commencement Date. The Transition Plan sets out milestones, acceptance criteria and the responsibilities of each party.",
            "If {S} fails to achieve a Transition milestone by its milestone date for reasons within its control, it shall pay delay payments of GBP 2,500 per Working Day of delay, capped at GBP 75,000 per milestone, which are a price adjustment and not an estimate of loss.",
            "{S} shall not be entitled to any Charges for a Service until the Service has passed its Acceptance Tests, save for the transition charges invoiced on achievement of the milestones listed in Schedule 5.",
        ],
        "SERVICE LEVELS AND SERVICE CREDITS": [
            "{S} shall meet or exceed each Service Level. Performance is measured monthly and reported in the monthly performance report delivered within five (5) Working Days after the end of each month.",
            "If {S} fails a Service Level, the Service Credits calculated under Schedule 3 shall be deducted from the next invoice. Service Credits in any month are capped at twelve per cent (12%) of the monthly Charges.",
            "Service Credits are a price adjustment reflecting the reduced value of the Services and do not limit {C}'s other rights, save that any damages awarded for the same failure shall be reduced by the Service Credits already paid.",
            "A Critical Service Level Failure occurs if {S} fails the same Service Level in three (3) consecutive months or in any five (5) months in a rolling twelve-month period, and entitles {C} to terminate under clause 21.",
        ],
        "CHARGES AND PAYMENT": [
            "In consideration of the Services, {C} shall pay the Charges set out in Schedule 5. The Charges are exclusive of VAT, which {C} shall pay at the prevailing rate on receipt of a valid VAT invoice.",
            "{S} shall invoice the monthly service charge monthly in arrears on or after the last Working Day of each month. Each invoice shall quote {C}'s purchase order number and include the supporting detail reasonably required by {C}.",
            "{C} shall pay each valid and undisputed invoice within thirty (30) days of receipt. If {C} disputes an invoice in good faith it shall pay the undisputed part and notify {S} of the disputed part within ten (10) Working Days.",
            "Interest on late payments accrues at two per cent (2%) per year above the Bank of England base rate from the due date until payment. The parties agree that this is a substantial remedy for late payment.",
            "The Charges are fixed for the first two (2) Contract Years. From the start of the third Contract Year they may be adjusted once a year by no more than the percentage change in CPI over the preceding twelve months.",
        ],
        "RECORDS AND AUDIT": [
            "{S} shall keep complete and accurate records of the Services, the Charges and its compliance with this Agreement for at least six (6) years after the end of the Term.",
            "{C}, its auditors and any regulator may audit those records on giving at least twenty (20) Working Days' notice, no more than once in any Contract Year except after a suspected fraud or material breach.",
            "If an audit shows that {C} has been overcharged, {S} shall refund the excess within thirty (30) days, and if the overcharge exceeds five per cent (5%) of the Charges for the period audited, {S} shall also pay the reasonable costs of the audit.",
        ],
        "DATA PROTECTION": [
            "For the purposes of the Data Protection Legislation, {C} is the controller and {S} is the processor of the Customer Personal Data, the details of which are set out in Annex 1 to Schedule 2.",
            "{S} shall process the Customer Personal Data only on {C}'s documented instructions, keep it confidential, and implement appropriate technical and organisational measures against unauthorised or unlawful processing, accidental loss, destruction or damage.",
            "{S} shall notify {C} without undue delay, and in any event within twenty-four (24) hours, after becoming aware of a Personal Data Breach, and shall co-operate fully in its investigation and remediation.",
            "{S} shall not transfer Customer Personal Data outside the United Kingdom without {C}'s prior written consent and an appropriate transfer mechanism under the Data Protection Legislation.",
            "{S} may engage sub-processors only with {C}'s prior written consent, on written terms that impose the same obligations as this clause, and remains liable for their acts and omissions.",
        ],
        "INFORMATION SECURITY": [
            "{S} shall maintain certification to ISO/IEC 27001 for the scope covering the Services throughout the Term and shall provide a copy of the certificate and statement of applicability on request.",
            "{S} shall carry out penetration tests of the internet-facing systems used to provide the Services at least annually and after any major change, and shall remedy vulnerabilities rated critical within seven (7) days and high within thirty (30) days.",
            "{S} shall comply with the Security Policy and shall notify {C} of any Security Incident within four (4) hours of detection, with an initial incident report within twenty-four (24) hours.",
        ],
        "INTELLECTUAL PROPERTY": [
            "Each party retains ownership of its Pre-Existing Materials. {S} grants {C} a non-exclusive, royalty-free licence to use {S}'s Pre-Existing Materials to the extent necessary to receive and use the Services and the Deliverables.",
            "All Intellectual Property Rights in the Deliverables created specifically for {C} vest in {C} on creation, and {S} assigns those rights to {C} with full title guarantee.",
            "{S} shall indemnify {C} against all losses arising from any claim that the receipt or use of the Services or Deliverables infringes the Intellectual Property Rights of a third party.",
        ],
        "WARRANTIES": [
            "Each party warrants that it has full capacity and authority to enter into this Agreement and that this Agreement has been executed by its duly authorised representative.",
            "{S} warrants that the Services will be performed with reasonable skill and care, that the Deliverables will conform to their specifications for ninety (90) days after acceptance, and that it will not introduce any Malicious Software.",
            "Except as expressly set out in this Agreement, all warranties, conditions and other terms implied by statute or common law are excluded to the fullest extent permitted by law.",
        ],
        "LIMITATION OF LIABILITY": [
            "Nothing in this Agreement limits either party's liability for death or personal injury caused by negligence, for fraud or fraudulent misrepresentation, or for any liability that cannot be limited by law.",
            "Subject to the above, each party's total aggregate liability in each Contract Year shall not exceed one hundred and fifty per cent (150%) of the Charges paid or payable in that Contract Year, or GBP 3,000,000 if greater.",
            "Neither party is liable for loss of profits, revenue, business or goodwill, or for any indirect or consequential loss, save that the following are recoverable as direct losses: the costs of procuring replacement services, of restoring lost data, and regulatory fines to the extent lawful.",
            "{S}'s liability for breach of the data protection and confidentiality clauses is subject to a separate cap of GBP 5,000,000 in aggregate.",
        ],
        "INSURANCE": [
            "{S} shall maintain with reputable insurers professional indemnity insurance of at least GBP 5,000,000 per claim, public liability insurance of at least GBP 10,000,000 per claim, and employer's liability insurance as required by law.",
            "{S} shall produce evidence of its insurance on request and shall notify {C} within five (5) Working Days of any cancellation or material reduction in cover.",
        ],
        "GOVERNANCE": [
            "The parties shall manage this Agreement through the governance structure in Schedule 7, comprising the monthly Service Review Board, the quarterly Executive Steering Committee and the Change Advisory Board.",
            "Each party shall appoint a Contract Manager. The first Contract Managers are named in Schedule 6 and may be replaced on written notice.",
            "{S} shall prepare a continuous improvement plan each Contract Year proposing measures to improve the quality and efficiency of the Services and to reduce their cost.",
        ],
        "CHANGE CONTROL": [
            "Either party may request a change to this Agreement or to the Services by submitting a Change Request under the Change Control Procedure in Schedule 8.",
            "{S} shall respond to a Change Request with an impact assessment within ten (10) Working Days, stating the effect on the Services, the Charges, the Service Levels and the timetable.",
            "No change is binding until a Change Note is signed by the authorised representatives of both parties. {S} shall not refuse a change required by law.",
        ],
        "SUBCONTRACTING AND PERSONNEL": [
            "{S} may not subcontract any material part of the Services without {C}'s prior written consent, which shall not be unreasonably withheld. The approved subcontractors at the Effective Date are listed in Schedule 6.",
            "{S} shall ensure that all personnel working on the Services have passed the screening checks required by the Security Policy, including basic disclosure checks for personnel with access to depots.",
            "The parties believe that the Transfer Regulations do not apply on the Effective Date. If any person's employment is found to have transferred, the parties shall follow the procedure in Schedule 9.",
        ],
        "TERMINATION": [
            "Either party may terminate this Agreement with immediate effect by written notice if the other commits a material breach that is irremediable or, if remediable, is not remedied within thirty (30) days of notice requiring it to be remedied.",
            "Either party may terminate this Agreement by written notice if the other becomes insolvent, has an administrator or receiver appointed, or makes an arrangement with its creditors.",
            "{C} may terminate this Agreement for convenience on not less than six (6) months' written notice given no earlier than the end of the second Contract Year, on payment of the termination charges set out in Schedule 5.",
            "{C} may terminate this Agreement or the affected Service by written notice following a Critical Service Level Failure, without payment of any termination charge.",
        ],
        "EXIT MANAGEMENT": [
            "{S} shall maintain an Exit Plan, updated annually, and on expiry or termination shall provide the Exit Services described in Schedule 9 for up to twelve (12) months to ensure an orderly transfer of the Services to {C} or a replacement supplier.",
            "{S} shall return all Customer Data in the format reasonably required by {C} within thirty (30) days after the end of the Exit Period and shall then securely delete all copies, certifying deletion in writing.",
        ],
        "FORCE MAJEURE": [
            "Neither party is liable for any failure or delay caused by a Force Majeure Event, provided that it promptly notifies the other party and uses all reasonable endeavours to mitigate the effect. A Force Majeure Event does not relieve {S} of its obligation to implement the Business Continuity Plan.",
            "If a Force Majeure Event prevents the provision of a material part of the Services for more than sixty (60) consecutive days, either party may terminate this Agreement on thirty (30) days' written notice.",
        ],
        "DISPUTE RESOLUTION": [
            "The parties shall try to resolve any dispute first through the Contract Managers, then through the Executive Steering Committee, each within ten (10) Working Days.",
            "If the dispute is not resolved, the parties shall try to settle it by mediation in accordance with the Centre for Effective Dispute Resolution model procedure before either commences court proceedings, save for urgent injunctive relief.",
        ],
        "NOTICES": [
            "Notices shall be in writing and delivered by hand or by pre-paid first-class post to the registered office of the recipient, or by e-mail to the address set out in Schedule 6, marked for the attention of the Contract Manager.",
            "A notice is deemed received on delivery if by hand, two (2) Working Days after posting if by post, and at 9.00 am on the next Working Day after transmission if by e-mail.",
        ],
        "GENERAL": [
            "This Agreement constitutes the entire agreement between the parties and supersedes all previous agreements relating to its subject matter. Each party acknowledges that it has not relied on any statement not set out in this Agreement.",
            "No variation is effective unless it is in writing and signed by both parties. No failure to exercise a right is a waiver of it. If a provision is found invalid, the rest of this Agreement remains in force.",
            "Neither party may assign or transfer its rights or obligations without the other's consent, save that {C} may assign to any member of its group on written notice.",
            "A person who is not a party has no right under the Contracts (Rights of Third Parties) Act 1999 to enforce any term of this Agreement.",
            "This Agreement and any dispute or claim arising out of or in connection with it, including non-contractual disputes or claims, shall be governed by and construed in accordance with the laws of England and Wales, and the courts of England and Wales shall have exclusive jurisdiction.",
        ],
    }


DEFINED_TERMS = [
    ("Acceptance Tests", "the tests to be carried out on a Service or Deliverable under the Transition Plan to establish that it meets its acceptance criteria"),
    ("Business Continuity Plan", "the plan maintained by the Supplier under Schedule 4 for continuing the Services during and after a disruptive event"),
    ("Change Control Procedure", "the procedure for changing this Agreement set out in Schedule 8"),
    ("Charges", "the charges payable by the Customer for the Services, as set out in Schedule 5"),
    ("Contract Year", "each period of twelve months starting on the Effective Date or on an anniversary of it"),
    ("CPI", "the Consumer Prices Index published by the Office for National Statistics"),
    ("Customer Data", "all data, including Customer Personal Data, supplied by or on behalf of the Customer or generated by the Services"),
    ("Customer Dependencies", "the obligations of the Customer listed in Annex 2 to Schedule 2"),
    ("Data Protection Legislation", "the UK GDPR, the Data Protection Act 2018 and all other applicable laws relating to personal data"),
    ("Deliverables", "all documents, software, reports and other materials provided by the Supplier as part of the Services"),
    ("Exit Period", "the period starting on the earlier of notice of termination and nine (9) months before expiry, and ending when the Exit Services are complete"),
    ("Force Majeure Event", "an event beyond the reasonable control of the affected party, excluding industrial action by its own workforce and failures of its subcontractors"),
    ("Good Industry Practice", "the skill, care, prudence and foresight reasonably expected of a leading supplier of services similar to the Services"),
    ("Intellectual Property Rights", "patents, rights in inventions, copyright, database rights, trade marks, rights in confidential information and all similar rights anywhere in the world"),
    ("Malicious Software", "any software or code that is designed to damage, disrupt or gain unauthorised access to a system or data"),
    ("Policies", "the Customer's policies listed in Schedule 4, as updated and notified to the Supplier from time to time"),
    ("Security Incident", "any actual or suspected unauthorised access to, or use, disclosure, modification or loss of, Customer Data or the systems used to provide the Services"),
    ("Service Commencement Date", "for each Service, the date on which it passes its Acceptance Tests and the Supplier starts to provide it in full"),
    ("Service Credits", "the reductions in the Charges calculated under Schedule 3"),
    ("Service Levels", "the performance standards for the Services set out in Schedule 3"),
    ("Sites", "the Customer's depots, offices and data centres listed in Schedule 4"),
    ("Statement of Work", "a document agreed under this Agreement describing additional project services"),
    ("Transfer Regulations", "the Transfer of Undertakings (Protection of Employment) Regulations 2006"),
    ("Transition", "the transfer of the Services from the Customer's incumbent suppliers to the Supplier"),
    ("Working Day", "any day other than a Saturday, Sunday or public holiday in England"),
]  # fmt: skip


def _service_schedule(rng: random.Random) -> list[str]:
    hours = ["24 hours a day, 7 days a week", "07:00 to 19:00 on Working Days", "06:00 to 22:00 every day", "08:00 to 18:00 Monday to Saturday"]  # fmt: skip
    extras = [
        "The Supplier shall maintain a knowledge base for the Service and review it quarterly with the Customer's process owner.",
        "Planned maintenance shall be carried out only in the agreed maintenance window between 01:00 and 05:00 on Sundays, with at least five (5) Working Days' notice.",
        "Capacity shall be reviewed each quarter against the Customer's volume forecast, and the Supplier shall warn the Customer when utilisation exceeds seventy-five per cent (75%).",
        "The Supplier shall keep the Service within one major version of the vendor's current release and apply security patches within the periods set by the Security Policy.",
        "Peak trading from 1 November to 10 January is a change freeze period; only emergency changes approved by the Change Advisory Board may be made.",
        "Reports for the Service are delivered through the Data Warehouse and reconciled monthly against the source systems.",
        "Interfaces to third-party carriers shall be monitored every fifteen (15) minutes and any failed message retried automatically up to three times before an incident is raised.",
        "The Supplier shall provide hypercare support with dedicated engineers on site for the first twenty (20) Working Days after the Service Commencement Date.",
    ]
    out = ["SCHEDULE 2 - SERVICE DESCRIPTIONS\n\n"]
    for n, (name, code, scope) in enumerate(SERVICES, start=1):
        town, _ = rng.choice(TOWNS)
        users = rng.randint(4, 60) * 25
        year, month = _add_months(2023, 3, rng.randint(1, 14))
        body = (
            f"{name} ({code}). The Supplier shall operate, support and maintain the {name} covering {scope}. "
            f"The Service is used by approximately {users:,} users across the Sites and its primary operations team is based at {town}. "
            f"Support hours are {rng.choice(hours)}. The Service Commencement Date is planned for {_date(year, month, 1)}. "
            + " ".join(rng.sample(extras, 3))
        )
        out.append(_wrap(f"2.{n}", body))
    return out


def _service_levels(rng: random.Random) -> list[str]:
    out = ["SCHEDULE 3 - SERVICE LEVELS AND SERVICE CREDITS\n\n"]
    out.append(
        "Priority definitions: P1 - a Service is unavailable or a depot cannot despatch; P2 - a Service is materially degraded for more than one Site; P3 - a single user or function is affected with a workaround; P4 - a request for information or a cosmetic fault.\n\n"
    )
    out.append(
        "Service | Availability target | P1 resolve | P2 resolve | P3 resolve | Credit per failure\n"
    )
    for name, code, _ in SERVICES:
        availability = rng.choice(["99.5%", "99.7%", "99.8%", "99.9%", "99.95%"])
        p1, p2, p3 = rng.choice([2, 4]), rng.choice([8, 12]), rng.choice([3, 5])
        out.append(
            f"{code} {name} | {availability} | {p1} hours | {p2} hours | {p3} Working Days | {rng.randint(2, 8)}% of monthly charge\n"
        )
    out.append("\n")
    return out


def _sites(rng: random.Random) -> list[str]:
    out = ["SCHEDULE 4 - SITES AND POLICIES\n\n"]
    for n, (town, postcode) in enumerate(TOWNS, start=1):
        kind = rng.choice(
            [
                "National Distribution Centre",
                "Regional Depot",
                "Cross-Dock",
                "Chilled Hub",
                "Port Office",
            ]
        )
        docks, staff = rng.randint(8, 120), rng.randint(40, 900)
        street = f"{rng.randint(1, 240)} {rng.choice(['Gateway', 'Enterprise', 'Harbour', 'Link', 'Prologis', 'Meridian', 'Kingsway'])} {rng.choice(['Park', 'Way', 'Road', 'Drive', 'Court'])}"
        out.append(
            f"Site {n:02d}: {kind}, {street}, {town} {postcode}. {docks} dock doors, about {staff} staff. Site contact: {_person(rng)}.\n"
        )
    out.append(
        "\nPolicies: Information Security Policy v4.2; Acceptable Use Policy v3.0; Supplier Code of Conduct 2022; Site Safety Rules for Visitors and Contractors; Modern Slavery Statement 2022; Environmental Policy v2.1.\n\n"
    )
    return out


def _invoice_schedule(rng: random.Random) -> list[str]:
    out = ["SCHEDULE 5 - CHARGES AND INVOICE SCHEDULE\n\n"]
    out.append(
        "Part A - Transition milestones. Transition charges are invoiced on acceptance of each milestone: "
        "M1 Mobilisation complete GBP 85,000.00; M2 Service Desk live GBP 120,000.00; M3 Network and hosting migrated GBP 240,000.00; "
        "M4 WMS and TMS live at the first ten Sites GBP 310,000.00; M5 All Sites live GBP 195,000.00.\n\n"
    )
    out.append(
        "Part B - Monthly service charges. Invoices are issued on the last Working Day of the month and are payable within 30 days.\n\n"
    )
    out.append(
        "Invoice number | Period | Invoice date | Net (GBP) | VAT 20% (GBP) | Gross (GBP) | Due date\n"
    )
    base = 182_400.00
    for k in range(60):
        year, month = _add_months(2023, 3, k)
        ny, nm = _add_months(year, month, 1)
        if k and k % 12 == 0:
            base = round(base * (1 + rng.randint(18, 46) / 1000), 2)
        net = round(base + rng.randint(-40, 90) * 97.5, 2)
        vat = round(net * 0.2, 2)
        last = datetime.date(ny, nm, 1) - datetime.timedelta(days=1)
        days, due = last.day, last + datetime.timedelta(days=30)
        out.append(
            f"ODS-{year}-{k + 1:03d} | {MONTHS[month - 1]} {year} | {_date(year, month, days)} | {net:,.2f} | {vat:,.2f} | {net + vat:,.2f} | {_date(due.year, due.month, due.day)}\n"
        )
    out.append(
        "\nPart C - Rate card for additional work (per person-day): Delivery Director GBP 1,450; Solution Architect GBP 1,150; Project Manager GBP 950; Senior Engineer GBP 880; Engineer GBP 690; Analyst GBP 610; Service Desk Analyst GBP 390.\n\n"
        "Part D - Termination charges for termination for convenience: in Contract Year 3, GBP 640,000; in Contract Year 4, GBP 410,000; in Contract Year 5, GBP 180,000; thereafter nil.\n\n"
    )
    return out


def _people(rng: random.Random) -> list[str]:
    roles = ["Contract Manager", "Service Delivery Manager", "Transition Director", "Head of Security", "Data Protection Officer", "Lead Architect", "Service Desk Manager", "Commercial Manager", "Network Lead", "Applications Lead"]  # fmt: skip
    out = ["SCHEDULE 6 - KEY PERSONNEL, CONTACTS AND SUBCONTRACTORS\n\n"]
    for party, domain in ((SUPPLIER, "oriondata.example"), (CUSTOMER, "kestrel-logistics.example")):
        out.append(f"{party}:\n")
        for role in roles:
            person = _person(rng)
            email = person.lower().replace(" ", ".")
            out.append(
                f"- {role}: {person}, {email}@{domain}, +44 {rng.randint(1100, 2099)} {rng.randint(100000, 999999)}\n"
            )
        out.append("\n")
    out.append(
        "Approved subcontractors: Brightline Networks Ltd (network field engineering); Castlegate Cloud Services Ltd (hosting); Northern Print Solutions Ltd (label printer maintenance).\n\n"
    )
    return out


def _governance(rng: random.Random) -> list[str]:
    topics = ["service performance against the Service Levels", "open P1 and P2 incidents and their root causes", "the risk and issue register", "Change Requests awaiting approval", "the continuous improvement plan", "forecast volumes for the next quarter", "security incidents and audit findings", "invoice queries and disputed amounts", "the Exit Plan review", "subcontractor performance", "capacity and licence usage", "customer satisfaction survey results"]  # fmt: skip
    out = ["SCHEDULE 7 - GOVERNANCE CALENDAR\n\n"]
    for k in range(0, 28):
        year, month = _add_months(2023, 3, k)
        day = rng.randint(8, 22)
        board = (
            "Executive Steering Committee and Service Review Board"
            if k % 3 == 2
            else "Service Review Board"
        )
        agenda = ", ".join(rng.sample(topics, 4))
        out.append(
            f"{_date(year, month, day)}: {board}, chaired by {_person(rng)}; agenda: {agenda}.\n"
        )
    out.append("\n")
    return out


def _change_log(rng: random.Random) -> list[str]:
    what = ["add a new Site to the WMS scope", "extend Service Desk hours during peak", "upgrade the SD-WAN appliances at port offices", "integrate a new parcel carrier into the TMS", "add electronic proof of delivery for chilled loads", "migrate the Data Warehouse to a new cloud region", "introduce multi-factor authentication for drivers' handhelds", "replace label printers at three depots", "add a customs declaration interface", "decommission the legacy EDI translator", "extend the retention of telematics data to 36 months", "add Welsh language support to the Customer Portal"]  # fmt: skip
    status = [
        "approved",
        "approved with conditions",
        "rejected",
        "withdrawn",
        "implemented",
        "deferred to the next Contract Year",
    ]
    out = ["SCHEDULE 8 - CHANGE CONTROL PROCEDURE AND CHANGE LOG\n\n"]
    out.append(
        "Each Change Request is logged with a unique number, assessed by the Supplier within ten (10) Working Days and decided by the Change Advisory Board. Approved changes are recorded in a Change Note signed by both Contract Managers.\n\n"
    )
    for k in range(1, 91):
        year, month = _add_months(2023, 4, k // 4)
        cost = rng.randint(3, 180) * 500
        out.append(
            f"CR-{k:03d} raised {_date(year, month, rng.randint(1, 28))} by {rng.choice([SUPPLIER, CUSTOMER])} to {rng.choice(what)}; "
            f"estimated one-off cost GBP {cost:,}.00 and {rng.randint(0, 40)} days of effort; status: {rng.choice(status)}.\n"
        )
    out.append("\n")
    return out


RESPONSIBILITIES = [
    "The Supplier shall log every incident in the service management tool, assign a priority within fifteen (15) minutes and keep the reporting user informed at the intervals set for that priority.",
    "The Supplier shall run monthly problem reviews for recurring incidents and present root-cause analyses and corrective actions to the Service Review Board.",
    "The Customer shall nominate a process owner for the Service who is authorised to approve test results, prioritise backlog items and accept releases.",
    "The Customer shall keep its master data (customers, products, locations and tariffs) accurate and complete, and the Supplier is not responsible for failures caused by incorrect master data.",
    "The Supplier shall maintain the configuration items of the Service in the configuration management database and reconcile them with the asset register each quarter.",
    "The Supplier shall test each release in the pre-production environment with anonymised data before it is deployed, and shall keep a rollback plan for every deployment.",
    "The Customer shall make depot staff available for user acceptance testing at reasonable times agreed at least ten (10) Working Days in advance.",
    "The Supplier shall provide training materials for each new release and deliver train-the-trainer sessions for up to twelve (12) Customer super-users.",
    "The Supplier shall monitor batch jobs overnight and restart or escalate any failure so that the morning despatch plan is available by 05:30.",
    "The Supplier shall keep licence consumption under review and advise the Customer at least ninety (90) days before any licence true-up or renewal falls due.",
    "The Customer remains responsible for the commercial relationship with the software vendor, and the Supplier shall act as the Customer's agent in raising support cases with the vendor.",
    "The Supplier shall produce a service improvement proposal at least twice each Contract Year, each with a quantified benefit and an implementation cost.",
    "The Supplier shall make sure that every privileged account used for the Service is named, protected by multi-factor authentication and reviewed monthly.",
    "The Customer shall notify the Supplier of planned changes to its operations, such as new contracts, depot openings or closures, at least sixty (60) days in advance.",
]
SOWS = [
    ("SOW-01", "Depot Wi-Fi Refresh", "replace the wireless network at all depots with managed access points supporting handheld scanners and vehicle-mounted terminals", 412_000),
    ("SOW-02", "Carrier Onboarding Programme", "connect eleven additional parcel and pallet carriers to the Transport Management System through the EDI Gateway", 268_500),
    ("SOW-03", "Data Warehouse Modernisation", "move the reporting platform to a managed cloud analytics service and rebuild the forty most used reports", 539_750),
    ("SOW-04", "Chilled Chain Visibility", "add temperature telemetry from refrigerated trailers to the Customer Portal, with alerts to the transport office", 187_200),
    ("SOW-05", "Customs Readiness", "implement customs declaration interfaces for the port offices at Felixstowe, Immingham and Belfast", 301_400),
    ("SOW-06", "Driver App Rollout", "deploy the new driver application for electronic proof of delivery to 1,450 drivers in three waves", 355_900),
]  # fmt: skip


def _responsibilities(rng: random.Random) -> list[str]:
    out = ["ANNEX 2 TO SCHEDULE 2 - RESPONSIBILITIES AND CUSTOMER DEPENDENCIES\n\n"]
    for n, (name, code, scope) in enumerate(SERVICES, start=1):
        picks = rng.sample(RESPONSIBILITIES, 4)
        volume = rng.randint(2, 90) * 1000
        out.append(
            _wrap(
                f"A2.{n}",
                f"{name} ({code}). In providing {scope}, the Supplier expects to handle about {volume:,} transactions "
                f"each Working Day, rising by up to {rng.randint(15, 60)}% during peak. "
                + " ".join(picks),
            )
        )
    return out


def _statements_of_work(rng: random.Random) -> list[str]:
    out = ["SCHEDULE 10 - STATEMENTS OF WORK\n\n"]
    for code, title, aim, price in SOWS:
        year, month = _add_months(2023, 6, rng.randint(0, 20))
        end_y, end_m = _add_months(year, month, rng.randint(4, 11))
        lead, sponsor = _person(rng), _person(rng)
        stages = []
        for s, stage in enumerate(
            [
                "Discovery and design",
                "Build and configuration",
                "Pilot at two Sites",
                "Rollout and handover",
            ],
            start=1,
        ):
            sy, sm = _add_months(year, month, 2 * s)
            share = [0.15, 0.35, 0.2, 0.3][s - 1]
            stages.append(
                f"Stage {s}, {stage}, to be completed by {_date(sy, sm, 15)}, payment GBP {price * share:,.2f}"
            )
        towns = ", ".join(t for t, _ in rng.sample(TOWNS, 3))
        out.append(
            f"{code}: {title}. Objective: to {aim}. The project starts on {_date(year, month, 1)} and is expected to finish by "
            f"{_date(end_y, end_m, 28)}. The fixed price is GBP {price:,.2f} excluding VAT, payable by stage: {'; '.join(stages)}. "
            f"The Supplier's project lead is {lead} and the Customer's sponsor is {sponsor}. The first Sites in scope are {towns}. "
            f"Acceptance of each stage is by written confirmation from the sponsor within {rng.choice([5, 10, 15])} Working Days of the "
            f"Supplier's completion notice; silence is not acceptance. Risks identified at the outset include "
            f"{rng.choice(['access to Sites during peak', 'availability of carrier test environments', 'data quality in legacy systems', 'lead times for hardware'])} "
            f"and {rng.choice(['the retention of key personnel', 'competing depot priorities', 'vendor release dates', 'network capacity at port offices'])}.\n\n"
        )
    return out


def _performance_history(rng: random.Random) -> list[str]:
    out = ["SCHEDULE 11 - SUMMARY OF MONTHLY PERFORMANCE REPORTS (MARCH 2023 TO JUNE 2025)\n\n"]
    causes = ["a failed storage controller", "an expired certificate on the EDI Gateway", "a carrier API outage", "a database deadlock after a release", "a fibre cut near the depot", "a misconfigured firewall rule", "a power failure at the hosting provider", "a faulty handheld firmware update", "a surge of orders after a client promotion"]  # fmt: skip
    actions = ["added monitoring for the component", "automated certificate renewal", "agreed a fallback process with the carrier", "tightened release testing", "installed a 4G backup circuit", "introduced peer review of firewall changes", "completed a failover test", "staged firmware updates by depot", "raised capacity ahead of promotions"]  # fmt: skip
    for k in range(28):
        year, month = _add_months(2023, 3, k)
        worst = rng.sample(SERVICES, 2)
        town = rng.choice(TOWNS)[0]
        p1 = rng.randint(0, 4)
        idx = rng.randrange(len(causes))
        met = rng.randint(34, 40)
        credits = 0 if met == 40 else rng.randint(2, 30) * 250
        sentence = (
            f"{MONTHS[month - 1]} {year}. The Supplier met {met} of 40 Service Levels. "
            f"Availability of the {worst[0][0]} was {rng.randint(9950, 9999) / 100:.2f}% and of the {worst[1][0]} "
            f"{rng.randint(9900, 9999) / 100:.2f}%. There {'was' if p1 == 1 else 'were'} {p1} P1 incident{'s' if p1 != 1 else ''}"
            + (
                f", the most serious at {town}, caused by {causes[idx]}; the Supplier has since {actions[idx]}"
                if p1
                else ""
            )
            + f". The Service Desk answered {rng.randint(82, 97)}% of calls within 30 seconds and resolved "
            f"{rng.randint(64, 81)}% at first contact. Service Credits of GBP {credits:,.2f} were applied to invoice "
            f"ODS-{year}-{k + 1:03d}. Customer satisfaction averaged {rng.randint(37, 48) / 10:.1f} out of 5.\n\n"
        )
        out.append(sentence)
    return out


def _invoice_breakdown(rng: random.Random) -> list[str]:
    towers = [
        "End-user services",
        "Network and hosting",
        "Applications",
        "Security",
        "Service management",
    ]
    out = ["Part E - Breakdown of each monthly invoice by service tower (GBP, net of VAT)\n\n"]
    for k in range(60):
        year, month = _add_months(2023, 3, k)
        shares = [rng.randint(10, 30) for _ in towers]
        total = 182_400 + rng.randint(-4000, 9000)
        lines = [
            f"{tower} {total * s / sum(shares):,.2f}"
            for tower, s in zip(towers, shares, strict=True)
        ]
        out.append(
            f"ODS-{year}-{k + 1:03d} ({MONTHS[month - 1][:3]} {year}): " + "; ".join(lines) + ".\n"
        )
    out.append("\n")
    return out


def _site_profiles(rng: random.Random) -> list[str]:
    needs = ["a bonded warehouse area that requires customs escorts", "chilled and frozen chambers with temperature monitoring every five minutes", "a 24-hour gatehouse with automatic number-plate recognition", "shared premises with a client whose IT is out of scope", "limited mobile coverage, so handhelds rely on depot Wi-Fi only", "a heritage building where cabling work needs landlord consent", "a mezzanine pick area with pick-to-light hardware", "an on-site vehicle workshop using the telematics data", "a returns processing hall that opens on Sundays", "high-value goods that need CCTV coverage of all IT cabinets"]  # fmt: skip
    out = ["ANNEX TO SCHEDULE 4 - SITE PROFILES\n\n"]
    for n, (town, _) in enumerate(TOWNS, start=1):
        services = ", ".join(code for _, code, _ in rng.sample(SERVICES, rng.randint(5, 9)))
        open_h = rng.choice(
            [
                "around the clock",
                "from 05:00 to 23:00",
                "from 06:00 to 22:00 on weekdays and 07:00 to 15:00 on Saturdays",
            ]
        )
        out.append(
            f"Site {n:02d} ({town}) operates {open_h}. In-scope Services: {services}. The Site has "
            f"{rng.choice(needs)} and {rng.choice(needs)}. Engineers must report to the {rng.choice(['gatehouse', 'transport office', 'site reception', 'shift manager'])} "
            f"on arrival and complete the site induction, which lasts about {rng.choice([20, 30, 45])} minutes. The agreed on-site response "
            f"time for hardware faults is {rng.choice([4, 6, 8])} hours, and spare handhelds are held {rng.choice(['on site', 'at the nearest hub', 'in the regional stores'])}.\n\n"
        )
    return out


def _continuity(rng: random.Random) -> list[str]:
    scenarios = [
        ("Loss of the primary hosting region", "fail over to the secondary region", 4, 15),
        (
            "Ransomware affecting depot PCs",
            "isolate affected Sites and re-image devices from clean images",
            24,
            60,
        ),
        (
            "Loss of a national distribution centre",
            "re-route volumes to the two nearest regional depots",
            12,
            0,
        ),
        (
            "Failure of the EDI Gateway",
            "switch trading partners to the portal-based upload fallback",
            2,
            30,
        ),
        ("Telecoms provider outage", "move depot traffic to 4G backup circuits", 1, 5),
        ("Loss of the Service Desk site", "divert calls to the Supplier's secondary centre", 2, 0),
        (
            "Severe weather closing several depots",
            "run the reduced network plan agreed with the Customer",
            6,
            0,
        ),
        (
            "Failure of the payroll interface before a pay run",
            "send the manual payroll file by secure transfer",
            8,
            0,
        ),
    ]
    out = ["SCHEDULE 12 - BUSINESS CONTINUITY AND DISASTER RECOVERY\n\n"]
    for n, (event, response, rto, rpo) in enumerate(scenarios, start=1):
        last_y, last_m = _add_months(2023, 9, rng.randint(0, 18))
        out.append(
            _wrap(
                f"12.{n}",
                f"Scenario: {event}. Response: the Supplier shall {response}. Recovery time objective: {rto} hour{'s' if rto != 1 else ''}; "
                f"recovery point objective: {rpo} minutes. Owner: {_person(rng)}. Last tested on {_date(last_y, last_m, rng.randint(1, 28))} "
                f"with result '{rng.choice(['passed', 'passed with observations', 'partially passed; retest scheduled'])}'.",
            )
        )
    return out


def _data_processing(rng: random.Random) -> list[str]:
    return [
        "ANNEX 1 TO SCHEDULE 2 - DATA PROCESSING DETAILS\n\n"
        "Subject matter and duration: the provision of the Services for the Term and the Exit Period. Nature and purpose: hosting, "
        "support, maintenance, reporting and incident response. Categories of data subjects: the Customer's employees, agency "
        "workers and drivers; consignees and their contacts; employees of trading partners and carriers. Categories of personal "
        "data: names, work contact details, employee numbers, delivery addresses, signatures captured on delivery, vehicle "
        "location data linked to drivers, and training records. Special category data: none, save for occupational health flags "
        "recorded by the payroll interface, which the Supplier shall process only in encrypted form. Retention: for the periods "
        "set out in the Customer's retention schedule, after which the data shall be deleted or returned.\n\n"
    ]


def _kpi_detail(rng: random.Random) -> list[str]:
    measures = [
        ("Incident response", "the time from logging an incident to the first meaningful update to the user", "minutes"),
        ("Batch completion", "the time by which the overnight batch schedule for the Service has completed", "clock time"),
        ("Change success", "the percentage of changes implemented without causing an incident or rollback", "percentage"),
        ("Backlog age", "the share of open requests older than twenty (20) Working Days", "percentage"),
        ("Interface latency", "the 95th percentile time for a message to pass between the Service and the connected system", "seconds"),
        ("Report timeliness", "the proportion of scheduled reports delivered by 07:00 on the due day", "percentage"),
        ("Patch compliance", "the proportion of servers and devices patched within the Security Policy window", "percentage"),
        ("Restore success", "the proportion of test restores completed within the target time", "percentage"),
    ]  # fmt: skip
    out = ["ANNEX TO SCHEDULE 3 - MEASUREMENT RULES FOR KEY PERFORMANCE INDICATORS\n\n"]
    for n, (name, code, _) in enumerate(SERVICES, start=1):
        chosen = rng.sample(measures, 3)
        text = [
            f"For the {name} ({code}) the following indicators are measured in addition to availability."
        ]
        for label, meaning, unit in chosen:
            if unit == "percentage":
                target = f"at least {rng.randint(90, 99)}%"
            elif unit == "minutes":
                target = f"no more than {rng.choice([10, 15, 20, 30])} minutes"
            elif unit == "seconds":
                target = f"no more than {rng.choice([2, 5, 10, 30])} seconds"
            else:
                target = f"no later than {rng.choice(['04:30', '05:00', '05:30', '06:00'])}"
            text.append(
                f"{label}, being {meaning}, with a target of {target}, measured from the Supplier's monitoring tools and sampled by the Customer each quarter."
            )
        text.append(
            f"Measurements exclude periods of agreed planned maintenance and failures caused by {rng.choice(['the Customer', 'a third-party carrier', 'a Customer Dependency', 'a Force Majeure Event'])}. "
            f"Where the indicator is missed in {rng.choice(['two', 'three'])} consecutive months the Supplier shall deliver a remediation plan within ten (10) Working Days."
        )
        out.append(_wrap(f"3A.{n}", " ".join(text)))
    return out


def _assumptions(rng: random.Random) -> list[str]:
    items = [
        "the number of depot users does not exceed 12,000 named users in any Contract Year",
        "the Customer provides power, racking space and cooling for on-site equipment at no cost to the Supplier",
        "the Customer's third-party software vendors continue to support the versions in use at the Effective Date",
        "the average number of service desk contacts does not exceed 1.4 per user per month",
        "no more than four new Sites are opened in any Contract Year",
        "the Customer's annual volume growth does not exceed twelve per cent (12%)",
        "network circuits are procured by the Supplier under its existing carrier framework",
        "the Customer retains ownership of handheld devices and label printers and funds their replacement",
        "travel to Sites within the United Kingdom is included in the Charges; travel elsewhere is charged at cost",
        "out-of-hours project work requested by the Customer is charged at one and a half times the rate card",
    ]
    body = "".join(f"({chr(97 + i)}) {item};\n" for i, item in enumerate(items))
    return [
        "Part F - Pricing assumptions. The Charges assume that:\n\n"
        + body
        + "\nIf an assumption proves wrong, either party may raise a Change Request to adjust the Charges.\n\n"
    ]


def long_contract() -> str:
    """A master services agreement with schedules, about 45K Mistral (Tekken) tokens."""
    rng = random.Random(2503)
    parts = [
        "MASTER SERVICES AGREEMENT\n\nConsolidated version of 30 June 2025, incorporating all Change Notes and Statements of Work agreed up to that date.\n\n",
        f"THIS AGREEMENT is dated 1 February 2023 and is made BETWEEN:\n\n(1) {SUPPLIER}, a company incorporated in England and Wales "
        'with company number 08812345, whose registered office is at 14 Castle Quay, Nottingham NG7 1FW (the "Supplier"); and\n\n'
        f"(2) {CUSTOMER}, a company incorporated in England and Wales with company number 02219876, whose registered office is at "
        'Kestrel House, 9 Wharf Road, Doncaster DN1 3BE (the "Customer").\n\n',
        "BACKGROUND\n\n(A) The Customer operates a national logistics network of depots, cross-docks and port offices and wishes to "
        "outsource the operation of its logistics information technology.\n\n(B) Following a competitive procurement, the Customer "
        "has selected the Supplier to provide the Services on the terms of this Agreement.\n\nIT IS AGREED as follows.\n\n",
    ]
    bank = _clause_bank()
    for number, (heading, clauses) in enumerate(bank.items(), start=1):
        parts.append(f"{number}. {heading}\n\n")
        for sub, text in enumerate(clauses, start=1):
            parts.append(_wrap(f"{number}.{sub}", text.format(S="the Supplier", C="the Customer")))
    parts.append("SCHEDULE 1 - DEFINITIONS\n\n")
    for term, meaning in DEFINED_TERMS:
        parts.append(f'"{term}" means {meaning};\n')
    parts.append("\n")
    sections = (
        _service_schedule,
        _data_processing,
        _responsibilities,
        _service_levels,
        _kpi_detail,
        _sites,
        _site_profiles,
        _invoice_schedule,
        _invoice_breakdown,
        _assumptions,
        _people,
        _governance,
        _change_log,
    )
    for section in sections:
        parts += section(rng)
    parts.append(
        "SCHEDULE 9 - EXIT MANAGEMENT AND EMPLOYEES\n\n"
        "9.1 The Exit Plan shall describe how each Service will be transferred, the data to be migrated, the knowledge transfer sessions to be held and the assets to be transferred or bought back.\n\n"
        "9.2 During the Exit Period the Supplier shall continue to provide the Services to the Service Levels and shall provide the Exit Services at the rates in Part C of Schedule 5.\n\n"
        "9.3 Not later than six (6) months before the end of the Term the Supplier shall provide anonymised information on the personnel wholly or mainly assigned to the Services.\n\n"
    )
    parts += _statements_of_work(rng) + _performance_history(rng) + _continuity(rng)
    parts.append(
        "EXECUTION\n\nThis Agreement has been entered into on the date stated at the beginning of it.\n\n"
        f"Signed for and on behalf of {SUPPLIER} by Helen Marchetti, Chief Executive Officer.\n"
        f"Signed for and on behalf of {CUSTOMER} by Andrew Lomax, Chief Financial Officer.\n"
    )
    return "".join(parts)


RECEIPT_SCAN_LINES = [
    "      RESTORAN SELERA KAMPUNG SDN BHD",
    "            (1187346-K)",
    "   LOT 12, JALAN MERANTI 3, TAMAN MERANTI,",
    "     43300 SERI KEMBANGAN, SELANGOR",
    "         GST ID: 001234567890",
    "",
    "          TAX INVOICE",
    "Invoice No : RSK-0318-2207",
    "Date : 18/03/2018     Time : 12:41:07",
    "Cashier : AMIRA        Table : 7",
    "--------------------------------------------",
    "Item                     Qty       Amount",
    "NASI LEMAK AYAM           2         17.00",
    "MEE GORENG MAMAK          1          7.50",
    "TEH TARIK (L)             2          6.40",
    "KUIH LAPIS                3          4.50",
    "--------------------------------------------",
    "Sub Total                           35.40",
    "GST 6%                               2.12",
    "Rounding                            -0.02",
    "TOTAL                               37.50",
    "Cash                                50.00",
    "Change                              12.50",
    "",
    "     THANK YOU. PLEASE COME AGAIN.",
]


def write_receipt_scan(path: Path) -> None:
    """A receipt as a phone scan: rendered, turned 1.2 degrees, speckled, blurred; grayscale JPEG."""
    import sys

    sys.path.insert(0, str(HERE.parent))
    from tests.scanned import scanned_page

    page = scanned_page(
        RECEIPT_SCAN_LINES, (760, 980), font_size=22, margin=40, rotate=1.2, noise=0.015,
        blur=0.7, seed=2018,
    )  # fmt: skip
    page.save(path, "JPEG", quality=80)


def main() -> None:
    write_pdf(HERE / "invoice-acme-2024-017.pdf", paginate(invoice_lines()))
    write_pdf(HERE / "nda-mutual-bluefin.pdf", nda_pages())
    (HERE / "master-services-agreement-long.txt").write_text(long_contract(), encoding="utf-8")
    write_receipt_scan(HERE / "receipt-scan-selera.jpg")


if __name__ == "__main__":
    main()
