"""UK charity annual reports, with the Kleister Charity fields."""

from __future__ import annotations

import re

from pydantic import BaseModel, Field, field_validator

from schemas import normalize as norm


class CharityReport(BaseModel):
    """A UK charity's annual report and financial statements."""

    charity_name: str | None = Field(
        None,
        description="Registered name of the charity.",
        json_schema_extra={"evidence": "verbatim"},
    )
    charity_number: str | None = Field(
        None,
        description="Registered charity number (digits only, e.g. 1132766).",
        json_schema_extra={"evidence": "present"},
    )
    address_post_town: str | None = Field(
        None,
        description="Post town of the charity's principal address, upper case (e.g. LONDON).",
        json_schema_extra={"evidence": "present"},
    )
    address_postcode: str | None = Field(
        None,
        description="UK postcode of the charity's principal address, upper case (e.g. SY3 7PQ).",
        json_schema_extra={"evidence": "present"},
    )
    address_street_line: str | None = Field(
        None,
        description="Street line of the principal address (e.g. 2 Grange Road).",
        json_schema_extra={"evidence": "verbatim"},
    )
    income_annually_in_british_pounds: float | None = Field(
        None, description="Total income for the financial year reported, in pounds, plain decimal."
    )
    spending_annually_in_british_pounds: float | None = Field(
        None,
        description="Total expenditure for the financial year reported, in pounds, plain decimal.",
    )
    report_date: str | None = Field(
        None,
        description='End date of the financial year reported, copied as written (e.g. "31 March '
        '2017"); stored as ISO 8601.',
    )

    _clean = field_validator("charity_name", "address_street_line", mode="before")(
        norm.blank_to_none
    )
    _money = field_validator(
        "income_annually_in_british_pounds", "spending_annually_in_british_pounds", mode="before"
    )(norm.decimal_amount)
    _date = field_validator("report_date", mode="before")(norm.iso_date)

    @field_validator("address_post_town", "address_postcode", mode="before")
    @classmethod
    def _upper(cls, value: object) -> object:
        value = norm.blank_to_none(value)
        return value.upper() if isinstance(value, str) else value

    @field_validator("charity_number", mode="before")
    @classmethod
    def _number(cls, value: object) -> object:
        """'Registered charity no. 504 310' -> '504310': the run of 6 to 8 digits."""
        value = norm.blank_to_none(value)
        if isinstance(value, int):
            return str(value)
        if not isinstance(value, str):
            return value
        found = re.search(r"(?<!\d)\d{6,8}(?!\d)", value.replace(" ", ""))
        return found.group(0) if found else value.replace(" ", "")
