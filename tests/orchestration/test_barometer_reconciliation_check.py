"""The published-figures check: warns beyond 20 % on real data, passes (saying so) on demo data."""

import dagster as dg
import pandas as pd
import pytest

from ingestion.store import connect
from orchestration.defs.barometer.checks import warehouse_within_20_percent_of_published
from orchestration.resources import WarehouseResource

MART = [
    # level, code, month, indicator, published, warehouse
    ("national", "FR", "2024-07-01", "monthly_acts", 935_377.0, 500_000.0),
    ("department", "11", "2024-07-01", "monthly_acts", 9_722.0, 9_500.0),
    ("national", "FR", "2024-02-01", "satisfaction_rate", 96.5, 95.0),
    ("national", "FR", "2026-12-01", "monthly_acts", None, None),
]


def home_with(tmp_path, real_sources: list[str]) -> WarehouseResource:
    home = tmp_path / "warehouse"
    frame = pd.DataFrame(MART, columns=["territory_level", "territory_code", "month_start", "indicator", "p", "w"])
    frame = frame.assign(
        month_start=pd.to_datetime(frame["month_start"]),
        published_value=frame["p"],
        warehouse_value=frame["w"],
        ratio=frame["w"] / frame["p"],
    ).drop(columns=["p", "w"])
    with connect(home / "work.duckdb") as con:
        con.register("mart", frame)
        con.execute("create table main.mart_published_reconciliation as select * from mart")
        for source in ["activity", "satisfaction", "sites"]:
            con.execute(
                "insert into meta.loads (load_id, source, file_name, sha256, status, is_demo) values (?, ?, 'f', 'x', ?, ?)",
                [f"{source}-1", source, "loaded", source not in real_sources],
            )
    return WarehouseResource(home=str(home))


def test_on_demo_requests_the_check_passes_and_says_demo_data(tmp_path):
    result = warehouse_within_20_percent_of_published(warehouse=home_with(tmp_path, real_sources=[]))
    assert result.passed and result.severity == dg.AssetCheckSeverity.WARN
    assert result.description.startswith("demo data: monthly_acts, satisfaction_rate not compared (3 rows")


@pytest.mark.parametrize("real", [["activity"], ["activity", "satisfaction", "sites"]])
def test_on_real_requests_a_month_beyond_20_percent_warns_naming_it(tmp_path, real):
    result = warehouse_within_20_percent_of_published(warehouse=home_with(tmp_path, real_sources=real))
    assert not result.passed and result.severity == dg.AssetCheckSeverity.WARN
    total = 2 if real == ["activity"] else 3
    assert result.description.startswith(
        f"1 of {total} figures more than 20 % away from the published ones, e.g. national FR monthly_acts 2024-07: "
        "warehouse 500,000.0 vs published 935,377.0 (-47%)"
    )
    assert result.metadata["figures_beyond_20_percent"].value == 1


def test_the_check_shows_the_latest_national_figures_and_their_gap(tmp_path):
    result = warehouse_within_20_percent_of_published(warehouse=home_with(tmp_path, real_sources=[]))
    assert result.metadata["national_monthly_acts_gap"].value == pytest.approx(500_000.0 - 935_377.0)
    assert result.metadata["national_satisfaction_rate_gap"].value == pytest.approx(-1.5)
    table = result.metadata["latest_national"].value
    assert "2024-07" in table and "935,377.000" in table and "2024-02" in table
