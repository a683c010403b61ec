"""Shop receipts, with the four SROIE fields kept exactly as printed."""

from __future__ import annotations

import re
from typing import ClassVar

from pydantic import BaseModel, Field, field_validator

from schemas import normalize as norm


class Receipt(BaseModel):
    """A shop or restaurant receipt: the seller, the date, the address and the total paid."""

    company: str | None = Field(
        None,
        description="Name of the business that issued the receipt, exactly as printed at the top "
        "(usually upper case, with SDN BHD / ENTERPRISE etc.), not the branch or a slogan.",
    )
    date: str | None = Field(
        None,
        description="Date of purchase exactly as printed (e.g. 25/12/2018), without the time.",
    )
    address: str | None = Field(
        None,
        description="The business's full address as printed, its lines joined with single spaces.",
    )
    total: str | None = Field(
        None,
        description="Grand total paid including tax and rounding, digits with 2 decimals as "
        "printed (e.g. 9.00), no currency.",
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
    ]

    _clean = field_validator("company", "date", "address", mode="before")(norm.blank_to_none)

    @field_validator("total", mode="before")
    @classmethod
    def _total(cls, value: object) -> object:
        """Keep the printed digits, drop currency marks: 'RM 9.00' -> '9.00', '9' -> '9.00'."""
        value = norm.blank_to_none(value)
        if isinstance(value, (int, float)):
            return f"{value:.2f}"
        if isinstance(value, str):
            text = re.sub(r"^[^\d(-]+|[^\d)]+$", "", value).replace(",", "")
            return f"{text}.00" if text.isdigit() else (text or value)
        return value
