"""Landing files for `fsw ingest` and the inbox: the same file sent again is landed once."""

from __future__ import annotations

from pathlib import Path

from ingestion.store import connect
from orchestration.config import Settings
from orchestration.inbox import collect_inbox
from orchestration.ingest import land_inputs


def _export(path: Path, requests: int) -> Path:
    path.write_text(f"Matricule;Date;Partenaire;Nombre de demandes\n1;03/02/2025;CAF;{requests}\n", encoding="utf-8")
    return path


def _ledger(settings: Settings) -> list[tuple]:
    with connect(settings.work_db) as con:
        return con.execute("select file_name, status from meta.loads order by landed_at").fetchall()


def _landed_folders(settings: Settings) -> list[Path]:
    return sorted(p for p in (settings.landing / "activity").iterdir() if p.is_dir())


def test_the_newest_file_sent_again_is_not_landed_twice(tmp_path):
    settings = Settings(home=tmp_path / "home", demo_months=0).ensure()
    february = _export(tmp_path / "fevrier.csv", 3)
    heard = []

    def duplicate(name, load_id):
        heard.append((name, load_id))

    [first] = land_inputs(settings, "activity", [february], on_duplicate=duplicate)
    assert land_inputs(settings, "activity", [february], on_duplicate=duplicate) == []
    assert heard == [("fevrier.csv", first.load_id)]
    assert _ledger(settings) == [("fevrier.csv", "landed")]
    assert [p.name for p in _landed_folders(settings)] == [first.load_id]
    assert february.exists()  # `fsw ingest` never touches the file it is given

    # Another file, then the first again: it is no longer the newest, so it lands (and wins again).
    correction = _export(tmp_path / "correction.csv", 4)
    land_inputs(settings, "activity", [correction])
    [again] = land_inputs(settings, "activity", [february], on_duplicate=duplicate)
    assert again.load_id != first.load_id and len(heard) == 1
    assert [name for name, _ in _ledger(settings)] == ["fevrier.csv", "correction.csv", "fevrier.csv"]


def test_the_inbox_consumes_a_resent_file_and_says_so(tmp_path):
    settings = Settings(home=tmp_path / "home", demo_months=0).ensure()
    inbox = settings.inbox / "activity"
    inbox.mkdir(parents=True, exist_ok=True)
    landed, notes = collect_inbox(settings, "activity")
    assert landed == [] and notes == []
    _export(inbox / "mars.csv", 5)
    [first], notes = collect_inbox(settings, "activity")
    assert notes == []
    _export(inbox / "mars.csv", 5)
    landed, notes = collect_inbox(settings, "activity")
    assert landed == []
    assert notes == [f"mars.csv: already landed as load {first.load_id} (same bytes); not landed again"]
    assert list(inbox.glob("*.csv")) == []  # consumed: its bytes are in landing/ already
    assert len(_landed_folders(settings)) == 1 and _ledger(settings) == [("mars.csv", "landed")]


def test_the_inbox_lands_many_files_in_committed_groups(tmp_path, monkeypatch):
    import orchestration.ingest as ingest

    monkeypatch.setattr(ingest, "COMMIT_EVERY", 3)
    settings = Settings(home=tmp_path / "home", demo_months=0).ensure()
    inbox = settings.inbox / "activity"
    inbox.mkdir(parents=True, exist_ok=True)
    for number in range(7):
        _export(inbox / f"export_{number}.csv", number + 1)
    _export(inbox / "export_7.csv", 7)  # the same bytes as export_6.csv, landed just before it
    landed, notes = collect_inbox(settings, "activity")
    assert [item.original_name for item in landed] == [f"export_{n}.csv" for n in range(7)]
    assert notes == [f"export_7.csv: already landed as load {landed[-1].load_id} (same bytes); not landed again"]
    assert list(inbox.glob("*.csv")) == []
    assert len(_ledger(settings)) == 7 and len(_landed_folders(settings)) == 7
