"""UK charity annual reports, with the Kleister Charity fields.

As in the NDA and contract schemas, the descriptions give no example values (a
small model copies them into answers) but say where a value is printed;
`keywords` lead the second pass (`--second-pass on`) to the passage.
"""

from __future__ import annotations

import re

from pydantic import BaseModel, Field, field_validator

from schemas import normalize as norm
from schemas import uk_address

# Where a report prints the charity's own address, and the advisers whose addresses it
# prints too: an address just after "Auditor" is the auditor's (`not_after`).
_OWN_ADDRESS = [
    "registered office",
    "registered address",
    "principal office",
    "principal address",
    "principal place of business",
]
_ADVISERS = [
    "auditor",
    "auditors",
    "accountant",
    "accountants",
    "examiner",
    "solicitor",
    "solicitors",
    "bankers",
    "investment manager",
    "investment managers",
]
_ADDRESS = {"printed_after": _OWN_ADDRESS, "not_after": _ADVISERS}


class CharityReport(BaseModel):
    """A UK charity's annual report and financial statements."""

    charity_name: str | None = Field(
        None,
        description="Name of the charity as printed on the report's cover or first page.",
        json_schema_extra={
            "evidence": "verbatim",
            "important": True,
            "keywords": ["charity", "trust", "foundation", "association", "society"],
        },
    )
    charity_number: str | None = Field(
        None,
        description='Registered charity number, the digits printed after "Charity No" or '
        '"Registered Charity Number".',
        json_schema_extra={
            "evidence": "present",
            "important": True,
            "keywords": ["charity number", "charity no", "registered charity", "registration"],
        },
    )
    address_post_town: str | None = Field(
        None,
        description="Post town of the charity's principal or registered office address.",
        json_schema_extra={"evidence": "present", **_ADDRESS},
    )
    address_postcode: str | None = Field(
        None,
        description="UK postcode of the charity's principal or registered office address.",
        json_schema_extra={"evidence": "present", **_ADDRESS},
    )
    address_street_line: str | None = Field(
        None,
        description="House number and street of the principal or registered office address, "
        "without the town or postcode.",
        json_schema_extra={"evidence": "verbatim", **_ADDRESS},
    )
    income_annually_in_british_pounds: float | None = Field(
        None,
        description="Total income (incoming resources) for the financial year reported, in "
        "pounds, from the statement of financial activities.",
        json_schema_extra={
            "important": True,
            "keywords": ["total income", "total incoming resources", "income"],
            "printed_after": ["total income", "total incoming resources", "total receipts"],
            "scaled_by_header": True,
            "row_total": True,
        },
    )
    spending_annually_in_british_pounds: float | None = Field(
        None,
        description="Total expenditure (resources expended) for the financial year reported, "
        "in pounds, from the statement of financial activities.",
        json_schema_extra={
            "important": True,
            "keywords": ["total expenditure", "resources expended", "expenditure"],
            "printed_after": [
                "total expenditure",
                "total resources expended",
                "total payments",
            ],
            "scaled_by_header": True,
            "row_total": True,
        },
    )
    report_date: str | None = Field(
        None,
        description="End date of the financial year reported (the year ended ...), copied as "
        "written; stored as ISO 8601.",
        json_schema_extra={
            "important": True,
            "keywords": ["year ended", "year ending", "period ended", "year to"],
            "printed_after": ["year ended", "year ending", "year to", "period ended"],
        },
    )

    _clean = field_validator("charity_name", mode="before")(norm.blank_to_none)
    _money = field_validator(
        "income_annually_in_british_pounds", "spending_annually_in_british_pounds", mode="before"
    )(norm.decimal_amount)

    @field_validator("report_date", mode="before")
    @classmethod
    def _date(cls, value: object) -> object:
        """An end date as ISO 8601; a financial year that names no day ("2015-16") is no end
        date, so nothing, and another chunk's answer can give it."""
        found = norm.iso_date(value)
        if isinstance(found, str) and not re.fullmatch(r"\d{4}-\d{2}-\d{2}", found):
            return None
        return found

    @field_validator("address_post_town", mode="before")
    @classmethod
    def _town(cls, value: object) -> object:
        """Upper case, with a typographic apostrophe as the register writes it: KING'S LYNN."""
        value = norm.blank_to_none(value)
        return value.upper().replace("\u2019", "'") if isinstance(value, str) else value

    @field_validator("address_postcode", mode="before")
    @classmethod
    def _postcode(cls, value: object) -> object:
        return uk_address.postcode(norm.blank_to_none(value))

    @field_validator("address_street_line", mode="before")
    @classmethod
    def _street(cls, value: object) -> object:
        """The street line alone, not the building, town or postcode around it."""
        return uk_address.street_line(norm.blank_to_none(value))

    @field_validator("charity_number", mode="before")
    @classmethod
    def _number(cls, value: object) -> object:
        """'Registered charity no. 504 310' -> '504310': the run of 6 to 8 digits."""
        value = norm.blank_to_none(value)
        if isinstance(value, int) and not isinstance(value, bool):
            value = str(value)
        if not isinstance(value, str):
            return value
        found = re.search(
            r"(?<!\d)(?:SC)?(?!0+(?!\d))\d{6,8}(?!\d)", value.replace(" ", "").upper()
        )
        # no run of 6 to 8 digits ("10", a page number, "0000000" in a form): not a charity
        # number, so nothing, and another chunk's answer can give it
        return found.group(0) if found else None
