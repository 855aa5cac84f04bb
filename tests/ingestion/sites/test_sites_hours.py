"""Opening-hours text as it is written in the real listings."""

import pytest

from ingestion.sites.hours import parse_opening_hours


@pytest.mark.parametrize(
    ("text", "expected", "minutes"),
    [
        ("9:00 - 12:00 / 13:30 - 17:00", "09:00-12:00,13:30-17:00", 390),
        ("09:00 - 12:00", "09:00-12:00", 180),
        ("9h30 – 12h15 / 13h45 – 16h30", "09:30-12:15,13:45-16:30", 330),
        ("9h-12h", "09:00-12:00", 180),
        ("8h30 — 12h", "08:30-12:00", 210),
        ("9h-12h et 13h-18h", "09:00-12:00,13:00-18:00", 480),
        ("9h-12h, 14h-16h; 17h-18h", "09:00-12:00,14:00-16:00,17:00-18:00", 360),
        (
            "08:45 - 10:00 / 10:30 - 11:30 / 13:30 - 14:30 / 15:00 - 16:15",
            "08:45-10:00,10:30-11:30,13:30-14:30,15:00-16:15",
            270,
        ),
        ("9 h 12\u00a0h / 14 h 17 h ", "09:00-12:00,14:00-17:00", 360),
        ("de 8h30 à 12h et de 13h30 à 17h30", "08:30-12:00,13:30-17:30", 450),
        ("9h12h/13h-15h", "09:00-12:00,13:00-15:00", 300),
        ("8H30 – 12H / 13H30 - 17H", "08:30-12:00,13:30-17:00", 420),
        ("9-12/13-17", "09:00-12:00,13:00-17:00", 420),
        ("9:00 - 12:00 / Sur RDV : 14:00 - 17:00", "09:00-12:00,14:00-17:00", 360),
        ("09:00 - 17:30 / 09:00 - 12:00 / 13:30 - 17:30", "09:00-17:30", 510),
        ("00:00 - 00:00 / 09:00 - 12:00 / 14:00 - 17:00", "09:00-12:00,14:00-17:00", 360),
    ],
)
def test_ranges_are_read_from_every_real_spelling(text, expected, minutes):
    parsed = parse_opening_hours(text)
    assert parsed.status == "ok"
    assert parsed.text == expected
    assert parsed.minutes == minutes


def test_ranges_are_minutes_since_midnight():
    assert parse_opening_hours("9h30 – 12h15").ranges == [(570, 735)]


@pytest.mark.parametrize("text", ["-", "Fermé", "fermée", "/", "non"])
def test_closed_day_is_empty_text_and_zero_minutes(text):
    parsed = parse_opening_hours(text)
    assert (parsed.status, parsed.text, parsed.minutes) == ("closed", "", 0)


@pytest.mark.parametrize("text", [None, "", "  ", "NA", "Horaires non communiqués"])
def test_missing_hours_are_unknown(text):
    parsed = parse_opening_hours(text)
    assert (parsed.status, parsed.text, parsed.minutes) == ("unknown", None, None)


@pytest.mark.parametrize(
    "text",
    [
        "Juin à septembre : 9h-12h/14h-17h30   Été : 10h-12h30/13h30-18h",
        "1er samedi du mois : 9:00 - 12:00",
        "9:00 - 12:30 / Sur RDV : après-midi",
        "Selon planning bus",
        "8h30-12h30 / 13h30 8 17h30",
        "17h - 9h",
    ],
)
def test_text_it_cannot_read_safely_is_unparsed_not_an_error(text):
    parsed = parse_opening_hours(text)
    assert (parsed.status, parsed.text, parsed.ranges) == ("unparsed", None, [])
