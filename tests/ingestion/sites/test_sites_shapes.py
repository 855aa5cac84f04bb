"""More real shapes of the listing (2022 data.gouv, 2020 Banque des Territoires) and unknown values."""

import csv
import datetime as dt
import io
import json
from pathlib import Path

import pandas as pd
import pytest

from ingestion.errors import InputError
from ingestion.geo import inside_france
from ingestion.sites.geo import territory_of, territory_of_department
from ingestion.sites.reader import CANONICAL_COLUMNS, read_site_listing

FIXTURES = Path(__file__).resolve().parent / "fixtures"
DATAGOUV_2022 = FIXTURES / "listing_2022_12_datagouv.csv"
BDT_2020 = FIXTURES / "listing_2020_bdt_semicolon_cp1252.csv"
BDT_2020_FORMAT = FIXTURES / "listing_2020_bdt_format_cp1252.csv"
LISTING_2024 = FIXTURES / "listing_2024_semicolon_cp1252.csv"


def reasons(listing):
    return listing.rejects.groupby("reason")["row"].apply(list).to_dict()


def kinds(rows):
    columns = ["site_type", "site_format", "is_mobile", "does_outreach"]
    return {
        site: tuple(None if pd.isna(v) else v for v in values)
        for site, values in zip(rows["site_id"], rows[columns].itertuples(index=False, name=None))
    }


def rewrite_csv(source, target, change, *, encoding="utf-8", delimiter=","):
    """Copy a CSV fixture with ``change(header, rows)`` applied to its parsed cells."""
    with open(source, encoding=encoding, newline="") as handle:
        header, *rows = list(csv.reader(handle, delimiter=delimiter))
    header, rows = change(header, rows)
    out = io.StringIO()
    csv.writer(out, delimiter=delimiter, lineterminator="\n").writerows([header, *rows])
    target.write_bytes(out.getvalue().encode(encoding))
    return target


# --- the data.gouv listing of December 2022 -------------------------------------------------


def test_2022_format_fs_is_the_site_type_and_itinerance_the_outreach():
    listing = read_site_listing(DATAGOUV_2022)
    assert kinds(listing.rows) == {
        "1": ("main", "fixed", False, False),
        "3": ("main", "itinerant", True, True),
        "57": ("antenna", "fixed", False, False),
        "2311": ("main", "fixed", False, False),
        "2312": ("antenna", "itinerant", True, True),
        "2480": ("main", "fixed", False, False),
        "2495": ("main", None, False, None),  # itinerance 'Ponctuelle' is not understood
    }
    rows = listing.rows.set_index("site_id")
    assert rows.loc["3", "site_type_raw"] == "Site principal"
    assert rows.loc["57", "site_type_raw"] == "Antenne"
    assert (rows.loc["3", "site_format_raw"], rows.loc["3", "outreach_raw"]) == ("Oui", "Oui")
    assert rows.loc["2495", "outreach_raw"] == "Ponctuelle"


def test_2022_unknown_itinerance_is_rejected_and_counted():
    listing = read_site_listing(DATAGOUV_2022)
    unknown = listing.rejects[listing.rejects["reason"].str.startswith("unknown")]
    assert unknown[["row", "column", "value", "reason"]].values.tolist() == [
        [7, "itinerance", "Ponctuelle", "unknown does_outreach value 'Ponctuelle'"]
    ]
    assert listing.unknown_values == {
        "site_type": {},
        "site_format": {},
        "does_outreach": {"Ponctuelle": 1},
        "appointment_required": {},
    }


def test_2022_quoted_fields_newlines_groups_and_labelling():
    rows = read_site_listing(DATAGOUV_2022).rows.set_index("site_id")
    assert len(rows) == 7
    assert rows.loc["57", "address"] == "Hôtel de ville\n2 place de la Mairie"
    extra = json.loads(rows.loc["57", "extra"])
    assert extra["groupe"] == "Pays Ségali"
    assert extra["complement_adresse"] == "Rez-de-chaussée\nentrée côté parking"
    assert rows.loc["1", "labelled_on"] == dt.date(2020, 1, 1)
    assert rows.loc["2480", "labelled_on"] == dt.date(2022, 12, 1)
    assert bool(rows.loc["57", "appointment_required"]) is True
    assert rows.loc["2495", "hours_mon"] == "09:00-12:00,14:00-17:00"
    assert rows.loc["1", "department_code"] == "01"


def test_2022_site_without_coordinates_is_kept():
    listing = read_site_listing(DATAGOUV_2022)
    haut_jura = listing.rows[listing.rows["site_id"] == "2480"].iloc[0]
    assert pd.isna(haut_jura["latitude"]) and pd.isna(haut_jura["longitude"])
    assert reasons(listing)["missing coordinates"] == [6]


def test_saint_martin_and_saint_barthelemy_are_in_france():
    rows = read_site_listing(DATAGOUV_2022).rows.set_index("site_id")
    for site, department, commune in (("2311", "978", "97801"), ("2312", "977", "97701")):
        lat, lon = float(rows.loc[site, "latitude"]), float(rows.loc[site, "longitude"])
        assert (rows.loc[site, "department_code"], rows.loc[site, "commune_code"]) == (department, commune)
        assert territory_of(lat, lon) == territory_of_department(department) == department
        assert inside_france([lat], [lon]).tolist() == [True]


@pytest.mark.parametrize(
    "renames",
    [
        {"insee_com": "code_insee", "labellisation": "Labellisation", "itinerance": "ITINERANCE"},
        {"format_fs": "FORMAT_FS", "lib_fs": "nom_fs", "insee_dep": "code_departement", "prise_rdv": "PRISE_RDV"},
    ],
)
def test_2022_header_variants_give_the_same_rows(tmp_path, renames):
    def rename(header, rows):
        return [renames.get(name, name) for name in header], rows

    variant = read_site_listing(rewrite_csv(DATAGOUV_2022, tmp_path / "variant.csv", rename)).rows
    original = read_site_listing(DATAGOUV_2022).rows
    columns = [c for c in CANONICAL_COLUMNS if c != "extra"]
    pd.testing.assert_frame_equal(variant[columns], original[columns])


def test_2022_format_column_holding_2024_formats_is_read_as_formats(tmp_path):
    # Without type_fs the values decide what format_fs holds, never the file name.
    def to_2024(header, rows):
        position = header.index("format_fs")
        for row in rows:
            row[position] = {"Site principal": "Fixe", "Antenne": "Fixe_antenne(s)"}[row[position]]
        return header, rows

    listing = read_site_listing(rewrite_csv(DATAGOUV_2022, tmp_path / "formats.csv", to_2024))
    assert listing.unknown_values["site_type"] == {}
    assert set(listing.rows["site_format"]) == {"fixed"}


# --- the Banque des Territoires exports of early 2020 ----------------------------------------


def test_bdt_2020_export_semicolon_cp1252_decimal_comma():
    listing = read_site_listing(BDT_2020)
    rows = listing.rows.set_index("site_id")
    assert rows.index.tolist() == ["1", "3", "8", "12", "40"]
    assert rows.loc["1", "site_name"] == "Valserhône"
    assert (rows.loc["1", "latitude"], rows.loc["1", "longitude"]) == (46.105747, 5.825644)
    assert (rows.loc["40", "latitude"], rows.loc["40", "longitude"]) == (16.2712, -61.5046)
    assert rows["department_code"].tolist() == ["01", "02", "08", "2A", "971"]
    assert (rows.loc["3", "commune_code"], rows.loc["3", "postcode"]) == ("02361", "02120")
    assert rows.loc["12", "address"] == "Cours Sœur Amélie"
    assert rows.loc["3", "hours_mon"] == "09:30-12:15,13:45-16:30"
    assert rows.loc["1", "email"] == "franceservices@ccpb01.fr"
    extra = json.loads(rows.loc["8", "extra"])
    assert extra["TYPE STRUCTURE PORTEUSE"] == "Opérateur" and extra["STRUCTURE PORTEUSE"] == "La Poste"
    assert extra["COMPLEMENT D'ADRESSE"] == "Espace Léon Bousquet"


def test_bdt_2020_export_types_outreach_and_rejects():
    listing = read_site_listing(BDT_2020)
    assert kinds(listing.rows) == {
        "1": ("main", "fixed", False, False),
        "3": ("main", "itinerant", True, True),
        "8": ("main", "itinerant", True, True),
        "12": ("main", "fixed", False, False),
        "40": ("main", None, False, None),
    }
    assert reasons(listing) == {"missing coordinates": [3], "unknown does_outreach value 'A définir'": [5]}
    assert listing.rejects.loc[listing.rejects["row"] == 5, "column"].item() == "ITINERANCE"
    assert listing.unknown_values["does_outreach"] == {"A définir": 1}


def test_bdt_2020_export_with_format_column():
    listing = read_site_listing(BDT_2020_FORMAT)
    assert kinds(listing.rows) == {
        "1": ("main", "fixed", False, False),
        "128": ("antenna", "itinerant", True, True),
        "131": ("antenna", "fixed", False, False),
        "140": (None, "fixed", False, False),
    }
    rows = listing.rows.set_index("site_id")
    assert (rows.loc["1", "latitude"], rows.loc["128", "latitude"]) == (46.105747, 47.5211)
    assert rows.loc["140", "site_type_raw"] == "Relais France Services"
    bad = listing.rejects[listing.rejects["reason"].str.startswith("unknown")]
    assert bad[["row", "column", "value", "reason"]].values.tolist() == [
        [4, "FORMAT FRANCE SERVICES", "Relais France Services", "unknown site_type value 'Relais France Services'"]
    ]
    assert listing.unknown_values["site_type"] == {"Relais France Services": 1}


# --- unknown values in the 2024 shape --------------------------------------------------------


def _change_2024(tmp_path, changes):
    def change(header, rows):
        for (site, column), value in changes.items():
            row = next(r for r in rows if r[0] == site)
            row[header.index(column)] = value
        return header, rows

    return rewrite_csv(LISTING_2024, tmp_path / "listing.csv", change, encoding="cp1252", delimiter=";")


def test_unknown_2024_type_format_and_appointment_are_reported(tmp_path):
    path = _change_2024(
        tmp_path,
        {("1", "type_fs"): "Principale", ("3", "format_fs"): "Camping-car", ("7", "prise_rdv"): "Parfois"},
    )
    listing = read_site_listing(path)
    rows = listing.rows.set_index("site_id")
    assert pd.isna(rows.loc["1", "site_type"]) and rows.loc["1", "site_type_raw"] == "Principale"
    assert rows.loc["1", "site_format"] == "fixed"
    assert pd.isna(rows.loc["3", "site_format"]) and rows.loc["3", "site_format_raw"] == "Camping-car"
    assert pd.isna(rows.loc["3", "does_outreach"]) and not rows.loc["3", "is_mobile"]
    assert rows.loc["3", "site_type"] == "main"
    assert pd.isna(rows.loc["7", "appointment_required"])
    bad = listing.rejects[listing.rejects["reason"].str.startswith("unknown")]
    assert bad[["row", "column", "value", "reason"]].values.tolist() == [
        [1, "type_fs", "Principale", "unknown site_type value 'Principale'"],
        [2, "format_fs", "Camping-car", "unknown site_format value 'Camping-car'"],
        [3, "prise_rdv", "Parfois", "unknown appointment_required value 'Parfois'"],
    ]
    assert listing.unknown_values == {
        "site_type": {"Principale": 1},
        "site_format": {"Camping-car": 1},
        "does_outreach": {},
        "appointment_required": {"Parfois": 1},
    }


def test_empty_categorical_cells_are_not_unknown(tmp_path):
    path = _change_2024(tmp_path, {("1", "type_fs"): "", ("3", "format_fs"): " ", ("7", "prise_rdv"): ""})
    listing = read_site_listing(path)
    rows = listing.rows.set_index("site_id")
    assert pd.isna(rows.loc["1", "site_type"]) and rows.loc["1", "site_type_raw"] is None
    assert rows.loc["3", "site_format_raw"] is None
    assert pd.isna(rows.loc["7", "appointment_required"])
    assert not listing.rejects["reason"].str.startswith("unknown").any()
    assert all(counts == {} for counts in listing.unknown_values.values())


def test_2024_formats_give_outreach():
    rows = read_site_listing(LISTING_2024).rows
    assert kinds(rows) == {
        "1": ("main", "fixed", False, False),
        "3": ("main", "bus", True, True),
        "7": ("antenna", "fixed", False, False),
        "9": ("main", "itinerant", True, True),
        "11": ("main", "multisite", False, False),
    }
    assert rows["does_outreach"].dtype == "boolean"
    assert rows.set_index("site_id").loc["3", "outreach_raw"] == "Bus_équivalent"


def test_2020_categories_feed_type_and_outreach_and_format_fs_goes_to_extra():
    rows = read_site_listing(FIXTURES / "listing_2020_03_swapped.geojson").rows.set_index("site_id")
    assert (rows.loc["128", "site_type_raw"], bool(rows.loc["128", "does_outreach"])) == ("Antenne itinerante", True)
    assert bool(rows.loc["2", "does_outreach"]) is False
    assert json.loads(rows.loc["2", "extra"])["FORMAT_FS"] == "Espace labellisé"


# --- file-level refusals ---------------------------------------------------------------------


def test_header_only_csv_is_refused(tmp_path):
    path = tmp_path / "listing.csv"
    path.write_text('"id_fs","lib_fs","insee_com","latitude","longitude"\r\n\r\n', encoding="utf-8")
    with pytest.raises(InputError) as error:
        read_site_listing(path)
    assert str(error.value) == "listing.csv: no data rows (header only)"


def test_feature_collection_without_features_is_refused(tmp_path):
    path = tmp_path / "listing.geojson"
    path.write_text('{"type": "FeatureCollection", "features": []}', encoding="utf-8")
    with pytest.raises(InputError, match="no data rows"):
        read_site_listing(path)


def test_unknown_value_reason_quotes_the_raw_text_as_is(tmp_path):
    listing = read_site_listing(_change_2024(tmp_path, {("1", "type_fs"): "L'antenne"}))
    assert listing.rejects["reason"].tolist()[-1] == "unknown site_type value 'L'antenne'"


# --- malformed input: always one InputError line, never another exception --------------------

_POINT = '"geometry": {"type": "Point", "coordinates": [5.8, 46.1]}'


@pytest.mark.parametrize(
    ("text", "message"),
    [
        (
            '{"type": "FeatureCollection", "features": [{"properties": {"lib_fs": "\\ud800", "insee_com": "01033"}, '
            + _POINT
            + "}]}",
            "lone surrogate",
        ),
        ("[" * 50_000 + "]" * 50_000, "unreadable JSON"),
        (
            '{"type": "FeatureCollection", "features": [{"properties": {"lib_fs": "a", "n": ' + "9" * 5000 + "}}]}",
            "unreadable JSON",
        ),
    ],
    ids=["lone-surrogate", "deep-nesting", "huge-integer"],
)
def test_malformed_files_raise_one_input_error_line(tmp_path, text, message):
    path = tmp_path / "listing"
    path.write_text(text, encoding="utf-8")
    with pytest.raises(InputError, match=message) as error:
        read_site_listing(path)
    assert "\n" not in str(error.value)


def test_a_huge_field_is_a_value_not_a_malformed_file(tmp_path):
    path = tmp_path / "listing.csv"
    path.write_text("lib_fs;insee_com;latitude;longitude\n" + "x" * 200_000 + ";01033;46,1;5,8\n", encoding="utf-8")
    listing = read_site_listing(path)
    assert len(listing.rows) == 1 and len(listing.rows["site_name"].iloc[0]) == 200_000


def test_unreadable_path_raises_input_error(tmp_path):
    with pytest.raises(InputError, match="cannot read the file"):
        read_site_listing(tmp_path)


def test_non_finite_coordinates_are_unparsable_not_kept(tmp_path):
    path = tmp_path / "listing.geojson"
    path.write_text(
        '{"type": "FeatureCollection", "features": [{"properties": {"lib_fs": "a", "insee_com": "01033", '
        '"latitude": Infinity, "longitude": 5.8}}, {"properties": {"lib_fs": "b", "insee_com": "01033"}, '
        '"geometry": {"type": "Point", "coordinates": [NaN, 46.1]}}]}',
        encoding="utf-8",
    )
    listing = read_site_listing(path)
    assert listing.rows["latitude"].isna().all()
    assert reasons(listing) == {"missing coordinates": [2], "unparsable coordinates": [1]}
