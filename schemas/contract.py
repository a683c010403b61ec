"""Commercial contracts, with CUAD's eight simple fields.

On a 42-page CUAD franchise contract the embedded 1.5B model answered the
descriptions' examples from almost every part that did not hold the field.
Grounding drops a copied name or date (the text does not print it), but a
copied duration ("90 days") is printed somewhere in most long contracts, so
the renewal and notice fields give none. Taking the other examples out as
well cost more than it saved on CUAD's 3 default contracts (F1 0.650 -> 0.488:
defined terms such as "Premises" answered as parties, titles and dates missed).
"""

from __future__ import annotations

from pydantic import BaseModel, Field, field_validator

from schemas import normalize as norm


class Contract(BaseModel):
    """A commercial contract: its name, parties, key dates, renewal and governing law."""

    document_name: str | None = Field(
        None,
        description='The agreement\'s title as written (e.g. "MARKETING AFFILIATE AGREEMENT").',
        json_schema_extra={"evidence": "verbatim"},
    )
    parties: list[str] = Field(
        default_factory=list,
        description='Full legal names of the contracting parties (e.g. "Nike, Inc."), without '
        'role labels such as "the Company" or "Distributor".',
        # expected_items also caps the list for the embedded model's grammar: on a CUAD
        # contract it once wrote parties until max_tokens, part after part.
        json_schema_extra={"evidence": "name", "expected_items": 2},
    )
    agreement_date: str | None = Field(
        None,
        description='Date the contract was made or signed, copied as written (e.g. "May 20, 2014"); '
        "stored as ISO 8601.",
        json_schema_extra={"evidence": "present"},
    )
    effective_date: str | None = Field(
        None,
        description="Date the contract takes effect, copied as written; stored as ISO 8601.",
        json_schema_extra={"evidence": "present"},
    )
    expiration_date: str | None = Field(
        None,
        description="Date the initial term ends, copied as written (stored as ISO 8601), or "
        '"perpetual" if it has none.',
        json_schema_extra={"evidence": "present"},
    )
    renewal_term: str | None = Field(
        None,
        description="Length of each renewal term, a number and a unit of time copied as written "
        "from the renewal clause; null if the contract does not renew.",
        json_schema_extra={
            "evidence": "present",
            "keywords": ["renew", "renewal", "additional term", "successor", "extend"],
        },
    )
    notice_period_to_terminate_renewal: str | None = Field(
        None,
        description="Notice a party must give to stop an automatic renewal, a number and a unit "
        "of time copied as written from the renewal clause; null if none is stated.",
        json_schema_extra={
            "evidence": "present",
            "keywords": ["notice", "non-renewal", "renew", "prior to the expiration"],
        },
    )
    governing_law: str | None = Field(
        None,
        # no example state: the embedded model answered the example, "Nevada", for all of
        # three CUAD contracts (none governed by it)
        description="The state or country named in the governing-law clause "
        '("governed by the laws of ..."), as written.',
        json_schema_extra={
            "evidence": "present",
            "merge": "last",
            "keywords": ["governed", "governing law", "laws of", "construed"],
        },
    )

    _parties = field_validator("parties", mode="before")(norm.party_names)
    _dates = field_validator("agreement_date", "effective_date", mode="before")(norm.iso_date)
    _clean = field_validator("document_name", mode="before")(norm.blank_to_none)
    _terms = field_validator("renewal_term", "notice_period_to_terminate_renewal", mode="before")(
        norm.term
    )
    _law = field_validator("governing_law", mode="before")(norm.us_state_or_country)

    @field_validator("expiration_date", mode="before")
    @classmethod
    def _expiry(cls, value: object) -> object:
        value = norm.blank_to_none(value)
        if isinstance(value, str) and "perpetu" in value.casefold():
            return "perpetual"
        return norm.iso_date(value)
