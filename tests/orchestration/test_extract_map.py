"""The parts of the coverage map a reader relies on: title, frame, scale bar, outlines, chief towns."""

from __future__ import annotations

import csv
from datetime import date
from pathlib import Path

import numpy as np
import pandas as pd
import pyarrow.parquet as pq
import pytest

from orchestration.chief_towns import PREFECTURES, REGION_CAPITAL_DEPARTMENTS, prefectures, regional_capitals
from orchestration.extract_map import Frame, frame_around, map_size_inches, map_title, scale_bar_km
from orchestration.map_outlines import borders_between, km_per_degree_longitude

REFERENCE = Path(__file__).resolve().parents[2] / "ingestion" / "reference"
ARTICLES = ("La ", "Le ", "Les ", "L'")


def test_map_title_names_the_territory_and_the_month_in_french():
    title = map_title("Occitanie", date(2026, 11, 30))
    assert title.startswith("Occitanie — ") and title.endswith("novembre 2026")
    assert map_title("France", None).endswith("mois inconnu")


def test_frame_has_a_margin_and_the_map_takes_its_shape():
    frame = frame_around(pd.Series([1.0, 3.0]), pd.Series([43.0, 44.0]))
    assert tuple(vars(frame).values()) == pytest.approx((0.9, 3.1, 42.95, 44.05))
    wide_width, wide_height = map_size_inches(Frame(-1.0, 5.0, 42.0, 45.0))
    tall_width, tall_height = map_size_inches(Frame(8.5, 9.6, 41.3, 43.1))  # Corsica
    assert wide_width > wide_height and tall_height > tall_width


def test_scale_bar_is_a_round_fifth_of_the_width_at_the_frames_latitude():
    assert km_per_degree_longitude(0.0) == pytest.approx(111.32)
    assert km_per_degree_longitude(60.0) == pytest.approx(55.66)
    assert scale_bar_km(Frame(-0.5, 5.0, 42.3, 45.1)) == 50  # Occitanie: ~450 km wide
    assert scale_bar_km(Frame(-5.5, 10.0, 41.0, 51.5)) == 200  # metropolitan France
    assert scale_bar_km(Frame(3.0, 3.05, 43.0, 43.05)) == 1


def test_borders_run_between_groups_and_stop_short_of_open_sea():
    grid = np.array([(lon, lat) for lon in np.arange(0.0, 1.0, 0.05) for lat in np.arange(45.0, 46.0, 0.05)])
    groups = np.where(grid[:, 0] < 0.5, "west", "east")
    segments, pairs = borders_between(grid[:, 0], grid[:, 1], groups)
    # One edge per pair of facing points along the 20-point-high border, less the two open ends.
    assert len(segments) == 18
    assert np.allclose(segments[..., 0], 0.475)  # halfway between the columns at 0.45 and 0.50
    assert segments[..., 1].min() >= 45.0 and segments[..., 1].max() <= 46.0
    assert all(groups[a] != groups[b] for a, b in pairs)
    # Two lines of communes 80 km apart: no border drawn across the empty land (or sea) between.
    apart = grid[(grid[:, 0] < 0.01) | (grid[:, 0] > 0.94)]
    assert len(borders_between(apart[:, 0], apart[:, 1], apart[:, 0] < 0.5)[0]) == 0
    assert borders_between(grid[:3, 0], grid[:3, 1], groups[:3])[0].shape == (0, 2, 2)


def test_chief_towns_are_the_reference_communes_of_their_department():
    columns = ["commune_code", "commune_name", "department_code"]
    communes = pq.read_table(REFERENCE / "communes.parquet", columns=columns).to_pylist()
    with open(REFERENCE / "overseas_collectivities.csv", encoding="utf-8") as handle:
        communes += list(csv.DictReader(handle))
    by_code = {row["commune_code"]: row for row in communes}
    with open(REFERENCE / "departments.csv", encoding="utf-8") as handle:
        departments = {row["department_code"]: row["region_code"] for row in csv.DictReader(handle)}
    assert set(departments) <= set(PREFECTURES)
    for department, (code, name) in PREFECTURES.items():
        commune = by_code[code]
        assert commune["department_code"] == department
        without_article = next((name[len(a) :] for a in ARTICLES if name.startswith(a)), name)
        assert commune["commune_name"] in {name, without_article}, (code, name)
    for region, department in REGION_CAPITAL_DEPARTMENTS.items():
        assert departments.get(department, region) == region
    assert regional_capitals(["76", "11", "99"]) == {"31555": "Toulouse", "75056": "Paris"}
    assert prefectures(["34", "2A"]) == {"2A004": "Ajaccio", "34172": "Montpellier"}


def _pixels_of(path, colour: str, tolerance: int = 40) -> int:
    from PIL import Image

    target = np.array([int(colour[i : i + 2], 16) for i in (1, 3, 5)])
    with Image.open(path) as png:
        pixels = np.asarray(png.convert("RGB"), dtype=int)
    return int((np.abs(pixels - target).sum(axis=2) < tolerance).sum())


def test_stops_and_qpvs_are_drawn_with_their_own_markers(tmp_path):
    from orchestration.extract_map import QPV_COLOUR, STOP_COLOUR, draw_coverage_map

    rng = np.random.default_rng(0)
    communes = pd.DataFrame(
        {
            "latitude": 43 + rng.random(200),
            "longitude": 2 + rng.random(200),
            "travel_minutes": rng.random(200) * 20,  # all green: no orange or purple from the colour scale
            "department_code": "11",
            "region_code": "76",
        }
    )
    sites = pd.DataFrame({"latitude": [43.5], "longitude": [2.5], "is_mobile": [True], "region_code": ["76"]})
    stops = pd.DataFrame({"latitude": 43.1 + rng.random(10) * 0.8, "longitude": 2.1 + rng.random(10) * 0.8})
    stops["region_code"] = "76"
    qpvs = pd.DataFrame({"latitude": [43.2, 43.8], "longitude": [2.2, 2.8], "region_code": ["76", "76"]})
    plain = draw_coverage_map(communes, sites, tmp_path / "plain.png", "Aude")
    full = draw_coverage_map(communes, sites, tmp_path / "full.png", "Aude", stops=stops, qpvs=qpvs)
    assert _pixels_of(plain, STOP_COLOUR) == 0 and _pixels_of(plain, QPV_COLOUR) == 0
    assert _pixels_of(full, STOP_COLOUR) > 50 and _pixels_of(full, QPV_COLOUR) > 10
