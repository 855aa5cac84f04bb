"""The inbox (`FSW_HOME/inbox/<source>/`): files dropped there are landed and consumed."""

from __future__ import annotations

from pathlib import Path

from ingestion.errors import InputError
from ingestion.landing import SOURCES, LandedFile
from orchestration.config import Settings
from orchestration.ingest import land_inputs


def inbox_files(settings: Settings, source: str) -> list[Path]:
    """Files waiting in the inbox of ``source`` (hidden and partial files are ignored)."""
    folder = settings.inbox / source
    if not folder.is_dir():
        return []
    return sorted(
        p for p in folder.iterdir() if p.is_file() and not p.name.startswith(".") and not p.name.endswith(".partial")
    )


def collect_inbox(settings: Settings, source: str) -> tuple[list[LandedFile], list[str]]:
    """Land every waiting file of ``source`` (moved into landing/); return landed and refusals.

    A file whose name is unsafe is not landed: it moves to ``inbox/<source>/.refused/`` with its
    reason beside it. A file of an unrecognised kind is landed (and marked failed). The newest
    file of the source sent again is consumed without a second landing (its bytes are in
    landing/ already) and reported with the refusals.
    """
    assert source in SOURCES
    refused: list[str] = []

    def refuse(path: Path | None, error: InputError) -> None:
        refused.append(error.line())
        if path is not None and path.exists():
            target = settings.inbox / source / ".refused"
            target.mkdir(parents=True, exist_ok=True)
            path.rename(target / path.name)
            (target / f"{path.name}.reason.txt").write_text(error.line() + "\n", encoding="utf-8")

    def already_landed(name: str, load_id: str) -> None:
        refused.append(f"{name}: already landed as load {load_id} (same bytes); not landed again")

    landed = land_inputs(
        settings, source, inbox_files(settings, source), move=True, on_error=refuse, on_duplicate=already_landed
    )
    return landed, refused
