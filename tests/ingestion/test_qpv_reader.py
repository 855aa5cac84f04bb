"""QPV files of both generations, their combination, and the embedded 2024 list."""

import json

import pandas as pd
import pytest

from ingestion.errors import InputError
from ingestion.insee.snapshot import load_reference_snapshot
from ingestion.qpv import combine_qpv_loads, load_qpv_snapshot, read_qpv_file
from ingestion.qpv.codes import department_of_qpv, generation_of
from tests.conftest import real_file

CARCASSONNE = "11069"
SQUARE = [[[2.35, 43.21], [2.36, 43.21], [2.36, 43.22], [2.35, 43.22], [2.35, 43.21]]]


@pytest.fixture(scope="module")
def communes() -> pd.DataFrame:
    snapshot = load_reference_snapshot()
    return snapshot[snapshot["commune_type"].isin(["COM", "ARM"])]


def _geojson(tmp_path, features, name="qpv.geojson"):
    path = tmp_path / name
    path.write_text(json.dumps({"type": "FeatureCollection", "features": features}), encoding="utf-8")
    return path


def _feature(properties, geometry=None):
    return {"type": "Feature", "properties": properties, "geometry": geometry}


def test_codes_say_their_generation_and_department():
    assert (generation_of("QP011002"), generation_of("QN01102I"), generation_of("QX011002")) == (2015, 2024, None)
    assert (department_of_qpv("QP011002"), department_of_qpv("QN97101M"), department_of_qpv("QP02A001")) == (
        "11",
        "971",
        "2A",
    )


def test_real_2015_csv_populations_with_commune_names_mapped(communes):
    read = read_qpv_file(real_file("qpv", "qpv2015_occitanie.csv"), communes)
    rows = read.rows
    assert read.shape == "table" and read.rejects.empty
    assert rows["qpv_code"].nunique() == 105 and len(rows) == 106 and set(rows["generation"]) == {2015}
    carcassonne = rows[rows["commune_code"] == CARCASSONNE]
    assert carcassonne["qpv_code"].tolist() == ["QP011002", "QP011003", "QP011004", "QP011005", "QP011006"]
    assert carcassonne["population"].sum() == 9831
    # "Séméac, Tarbes": one QPV over two communes, a row in each; "La Grand-Combe" is the
    # register's "Grand-Combe".
    assert rows[rows["qpv_code"] == "QP065003"]["commune_code"].tolist() == ["65417", "65440"]
    assert set(rows[rows["commune_name"] == "La Grand-Combe"]["commune_code"]) == {"30132"}
    assert json.loads(carcassonne["extra"].iloc[0])["pop_com"] == "46724"


def test_real_2015_outlines_as_wkt_with_a_point_inside(communes):
    read = read_qpv_file(real_file("qpv", "qpv2015_occitanie.geojson"), communes)
    rows = read.rows
    assert read.shape == "polygons" and len(rows) == 105 and rows["wkt"].notna().all()
    assert rows["wkt"].str.match(r"^(MULTI)?POLYGON").all()
    assert (rows["point_source"] == "polygon").all() and rows["population"].isna().all()
    assert set(read.rejects["reason"]) == {"invalid polygon (self-intersection) repaired with make_valid"}
    assert len(read.rejects) == 32
    assert len(rows[rows["commune_code"] == CARCASSONNE]) == 5


def test_real_2024_points_one_row_per_qpv_and_commune(communes):
    read = read_qpv_file(real_file("qpv", "qpv2024_points_par_commune.geojson"), communes)
    rows = read.rows
    assert read.shape == "points_per_commune" and read.rejects.empty
    assert (len(rows), rows["qpv_code"].nunique(), rows["commune_code"].nunique()) == (1684, 1493, 824)
    assert set(rows["generation"]) == {2024}
    bourg = rows[rows["commune_code"] == "01053"]
    assert bourg[["qpv_code", "qpv_name"]].values.tolist() == [
        ["QN00101M", "Grande Reyssouze Terre Des Fleurs"],
        ["QN00102M", "Croix Blanche"],
    ]
    assert len(rows[rows["commune_code"] == CARCASSONNE]) == 5


def test_csv_and_outlines_of_2015_combine_whatever_the_order(communes):
    table = real_file("qpv", "qpv2015_occitanie.csv")
    outlines = real_file("qpv", "qpv2015_occitanie.geojson")
    loads = [("csv", read_qpv_file(table, communes).rows), ("geojson", read_qpv_file(outlines, communes).rows)]
    for order in (loads, loads[::-1]):
        combined = combine_qpv_loads([("embedded", load_qpv_snapshot()), *order])
        qpvs_2015 = combined[combined["generation"] == 2015]
        assert len(qpvs_2015) == 106 and qpvs_2015["has_polygon"].all() and qpvs_2015["population"].notna().all()
        carcassonne = qpvs_2015[qpvs_2015["commune_code"] == CARCASSONNE]
        assert carcassonne["population"].sum() == 9831 and carcassonne["has_polygon"].all()
        assert set(carcassonne["population_load_id"]) == {"csv"}
        assert set(carcassonne["polygon_load_id"]) == {"geojson"}
        tarbes_est = qpvs_2015[qpvs_2015["qpv_code"] == "QP065003"].set_index("commune_code")
        assert tarbes_est["point_source"].to_dict() == {"65417": "qpv_polygon", "65440": "polygon"}
        assert tarbes_est["communes_in_qpv"].tolist() == [2, 2] and tarbes_est["population"].tolist() == [3316, 3316]
        assert (combined["generation"] == 2024).sum() == 1684


def test_newest_load_wins_per_attribute_and_an_empty_value_erases_nothing(tmp_path, communes):
    older = tmp_path / "older.csv"
    older.write_text("code_qp,nom_qp,insee_com,pop_mun\nQP011002,Ozanam,11069,2000\n", encoding="utf-8")
    newer = tmp_path / "newer.csv"
    newer.write_text("code_qp,nom_qp,insee_com,pop_mun\nQP011002,La Conte - Ozanam,11069,\n", encoding="utf-8")
    combined = combine_qpv_loads(
        [("old", read_qpv_file(older, communes).rows), ("new", read_qpv_file(newer, communes).rows)]
    )
    [row] = combined.to_dict("records")
    assert (row["qpv_name"], row["population"], row["load_id"], row["population_load_id"]) == (
        "La Conte - Ozanam",
        2000,
        "new",
        "old",
    )
    assert not row["has_polygon"] and pd.isna(row["latitude"])


def test_embedded_list_is_the_2024_generation():
    snapshot = load_qpv_snapshot()
    assert (len(snapshot), snapshot["qpv_code"].nunique(), set(snapshot["generation"])) == (1684, 1493, {2024})
    combined = combine_qpv_loads([("embedded", snapshot)])
    assert combined["point_source"].eq("file").all() and not combined["has_polygon"].any()
    assert combined[combined["commune_code"] == CARCASSONNE]["qpv_code"].tolist() == [
        "QN01102I",
        "QN01103I",
        "QN01104I",
        "QN01105I",
        "QN01106M",
    ]


def test_bad_rows_rejected_or_noted(tmp_path, communes):
    path = tmp_path / "qpv.csv"
    path.write_text(
        "\ufeffcode_qp,nom_qp,nom_commune,pop_mun\n"
        "QP011002,La Conte - Ozanam,Carcassonne,2060\n"
        "QP011003,Le Viguier,Carcassonne,beaucoup\n"
        "QP011004,Bastide,Carcassonne,1 050\n"
        ",Sans code,Carcassonne,10\n"
        "QP01100X,Code faux,Carcassonne,10\n"
        "QP011007,Nulle part,Atlantis,10\n"
        "QP011008,Ailleurs,Limoux,10\n"
        "QP011009,Ailleurs,Limoux,10\n"
        "QP011010,Homonyme,Sainte-Colombe,10\n",
        encoding="utf-8",
    )
    read = read_qpv_file(path, communes)
    assert read.rows["qpv_code"].tolist() == ["QP011002", "QP011003", "QP011004", "QP011008", "QP011009"]
    assert read.rows["population"].tolist()[:3] == [2060, pd.NA, 1050]
    assert read.rejects[["row", "column", "reason"]].values.tolist() == [
        [3, "pop_mun", "unreadable population (expected a whole number ≥ 0): left empty"],
        [5, "code_qp", "row without a QPV code"],
        [
            6,
            "code_qp",
            "invalid QPV code 'QP01100X' (expected QP + 6 digits for 2015, QN + 5 digits and a letter for 2024)",
        ],
        [7, "nom_commune", "commune name 'Atlantis' not found in department 11"],
        [10, "nom_commune", "commune name 'Sainte-Colombe' not found in department 11"],
    ]


def test_name_list_not_matching_the_code_list_is_noted(tmp_path, communes):
    path = _geojson(
        tmp_path,
        [
            _feature(
                {"insee_com": "11069", "lib_com": "Carcassonne", "code_qp": "QN01102I, QN01103I", "lib_qp": "Ozanam"},
                {"type": "Point", "coordinates": [2.34, 43.21]},
            )
        ],
    )
    read = read_qpv_file(path, communes)
    assert read.rows["qpv_name"].isna().all() and len(read.rows) == 2
    assert read.rejects["reason"].tolist() == ["1 names for 2 QPV codes: names left empty"]


def test_outline_in_a_plain_polygon_file_and_an_integer_commune_code(tmp_path, communes):
    path = _geojson(
        tmp_path,
        [
            _feature(
                {"code_qp": "QP001001", "nom_qp": "Test", "code_commune": 1053},
                {"type": "Polygon", "coordinates": SQUARE},
            )
        ],
    )
    [row] = read_qpv_file(path, communes).rows.to_dict("records")
    assert row["commune_code"] == "01053" and row["wkt"].startswith("POLYGON ((2.35 43.21")
    assert (round(row["longitude"], 3), round(row["latitude"], 3)) == (2.355, 43.215)


@pytest.mark.parametrize(
    ("name", "content", "message"),
    [
        (
            "no_codes.csv",
            "nom_qp,nom_commune,pop_mun\nOzanam,Carcassonne,2060\n",
            "no_codes.csv: column 'code_qp': no QPV code column (expected code_qp): each neighbourhood must be "
            "named by its code (QP… for 2015, QN… for 2024)",
        ),
        (
            "empty_codes.csv",
            "code_qp,nom_qp,nom_commune\n,Ozanam,Carcassonne\n,Viguier,Carcassonne\n",
            "empty_codes.csv: column 'code_qp': no valid QPV code in the file; first: row 2: row without a QPV code",
        ),
        ("header.csv", "code_qp,nom_qp\n", "header.csv: no data rows (header only)"),
        ("qpv.geojson", '{"type": "FeatureCollection", "features": []}', "qpv.geojson: no data rows"),
        ("bad.geojson", '{"type": "FeatureCollection", "features": [', "bad.geojson: invalid or truncated JSON"),
    ],
)
def test_file_level_problems_fail_in_one_line(tmp_path, communes, name, content, message):
    path = tmp_path / name
    path.write_text(content, encoding="utf-8")
    with pytest.raises(InputError) as raised:
        read_qpv_file(path, communes)
    assert raised.value.line().startswith(message)
