"""Row counts and order-independent checksums of the marts of a serving DuckDB file.

    .venv/bin/python scripts/mart_checksums.py warehouse/serving/warehouse.duckdb > before.json
    .venv/bin/python scripts/mart_checksums.py warehouse/serving/warehouse.duckdb --compare before.json

For every table of schema ``main`` whose name starts with ``dim_``, ``fct_`` or ``mart_``: the row
count, the xor and the sum of the row hashes (``hash(row(...))`` of all columns). Two checksums
are given: ``exact`` hashes every value as stored; ``rounded`` rounds doubles to 6 decimals, so
that a different summation order cannot make equal data differ. Columns stamped with the time of
a run (``loaded_at``, ``planned_at``, ``published_at``) are left out: they differ between any two
runs. With ``--compare``, exits 1 and names the tables that differ from the saved JSON.
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

import duckdb

MART_PREFIXES = ("dim_", "fct_", "mart_")
RUN_TIME_COLUMNS = frozenset({"loaded_at", "planned_at", "published_at"})
FLOAT_TYPES = frozenset({"DOUBLE", "FLOAT", "REAL"})


def mart_checksums(db: Path) -> dict[str, dict[str, object]]:
    """Per mart: rows, and the exact and rounded (xor, sum) of its row hashes."""
    con = duckdb.connect(str(db), read_only=True)
    try:
        tables = [
            name
            for (name,) in con.execute(
                "select table_name from duckdb_tables() where schema_name = 'main' order by 1"
            ).fetchall()
            if name.startswith(MART_PREFIXES)
        ]
        sums: dict[str, dict[str, object]] = {}
        for table in tables:
            columns = con.execute(
                "select column_name, data_type from duckdb_columns() "
                "where schema_name = 'main' and table_name = ? order by column_index",
                [table],
            ).fetchall()
            kept = [(c, t) for c, t in columns if c not in RUN_TIME_COLUMNS]
            exact = f"hash(row({', '.join(f'{_q(c)}' for c, _ in kept)}))"
            rounded = "hash(row({}))".format(
                ", ".join(f"round({_q(c)}, 6)" if t in FLOAT_TYPES else _q(c) for c, t in kept)
            )
            rows, exact_xor, exact_sum, rounded_xor, rounded_sum = con.execute(
                f"select count(*), bit_xor({exact}), sum({exact}::hugeint), "
                f"bit_xor({rounded}), sum({rounded}::hugeint) from main.{_q(table)}"
            ).fetchone()
            sums[table] = {
                "rows": rows,
                "columns": [c for c, _ in kept],
                "exact": [str(exact_xor), str(exact_sum)],
                "rounded": [str(rounded_xor), str(rounded_sum)],
            }
        return sums
    finally:
        con.close()


def _q(name: str) -> str:
    return '"' + name.replace('"', '""') + '"'


def differences(got: dict, want: dict, key: str = "rounded") -> dict[str, str]:
    """Tables whose rows, columns or checksum differ, with what differs."""
    diff = {}
    for table in sorted(set(got) | set(want)):
        if table not in got or table not in want:
            diff[table] = "missing after" if table not in got else "new"
            continue
        what = [k for k in ("rows", "columns", key) if got[table][k] != want[table][k]]
        if what:
            diff[table] = ", ".join(what)
    return diff


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("db", type=Path, help="a serving DuckDB file")
    parser.add_argument("--compare", type=Path, help="a JSON written by this script before")
    args = parser.parse_args(argv)
    sums = mart_checksums(args.db)
    if args.compare is None:
        json.dump(sums, sys.stdout, indent=2)
        sys.stdout.write("\n")
        return 0
    want = json.loads(args.compare.read_text())
    status = 0
    for key in ("exact", "rounded"):
        diff = differences(sums, want, key)
        same = len(set(sums) | set(want)) - len(diff)
        print(f"{key}: {same} of {len(set(sums) | set(want))} marts identical")
        for table, what in diff.items():
            print(f"  {table}: {what} differ")
        status = status or (1 if key == "rounded" and diff else 0)
    for table in sorted(sums):
        print(f"  {table}: {sums[table]['rows']} rows")
    return status


if __name__ == "__main__":
    sys.exit(main())
