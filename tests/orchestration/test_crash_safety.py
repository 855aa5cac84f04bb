"""Crash safety: the load killed (SIGKILL) at each fault-injection point leaves serving/ intact
and half-written files nowhere users look, and the next run converges to the marts of an
uninterrupted run on the same inputs.

One scenario, run once per module (each CLI run costs minutes on a loaded machine):

1. a baseline home (`fsw run` on the demo data, FSW_DEMO_MONTHS=1), shared with
   test_concurrent_readers.py through the session's temporary folder;
2. a copy of it gets a new activity export in its inbox and is killed, run after run, at
   ``landing``, ``raw_load``, ``dbt_build`` and ``publish`` (``FSW_CRASH_AT``), each time
   on the state the previous crash left; a snapshot is taken after each crash;
3. one recovery run (`fsw run`, no fault);
4. a reference: another copy with the same inbox file and one uninterrupted `fsw run` (the
   run of test_concurrent_readers.py when it ran first, else started here in the background
   while the crashes run).

A run killed inside a Dagster step leaves its ``work_duckdb`` pool slot claimed, which blocks
every later run (see STALE_SLOT): the scenario notices the next run waiting behind it and frees
the slot as an operator would, so that the other properties can still be checked.

The crash points fire ``os.killpg(getpgrp(), SIGKILL)``: the CLI is started in its own session
so that only its process group dies, never pytest.
"""

from __future__ import annotations

import hashlib
import json
import os
import shutil
import signal
import subprocess
import sys
import time
from pathlib import Path

import duckdb
import pytest

from ingestion.faults import POINTS
from tests.conftest import PROJECT_ROOT

pytestmark = pytest.mark.slow

RUN_TIMEOUT = 1200
# Columns that hold the time of the run itself, not data: excluded from the mart checksums.
RUN_TIME_COLUMNS = {"loaded_at", "planned_at", "published_at"}
MART_PREFIXES = ("dim_", "fct_", "mart_")
NEW_EXPORT_NAME = "activite_01_corrigee.csv"


# --------------------------------------------------------------------------- helpers (shared)

def start_fsw(home: Path, *args: str, crash_at: str | None = None) -> subprocess.Popen:
    """Start the CLI on ``home`` in its own session (a crash point kills its whole group)."""
    env = {"FSW_DEMO_MONTHS": "1", **os.environ, "FSW_HOME": str(home), "DAGSTER_HOME": str(home / "dagster")}
    env.pop("FSW_CRASH_AT", None)
    if crash_at:
        env["FSW_CRASH_AT"] = crash_at
    return subprocess.Popen(
        [sys.executable, "-m", "orchestration.cli", *args],
        cwd=PROJECT_ROOT, env=env, stdin=subprocess.DEVNULL, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
        text=True, start_new_session=True,
    )


def finish_fsw(proc: subprocess.Popen, timeout: float = RUN_TIMEOUT) -> dict:
    """Wait for a started CLI; kill its group on timeout. Returns rc, output and leftovers."""
    started = time.monotonic()
    try:
        out, err = proc.communicate(timeout=timeout)
    except subprocess.TimeoutExpired:
        _kill_group(proc.pid)
        out, err = proc.communicate()
        pytest.fail(f"fsw did not finish within {timeout}s; stderr tail:\n{err[-3000:]}")
    return {"rc": proc.returncode, "stdout": out, "stderr": err, "waited": time.monotonic() - started,
            "survivors": _group_survivors(proc.pid)}


def fsw(home: Path, *args: str, crash_at: str | None = None, timeout: float = RUN_TIMEOUT) -> dict:
    started = time.monotonic()
    result = finish_fsw(start_fsw(home, *args, crash_at=crash_at), timeout)
    result["seconds"] = round(time.monotonic() - started, 1)
    return result


POOL = "work_duckdb"  # orchestration.resources.WORK_DB_POOL: every step that writes work.duckdb
BLOCKED_GRACE = 5


def dagster_instance(home: Path):
    import dagster as dg

    return dg.DagsterInstance.from_config(str(home / "dagster"))


def unfinished_runs(home: Path) -> set[str]:
    """Runs the instance still believes in progress (before a CLI starts: runs of killed CLIs)."""
    import dagster as dg

    statuses = [dg.DagsterRunStatus.NOT_STARTED, dg.DagsterRunStatus.STARTING, dg.DagsterRunStatus.STARTED]
    with dagster_instance(home) as instance:
        return {run.run_id for run in instance.get_runs(filters=dg.RunsFilter(statuses=statuses))}


def release_dead_runs(home: Path, run_ids: set[str]) -> None:
    """What an operator does in the Dagster UI for a run whose process is gone: free its pool
    slots and mark it failed."""
    with dagster_instance(home) as instance:
        for run_id in run_ids:
            instance.event_log_storage.free_concurrency_slots_for_run(run_id)
            run = instance.get_run_by_id(run_id)
            if run is not None and not run.is_finished:
                instance.report_run_failed(run, message="process killed (crash-safety test)")


def fsw_watched(home: Path, *args: str, crash_at: str | None = None, timeout: float = RUN_TIMEOUT) -> dict:
    """Run the CLI; if it waits for the ``work_duckdb`` pool slot still held by a run of an
    earlier, killed CLI for BLOCKED_GRACE seconds, record it in ``blocked_by`` and release that
    slot (so the scenario goes on; without it the run waits forever)."""
    started = time.monotonic()
    dead = unfinished_runs(home)
    proc = start_fsw(home, *args, crash_at=crash_at)
    blocked_by, since = [], None
    if dead:
        with dagster_instance(home) as instance:
            while proc.poll() is None and time.monotonic() - started < timeout and not blocked_by:
                info = instance.event_log_storage.get_concurrency_info(POOL)
                held = {slot.run_id for slot in info.claimed_slots} & dead
                waiting = any(step.run_id not in dead and step.assigned_timestamp is None for step in info.pending_steps)
                if held and waiting:
                    since = since or time.monotonic()
                    if time.monotonic() - since > BLOCKED_GRACE:
                        blocked_by = sorted(held)
                else:
                    since = None
                time.sleep(1)
        if blocked_by:
            release_dead_runs(home, dead)
    result = finish_fsw(proc, max(60.0, timeout - (time.monotonic() - started)))
    result["seconds"] = round(time.monotonic() - started, 1)
    result["blocked_by"] = blocked_by
    result["dead_runs_before"] = sorted(dead)
    return result


def _kill_group(pgid: int) -> None:
    try:
        os.killpg(pgid, signal.SIGKILL)
    except ProcessLookupError:
        pass


def _group_survivors(pgid: int) -> bool:
    """True if a process of the CLI's group (dbt, a worker…) outlived it: killed, and reported."""
    for _ in range(50):
        try:
            os.killpg(pgid, 0)
        except ProcessLookupError:
            return False
        time.sleep(0.1)
    _kill_group(pgid)
    return True


def sha256_file(path: Path) -> str:
    digest = hashlib.sha256()
    with open(path, "rb") as handle:
        for chunk in iter(lambda: handle.read(1 << 20), b""):
            digest.update(chunk)
    return digest.hexdigest()


def serving_db(home: Path) -> Path:
    return home / "serving" / "warehouse.duckdb"


def query_serving(home: Path, sql: str) -> list[tuple]:
    con = duckdb.connect(str(serving_db(home)), read_only=True)
    try:
        return con.execute(sql).fetchall()
    finally:
        con.close()


def mart_checksums(db: Path) -> dict[str, tuple]:
    """Per published mart: (rows, xor and sum of row hashes), run-time columns left out.

    Order-independent; doubles are rounded to 6 decimals so that a different summation order
    cannot make equal data differ.
    """
    con = duckdb.connect(str(db), read_only=True)
    try:
        tables = [t for (t,) in con.execute(
            "select table_name from duckdb_tables() where schema_name = 'main' order by 1").fetchall()
            if t.startswith(MART_PREFIXES)]
        sums = {}
        for table in tables:
            columns = con.execute(
                "select column_name, data_type from duckdb_columns() where schema_name = 'main' "
                "and table_name = ? order by column_index", [table]).fetchall()
            exprs = [f'round("{c}", 6)' if t in ("DOUBLE", "FLOAT") else f'"{c}"'
                     for c, t in columns if c not in RUN_TIME_COLUMNS]
            row = f"hash(row({', '.join(exprs)}))"
            sums[table] = con.execute(
                f'select count(*), bit_xor({row}), sum({row}::hugeint) from main."{table}"').fetchone()
        return sums
    finally:
        con.close()


def ledger(db: Path) -> dict[str, list[tuple]]:
    """The published ledger without ids and times: what was loaded, its status and counts."""
    con = duckdb.connect(str(db), read_only=True)
    try:
        return {
            "fsw_loads": con.execute(
                "select source, kind, file_name, sha256, size_bytes, as_of, status, reason, rows_loaded, "
                "rows_quarantined, is_demo, allow_drop from fsw_loads order by all").fetchall(),
            "fsw_quarantine": con.execute(
                'select source, file, sheet, "row", "column", value, reason from fsw_quarantine '
                "order by all").fetchall(),
        }
    finally:
        con.close()


def copy_home(source: Path, target: Path) -> Path:
    """A copy of a home (DAGSTER_HOME is set per home by the CLI, so the copy is independent)."""
    shutil.copytree(source, target, symlinks=True)
    return target


def add_new_export(home: Path) -> Path:
    """Drop a new (real, not demo) activity export in the home's inbox: the first 300 rows of
    its department-01 demo file, so the sites and dates are valid and the content is new."""
    [demo] = sorted((home / "demo" / "exports" / "activity").glob("activite_01_*.csv"))
    lines = demo.read_bytes().splitlines(keepends=True)
    inbox = home / "inbox" / "activity"
    inbox.mkdir(parents=True, exist_ok=True)
    target = inbox / NEW_EXPORT_NAME
    target.write_bytes(b"".join(lines[:301]))
    return target


def shared_home(tmp_path_factory: pytest.TempPathFactory, name: str) -> tuple[Path, Path]:
    """(home, done-marker) of a home shared by this session's tests, via the session's basetemp
    (works whichever test module asks first)."""
    root = tmp_path_factory.getbasetemp() / "fsw-shared"
    root.mkdir(exist_ok=True)
    return root / name, root / f"{name}.done"


def baseline_home(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A home after one plain `fsw run` on the demo data, built once per session. Never
    modified: tests work on copies."""
    home, done = shared_home(tmp_path_factory, "baseline")
    if not done.exists():
        shutil.rmtree(home, ignore_errors=True)
        result = fsw(home, "run")
        assert result["rc"] == 0, result["stderr"][-3000:]
        done.write_text(json.dumps({"seconds": result["seconds"]}))
    return home


def reference_marker(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """Where a test that ran baseline + new export + one uninterrupted `fsw run` records its home."""
    return shared_home(tmp_path_factory, "reference")[1]


def serving_leftovers(home: Path) -> list[str]:
    """Entries of serving/ other than the published file."""
    return sorted(p.name for p in (home / "serving").iterdir() if p.name != "warehouse.duckdb")


def landing_violations(home: Path) -> list[str]:
    """Files under their real name in landing/ that no manifest vouches for (or differ from it)."""
    problems = []
    for folder in sorted((home / "landing").glob("*/*")):
        if not folder.is_dir():
            continue
        manifest_path = folder / "manifest.json"
        manifest = json.loads(manifest_path.read_text(encoding="utf-8")) if manifest_path.exists() else None
        for path in sorted(folder.iterdir()):
            if path.name.startswith(".") or path.name == "manifest.json":
                continue
            if manifest is None:
                problems.append(f"{path.relative_to(home)}: no manifest.json beside it")
            elif path.name != manifest["original_name"]:
                problems.append(f"{path.relative_to(home)}: not the file of its manifest")
            elif sha256_file(path) != manifest["sha256"] or path.stat().st_size != manifest["size"]:
                problems.append(f"{path.relative_to(home)}: differs from its manifest's sha256/size")
    return problems


def hidden_landing_partials(home: Path) -> list[str]:
    return sorted(str(p.relative_to(home)) for p in (home / "landing").glob("*/*/.*partial*"))


def extract_partials(home: Path) -> list[str]:
    folder = home / "extracts"
    if not folder.exists():
        return []
    return sorted(str(p.relative_to(home)) for p in folder.rglob("*")
                  if p.name.startswith(".") or ".partial" in p.name or p.name.endswith(".tmp"))


def snapshot(home: Path) -> dict:
    """What a user would find in ``home`` right now."""
    state = {
        "serving_sha256": sha256_file(serving_db(home)) if serving_db(home).exists() else None,
        "serving_leftovers": serving_leftovers(home),
        "landing_violations": landing_violations(home),
        "landing_hidden_partials": hidden_landing_partials(home),
        "extract_partials": extract_partials(home),
        "inbox": sorted(p.name for p in (home / "inbox" / "activity").glob("*") if p.is_file()),
    }
    try:
        state["read"] = query_serving(
            home, "select (select count(*) from dim_commune), (select any_value(run_id) from fsw_publication)")[0]
    except Exception as error:  # a reader error is what this test looks for: keep it as data
        state["read"] = f"ERROR {error!r}"
    return state


# --------------------------------------------------------------------------- the scenario

@pytest.fixture(scope="module")
def scenario(tmp_path_factory: pytest.TempPathFactory) -> dict:
    baseline = baseline_home(tmp_path_factory)
    before = snapshot(baseline)
    root = tmp_path_factory.mktemp("crash")

    reference_job = None
    marker = reference_marker(tmp_path_factory)
    if marker.exists():
        reference = Path(marker.read_text(encoding="utf-8"))
    else:  # built here, in parallel with the crashes
        reference = copy_home(baseline, root / "reference")
        add_new_export(reference)
        reference_job = start_fsw(reference, "run")

    home = copy_home(baseline, root / "crashed")
    add_new_export(home)
    crashes = {}
    try:
        for point in POINTS:
            result = fsw_watched(home, "run", crash_at=point)
            crashes[point] = {**result, "after": snapshot(home), "unfinished_runs": sorted(unfinished_runs(home))}
        recovery = fsw_watched(home, "run")
    except BaseException:
        if reference_job is not None:
            _kill_group(reference_job.pid)
        raise
    # The run after each crash point: did a slot of the killed run block it?
    blocked_next = dict(zip(POINTS, [crashes[p]["blocked_by"] for p in POINTS[1:]] + [recovery["blocked_by"]]))
    if reference_job is not None:
        reference_result = finish_fsw(reference_job)
        assert reference_result["rc"] == 0, reference_result["stderr"][-3000:]
    timings = {point: crashes[point]["seconds"] for point in POINTS} | {"recovery": recovery["seconds"]}
    print(f"\ncrash-safety timings (s): {timings}; reference {'shared' if reference_job is None else 'built here'}; "
          f"next run blocked by the killed run's pool slot: {blocked_next}")
    return {"baseline": baseline, "before": before, "home": home, "crashes": crashes, "blocked_next": blocked_next,
            "recovery": recovery, "after_recovery": snapshot(home), "reference": reference}


# --------------------------------------------------------------------------- the checks

@pytest.mark.parametrize("point", POINTS)
def test_crash_kills_the_run_and_leaves_serving_intact(scenario, point):
    crash = scenario["crashes"][point]
    before, after = scenario["before"], crash["after"]
    assert crash["rc"] == -signal.SIGKILL, f"the crash point {point!r} was not reached:\n{crash['stderr'][-3000:]}"
    assert not crash["survivors"], f"a process of the killed run outlived it ({point})"
    # Same bytes as the last publication, and a read-only client still opens and queries it.
    assert after["serving_sha256"] == before["serving_sha256"]
    assert after["read"] == before["read"]
    assert after["read"][0] > 30_000
    # Nothing lost: until a run lands it completely, the new export stays in the inbox.
    if point == "landing":
        assert after["inbox"] == [NEW_EXPORT_NAME]


@pytest.mark.parametrize("point", POINTS)
def test_crash_leaves_no_half_written_file_where_users_look(scenario, point):
    after = scenario["crashes"][point]["after"]
    assert after["landing_violations"] == []
    assert after["extract_partials"] == []
    # serving/: the published file, and at most hidden leftovers (see the next test)
    assert [name for name in after["serving_leftovers"] if not name.startswith(".")] == []


@pytest.mark.parametrize("point", POINTS)
def test_crash_leaves_no_partial_file_in_serving(scenario, point):
    assert scenario["crashes"][point]["after"]["serving_leftovers"] == []


@pytest.mark.parametrize("point", POINTS)
def test_next_run_is_not_blocked_by_the_killed_run(scenario, point):
    # Fixed: the next CLI run releases runs a crash left holding the pool slot (runner.run_job).
    # The run after ``point`` (the next crash point's run, or the recovery) never waited for a
    # pool slot held by the killed run (the scenario releases such a slot after BLOCKED_GRACE s to go on).
    assert scenario["blocked_next"][point] == []


def test_next_run_recovers_and_cleans_up(scenario):
    recovery, after = scenario["recovery"], scenario["after_recovery"]
    assert recovery["rc"] == 0, recovery["stderr"][-3000:]
    assert not recovery["survivors"]
    assert after["serving_leftovers"] == []
    assert after["landing_violations"] == []
    assert after["extract_partials"] == []
    assert after["inbox"] == []
    # A new publication, readable.
    assert after["serving_sha256"] != scenario["before"]["serving_sha256"]
    assert after["read"][0] == scenario["before"]["read"][0]
    assert after["read"][1] != scenario["before"]["read"][1]


def test_recovered_marts_equal_an_uninterrupted_run(scenario):
    recovered, reference = serving_db(scenario["home"]), serving_db(scenario["reference"])
    got, want = mart_checksums(recovered), mart_checksums(reference)
    assert set(got) == set(want) and len(got) >= 10
    assert {t: v for t, v in got.items() if want[t] != v} == {}
    # The new export took effect: the national demand is no longer the baseline's.
    national = "select sum(requests) from mart_territory_monthly where territory_level = 'national'"
    assert query_serving(scenario["home"], national) != query_serving(scenario["baseline"], national)
    # The published ledger (ids and times aside) agrees too: the new file loaded exactly once.
    got_ledger, want_ledger = ledger(recovered), ledger(reference)
    assert got_ledger == want_ledger
    new_file = [row for row in got_ledger["fsw_loads"] if row[2] == NEW_EXPORT_NAME]
    assert len(new_file) == 1 and new_file[0][6] == "published" and new_file[0][8] > 0
