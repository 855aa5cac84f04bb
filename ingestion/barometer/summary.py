"""What a DITP export load says in the run's summary: its values, what is current, what was not read."""

from __future__ import annotations

from datetime import date

from ingestion.barometer.ditp import DitpExport

LEVEL_NAMES = (("department", "departments"), ("region", "regions"), ("national", "national"))


def describe_export(file_name: str, as_of: date, export: DitpExport, current: int) -> str:
    """One line: indicators and values, territories and months covered, how many values are
    current (the rest superseded by a newer export), quarantined cells, unknown indicators."""
    rows = export.rows
    indicators = ", ".join(f"{ind} {n:,} values" for ind, n in rows["indicator_id"].value_counts().sort_index().items())
    territories = []
    for level, name in LEVEL_NAMES:
        count = rows.loc[rows["territory_level"] == level, "territory_code"].nunique()
        if count:
            territories.append(name if level == "national" else f"{count} {name}")
    months = f"{rows['month_start'].min():%Y-%m}…{rows['month_start'].max():%Y-%m}"
    superseded = len(rows) - current
    parts = [
        f"DITP {file_name} (as of {as_of:%Y-%m-%d}): {indicators}; {', '.join(territories)}; {months}",
        f"{current:,} current" + (f", {superseded:,} superseded by a newer export" if superseded else ""),
        f"{len(export.rejects):,} quarantined",
    ]
    if export.empty_rows:
        parts.append(f"{export.empty_rows:,} rows without a value skipped")
    if export.unknown_indicators:
        listed = ", ".join(f"{ind} ({n:,} rows)" for ind, n in sorted(export.unknown_indicators.items()))
        parts.append(f"unknown indicator kept raw: {listed}")
    return "; ".join(parts)
