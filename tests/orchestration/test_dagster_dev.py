"""The first hour in the UI: a CLI run is a run of the code location, and the inbox works alone.

`fsw run`, then `fsw ui` (dagster dev: webserver and daemon) from another folder: the run the
CLI printed is listed under the job `build_and_publish` of the location `france_services`, and
an activity file dropped into the inbox is landed, loaded, built and published by the sensors,
without any command. Neither command prints a Python warning.
"""

import json
import os
import re
import signal
import socket
import subprocess
import sys
import time
import urllib.request

import duckdb
import pytest

from tests.conftest import PROJECT_ROOT, run_fsw

pytestmark = pytest.mark.slow

RUNS_OF_JOB = """
query ($job: String!) {
  runsOrError(filter: {pipelineName: $job,
                       tags: [{key: ".dagster/repository", value: "__repository__@france_services"}]}) {
    ... on Runs { results { runId status repositoryOrigin { repositoryLocationName } } }
  }
}"""
HEADER = "Matricule;Date;Partenaire;Thématique;Canal;Nombre de demandes;Dont résolues au premier contact\n"


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def _graphql(port: int, query: str, variables: dict) -> dict:
    request = urllib.request.Request(
        f"http://127.0.0.1:{port}/graphql",
        data=json.dumps({"query": query, "variables": variables}).encode(),
        headers={"Content-Type": "application/json"},
    )
    with urllib.request.urlopen(request, timeout=10) as answer:
        return json.load(answer)["data"]


def _wait(predicate, seconds: float, what: str, log_path):
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        try:
            value = predicate()
        except (OSError, duckdb.Error, KeyError):
            value = None
        if value:
            return value
        time.sleep(2)
    pytest.fail(f"{what} within {seconds:.0f}s; fsw ui output:\n{log_path.read_text()[-4000:]}")


def _serving(home, sql, params=()):
    con = duckdb.connect(str(home / "serving" / "warehouse.duckdb"), read_only=True)
    try:
        return con.execute(sql, list(params)).fetchall()
    finally:
        con.close()


def test_cli_runs_are_in_the_code_location_and_the_inbox_publishes_alone(fsw_home, tmp_path):
    done = run_fsw(fsw_home, "run")
    assert done.returncode == 0, done.stderr[-3000:]
    assert done.stdout.strip() == str(fsw_home / "serving" / "warehouse.duckdb")  # the result on stdout
    assert "Warning" not in done.stderr + done.stdout and "warning" not in done.stderr, done.stderr
    [run_id] = re.findall(r"^run ([0-9a-f-]{36}): succeeded", done.stderr, flags=re.MULTILINE)

    # A real export for a site of the demo listing, in the newest demo month.
    [(site_id, month)] = _serving(
        fsw_home,
        "select site_id, month_start from fct_demand order by month_start desc, site_id limit 1",
    )
    rows = [f"{site_id};03/{month:%m/%Y};CAF;Prestations familiales;Accueil physique;{n};1\n" for n in (4, 5, 6)]

    port = _free_port()
    env = {
        **os.environ,
        "FSW_HOME": str(fsw_home),
        "DAGSTER_HOME": str(fsw_home / "dagster"),
        "FSW_DEMO_MONTHS": "1",
        "FSW_SENSOR_INTERVAL": "3",
    }
    log_path = tmp_path / "ui.log"
    with open(log_path, "w") as log:
        ui = subprocess.Popen(
            [sys.executable, "-m", "orchestration.cli", "ui", "--port", str(port)],
            cwd=tmp_path,  # not the project folder: `fsw ui` finds the code location itself
            env={**env, "PYTHONPATH": str(PROJECT_ROOT)},
            stdout=log,
            stderr=subprocess.STDOUT,
            stdin=subprocess.DEVNULL,
            start_new_session=True,
        )
    try:
        runs = _wait(
            lambda: _graphql(port, RUNS_OF_JOB, {"job": "build_and_publish"})["runsOrError"]["results"],
            120,
            "the UI did not answer",
            log_path,
        )
        assert run_id in [run["runId"] for run in runs]
        assert {run["repositoryOrigin"]["repositoryLocationName"] for run in runs} == {"france_services"}

        inbox = fsw_home / "inbox" / "activity"
        partial = inbox / ".activite_reelle.csv.partial"
        partial.write_text(HEADER + "".join(rows), encoding="utf-8")
        partial.rename(inbox / "activite_reelle.csv")  # dropped whole, as a copy into the folder
        _wait(
            lambda: _serving(
                fsw_home, "select 1 from fsw_loads where file_name = 'activite_reelle.csv' and status = 'published'"
            ),
            300,
            "the dropped file was not published",
            log_path,
        )
    finally:
        os.killpg(ui.pid, signal.SIGINT)
        try:
            ui.wait(timeout=30)
        except subprocess.TimeoutExpired:
            os.killpg(ui.pid, signal.SIGKILL)
            ui.wait()
    # The first real activity file replaces the demo exports: its 15 requests are the total.
    assert _serving(fsw_home, "select sum(requests) from fct_demand") == [(15,)]
    assert not list(inbox.glob("activite_reelle.csv"))
    output = log_path.read_text()
    assert "Warning" not in output, [line for line in output.splitlines() if "Warning" in line]
