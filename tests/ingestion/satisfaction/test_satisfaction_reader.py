"""The satisfaction reader on tiny hand-made survey exports."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pandas as pd
import pytest

from ingestion.errors import InputError
from ingestion.satisfaction import read_satisfaction

FIXTURES = Path(__file__).parent / "fixtures"
TODAY = dt.date(2024, 6, 30)


def test_scores_in_cp1252_semicolon_export():
    result = read_satisfaction(FIXTURES / "scores_cp1252.csv", today=TODAY)
    rows = result.rows
    assert result.rejects.empty
    assert list(rows.columns) == [
        "site_id",
        "response_date",
        "satisfaction_score",
        "satisfied",
        "would_recommend",
        "source_sheet",
        "source_row",
    ]
    assert rows["satisfaction_score"].tolist() == [5, 4, 3, 1, 4]
    assert rows["satisfied"].tolist() == [True, True, False, False, True]
    assert rows["would_recommend"].tolist() == [True, True, False, False, pd.NA]
    assert rows["response_date"].dt.strftime("%Y-%m-%d").tolist()[-1] == "2024-04-04"


def test_labels_in_utf8_bom_comma_export():
    rows = read_satisfaction(FIXTURES / "labels_utf8_bom.csv", today=TODAY).rows
    assert rows["site_id"].tolist() == ["12", "12", "13", "13"]
    assert rows["satisfaction_score"].tolist() == [5, 4, 2, 1]
    assert rows["satisfied"].mean() == 0.5
    assert rows["would_recommend"].tolist() == [True, True, False, False]


def test_every_row_level_problem_is_rejected():
    result = read_satisfaction(FIXTURES / "rejects.csv", today=TODAY)
    assert result.rows["source_row"].tolist() == [2]
    assert result.rejects[["row", "column", "value", "reason"]].values.tolist() == [
        [3, "Satisfaction", "Bof", "unreadable satisfaction"],
        [4, "Date de réponse", "pas de date", "unreadable date"],
        [5, "Date de réponse", "02/04/2031", "date in the future"],
        [6, "Matricule", "", "missing site id"],
        [7, "Recommanderiez-vous France services ?", "Peut-être", "unreadable recommendation"],
        [8, "Satisfaction", "6", "unreadable satisfaction"],
    ]


def test_missing_satisfaction_column(tmp_path):
    path = tmp_path / "enquete.csv"
    path.write_text("Matricule;Date;Recommandation\n101;02/04/2024;Oui\n", encoding="utf-8")
    with pytest.raises(InputError) as error:
        read_satisfaction(path, today=TODAY)
    assert str(error.value) == "enquete.csv: row 1, column 'Satisfaction': missing required column 'Satisfaction'"
