"""Barometer reader: the published national series and targets."""

import pytest

from ingestion.barometer import read_barometer
from ingestion.errors import InputError
from tests.conftest import real_file


def test_national_detail_series():
    rows = read_barometer(real_file("barometre", "barometre-resultats-detail-national.csv")).rows
    series = dict(zip(rows["date"].astype(str), rows["value"]))
    assert series["2020-01-31"] == 460 and series["2022-04-30"] == 2197 and series["2022-11-30"] == 2538


def test_department_synthesis_has_targets():
    rows = read_barometer(real_file("barometre", "barometre-resultats-synthese-departemental.csv")).rows
    ain = rows[(rows["territory_code"] == "01")]
    assert set(ain["kind"]) == {"published", "target"}
    assert ain[ain["kind"] == "target"]["value"].iloc[0] == 23


def test_fixture_with_bad_value_names_row_and_column(tmp_path):
    path = tmp_path / "baro.csv"
    path.write_text(
        "mesure,indicateur,id_indicateur,maille_geographique,date,valeur,unite\n"
        "m,i,nb-labellisations-france-services,national,2020-01-31,460.0,labellisations\n"
        "m,i,nb-labellisations-france-services,national,2020-02-29,beaucoup,labellisations\n",
        encoding="utf-8",
    )
    with pytest.raises(InputError) as error:
        read_barometer(path)
    assert str(error.value) == "baro.csv: row 3, column 'valeur': not a number: 'beaucoup'"


HEADER = "mesure,indicateur,id_indicateur,maille_geographique,date,valeur,unite\n"
ROW = "m,i,nb-labellisations-france-services,national,{date},460.0,labellisations\n"


@pytest.mark.parametrize("date", ["\\1", "now", "", "01/02/2022", "2022-02-30", "nan"])
def test_a_date_that_is_not_iso_fails_the_file_in_one_line(tmp_path, date):
    # found by tests/fuzz: pd.Timestamp crashed on '\1' (year 0) and read '' as NaT, 'now' as today
    path = tmp_path / "baro.csv"
    path.write_text(HEADER + ROW.format(date="2020-01-31") + ROW.format(date=date), encoding="utf-8")
    with pytest.raises(InputError) as error:
        read_barometer(path)
    assert str(error.value) == f"baro.csv: row 3, column 'date': not a date (expected YYYY-MM-DD): {date!r}"


def test_source_rows_are_the_lines_rows_start_on(tmp_path):
    # found by tests/fuzz: rows were numbered by record, blank lines and quoted line ends skipped
    path = tmp_path / "baro.csv"
    path.write_text(
        HEADER
        + "\n"
        + ROW.format(date="2020-01-31")
        + '"a\nb",i,x,national,2020-01-31,1.0,u\n'
        + ROW.format(date="2020-02-29")
        + "\n"
        + ROW.format(date="2020-03-31 00:00:00"),
        encoding="utf-8",
    )
    rows = read_barometer(path).rows
    assert rows["source_row"].tolist() == [3, 6, 8]
    assert rows["date"].astype(str).tolist() == ["2020-01-31", "2020-02-29", "2020-03-31"]


@pytest.mark.parametrize("content", [b"\xef\xbb\xbf", b"\xef\xbb\xbf\r\n \n", b",,\n,\n"])
def test_a_file_with_no_header_fails_in_one_line(tmp_path, content):
    # found by tests/fuzz: a BOM alone, or delimiters alone, raised IndexError
    path = tmp_path / "baro.csv"
    path.write_bytes(content)
    with pytest.raises(InputError, match=r"^baro.csv: (the file is empty|the file has no header row)"):
        read_barometer(path)


@pytest.mark.parametrize("value", ["", "nan", "inf", "-Infinity"])
def test_a_value_that_is_no_number_fails_the_file_in_one_line(tmp_path, value):
    # an empty value was loaded as None, 'nan' and 'inf' as floats: no published count is any of those
    path = tmp_path / "baro.csv"
    path.write_text(HEADER + ROW.format(date="2020-01-31").replace("460.0", value), encoding="utf-8")
    with pytest.raises(InputError) as error:
        read_barometer(path)
    assert str(error.value) == f"baro.csv: row 2, column 'valeur': not a number: {value!r}"
