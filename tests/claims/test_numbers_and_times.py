"""Quantities and time expressions inside claims."""

from __future__ import annotations

from datetime import date

import pytest

from pipeline.claims.quantities import find_quantities
from pipeline.claims.timex import find_time_expressions


@pytest.mark.parametrize(
    ("text", "language", "value", "unit", "approximate"),
    [
        ("rund 10.000 Soldaten", "de", 10000, "soldier", True),
        ("3.000 nordkoreanische Soldaten", "de", 3000, "soldier", False),
        ("etwa 10 000 Menschen", "de", 10000, "person", True),
        ("2,5 Millionen Euro", "de", 2_500_000, "euro", False),
        ("zwei Dutzend Drohnen", "de", 24, "drone", False),
        ("zwei Millionen Menschen", "de", 2_000_000, "person", False),
        ("45 Prozent", "de", 45, "percent", False),
        ("about 3,000 troops", "en", 3000, "troop", True),
        ("$2.5 million", "en", 2_500_000, "dollar", False),
        ("1.5 million people", "en", 1_500_000, "person", False),
    ],
)
def test_quantities(text: str, language: str, value: float, unit: str, approximate: bool) -> None:
    (quantity,) = find_quantities(text, 0, len(text), language)
    assert (quantity.value, quantity.unit, quantity.approximate) == (value, unit, approximate)
    assert text[quantity.start : quantity.end] == quantity.surface


@pytest.mark.parametrize("text", ["am 18. Mai 1992", "im Jahr 2023", "um 16:53 Uhr"])
def test_dates_years_and_clock_times_are_not_quantities(text: str) -> None:
    assert find_quantities(text, 0, len(text), "de") == ()


@pytest.mark.parametrize(
    ("text", "expression", "resolved"),
    [
        ("sagte sie am Montag", "am Montag", date(2024, 10, 28)),
        ("hatte letzte Woche erklärt", "letzte Woche", date(2024, 10, 21)),
        ("erklärte er gestern", "gestern", date(2024, 10, 28)),
        ("she said on Tuesday", "on Tuesday", date(2024, 10, 29)),
        ("said last week", "last week", date(2024, 10, 21)),
        ("am 3. Oktober", "am 3. Oktober", date(2024, 10, 3)),
        ("on December 24", "on December 24", date(2023, 12, 24)),
    ],
)
def test_time_expressions_resolved_against_publication(text: str, expression: str, resolved: date) -> None:
    published = date(2024, 10, 29)  # a Tuesday
    (found,) = find_time_expressions(text, 0, len(text), published)
    assert (found.text, found.resolved) == (expression, resolved)


def test_time_expression_without_publication_date_is_unresolved() -> None:
    (found,) = find_time_expressions("am Montag", 0, 9, None)
    assert found.resolved is None


@pytest.mark.parametrize(
    ("text", "language", "units"),
    [
        (
            "dass 3.000 Soldaten entsandt worden seien, doch heute erhöhte es diese Zahl auf 10.000",
            "de",
            ["soldier", "soldier"],
        ),
        ("officials said 3,000 troops had arrived and later raised the number to 10,000", "en", ["troop", "troop"]),
        ("3.000 Soldaten und 40 Panzer", "de", ["soldier", "tank"]),
        ("Die Polizei nahm 12 Personen fest; 300 weitere wurden befragt.", "de", ["person", None]),
    ],
)
def test_a_bare_number_that_refers_back_counts_the_same_thing(text: str, language: str, units: list[str]) -> None:
    assert [quantity.unit for quantity in find_quantities(text, 0, len(text), language)] == units
