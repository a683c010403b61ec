"""The charity report schema keeps what each field means, from what a small model answers.

The raw values below are the embedded model's answers on Kleister Charity
reports (session 12), the expected ones what the reports' register holds.
"""

from __future__ import annotations

from typing import Any

import pytest

from schemas.charity_report import CharityReport
from schemas.uk_address import postcode, street_line


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("SAYT office, 39 Dartford Road", "39 Dartford Road"),  # a building before it
        ("Bedford Road, Hitchin", "Bedford Road"),  # the town after it
        ("Unit 4 Hill Farm Kirby Road Kirby Bedon Norwich Norfolk NR14", "Kirby Road"),
        ("Bourne End scout Hut\nFurlong Road\nBourne End", "Furlong Road"),
        ("Knaresborough House, High Street, Knaresborough.", "High Street"),
        ("58 Trinity Street", "58 Trinity Street"),
        ("34-38 Brenkley Way", "34-38 Brenkley Way"),
        ("Flat 2, 3a Church Lane", "3a Church Lane"),  # "Church" names the lane here
        ("12 St Albans Road", "12 St Albans Road"),  # a saint, not a street
        ("14 Beech Hill", "14 Beech Hill"),  # a weak street word where no strong one is
        ("42-47 Minories", "42-47 Minories"),  # no street word, a house number: kept
        ("Buttress House", None),  # neither: a building, not a street
        ("Bishop\u2019s Stortford", None),  # a town
        ("1716", None),  # a number alone
        ("Unit 5, Hadham Industrial Estates Ltd", "Unit 5, Hadham Industrial Estates Ltd"),
        (None, None),
    ],
)
def test_the_street_line_is_the_street_alone(raw: Any, expected: Any):
    assert street_line(raw) == expected


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("sy3 7pq", "SY3 7PQ"),
        ("NE136DS", "NE13 6DS"),
        ("SL8 SAE", "SL8 5AE"),  # OCR read the inward code's 5 as an S
        ("SL8 sAE", "SL8 5AE"),
        ("N16 5P~", "N16 5P~"),  # no reading parses: kept, in upper case
        ("EC3N 1DY", "EC3N 1DY"),
    ],
)
def test_a_postcode_is_read_as_a_uk_postcode(raw: str, expected: str):
    assert postcode(raw) == expected


def test_charity_report_fields_keep_their_meaning():
    report = CharityReport(
        address_post_town="King’s Lynn",
        address_postcode="sl8 sae",
        address_street_line="SAYT office, 39 Dartford Road",
        charity_number="Registered charity no. 504 310",
        report_date="year ended 31 July 2016",
    )
    assert report.address_post_town == "KING'S LYNN"  # as the register writes it
    assert report.address_postcode == "SL8 5AE"
    assert report.address_street_line == "39 Dartford Road"
    assert report.charity_number == "504310"
    assert report.report_date == "2016-07-31"


@pytest.mark.parametrize("number", ["10", "0000000", "page 4"])
def test_what_is_no_charity_number_is_left_empty(number: str):
    """A page number or a form's zeros would win the merge over another chunk's real one."""
    assert CharityReport(charity_number=number).charity_number is None
    assert CharityReport(charity_number="SC012345").charity_number == "SC012345"


@pytest.mark.parametrize("year", ["2015-16", "2016"])
def test_a_financial_year_that_names_no_day_is_no_report_date(year: str):
    assert CharityReport(report_date=year).report_date is None
