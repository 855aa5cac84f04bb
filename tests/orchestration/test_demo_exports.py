"""Demo exports follow the listing: a real listing replaces those written for the demo sites."""

from datetime import date
from pathlib import Path

import duckdb
import pytest

from orchestration.data_months import DataMonths, months_with_data
from orchestration.defs.demo import add_months
from tests.conftest import run_fsw

pytestmark = pytest.mark.slow

LISTING_100 = Path(__file__).resolve().parents[1] / "bad_inputs" / "sites" / "listing_100.csv"


def _query(home: Path, sql: str, params: list | None = None) -> list[tuple]:
    con = duckdb.connect(str(home / "serving" / "warehouse.duckdb"), read_only=True)
    try:
        return con.execute(sql, params or []).fetchall()
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
    _demo_world_is_consistent(fsw_home)
    _every_demo_bus_has_its_stops(fsw_home)

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
    [(releases,)] = _query(fsw_home, "select list(distinct valid_from) from dim_site")
    assert releases == [date(2025, 1, 1)]  # every demo release gone: the demo listing is used only alone
    assert 0 < sites <= 100
    status = run_fsw(fsw_home, "status")
    assert "activity      demo:" in status.stdout and "sites         real:" in status.stdout


def _demo_world_is_consistent(home: Path) -> None:
    """One demo month (last month): the demo listing has a release a quarter before this
    month's, so that month has site versions, coverage, activity and answers; months without
    exports are null, not 0; the sites the newer release closed report until they closed."""
    this_month = add_months(date.today(), 0)
    last_month, first_release = add_months(this_month, -1), add_months(this_month, -3)
    national = _query(
        home,
        """select month_end, requests, responses, share_within_30_min, sites_open from mart_territory_monthly
           where territory_level = 'national' and month_end >= ? order by month_end""",
        [first_release],
    )
    assert [(m.month, r is not None, q is not None, c is not None) for m, r, q, c, _ in national] == [
        (first_release.month, False, False, True),  # coverage, but no export: no data, not 0
        (add_months(this_month, -2).month, False, False, True),
        (last_month.month, True, True, True),
        (this_month.month, False, False, True),
    ]
    assert national[2][1] > 100_000
    # 26 sites opened and 9 closed on the first of this month
    assert [sites for *_, sites in national] == [2828, 2828, 2828, 2845]
    [(releases, closed, closed_reporting, after_closing, before_first)] = _query(
        home,
        """
        with sites as (select site_id, bool_or(is_current) as open_now, max(valid_to) as closed_on
                       from dim_site group by site_id)
        select (select list(distinct valid_from order by valid_from) from dim_site),
               (select count(*) from sites where not open_now),
               (select count(distinct f.site_id) from fct_demand f join sites using (site_id) where not open_now),
               (select count(*) from fct_demand f join sites using (site_id)
                where not open_now and f.date_day >= sites.closed_on),
               (select count(*) from mart_territory_monthly where month_end < ? and requests is not null)""",
        [last_month],
    )
    assert releases == [first_release, this_month]
    assert closed == closed_reporting == 9 and after_closing == 0
    assert before_first == 0  # every month before the first export: no data, at every level
    con = duckdb.connect(str(home / "serving" / "warehouse.duckdb"), read_only=True)
    try:
        months = months_with_data(con)
    finally:
        con.close()
    assert months == {
        "activity": DataMonths(last_month, last_month, 1),
        "satisfaction": DataMonths(last_month, last_month, 1),
        "coverage": DataMonths(first_release, this_month, 4),
    }


def _every_demo_bus_has_its_stops(home: Path) -> None:
    """The demo outreach: 6–12 linked stops for every current mobile demo site with a position,
    each with a schedule this month."""
    [(mobile, with_stops, fewest, most, unlinked, scheduled)] = _query(
        home,
        """
        with mobile as (select site_id from dim_site where is_current and is_mobile and has_position),
             stops as (select site_id, count(*) as n from dim_outreach_place where is_current and is_demo
                       group by site_id)
        select (select count(*) from mobile),
               (select count(*) from mobile join stops using (site_id)),
               (select min(n) from stops), (select max(n) from stops),
               (select count(*) from dim_outreach_place where site_key is null),
               (select count(*) from fct_outreach_schedule where hours > 0)""",
    )
    assert mobile > 100 and with_stops == mobile
    assert 6 <= fewest and most <= 12 and unlinked == 0 and scheduled > 0
