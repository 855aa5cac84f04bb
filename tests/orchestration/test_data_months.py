"""months_with_data: the months each fact holds, as `fsw status` reports them."""

from datetime import date

import duckdb

from orchestration.data_months import DataMonths, months_with_data


def test_months_of_each_fact_with_gaps_and_missing_tables():
    con = duckdb.connect()
    con.execute(
        "create table fct_demand as select * from (values "
        "(date '2026-01-01', 3), (date '2026-01-01', 4), (date '2026-02-01', 1), (date '2026-04-01', 2)) "
        "as t(month_start, requests)"
    )
    con.execute("create table fct_satisfaction (month_start date, responses bigint)")
    months = months_with_data(con)
    assert months == {
        "activity": DataMonths(date(2026, 1, 1), date(2026, 4, 1), 3),
        "satisfaction": None,  # empty
        "coverage": None,  # no table yet
    }
    assert months["activity"].missing == 1
    assert months["activity"].describe() == "3 months, 2026-01 → 2026-04, 1 without data in between"


def test_coverage_months_are_given_as_first_days():
    con = duckdb.connect()
    con.execute("create table fct_coverage as select date '2025-12-31' as month_end union all select date '2026-01-31'")
    assert months_with_data(con)["coverage"] == DataMonths(date(2025, 12, 1), date(2026, 1, 1), 2)
    assert months_with_data(con)["coverage"].describe() == "2 months, 2025-12 → 2026-01"
