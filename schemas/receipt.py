"""Shop receipts, with the four SROIE fields kept exactly as printed.

Each field is grounded verbatim: the value in the table is the receipt's own
text for it, so a model's paraphrase or a value it made up never gets in.
"""

from __future__ import annotations

from typing import ClassVar

from pydantic import BaseModel, Field, computed_field, field_validator

from schemas import normalize as norm


class Receipt(BaseModel):
    """A shop or restaurant receipt: the seller, the date, the address and the total paid."""

    company: str | None = Field(
        None,
        description="Name of the business that issued the receipt, exactly as printed near the "
        "top (usually upper case, often ending SDN BHD / BHD / ENTERPRISE / TRADING), not a "
        "person's name, the registration number, the branch or a slogan.",
        json_schema_extra={"evidence": "lines"},
    )
    date: str | None = Field(
        None,
        description="Date of purchase exactly as printed (e.g. 25/12/2018), without the time.",
        json_schema_extra={"evidence": "verbatim"},
    )
    address: str | None = Field(
        None,
        description="The business's full address as printed, every line of it from the street "
        "or lot number to the postcode, town and state, joined with single spaces.",
        json_schema_extra={"evidence": "lines"},
    )
    total: str | None = Field(
        None,
        description="Grand total paid, after tax and after any rounding adjustment, as printed "
        "(e.g. 9.00 or RM9.00); not the subtotal, the cash tendered or the change.",
        json_schema_extra={"evidence": "verbatim"},
    )

    # Worked examples shown to the model before each receipt (made up, not from any dataset).
    EXAMPLES: ClassVar[list[tuple[str, dict[str, str | None]]]] = [
        (
            "SYARIKAT MAJU JAYA SDN BHD\n(123456-A)\nLOT 5, JALAN PERDANA 2,\nTAMAN SRI MUDA,\n"
            "40400 SHAH ALAM, SELANGOR.\nTEL: 03-5121 8899\nINVOICE NO: 100234\n"
            "DATE: 03/02/2018 14:22\nMILO TIN 1.5KG 1 X 39.90 39.90\nSUGAR 2KG 2 X 5.40 10.80\n"
            "TOTAL SALES (INCL GST) 50.70\nROUNDING 0.00\nTOTAL 50.70\nCASH 60.00\nCHANGE 9.30",
            {
                "company": "SYARIKAT MAJU JAYA SDN BHD",
                "date": "03/02/2018",
                "address": "LOT 5, JALAN PERDANA 2, TAMAN SRI MUDA, 40400 SHAH ALAM, SELANGOR.",
                "total": "50.70",
            },
        ),
        (
            "RESTORAN NASI KANDAR BISTARI\nCO REG : 002211987-K\nNO 18, JALAN TUN RAZAK,\n"
            "50400 KUALA LUMPUR\nGST REG: 000987654321\nTABLE 7  CASHIER: SITI\n"
            "12-Nov-2017 20:05\nNASI KANDAR AYAM 2 13.00\nTEH O AIS 2 3.60\nSUB TOTAL 16.60\n"
            "GST 6% 1.00\nROUNDING -0.01\nGRAND TOTAL 17.59\nTHANK YOU",
            {
                "company": "RESTORAN NASI KANDAR BISTARI",
                "date": "12-Nov-2017",
                "address": "NO 18, JALAN TUN RAZAK, 50400 KUALA LUMPUR",
                "total": "17.59",
            },
        ),
        (
            "LIM AH KOW\nKEDAI RUNCIT SENTOSA ENTERPRISE\n001234567-T\nNO. 9, JALAN MELATI 4,\n"
            "TAMAN MELATI,\n81300 SKUDAI, JOHOR.\nCASH BILL\nDATE:\n07/06/2018 10:41:02 AM\n"
            "BERAS 5KG\n1\n18.50\nMINYAK 1KG\n2\n13.80\nTOTAL AMT........ RM\n32.30\n"
            "ROUNDING ADJ......\n0.00\nRM\n32.30\nCASH........ RM\n50.00\nCHANGE...... RM\n17.70",
            {
                "company": "KEDAI RUNCIT SENTOSA ENTERPRISE",
                "date": "07/06/2018",
                "address": "NO. 9, JALAN MELATI 4, TAMAN MELATI, 81300 SKUDAI, JOHOR.",
                "total": "32.30",
            },
        ),
    ]

    _clean = field_validator("date", "address", mode="before")(norm.blank_to_none)
    _company = field_validator("company", mode="before")(norm.without_registration)

    @field_validator("total", mode="before")
    @classmethod
    def _total(cls, value: object) -> object:
        """A bare number from the model becomes its printed form: 9 -> '9.00'."""
        value = norm.blank_to_none(value)
        return f"{value:.2f}" if isinstance(value, (int, float)) else value

    @computed_field  # type: ignore[prop-decorator]
    @property
    def total_amount(self) -> float | None:
        """The total as a number ('RM 1,234.50' -> 1234.5), for sums and filters."""
        amount = norm.decimal_amount(self.total)
        return amount if isinstance(amount, float) else None
