"""`fsw ingest exports`: each file's source recognised from its header, as the readers find it."""

from pathlib import Path

import pytest
from openpyxl import Workbook

from ingestion.errors import InputError
from ingestion.exports import detect_export_source

ACTIVITY = Path(__file__).parent / "activity" / "fixtures"
SATISFACTION = Path(__file__).parent / "satisfaction" / "fixtures"


@pytest.mark.parametrize(
    "name", ["comma_utf8_bom.csv", "semicolon_cp1252.csv", "tab_monthly.csv", "title_rows.csv", "rejects.csv"]
)
def test_activity_exports_in_every_dialect_are_activity(name):
    assert detect_export_source(ACTIVITY / name) == "activity"


@pytest.mark.parametrize("name", ["labels_utf8_bom.csv", "scores_cp1252.csv", "rejects.csv"])
def test_satisfaction_exports_are_satisfaction(name):
    assert detect_export_source(SATISFACTION / name) == "satisfaction"


def test_a_workbook_with_title_rows_is_recognised(tmp_path):
    workbook = Workbook()
    sheet = workbook.active
    sheet.append(["Enquête de satisfaction — France services"])
    sheet.append([])
    sheet.append(["Identifiant France services", "Date", "Satisfaction"])
    sheet.append(["12", "2026-11-02", "Satisfait"])
    workbook.save(tmp_path / "enquete.xlsx")
    assert detect_export_source(tmp_path / "enquete.xlsx") == "satisfaction"


@pytest.mark.parametrize(
    "name, message",
    [
        ("missing_partner.csv", "neither an activity export"),
        ("empty.csv", "the file is empty"),
        ("binary.csv", "not text"),
    ],
)
def test_files_of_neither_source_are_refused_in_one_line(name, message):
    with pytest.raises(InputError, match=message) as refused:
        detect_export_source(ACTIVITY / name)
    assert name in str(refused.value) and "\n" not in str(refused.value)


def test_a_missing_file_and_a_file_with_both_headers_are_refused(tmp_path):
    with pytest.raises(InputError, match="file not found"):
        detect_export_source(tmp_path / "absent.csv")
    both = tmp_path / "both.csv"
    both.write_text(
        "Matricule;Date;Partenaire;Nombre de demandes\n1;01/11/2026;CAF;3\nMatricule;Date;Satisfaction\n1;01/11/2026;Satisfait\n",
        encoding="utf-8",
    )
    with pytest.raises(InputError, match="both an activity and a satisfaction header"):
        detect_export_source(both)
