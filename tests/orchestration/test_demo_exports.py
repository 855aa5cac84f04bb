"""Demo exports follow the listing: a real listing replaces those written for the demo sites."""

from pathlib import Path

import duckdb
import pytest

from tests.conftest import run_fsw

pytestmark = pytest.mark.slow

LISTING_100 = Path(__file__).resolve().parents[1] / "bad_inputs" / "sites" / "listing_100.csv"


def _query(home: Path, sql: str) -> list[tuple]:
    con = duckdb.connect(str(home / "serving" / "warehouse.duckdb"), read_only=True)
    try:
        return con.execute(sql).fetchall()
    finally:
        con.close()


def test_a_real_listing_replaces_the_demo_exports_written_for_the_demo_listing(fsw_home):
    first = run_fsw(fsw_home, "run", demo_months=1)
    assert first.returncode == 0, first.stderr[-2000:]
    [(demo_loads, demo_sites)] = _query(
        fsw_home,
        """
        select (select count(*) from fsw_loads where source in ('activity', 'satisfaction') and is_demo),
               (select count(distinct site_id) from fct_demand)""",
    )
    assert demo_loads > 0 and demo_sites > 2000  # the demo listing's 2,845 sites

    # A real listing of 100 sites (3 without a position) whose ids are also demo ids.
    done = run_fsw(
        fsw_home, "ingest", "sites", str(LISTING_100), "--as-of", "2025-01-01", "--allow-drop", demo_months=1
    )
    assert done.returncode == 0, done.stderr[-3000:]
    [(superseded, reason, published_demo, unkeyed, sites, unknown, demo_dim)] = _query(
        fsw_home,
        """
        select (select count(*) from fsw_loads where status = 'superseded'),
               (select any_value(reason) from fsw_loads where status = 'superseded'),
               (select count(*) from fsw_loads where source in ('activity', 'satisfaction') and is_demo
                   and status = 'published'),
               (select count(*) from fct_demand where site_key is null),
               (select count(distinct site_id) from fct_demand),
               (select count(*) from fct_demand where site_id not in (select site_id from dim_site)),
               (select count(*) from dim_site where is_demo)""",
    )
    assert superseded == demo_loads  # the old demo exports stay in the ledger, no longer counted
    assert "replaced by demo exports for the current sites" in reason
    assert published_demo > 0  # demo exports written for the real sites took their place
    assert unkeyed == 0 and unknown == 0 and demo_dim == 0
    assert 0 < sites <= 100
    status = run_fsw(fsw_home, "status")
    assert "activity      demo:" in status.stdout and "sites         real:" in status.stdout
