"""The raw layer as Parquet for the Spark build: one folder per table and month, rewritten only when it changes."""

from datetime import date
from pathlib import Path

import duckdb
import pytest

from orchestration.lake import export_lake


@pytest.fixture
def work_db(tmp_path: Path) -> Path:
    path = tmp_path / "work.duckdb"
    with duckdb.connect(str(path)) as con:
        con.execute("create schema raw")
        con.execute(
            "create table raw.activity as select * from (values ('S1', date '2026-01-01', 3), "
            "('S2', date '2026-01-01', 4), ('S1', date '2026-02-01', 5)) as t(site_id, month, requests)"
        )
        con.execute("create table raw.outreach_sessions as select time '09:30:00' as start_time, null as note")
    return path


def _read(path: Path) -> list[tuple]:
    """The rows of a lake folder as Spark reads them: the files' own columns, no folder partitions."""
    with duckdb.connect() as con:
        return con.execute(
            f"select * from read_parquet('{path}/**/*.parquet', hive_partitioning = false) order by all"
        ).fetchall()


def test_monthly_tables_get_a_folder_per_month_and_only_changed_parts_are_written(work_db, tmp_path):
    lake = tmp_path / "lake"
    assert export_lake(work_db, lake) == {"activity": 2, "outreach_sessions": 1}
    assert sorted(p.name for p in (lake / "activity").iterdir()) == ["month=2026-01", "month=2026-02"]
    assert _read(lake / "activity") == [
        ("S1", date(2026, 1, 1), 3),
        ("S1", date(2026, 2, 1), 5),
        ("S2", date(2026, 1, 1), 4),
    ]
    assert _read(lake / "outreach_sessions") == [("09:30:00", None)]  # Spark has no time type

    assert export_lake(work_db, lake) == {}  # nothing changed, nothing written

    with duckdb.connect(str(work_db)) as con:
        con.execute("update raw.activity set requests = 6 where month = date '2026-02-01'")
        con.execute("delete from raw.activity where month = date '2026-01-01'")
    assert export_lake(work_db, lake) == {"activity": 1}
    assert sorted(p.name for p in (lake / "activity").iterdir()) == ["month=2026-02"]
    assert _read(lake / "activity") == [("S1", date(2026, 2, 1), 6)]
