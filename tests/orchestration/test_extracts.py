"""Extracts: scoped, French-Excel CSV, no formula injection, atomic files, a manifest, a map."""

from __future__ import annotations

import csv
import hashlib
import io
import json
from datetime import UTC, date, datetime
from pathlib import Path

import duckdb
import pyarrow.parquet as pq
import pytest
from openpyxl import load_workbook
from openpyxl.utils import get_column_letter
from PIL import Image

from ingestion.errors import InputError
from orchestration.config import Settings
from orchestration.extracts import parse_scope, write_extract

DAY = date(2025, 3, 31)
BOM = b"\xef\xbb\xbf"
FORMULA_NAMES = ['=HYPERLINK("http://x","y")', "+cmd|' /C calc'!A0", "-Sainte", "@SUM(A1)"]

COMMUNES = [
    # commune_code, name, department, department name, region, region name, lat, lon, population
    ("31555", "Toulouse", "31", "Haute-Garonne", "76", "Occitanie", 43.60, 1.44, 500000),
    ("31069", "Blagnac", "31", "Haute-Garonne", "76", "Occitanie", 43.64, 1.39, 25000),
    ("31395", "Muret", "31", "Haute-Garonne", "76", "Occitanie", 43.46, 1.33, 25000),
    ("34172", "Montpellier", "34", "Hérault", "76", "Occitanie", 43.61, 3.88, 300000),
    ("34032", "Béziers", "34", "Hérault", "76", "Occitanie", 43.34, 3.22, 78000),
    ("01053", "Bourg-en-Bresse", "01", "Ain", "84", "Auvergne-Rhône-Alpes", 46.21, 5.23, 41000),
    ("01004", "Ambérieu-en-Bugey", "01", "Ain", "84", "Auvergne-Rhône-Alpes", 45.96, 5.36, 14000),
]
SITES = [
    # site_id, name, is_current, is_mobile, region, department, commune, lat, lon
    ("S1", FORMULA_NAMES[0], True, False, "76", "31", "31555", 43.60, 1.44),
    ("S2", FORMULA_NAMES[1], True, True, "76", "31", "31395", 43.4612345, 1.33),
    ("S3", FORMULA_NAMES[2], True, False, "76", "34", "34172", 43.61, 3.88),
    ("S4", FORMULA_NAMES[3], False, False, "76", "34", "34032", 43.34, 3.22),
    ("S5", "Maison de Bourg", True, False, "84", "01", "01053", 46.21, 5.23),
]


def _serving_db(settings: Settings, *, with_coverage: bool = True) -> None:
    settings.serving_dir.mkdir(parents=True, exist_ok=True)
    con = duckdb.connect(str(settings.serving_db))
    con.execute(
        "create table dim_commune (commune_code varchar, commune_name varchar, department_code varchar, "
        "department_name varchar, region_code varchar, region_name varchar, latitude double, longitude double, "
        "population bigint)"
    )
    con.executemany("insert into dim_commune values (?, ?, ?, ?, ?, ?, ?, ?, ?)", COMMUNES)
    con.execute(
        "create table dim_site (site_id varchar, site_name varchar, is_current boolean, is_mobile boolean, "
        "region_code varchar, department_code varchar, commune_code varchar, latitude double, "
        "longitude double, labelled_on date)"
    )
    con.executemany("insert into dim_site values (?, ?, ?, ?, ?, ?, ?, ?, ?, date '2020-01-15')", SITES)
    if with_coverage:
        con.execute(
            "create table fct_coverage as select commune_code, month_end, "
            "(hash(commune_code) % 60)::double + (month_end = date '2025-02-28')::int * 1.5 as travel_minutes, "
            "false as within_30_min from dim_commune cross join "
            "(values (date '2025-01-31'), (date '2025-02-28')) as m(month_end)"
        )
        con.execute("update fct_coverage set within_30_min = travel_minutes <= 30")
    con.execute(
        """create table mart_territory_monthly as
        with territories as (
            select 'national' as territory_level, 'FR' as territory_code, 'France' as territory_name,
                   null::varchar as region_code, null::varchar as department_code
            union all select 'region', '76', 'Occitanie', '76', null
            union all select 'region', '84', 'Auvergne-Rhône-Alpes', '84', null
            union all select 'department', '31', 'Haute-Garonne', '76', '31'
            union all select 'department', '34', 'Hérault', '76', '34'
            union all select 'department', '01', 'Ain', '84', '01'
            union all select 'epci', '243100518', 'Toulouse Métropole', '76', '31'
        )
        select territories.*, month_end, 1000::bigint as population, 2 as sites_open, 1 as main_sites_open,
               1 as antenna_sites_open, 0 as mobile_sites_open, 850::bigint as population_within_30_min,
               0.78912::double as share_within_30_min, 120::bigint as requests, 1.25::double as requests_per_1000,
               0.5::double as first_visit_resolution_rate, -0.25::double as satisfaction_rate,
               null::double as recommend_rate
        from territories cross join (values (date '2025-02-28'), (date '2025-01-31')) as m(month_end)
        -- stored in no useful order, as a mart may be: extracts sort
        order by hash(territory_code || month_end::varchar)"""
    )
    con.execute(
        "create table mart_site_scorecard as select site_id, site_name, is_mobile, commune_code, department_code, "
        "region_code, 1234::bigint as requests_last_12m, 0.85::double as satisfaction_rate, "
        "-3 as growth from dim_site where is_current"
    )
    con.execute(
        "create table mart_coverage_gaps as select row_number() over ()::integer as gap_rank, commune_code, "
        "commune_name, department_code, region_code, population, date '2025-02-28' as month_end, "
        "12.345::double as distance_km, 42.5::double as travel_minutes "
        "from dim_commune where commune_code in ('31069', '34032', '01004')"
    )
    con.execute(
        """create table mart_published_reconciliation as
        select * from (values
            ('national', 'FR', null, null, date '2024-07-01', 'monthly_acts', 935377.0, 935377.0 / 935377.0),
            ('region', '76', '76', null, date '2024-07-01', 'monthly_acts', 76298.0, 1.01234),
            ('department', '31', '76', '31', date '2024-07-01', 'monthly_acts', 20000.0, 0.98765),
            ('department', '01', '84', '01', date '2024-07-01', 'monthly_acts', 9000.0, 1.0)
        ) as t(territory_level, territory_code, region_code, department_code, month_start, indicator,
               published_value, ratio)"""
    )
    con.execute(
        """create table dim_outreach_place as
        select * from (values
            ('P1', '1', 'Mairie, Toulouse', '31069', '31', '76', 43.60, 1.44, 'Tu 09:00-12:00', 'all', 3.0, true),
            ('P2', '1', 'Foyer rural, Béziers', '34032', '34', '76', 43.34, 3.21, 'We 09:00-12:00', 'odd', 1.5, true),
            ('P3', '1', 'Ancien arrêt', '34032', '34', '76', 43.30, 3.20, 'Mo 09:00-12:00', 'all', 3.0, false),
            ('P4', '9', '=HYPERLINK(1)', '01004', '01', '84', 45.95, 5.35, 'Fr 09:00-12:00', 'all', 3.0, true)
        ) as t(place_id, site_id, place_name, commune_code, department_code, region_code, latitude, longitude,
               opening_hours, weeks, hours_per_week_avg, is_current)"""
    )
    con.execute(
        """create table dim_qpv as
        select * from (values ('QN03101M', 2024, '31069', '31', '76', 43.61, 1.45),
                              ('QN00101M', 2024, '01004', '01', '84', 45.96, 5.36))
        as t(qpv_code, generation, commune_code, department_code, region_code, latitude, longitude)"""
    )
    con.execute(
        """create table mart_qpv_coverage as
        select qpv_code, generation, commune_code, department_code, region_code, month_end, 2500 as population,
               12.5::double as travel_minutes, 1 as places_inside, 6.5::double as hours_inside,
               true as has_presence_inside
        from dim_qpv cross join (values (date '2025-01-31'), (date '2025-02-28')) as m(month_end)"""
    )
    con.execute(
        "create table fsw_publication as select ?::timestamptz as published_at, ? as run_id, '' as tables",
        [datetime(2025, 3, 30, 12, 0, tzinfo=UTC), "run-abc"],
    )
    con.close()


@pytest.fixture
def settings(tmp_path: Path) -> Settings:
    settings = Settings(home=tmp_path / "home")
    _serving_db(settings)
    return settings


def _csv_rows(path: Path) -> list[list[str]]:
    raw = path.read_bytes()
    assert raw.startswith(BOM)
    return list(csv.reader(io.StringIO(raw[len(BOM) :].decode("utf-8"), newline=""), delimiter=";"))


def _all_files(root: Path) -> set[Path]:
    return {path for path in root.rglob("*") if path.is_file()}


def test_region_csv_extract_is_scoped_and_safe_for_french_excel(settings, tmp_path):
    before = _all_files(tmp_path)
    result = write_extract(settings, "region:76", "csv", day=DAY, run_id="extract-1")

    folder = settings.extracts / "2025-03-31" / "regions" / "76"
    assert result.folder == folder.resolve()
    assert set(result.files) == {
        "territory_monthly.csv",
        "site_scorecard.csv",
        "coverage_gaps.csv",
        "sites.csv",
        "published_reconciliation.csv",
        "outreach_places.csv",
        "qpv_coverage.csv",
        "coverage_map.png",
        "report.html",
    }
    # Only rows of region 76: the region, its 2 departments and its EPCI, for 2 months.
    territory = _csv_rows(folder / "territory_monthly.csv")
    header, body = territory[0], territory[1:]
    assert len(body) == 8 == result.files["territory_monthly.csv"]
    assert {row[header.index("region_code")] for row in body} == {"76"}
    assert body[0][header.index("share_within_30_min")] == "0,789"  # a share: 3 decimals of a fraction
    assert body[0][header.index("requests_per_1000")] == "1,3"
    assert body[0][header.index("satisfaction_rate")] == "-0,25"  # numbers are never neutralised
    assert body[0][header.index("recommend_rate")] == ""
    assert {row[header.index("month_end")] for row in body} == {"2025-01-31", "2025-02-28"}
    text = (folder / "territory_monthly.csv").read_bytes().decode("utf-8-sig")
    assert text.splitlines()[0].startswith("territory_level;territory_code;")
    assert "\r\n" in text

    scorecard = _csv_rows(folder / "site_scorecard.csv")
    names = {row[scorecard[0].index("site_name")] for row in scorecard[1:]}
    assert names == {"'" + FORMULA_NAMES[0], "'" + FORMULA_NAMES[1], "'" + FORMULA_NAMES[2]}
    assert {row[scorecard[0].index("growth")] for row in scorecard[1:]} == {"-3"}
    assert {row[scorecard[0].index("is_mobile")] for row in scorecard[1:]} == {"true", "false"}
    assert len(_csv_rows(folder / "coverage_gaps.csv")) - 1 == 2
    sites = _csv_rows(folder / "sites.csv")
    assert len(sites) - 1 == 3  # the closed site S4 is not current
    published = _csv_rows(folder / "published_reconciliation.csv")
    # the region and its department, not the nation nor the Ain; a ratio to 3 decimals
    assert [row[:2] for row in published[1:]] == [["region", "76"], ["department", "31"]]
    assert published[1][published[0].index("ratio")] == "1,012"
    assert {row[sites[0].index("labelled_on")] for row in sites[1:]} == {"2020-01-15"}
    places = _csv_rows(folder / "outreach_places.csv")
    # the region's current stops and permanences, sorted by department then commune
    assert [row[places[0].index("place_id")] for row in places[1:]] == ["P1", "P2"]
    assert places[2][places[0].index("hours_per_week_avg")] == "1,5"
    qpv = _csv_rows(folder / "qpv_coverage.csv")
    assert [(row[qpv[0].index("qpv_code")], row[qpv[0].index("month_end")]) for row in qpv[1:]] == [
        ("QN03101M", "2025-01-31"),
        ("QN03101M", "2025-02-28"),
    ]

    png = (folder / "coverage_map.png").read_bytes()
    assert png.startswith(b"\x89PNG\r\n\x1a\n") and 20_000 < len(png) < 2_000_000

    manifest = json.loads(result.manifest.read_text(encoding="utf-8"))
    assert manifest["scope"] == "region:76" and manifest["format"] == "csv" and manifest["day"] == "2025-03-31"
    assert manifest["source_run_id"] == "run-abc" and manifest["run_id"] == "extract-1"
    assert manifest["source_published_at"].startswith("2025-03-30")
    listed = {entry["name"]: entry for entry in manifest["files"]}
    assert set(listed) == set(result.files)
    for name, entry in listed.items():
        data = (folder / name).read_bytes()
        assert entry["rows"] == result.files[name]
        assert entry["bytes"] == len(data)
        assert entry["sha256"] == hashlib.sha256(data).hexdigest()

    created = _all_files(tmp_path) - before
    assert created and all(path.is_relative_to(settings.extracts) for path in created)
    assert not [path for path in created if path.name.startswith(".")]


def test_xlsx_has_no_formula_cells_and_real_dates(settings):
    result = write_extract(settings, "department:31", "xlsx", day=DAY)
    workbook = load_workbook(result.folder / "site_scorecard.xlsx")
    cells = [cell for sheet in workbook for row in sheet.iter_rows() for cell in row]
    assert not [cell.coordinate for cell in cells if cell.data_type == "f"]
    values = {cell.value for cell in cells}
    assert "'" + FORMULA_NAMES[0] in values and "'" + FORMULA_NAMES[1] in values
    assert FORMULA_NAMES[2] not in values  # S3 is in department 34
    assert 0.85 in values and -3 in values
    territory = load_workbook(result.folder / "territory_monthly.xlsx")["territory_monthly"]
    header = [cell.value for cell in territory[1]]
    assert territory.max_row - 1 == result.files["territory_monthly.xlsx"] == 4  # 31 and its EPCI, 2 months
    month = territory.cell(row=2, column=header.index("month_end") + 1).value
    assert isinstance(month, datetime) and month.date() in {date(2025, 1, 31), date(2025, 2, 28)}


def test_parquet_national_round_trips_and_rerun_overwrites(settings):
    first = write_extract(settings, "national", "parquet", day=DAY)
    assert first.folder == (settings.extracts / "2025-03-31" / "national").resolve()
    assert pq.read_table(first.folder / "territory_monthly.parquet").num_rows == 14
    assert pq.read_table(first.folder / "sites.parquet").num_rows == 4
    assert pq.read_table(first.folder / "site_scorecard.parquet").num_rows == 4
    second = write_extract(settings, "national", "parquet", day=DAY)
    assert second.files == first.files
    assert sorted(p.name for p in second.folder.iterdir()) == sorted([*first.files, "manifest.json"])
    # A csv extract of the same folder keeps the parquet files listed in the manifest.
    write_extract(settings, "national", "csv", day=DAY)
    names = {entry["name"] for entry in json.loads((second.folder / "manifest.json").read_text())["files"]}
    assert "sites.parquet" in names and "sites.csv" in names


@pytest.mark.parametrize(
    ("scope", "message"),
    [
        ("region:../../x", "invalid scope 'region:../../x': expected national, region:<2 digits> or department:<code>"),
        ("department:1; drop", "invalid scope 'department:1; drop'"),
        ("county:1", "invalid scope 'county:1'"),
        ("region:76\n", "invalid scope"),
        ("region:99", "unknown region '99'"),
        ("department:2A", "unknown department '2A'"),
    ],
)
def test_bad_scopes_raise_one_line_input_errors(settings, tmp_path, scope, message):
    before = _all_files(tmp_path)
    with pytest.raises(InputError) as caught:
        write_extract(settings, scope, "csv", day=DAY)
    assert str(caught.value).startswith(message)
    assert "\n" not in str(caught.value)
    assert _all_files(tmp_path) == before


def test_parse_scope_without_a_connection_checks_syntax_only():
    assert str(parse_scope("department:2a")) == "department:2A"
    assert parse_scope("department:974").folder == Path("departments/974")
    assert parse_scope("national").folder == Path("national")
    with pytest.raises(InputError):
        parse_scope("region:7")


def test_missing_table_and_missing_coverage(tmp_path):
    settings = Settings(home=tmp_path / "home")
    _serving_db(settings, with_coverage=False)
    result = write_extract(settings, "region:84", "csv", day=DAY)
    assert (result.folder / "coverage_map.png").read_bytes().startswith(b"\x89PNG")
    assert result.files["sites.csv"] == 1

    con = duckdb.connect(str(settings.serving_db))
    con.execute("drop table mart_site_scorecard")
    con.close()
    with pytest.raises(InputError, match="serving DB has no table mart_site_scorecard: run fsw run first"):
        write_extract(settings, "national", "csv", day=DAY)
    with pytest.raises(InputError, match="invalid format"):
        write_extract(settings, "national", "pdf", day=DAY)


# --- what a reader of the extract notices ---------------------------------------------------------

REGION_76_ORDER = [  # territory (national, region, department, EPCI; by code), then month
    (level, code, month)
    for level, code in [("region", "76"), ("department", "31"), ("department", "34"), ("epci", "243100518")]
    for month in ("2025-01-31", "2025-02-28")
]


def _keys(rows: list[list[str]], header: list[str]) -> list[tuple[str, str, str]]:
    columns = [header.index(name) for name in ("territory_level", "territory_code", "month_end")]
    return [tuple(row[i] for i in columns) for row in rows]


def test_rows_are_sorted_by_territory_then_month_in_every_format(settings):
    con = duckdb.connect(str(settings.serving_db), read_only=True)
    stored = con.execute(
        "select territory_level, territory_code, month_end::varchar from mart_territory_monthly where region_code = '76'"
    ).fetchall()
    con.close()
    assert stored != REGION_76_ORDER and sorted(stored) == sorted(REGION_76_ORDER)  # the mart is unsorted

    folder = write_extract(settings, "region:76", "csv", day=DAY).folder
    rows = _csv_rows(folder / "territory_monthly.csv")
    assert _keys(rows[1:], rows[0]) == REGION_76_ORDER

    write_extract(settings, "region:76", "parquet", day=DAY)
    table = pq.read_table(folder / "territory_monthly.parquet").to_pylist()
    assert [(r["territory_level"], r["territory_code"], r["month_end"].isoformat()) for r in table] == REGION_76_ORDER

    write_extract(settings, "region:76", "xlsx", day=DAY)
    sheet = load_workbook(folder / "territory_monthly.xlsx")["territory_monthly"]
    values = [list(row) for row in sheet.iter_rows(values_only=True)]
    as_text = [[v.date().isoformat() if isinstance(v, datetime) else v for v in row] for row in values[1:]]
    assert _keys(as_text, values[0]) == REGION_76_ORDER
    scorecard = _csv_rows(folder / "site_scorecard.csv")
    # Sites by territory too: department, then commune (31395 Muret before 31555 Toulouse).
    assert [row[scorecard[0].index("site_id")] for row in scorecard[1:]] == ["S2", "S1", "S3"]


def test_measures_are_rounded_to_what_they_mean_in_csv_and_parquet(settings):
    folder = write_extract(settings, "region:76", "csv", day=DAY).folder
    territory = _csv_rows(folder / "territory_monthly.csv")
    first = dict(zip(territory[0], territory[1], strict=True))
    assert first["share_within_30_min"] == "0,789"  # 0.78912: a share to 0.1 %
    assert first["requests_per_1000"] == "1,3"
    assert first["population"] == "1000" and first["requests"] == "120"  # counts stay integers
    gaps = _csv_rows(folder / "coverage_gaps.csv")
    gap = dict(zip(gaps[0], gaps[1], strict=True))
    assert gap["travel_minutes"] == "43"  # 42.5 minutes: whole minutes, halves up as in Excel
    assert gap["distance_km"] == "12,3"
    sites = _csv_rows(folder / "sites.csv")
    assert sites[1][sites[0].index("latitude")] == "43,46123"  # positions to about 1 m

    write_extract(settings, "region:76", "parquet", day=DAY)
    parquet = pq.read_table(folder / "territory_monthly.parquet")
    assert set(parquet.column("share_within_30_min").to_pylist()) == {0.789}
    assert parquet.schema.field("population").type == "int64"
    assert pq.read_table(folder / "coverage_gaps.parquet").column("travel_minutes").to_pylist() == [43.0, 43.0]


def test_xlsx_opens_on_a_lisez_moi_and_shows_percentages_and_frozen_filtered_headers(settings):
    folder = write_extract(settings, "region:76", "xlsx", day=DAY).folder
    workbook = load_workbook(folder / "territory_monthly.xlsx")
    assert workbook.sheetnames == ["Lisez-moi", "territory_monthly"]
    readme = "\n".join(" ".join(str(v) for v in row if v) for row in workbook["Lisez-moi"].iter_rows(values_only=True))
    assert "région Occitanie (76)" in readme
    assert "février 2025" in readme  # the data month (coverage), not the extract day
    assert "Mois des données février 2025" in readme and "2025-03-31" in readme.split("Extrait créé le")[1][:12]
    assert "run-abc" in readme and "30 mars 2025 à 12:00 UTC" in readme
    assert "territory_monthly (ce classeur)" in readme and "coverage_gaps" in readme
    assert "INSEE" in readme and "ANCT" in readme and "Licence Ouverte" in readme

    sheet = workbook["territory_monthly"]
    header = [cell.value for cell in sheet[1]]
    assert sheet.freeze_panes == "A2"
    assert sheet.auto_filter.ref == f"A1:{get_column_letter(len(header))}{len(REGION_76_ORDER) + 1}"
    second = {name: sheet.cell(row=2, column=i + 1) for i, name in enumerate(header)}
    assert second["share_within_30_min"].value == 0.789 and second["share_within_30_min"].number_format == "0.0%"
    assert second["first_visit_resolution_rate"].number_format == "0.0%"
    assert second["population"].number_format == "#,##0"
    assert second["requests_per_1000"].number_format == "#,##0.0"
    assert second["month_end"].number_format == "yyyy-mm-dd" and isinstance(second["month_end"].value, datetime)
    widths = {name: sheet.column_dimensions[cell.column_letter].width for name, cell in second.items()}
    assert widths["territory_name"] == len("Toulouse Métropole") + 2
    assert widths["share_within_30_min"] == len("share_within_30_min") + 2
    assert all(8 <= width <= 50 for width in widths.values())


def _manifest_files(folder: Path) -> dict[str, dict]:
    return {entry["name"]: entry for entry in json.loads((folder / "manifest.json").read_text())["files"]}


def _republish(settings: Settings, run_id: str, published_at: datetime) -> None:
    con = duckdb.connect(str(settings.serving_db))
    con.execute("update fsw_publication set run_id = ?, published_at = ?", [run_id, published_at])
    con.close()


def test_a_second_extract_keeps_the_publication_of_the_files_it_carries_over(settings):
    first = write_extract(settings, "region:76", "csv", day=DAY, run_id="extract-1")
    csv_bytes = (first.folder / "sites.csv").read_bytes()
    _republish(settings, "run-def", datetime(2025, 3, 31, 6, 0, tzinfo=UTC))
    second = write_extract(settings, "region:76", "xlsx", day=DAY, run_id="extract-2")

    assert second.folder == first.folder  # what `fsw extract` prints: the folder holding this run's files
    manifest = json.loads(second.manifest.read_text())
    assert manifest["source_run_id"] == "run-def" and manifest["run_id"] == "extract-2"
    files = _manifest_files(second.folder)
    assert (second.folder / "sites.csv").read_bytes() == csv_bytes
    assert files["sites.csv"]["source_run_id"] == "run-abc"  # not relabelled as the newer publication
    assert files["sites.csv"]["source_published_at"].startswith("2025-03-30")
    assert files["sites.csv"]["run_id"] == "extract-1" and files["sites.csv"]["carried_over"] is True
    assert files["sites.xlsx"]["source_run_id"] == "run-def" and files["sites.xlsx"]["carried_over"] is False
    assert files["coverage_map.png"]["run_id"] == "extract-2"

    # A third run carries both earlier formats over, each with its own publication still.
    write_extract(settings, "region:76", "parquet", day=DAY, run_id="extract-3")
    files = _manifest_files(second.folder)
    assert [files[f"sites.{fmt}"]["run_id"] for fmt in ("csv", "xlsx", "parquet")] == [
        "extract-1",
        "extract-2",
        "extract-3",
    ]
    assert files["sites.csv"]["source_run_id"] == "run-abc"


def test_a_manifest_without_per_file_publication_is_not_relabelled(settings):
    folder = write_extract(settings, "national", "parquet", day=DAY, run_id="old-1").folder
    write_extract(settings, "national", "csv", day=DAY, run_id="old-2")
    legacy = json.loads((folder / "manifest.json").read_text())
    keep = {"name", "format", "rows", "bytes", "sha256"}
    legacy["files"] = [{k: v for k, v in entry.items() if k in keep} for entry in legacy["files"]]
    (folder / "manifest.json").write_text(json.dumps(legacy))
    _republish(settings, "run-def", datetime(2025, 3, 31, 6, 0, tzinfo=UTC))

    write_extract(settings, "national", "xlsx", day=DAY)
    files = _manifest_files(folder)
    assert files["sites.csv"]["source_run_id"] == "run-abc"  # written by the legacy manifest's own run
    assert files["sites.parquet"]["source_run_id"] is None  # unknown: that manifest had already relabelled it
    assert files["sites.xlsx"]["source_run_id"] == "run-def"


@pytest.mark.parametrize(
    ("scope", "name"), [("region:76", "Occitanie"), ("department:34", "Hérault"), ("national", "France")]
)
def test_map_title_names_the_territory_and_the_coverage_month(settings, scope, name):
    result = write_extract(settings, scope, "csv", day=DAY)
    with Image.open(result.folder / "coverage_map.png") as png:
        title = png.text["Title"]
    assert title.startswith(f"{name} — ") and title.endswith("février 2025")
    assert "2025-03-31" not in title
