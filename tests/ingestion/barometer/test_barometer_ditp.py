"""DITP barometer exports: the real files, small variants of their shape, revisions and as-of dates."""

import os
from datetime import date, datetime

import duckdb
import pandas as pd
import pytest

from ingestion.barometer import BarometerRows, DitpExport, read_barometer_file, read_ditp_export
from ingestion.barometer.filldown import find_fill_down
from ingestion.barometer.revisions import (
    current_values_by_load,
    export_as_of,
    latest_national_figures,
    revision_rows,
    write_ditp_revisions,
)
from ingestion.barometer.summary import describe_export
from ingestion.errors import InputError
from ingestion.landing import LandedFile, land_file, read_manifest
from tests.conftest import real_file

HEADER = "indic_id,enforce_zone_id,metric_enforce_date,maille,indic_vi,indic_va,indic_vc,indic_ta\n"


def ditp(*parts: str):
    return real_file("barometre", "ditp", *parts)


def values(export: DitpExport) -> dict:
    """(indicator, level, code, month, measure) → value."""
    return {
        (r.indicator_id, r.territory_level, r.territory_code, f"{r.month_start:%Y-%m}", r.measure): r.value
        for r in export.rows.itertuples()
    }


def write(tmp_path, text: str, name: str = "export.csv"):
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return path


# --- the real exports ---------------------------------------------------------------------------


def test_real_2024_acts_export_gives_the_published_national_and_aude_figures():
    export = read_ditp_export(ditp("ind-323_2024-10-17.csv"))
    got = values(export)
    assert got[("IND-323", "national", "FR", "2024-07", "current")] == 935_377
    assert got[("IND-323", "national", "FR", "2026-12", "target")] == 1_053_711.89
    assert got[("IND-323", "national", "FR", "2022-05", "initial")] == 510_034
    assert got[("IND-323", "department", "11", "2024-07", "current")] == 9_722
    assert set(export.rows["indicator"]) == {"monthly_acts"}
    levels = export.rows.groupby("territory_level")["territory_code"].nunique().to_dict()
    assert levels == {"department": 101, "region": 18, "national": 1}
    assert {"2A", "2B", "971", "976"} <= set(export.rows["territory_code"])
    assert len(export.rows) == 1_320 and export.rejects.empty and export.notes.empty


def test_real_2023_export_dates_months_by_their_last_day_and_gives_the_same_months():
    older = values(read_ditp_export(ditp("ind-323_2023-11-22.csv")))
    newer = values(read_ditp_export(ditp("ind-323_2024-10-17.csv")))
    assert older[("IND-323", "national", "FR", "2023-01", "current")] == 650_165
    shared = set(older) & set(newer)
    assert ("IND-323", "department", "01", "2023-09", "current") in shared
    assert all(older[key] == newer[key] for key in shared if key[-1] in ("initial", "current"))
    # The yearly intermediate targets of the 2023 export are gone from the 2024 one.
    assert older[("IND-323", "national", "FR", "2024-12", "target")] == pytest.approx(823_892.13, abs=0.01)
    assert ("IND-323", "national", "FR", "2024-12", "target") not in newer


def test_real_2024_satisfaction_export_skips_the_zones_without_any_value():
    export = read_ditp_export(ditp("ind-246_2024-10-17.csv"))
    assert export.empty_rows == 19 and export.rejects.empty
    assert values(export)[("IND-246", "national", "FR", "2024-02", "current")] == 96.5
    levels = export.rows.groupby("territory_level")["territory_code"].nunique().to_dict()
    assert levels == {"department": 100, "national": 1}  # D90 and the regions publish nothing


def test_the_shape_is_recognised_from_the_header_never_the_name(tmp_path):
    renamed = tmp_path / "barometre-resultats-detail-national.csv"
    renamed.write_bytes(ditp("ind-246_2023-11-22.csv").read_bytes())
    assert isinstance(read_barometer_file(renamed), DitpExport)
    etalab = read_barometer_file(real_file("barometre", "barometre-resultats-detail-national.csv"))
    assert isinstance(etalab, BarometerRows) and etalab.layout == "detail"


# --- variants of the shape ----------------------------------------------------------------------

ROWS = [
    "IND-323,D01,2023-01-01,DEPT,,6642.0,,",
    "IND-323,D2A,2023-01-01,DEPT,,1200.0,,",
    "IND-323,D976,2023-01-01,DEPT,,310.0,,",
    "IND-323,R84,2023-01-01,REG,,60000.0,,12.5",
    "IND-323,FRANCE,2023-01-01,NAT,510034.0,650165.0,,",
    "IND-323,FRANCE,2026-12-01,NAT,,,1053711.89,",
]


def test_columns_in_any_order_give_the_same_rows(tmp_path):
    canonical = read_ditp_export(write(tmp_path, HEADER + "\n".join(ROWS) + "\n", "a.csv"))
    order = [7, 3, 0, 5, 2, 1, 6, 4]
    columns = HEADER.strip().split(",")
    lines = [",".join(columns[i] for i in order)] + [",".join(r.split(",")[i] for i in order) for r in ROWS]
    shuffled = read_ditp_export(write(tmp_path, "\n".join(lines) + "\n", "b.csv"))
    assert values(shuffled) == values(canonical)
    assert values(canonical) == {
        ("IND-323", "department", "01", "2023-01", "current"): 6642.0,
        ("IND-323", "department", "2A", "2023-01", "current"): 1200.0,
        ("IND-323", "department", "976", "2023-01", "current"): 310.0,
        ("IND-323", "region", "84", "2023-01", "current"): 60000.0,
        ("IND-323", "region", "84", "2023-01", "achievement"): 12.5,
        ("IND-323", "national", "FR", "2023-01", "initial"): 510034.0,
        ("IND-323", "national", "FR", "2023-01", "current"): 650165.0,
        ("IND-323", "national", "FR", "2026-12", "target"): 1053711.89,
    }


def test_month_end_dates_and_integers_read_as_month_start_dates_and_decimals(tmp_path):
    month_start = read_ditp_export(write(tmp_path, HEADER + "IND-323,D11,2023-02-01,DEPT,,5018.0,,\n", "a.csv"))
    month_end = read_ditp_export(write(tmp_path, HEADER + "IND-323,D11,2023-02-28,DEPT,,5018,,\n", "b.csv"))
    assert values(month_start) == values(month_end) == {("IND-323", "department", "11", "2023-02", "current"): 5018}
    assert month_end.rows["source_date"].iloc[0] == pd.Timestamp("2023-02-28")


def test_an_unknown_indicator_is_kept_raw_and_listed(tmp_path):
    text = (
        HEADER
        + "IND-323,D01,2023-01-01,DEPT,,6642,,\nIND-999,D01,2023-01-01,DEPT,,7,,\nIND-999,D02,2023-01-01,DEPT,,8,,\n"
    )
    export = read_ditp_export(write(tmp_path, text))
    unknown = export.rows[export.rows["indicator_id"] == "IND-999"]
    assert len(unknown) == 2 and unknown["indicator"].isna().all()
    assert export.unknown_indicators == {"IND-999": 2} and export.rejects.empty
    assert export.notes["reason"].tolist() == ["unknown indicator 'IND-999' (kept raw)"] * 2
    assert export.notes["row"].tolist() == [3, 4]


@pytest.mark.parametrize(
    ("row", "column", "value", "reason"),
    [
        ("IND-323,D99,2023-01-01,DEPT,,5,,", "enforce_zone_id", "D99", "unknown zone 'D99'"),
        ("IND-323,X01,2023-01-01,DEPT,,5,,", "enforce_zone_id", "X01", "unknown zone 'X01'"),
        ("IND-323,D01,2023-13-01,DEPT,,5,,", "metric_enforce_date", "2023-13-01", "not a date (expected YYYY-MM-DD)"),
        ("IND-323,D01,01/02/2023,DEPT,,5,,", "metric_enforce_date", "01/02/2023", "not a date (expected YYYY-MM-DD)"),
        ("IND-323,D01,2023-01-15,DEPT,,5,,", "metric_enforce_date", "2023-01-15", "not the first or last day"),
        ("IND-323,D01,2023-01-01,DEPT,,beaucoup,,", "indic_va", "beaucoup", "not a number"),
        ("IND-323,D01,2023-01-01,DEPT,,nan,,", "indic_va", "nan", "not a number"),
        ("IND-323,D01,2023-01-01,REG,,5,,", "maille", "REG", "zone D01 is a department zone but maille says 'REG'"),
    ],
)
def test_a_bad_cell_is_quarantined_with_its_row_column_and_reason(tmp_path, row, column, value, reason):
    good = "IND-323,D02,2023-01-01,DEPT,,6,,\nIND-323,D03,2023-01-01,DEPT,,7,,\n"
    export = read_ditp_export(write(tmp_path, HEADER + good + row + "\n"))
    [reject] = export.rejects.to_dict("records")
    assert (reject["file"], reject["row"], reject["column"], reject["value"]) == ("export.csv", 4, column, value)
    assert reject["reason"].startswith(reason)
    assert len(export.rows) == 2


def test_a_bad_number_rejects_that_measure_only(tmp_path):
    export = read_ditp_export(write(tmp_path, HEADER + "IND-323,D01,2023-01-01,DEPT,,12x,,40.5\n"))
    assert values(export) == {("IND-323", "department", "01", "2023-01", "achievement"): 40.5}
    assert export.rejects[["row", "column", "reason"]].values.tolist() == [[2, "indic_va", "not a number"]]


def test_a_month_given_twice_with_different_values_is_quarantined_both_times(tmp_path):
    text = HEADER + (
        "IND-323,D01,2023-01-01,DEPT,,100,,\n"
        "IND-323,D01,2023-01-31,DEPT,,100,,\n"  # the same figure dated by the month's end: one value
        "IND-323,D02,2023-01-01,DEPT,,200,,\n"
        "IND-323,D02,2023-01-31,DEPT,,250,,\n"
        "IND-323,D03,2023-01-01,DEPT,,300,,\n"
    )
    export = read_ditp_export(write(tmp_path, text))
    assert values(export) == {
        ("IND-323", "department", "01", "2023-01", "current"): 100,
        ("IND-323", "department", "03", "2023-01", "current"): 300,
    }
    assert export.rejects["row"].tolist() == [4, 5]
    assert set(export.rejects["reason"]) == {"IND-323 D02 2023-01 current: conflicting values in rows 4, 5"}


def test_a_fill_down_damaged_export_is_refused_in_one_line(tmp_path):
    lines = [f"IND-323,D01,2023-01-{day:02d},DEPT,,{6000 + day},," for day in range(1, 11)]
    lines += ["IND-323,D02,2023-01-01,DEPT,,5000,,", "IND-323,D02,2023-02-01,DEPT,,5100,,"]
    path = write(tmp_path, HEADER + "\n".join(lines) + "\n", "ind-323_damaged.csv")
    with pytest.raises(InputError) as error:
        read_barometer_file(path)
    assert str(error.value) == (
        "ind-323_damaged.csv: column 'metric_enforce_date': indicator IND-323, zone D01, rows 2–11: the dates "
        "move by one day per row (2023-01-01, 2023-01-02, 2023-01-03 …), a spreadsheet fill-down, not monthly "
        "figures: the file is refused"
    )


def test_a_month_end_then_the_next_month_start_is_no_fill_down():
    dated = [(2, date(2023, 1, 31)), (3, date(2023, 2, 1)), (4, date(2023, 3, 1))]
    assert find_fill_down({("IND-323", "D01"): dated}) is None
    scattered = [(9, date(2023, 1, 3)), (2, date(2023, 1, 1)), (5, date(2023, 1, 2))]
    found = find_fill_down({("IND-323", "D01"): scattered})
    assert found.rows == [2, 5, 9] and "rows 2, 5, 9:" in found.describe()


@pytest.mark.parametrize(
    ("text", "message"),
    [
        (
            "indic_id,enforce_zone_id,indic_va\nIND-323,D01,5\n",
            "export.csv: row 1, column 'metric_enforce_date': missing required column 'metric_enforce_date'",
        ),
        (
            "indic_id,enforce_zone_id,metric_enforce_date,maille\nIND-323,D01,2023-01-01,DEPT\n",
            "export.csv: row 1: no measure column (expected one of indic_vi, indic_va, indic_vc, indic_ta)",
        ),
        (HEADER, "export.csv: no data rows (a header only)"),
        (HEADER + "IND-246,D90,,DEPT,,,,\n", "export.csv: no row has a value"),
        (
            HEADER
            + "IND-323,Z1,2023-01-01,DEPT,,5,,\nIND-323,Z2,2023-01-01,DEPT,,5,,\nIND-323,D01,2023-01-01,DEPT,,5,,\n",
            "export.csv: 2 of 3 rows rejected (more than 50%; most often: unknown zone 'Z1' (expected D + a "
            "department code, R + a region code, or FRANCE) (1)): not a usable export",
        ),
    ],
)
def test_file_level_problems_fail_in_one_line(tmp_path, text, message):
    with pytest.raises(InputError) as error:
        read_ditp_export(write(tmp_path, text))
    assert str(error.value) == message


# --- revisions and as-of dates ------------------------------------------------------------------


def landed(load_id: str, as_of: str | None, landed_at: str, source_mtime: str | None = None) -> LandedFile:
    return LandedFile(
        source="barometer",
        load_id=load_id,
        path=None,
        original_name=f"{load_id}.csv",
        sha256="x",
        size=0,
        landed_at=landed_at,
        as_of=as_of,
        source_mtime=source_mtime,
    )


def test_as_of_is_the_given_date_else_the_file_modification_date_else_the_landing_day():
    assert export_as_of(landed("a", "2024-10-17", "2025-01-01T10:00:00+00:00", "2024-11-02T09:00:00+01:00")) == date(
        2024, 10, 17
    )
    assert export_as_of(landed("a", None, "2025-01-01T10:00:00+00:00", "2024-11-02T09:00:00+01:00")) == date(
        2024, 11, 2
    )
    assert export_as_of(landed("a", None, "2025-01-01T10:00:00+00:00")) == date(2025, 1, 1)


def test_landing_keeps_the_modification_time_of_the_file_given(tmp_path):
    source = write(tmp_path, HEADER + ROWS[0] + "\n")
    stamp = datetime(2023, 11, 22, 15, 30).timestamp()
    os.utime(source, (stamp, stamp))
    item = land_file(tmp_path / "landing", "barometer", source)
    again = read_manifest(tmp_path / "landing", "barometer", item.load_id)
    assert again.source_mtime == item.source_mtime and again.source_mtime.startswith("2023-11-22T15:30:00")
    assert export_as_of(again) == date(2023, 11, 22)


def test_an_older_export_loaded_after_a_newer_one_changes_no_current_value(tmp_path):
    older = read_ditp_export(
        write(
            tmp_path, HEADER + "IND-323,FRANCE,2023-01-31,NAT,,650000,,\nIND-323,FRANCE,2024-12-31,NAT,,,823892.13,\n"
        )
    )
    newer = read_ditp_export(
        write(
            tmp_path, HEADER + "IND-323,FRANCE,2023-01-01,NAT,,650165.0,,\nIND-323,FRANCE,2024-07-01,NAT,,935377.0,,\n"
        )
    )
    revisions = pd.concat(
        [
            revision_rows(newer, landed("new", "2024-10-17", "2025-01-01T10:00:00+00:00")),
            revision_rows(older, landed("old", "2023-11-22", "2025-01-02T10:00:00+00:00")),  # landed later
        ],
        ignore_index=True,
    )
    con = duckdb.connect()
    con.execute("create schema raw")
    assert write_ditp_revisions(con, revisions) == 4
    current = dict(
        con.execute("select strftime(month_start, '%Y-%m') || ' ' || measure, value from raw.barometer_ditp").fetchall()
    )
    assert current == {"2023-01 current": 650_165, "2024-07 current": 935_377, "2024-12 target": 823_892.13}
    earlier = con.execute(
        "select value from raw.barometer_ditp_revisions where load_id = 'old' and month_start = '2023-01-01'"
    ).fetchall()
    assert earlier == [(650_000,)]
    assert current_values_by_load(con) == {"new": 2, "old": 1}
    figures = latest_national_figures(con)
    assert figures[["measure", "value"]].values.tolist() == [["current", 935_377], ["target", 823_892.13]]
    line = describe_export("old.csv", date(2023, 11, 22), older, current=1)
    assert line == (
        "DITP old.csv (as of 2023-11-22): IND-323 2 values; national; 2023-01…2024-12; "
        "1 current, 1 superseded by a newer export; 0 quarantined"
    )
