"""The GX helper process: same outcomes as in-process, errors come back, and it never lingers."""

import os
import signal

import pytest

from expectations import helper
from expectations.runner import run_suite, run_suite_here
from ingestion.insee import load_reference_snapshot
from ingestion.insee.reference import build_reference_tables


@pytest.fixture
def started():
    helper.start()
    yield helper._HELPER[0]
    helper.stop()


def _alive(pid: int) -> bool:
    try:
        finished, _ = os.waitpid(pid, os.WNOHANG)
    except ChildProcessError:
        return False
    return finished == 0


def test_helper_gives_the_outcome_of_an_in_process_run(started, tmp_path):
    communes = build_reference_tables(load_reference_snapshot()).communes
    bad = communes.copy()
    bad.loc[0, "commune_code"] = "1001"
    bad.loc[3, "population"] = -5
    via_helper = run_suite("raw_insee_communes", bad, docs_dir=tmp_path / "helper")
    here = run_suite_here("raw_insee_communes", bad, docs_dir=tmp_path / "here")
    assert not via_helper.success
    assert via_helper == here
    assert {(f["expectation"], f["column"]) for f in via_helper.failures} == {
        ("expect_column_values_to_match_regex", "commune_code"),
        ("expect_column_values_to_be_between", "population"),
    }
    # the helper wrote the validation pages, as the checks expect
    assert (tmp_path / "helper" / "raw_insee_communes.json").exists()
    assert _alive(started)


def test_an_error_in_the_helper_is_raised_in_the_caller(started):
    communes = build_reference_tables(load_reference_snapshot()).communes
    with pytest.raises(KeyError):
        run_suite("no_such_suite", communes)
    assert _alive(started)  # and it keeps serving
    assert run_suite("raw_insee_communes", communes).success


def test_the_helper_exits_when_the_pipe_closes_and_a_dead_helper_is_replaced_by_a_local_run():
    helper.start()
    pid, _ = helper._HELPER
    helper.stop()
    assert not _alive(pid)

    helper.start()
    pid, _ = helper._HELPER
    os.kill(pid, signal.SIGKILL)
    os.waitpid(pid, 0)
    communes = build_reference_tables(load_reference_snapshot()).communes
    assert run_suite("raw_insee_communes", communes).success  # ran here instead
    assert helper._HELPER is None
