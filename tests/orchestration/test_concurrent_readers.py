"""BI readers during a publication: three processes query serving/warehouse.duckdb read-only
in a loop while a full `fsw run` builds and swaps in a new file.

No reader may ever error, every answer must be internally consistent (a publication's run_id
always comes with that publication's counts), a reader that reconnects never goes back to the
old file once it saw the new one, a reader that keeps its connection keeps reading the file it
opened, and a new connection after the run sees the new run_id.

The run is a copy of the shared baseline home with a new activity export in its inbox: the
same inputs as the crash-safety scenario, so its result is recorded as that test's reference
(one CLI run less).
"""

from __future__ import annotations

import json
import subprocess
import sys
import time
from pathlib import Path

import pytest

try:  # pytest imports this folder's modules by their basename (no __init__.py here)
    from test_crash_safety import (add_new_export, baseline_home, copy_home, fsw, query_serving,
                                   reference_marker, serving_db, serving_leftovers)
except ImportError:  # pragma: no cover - other import modes
    from tests.orchestration.test_crash_safety import (add_new_export, baseline_home, copy_home, fsw,
                                                       query_serving, reference_marker, serving_db,
                                                       serving_leftovers)

pytestmark = pytest.mark.slow

READER = r"""
import json, os, sys, time, duckdb

serving, mode, out_path, stop_path = sys.argv[1:5]

def ask(con):
    # Three separate statements, as a BI tool would send them.
    run_ids = [r[0] for r in con.execute("select run_id from fsw_publication").fetchall()]
    communes = con.execute("select count(*) from dim_commune").fetchone()[0]
    national = con.execute(
        "select sum(requests) from mart_territory_monthly where territory_level = 'national'").fetchone()[0]
    return {"run_ids": run_ids, "communes": communes, "national": int(national)}

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
        time.sleep(0.05)
"""
MODES = ("reconnect", "reconnect", "keep")


def _observations(path: Path) -> list[dict]:
    return [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines() if line.strip()]


def _answer(home: Path) -> dict:
    [(run_id, communes, national)] = query_serving(
        home, "select (select any_value(run_id) from fsw_publication), (select count(*) from dim_commune), "
              "(select sum(requests) from mart_territory_monthly where territory_level = 'national')")
    return {"run_id": run_id, "communes": communes, "national": int(national)}


def test_readers_never_fail_during_a_publication(tmp_path_factory, tmp_path):
    baseline = baseline_home(tmp_path_factory)
    home = copy_home(baseline, tmp_path_factory.mktemp("readers") / "warehouse")
    add_new_export(home)
    old = _answer(home)

    stop = tmp_path / "stop"
    logs = [tmp_path / f"reader{i}.jsonl" for i in range(len(MODES))]
    readers = [
        subprocess.Popen([sys.executable, "-c", READER, str(serving_db(home)), mode, str(log), str(stop)],
                         stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True)
        for mode, log in zip(MODES, logs)
    ]
    try:
        deadline = time.monotonic() + 60
        while not all(log.exists() and log.stat().st_size for log in logs):
            assert all(r.poll() is None for r in readers), "a reader died before the run"
            assert time.monotonic() < deadline, "readers did not start"
            time.sleep(0.1)

        run = fsw(home, "run")
        assert run["rc"] == 0, run["stderr"][-3000:]
        new = _answer(home)  # a new connection after the run

        # Let each reconnecting reader see the new file once, then stop them all.
        deadline = time.monotonic() + 30
        while time.monotonic() < deadline and not all(
                any(o.get("run_ids") == [new["run_id"]] for o in _observations(log))
                for mode, log in zip(MODES, logs) if mode == "reconnect"):
            time.sleep(0.2)
    finally:
        stop.touch()
        errors = [r.communicate(timeout=60)[1] for r in readers]
    assert [r.returncode for r in readers] == [0] * len(readers), errors

    # After the run: a new connection sees the new publication, and nothing half-written is left.
    assert new["run_id"] != old["run_id"]
    assert run["stderr"].count(f"run {new['run_id'][:8]}: succeeded") == 1
    assert new["national"] != old["national"], "the new export should change the national demand"
    assert new["communes"] == old["communes"]
    assert serving_leftovers(home) == []

    expected = {old["run_id"]: old, new["run_id"]: new}
    for mode, log in zip(MODES, logs):
        seen = _observations(log)
        assert len(seen) >= 20, f"{log.name}: only {len(seen)} queries"
        assert [o for o in seen if "error" in o] == [], f"{log.name} ({mode}) errored"
        for o in seen:  # each answer is one publication's: its run_id with its own counts
            assert len(o["run_ids"]) == 1 and o["run_ids"][0] in expected, o
            want = expected[o["run_ids"][0]]
            assert (o["communes"], o["national"]) == (want["communes"], want["national"]), o
        order = [o["run_ids"][0] for o in seen]
        if mode == "reconnect":
            # old file until the swap, then the new one, never back
            switch = order.index(new["run_id"])
            assert set(order[:switch]) == {old["run_id"]} and set(order[switch:]) == {new["run_id"]}
        else:
            # a connection kept open reads the file it opened, even after the swap
            assert set(order) == {old["run_id"]}
    print(f"\nreaders: {[len(_observations(log)) for log in logs]} queries, run {run['seconds']} s")

    # Same inputs as the crash-safety scenario, run without a fault: its reference.
    reference_marker(tmp_path_factory).write_text(str(home), encoding="utf-8")
