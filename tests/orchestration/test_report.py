"""report.html: French formats, the serving DB's figures, a self-contained page, the Dagster summary."""

from __future__ import annotations

import base64
import html as html_entities
import json
import re
from datetime import date
from pathlib import Path

import duckdb
import pytest
from report_serving_db import (
    GAP_COMMUNES,
    NATIONAL_FEBRUARY_REQUESTS,
    OCCITANIE_FEBRUARY_REQUESTS,
    UNSAFE_NAME,
    build_serving_db,
)

from orchestration.config import Settings
from orchestration.extracts import write_extract
from orchestration.report import GAP_ROWS, report_markdown
from orchestration.report_format import french_date, french_month, french_number, french_percent

DAY = date(2025, 4, 3)
NNBSP = "\u202f"
PNG_SIGNATURE = b"\x89PNG\r\n\x1a\n"


def _settings(tmp_path: Path, **tables) -> Settings:
    settings = Settings(home=tmp_path / "home")
    build_serving_db(settings.serving_db, **tables)
    return settings


def _report_html(settings: Settings, scope: str = "region:76"):
    result = write_extract(settings, scope, "csv", day=DAY, run_id="extract-report")
    return result, (result.folder / "report.html").read_text(encoding="utf-8")


@pytest.fixture(scope="module")
def region_report(tmp_path_factory):
    """Occitanie's extract on the small serving DB, shared by the tests that only read it."""
    settings = _settings(tmp_path_factory.mktemp("region"))
    result, html = _report_html(settings)
    return settings, result, html


def _visible_text(html: str) -> str:
    # ASCII whitespace only: the narrow no-break spaces inside numbers are what is tested.
    return html_entities.unescape(re.sub(r"[ \t\r\n]+", " ", re.sub(r"<[^>]+>", " ", html)))


@pytest.mark.parametrize(
    ("value", "decimals", "expected"),
    [
        (1234.5, 1, f"1{NNBSP}234,5"),
        (1_234_567, 0, f"1{NNBSP}234{NNBSP}567"),
        (999, 0, "999"),
        (0.04, 1, "0,0"),
        (-0.04, 1, "0,0"),  # no "-0,0": nothing was lost
        (-1500, 0, f"-1{NNBSP}500"),
        (None, 0, "—"),
        (float("nan"), 1, "—"),
    ],
)
def test_numbers_are_french(value, decimals, expected):
    assert french_number(value, decimals) == expected


def test_percentages_months_and_dates_are_french():
    assert french_percent(0.965) == f"96,5{NNBSP}%"
    assert french_percent(1) == f"100,0{NNBSP}%"
    assert french_percent(None) == "—"
    assert french_month(date(2024, 1, 31)) == "janvier 2024"
    assert french_month(date(2024, 8, 1)) == "août 2024"
    assert french_date(date(2026, 12, 1)) == "1er décembre 2026"
    assert french_date(date(2026, 12, 2)) == "2 décembre 2026"


def test_region_report_shows_the_serving_db_figures_against_the_national_ones(region_report):
    settings, result, html = region_report
    text = _visible_text(html)

    assert "<title>France Services — Occitanie — février 2025</title>" in html
    assert "région Occitanie (76)" in text
    # February is the latest month with requests (March has sites only): its requests, region and nation.
    assert "Chiffres clés — février 2025" in text
    requests = result.report.figure("requests")
    assert (requests.value, requests.national) == (OCCITANIE_FEBRUARY_REQUESTS, NATIONAL_FEBRUARY_REQUESTS)
    assert f"Demandes du mois 1{NNBSP}234{NNBSP}567 1{NNBSP}734{NNBSP}567" in text
    assert f"Demandes des 12 derniers mois 2{NNBSP}334{NNBSP}567 3{NNBSP}284{NNBSP}567" in text
    assert f"Usagers satisfaits 96,5{NNBSP}% 95,1{NNBSP}%" in text
    assert f"Habitants à moins de 30 minutes d'un site 97,2{NNBSP}% 98,7{NNBSP}%" in text
    con = duckdb.connect(str(settings.serving_db), read_only=True)
    try:
        ((mart_requests,),) = con.execute(
            "select requests from mart_territory_monthly where territory_level = 'region' "
            "and territory_code = '76' and month_end = date '2025-02-28'"
        ).fetchall()
    finally:
        con.close()
    # The partners' demand of the month adds up to the mart's figure.
    demand = result.report.demand
    assert demand[demand["month_start"].dt.month == 2]["requests"].sum() == mart_requests
    assert f"Direction générale des Finances publiques 1{NNBSP}900{NNBSP}000 81,4{NNBSP}%" in text
    assert text.index("Direction générale des Finances publiques") < text.index("Autre partenaire")
    assert "Auvergne-Rhône-Alpes" not in text and "Bourg" not in text


def test_report_is_one_self_contained_page_with_the_extract_map_inline(region_report):
    _, result, html = region_report

    sources = re.findall(r"""(?:src|href)\s*=\s*["']([^"']*)["']""", html)
    assert len(sources) == 3  # demand chart, map, growth chart
    assert all(source.startswith("data:image/png;base64,") for source in sources)
    images = [base64.b64decode(source.split(",", 1)[1]) for source in sources]
    assert all(image.startswith(PNG_SIGNATURE) for image in images)
    assert (result.folder / "coverage_map.png").read_bytes() in images  # the extract's map, not a second one
    page = re.sub(r"data:image/png;base64,[A-Za-z0-9+/=]+", "data:", html).replace("http-equiv", "")
    for external in ("http:", "https:", "//", "url(", "@import", "<script", "<link"):
        assert external not in page, external
    assert "default-src 'none'; img-src data:" in html  # a browser refuses any other source

    manifest = json.loads(result.manifest.read_text(encoding="utf-8"))
    listed = {entry["name"]: entry for entry in manifest["files"]}
    assert listed["report.html"]["format"] == "html"
    assert listed["report.html"]["bytes"] == (result.folder / "report.html").stat().st_size


def test_report_lists_the_20_largest_gaps_of_the_territory(region_report):
    _, _, html = region_report
    section = html[html.index('id="zones-blanches"') : html.index('id="qpv"')]
    rows = re.findall(r"<tr><td class=\"n\">(\d+)</td><td>([^<]*)</td>", section)

    assert len(rows) == GAP_ROWS < GAP_COMMUNES
    assert [int(rank) for rank, _ in rows] == list(range(1, GAP_ROWS + 1))
    # the most populous first: Village 24 (1 240 inhabitants), and the Ain's commune is not Occitanie's
    assert rows[0][1] == "Village 24 (34124)"
    assert "Ambérieu" not in section
    assert f"1{NNBSP}240" in section and "31,3 km" in section and "35 min" in section
    text = _visible_text(html)
    assert f"Communes à plus de 30 minutes d'un site (mars 2025) {GAP_COMMUNES} {GAP_COMMUNES + 1}" in text


def test_names_from_the_data_are_escaped(tmp_path):
    settings = _settings(tmp_path)
    _, html = _report_html(settings, "department:34")
    assert "Saint-Gras" not in html  # the smallest of 25 gaps: beyond the 20 rows
    con = duckdb.connect(str(settings.serving_db))
    con.execute("update mart_coverage_gaps set gap_rank = 0 where commune_name = ?", [UNSAFE_NAME])
    con.close()
    _, html = _report_html(settings, "department:34")
    assert "&lt;b&gt;Saint-Gras&lt;/b&gt; (34100)" in html and UNSAFE_NAME not in html


def test_qpv_coverage_is_announced_until_it_exists_then_shown(region_report, tmp_path):
    _, _, before = region_report
    assert "La couverture des QPV n'est pas encore disponible" in before

    _, after = _report_html(_settings(tmp_path, with_qpv=True))
    text = _visible_text(after)
    # the 2024 generation only, of Occitanie: 2 neighbourhoods, one with a presence inside
    assert f"mars 2025, QPV 2024 : 2 quartiers (6{NNBSP}500 habitants), dont 1 avec un site" in text
    assert "Petit Bard Montpellier 2" in text and "Ancien quartier" not in text and "Reyssouze" not in text


def test_national_report_has_one_column_and_the_targets(tmp_path):
    result, html = _report_html(_settings(tmp_path), "national")
    text = _visible_text(html)

    assert "Rapport national" in text
    assert '<th class="n">France</th>' in html and html.count('<th class="n">France</th>') == 1
    assert f"fin 2022 (réseau national) 2{NNBSP}500 2{NNBSP}400 96,0{NNBSP}%" in text
    assert f"fin 2023 (réseau national) 2{NNBSP}750 2{NNBSP}741 99,7{NNBSP}%" in text
    assert result.report.targets == {2022: 2500, 2023: 2750}


def test_an_older_home_without_demand_nor_growth_still_gets_a_report(tmp_path):
    settings = _settings(tmp_path, with_demand=False, with_growth=False)
    _, html = _report_html(settings)
    text = _visible_text(html)

    assert "Aucune demande enregistrée pour ce territoire." in text
    assert "Pas d'objectif national publié dans l'entrepôt." in text
    assert f"Demandes du mois 1{NNBSP}234{NNBSP}567" in text  # the mart still holds the monthly figures


def test_dagster_summary_is_markdown_with_the_figures_and_an_inline_chart(tmp_path):
    result, _ = _report_html(_settings(tmp_path), "national")
    markdown = report_markdown(result.report)

    assert markdown.startswith("**France — février 2025**")
    assert f"| Demandes du mois | 1{NNBSP}734{NNBSP}567 |" in markdown
    assert f"| Communes à plus de 30 minutes d'un site | {GAP_COMMUNES + 1} (42{NNBSP}000 habitants) |" in markdown
    chart = re.search(r"!\[[^\]]*\]\(data:image/png;base64,([A-Za-z0-9+/=]+)\)", markdown)
    assert chart and base64.b64decode(chart.group(1)).startswith(PNG_SIGNATURE)
