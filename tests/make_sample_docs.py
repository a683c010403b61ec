"""Writes the generated documents in sample_docs/ (deterministic: same bytes every run).

    python tests/make_sample_docs.py

PDFs are written by hand (PDF 1.4, Helvetica) so no PDF library is needed.
"""

from __future__ import annotations

import random
from pathlib import Path

HERE = Path(__file__).resolve().parent.parent / "sample_docs"
LINES_PER_PAGE = 60


def write_pdf(path: Path, pages: list[list[str]]) -> None:
    """A minimal valid PDF with one text line per row, 10 pt Helvetica."""
    objects: list[bytes] = []
    n_pages = len(pages)
    page_ids = [4 + 2 * i for i in range(n_pages)]
    objects.append(b"<< /Type /Catalog /Pages 2 0 R >>")
    kids = " ".join(f"{i} 0 R" for i in page_ids)
    objects.append(f"<< /Type /Pages /Kids [{kids}] /Count {n_pages} >>".encode())
    objects.append(b"<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica >>")
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
    path.write_bytes(bytes(out))


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


NDA_TEXT = """MUTUAL NON-DISCLOSURE AGREEMENT
This Mutual Non-Disclosure Agreement (the "Agreement") is entered into as of the 2nd day of
September, 2019 (the "Effective Date") by and between Bluefin Robotics, Inc., a Delaware
corporation with offices at 500 Boylston Street, Boston, Massachusetts ("Bluefin"), and
Harbor Analytics LLC, a New York limited liability company ("Harbor").
1. Purpose. The parties wish to evaluate a possible collaboration on autonomous underwater
survey software (the "Purpose") and will disclose Confidential Information for that Purpose.
2. Confidential Information. "Confidential Information" means any non-public information
disclosed by one party to the other, in writing or orally, that is marked confidential or
that a reasonable person would understand to be confidential.
3. Obligations. The receiving party shall hold Confidential Information in strict confidence,
use it only for the Purpose, and disclose it only to employees who need to know it.
4. Exclusions. These obligations do not apply to information that is public, already known
to the receiving party, independently developed, or rightfully received from a third party.
5. Term. This Agreement shall remain in effect for a period of three (3) years from the
Effective Date. The obligations of confidentiality survive for two (2) years after expiry.
6. Return of Materials. On request, each party shall return or destroy all Confidential
Information of the other party.
7. No License. Nothing in this Agreement grants any license under any patent or copyright.
8. Governing Law. This Agreement shall be governed by the laws of the Commonwealth of
Massachusetts, without regard to its conflict of laws principles.
9. Entire Agreement. This Agreement is the entire agreement of the parties on its subject.
IN WITNESS WHEREOF the parties have signed this Agreement as of the Effective Date.
BLUEFIN ROBOTICS, INC.            HARBOR ANALYTICS LLC
By: Maria Keane, CEO              By: David Osei, Managing Member"""


def long_contract() -> str:
    """A master services agreement with many schedules: well over 33K Mistral tokens."""
    rng = random.Random(2503)
    subjects = ["the Supplier", "the Customer", "each party", "the Service Provider", "the Client"]
    verbs = [
        "shall provide",
        "shall maintain",
        "may suspend",
        "shall promptly notify",
        "shall document",
        "shall not unreasonably withhold",
        "shall review",
        "may request",
        "shall deliver",
    ]
    objects = [
        "the Services",
        "all Deliverables",
        "written notice",
        "its consent",
        "a remediation plan",
        "the Service Levels",
        "accurate records",
        "the Change Request",
        "monthly reports",
        "reasonable assistance",
        "the Acceptance Tests",
        "the Security Policy",
    ]
    tails = [
        "within ten (10) Business Days",
        "in accordance with Schedule 2",
        "at its own cost",
        "subject to clause 14",
        "during the Term",
        "unless otherwise agreed in writing",
        "to the reasonable satisfaction of the Customer",
        "as set out in the Statement of Work",
    ]
    head = (
        "MASTER SERVICES AGREEMENT\n\nThis Master Services Agreement is made on 1 February 2023 "
        "between Orion Data Systems Limited, a company registered in England under number 08812345 "
        '(the "Supplier"), and Kestrel Logistics Group plc, registered under number 02219876 '
        '(the "Customer").\n\n'
    )
    parts = [head]
    for section in range(1, 101):
        parts.append(
            f"{section}. {rng.choice(['SERVICES', 'CHARGES', 'WARRANTIES', 'LIABILITY', 'TERM', 'DATA PROTECTION', 'AUDIT', 'GOVERNANCE', 'SUBCONTRACTING', 'EXIT'])}\n\n"
        )
        for sub in range(1, rng.randint(5, 9)):
            sentences = []
            for _ in range(rng.randint(3, 6)):
                sentences.append(
                    f"{rng.choice(subjects).capitalize()} {rng.choice(verbs)} "
                    f"{rng.choice(objects)} {rng.choice(tails)}."
                )
            parts.append(f"{section}.{sub} " + " ".join(sentences) + "\n\n")
    parts.append("SCHEDULE 5 - INVOICING\n\n")
    for month in range(1, 25):
        parts.append(
            f"Invoice ODS-{2023 + (month - 1) // 12}-{month:03d}: monthly service charge "
            f"GBP {rng.randint(18, 26) * 1000:,}.00 payable within 30 days.\n"
        )
    parts.append(
        "\nThis Agreement is governed by the laws of England and Wales. It continues for an "
        "initial term of five (5) years and renews for successive one (1) year terms unless "
        "either party gives ninety (90) days' notice.\n"
    )
    return "".join(parts)


def main() -> None:
    write_pdf(HERE / "invoice-acme-2024-017.pdf", paginate(invoice_lines()))
    contacts = [
        "Schedule A - Designated contacts",
        "Bluefin: legal@bluefin.example",
        "Harbor: counsel@harbor.example",
    ]
    write_pdf(HERE / "nda-mutual-bluefin.pdf", [NDA_TEXT.splitlines(), contacts])
    (HERE / "master-services-agreement-long.txt").write_text(long_contract(), encoding="utf-8")


if __name__ == "__main__":
    main()
