"""The activity reader on tiny hand-made exports: every dialect, every reject, every file error."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pandas as pd
import pytest

from ingestion.activity import PARTNERS, partner_code, read_activity
from ingestion.activity.reader import ROW_COLUMNS
from ingestion.errors import InputError

FIXTURES = Path(__file__).parent / "fixtures"
TODAY = dt.date(2024, 6, 30)


def read(name: str):
    return read_activity(FIXTURES / name, today=TODAY)


def test_semicolon_cp1252_export_with_thousands_spaces_and_trailing_blank_lines():
    result = read("semicolon_cp1252.csv")
    rows = result.rows
    assert result.rejects.empty
    assert (
        list(rows.columns)
        == [
            "site_id",
            "activity_date",
            "is_monthly",
            "partner_code",
            "partner_label",
            "theme",
            "channel",
            "requests",
            "resolved_first_visit",
            "source_sheet",
            "source_row",
        ]
        == ROW_COLUMNS
    )
    assert rows["requests"].tolist() == [12, 3, 1234, 2]
    assert rows["resolved_first_visit"].tolist() == [10, 3, 1000, pd.NA]
    assert rows["partner_code"].tolist() == ["dgfip", "cnaf", "france_travail", "other"]
    assert rows["partner_label"].tolist()[3] == "Mairie de Brioude"
    assert rows["theme"].tolist()[0] == "Impôts, prélèvement à la source"
    assert rows["channel"].tolist()[1] == "Téléphone"
    assert rows["activity_date"].tolist()[2] == pd.Timestamp("2024-04-03")
    assert not rows["is_monthly"].any()
    assert rows["source_row"].tolist() == [2, 3, 4, 5]
    assert rows["requests"].dtype == "int64"


def test_comma_utf8_bom_export_with_iso_dates_quotes_and_float_site_ids():
    rows = read("comma_utf8_bom.csv").rows
    assert rows["site_id"].tolist() == ["12", "12", "13"]
    assert rows["activity_date"].dt.strftime("%Y-%m-%d").tolist() == ["2024-04-02", "2024-04-03", "2024-04-03"]
    assert rows["theme"].tolist()[0] == "Impôts, prélèvement à la source"
    assert rows["requests"].sum() == 5 + 1050 + 7
    assert rows["partner_code"].tolist() == ["dgfip", "cnaf", "cnam"]
    assert rows["channel"].tolist() == ["Visio", "Accueil physique", "Itinérance"]


def test_tab_export_by_month_without_optional_columns():
    rows = read("tab_monthly.csv").rows
    assert rows["is_monthly"].all()
    assert rows["activity_date"].dt.strftime("%Y-%m-%d").tolist() == ["2024-03-01", "2024-04-01", "2024-04-01"]
    assert rows["partner_code"].tolist() == ["msa", "interieur", "justice"]
    assert rows["resolved_first_visit"].isna().all()
    assert rows["channel"].isna().all()
    assert rows["requests"].sum() == 68


def test_every_row_level_problem_is_rejected_and_the_rest_loads():
    result = read("rejects.csv")
    rejects = result.rejects
    assert list(rejects.columns) == ["file", "sheet", "row", "column", "value", "reason"]
    assert rejects[["row", "column", "value", "reason"]].values.tolist() == [
        [3, "Nombre de demandes", "-3", "negative count"],
        [4, "Nombre de demandes", "beaucoup", "non-numeric count"],
        [5, "Dont résolues au premier contact", "5", "resolved greater than requests"],
        [6, "Date", "31/02/2024", "unreadable date"],
        [7, "Date", "02/04/2031", "date in the future"],
        [8, "Matricule", "", "missing site id"],
    ]
    assert set(rejects["file"]) == {"rejects.csv"}
    assert result.rows["source_row"].tolist() == [2, 9]
    # file total 10-3+0+2+4+6+8+20 = 47 (the unreadable count aside); loaded = total minus rejected rows
    assert result.rows["requests"].sum() == 47 - (-3 + 2 + 4 + 6 + 8) == 30


def test_blank_lines_inside_the_file_keep_line_numbers_right():
    result = read("blank_lines_inside.csv")
    assert result.rows["source_row"].tolist() == [2]
    assert result.rejects[["row", "reason"]].values.tolist() == [[5, "negative count"]]


@pytest.mark.parametrize(
    ("name", "line"),
    [
        (
            "missing_partner.csv",
            "missing_partner.csv: row 1, column 'Partenaire': missing required column 'Partenaire'",
        ),
        ("binary.csv", "binary.csv: the bytes are not text (binary file?); expected a CSV in UTF-8 or cp1252"),
        ("empty.csv", "empty.csv: the file is empty"),
        ("header_only.csv", "header_only.csv: no data rows under the header"),
        (
            "duplicated_column.csv",
            "duplicated_column.csv: row 1, column 'Date': duplicated column name 'Date' in the header",
        ),
    ],
)
def test_file_level_problems_raise_one_line(name, line):
    with pytest.raises(InputError) as error:
        read(name)
    assert str(error.value) == line


def _workbook(path: Path) -> Path:
    from openpyxl import Workbook

    workbook = Workbook()
    notes = workbook.active
    notes.title = "Notes"
    notes.append(["Export réalisé par le logiciel de suivi"])
    header = [
        "Code structure",
        "Jour",
        "Partenaire",
        "Thématique",
        "Canal",
        "Nombre de demandes",
        "Dont résolues au premier contact",
    ]
    for sheet, rows in {
        "Mars 2024": [
            [101.0, dt.datetime(2024, 3, 4), "CAF", "RSA", "Accueil physique", 4, 3],
            [101.0, 45356, "CPAM", "Carte Vitale", "Téléphone", 2, 2],
        ],
        "Avril 2024": [
            [102, dt.date(2024, 4, 2), "Carsat", "Retraite", "Accueil physique", 5, 5],
            [102, "pas de date", "Carsat", "Retraite", "Accueil physique", 1, 1],
        ],
    }.items():
        worksheet = workbook.create_sheet(sheet)
        worksheet.append(["Activité France services"])
        worksheet.append([])
        worksheet.append(header)
        for row in rows:
            worksheet.append(row)
    workbook.save(path)
    return path


def test_xlsx_with_title_rows_and_one_sheet_per_month(tmp_path):
    result = read_activity(_workbook(tmp_path / "activite.xlsx"), today=TODAY)
    rows = result.rows
    assert rows["source_sheet"].tolist() == ["Mars 2024", "Mars 2024", "Avril 2024"]
    assert rows["source_row"].tolist() == [4, 5, 4]
    assert rows["site_id"].tolist() == ["101", "101", "102"]
    # 45356 is Excel's serial number for 2024-03-05
    assert rows["activity_date"].dt.strftime("%Y-%m-%d").tolist() == ["2024-03-04", "2024-03-05", "2024-04-02"]
    assert rows["requests"].sum() == 11
    assert result.rejects[["sheet", "row", "column", "reason"]].values.tolist() == [
        ["Avril 2024", 5, "Jour", "unreadable date"]
    ]


def test_truncated_xlsx_is_a_file_level_error(tmp_path):
    whole = _workbook(tmp_path / "whole.xlsx").read_bytes()
    broken = tmp_path / "broken.xlsx"
    broken.write_bytes(whole[: len(whole) // 2])
    with pytest.raises(InputError) as error:
        read_activity(broken, today=TODAY)
    assert str(error.value).startswith("broken.xlsx: not a readable XLSX workbook")


def test_xlsx_without_the_header_on_any_sheet(tmp_path):
    from openpyxl import Workbook

    workbook = Workbook()
    workbook.active.append(["Rien à voir", "ici"])
    workbook.save(tmp_path / "vide.xlsx")
    with pytest.raises(InputError) as error:
        read_activity(tmp_path / "vide.xlsx", today=TODAY)
    assert str(error.value) == (
        "vide.xlsx: sheet 'Sheet': no header row found (expected columns Matricule, Date, Partenaire, Nombre de demandes)"
    )


@pytest.mark.parametrize(
    ("label", "code"),
    [
        ("ANTS", "interieur"),
        ("Ministère de l'Intérieur", "interieur"),
        ("Titres sécurisés", "interieur"),
        ("Point justice", "justice"),
        ("DGFIP - impôts", "dgfip"),
        ("Finances Publiques", "dgfip"),
        ("CAF", "cnaf"),
        ("Assurance Maladie", "cnam"),
        ("CPAM du Cantal", "cnam"),
        ("Assurance retraite", "cnav"),
        ("CARSAT", "cnav"),
        ("Pôle Emploi", "france_travail"),
        ("France travail", "france_travail"),
        ("La Poste", "la_poste"),
        ("MSA", "msa"),
        ("Conseil départemental", "other"),
        ("", "other"),
    ],
)
def test_partner_codes(label, code):
    assert partner_code(label) == code


def test_ten_partner_codes_with_french_labels():
    assert len(PARTNERS) == 10 and PARTNERS["other"] == "Autre partenaire"


def test_lines_with_missing_or_extra_fields_still_load():
    rows = read("ragged.csv").rows
    assert rows["site_id"].tolist() == ["101", "102", "103"]
    assert rows["requests"].sum() == 12
    assert rows["source_row"].tolist() == [2, 3, 4]


def test_csv_with_title_rows_above_the_header():
    result = read("title_rows.csv")
    assert result.rows["source_row"].tolist() == [5]
    assert result.rejects[["row", "value", "reason"]].values.tolist() == [[7, "-4", "negative count"]]


@pytest.mark.parametrize(
    "body",
    [
        "101;04/03/2024;CAF;Prime d'activité;Accueil;3;2\n102;05/03/2024;Impôts;Déclaration;Téléphone;1;1\n",
        '101;04/03/2024;"CAF\nde l\'Allier";"Thème; long";Accueil;3;2\n\n102;05/03/2024;Impôts;x;y;1;1\n',
        "101;04/03/2024;CAF;é;y;3;2\n;;\n102;05/03/2024;Impôts;x\n103;06/03/2024;MSA;x;y;-1;1;extra\n\n",
    ],
    ids=["plain", "quoted-line-break-and-empty-line", "blank-short-and-long-lines"],
)
def test_cp1252_export_reads_like_its_utf8_twin(tmp_path, body):
    text = "Matricule;Date;Partenaire;Thématique;Canal;Nombre de demandes;Résolues\n" + body
    (tmp_path / "cp1252.csv").write_bytes(text.encode("cp1252"))
    (tmp_path / "utf8.csv").write_bytes(text.encode("utf-8"))
    cp1252 = read_activity(tmp_path / "cp1252.csv", today=TODAY)
    utf8 = read_activity(tmp_path / "utf8.csv", today=TODAY)
    pd.testing.assert_frame_equal(cp1252.rows, utf8.rows)
    pd.testing.assert_frame_equal(cp1252.rejects.drop(columns="file"), utf8.rejects.drop(columns="file"))


def test_rows_after_a_quoted_line_end_keep_their_own_line_numbers(tmp_path):
    # found by tests/fuzz: rows were numbered as if every record took one line
    path = tmp_path / "multiline.csv"
    path.write_text(
        "Matricule;Date;Partenaire;Thématique;Nombre de demandes\n"
        '101;02/04/2024;CAF;"RSA\nprime";3\n'
        "102;31/02/2024;CAF;RSA;4\n"
        '103;02/04/2024;"Mairie\n\nde Brioude";RSA;5\n'
        "104;02/04/2024;CAF;RSA;6\n",
        encoding="utf-8",
    )
    result = read_activity(path, today=TODAY)
    assert result.rows["source_row"].tolist() == [2, 5, 8]
    assert result.rows["theme"].tolist()[0] == "RSA\nprime"
    assert result.rows["partner_label"].tolist()[1] == "Mairie\n\nde Brioude"
    assert result.rejects[["row", "reason"]].values.tolist() == [[4, "unreadable date"]]


def test_a_quote_left_open_names_its_line(tmp_path):
    path = tmp_path / "open_quote.csv"
    path.write_text(
        'Matricule;Date;Partenaire;Nombre de demandes\n101;02/04/2024;CAF;3\n102;02/04/2024;"CAF;4\n103;02/04/2024;CAF;4\n',
        encoding="utf-8",
    )
    with pytest.raises(
        InputError, match=r"^open_quote.csv: row 3: malformed CSV: a quoted value opened on this line is never closed$"
    ):
        read_activity(path, today=TODAY)


def test_a_row_with_values_only_in_unused_columns_is_rejected_not_dropped(tmp_path):
    # found by tests/fuzz: a row blank in every column the reader uses was dropped silently
    path = tmp_path / "comment_only.csv"
    path.write_text(
        "Matricule;Date;Partenaire;Nombre de demandes;Commentaire\n"
        "101;02/04/2024;CAF;3;\n"
        ";;;;appel du maire, à rappeler\n"
        ";;;;\n"
        ";;;\n",
        encoding="utf-8",
    )
    result = read_activity(path, today=TODAY)
    assert result.rows["source_row"].tolist() == [2]
    assert sorted(set(result.rejects["row"])) == [3]
    assert "missing site id" in set(result.rejects["reason"])


def test_a_sheet_row_with_values_only_in_unused_columns_is_rejected_not_dropped(tmp_path):
    from openpyxl import Workbook

    workbook = Workbook()
    sheet = workbook.active
    for row in [
        ["Matricule", "Date", "Partenaire", "Nombre de demandes", "Commentaire"],
        [101, "02/04/2024", "CAF", 3, None],
        [None, None, None, None, "à rappeler"],
        [None, " ", None, None, None],
    ]:
        sheet.append(row)
    workbook.save(tmp_path / "comment_only.xlsx")
    result = read_activity(tmp_path / "comment_only.xlsx", today=TODAY)
    assert result.rows["source_row"].tolist() == [2]
    assert sorted(set(result.rejects["row"])) == [3]


def test_lines_ended_by_a_lone_cr_are_lines(tmp_path):
    # found by tests/fuzz: a CR-only export (Excel's "CSV Macintosh") failed; a lone CR in an
    # LF file split the record for the parser but not for the row numbers
    path = tmp_path / "mac.csv"
    path.write_bytes(
        b"Export\rMatricule;Date;Partenaire;Nombre de demandes\r101;02/04/2024;CAF;3\r\r102;31/02/2024;CAF;4\r"
    )
    result = read_activity(path, today=TODAY)
    assert result.rows["source_row"].tolist() == [3]
    assert result.rejects[["row", "reason"]].values.tolist() == [[5, "unreadable date"]]
    path.write_bytes(
        b"Matricule;Date;Partenaire;Nombre de demandes\n101;02/04/2024;CAF;3\r102;31/02/2024;CAF;4\n103;02/04/2024;CAF;5\n"
    )
    result = read_activity(path, today=TODAY)
    assert result.rows["source_row"].tolist() == [2, 4]
    assert result.rejects[["row", "reason"]].values.tolist() == [[3, "unreadable date"]]


def test_rows_that_all_omit_the_trailing_empty_columns_are_read(tmp_path):
    # found by tests/fuzz: pandas refused the file ("Too many columns specified") when no row
    # reached the last header column, while one short row among others was padded
    path = tmp_path / "trimmed.csv"
    path.write_text(
        "Matricule;Date;Partenaire;Nombre de demandes;Dont résolues au premier contact;Canal\n"
        "101;02/04/2024;CAF;3\n102;02/04/2024;CAF;4;2\n",
        encoding="utf-8",
    )
    rows = read_activity(path, today=TODAY).rows
    assert rows["requests"].tolist() == [3, 4]
    assert rows["resolved_first_visit"].tolist() == [pd.NA, 2]
    assert rows["channel"].isna().all()
    assert rows["source_row"].tolist() == [2, 3]


def test_a_line_of_delimiters_and_spaces_moves_no_row_number(tmp_path):
    # found by tests/fuzz: ",  \t ,,," (spaces between the delimiters, one field too many) was
    # skipped by the parser but counted as a row when numbering lines
    path = tmp_path / "spaces.csv"
    path.write_text(
        "Matricule,Date,Partenaire,Nombre de demandes\n, \t ,,,\n101,02/04/2024,CAF,3\n\n102,31/02/2024,CAF,4\n",
        encoding="utf-8",
    )
    result = read_activity(path, today=TODAY)
    assert result.rows["source_row"].tolist() == [3]
    assert result.rejects[["row", "reason"]].values.tolist() == [[5, "unreadable date"]]
