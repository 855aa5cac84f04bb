"""OSM opening_hours as outreach files write them: sessions, week parity, hours per week."""

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from ingestion.outreach.opening_hours import (
    WEEKDAYS,
    UnreadableHours,
    format_time,
    parse_opening_hours,
)


def _sessions(text, weeks="all"):
    schedule = parse_opening_hours(text, weeks)
    return [(s.weekday_code, format_time(s.start), format_time(s.end), s.weeks) for s in schedule.sessions]


def test_the_bus_file_hours_with_their_week_parity():
    schedule = parse_opening_hours("Mo 09:30-12:30,13:30-15:30; PH off", "odd")
    assert _sessions("Mo 09:30-12:30,13:30-15:30; PH off", "odd") == [
        ("Mo", "09:30", "12:30", "odd"),
        ("Mo", "13:30", "15:30", "odd"),
    ]
    assert schedule.public_holidays_off
    assert (schedule.hours_in("odd"), schedule.hours_in("even"), schedule.hours_per_week_avg) == (5.0, 0.0, 2.5)
    assert schedule.weeks == "odd"


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("Mo-Fr 09:00-12:00", [(day, "09:00", "12:00", "all") for day in WEEKDAYS[:5]]),
        ("Mo,We 09:00-12:00", [("Mo", "09:00", "12:00", "all"), ("We", "09:00", "12:00", "all")]),
        (
            "Mo-We,Fr 14:00-16:00",
            [(day, "14:00", "16:00", "all") for day in ("Mo", "Tu", "We", "Fr")],
        ),
        ("Sa-Mo 10:00-11:00", [(day, "10:00", "11:00", "all") for day in ("Mo", "Sa", "Su")]),
        ("Tu 9:00-12:30", [("Tu", "09:00", "12:30", "all")]),
        ("mo 09:00-12:00", [("Mo", "09:00", "12:00", "all")]),
        ("Th 20:00-24:00", [("Th", "20:00", "24:00", "all")]),
        # A later `;` rule replaces what an earlier one said of its days; `,` adds a rule.
        (
            "Mo-Fr 09:00-17:00; We 09:00-12:00; Fr off",
            [
                ("Mo", "09:00", "17:00", "all"),
                ("Tu", "09:00", "17:00", "all"),
                ("We", "09:00", "12:00", "all"),
                ("Th", "09:00", "17:00", "all"),
            ],
        ),
        ("Mo 09:00-12:00, Mo 14:00-16:00", [("Mo", "09:00", "12:00", "all"), ("Mo", "14:00", "16:00", "all")]),
        ("Mo 09:00-12:00,11:00-13:00", [("Mo", "09:00", "13:00", "all")]),
        ("Mo 09:00-12:00;", [("Mo", "09:00", "12:00", "all")]),
        (
            "week 1-53/2 Mo 09:00-12:00; week 2-52/2 Mo 14:00-16:00",
            [("Mo", "09:00", "12:00", "odd"), ("Mo", "14:00", "16:00", "even")],
        ),
        ("week 01-53/2 We 09:00-12:00", [("We", "09:00", "12:00", "odd")]),
        ("week 1-53 We 09:00-12:00", [("We", "09:00", "12:00", "all")]),
        (
            "Tu 09:00-12:00; week 2-52/2 Tu 14:00-16:00",
            [
                ("Tu", "09:00", "12:00", "odd"),
                ("Tu", "14:00", "16:00", "even"),
            ],
        ),
    ],
)
def test_day_selectors_time_ranges_and_rules(text, expected):
    assert _sessions(text) == expected


def test_week_parity_of_the_file_applies_to_rules_without_their_own():
    schedule = parse_opening_hours("Tu 09:30-12:00; Tu 13:30-16:30, Th 13:30-16:30", "even")
    assert {s.weeks for s in schedule.sessions} == {"even"}
    assert (schedule.hours_in("odd"), schedule.hours_in("even")) == (0.0, 6.0)
    assert parse_opening_hours("week 1-53/2 Mo 09:00-12:00", "odd").hours_in("odd") == 3.0


def test_mixed_parities_and_24_7():
    assert parse_opening_hours("Mo 09:00-12:00; week 1-53/2 We 14:00-16:00").weeks == "mixed"
    assert parse_opening_hours("24/7").hours_per_week_avg == 168.0
    assert parse_opening_hours("PH off").sessions == ()


@pytest.mark.parametrize(
    ("text", "weeks", "reason"),
    [
        ("xyz", "all", "unreadable opening_hours 'xyz'"),
        ("Mo-Fr", "all", "unreadable opening_hours 'Mo-Fr' (days without hours)"),
        ("Jan-Jun Mo 09:00-12:00", "all", "unreadable opening_hours 'Jan-Jun Mo 09:00-12:00'"),
        ('Mo 09:00-12:00 "sur RDV"', "all", "unreadable opening_hours 'Mo 09:00-12:00 \"sur RDV\"'"),
        ("Mo 09:00+", "all", "unreadable opening_hours 'Mo 09:00+'"),
        ("Mo sunrise-sunset", "all", "unreadable opening_hours 'Mo sunrise-sunset'"),
        ("PH 10:00-12:00", "all", "unreadable opening_hours 'PH 10:00-12:00' (hours on public holidays)"),
        ("Mo 12:00-09:00", "all", "unreadable opening_hours 'Mo 12:00-09:00' (12:00-09:00 ends before it starts)"),
        ("Fr 22:00-02:00", "all", "unreadable opening_hours 'Fr 22:00-02:00' (22:00-02:00 ends before it starts)"),
        ("Mo 09:75-10:00", "all", "unreadable opening_hours 'Mo 09:75-10:00' (09:75 is not a time of day)"),
        ("Mo 24:30-25:00", "all", "unreadable opening_hours 'Mo 24:30-25:00' (24:30 is not a time of day)"),
        ("week 10-20 Mo 09:00-12:00", "all", "(week 10-20 is neither every week nor one week in two)"),
        ("week 1-53/4 Mo 09:00-12:00", "all", "(week 1-53/4 is neither every week nor one week in two)"),
        ("week 2-52/2 Mo 09:00-12:00", "odd", "(week 2-52/2 contradicts weeks 'odd')"),
        ("Mo 09:00-12:00 || Tu 09:00-12:00", "all", "unreadable opening_hours"),
        ("   ", "all", "(empty)"),
    ],
)
def test_what_it_cannot_read_is_refused_with_the_text(text, weeks, reason):
    with pytest.raises(UnreadableHours) as raised:
        parse_opening_hours(text, weeks)
    assert reason in str(raised.value)
    assert raised.value.text == text


# Properties: a schedule written in OSM syntax reads back to the same hours, and no text makes
# the parser fail otherwise than with UnreadableHours.
_ranges = st.lists(st.tuples(st.integers(0, 23 * 60), st.integers(1, 60 * 3)), min_size=1, max_size=3).map(
    lambda pairs: sorted((start, min(start + length, 24 * 60)) for start, length in pairs)
)


def _disjoint(ranges):
    out = []
    for start, end in ranges:
        if out and start <= out[-1][1]:
            continue
        out.append((start, end))
    return out


@settings(max_examples=200, deadline=None)
@given(
    st.dictionaries(st.integers(1, 7), _ranges.map(_disjoint), min_size=1, max_size=7),
    st.sampled_from(["all", "odd", "even"]),
)
def test_written_schedules_read_back_to_their_hours(days, weeks):
    text = (
        "; ".join(
            f"{WEEKDAYS[day - 1]} " + ",".join(f"{format_time(s)}-{format_time(e)}" for s, e in ranges)
            for day, ranges in sorted(days.items())
        )
        + "; PH off"
    )
    schedule = parse_opening_hours(text, weeks)
    minutes = sum(e - s for ranges in days.values() for s, e in ranges)
    expected = {"all": (minutes, minutes), "odd": (minutes, 0), "even": (0, minutes)}[weeks]
    assert (round(schedule.hours_in("odd") * 60), round(schedule.hours_in("even") * 60)) == expected
    assert schedule.hours_per_week_avg == pytest.approx(sum(expected) / 120)
    assert schedule.public_holidays_off
    assert {s.weekday for s in schedule.sessions} == set(days)


@settings(max_examples=300, deadline=None)
@given(st.text(alphabet="MoTuWeThFrSaSuPH week0123456789:-,;/ offclsed", max_size=40))
def test_any_text_gives_a_schedule_or_unreadable_hours(text):
    try:
        schedule = parse_opening_hours(text)
    except UnreadableHours as error:
        assert str(error).startswith("unreadable opening_hours")
        return
    assert 0 <= schedule.hours_in("odd") <= 168 and 0 <= schedule.hours_in("even") <= 168
    for session in schedule.sessions:
        assert 1 <= session.weekday <= 7 and 0 <= session.start < session.end <= 24 * 60
