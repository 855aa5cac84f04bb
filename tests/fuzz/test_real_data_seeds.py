"""The real files the fuzz tests sample, when ``../shared/real-data`` is there.

Each fuzz test also runs on fixtures and demo exports, so it never skips; these tests say,
one per real file, whether it was sampled (or skip with the reason: a fresh clone has no
``../shared``).
"""

from __future__ import annotations

import pytest

from tests.conftest import real_file
from tests.fuzz import seeds

REAL_FILES = {
    "listing": [
        ("anct-france-services", name)
        for name in (
            "2024-08-01_liste-fs-20240801.csv",
            "2020-01-09_4e7c558_france_services.csv",
            "2020-01-02_b88c14a_france-services.csv",
            "2020-03-10_a249d68_france_services.geojson",
            "2020-10-12_0584fe1_france_services.geojson",
            "2020-01-02_b88c14a_france_services.geojson",
        )
    ],
    "barometer": [
        ("barometre", name)
        for name in (
            "barometre-resultats-detail-national.csv",
            "barometre-resultats-detail-regional.csv",
            "barometre-resultats-synthese-departemental.csv",
            "barometre-resultats-synthese-national.csv",
            "barometre-resultats-synthese-regional.csv",
        )
    ],
    "populations": [("insee", "2025", "ensemble.xlsx")],
    "epci": [("insee", "2025", "EPCI_au_01-01-2024.xlsx")],
}


def _seed_names(reader: str, tmp_path) -> set[str]:
    built = {
        "listing": seeds.listing_seeds,
        "barometer": seeds.barometer_seeds,
        "populations": lambda: seeds.populations_seeds(tmp_path),
        "epci": lambda: seeds.epci_seeds(tmp_path),
    }[reader]()
    return {seed.name for seed in built}


@pytest.mark.parametrize(
    ("reader", "parts"),
    [(reader, parts) for reader, files in REAL_FILES.items() for parts in files],
    ids=lambda value: value if isinstance(value, str) else value[-1],
)
def test_real_file_is_sampled_for_the_fuzz_tests(reader, parts, tmp_path):
    real_file(*parts)  # skips, with the reason, when the real data are absent
    names = _seed_names(reader, tmp_path)
    assert any(name.startswith("real:") and parts[-1] in name for name in names), sorted(names)
