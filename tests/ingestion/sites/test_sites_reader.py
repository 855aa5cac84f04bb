"""One reader for every dialect of the listing, on tiny hand-made files."""

import datetime as dt
import json
from pathlib import Path

import pandas as pd
import pytest

from ingestion.errors import InputError
from ingestion.sites.reader import CANONICAL_COLUMNS, read_site_listing

FIXTURES = Path(__file__).resolve().parent / "fixtures"


def read(name):
    return read_site_listing(FIXTURES / name)


def test_columns_are_exactly_the_canonical_ones():
    rows = read("listing_2024_semicolon_cp1252.csv").rows
    assert list(rows.columns) == CANONICAL_COLUMNS
    assert "hours_sun_raw" in rows.columns and "source_row" in rows.columns


def test_2020_geocoded_csv_without_ids_takes_commune_from_geocoder():
    listing = read("listing_2020_01_geocoded.csv")
    rows = listing.rows.set_index("source_row")
    assert rows["site_id"].isna().all()
    assert rows.loc[1, "site_name"] == "Valserhône"
    assert rows.loc[1, "commune_code"] == "01033"
    assert rows.loc[4, "commune_code"] == "2A272"
    assert rows.loc[4, "department_code"] == "2A"
    assert rows.loc[2, "site_format"] == "itinerant" and rows.loc[2, "is_mobile"]
    assert (rows["site_type"] == "main").all()
    assert rows.loc[1, "hours_mon"] == "09:00-12:00,13:30-17:00"
    assert rows.loc[1, "hours_sat"] == ""
    assert rows.loc[1, "weekly_opening_hours"] == 32.5
    assert rows.loc[1, "days_open"] == 5
    assert bool(rows.loc[1, "charter_compliant"]) is True
    assert rows.loc[4, "hours_mon"] == "08:30-12:00,13:30-17:00"
    assert json.loads(rows.loc[2, "extra"])["type_structure"] == "Collectivité"


def test_site_without_coordinates_is_kept_and_reported():
    listing = read("listing_2020_01_geocoded.csv")
    bogny = listing.rows[listing.rows["site_name"] == "Bogny-sur-Meuse"].iloc[0]
    assert pd.isna(bogny["latitude"]) and pd.isna(bogny["longitude"])
    reasons = listing.rejects.groupby("reason")["row"].apply(list).to_dict()
    assert reasons["missing coordinates"] == [3]
    assert reasons["unparsed opening hours"] == [3]
    # Bogny's Tuesday ("Juin à septembre…") cannot be read, so the week total is not claimed.
    assert bogny["hours_tue"] is None and bogny["hours_tue_raw"].startswith("Juin")
    assert pd.isna(bogny["weekly_opening_hours"]) and pd.isna(bogny["charter_compliant"])
    assert bogny["hours_thu"] == "" and bogny["hours_wed"] is None


def test_hours_coverage_counts_filled_cells():
    coverage = read("listing_2020_01_geocoded.csv").hours_coverage
    assert coverage["cells"] == 20
    assert coverage["unparsed"] == 1
    assert coverage["parsed"] == 19
    assert coverage["share_parsed"] == pytest.approx(19 / 20)


def test_r_export_drops_row_numbers_reads_na_and_dates():
    listing = read("listing_2020_r_export.csv")
    rows = listing.rows
    assert rows["site_id"].tolist() == ["1", "3", "4"]
    assert rows["labelled_on"].tolist()[:2] == [dt.date(2020, 1, 1)] * 2
    assert rows["email"].tolist() == [None, "msap@cctso.fr", None]
    assert rows["department_code"].tolist() == ["01", "02", "971"]
    assert "" not in json.loads(rows["extra"].iloc[0])
    assert json.loads(rows["extra"].iloc[1])["REMARQUES.CDC"] == "bus"
    bad = listing.rejects[listing.rejects["reason"] == "unparsable labelling date"]
    assert bad[["row", "column", "value"]].values.tolist() == [[3, "LABELISATION", "labellisation en cours"]]


def test_2024_semicolon_cp1252_listing():
    listing = read("listing_2024_semicolon_cp1252.csv")
    rows = listing.rows.set_index("site_id")
    assert rows.loc["1", "site_name"] == "France services de Valserhône"
    assert rows.loc["1", "commune_code"] == "01033"
    assert rows.loc["1", "latitude"] == pytest.approx(46.1060711578546)
    assert rows.loc["1", "weekly_opening_hours"] == 28.5
    assert rows.loc["1", "days_open"] == 5
    assert rows.loc["1", "labelled_on"] == dt.date(2020, 1, 1)
    assert bool(rows.loc["1", "appointment_required"]) is False
    assert (rows.loc["3", "site_format"], bool(rows.loc["3", "is_mobile"])) == ("bus", True)
    assert rows.loc["3", "labelled_on"] == dt.date(2020, 9, 1)
    assert json.loads(rows.loc["3", "extra"])["commentaire"] == "Tournée :\nvoir le site"
    assert (rows.loc["7", "site_type"], rows.loc["7", "site_format"]) == ("antenna", "fixed")
    assert rows.loc["7", "commune_code"] == "75112"
    assert bool(rows.loc["7", "charter_compliant"]) is False
    assert rows.loc["9", "site_format"] == "itinerant"
    assert pd.isna(rows.loc["9", "weekly_opening_hours"])
    assert rows.loc["11", "site_format"] == "multisite"
    assert rows.loc["11", "hours_mon"] == "08:00-12:00,14:00-17:00"
    assert rows.loc["11", "department_code"] == "973"
    assert rows["source_row"].tolist() == [1, 2, 3, 4, 5]


def test_geojson_prefers_latitude_properties_over_swapped_geometry():
    rows = read("listing_2020_03_swapped.geojson").rows.set_index("site_id")
    assert rows.index.tolist() == ["2", "128"]
    assert (rows.loc["2", "latitude"], rows.loc["2", "longitude"]) == (46.45916, 5.083785)
    assert rows.loc["2", "department_code"] == "01"
    assert (rows.loc["2", "site_type"], rows.loc["2", "site_format"]) == ("main", "fixed")
    assert (rows.loc["128", "site_type"], rows.loc["128", "site_format"]) == ("antenna", "itinerant")
    assert rows.loc["128", "hours_mon"] is None
    assert rows.loc["128", "labelled_on"] == dt.date(2020, 1, 1)
    assert json.loads(rows.loc["2", "extra"])["COMMUNE"] == "SAINT-TRIVIER-DE-COURTES"


def test_geojson_with_geometry_only_detects_swapped_points():
    rows = read("listing_2020_10_geometry_only.geojson").rows.set_index("site_id")
    assert (rows.loc["1", "latitude"], rows.loc["1", "longitude"]) == (46.105747, 5.825644)
    assert (rows.loc["811", "latitude"], rows.loc["811", "longitude"]) == (-20.8789, 55.4481)
    assert (rows.loc["812", "latitude"], rows.loc["812", "longitude"]) == (50.6194, 3.0706)
    assert (rows.loc["811", "site_type"], rows.loc["811", "site_format"]) == ("antenna", "itinerant")
    assert (rows.loc["1", "site_type"], rows.loc["1", "site_format"]) == ("main", "fixed")
    assert rows.loc["1", "weekly_opening_hours"] == 9.0
    assert rows.loc["1", "days_open"] == 3
    assert bool(rows.loc["811", "charter_compliant"]) is True
    assert pd.isna(rows.loc["812", "charter_compliant"])


def test_release_without_coordinates_is_refused_in_one_line():
    with pytest.raises(InputError) as error:
        read("no_coordinates.csv")
    message = str(error.value)
    assert "\n" not in message
    assert message.startswith("no_coordinates.csv: ") and "'latitude'" in message


def test_duplicated_site_id_names_id_and_rows():
    with pytest.raises(InputError) as error:
        read("duplicate_id.csv")
    message = str(error.value)
    assert "\n" not in message
    assert "'1'" in message and "rows 1, 3" in message


def test_truncated_geojson_is_refused_in_one_line():
    with pytest.raises(InputError) as error:
        read("truncated.geojson")
    assert "\n" not in str(error.value)
    assert "truncated" in str(error.value)


def test_missing_name_column_is_named(tmp_path):
    path = tmp_path / "listing.csv"
    path.write_text("id_fs,insee_com,latitude,longitude\n1,01033,46.1,5.8\n", encoding="utf-8")
    with pytest.raises(InputError, match="missing required column 'site_name'"):
        read_site_listing(path)


def test_json_that_is_not_a_feature_collection_is_refused(tmp_path):
    path = tmp_path / "listing.json"
    path.write_text('{"type": "Feature", "properties": {}}', encoding="utf-8")
    with pytest.raises(InputError, match="FeatureCollection"):
        read_site_listing(path)
