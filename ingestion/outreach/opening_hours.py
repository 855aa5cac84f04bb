"""Reading OpenStreetMap ``opening_hours`` into weekly sessions with their week parity.

The subset these files use: weekday selectors (``Mo``, ``Mo-Fr``, ``Mo,We``, ``Mo-We,Fr``),
several time ranges per day (``09:30-12:30,13:30-15:30``), ``;``-separated rules (a later rule
replaces the earlier ones on the days and weeks it names, as in OSM), additional rules after
``,`` (``Mo 09:00-12:00, We 14:00-16:00``: they add), ``off``/``closed``, ``PH off``, ``24/7``
and week parity as ``week 1-53/2`` (odd ISO weeks) or ``week 2-52/2`` (even). Anything else
(months, dates, sunrise, open ends, comments, public-holiday hours) raises
``UnreadableHours``: a schedule is read exactly or not at all.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

WEEKDAYS = ("Mo", "Tu", "We", "Th", "Fr", "Sa", "Su")
ALL, ODD, EVEN = "all", "odd", "even"
WEEK_PARITIES = (ALL, ODD, EVEN)
MIXED = "mixed"
"""A place's week pattern when its sessions do not all share one parity."""

_DAY = r"(?:mo|tu|we|th|fr|sa|su|ph)"
_TIME = r"\d{1,2}:\d{2}"
_RANGE = rf"{_TIME}\s*-\s*{_TIME}"
_RULE = re.compile(
    rf"^(?:week\s*(?P<weeks>\d{{1,2}}\s*-\s*\d{{1,2}}(?:\s*/\s*\d{{1,2}})?)\s*)?"
    rf"(?P<days>{_DAY}(?:\s*[-,]\s*{_DAY})*)?\s*"
    rf"(?P<times>off|closed|{_RANGE}(?:\s*,\s*{_RANGE})*)?$",
    re.IGNORECASE,
)
# An additional rule starts at a comma that ends a rule (after a time, `off` or `closed`) and
# opens a word (a weekday, `week`, `PH`); other commas list days or time ranges of one rule.
_ADDITIONAL = re.compile(r"(?<=[0-9fFdD]),\s*(?=[A-Za-z])")


class UnreadableHours(ValueError):
    """An ``opening_hours`` text outside the subset this parser reads; ``str()`` is the reason."""

    def __init__(self, text: str, detail: str | None = None) -> None:
        self.text = text
        self.detail = detail
        super().__init__(f"unreadable opening_hours {text!r}" + (f" ({detail})" if detail else ""))


@dataclass(frozen=True)
class Session:
    """One weekly opening: ``weekday`` 1 (Monday) to 7, minutes since midnight, week parity."""

    weekday: int
    start: int
    end: int
    weeks: str

    @property
    def minutes(self) -> int:
        """Length of the session in minutes."""
        return self.end - self.start

    @property
    def weekday_code(self) -> str:
        """The OSM code of the weekday (``Mo``…``Su``)."""
        return WEEKDAYS[self.weekday - 1]


@dataclass(frozen=True)
class WeeklySchedule:
    """What an ``opening_hours`` text says about an ordinary week."""

    sessions: tuple[Session, ...]
    public_holidays_off: bool

    def hours_in(self, parity: str) -> float:
        """Hours open in an odd or an even ISO week."""
        return sum(s.minutes for s in self.sessions if s.weeks in (ALL, parity)) / 60

    @property
    def hours_per_week_avg(self) -> float:
        """Hours in an average week: the mean of an odd and an even week."""
        return (self.hours_in(ODD) + self.hours_in(EVEN)) / 2

    @property
    def weeks(self) -> str | None:
        """``all``, ``odd`` or ``even`` when every session shares it, ``mixed`` otherwise; None
        without sessions."""
        parities = {s.weeks for s in self.sessions}
        if not parities:
            return None
        return parities.pop() if len(parities) == 1 else MIXED


def parse_opening_hours(text: str, weeks: str = ALL) -> WeeklySchedule:
    """Read an OSM ``opening_hours`` text; ``weeks`` is the parity the file gives beside it
    (``ouverture`` = Semaine impaire → ``odd``; the template's ``weeks`` column).

    Rules without a week selector run in the ``weeks`` given; a rule whose own selector
    contradicts it (``week 2-52/2`` on a place of odd weeks) is unreadable. Overlapping ranges
    of one day are merged, so no minute counts twice. Raises ``UnreadableHours``.
    """
    if weeks not in WEEK_PARITIES:
        raise ValueError(f"weeks must be one of {WEEK_PARITIES}, not {weeks!r}")
    source = str(text)
    stripped = " ".join(source.split())
    if not stripped:
        raise UnreadableHours(source, "empty")
    # (weekday, parity) -> ranges; parity is odd or even: an `all` rule writes both.
    slots: dict[tuple[int, str], list[tuple[int, int]]] = {}
    public_holidays_off = False
    for rule in (part.strip() for part in stripped.split(";")):
        if not rule:
            continue
        for position, piece in enumerate(_ADDITIONAL.split(rule)):
            read = _read_rule(piece.strip(), source, weeks)
            if read.public_holidays_off:
                public_holidays_off = True
            for day in read.days:
                for parity in _parities(read.weeks):
                    key = (day, parity)
                    # A new `;` rule replaces what earlier rules said of these days and weeks.
                    kept = slots.get(key, []) if position > 0 else []
                    slots[key] = kept + list(read.ranges)
    return WeeklySchedule(_sessions(slots), public_holidays_off)


@dataclass(frozen=True)
class _Rule:
    days: tuple[int, ...]
    weeks: str
    ranges: tuple[tuple[int, int], ...]
    public_holidays_off: bool = False


def _read_rule(rule: str, source: str, weeks: str) -> _Rule:
    if rule.lower() == "24/7":
        return _Rule(tuple(range(1, 8)), weeks, ((0, 24 * 60),))
    if rule.lower() in ("off", "closed"):
        return _Rule(tuple(range(1, 8)), weeks, ())
    match = _RULE.match(rule)
    if match is None or not (match["days"] or match["times"]):
        raise UnreadableHours(source)
    rule_weeks = _week_parity(match["weeks"], source) if match["weeks"] else weeks
    if rule_weeks != weeks and weeks != ALL:
        raise UnreadableHours(source, f"week {match['weeks']} contradicts weeks {weeks!r}")
    days, holidays = _days(match["days"], source) if match["days"] else (tuple(range(1, 8)), False)
    times = (match["times"] or "").lower()
    if not times:
        # OSM reads a bare `Mo-Fr` as open all day: never what a bus timetable means.
        raise UnreadableHours(source, "days without hours")
    closed = times in ("off", "closed")
    if holidays and not closed:
        raise UnreadableHours(source, "hours on public holidays")
    ranges = () if closed else _ranges(times, source)
    return _Rule(days, rule_weeks, ranges, public_holidays_off=holidays and closed)


def _week_parity(selector: str, source: str) -> str:
    numbers = [int(n) for n in re.findall(r"\d+", selector)]
    start, end = numbers[0], numbers[1]
    step = numbers[2] if len(numbers) == 3 else 1
    if start < 1 or end > 53 or start > end:
        raise UnreadableHours(source, f"week {selector}")
    if step == 1 and start == 1 and end >= 52:
        return ALL
    # Odd weeks run 1, 3 … 53; even weeks 2, 4 … 52: a selector that covers the year.
    if step == 2 and start in (1, 2) and end >= 51:
        return ODD if start == 1 else EVEN
    raise UnreadableHours(source, f"week {selector} is neither every week nor one week in two")


def _days(selector: str, source: str) -> tuple[tuple[int, ...], bool]:
    days: list[int] = []
    holidays = False
    for item in re.split(r"\s*,\s*", selector.strip()):
        bounds = [b.strip().capitalize() for b in item.split("-")]
        if "Ph" in bounds:
            if len(bounds) > 1:
                raise UnreadableHours(source, "PH in a day range")
            holidays = True
            continue
        if len(bounds) == 1:
            days.append(WEEKDAYS.index(bounds[0]) + 1)
            continue
        first, last = WEEKDAYS.index(bounds[0]) + 1, WEEKDAYS.index(bounds[1]) + 1
        # Sa-Mo wraps over the week's end, as OSM allows.
        days.extend(range(first, last + 1) if first <= last else [*range(first, 8), *range(1, last + 1)])
    return tuple(dict.fromkeys(days)), holidays


def _ranges(times: str, source: str) -> tuple[tuple[int, int], ...]:
    ranges = []
    for item in times.split(","):
        start_text, end_text = (part.strip() for part in item.split("-"))
        start, end = _minutes(start_text, source), _minutes(end_text, source)
        if end <= start:
            raise UnreadableHours(source, f"{item.strip()} ends before it starts")
        ranges.append((start, end))
    return tuple(ranges)


def _minutes(text: str, source: str) -> int:
    hour, minute = (int(part) for part in text.split(":"))
    if minute > 59 or hour > 24 or (hour == 24 and minute):
        raise UnreadableHours(source, f"{text} is not a time of day")
    return hour * 60 + minute


def _parities(weeks: str) -> tuple[str, ...]:
    return (ODD, EVEN) if weeks == ALL else (weeks,)


def _merge(ranges: list[tuple[int, int]]) -> list[tuple[int, int]]:
    merged: list[tuple[int, int]] = []
    for start, end in sorted(ranges):
        if merged and start <= merged[-1][1]:
            merged[-1] = (merged[-1][0], max(end, merged[-1][1]))
        else:
            merged.append((start, end))
    return merged


def _sessions(slots: dict[tuple[int, str], list[tuple[int, int]]]) -> tuple[Session, ...]:
    """Sessions per weekday: a range open in odd and even weeks alike is one ``all`` session."""
    sessions = []
    for day in range(1, 8):
        odd = _merge(slots.get((day, ODD), []))
        even = _merge(slots.get((day, EVEN), []))
        both = [r for r in odd if r in even]
        sessions += [Session(day, s, e, ALL) for s, e in both]
        sessions += [Session(day, s, e, ODD) for s, e in odd if (s, e) not in both]
        sessions += [Session(day, s, e, EVEN) for s, e in even if (s, e) not in both]
    return tuple(sorted(sessions, key=lambda s: (s.weekday, s.start, s.weeks)))


def format_time(minutes: int) -> str:
    """``570`` → ``09:30`` (``1440`` → ``24:00``)."""
    return f"{minutes // 60:02d}:{minutes % 60:02d}"
