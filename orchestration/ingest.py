"""Landing inputs from the CLI or a sensor, and recording them in the ledger."""

from __future__ import annotations

import shutil
from datetime import date
from pathlib import Path

from ingestion.errors import InputError
from ingestion.insee.kinds import detect_insee_kind
from ingestion.landing import LandedFile, land_file
from ingestion.store import connect, record_load
from orchestration.config import Settings
from orchestration.defs.demo import demo_registry


def _kind_of(source: str, path: Path) -> str:
    if source == "insee":
        return detect_insee_kind(path)
    return source


def _newest_identical(con, item: LandedFile, allow_drop: bool) -> str | None:
    """The load id of the source's newest usable load when ``item`` is the same file again."""
    newest = con.execute(
        """select load_id, sha256, cast(as_of as varchar), allow_drop from meta.loads
           where source = ? and status <> 'failed' order by landed_at desc, load_id desc limit 1""",
        [item.source]).fetchone()
    if newest is not None and newest[1:] == (item.sha256, item.as_of, allow_drop):
        return newest[0]
    return None


def land_inputs(
    settings: Settings, source: str, paths: list[Path], *, as_of: date | None = None, allow_drop: bool = False,
    move: bool = False, on_error=None, on_duplicate=None,
) -> list[LandedFile]:
    """Copy each file to landing/ unchanged, then record it as ``landed`` in the ledger.

    A file whose kind cannot be recognised is still landed (nothing is lost) and recorded as
    ``failed`` with the reason. The error is raised, or, when ``on_error(path, error)`` is
    given (the inbox), reported to it and the next file is landed. One ledger connection serves
    the whole batch (thousands of files for a national month).

    Re-sending the newest file of a source (same bytes, as-of date and --allow-drop) changes
    nothing, so it is not landed twice: ``on_duplicate(name, load_id)`` hears of it and the
    ledger keeps one load (re-running a crashed or repeated `fsw ingest` is idempotent). An
    older file sent again is landed: it becomes the newest and wins again.
    """
    landed = []
    registry = demo_registry(settings)
    day = as_of or (date.today() if source == "sites" else None)
    with connect(settings.work_db) as con:
        for path in paths:
            try:
                item = land_file(settings.landing, source, path, as_of=day.isoformat() if day else None, move=move)
            except InputError as error:
                if on_error is None:
                    raise
                on_error(path, error)
                continue
            same = _newest_identical(con, item, allow_drop)
            if same is not None:
                shutil.rmtree(item.path.parent)  # the same bytes stay in landing/ under ``same``
                if on_duplicate is not None:
                    on_duplicate(item.original_name, same)
                continue
            try:
                kind = _kind_of(source, item.path)
            except InputError as error:
                record_load(con, item, status="failed", kind=None, reason=error.line())
                error = InputError(f"{error.line()} (kept in landing/{source}/{item.load_id}/)")
                if on_error is None:
                    raise error from None
                on_error(None, error)
                continue
            record_load(con, item, status="landed", kind=kind, allow_drop=allow_drop,
                        is_demo=item.sha256 in registry)
            landed.append(item)
    return landed
