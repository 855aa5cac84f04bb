"""Every DITP export kept: the revision table and the current view where the newest export wins.

``raw.barometer_ditp_revisions`` holds every value of every export with the export's as-of
date and its load; ``raw.barometer_ditp`` is a view keeping, per indicator, zone, month and
measure, the value of the newest export (by as-of date, then landing time). An older export
loaded after a newer one so changes no current value, and what it said stays queryable.
"""

from __future__ import annotations

from datetime import date

import duckdb
import pandas as pd

from ingestion.barometer.ditp import DitpExport, empty_ditp_rows
from ingestion.landing import LandedFile
from ingestion.store import replace_table

REVISIONS_TABLE = "barometer_ditp_revisions"
CURRENT_VIEW = "barometer_ditp"
LOAD_COLUMNS = {
    "load_id": "string",
    "file_name": "string",
    "as_of": "datetime64[s]",
    "landed_at": "datetime64[us, UTC]",
}

CURRENT_VIEW_SQL = f"""
create or replace view raw.{CURRENT_VIEW} as
select * from raw.{REVISIONS_TABLE}
qualify row_number() over (
    partition by indicator_id, territory_level, territory_code, month_start, measure
    order by as_of desc, landed_at desc, load_id desc
) = 1
"""


def export_as_of(landed: LandedFile) -> date:
    """The date an export describes: ``--as-of`` when given, else the day the file was last
    modified before landing, else (manifests older than that field) the day it was landed."""
    for stamp in (landed.as_of, landed.source_mtime, landed.landed_at):
        if stamp:
            return date.fromisoformat(stamp[:10])
    raise ValueError(f"load {landed.load_id} has no date at all")


def revision_rows(export: DitpExport, landed: LandedFile) -> pd.DataFrame:
    """The values of one export with the load they came in: load id, file, as-of, landing time."""
    rows = export.rows.copy()
    rows.insert(0, "landed_at", pd.Timestamp(landed.landed_at).tz_convert("UTC"))
    rows.insert(0, "as_of", pd.Timestamp(export_as_of(landed)))
    rows.insert(0, "file_name", landed.original_name)
    rows.insert(0, "load_id", landed.load_id)
    return rows.astype(LOAD_COLUMNS)


def empty_revisions() -> pd.DataFrame:
    """A revision table with no row and the right column types."""
    loads = pd.DataFrame({name: pd.Series(dtype=dtype) for name, dtype in LOAD_COLUMNS.items()})
    return pd.concat([loads, empty_ditp_rows()], axis=1)


def write_ditp_revisions(con: duckdb.DuckDBPyConnection, revisions: pd.DataFrame) -> int:
    """Replace the revision table with ``revisions`` and (re)create the current view over it."""
    count = replace_table(con, "raw", REVISIONS_TABLE, revisions)
    con.execute(CURRENT_VIEW_SQL)
    return count


def current_values_by_load(con: duckdb.DuckDBPyConnection) -> dict[str, int]:
    """How many current values each load provides (0 for an export every value of which is superseded)."""
    return dict(con.execute(f"select load_id, count(*) from raw.{CURRENT_VIEW} group by load_id").fetchall())


def latest_national_figures(con: duckdb.DuckDBPyConnection) -> pd.DataFrame:
    """The newest national current value and target of each known indicator (indicator, measure,
    month_start, value, as_of)."""
    return con.execute(
        f"""select indicator, measure, cast(month_start as date) as month_start, value, cast(as_of as date) as as_of
            from raw.{CURRENT_VIEW}
            where territory_level = 'national' and indicator is not null and measure in ('current', 'target')
            qualify row_number() over (partition by indicator, measure order by month_start desc) = 1
            order by indicator, measure"""
    ).df()
