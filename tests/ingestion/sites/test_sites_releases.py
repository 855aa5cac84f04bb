"""Assembling releases: identity across releases, order independence, idempotence."""

from datetime import date
from pathlib import Path

import pytest

from ingestion.insee import load_reference_snapshot
from ingestion.insee.reference import build_reference_tables
from ingestion.sites.releases import Release, assemble_listing
from tests.conftest import real_file


@pytest.fixture(scope="module")
def register():
    tables = build_reference_tables(load_reference_snapshot())
    communes = tables.communes[["commune_code", "department_code", "latitude", "longitude"]]
    aliases = dict(zip(tables.aliases["alias_code"], tables.aliases["commune_code"]))
    return communes, aliases


def _release(name: str, as_of: str) -> Release:
    path = real_file("anct-france-services", name)
    return Release(name, date.fromisoformat(as_of), Path(path), name)


JAN02 = ("2020-01-02_b88c14a_france-services.csv", "2020-01-02")
JAN09 = ("2020-01-09_4e7c558_france_services.csv", "2020-01-09")
OCT12 = ("2020-10-12_0584fe1_france_services.geojson", "2020-10-12")


def test_every_release_keeps_all_its_sites(register):
    communes, aliases = register
    for name, as_of, expected in [
        (*JAN02, 456),
        (*JAN09, 483),
        ("2020-03-10_a249d68_france_services.geojson", "2020-03-10", 581),
        (*OCT12, 908),
        ("2024-08-01_liste-fs-20240801.csv", "2024-08-01", 2845),
    ]:
        assembled = assemble_listing([_release(name, as_of)], communes, aliases)
        assert len(assembled.rows) == expected, name


def test_unknown_commune_codes_are_repaired_from_position_and_noted(register):
    communes, aliases = register
    assembled = assemble_listing([_release(*OCT12)], communes, aliases)
    notes = assembled.rejects[OCT12[0]]
    repaired = notes[notes["reason"].str.startswith("unknown commune code: resolved to")]
    assert sorted(repaired["value"]) == ["14771", "19927", "2B014"]
    brive = assembled.rows[assembled.rows["site_id"] == "746"].iloc[0]
    assert brive["commune_code"] == "19031"  # Brive-la-Gaillarde


def test_idless_first_release_matches_the_next_one_whatever_the_order(register):
    communes, aliases = register
    forward = assemble_listing([_release(*JAN02), _release(*JAN09)], communes, aliases)
    backward = assemble_listing([_release(*JAN09), _release(*JAN02)], communes, aliases)
    jan02 = forward.rows[forward.rows["as_of"] == date(2020, 1, 2)]
    jan09_ids = set(forward.rows.loc[forward.rows["as_of"] == date(2020, 1, 9), "site_id"])
    kept = jan02["site_id"].isin(jan09_ids).sum()
    assert kept >= 420
    columns = ["as_of", "site_id", "site_name"]
    a = forward.rows[columns].sort_values(columns).reset_index(drop=True)
    b = backward.rows[columns].sort_values(columns).reset_index(drop=True)
    assert a.equals(b)


def test_same_file_twice_counts_once(register):
    communes, aliases = register
    first = _release(*JAN09)
    again = Release("again", date(2020, 1, 9), first.path, first.sha256)
    assembled = assemble_listing([first, again], communes, aliases)
    assert len(assembled.rows) == 483
    assert assembled.skipped == {"again": f"same file as load {first.load_id}"}
