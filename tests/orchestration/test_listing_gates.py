"""Releases that must not load: empty, shrunk, a new vocabulary; and one that loads with notes."""

import hashlib

import pytest

from tests.conftest import last_line, real_file, run_fsw
from tests.orchestration.test_listing_history import _facts_without_site, _ingest, _query, copy_listing

pytestmark = pytest.mark.slow


def _sha256(path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def test_empty_shrunk_and_unknown_vocabulary_releases_fail_in_one_line(fsw_home, tmp_path):
    listing_2024 = real_file("anct-france-services", "2024-08-01_liste-fs-20240801.csv")
    _ingest(fsw_home, listing_2024, "2024-08-01")
    serving = fsw_home / "serving" / "warehouse.duckdb"
    published = _sha256(serving)
    header_only = tmp_path / "header_only.csv"
    copy_listing(listing_2024, header_only, keep=0)
    done = run_fsw(fsw_home, "ingest", "sites", str(header_only), "--as-of", "2024-09-01")
    assert done.returncode == 1
    assert last_line(done.stderr).endswith("header_only.csv: no data rows (header only)"), done.stderr
    fifth = tmp_path / "fifth.csv"
    copy_listing(listing_2024, fifth, keep=569)
    done = run_fsw(fsw_home, "ingest", "sites", str(fifth), "--as-of", "2024-09-01")
    assert done.returncode == 1
    assert "569 sites where the previous release (2024-08-01) had 2,845 (80% fewer" in last_line(done.stderr)
    assert "--allow-drop" in last_line(done.stderr)
    principale = tmp_path / "principale_5pc.csv"
    changed = copy_listing(listing_2024, principale, type_every=20)
    done = run_fsw(fsw_home, "ingest", "sites", str(principale), "--as-of", "2024-09-01")
    assert done.returncode == 1
    assert f"{changed:,} of 2,845 rows" in last_line(done.stderr) and "'Principale'" in last_line(done.stderr)
    assert _sha256(serving) == published
    landed = {p.name for p in (fsw_home / "landing" / "sites").glob("*/*.csv")}
    assert {"header_only.csv", "fifth.csv", "principale_5pc.csv"} <= landed

    few = tmp_path / "principale_half_pc.csv"
    changed = copy_listing(listing_2024, few, type_every=200)
    done = _ingest(fsw_home, few, "2024-09-01")
    assert f"unknown values: site_type 'Principale' ×{changed}" in done.stderr
    [(quarantined, null_types)] = _query(
        fsw_home,
        """
        select (select count(*) from fsw_quarantine where source = 'sites'
                and reason = 'unknown site_type value ''Principale'''),
               (select count(*) from dim_site where is_current and site_type is null)""",
    )
    assert quarantined == changed and null_types == changed
    assert _facts_without_site(fsw_home) == (0, 0)
