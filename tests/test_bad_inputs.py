"""The bad-input corpus (`tests/bad_inputs/`, table `cases.csv`) through the `fsw` CLI.

Eight CLI runs that do real work (plus seven refusals at landing, about a second each). The
first ingest on a fresh home runs in a home of its own, beside the main chain; in the main home,
failing runs land the files of later ones: the inbox run (`fsw run`) lands every activity and
satisfaction export, fails on the barometer and a site listing with a duplicated id, so the
exports wait; the listing of 100 sites then loads and the exports are parsed against it (every
file-level failure in one line); the path-traversal ingest publishes them all; the other bad
listings, the volume drop and the refusals then fail against a published serving DB. Every case
checks what its step left behind: exit code and one line on stderr, the ledger (`meta.loads`)
and quarantine in work.duckdb, the landed copy, the serving DB (byte-identical after a failed
step) and, for partly bad files, the good rows.
"""

from __future__ import annotations

import csv
import hashlib
import re
import shutil
import time
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path

import duckdb
import pandas as pd
import pytest

from orchestration.extracts import neutralise
from tests.conftest import last_line, run_fsw

pytestmark = pytest.mark.slow

CORPUS = Path(__file__).parent / "bad_inputs"
CASES = list(csv.DictReader(open(CORPUS / "cases.csv", encoding="utf-8")))

# Cases that reveal a bug in the production code: strict xfail until it is fixed.
KNOWN_BUGS: dict[str, str] = {}

# Files dropped in FSW_HOME/inbox/<source>/ before the inbox run (`fsw run`).
INBOX = {
    "activity": [
        "utf16.csv",
        "binary.csv",
        "empty.csv",
        "header_only.csv",
        "missing_column.csv",
        "duplicated_column.csv",
        "truncated.csv",
        "truncated.xlsx",
        "partly_bad.csv",
        "shifted_columns.csv",
        "unknown_site_middle.csv",
        "big_field.csv",
    ],
    "satisfaction": [
        "partly_bad.csv",
        "duplicated_column.csv",
        "missing_column.csv",
        "whitespace_only.csv",
        "no_header.xlsx",
    ],
    "barometer": ["not_a_number.csv"],
    "sites": ["duplicated_id.csv"],
}
BIG_FIELD = 1 << 20

MONTHLY_REQUESTS = "select strftime(month_start, '%Y-%m'), sum(requests) from fct_demand group by 1 order by 1"
CURRENT_SITES = "select count(*) from dim_site where is_current"
RESPONSES = "select coalesce(sum(responses), 0) from fct_satisfaction"
STEP_QUERIES = {
    "activity_ok": {
        "current_sites": CURRENT_SITES,
        "site_names": "select site_id, site_name, commune_code from dim_site where is_current",
        "requests": MONTHLY_REQUESTS,
        "themes": f"select theme_name from dim_theme where length(theme_name) < {BIG_FIELD}",
        "big_themes": f"select length(theme_name), theme_name = repeat('A', {BIG_FIELD}) from dim_theme "
        f"where length(theme_name) >= {BIG_FIELD}",
        "tables": "select table_name from information_schema.tables",
        "responses": RESPONSES,
    },
    "sites_drop_allowed": {"current_sites": CURRENT_SITES, "responses": RESPONSES, "requests": MONTHLY_REQUESTS},
}


@dataclass
class Step:
    """One CLI invocation and what it left behind."""

    name: str
    args: tuple[str, ...]
    returncode: int
    stderr: str
    seconds: float
    serving_before: str | None
    serving_after: str | None
    landed: dict[tuple[str, str], str] = field(default_factory=dict)  # (source, file name) -> load_id
    failed: set[str] = field(default_factory=set)  # load_ids that became 'failed' in this step
    statuses: dict[str, str] = field(default_factory=dict)  # load_id -> status after this step
    results: dict[str, list] = field(default_factory=dict)


@dataclass
class Corpus:
    home: Path
    inputs: Path
    steps: dict[str, Step]
    loads: pd.DataFrame
    quarantine: pd.DataFrame
    outside_before: set[str]
    outside_after: set[str]


def _sha(path: Path) -> str | None:
    return hashlib.sha256(path.read_bytes()).hexdigest() if path.exists() else None


def _frame(con, sql: str) -> pd.DataFrame:
    cursor = con.execute(sql)
    return pd.DataFrame(cursor.fetchall(), columns=[d[0] for d in cursor.description])


def _ledger(home: Path) -> pd.DataFrame:
    work = home / "work.duckdb"
    if not work.exists():
        return pd.DataFrame(columns=["load_id", "source", "file_name", "status"])
    con = duckdb.connect(str(work), read_only=True)
    try:
        return _frame(con, "select load_id, source, file_name, status from meta.loads")
    finally:
        con.close()


def _files_outside(root: Path, home: Path) -> set[str]:
    return {str(p) for p in root.rglob("*") if home not in p.parents and p != home}


def _step(name: str, home: Path, args: tuple[str, ...], ledger: pd.DataFrame) -> tuple[Step, pd.DataFrame]:
    """Run one CLI invocation on ``home``; ``ledger`` is meta.loads before it. Returns the ledger after."""
    serving = home / "serving" / "warehouse.duckdb"
    before, started = _sha(serving), time.monotonic()
    done = run_fsw(home, *args, demo_months=0)
    seconds = time.monotonic() - started
    after = _ledger(home)
    old = dict(zip(ledger["load_id"], ledger["status"]))
    new = after[~after["load_id"].isin(list(old))]
    step = Step(
        name,
        args,
        done.returncode,
        done.stderr,
        seconds,
        before,
        _sha(serving),
        {(r.source, r.file_name): r.load_id for r in new.itertuples()},
        {r.load_id for r in after.itertuples() if r.status == "failed" and old.get(r.load_id) != "failed"},
        dict(zip(after["load_id"], after["status"])),
    )
    assert len(step.landed) == len(new), f"{name}: two files of one name landed: {new.to_string()}"
    if name in STEP_QUERIES and serving.exists():
        con = duckdb.connect(str(serving), read_only=True)
        try:
            step.results = {key: con.execute(sql).fetchall() for key, sql in STEP_QUERIES[name].items()}
        finally:
            con.close()
    return step, after


@pytest.fixture(scope="module")
def corpus(tmp_path_factory) -> Corpus:
    root = tmp_path_factory.mktemp("bad_inputs")
    home = root / "warehouse"
    inputs = root / "inputs"
    inputs.mkdir()

    def src(name: str) -> str:
        return str(CORPUS / name)

    # Inputs whose name is the case: a path-traversal argument, refused names, a 1 MB field.
    (inputs / "etc").mkdir()
    shutil.copyfile(CORPUS / "activity" / "passwd.csv", inputs / "etc" / "passwd.csv")
    (inputs / "a" / "b").mkdir(parents=True)
    traversal = f"{inputs}/a/b/../../etc/passwd.csv"
    shutil.copyfile(CORPUS / "activity" / "passwd.csv", inputs / ".hidden.csv")
    shutil.copyfile(CORPUS / "activity" / "passwd.csv", inputs / "bad\nname.csv")
    header = (CORPUS / "activity" / "passwd.csv").read_text(encoding="utf-8").splitlines()[0]
    # May 2025: no other file has rows that month, so none replaces these (newest file wins per site-month).
    (inputs / "big_field.csv").write_text(
        f"{header}\n1;21/05/2025;CAF;{'A' * BIG_FIELD};Accueil physique;7;7\n"
        "2;21/05/2025;CAF;RSA;Accueil physique;3;3\n",
        encoding="utf-8",
    )
    for source, names in INBOX.items():
        folder = home / "inbox" / source
        folder.mkdir(parents=True)
        for name in names:
            shutil.copyfile(_input_path(inputs, source, name), folder / name)

    plan = [
        # Lands all of INBOX; the barometer and the site listing fail, so the exports wait (skipped).
        ("inbox_run", ("run",)),
        # The listing loads; the waiting exports are parsed against it; the bad ones fail the run.
        ("sites_100", ("ingest", "sites", src("sites/listing_100.csv"), "--as-of", "2025-01-01")),
        # Publishes the listing of 100 and every export parsed so far, with the traversal file.
        ("activity_ok", ("ingest", "activity", traversal)),
        # From here on every failing step has a published serving DB to leave untouched.
        ("refused_hidden", ("ingest", "activity", str(inputs / ".hidden.csv"))),
        ("refused_newline", ("ingest", "activity", str(inputs / "bad\nname.csv"))),
        ("insee_binary", ("ingest", "insee", src("insee/binary.csv"))),
        ("insee_empty", ("ingest", "insee", src("insee/empty.csv"))),
        ("insee_utf16", ("ingest", "insee", src("insee/utf16.csv"))),
        ("insee_truncated_xlsx", ("ingest", "insee", src("insee/truncated.xlsx"))),
        ("insee_unrecognised", ("ingest", "insee", src("insee/unrecognised.xlsx"))),
        ("sites_truncated_geojson", ("ingest", "sites", src("sites/truncated.geojson"), "--as-of", "2025-02-01")),
        ("sites_shifted", ("ingest", "sites", src("sites/shifted_columns.csv"), "--as-of", "2025-02-01")),
        ("sites_drop", ("ingest", "sites", src("sites/listing_75.csv"), "--as-of", "2025-02-01")),
        (
            "sites_drop_allowed",
            ("ingest", "sites", src("sites/listing_75.csv"), "--as-of", "2025-02-01", "--allow-drop"),
        ),
    ]
    steps: dict[str, Step] = {}
    (root / "stderr").mkdir()
    outside_before = outside_after = set()
    ledger = _ledger(home)
    with ThreadPoolExecutor(max_workers=1) as pool:
        fresh = None
        for name, args in plan:
            if name == "activity_ok":
                outside_before = _files_outside(root, home)
            steps[name], ledger = _step(name, home, args, ledger)
            if name == "activity_ok":
                outside_after = _files_outside(root, home)
            if fresh is None:
                # Its own fresh home, beside the main chain (the first run has built dbt's manifest).
                fresh_home = tmp_path_factory.mktemp("fresh") / "warehouse"
                fresh = pool.submit(
                    _step,
                    "fresh_home",
                    fresh_home,
                    ("ingest", "activity", src("activity/empty.csv")),
                    _ledger(fresh_home),
                )
        steps["fresh_home"] = fresh.result()[0]
    for name, step in steps.items():
        (root / "stderr" / f"{name}.txt").write_text(step.stderr, encoding="utf-8")
        print(f"{name}: exit {step.returncode} in {step.seconds:.1f}s: {last_line(step.stderr)[:160]}")
    con = duckdb.connect(str(home / "work.duckdb"), read_only=True)
    try:
        loads, quarantine = (_frame(con, f"select * from meta.{table}") for table in ("loads", "quarantine"))
    finally:
        con.close()
    return Corpus(home, inputs, steps, loads, quarantine, outside_before, outside_after)


def _input_path(inputs: Path, source: str, name: str) -> Path:
    if name.startswith("big_field"):
        return inputs / "big_field.csv"
    if name.startswith("../"):
        return inputs / "etc" / "passwd.csv"
    return CORPUS / source / Path(name).name


def _case_input(corpus: Corpus, case: dict) -> Path:
    return _input_path(corpus.inputs, case["source"], case["input"])


def _load(corpus: Corpus, case: dict) -> pd.Series:
    """The ledger row of the case's file: landed by the case's step, else the inbox run, else the first other."""
    key = (case["source"], _case_input(corpus, case).name)
    order = [corpus.steps[case["step"]], corpus.steps["inbox_run"], *corpus.steps.values()]
    by = next((s for s in order if key in s.landed), None)
    assert by is not None, f"{key} was never landed"
    rows = corpus.loads[corpus.loads["load_id"] == by.landed[key]]
    assert len(rows) == 1, rows
    return rows.iloc[0]


def _where(case: dict) -> dict[str, str]:
    return dict(part.split("=", 1) for part in case["where"].split(";")) if case["where"] else {}


def _assert_landed(corpus: Corpus, case: dict, load: pd.Series) -> None:
    landed = corpus.home / "landing" / case["source"] / load["load_id"] / load["file_name"]
    assert landed.read_bytes() == _case_input(corpus, case).read_bytes()
    assert load["sha256"] in (landed.parent / "manifest.json").read_text(encoding="utf-8")


def _assert_one_line(step: Step) -> str:
    assert "Traceback" not in step.stderr, step.stderr[-3000:]
    errors = [line for line in step.stderr.splitlines() if line.startswith("fsw: error:")]
    line = last_line(step.stderr)
    assert errors == [line] and line.startswith("fsw: error: "), (errors, line)
    return line


def _check_failed(corpus: Corpus, case: dict, step: Step) -> None:
    load = _load(corpus, case)
    assert load["status"] == "failed", (load["status"], load["reason"])
    assert case["expected"] in load["reason"] and load["file_name"] in load["reason"], load["reason"]
    assert "\n" not in load["reason"]
    assert load["load_id"] in step.failed, f"{load['file_name']} did not fail in step {step.name}"
    _assert_landed(corpus, case, load)
    assert step.returncode == 1
    line = _assert_one_line(step)
    assert step.serving_after == step.serving_before, "a failed step changed serving/warehouse.duckdb"
    if len(step.failed) == 1:
        assert load["file_name"] in line and case["expected"] in line, line
        return
    # Several files failed in this step: the line is the first failure of the first failing
    # step, counting the other failures of that source; every failure is in the ledger.
    failed = corpus.loads[corpus.loads["load_id"].isin(step.failed)].sort_values(["landed_at", "load_id"])
    shown = [source for source, group in failed.groupby("source") if group["reason"].iloc[0] in line]
    assert len(shown) == 1, (line, failed[["source", "reason"]].to_string())
    same_source = failed[failed["source"] == shown[0]]
    more = len(same_source) - 1
    assert line.endswith(f"(and {more} more failed files)") if more else "more failed files" not in line, line


def _check_quarantined(corpus: Corpus, case: dict, step: Step) -> None:
    load = _load(corpus, case)
    where = _where(case)
    rows = corpus.quarantine[
        (corpus.quarantine["load_id"] == load["load_id"]) & (corpus.quarantine["row"] == int(where["row"]))
    ]
    found = rows[rows["reason"].str.startswith(case["expected"])]
    assert len(found) == 1, rows[["row", "column", "value", "reason"]].to_string()
    got = found.iloc[0]
    assert got["column"] == where["column"] and got["file"] == load["file_name"]
    if "value" in where:
        assert (got["value"] if pd.notna(got["value"]) else "") == where["value"]
    assert "Traceback" not in step.stderr
    if case["outcome"] == "repaired":
        code = re.search(r"resolved to (\w+)", got["reason"]).group(1)
        site_id = str(int(where["row"]))
        names = {s: c for s, _, c in step.results["site_names"]}
        assert names[site_id] == code  # the row is kept, with the commune of its position
    else:
        assert load["status"] in {"parsed", "loaded", "published"}, (load["status"], load["reason"])
    if case["case"] == "A27":  # the four good rows are published, the unknown site's row is not
        assert step.returncode == 0, last_line(step.stderr)
        assert load["rows_loaded"] == 4 and load["rows_quarantined"] == 1
        other = corpus.quarantine[corpus.quarantine["load_id"] == load["load_id"]]
        assert len(other) == 1, other.to_string()
        assert ("2025-04", 10) in step.results["requests"], step.results["requests"]


def _check_verbatim(corpus: Corpus, case: dict, step: Step) -> None:
    value = case["expected"]
    if case["source"] == "sites":
        names = [n for _, n, _ in step.results["site_names"]]
        assert value in names
    else:
        assert (value,) in step.results["themes"]
        assert ("dim_site",) in step.results["tables"]
    # Extracts neutralise formula-looking text; the SQL-looking one starts with a quote already.
    assert neutralise(value) == ("'" + value if value[0] in "=+-@" else value)


def _check_good_rows(corpus: Corpus, case: dict, step: Step) -> None:
    assert step.returncode == 0, _assert_one_line(step)
    expected = int(case["expected"])
    requests = dict(step.results.get("requests", []))
    if case["case"] == "A21":
        assert requests.get("2025-02", 0) + requests.get("2025-03", 0) == expected, requests
        assert (requests.get("2025-02"), requests.get("2025-03")) == (100, 15), requests
        assert _load(corpus, case)["rows_loaded"] == 12
    elif case["case"] == "A26":
        load = _load(corpus, case)
        assert load["status"] in {"loaded", "published"} and load["rows_loaded"] == 2, (load["status"], load["reason"])
        assert requests.get("2025-05") == expected, requests
        assert step.results["big_themes"] == [(BIG_FIELD, True)]  # the 1 MB theme, whole
    elif case["case"] == "F09":
        assert step.results["responses"] == [(expected,)]
        load = _load(corpus, case)
        assert load["rows_loaded"] == expected and load["rows_quarantined"] == 4
        assert load["status"] in {"loaded", "published"}
    else:
        assert step.results["current_sites"] == [(expected,)]
    if case["case"] == "S12":
        assert step.results["requests"] == corpus.steps["activity_ok"].results["requests"]
        assert step.results["responses"] == corpus.steps["activity_ok"].results["responses"]
        assert step.serving_after != step.serving_before


def _check_landed_plain(corpus: Corpus, case: dict, step: Step) -> None:
    assert step.returncode == 0, _assert_one_line(step)
    load = _load(corpus, case)
    assert load["file_name"] == "passwd.csv" and load["status"] in {"loaded", "published"}
    copies = sorted(corpus.home.parent.rglob("passwd.csv"))
    assert copies == sorted(
        [corpus.home / "landing" / "activity" / load["load_id"] / "passwd.csv", corpus.inputs / "etc" / "passwd.csv"]
    )
    _assert_landed(corpus, case, load)
    assert corpus.outside_after == corpus.outside_before  # nothing new beside FSW_HOME
    assert not Path("/etc/passwd.csv").exists()


def _check_refused(corpus: Corpus, case: dict, step: Step) -> None:
    assert step.returncode == 1
    line = _assert_one_line(step)
    assert line == f"fsw: error: {case['expected']} (plain names only)"
    assert step.landed == {} and step.serving_after == step.serving_before
    name = ".hidden.csv" if "hidden" in case["input"] else "bad\nname.csv"
    assert not list((corpus.home / "landing").rglob(name))
    assert not list((corpus.home / "landing").rglob("*.partial"))
    assert name not in set(corpus.loads["file_name"])


def _check_gate(corpus: Corpus, case: dict, step: Step) -> None:
    load = _load(corpus, case)
    assert step.returncode == 1
    line = _assert_one_line(step)
    assert case["expected"] in line, line
    assert load["status"] == "failed" and load["reason"], (load["status"], load["reason"])
    assert step.serving_after == step.serving_before
    _assert_landed(corpus, case, load)


def _check_error_line(corpus: Corpus, case: dict, step: Step) -> None:
    assert step.returncode == 1
    assert _assert_one_line(step) == case["expected"]
    assert step.serving_after is None  # a failed first load publishes nothing


CHECKS = {
    "failed": _check_failed,
    "quarantined": _check_quarantined,
    "repaired": _check_quarantined,
    "verbatim": _check_verbatim,
    "good_rows": _check_good_rows,
    "landed_plain": _check_landed_plain,
    "refused": _check_refused,
    "gate": _check_gate,
    "error_line": _check_error_line,
}


def _params():
    for case in CASES:
        marks = [pytest.mark.xfail(strict=True, reason=KNOWN_BUGS[case["case"]])] if case["case"] in KNOWN_BUGS else []
        yield pytest.param(case, id=f"{case['case']}-{case['outcome']}", marks=marks)


def test_cases_table_is_complete():
    """Every case names a file of the corpus (or a generated one), a known step and outcome."""
    assert len(CASES) >= 25 and len({c["case"] for c in CASES}) == len(CASES)
    for case in CASES:
        assert case["outcome"] in CHECKS, case
        if "/" in case["input"] and not case["input"].startswith("../"):
            assert (CORPUS / case["input"]).is_file(), case
    assert set(KNOWN_BUGS) <= {c["case"] for c in CASES}
    for source, names in INBOX.items():
        for name in names:
            assert name == "big_field.csv" or (CORPUS / source / name).is_file(), (source, name)


@pytest.mark.parametrize("case", list(_params()))
def test_bad_input(corpus, case):
    step = corpus.steps[case["step"]]
    CHECKS[case["outcome"]](corpus, case, step)


def test_failed_steps_keep_serving_and_print_one_line(corpus):
    """Every failing step: exit 1, one `fsw: error:` line, no traceback, serving byte-identical."""
    for step in corpus.steps.values():
        assert "Traceback" not in step.stderr, step.name
        if step.returncode != 0:
            assert step.returncode == 1, step.name
            _assert_one_line(step)
            assert step.serving_after == step.serving_before, step.name
    assert corpus.steps["fresh_home"].serving_after is None  # a failed first load publishes nothing
    # The exports landed by the inbox run waited for the listing: none was parsed against the demo one.
    assert {k[0] for k in corpus.steps["inbox_run"].landed} == set(INBOX)
    inbox = corpus.steps["inbox_run"]
    waiting = {k: inbox.statuses[v] for k, v in inbox.landed.items() if k[0] in {"activity", "satisfaction"}}
    assert set(waiting.values()) == {"landed"}, waiting
    assert not list((corpus.home / "inbox").rglob("*.csv")) and not list((corpus.home / "inbox").rglob("*.xlsx"))
    total = sum(s.seconds for s in corpus.steps.values())
    print(f"{len(corpus.steps)} CLI runs in {total:.0f}s")
