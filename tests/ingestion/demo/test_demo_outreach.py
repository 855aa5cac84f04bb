"""Demo stops: 6–12 per mobile site, 5–30 km away, half-days that never overlap in a week."""

from collections import Counter

import numpy as np
import pandas as pd

from ingestion.demo.outreach import demo_outreach_rows, write_demo_outreach
from ingestion.insee import load_reference_snapshot
from ingestion.insee.reference import build_reference_tables
from ingestion.outreach import read_outreach_places

SITES = pd.DataFrame(
    {
        "site_id": ["2023", "900", "901"],
        "latitude": [46.03, 43.21, None],  # Ruffec, Carcassonne, a bus without a position
        "longitude": [0.20, 2.35, None],
        "labelled_on": pd.to_datetime(["2021-01-01", "2022-06-01", "2022-06-01"]),
    }
)


def _communes() -> tuple[pd.DataFrame, dict]:
    tables = build_reference_tables(load_reference_snapshot())
    aliases = dict(zip(tables.aliases["alias_code"], tables.aliases["commune_code"], strict=True))
    return tables.communes, aliases


def _km(lat1, lon1, lat2, lon2):
    lat1, lon1, lat2, lon2 = map(np.radians, (lat1, lon1, lat2, lon2))
    a = np.sin((lat2 - lat1) / 2) ** 2 + np.cos(lat1) * np.cos(lat2) * np.sin((lon2 - lon1) / 2) ** 2
    return 2 * 6371 * np.arcsin(np.sqrt(a))


def test_each_positioned_mobile_site_gets_6_to_12_stops_5_to_30_km_away_without_overlaps():
    communes, _ = _communes()
    rows = pd.DataFrame(demo_outreach_rows(SITES, communes))
    per_site = rows.groupby("site_id").size().to_dict()
    assert set(per_site) == {"2023", "900"}  # the bus without a position gets none
    assert all(6 <= n <= 12 for n in per_site.values())
    site = SITES.set_index("site_id")
    for site_id, stops in rows.groupby("site_id"):
        km = _km(
            site.at[site_id, "latitude"],
            site.at[site_id, "longitude"],
            stops["latitude"].astype(float),
            stops["longitude"].astype(float),
        )
        assert km.between(4.9, 30.1).all()
        # one bus, one place at a time: each half-day holds one weekly stop or an odd/even pair
        for _, slot in stops.groupby("opening_hours"):
            assert Counter(slot["weeks"]) in (Counter({"all": 1}), Counter({"odd": 1, "even": 1}))
    assert rows["valid_from"].tolist().count("2021-01-01") == per_site["2023"]
    assert rows.equals(pd.DataFrame(demo_outreach_rows(SITES, communes)))  # the same seed, the same stops


def test_the_demo_file_reads_back_with_the_outreach_reader_without_rejects(tmp_path):
    communes, aliases = _communes()
    path = tmp_path / "stops.csv"
    written = write_demo_outreach(SITES, communes, path)
    read = read_outreach_places(path, communes[["commune_code", "department_code", "latitude", "longitude"]], aliases)
    assert len(read.places) == written and read.rejected_rows == 0
    assert not read.places["position_replaced"].any()
    hours = read.places.groupby("site_id")["hours_per_week_avg"].sum()
    assert ((hours >= 9) & (hours <= 36)).all()  # 3 h per weekly stop, 1.5 h per fortnightly one
