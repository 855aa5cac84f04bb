"""Row counts and per-column checksums of the marts: what says two builds gave the same tables.

Computed in DuckDB on any relation (a table of a DuckDB file, or the Parquet a Spark build
wrote), on values as text in one spelling for both engines: floats rounded to 6 digits,
dates and instants as ISO text, booleans as true/false, NULL as its own mark.
"""

from __future__ import annotations

import duckdb

FLOAT_TYPES = ("DOUBLE", "FLOAT", "REAL")


def _as_text(name: str, data_type: str) -> str:
    """SQL for the column ``name`` as comparable text."""
    quoted = '"' + name.replace('"', '""') + '"'
    if data_type in FLOAT_TYPES or data_type.startswith("DECIMAL"):
        # + 0.0 folds -0.0 into 0.0; printf gives one spelling of the rounded value.
        return f"printf('%.6f', round(cast({quoted} as double), 6) + 0.0)"
    if data_type == "DATE":
        return f"strftime({quoted}, '%Y-%m-%d')"
    if data_type.startswith("TIMESTAMP"):
        return f"strftime(cast({quoted} as timestamptz) at time zone 'UTC', '%Y-%m-%dT%H:%M:%S')"
    return f"cast({quoted} as varchar)"


def relation_checksums(con: duckdb.DuckDBPyConnection, relation: str) -> dict[str, object]:
    """``{"rows": n, "<column>": checksum, …}`` of ``relation`` (a table name or a
    ``read_parquet(…)`` call): each checksum is the sum of the hashes of the column's values
    as text, so it does not depend on row order."""
    columns = con.execute(f"describe select * from {relation}").fetchall()
    items = ["count(*)"] + [
        f"coalesce(sum(hash(coalesce({_as_text(name, data_type)}, '<null>'))), 0)" for name, data_type, *_ in columns
    ]
    values = con.execute(f"select {', '.join(items)} from {relation}").fetchone()
    result: dict[str, object] = {"rows": values[0]}
    for (name, *_), value in zip(columns, values[1:]):
        result[name] = int(value)
    return result
