"""The rounding and display rules of extract columns: one table, matched on the column name."""

from __future__ import annotations

from decimal import Decimal

import pyarrow as pa
import pytest

from orchestration.extract_columns import OTHER_MEASURE, measure_rule, round_measures, xlsx_format


@pytest.mark.parametrize(
    ("name", "decimals", "shown_as"),
    [
        ("share_within_30_min", 3, "0.0%"),
        ("first_visit_resolution_rate", 3, "0.0%"),
        ("satisfaction_rate", 3, "0.0%"),
        ("satisfied_pct", 1, "0.0"),
        ("travel_minutes", 0, "#,##0"),
        ("fixed_travel_minutes", 0, "#,##0"),
        ("distance_km", 1, "#,##0.0"),
        ("requests_per_1000", 1, "#,##0.0"),
        ("weekly_opening_hours", 2, "0.00"),
        ("latitude", 5, "0.00000"),
        ("growth_index", OTHER_MEASURE.decimals, OTHER_MEASURE.xlsx_format),
        ("shared_desk_area", OTHER_MEASURE.decimals, OTHER_MEASURE.xlsx_format),  # "shared" is not "share"
    ],
)
def test_each_measure_name_has_its_rule(name, decimals, shown_as):
    rule = measure_rule(name)
    assert (rule.decimals, rule.xlsx_format) == (decimals, shown_as)


def test_round_measures_rounds_floats_and_decimals_and_leaves_counts_alone():
    table = pa.table(
        {
            "share_within_30_min": pa.array([0.78912, 0.0005, None, float("nan")]),
            "travel_minutes": pa.array([42.5, 29.49, -0.5, None]),
            "distance_km": pa.array([Decimal("12.345"), None, Decimal("0.05"), Decimal("1")], pa.decimal128(9, 4)),
            "population": pa.array([1_234_567, 0, None, 3], pa.int64()),
            "territory_code": ["76", "31", "34", "FR"],
        }
    )
    rounded = round_measures(table)
    shares = rounded.column("share_within_30_min").to_pylist()
    assert shares[:3] == [0.789, 0.001, None] and shares[3] != shares[3]  # NaN stays NaN (an empty cell)
    assert rounded.column("travel_minutes").to_pylist() == [43.0, 29.0, -1.0, None]
    assert rounded.column("distance_km").to_pylist() == [Decimal("12.3"), None, Decimal("0.1"), Decimal("1.0")]
    assert rounded.column("population").to_pylist() == [1_234_567, 0, None, 3]
    assert rounded.schema.field("population").type == pa.int64()
    assert rounded.column("territory_code") == table.column("territory_code")


def test_xlsx_formats_of_counts_years_ranks_dates_and_text():
    assert xlsx_format("requests", pa.int64()) == "#,##0"
    assert xlsx_format("population_year", pa.int32()) == "0"
    assert xlsx_format("gap_rank", pa.int32()) == "0"
    assert xlsx_format("month_end", pa.date32()) == "yyyy-mm-dd"
    assert xlsx_format("published_at", pa.timestamp("us", tz="UTC")) == "yyyy-mm-dd hh:mm:ss"
    assert xlsx_format("site_name", pa.string()) is None
    assert xlsx_format("is_mobile", pa.bool_()) is None
