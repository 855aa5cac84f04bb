"""The six real releases of the national listing (skipped where ../shared/real-data is absent)."""

import csv
import datetime as dt
from functools import cache
from pathlib import Path

import pandas as pd
import pytest

from ingestion.sites.identity import assign_site_ids
from ingestion.sites.reader import read_site_listing
from ingestion.sites.validate import validate_sites

REPO_ROOT = Path(__file__).resolve().parents[3]
REAL = REPO_ROOT.parent / "shared" / "real-data"
SITES = REAL / "anct-france-services"

pytestmark = pytest.mark.skipif(
    not SITES.is_dir(), reason=f"real data folder {SITES} is absent (fresh clone without ../shared)"
)

JAN02_CSV = "2020-01-02_b88c14a_france-services.csv"
JAN02_GEOJSON = "2020-01-02_b88c14a_france_services.geojson"
JAN09 = "2020-01-09_4e7c558_france_services.csv"
MARCH = "2020-03-10_a249d68_france_services.geojson"
OCTOBER = "2020-10-12_0584fe1_france_services.geojson"
AUG2024 = "2024-08-01_liste-fs-20240801.csv"


@cache
def listing(name):
    return read_site_listing(SITES / name)


@pytest.mark.parametrize(
    ("name", "count"),
    [(JAN02_CSV, 456), (JAN02_GEOJSON, 456), (JAN09, 483), (MARCH, 581), (OCTOBER, 908), (AUG2024, 2845)],
)
def test_every_release_is_read_whole(name, count):
    rows = listing(name).rows
    assert len(rows) == count
    assert rows["site_name"].notna().all()
    assert listing(name).hours_coverage["share_parsed"] >= 0.97


@pytest.mark.parametrize("name", [JAN02_CSV, JAN02_GEOJSON, JAN09, MARCH, OCTOBER, AUG2024])
def test_every_release_has_no_unknown_categorical_value(name):
    read = listing(name)
    assert all(counts == {} for counts in read.unknown_values.values()), read.unknown_values
    assert not read.rejects["reason"].str.startswith("unknown ").any()
    assert read.rows["site_type"].notna().all()
    assert read.rows["site_format"].notna().all() and read.rows["does_outreach"].notna().all()
    assert (read.rows["does_outreach"] == read.rows["is_mobile"]).all()


def test_october_2020_categories_are_read_exactly():
    rows = listing(OCTOBER).rows
    assert rows["site_type_raw"].value_counts().to_dict() == {
        "FS": 813,
        "FS itinerante": 43,
        "Antenne": 42,
        "Antenne itinerante": 10,
    }
    assert int(rows["does_outreach"].sum()) == 53


def test_2024_unknown_site_type_is_counted_and_rejected(tmp_path):
    # A copy of the real listing where every 20th type_fs is a value the reader does not know.
    with open(SITES / AUG2024, encoding="utf-8-sig", newline="") as handle:
        header, *records = list(csv.reader(handle))
    position = header.index("type_fs")
    changed = 0
    for number, record in enumerate(records):
        if number % 20 == 0:
            record[position] = "Principale"
            changed += 1
    path = tmp_path / "liste-fs.csv"
    with open(path, "w", encoding="utf-8", newline="") as handle:
        csv.writer(handle).writerows([header, *records])
    read = read_site_listing(path)
    assert changed == 143 and len(read.rows) == 2845
    assert read.unknown_values["site_type"] == {"Principale": changed}
    unknown = read.rejects[read.rejects["reason"] == "unknown site_type value 'Principale'"]
    assert len(unknown) == changed
    assert set(unknown["column"]) == {"type_fs"} and set(unknown["value"]) == {"Principale"}
    assert int(read.rows["site_type"].isna().sum()) == changed
    assert (read.rows.loc[read.rows["site_type"].isna(), "site_type_raw"] == "Principale").all()


def test_january_csv_and_geojson_give_the_same_sites():
    csv_rows, geo_rows = listing(JAN02_CSV).rows, listing(JAN02_GEOJSON).rows
    columns = ["site_name", "commune_code", "department_code", "postcode", "latitude", "longitude", "hours_mon"]
    pd.testing.assert_frame_equal(csv_rows[columns], geo_rows[columns])


def test_january_sites_without_coordinates_are_kept():
    rows = listing(JAN02_CSV).rows
    missing = rows[rows["latitude"].isna()]
    assert sorted(missing["site_name"]) == ["Bogny-sur-Meuse", "Espace France Services Descartes"]
    rejects = listing(JAN02_CSV).rejects
    assert (rejects["reason"] == "missing coordinates").sum() == 2


def test_october_2020_by_type_and_mobility():
    rows = listing(OCTOBER).rows
    counts = rows.groupby(["site_type", "is_mobile"]).size().to_dict()
    assert counts == {("main", False): 813, ("main", True): 43, ("antenna", False): 42, ("antenna", True): 10}
    assert rows.loc[rows["site_id"] == "1", "department_code"].item() == "01"
    assert (rows["labelled_on"] == dt.date(2020, 9, 1)).sum() == 328


def test_march_2020_coordinates_come_from_properties_not_swapped_geometry():
    rows = listing(MARCH).rows
    metro = rows[~rows["department_code"].str.startswith("97")]
    assert metro["latitude"].between(41, 51.2).all()
    assert metro["longitude"].between(-5.3, 9.7).all()
    assert rows["site_id"].iloc[0] == "2"  # MATRICULE 2.0


def test_2024_types_formats_and_hours():
    rows = listing(AUG2024).rows
    assert rows["site_type"].value_counts().to_dict() == {"main": 2721, "antenna": 124}
    assert int(rows["is_mobile"].sum()) == 163
    assert int(rows["does_outreach"].sum()) == 163  # Bus_équivalent 134 + Itinérante 29
    valserhone = rows[rows["site_id"] == "1"].iloc[0]
    assert valserhone["commune_code"] == "01033"
    assert valserhone["weekly_opening_hours"] == 28.5
    assert valserhone["days_open"] == 5
    assert int(rows["charter_compliant"].sum()) == 2551
    assert int(rows["weekly_opening_hours"].isna().sum()) == 48
    assert listing(AUG2024).hours_coverage["unparsed"] == 0
    assert {"75112", "69388", "13202"} <= set(rows["commune_code"])


def test_march_to_october_ids_persist_and_names_change():
    march, october = listing(MARCH).rows, listing(OCTOBER).rows
    assert march["site_id"].isin(october["site_id"]).sum() == 580
    both = march.merge(october, on="site_id", suffixes=("_march", "_october"))
    renamed = both[both["site_name_march"] != both["site_name_october"]]
    assert len(renamed) == 22
    site_128 = renamed[renamed["site_id"] == "128"].iloc[0]
    assert (site_128["site_name_march"], site_128["site_name_october"]) == ("Is-sur-Tile", "Is-sur-Tille")


def test_first_release_keeps_its_identity_a_week_later():
    january = assign_site_ids(listing(JAN02_CSV).rows, listing(JAN09).rows)
    assert len(january) == 456
    assert int((~january["id_generated"]).sum()) >= 420
    assert january["site_id"].is_unique
    valserhone = january[january["site_name"] == "Valserhône"]
    assert valserhone["site_id"].tolist() == ["1"]


@pytest.mark.skipif(not (REAL / "insee" / "2025" / "ensemble.xlsx").is_file(), reason="INSEE file absent")
def test_2024_listing_against_insee_communes():
    from python_calamine import CalamineWorkbook

    sheet = CalamineWorkbook.from_path(str(REAL / "insee" / "2025" / "ensemble.xlsx")).get_sheet_by_name("Communes")
    body = sheet.to_python()[8:]
    # INSEE splits 97101 as department 971 + commune 101.
    known = {(dep[:2] if dep.startswith("97") else dep) + com for dep, com in ((str(r[2]), str(r[5])) for r in body)}
    good, rejects = validate_sites(listing(AUG2024).rows, known, file=AUG2024)
    unknown = rejects[rejects["reason"] == "unknown commune code"]
    # ensemble.xlsx has no Mayotte (976); the rest of the network is in the register.
    assert len(unknown) == 14 and unknown["value"].str.startswith("976").all()
    # The one real inconsistency: a department-27 bus registered at a Rouen (76) address.
    others = rejects[rejects["reason"] != "unknown commune code"]
    assert others["reason"].tolist() == ["department does not match commune 76540 (kept with department 76)"]
    # Every site is kept (it counts in the network); the 14 in Mayotte have no usable position.
    assert len(good) == 2845
    assert int(good["has_position"].sum()) == 2831


def test_january_geocoder_mistakes_are_noted_and_the_sites_kept():
    rows = listing(JAN02_CSV).rows
    known = set(rows["commune_code"].dropna())
    good, rejects = validate_sites(rows, known, file=JAN02_CSV)
    assert len(rejects) == 6 and rejects["reason"].str.startswith("department does not match").all()
    assert len(good) == 456  # kept with the commune's department; the two without coordinates stay
