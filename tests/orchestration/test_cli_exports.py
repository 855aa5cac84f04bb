"""Activity and satisfaction end to end: totals, quarantine, re-sends, bad files."""

import hashlib

import duckdb
import pytest
from openpyxl import Workbook

from tests.conftest import last_line, run_fsw

pytestmark = pytest.mark.slow

HEADER = "Matricule;Date;Partenaire;Thématique;Canal;Nombre de demandes;Dont résolues au premier contact\r\n"
GOOD = [
    ("1", "03/02/2025", "CAF", "Prestations familiales", "Accueil physique", 12, 10),
    ("1", "04/02/2025", "Finances publiques", "Impôt sur le revenu", "Téléphone", 7, 7),
    ("2", "03/02/2025", "ANTS", "Carte grise", "Accueil physique", 1234, 1000),
    ("2", "10/03/2025", "Pôle emploi", "Inscription", "Visio", 5, 2),
]
BAD = [
    ("1", "31/02/2025", "CAF", "Prestations", "Accueil physique", 3, 1),  # unreadable date
    ("2", "05/02/2025", "CPAM", "Carte vitale", "Accueil physique", -4, 0),  # negative count
    ("2", "06/02/2025", "MSA", "Retraite", "Accueil physique", 2, 5),  # resolved > requests
    ("99999", "06/02/2025", "MSA", "Retraite", "Accueil physique", 8, 5),  # unknown site
]


def _csv(path, rows):
    lines = [HEADER] + [
        ";".join(f"{v:,}".replace(",", "\u202f") if isinstance(v, int) else v for v in row) + "\r\n" for row in rows
    ]
    path.write_bytes(
        "".join(lines).encode("cp1252", errors="replace").replace("\u202f".encode("cp1252", errors="replace"), b" ")
    )
    return path


def _query(home, sql):
    con = duckdb.connect(str(home / "serving" / "warehouse.duckdb"), read_only=True)
    try:
        return con.execute(sql).fetchall()
    finally:
        con.close()


def test_activity_loads_replaces_and_refuses_bad_files(fsw_home, tmp_path):
    export = _csv(tmp_path / "activite_01_2025-02.csv", GOOD + BAD)
    done = run_fsw(fsw_home, "ingest", "activity", str(export))
    assert done.returncode == 0, done.stderr
    good_total = sum(r[5] for r in GOOD)
    [(requests, resolved)] = _query(fsw_home, "select sum(requests), sum(resolved_first_visit) from fct_demand")
    assert requests == good_total and resolved == sum(r[6] for r in GOOD)
    reasons = dict(_query(fsw_home, "select reason, count(*) from fsw_quarantine where source = 'activity' group by 1"))
    assert reasons == {
        "unreadable date": 1,
        "negative count": 1,
        "resolved greater than requests": 1,
        "unknown site id for that date": 1,
    }
    status = run_fsw(fsw_home, "status").stdout
    assert "activity      real" in status and "unknown site id for that date: 1" in status

    # The same file again: totals unchanged.
    assert run_fsw(fsw_home, "ingest", "activity", str(export)).returncode == 0
    assert _query(fsw_home, "select sum(requests) from fct_demand") == [(good_total,)]

    # A corrected re-send of site 2 for February (an XLSX with title rows) replaces that site-month only.
    workbook = Workbook()
    sheet = workbook.active
    sheet.title = "Février 2025"
    sheet.append(["Export France services — activité"])
    sheet.append(["Département 01"])
    sheet.append(
        ["Identifiant France services", "Jour", "Organisme", "Motif", "Mode de contact", "Demandes", "Résolues"]
    )
    sheet.append(["2", "2025-02-03", "ANTS", "Carte grise", "Accueil physique", 1300, 1100])
    correction = tmp_path / "correction_site2.xlsx"
    workbook.save(correction)
    assert run_fsw(fsw_home, "ingest", "activity", str(correction)).returncode == 0
    by_site_month = dict(
        ((s, str(m)), n)
        for s, m, n in _query(fsw_home, "select site_id, month_start, sum(requests) from fct_demand group by all")
    )
    assert by_site_month == {("1", "2025-02-01"): 19, ("2", "2025-02-01"): 1300, ("2", "2025-03-01"): 5}

    # File-level problems: one line, serving unchanged, file kept in landing.
    serving = fsw_home / "serving" / "warehouse.duckdb"
    before = hashlib.sha256(serving.read_bytes()).hexdigest()
    missing = tmp_path / "sans_partenaire.csv"
    missing.write_text("Matricule;Date;Thématique;Nombre de demandes\n1;03/02/2025;CAF;3\n", encoding="utf-8")
    binary = tmp_path / "export.csv"
    binary.write_bytes(b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR" + bytes(range(256)))
    readme = tmp_path / "README.md"
    readme.write_text("# Notes\n\nNot an export at all.\n", encoding="utf-8")
    refused = [
        (missing, "missing required column 'Partenaire'"),
        (binary, "not text"),
        (readme, "no header row found"),
    ]
    for path, expected in refused:
        done = run_fsw(fsw_home, "ingest", "activity", str(path))
        assert done.returncode == 1 and done.stdout == ""
        assert "Traceback" not in done.stderr and "Warning" not in done.stderr, done.stderr
        # Progress lines (landed…, [  1.2s] …), then exactly one line: the error.
        after_progress = [
            line for line in done.stderr.splitlines() if not line.startswith(("[", "landed ")) and line.strip()
        ]
        assert after_progress == [last_line(done.stderr)], done.stderr
        assert after_progress[0].startswith(f"fsw: error: {path.name}: ") and expected in after_progress[0]
        assert list((fsw_home / "landing" / "activity").glob(f"*/{path.name}"))
    assert hashlib.sha256(serving.read_bytes()).hexdigest() == before

    # Failed after the last publication, still listed by `fsw status`, each with its reason.
    status = run_fsw(fsw_home, "status").stdout
    assert "failed loads: 3 (newest first; files kept in landing/)" in status, status
    assert "README.md: no header row found (expected columns Matricule, Date, Partenaire" in status
    assert "sans_partenaire.csv: " in status and "missing required column 'Partenaire'" in status
    assert "activity      real: 2 published load(s), 3 failed" in status, status


def test_a_month_of_both_sources_in_one_command(fsw_home, tmp_path):
    activity = _csv(tmp_path / "export_01.csv", GOOD)
    satisfaction = tmp_path / "export_02.csv"
    satisfaction.write_bytes(
        "Matricule;Date de réponse;Satisfaction;Recommanderiez-vous France services ?\r\n"
        "1;03/02/2025;Très satisfait;Oui\r\n2;04/02/2025;Peu satisfait;Non\r\n".encode("cp1252")
    )
    done = run_fsw(fsw_home, "ingest", "exports", str(activity), str(satisfaction))
    assert done.returncode == 0, done.stderr
    assert "landed export_01.csv → landing/activity/" in done.stderr
    assert "landed export_02.csv → landing/satisfaction/" in done.stderr
    assert done.stderr.count("run build_and_publish") == 1  # one build and publish for both
    assert _query(fsw_home, "select sum(requests) from fct_demand") == [(sum(r[5] for r in GOOD),)]
    assert _query(fsw_home, "select sum(responses), sum(satisfied) from fct_satisfaction") == [(2, 1)]

    unknown = tmp_path / "notes.csv"
    unknown.write_text("Nom;Commentaire\nA;B\n", encoding="utf-8")
    refused = run_fsw(fsw_home, "ingest", "exports", str(activity), str(unknown))
    assert refused.returncode == 1
    assert last_line(refused.stderr).startswith("fsw: error: notes.csv: neither an activity export")
    assert not list((fsw_home / "landing").glob("*/*/notes.csv"))  # refused before landing anything
