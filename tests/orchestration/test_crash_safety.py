"""Crash safety and concurrent readers, in one scenario.

Crash safety: the load killed (SIGKILL) at each fault-injection point leaves serving/ intact
and half-written files nowhere users look, and the next run converges to the marts of an
uninterrupted run on the same inputs. Concurrency: BI readers querying serving/ read-only in a
loop during a load never see an error or a half-published state.

1. side by side: the baseline, a first `fsw run` on a new home (the demo listing,
   FSW_DEMO_MONTHS=0: no demo exports), and the reference, the same first run with a new
   activity export (300 rows generated for department 01) already in its inbox;
2. the baseline is copied; on the two homes, side by side, `fsw ingest activity` of that export
   is killed at the points of each home's chain (``FSW_CRASH_AT``: ``landing``, ``raw_load`` and
   ``dbt_build`` on one, ``publish`` on the other), each time on the state the previous crash
   left (a snapshot is taken after each), then run once more without a fault (the recovery);
3. three reader processes query the second home all along: through the killed publish and the
   recovery's swap to a new file.

The crash points fire ``os.killpg(getpgrp(), SIGKILL)``: each CLI runs in its own session, so
only its process group dies, never pytest. The CLI processes are forked from a server that
imported the CLI's modules once (``fsw_processes``).
"""

from __future__ import annotations

import hashlib
import json
import os
import shutil
import signal
import subprocess
import sys
import threading
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import duckdb
import pytest
from fsw_processes import FswProcess, kill_group, start_fsw, warm_up

from ingestion.faults import POINTS

pytestmark = pytest.mark.slow

RUN_TIMEOUT = 600
# A run waiting for the pool slot of a killed run would wait forever: fail fast instead.
CHAIN_RUN_TIMEOUT = 180
# Columns that hold the time of the run itself, not data: excluded from the mart checksums.
RUN_TIME_COLUMNS = {"loaded_at", "planned_at", "published_at"}
MART_PREFIXES = ("dim_", "fct_", "mart_")
NEW_EXPORT_NAME = "activite_01_corrigee.csv"


# --------------------------------------------------------------------------- helpers

LOGS: Path | None = None  # the CLI's output files, under the module's temporary folder


def cli_env(crash_at: str | None = None) -> dict[str, str]:
    env = {**os.environ, "FSW_DEMO_MONTHS": "0"}  # the demo listing, no demo exports: quicker runs
    env.pop("FSW_CRASH_AT", None)
    if crash_at:
        env["FSW_CRASH_AT"] = crash_at
    return env


def start(home: Path, *args: str, crash_at: str | None = None) -> FswProcess:
    """Start `fsw ARGS` on ``home`` in its own session (a crash point kills its whole group)."""
    return start_fsw(home, *args, env=cli_env(crash_at), logs=LOGS)


def finish(proc: FswProcess, timeout: float = RUN_TIMEOUT) -> dict:
    result = proc.finish(timeout)
    if result["timed_out"]:
        pytest.fail(f"fsw did not finish within {timeout}s; stderr tail:\n{result['stderr'][-3000:]}")
    return result


def fsw(home: Path, *args: str, crash_at: str | None = None, timeout: float = RUN_TIMEOUT) -> dict:
    return finish(start(home, *args, crash_at=crash_at), timeout)


_INSTANCES: dict[Path, object] = {}
_INSTANCES_LOCK = threading.Lock()


def unfinished_runs(home: Path) -> set[str]:
    """Runs the instance still believes in progress (between CLI runs: runs of killed CLIs)."""
    import dagster as dg

    with _INSTANCES_LOCK:
        if home not in _INSTANCES:  # one per home: opening an instance costs about half a second
            # The instance config reads its storage folder from DAGSTER_HOME (as the CLI sets it);
            # the chains run in two threads, hence the lock around the environment.
            previous = os.environ.get("DAGSTER_HOME")
            os.environ["DAGSTER_HOME"] = str(home / "dagster")
            try:
                _INSTANCES[home] = dg.DagsterInstance.from_config(str(home / "dagster"))
            finally:
                if previous is None:
                    os.environ.pop("DAGSTER_HOME")
                else:
                    os.environ["DAGSTER_HOME"] = previous
    statuses = [dg.DagsterRunStatus.NOT_STARTED, dg.DagsterRunStatus.STARTING, dg.DagsterRunStatus.STARTED]
    return {run.run_id for run in _INSTANCES[home].get_runs(filters=dg.RunsFilter(statuses=statuses))}


def fsw_after(home: Path, *args: str, crash_at: str | None = None) -> dict:
    """Run the CLI on a home a crash may have left runs 'started' in (with their pool slot):
    record them, and which of them are still unfinished after this run."""
    dead = unfinished_runs(home)
    result = fsw(home, *args, crash_at=crash_at, timeout=CHAIN_RUN_TIMEOUT)
    result["dead_runs_before"] = sorted(dead)
    result["dead_runs_left"] = sorted(dead & unfinished_runs(home))
    return result


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
        tables = [
            t
            for (t,) in con.execute(
                "select table_name from duckdb_tables() where schema_name = 'main' order by 1"
            ).fetchall()
            if t.startswith(MART_PREFIXES)
        ]
        sums = {}
        for table in tables:
            columns = con.execute(
                "select column_name, data_type from duckdb_columns() where schema_name = 'main' "
                "and table_name = ? order by column_index",
                [table],
            ).fetchall()
            exprs = [
                f'round("{c}", 6)' if t in ("DOUBLE", "FLOAT") else f'"{c}"'
                for c, t in columns
                if c not in RUN_TIME_COLUMNS
            ]
            row = f"hash(row({', '.join(exprs)}))"
            sums[table] = con.execute(
                f'select count(*), bit_xor({row}), sum({row}::hugeint) from main."{table}"'
            ).fetchone()
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
                "rows_quarantined, is_demo, allow_drop from fsw_loads order by all"
            ).fetchall(),
            "fsw_quarantine": con.execute(
                'select source, file, sheet, "row", "column", value, reason from fsw_quarantine order by all'
            ).fetchall(),
        }
    finally:
        con.close()


def copy_home(source: Path, target: Path) -> Path:
    """A copy of a home (DAGSTER_HOME is set per home by the CLI, so the copy is independent)."""
    shutil.copytree(source, target, symlinks=True)
    return target


def write_new_export(folder: Path) -> Path:
    """A new (real, not demo) activity export in ``folder``: the first 300 rows of a
    department-01 export for last month, generated for the sites of the demo listing that
    every new home gets (built here in a scratch home), so its sites and dates are valid."""
    from datetime import date

    from ingestion.demo import write_demo_exports
    from orchestration.config import Settings
    from orchestration.defs.demo import current_sites
    from orchestration.demo_cli import ensure_demo_listing

    scratch = Settings(home=folder.parent / "scratch", demo_months=0).ensure()
    ensure_demo_listing(scratch)
    sites = current_sites(scratch)
    sites = sites[sites["department_code"] == "01"]
    today = date.today()
    last_month = date(today.year - (today.month == 1), (today.month - 2) % 12 + 1, 1)
    generated = folder.parent / "generated"
    write_demo_exports(sites, generated, months=1, end_month=last_month, bad_rows=False)
    [export] = sorted((generated / "activity").glob("activite_01_*.csv"))
    lines = export.read_bytes().splitlines(keepends=True)
    folder.mkdir(parents=True, exist_ok=True)
    target = folder / NEW_EXPORT_NAME
    target.write_bytes(b"".join(lines[:301]))
    return target


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
    return sorted(
        str(p.relative_to(home))
        for p in folder.rglob("*")
        if p.name.startswith(".") or ".partial" in p.name or p.name.endswith(".tmp")
    )


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
            home, "select (select count(*) from dim_commune), (select any_value(run_id) from fsw_publication)"
        )[0]
    except Exception as error:  # a reader error is what this test looks for: keep it as data
        state["read"] = f"ERROR {error!r}"
    return state


# --------------------------------------------------------------------------- BI readers

READER = r"""
import json, os, sys, time, duckdb

serving, mode, out_path, stop_path = sys.argv[1:5]

def ask(con):
    # Three separate statements, as a BI tool would send them.
    run_ids = [r[0] for r in con.execute("select run_id from fsw_publication").fetchall()]
    communes = con.execute("select count(*) from dim_commune").fetchone()[0]
    national = con.execute(
        "select sum(requests) from mart_territory_monthly where territory_level = 'national'").fetchone()[0]
    return {"run_ids": run_ids, "communes": communes, "national": int(national or 0)}

with open(out_path, "w", encoding="utf-8") as out:
    con = None
    while not os.path.exists(stop_path):
        try:
            if mode == "reconnect":
                with duckdb.connect(serving, read_only=True) as fresh:
                    answer = ask(fresh)
            else:
                if con is None:
                    con = duckdb.connect(serving, read_only=True)
                answer = ask(con)
        except Exception as error:
            answer = {"error": f"{type(error).__name__}: {error}"}
        answer["t"] = time.time()
        out.write(json.dumps(answer) + "\n")
        out.flush()
        time.sleep(0.4)  # about 2 queries a second: enough to see the swap, light on two cores
"""
READER_MODES = ("reconnect", "reconnect", "keep")


def observations(path: Path) -> list[dict]:
    return [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines() if line.strip()]


def published_answer(home: Path) -> dict:
    """What a new read-only connection sees: the publication's run_id and two of its counts."""
    [(run_id, communes, national)] = query_serving(
        home,
        "select (select any_value(run_id) from fsw_publication), (select count(*) from dim_commune), "
        "(select sum(requests) from mart_territory_monthly where territory_level = 'national')",
    )
    return {"run_id": run_id, "communes": communes, "national": int(national or 0)}


def start_readers(home: Path, folder: Path) -> tuple[list[subprocess.Popen], list[Path], Path]:
    """Three reader processes on ``home``'s serving DB; returns once each has answered."""
    stop = folder / "stop"
    logs = [folder / f"reader{i}.jsonl" for i in range(len(READER_MODES))]
    readers = [
        subprocess.Popen(
            [sys.executable, "-c", READER, str(serving_db(home)), mode, str(log), str(stop)],
            stdin=subprocess.DEVNULL,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.PIPE,
            text=True,
        )
        for mode, log in zip(READER_MODES, logs)
    ]
    deadline = time.monotonic() + 60
    while not all(log.exists() and log.stat().st_size for log in logs):
        assert all(r.poll() is None for r in readers), "a reader died before the run"
        assert time.monotonic() < deadline, "readers did not start"
        time.sleep(0.1)
    return readers, logs, stop


def stop_readers(readers, logs: list[Path], stop: Path, new_run_id: str | None) -> list[str]:
    """Let each reconnecting reader see ``new_run_id`` once, then stop them all; their stderr."""
    deadline = time.monotonic() + 30
    while (
        new_run_id
        and time.monotonic() < deadline
        and not all(
            any(o.get("run_ids") == [new_run_id] for o in observations(log))
            for mode, log in zip(READER_MODES, logs)
            if mode == "reconnect"
        )
    ):
        time.sleep(0.2)
    stop.touch()
    return [r.communicate(timeout=60)[1] for r in readers]


# --------------------------------------------------------------------------- the scenario

# The crash points, split over two homes that crash and recover side by side (two cores):
# each point is reached on the state the previous crash of its home left.
CHAINS = {"crashed": ("landing", "raw_load", "dbt_build"), "published": ("publish",)}
CHAIN_OF = {point: home for home, points in CHAINS.items() for point in points}
assert sorted(CHAIN_OF) == sorted(POINTS)


def crash_chain(home: Path, ingest: tuple[str, ...]) -> dict:
    """The ingest killed at each point of ``home``'s chain, then once more without a fault."""
    crashes = {}
    for point in CHAINS[home.name]:
        result = fsw_after(home, *ingest, crash_at=point)
        crashes[point] = {**result, "after": snapshot(home)}
    recovery = fsw_after(home, *ingest)
    return {"crashes": crashes, "recovery": recovery, "after_recovery": snapshot(home)}


@pytest.fixture(scope="module")
def scenario(tmp_path_factory: pytest.TempPathFactory) -> dict:
    """Two homes from one baseline crash and recover while readers query one of them; the
    reference is one uninterrupted run on the same inputs, built beside the baseline."""
    global LOGS
    root = tmp_path_factory.mktemp("crash")
    LOGS = root / "logs"
    started = time.monotonic()
    warm_up()  # the fork server imports the CLI's modules while the new export is generated
    new_export = write_new_export(root / "sent")
    new_export_sha256 = sha256_file(new_export)
    home, reference = root / "crashed", root / "reference"
    (reference / "inbox" / "activity").mkdir(parents=True)
    shutil.copy2(new_export, reference / "inbox" / "activity" / NEW_EXPORT_NAME)
    # Side by side: the baseline, a first `fsw run` on a new home, and the reference, the same
    # first run with the new export already waiting in its inbox.
    baseline_job, reference_job = start(home, "run"), start(reference, "run")
    stop = root / "stop"  # the readers' stop file
    try:
        baseline = finish(baseline_job)
        assert baseline["rc"] == 0, baseline["stderr"][-3000:]
        baseline_seconds = round(time.monotonic() - started, 1)
        before = snapshot(home)
        national = "select sum(requests) from mart_territory_monthly where territory_level = 'national'"
        before_national = query_serving(home, national)
        published = copy_home(home, root / "published")
        old_answer = published_answer(published)
        ingest = ("ingest", "activity", str(new_export))
        with ThreadPoolExecutor(max_workers=2) as pool:
            futures = {h.name: pool.submit(crash_chain, h, ingest) for h in (home, published)}
            # The readers start with the chains: the killed run reaches its publish step ~10 s later.
            readers, reader_logs, stop = start_readers(published, root)
            chains = {name: future.result() for name, future in futures.items()}
        reference_run = finish(reference_job)
    except BaseException:
        kill_group(reference_job.pid)
        stop.touch()
        raise
    assert reference_run["rc"] == 0, reference_run["stderr"][-3000:]
    new_answer = published_answer(published)
    reader_errors = stop_readers(readers, reader_logs, stop, new_answer["run_id"])

    crashes = {point: chains[CHAIN_OF[point]]["crashes"][point] for point in POINTS}
    timings = {
        "baseline": baseline_seconds,
        **{p: crashes[p]["seconds"] for p in POINTS},
        **{f"recovery of {name}": chain["recovery"]["seconds"] for name, chain in chains.items()},
        "reference": reference_run["seconds"],
        "total": round(time.monotonic() - started, 1),
    }
    print(f"\ncrash-safety timings (s): {timings}; readers: {[len(observations(log)) for log in reader_logs]} queries")
    return {
        "before": before,
        "before_national": before_national,
        "homes": {"crashed": home, "published": published},
        "new_export": new_export,
        "new_export_sha256": new_export_sha256,
        "crashes": crashes,
        "chains": chains,
        "reference": reference,
        "reference_run": reference_run,
        "readers": {
            "modes": READER_MODES,
            "logs": reader_logs,
            "errors": reader_errors,
            "returncodes": [r.returncode for r in readers],
            "old": old_answer,
            "new": new_answer,
            "run": chains["published"]["recovery"],
            "home": published,
        },
    }


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
    # Nothing lost: the file given to `fsw ingest` is untouched whatever the crash.
    assert sha256_file(scenario["new_export"]) == scenario["new_export_sha256"]


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
def test_next_run_releases_what_the_killed_run_held(scenario, point):
    # A run killed inside a Dagster step stays 'started' in the instance, holding its slot of the
    # `work_duckdb` pool: the next CLI run must mark it failed and free the slot, else it waits
    # forever (the scenario fails it after CHAIN_RUN_TIMEOUT s).
    chain = scenario["chains"][CHAIN_OF[point]]
    points = CHAINS[CHAIN_OF[point]]
    following = points[points.index(point) + 1 :]
    after = chain["crashes"][following[0]] if following else chain["recovery"]
    assert after["dead_runs_left"] == []
    if point != "landing":  # killed before any Dagster run started
        assert after["dead_runs_before"], "the killed run should have left a run 'started'"
        assert "left unfinished by a crash" in after["stderr"]


@pytest.mark.parametrize("home", CHAINS)
def test_next_run_recovers_and_cleans_up(scenario, home):
    chain = scenario["chains"][home]
    recovery, after = chain["recovery"], chain["after_recovery"]
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


@pytest.mark.parametrize("home", CHAINS)
def test_recovered_marts_equal_an_uninterrupted_run(scenario, home):
    recovered, reference = serving_db(scenario["homes"][home]), serving_db(scenario["reference"])
    assert scenario["reference_run"]["rc"] == 0
    got, want = mart_checksums(recovered), mart_checksums(reference)
    assert set(got) == set(want) and len(got) >= 10
    assert {t: v for t, v in got.items() if want[t] != v} == {}
    # The new export took effect: the national demand is no longer the baseline's.
    national = "select sum(requests) from mart_territory_monthly where territory_level = 'national'"
    assert query_serving(scenario["homes"][home], national) != scenario["before_national"]
    # The published ledger (ids and times aside) agrees too: the new file loaded exactly once.
    got_ledger, want_ledger = ledger(recovered), ledger(reference)
    assert got_ledger == want_ledger
    new_file = [row for row in got_ledger["fsw_loads"] if row[2] == NEW_EXPORT_NAME]
    assert len(new_file) == 1 and new_file[0][6] == "published" and new_file[0][8] > 0


# --------------------------------------------------------------------------- BI readers during a publication


def test_readers_never_fail_during_a_publication(scenario):
    """Three processes query serving/ read-only in a loop while the load on their home is killed
    in its publish step and then run again, building and swapping in a new file: no error, each
    answer one publication's, reconnecting readers move from the old file to the new one and
    never back, a kept connection keeps reading the file it opened."""
    readers, run = scenario["readers"], scenario["readers"]["run"]
    old, new = readers["old"], readers["new"]
    assert readers["returncodes"] == [0] * len(readers["modes"]), readers["errors"]
    assert new["run_id"] != old["run_id"]
    assert run["stderr"].count(f"run {new['run_id']}: succeeded") == 1
    assert new["national"] != old["national"], "the new export should change the national demand"
    assert new["communes"] == old["communes"]
    assert serving_leftovers(readers["home"]) == []

    expected = {old["run_id"]: old, new["run_id"]: new}
    for mode, log in zip(readers["modes"], readers["logs"]):
        seen = observations(log)
        assert len(seen) >= 20, f"{log.name}: only {len(seen)} queries"
        assert [o for o in seen if "error" in o] == [], f"{log.name} ({mode}) errored"
        for o in seen:  # each answer is one publication's: its run_id with its own counts
            assert len(o["run_ids"]) == 1 and o["run_ids"][0] in expected, o
            want = expected[o["run_ids"][0]]
            assert (o["communes"], o["national"]) == (want["communes"], want["national"]), o
        # Readers were querying while the publish step was killed, and saw the old file then.
        crash = scenario["crashes"]["publish"]
        during = [o["run_ids"] for o in seen if crash["started_at"] <= o["t"] <= crash["ended_at"]]
        assert during and set(map(tuple, during)) == {(old["run_id"],)}, f"{log.name}: {len(during)} queries"
        order = [o["run_ids"][0] for o in seen]
        if mode == "reconnect":
            # old file until the swap, then the new one, never back
            switch = order.index(new["run_id"])
            assert set(order[:switch]) == {old["run_id"]} and set(order[switch:]) == {new["run_id"]}
        else:
            assert set(order) == {old["run_id"]}
