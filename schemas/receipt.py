"""Shop receipts, with the four SROIE fields kept exactly as printed."""

from __future__ import annotations

import re

from pydantic import BaseModel, Field, field_validator

from schemas import normalize as norm


class ReceiptItem(BaseModel):
    """One purchased item."""

    description: str | None = Field(None, description="Item name as printed.")
    quantity: float | None = Field(None, description="Quantity bought; null if not shown.")
    amount: float | None = Field(None, description="Price paid for the line, plain decimal.")

    _clean = field_validator("description", mode="before")(norm.blank_to_none)
    _numbers = field_validator("quantity", "amount", mode="before")(norm.decimal_amount)


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
    items: list[ReceiptItem] = Field(default_factory=list, description="Purchased items, in order.")

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
