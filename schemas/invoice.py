"""Invoices: header fields, both parties and every line item."""

from __future__ import annotations

from typing import ClassVar

from pydantic import BaseModel, Field, field_validator

from extract.llm.checks import Check, adds_up, each_product, not_before, sums_to
from schemas import normalize as norm


class Party(BaseModel):
    """A company or person on the invoice."""

    name: str | None = Field(None, description="Legal or trading name, as printed.")
    address: str | None = Field(
        None, description="Postal address on one line, parts separated by commas."
    )
    tax_id: str | None = Field(None, description="VAT, GST or tax registration number, as printed.")

    _clean = field_validator("*", mode="before")(norm.blank_to_none)


class LineItem(BaseModel):
    """One billed line of the invoice."""

    description: str | None = Field(None, description="What was sold, as written on the line.")
    quantity: float | None = Field(None, description="Number of units; null if not shown.")
    unit_price: float | None = Field(
        None, description="Price per unit, plain decimal, no currency sign."
    )
    amount: float | None = Field(None, description="Line total, plain decimal, no currency sign.")

    _clean = field_validator("description", mode="before")(norm.blank_to_none)
    _numbers = field_validator("quantity", "unit_price", "amount", mode="before")(
        norm.decimal_amount
    )


class Invoice(BaseModel):
    """An invoice or bill: who billed whom, when, for what and how much."""

    invoice_number: str | None = Field(
        None, description="The invoice's number or reference, as printed."
    )
    issue_date: str | None = Field(
        None, description="Date the invoice was issued, ISO 8601 YYYY-MM-DD."
    )
    due_date: str | None = Field(None, description="Payment due date, ISO 8601 YYYY-MM-DD.")
    currency: str | None = Field(
        None, description="Currency of the amounts as an ISO 4217 code, e.g. USD, EUR, GBP."
    )
    vendor: Party | None = Field(None, description="The seller who issued the invoice.")
    customer: Party | None = Field(None, description="The buyer the invoice is addressed to.")
    # Totals are printed after the last line item: when a long invoice is split, the last
    # part that states them wins, not a first part that only guessed from its lines.
    subtotal: float | None = Field(
        None,
        description="Total before tax, as a plain decimal number without currency symbol.",
        json_schema_extra={"merge": "last"},
    )
    tax: float | None = Field(
        None,
        description="Total tax (VAT, GST, sales tax), as a plain decimal number without currency symbol.",
        json_schema_extra={"merge": "last"},
    )
    total: float | None = Field(
        None,
        description="Grand total including tax, as a plain decimal number without currency symbol.",
        json_schema_extra={"merge": "last"},
    )
    line_items: list[LineItem] = Field(
        default_factory=list, description="Every billed line, in the order printed."
    )

    # What must hold between the fields: a failed rule is re-asked once, then flagged.
    CHECKS: ClassVar[tuple[Check, ...]] = (
        adds_up(("subtotal", "tax"), "total"),
        sums_to("line_items", "amount", "subtotal"),
        each_product("line_items", "quantity", "unit_price", "amount"),
        not_before("due_date", "issue_date"),
    )

    _dates = field_validator("issue_date", "due_date", mode="before")(norm.iso_date)
    _numbers = field_validator("subtotal", "tax", "total", mode="before")(norm.decimal_amount)
    _clean = field_validator("invoice_number", mode="before")(norm.blank_to_none)

    @field_validator("currency", mode="before")
    @classmethod
    def _currency(cls, value: object) -> object:
        symbols = {
            "$": "USD",
            "US$": "USD",
            "€": "EUR",
            "£": "GBP",
            "¥": "JPY",
            "RM": "MYR",
            "S$": "SGD",
        }
        value = norm.blank_to_none(value)
        if isinstance(value, str):
            return symbols.get(value.upper(), value.upper())
        return value
