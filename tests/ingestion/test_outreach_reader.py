"""Outreach files: the real bus file, the lieux schema as JSON and CSV, the local-team template."""

import json

import pandas as pd
import pytest

from ingestion.errors import InputError
from ingestion.insee.snapshot import load_reference_snapshot
from ingestion.outreach import read_outreach_places
from tests.conftest import real_file

TEMPLATE_HEADER = "site_id;place_name;commune_code;latitude;longitude;opening_hours;weeks;valid_from;valid_to"


@pytest.fixture(scope="module")
def communes() -> pd.DataFrame:
    snapshot = load_reference_snapshot()
    return snapshot[snapshot["commune_type"].isin(["COM", "ARM"])]


def _place(**fields):
    base = {
        "id": 1,
        "nom": "Bus France Services - [Place de la mairie]",
        "commune": "Tusson",
        "code_postal": 16140,
        "code_insee": 16390,
        "latitude": 45.932439,
        "longitude": 0.068913,
        "horaires": "Tu 09:00-12:30,13:30-15:30; PH off",
        "structure_parente": "Emmaus Ruffec",
        "labels_nationaux": "France Services;CNFS",
        "ouverture": "Semaine impaire",
    }
    return {**base, **fields}


def _json(tmp_path, places, name="places.json"):
    path = tmp_path / name
    path.write_text(json.dumps(places, ensure_ascii=False), encoding="utf-8")
    return path


def test_real_bus_file_twelve_stops_valence_replaced_and_hours(communes):
    read = read_outreach_places(real_file("outreach", "bus-france-services-charente.json"), communes)
    places, sessions = read.places, read.sessions
    assert read.shape == "lieux_mediation_json" and len(places) == 12 and read.rejected_rows == 0
    assert places["place_id"].is_unique
    assert places["weeks"].value_counts().to_dict() == {"odd": 6, "even": 6}
    assert (places["hours_odd_week"].sum(), places["hours_even_week"].sum()) == (25.5, 20.5)
    assert places["hours_per_week_avg"].sum() == 23.0
    weight = sessions["weeks"].map({"all": 1.0, "odd": 0.5, "even": 0.5})
    assert (sessions["minutes"] * weight).sum() / 60 == 23.0
    assert places["public_holidays_off"].all() and set(places["structure_parente"]) == {"Emmaus Ruffec"}
    assert set(places["department_code"]) == {"16"}
    valence = places[places["commune_code"] == "16392"].iloc[0]
    assert valence["position_replaced"] and round(valence["km_from_commune"]) == 485
    assert (valence["given_latitude"], valence["given_longitude"]) == (43.451334, 5.411872)
    point = communes.set_index("commune_code").loc["16392"]
    assert (valence["latitude"], valence["longitude"]) == (point["latitude"], point["longitude"])
    assert places["position_replaced"].sum() == 1
    [note] = read.rejects.to_dict("records")
    assert (note["row"], note["column"], note["value"]) == (4, "latitude", "43.451334, 5.411872")
    assert note["reason"] == (
        "coordinates 485 km from the point of commune 16392 (more than 20 km): replaced by the commune's point"
    )
    assert json.loads(places["extra"].iloc[0])["SIRET"] == "401 092 267 00020"


def test_integer_codes_padded_and_a_feature_collection(tmp_path, communes):
    bourg = _place(code_insee=1053, code_postal=1000, commune="Bourg-en-Bresse", latitude=46.2, longitude=5.22)
    read = read_outreach_places(_json(tmp_path, [bourg]), communes)
    assert read.places[["commune_code", "postcode", "department_code"]].iloc[0].tolist() == ["01053", "01000", "01"]
    collection = {
        "type": "FeatureCollection",
        "features": [
            {
                "type": "Feature",
                "properties": {**_place(), "latitude": None, "longitude": None},
                "geometry": {"type": "Point", "coordinates": [0.068913, 45.932439]},
            }
        ],
    }
    read = read_outreach_places(_json(tmp_path, collection, "places.geojson"), communes)
    assert read.shape == "lieux_mediation_json"
    assert (read.places["latitude"].iloc[0], read.places["position_replaced"].iloc[0]) == (45.932439, False)


@pytest.mark.parametrize(
    ("delimiter", "encoding"),
    [(",", "utf-8"), (";", "utf-8"), (";", "utf-8-sig"), (";", "cp1252")],
)
def test_lieux_schema_as_csv(tmp_path, communes, delimiter, encoding):
    header = ["id", "nom", "commune", "code_postal", "code_insee", "latitude", "longitude", "horaires", "ouverture"]
    rows = [
        [
            "1",
            "Mairie de Nanteuil-en-Vallée",
            "Nanteuil-en-Vallée",
            "16700",
            "16242",
            "46,000698",
            "0,32133",
            "We 09:00-12:30,13:30-15:30; PH off",
            "Semaine impaire",
        ],
        ["2", "Salle des fêtes", "Luxé", "16230", "16196", "45.891436", "0.117354", "Th 13:30-16:30", ""],
    ]
    lines = [delimiter.join(header)] + [delimiter.join(f'"{cell}"' for cell in row) for row in rows]
    path = tmp_path / "lieux.csv"
    path.write_bytes("\r\n".join(lines).encode(encoding))
    read = read_outreach_places(path, communes)
    assert read.shape == "lieux_mediation_csv" and read.rejects.empty
    places = read.places
    assert places["place_name"].tolist() == ["Mairie de Nanteuil-en-Vallée", "Salle des fêtes"]
    assert places["weeks"].tolist() == ["odd", "all"]
    assert places["hours_per_week_avg"].tolist() == [2.75, 3.0]
    assert places["latitude"].iloc[0] == 46.000698 and places["source_row"].tolist() == [2, 3]


def test_template_with_empty_site_id_weeks_and_validity(tmp_path, communes):
    path = tmp_path / "permanences.csv"
    path.write_text(
        "\n".join(
            [
                TEMPLATE_HEADER,
                "2023;Centre social Le Viguier;11069;43.2091;2.3313;Tu 09:00-12:00;all;2024-01-01;",
                ";Maison de quartier Ozanam;11069;;;Th 14:00-17:00;odd;2024-01-01;2024-12-31",
                ';Mairie annexe;11069;43.21;2.35;"Fr 09:00-12:00; Fr 14:00-16:00";even;2024-03-01;',
                ";Salle polyvalente;11069;quarante-trois;2.35;Sa 09:00-12:00;all;2024-03-01;",
            ]
        )
        + "\n",
        encoding="utf-8",
    )
    read = read_outreach_places(path, communes)
    assert read.shape == "template" and read.rejected_rows == 0
    places = read.places
    assert places["site_id"].tolist() == ["2023", pd.NA, pd.NA, pd.NA]
    assert places["weeks"].tolist() == ["all", "odd", "even", "all"]
    assert places["hours_per_week_avg"].tolist() == [3.0, 1.5, 1.0, 3.0]  # Fr 14:00-16:00 replaces the morning (OSM)
    assert str(places["valid_from"].iloc[0].date()) == "2024-01-01" and pd.isna(places["valid_to"].iloc[0])
    assert str(places["valid_to"].iloc[1].date()) == "2024-12-31"
    # No coordinates, or unreadable ones: the commune's point, noted.
    assert places["position_replaced"].tolist() == [False, True, False, True]
    assert read.rejects[["row", "value", "reason"]].values.tolist() == [
        [3, None, "no coordinates: the point of commune 11069 is used"],
        [5, "quarante-trois, 2.35", "unreadable coordinates: the point of commune 11069 is used"],
    ]
    assert places["place_id"].iloc[0] != places["place_id"].iloc[1]


def test_bad_rows_are_quarantined_with_their_reason(tmp_path, communes):
    places = [
        _place(id=1),
        _place(id=2, code_insee=None, nom="Arrêt sans commune"),
        _place(id=3, horaires="le mardi matin", nom="Arrêt 3"),
        _place(id=4, code_insee=99999, nom="Arrêt 4"),
        _place(id=5, ouverture="Une semaine sur trois", nom="Arrêt 5"),
        _place(id=6),
        _place(id=7, nom="Arrêt 7", horaires=""),
        _place(id=8, nom="Arrêt 8"),
        _place(id=9, nom="Arrêt 9"),
        _place(id=10, nom="Arrêt 10"),
        _place(id=11, nom="Arrêt 11"),
        _place(id=12, nom="Arrêt 12"),
    ]
    read = read_outreach_places(_json(tmp_path, places), communes)
    assert len(read.places) == 6 and read.rejected_rows == 6
    rejects = read.rejects[["row", "column", "value", "reason"]].to_dict("records")
    assert rejects == [
        {
            "row": 2,
            "column": "code_insee",
            "value": None,
            "reason": "place without a commune code: it cannot be located",
        },
        {
            "row": 3,
            "column": "horaires",
            "value": "le mardi matin",
            "reason": "unreadable opening_hours 'le mardi matin'",
        },
        {"row": 4, "column": "code_insee", "value": "99999", "reason": "unknown commune code 99999"},
        {
            "row": 5,
            "column": "ouverture",
            "value": "Une semaine sur trois",
            "reason": "unknown week parity 'Une semaine sur trois' (expected Semaine impaire or Semaine paire)",
        },
        {
            "row": 6,
            "column": "nom",
            "value": "Bus France Services - [Place de la mairie]",
            "reason": "same place and hours as row 1",
        },
        {"row": 7, "column": "horaires", "value": None, "reason": "missing opening_hours"},
    ]


def test_template_bad_dates_and_weeks(tmp_path, communes):
    path = tmp_path / "template.csv"
    good = [f";Lieu {n};11069;;;Mo 09:00-12:00;all;2024-01-01;" for n in range(4)]
    path.write_text(
        "\n".join(
            [
                TEMPLATE_HEADER,
                *good,
                ";Lieu A;11069;;;Mo 09:00-12:00;fortnightly;2024-01-01;",
                ";Lieu B;11069;;;Mo 09:00-12:00;all;01/02/2024;",
                ";Lieu C;11069;;;Mo 09:00-12:00;all;2024-05-01;2024-04-01",
                ";Lieu D;11069;;;Mo 09:00-12:00;all;;",
            ]
        ),
        encoding="utf-8",
    )
    read = read_outreach_places(path, communes)
    assert len(read.places) == 4
    rejected = read.rejects[read.rejects["column"] != "latitude"]
    assert rejected[["row", "column", "reason"]].values.tolist() == [
        [6, "weeks", "unknown week parity 'fortnightly' (expected all, odd or even)"],
        [7, "valid_from", "unreadable date '01/02/2024' (expected YYYY-MM-DD)"],
        [8, "valid_to", "valid_to 2024-04-01 before valid_from 2024-05-01"],
        [9, "valid_from", "missing valid_from (the date the place starts being served)"],
    ]


@pytest.mark.parametrize(
    ("content", "message"),
    [
        ("[]", "places.json: no data rows (an empty list of places)"),
        ('{"a": 1}', "places.json: expected a JSON list of places (or a GeoJSON FeatureCollection)"),
        ('[{"nom": "x"', "places.json: invalid or truncated JSON at line 1"),
        (
            '[{"nom": "Mairie", "code_insee": 16390}]',
            "places.json: column 'horaires': missing required column 'horaires' (lieux de médiation numérique shape)",
        ),
        ('[{"name": "x", "city": "y"}]', "places.json: not an outreach file: expected the lieux de médiation"),
        ("[1, 2]", "places.json: row 1: expected an object per place, found int"),
    ],
)
def test_file_level_problems_fail_in_one_line(tmp_path, communes, content, message):
    path = tmp_path / "places.json"
    path.write_text(content, encoding="utf-8")
    with pytest.raises(InputError) as raised:
        read_outreach_places(path, communes)
    assert raised.value.line().startswith(message)


def test_a_template_missing_a_column_or_mostly_bad_fails(tmp_path, communes):
    path = tmp_path / "template.csv"
    path.write_text("site_id;place_name;commune_code;opening_hours\n;Lieu;11069;Mo 09:00-12:00\n", encoding="utf-8")
    with pytest.raises(InputError, match="missing required column 'weeks', 'valid_from' \\(template shape\\)"):
        read_outreach_places(path, communes)
    path.write_text(TEMPLATE_HEADER + "\n;Lieu;11069;;;n'importe quand;all;2024-01-01;\n", encoding="utf-8")
    with pytest.raises(InputError) as raised:
        read_outreach_places(path, communes)
    assert raised.value.line() == (
        "template.csv: 1 of 1 places rejected (100%, more than 50%); first: row 2, column 'opening_hours': "
        'unreadable opening_hours "n\'importe quand"'
    )


def test_place_ids_are_the_same_across_files_and_shapes(tmp_path, communes):
    from_json = read_outreach_places(_json(tmp_path, [_place()]), communes).places
    path = tmp_path / "lieux.csv"
    path.write_text(
        "nom;code_insee;horaires;structure_parente;ouverture\n"
        "Bus France Services - [PLACE DE LA MAIRIE];16390;Tu 09:00-12:30;EMMAUS RUFFEC;Semaine impaire\n",
        encoding="utf-8",
    )
    from_csv = read_outreach_places(path, communes).places
    assert from_json["place_id"].iloc[0] == from_csv["place_id"].iloc[0]


def test_an_unquoted_semicolon_in_the_hours_names_the_row_and_the_fix(tmp_path, communes):
    path = tmp_path / "template.csv"
    path.write_text(TEMPLATE_HEADER + "\n;Lieu;11069;;;Mo 09:00-12:00; PH off;all;2024-01-01;\n", encoding="utf-8")
    with pytest.raises(InputError) as raised:
        read_outreach_places(path, communes)
    assert raised.value.line() == (
        "template.csv: row 2: 10 fields where the header has 9 (a value holding the delimiter, such as "
        '"Mo 09:00-12:00; PH off", must be in double quotes)'
    )
