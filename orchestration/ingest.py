"""Landing inputs from the CLI or a sensor, and recording them in the ledger."""

from __future__ import annotations

import shutil
from datetime import date
from pathlib import Path

from ingestion.errors import InputError
from ingestion.insee.kinds import detect_insee_kind
from ingestion.landing import LandedFile, land_file, read_manifest
from ingestion.store import connect, record_loads
from orchestration.config import Settings
from orchestration.defs.demo import demo_registry


def _kind_of(source: str, path: Path, year: int | None = None) -> str:
    if source == "insee":
        return detect_insee_kind(path, year=year)
    return source


def _newest_load(con, landing: Path, source: str) -> tuple | None:
    """(load_id, sha256, as_of, allow_drop, year) of the source's newest usable load."""
    row = con.execute(
        """select load_id, sha256, cast(as_of as varchar), allow_drop from meta.loads
           where source = ? and status <> 'failed' order by landed_at desc, load_id desc limit 1""",
        [source],
    ).fetchone()
    if row is None:
        return None
    try:
        year = read_manifest(landing, source, row[0]).year
    except (OSError, KeyError, ValueError):
        year = None
    return (*row, year)


def land_inputs(
    settings: Settings,
    source: str,
    paths: list[Path],
    *,
    as_of: date | None = None,
    allow_drop: bool = False,
    move: bool = False,
    on_error=None,
    on_duplicate=None,
    year: int | None = None,
) -> list[LandedFile]:
    """Copy each file to landing/ unchanged, then record it as ``landed`` in the ledger.

    A file whose kind cannot be recognised is still landed (nothing is lost) and recorded as
    ``failed`` with the reason. The error is raised, or, when ``on_error(path, error)`` is
    given (the inbox), reported to it and the next file is landed. One ledger connection serves
    the whole batch (thousands of files for a national month); see COMMIT_EVERY.

    ``year`` (`--year`) is the vintage of files that do not state it (INSEE's CSV legal
    populations); it is kept in the manifest.

    Re-sending the newest file of a source (same bytes, as-of date, --year and --allow-drop) changes
    nothing, so it is not landed twice: ``on_duplicate(name, load_id)`` hears of it and the
    ledger keeps one load (re-running a crashed or repeated `fsw ingest` is idempotent). An
    older file sent again is landed: it becomes the newest and wins again.
    """
    landed, consumed, records = [], [], []
    registry = demo_registry(settings)
    day = as_of or (date.today() if source == "sites" else None)
    with connect(settings.work_db) as con:
        newest = _newest_load(con, settings.landing, source)
        con.execute("begin")
        try:
            for path in paths:
                # Here every consumed file's ledger row (or its duplicate's) is in ``records``.
                if len(consumed) + len(records) >= COMMIT_EVERY:
                    _commit(con, consumed, records)
                try:
                    item = land_file(
                        settings.landing,
                        source,
                        path,
                        as_of=day.isoformat() if day else None,
                        move=move,
                        remove_source=False,
                        year=year,
                    )
                except InputError as error:
                    if on_error is None:
                        raise
                    on_error(path, error)
                    continue
                if move:
                    consumed.append(path)
                if newest is not None and newest[1:] == (item.sha256, item.as_of, allow_drop, year):
                    shutil.rmtree(item.path.parent)  # the same bytes stay in landing/ under newest[0]
                    if on_duplicate is not None:
                        on_duplicate(item.original_name, newest[0])
                    continue
                try:
                    kind = _kind_of(source, item.path, year)
                except InputError as error:
                    records.append({"landed": item, "status": "failed", "reason": error.line()})
                    error = InputError(f"{error.line()} (kept in landing/{source}/{item.load_id}/)")
                    if on_error is None:
                        raise error from None
                    on_error(None, error)
                    continue
                records.append(
                    {
                        "landed": item,
                        "status": "landed",
                        "kind": kind,
                        "allow_drop": allow_drop,
                        "is_demo": item.sha256 in registry,
                    }
                )
                landed.append(item)
                newest = (item.load_id, item.sha256, item.as_of, allow_drop, year)
        finally:
            _commit(con, consumed, records, again=False)
    return landed


# Ledger rows are written and committed in groups (a row per statement cost 5 ms, most of the
# landing time); the inbox files a group consumed are removed only once it is committed. A
# crash in between leaves them in the inbox, landed again by the next run: the landing copies
# of the lost group stay in landing/ (with their manifests), unused.
COMMIT_EVERY = 200


def _commit(con, consumed: list[Path], records: list[dict], *, again: bool = True) -> None:
    record_loads(con, records)
    records.clear()
    con.execute("commit")
    for path in consumed:
        path.unlink(missing_ok=True)
    consumed.clear()
    if again:
        con.execute("begin")
