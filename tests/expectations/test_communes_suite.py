"""The GX suite on raw communes passes on the snapshot and fails on corrupted frames."""

from expectations.runner import run_suite
from ingestion.insee import load_reference_snapshot
from ingestion.insee.reference import build_reference_tables


def _communes():
    return build_reference_tables(load_reference_snapshot()).communes


def test_suite_passes_on_the_snapshot_and_fails_on_each_corruption(tmp_path):
    good = _communes()
    assert run_suite("raw_insee_communes", good).success

    bad = good.copy()
    bad.loc[0, "commune_code"] = "1001"  # malformed code
    bad.loc[1, "commune_code"] = bad.loc[2, "commune_code"]  # duplicate
    bad.loc[3, "population"] = -5  # negative population
    bad.loc[4, "latitude"] = 60.0  # outside France
    bad.loc[5, "department_code"] = "99"  # unknown department
    outcome = run_suite("raw_insee_communes", bad, docs_dir=tmp_path)
    assert not outcome.success
    failed = {(f["expectation"], f["column"]) for f in outcome.failures}
    assert failed == {
        ("expect_column_values_to_match_regex", "commune_code"),
        ("expect_column_values_to_be_unique", "commune_code"),
        ("expect_column_values_to_be_between", "population"),
        ("expect_column_values_to_be_in_set", "centroid_inside_france"),
        ("expect_column_values_to_be_in_set", "department_code"),
    }
    assert "raw_insee_communes failed" in outcome.summary()
    assert (tmp_path / "raw_insee_communes.json").exists()
