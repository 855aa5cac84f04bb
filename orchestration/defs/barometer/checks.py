"""A warning (never blocking) when the warehouse's figures stray from the State's published ones."""

import dagster as dg
import pandas as pd

from ingestion.store import connect
from orchestration.resources import WarehouseResource
from orchestration.spark_build import model_relation

PUBLISHED_RECONCILIATION = dg.AssetKey(["marts", "mart_published_reconciliation"])
WITHIN_20_PERCENT_OF_PUBLISHED = "warehouse_within_20_percent_of_published"
MAX_RELATIVE_GAP = 0.2
# Where each indicator's warehouse figure comes from: while that source holds demo data only,
# its figures are the demo's and comparing them with the State's says nothing.
FIGURE_SOURCES = {"monthly_acts": "activity", "satisfaction_rate": "satisfaction", "labelled_sites": "sites"}
REAL_STATUSES = ["landed", "parsed", "loaded", "published"]
LEVEL_ORDER = {"national": 0, "region": 1, "department": 2}


def _demo_sources(con) -> set[str]:
    real = {
        source
        for (source,) in con.execute(
            "select distinct source from meta.loads where not is_demo and list_contains(?, status)", [REAL_STATUSES]
        ).fetchall()
    }
    return set(FIGURE_SOURCES.values()) - real


def _line(row: pd.Series) -> str:
    return (
        f"{row['territory_level']} {row['territory_code']} {row['indicator']} {row['month_start']:%Y-%m}: "
        f"warehouse {row['warehouse_value']:,.1f} vs published {row['published_value']:,.1f} "
        f"({row['ratio'] - 1:+.0%})"
    )


def _latest_national(rows: pd.DataFrame) -> pd.DataFrame:
    """Per indicator, the newest month with both a published and a warehouse national figure:
    month, published, warehouse, gap (warehouse - published) and ratio."""
    national = rows[rows["territory_level"] == "national"].sort_values("month_start")
    latest = national.groupby("indicator", sort=True).tail(1)
    return (
        pd.DataFrame(
            {
                "indicator": latest["indicator"],
                "month": latest["month_start"].map(lambda d: f"{d:%Y-%m}"),
                "published": latest["published_value"],
                "warehouse": latest["warehouse_value"],
                "gap": latest["warehouse_value"] - latest["published_value"],
                "ratio": latest["ratio"],
            }
        )
        .sort_values("indicator")
        .reset_index(drop=True)
    )


@dg.asset_check(
    asset=PUBLISHED_RECONCILIATION,
    name=WITHIN_20_PERCENT_OF_PUBLISHED,
    blocking=False,
    description=(
        "Warns when a warehouse figure of mart_published_reconciliation (requests, satisfied share, "
        "main sites open) is more than 20 % away from the published one for its territory and month. "
        "Never blocks publish. Figures from a source holding demo data only are not compared (the "
        "check passes and says demo data). Runs with every build of the mart."
    ),
)
def warehouse_within_20_percent_of_published(warehouse: WarehouseResource) -> dg.AssetCheckResult:
    """Grain: territory × month × indicator rows with both a published and a warehouse figure."""
    settings = warehouse.settings()
    mart = model_relation(settings, "mart_published_reconciliation")  # as DuckDB or Spark built it
    with connect(settings.work_db) as con:
        demo = _demo_sources(con)
        published = con.execute(f"select count(*) from {mart}").fetchone()[0]
        rows = con.execute(
            f"""select territory_level, territory_code, month_start, indicator, published_value, warehouse_value, ratio
               from {mart}
               where published_value is not null and warehouse_value is not null"""
        ).df()
    national = _latest_national(rows)
    demo_indicators = sorted(indicator for indicator in set(rows["indicator"]) if FIGURE_SOURCES.get(indicator) in demo)
    compared = rows[~rows["indicator"].isin(demo_indicators)]
    far = compared[(compared["ratio"] - 1).abs() > MAX_RELATIVE_GAP].copy()
    far = far.assign(order=far["territory_level"].map(LEVEL_ORDER), distance=(far["ratio"] - 1).abs())
    far = far.sort_values(["order", "distance"], ascending=[True, False])
    skipped = len(rows) - len(compared)
    demo_note = (
        f"demo data: {', '.join(demo_indicators)} not compared ({skipped:,} rows; the warehouse's figures "
        "are the demo's until a real file of their source is loaded)"
        if skipped
        else ""
    )
    if far.empty:
        if compared.empty:
            description = demo_note or (
                f"no month has both a published and a warehouse figure yet ({published:,} published rows)"
                if published
                else "no published figure loaded yet (`fsw ingest barometer` loads them)"
            )
        else:
            description = f"{len(compared):,} figures within 20 % of the published ones" + (
                f"; {demo_note}" if demo_note else ""
            )
    else:
        description = (
            f"{len(far):,} of {len(compared):,} figures more than 20 % away from the published ones, e.g. "
            + "; ".join(_line(row) for _, row in far.head(3).iterrows())
            + (f"; {demo_note}" if demo_note else "")
        )
    return dg.AssetCheckResult(
        passed=far.empty,
        severity=dg.AssetCheckSeverity.WARN,
        description=description,
        metadata={
            "figures_compared": len(compared),
            "figures_beyond_20_percent": len(far),
            "demo_indicators": dg.MetadataValue.json(demo_indicators),
            **{f"national_{r.indicator}_gap": float(r.gap) for r in national.itertuples()},
            "latest_national": dg.MetadataValue.md(
                national.to_markdown(index=False, floatfmt=",.3f") if len(national) else "(none)"
            ),
            "largest_gaps": dg.MetadataValue.md(
                far.drop(columns=["order", "distance"]).head(10).to_markdown(index=False) if len(far) else "(none)"
            ),
        },
    )
