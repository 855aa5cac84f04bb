"""Parsing the free-text opening hours of one weekday (``9h30 – 12h15 / 13h45 – 16h30``)."""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass, field

OK, CLOSED, UNKNOWN, UNPARSED = "ok", "closed", "unknown", "unparsed"

_UNKNOWN_TEXTS = {"", "na", "nan", "none", "null", "horaires non communiques", "non communique", "nc"}
_CLOSED_TEXTS = {
    "-",
    "'-",
    "/",
    "--",
    "ferme",
    "fermee",
    "fermes",
    "non",
    "espace ferme ce jour",
    "ferme / ferme",
}
# Words that qualify a range without changing it ("sur RDV", "de 9h à 12h"): dropped before reading.
_NOISE = re.compile(
    r"\b(?:sur|sans|avec|sous)\s+(?:rdv|rv|rendez[\s-]*vous)|\brdv\b|\brendez[\s-]*vous"
    r"|\baccueil(?:\s+libre)?\b|\ben\s+continu\b|\bferme(?:e)?\b|\bde\b|\bet\b|\bplus\b"
    r"|^(?:lundi|mardi|mercredi|jeudi|vendredi|samedi|dimanche|lu|ma|me|je|ve|sa|di)\b"
)
_TIME = re.compile(
    # `12h 14h`: a number after a space is minutes only if it cannot be the next hour (00, 24-59)
    r"(?P<hour>\d{1,2})\s*(?:[h:](?:(?P<minute>\d{2})(?![h:\d])"
    r"|\s+(?P<spaced>00|2[4-9]|[3-5]\d)(?!\s*[h:]))?)?"
)
_LEFTOVER = re.compile(r"[^\s\-/,;:+]")


@dataclass(frozen=True)
class ParsedHours:
    """The result of reading one day's opening hours."""

    status: str
    ranges: list[tuple[int, int]] = field(default_factory=list)
    text: str | None = None
    minutes: int | None = None


def _fold(text: str) -> str:
    text = unicodedata.normalize("NFKD", text)
    text = "".join(ch for ch in text if not unicodedata.combining(ch)).lower()
    text = re.sub(r"[\u2010-\u2015\u2212]", "-", text)
    text = re.sub(r"\s+", " ", text)
    return text.strip()


def _format(ranges: list[tuple[int, int]]) -> str:
    return ",".join(f"{s // 60:02d}:{s % 60:02d}-{e // 60:02d}:{e % 60:02d}" for s, e in ranges)


def _merge(ranges: list[tuple[int, int]]) -> list[tuple[int, int]]:
    # Some 2024 cells list several sessions of one day that overlap ("09:00 - 17:30 / 09:00 - 12:00").
    merged: list[tuple[int, int]] = []
    for start, end in sorted(ranges):
        if merged and start <= merged[-1][1]:
            merged[-1] = (merged[-1][0], max(end, merged[-1][1]))
        else:
            merged.append((start, end))
    return merged


def _read_ranges(text: str) -> list[tuple[int, int]] | None:
    text = re.sub(r"\([^)]*\)", " ", text).strip(" :")
    text = _NOISE.sub(" ", text).replace(" a ", " - ")
    text = re.sub(r"(?<=\d)a(?=\d)|(?<=[h\s])a(?=\s*\d)", "-", text)
    times: list[int] = []
    position = 0
    for match in _TIME.finditer(text):
        if _LEFTOVER.search(text[position : match.start()]):
            return None
        hour, minute = int(match["hour"]), int(match["minute"] or match["spaced"] or 0)
        if hour > 24 or minute > 59:
            return None
        times.append(hour * 60 + minute)
        position = match.end()
    if _LEFTOVER.search(text[position:]) or not times or len(times) % 2:
        return None
    ranges = []
    for start, end in zip(times[::2], times[1::2]):
        if start == end == 0:
            continue  # "00:00 - 00:00" placeholders of the 2024 export
        if end <= start:
            return None
        ranges.append((start, end))
    return _merge(ranges)


def parse_opening_hours(text: object) -> ParsedHours:
    """Read one weekday's opening-hours text into ranges of minutes since midnight.

    ``status`` is ``ok`` (ranges found), ``closed`` (``-``, ``Fermé``), ``unknown`` (empty,
    ``Horaires non communiqués``) or ``unparsed`` (text that cannot be read safely, such as
    seasonal or "1er samedi du mois" schedules). ``text`` is the normalised form
    ``09:00-12:00,13:30-17:00`` ('' when closed, None otherwise); it never raises.
    """
    if text is None or (isinstance(text, float) and text != text):
        return ParsedHours(UNKNOWN)
    folded = _fold(str(text).replace("\u00a0", " ").replace("\u202f", " "))
    if folded in _UNKNOWN_TEXTS:
        return ParsedHours(UNKNOWN)
    if folded in _CLOSED_TEXTS:
        return ParsedHours(CLOSED, [], "", 0)
    ranges = _read_ranges(folded)
    if ranges is None:
        return ParsedHours(UNPARSED)
    if not ranges:
        return ParsedHours(CLOSED, [], "", 0)
    return ParsedHours(OK, ranges, _format(ranges), sum(e - s for s, e in ranges))
