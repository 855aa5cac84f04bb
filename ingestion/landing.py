"""Immutable landing: every input file copied unchanged beside a manifest."""

from __future__ import annotations

import hashlib
import json
import os
import re
import shutil
import uuid
from dataclasses import asdict, dataclass
from datetime import UTC, datetime
from pathlib import Path

from ingestion.errors import InputError
from ingestion.faults import crash_point

_SAFE_NAME = re.compile(r"^[A-Za-z0-9À-ÿ][A-Za-z0-9À-ÿ ._()+-]{0,200}$")
SOURCES = ("insee", "sites", "activity", "satisfaction", "barometer", "outreach", "qpv")


@dataclass(frozen=True)
class LandedFile:
    """Where a landed file lives and what its manifest says."""

    source: str
    load_id: str
    path: Path
    original_name: str
    sha256: str
    size: int
    landed_at: str
    as_of: str | None
    year: int | None = None
    """The vintage given with the file (`fsw ingest --year`) when the file does not state it."""
    source_mtime: str | None = None
    """When the given file was last modified (local time, ISO): the export's date when no as-of is given."""


def safe_file_name(name: str) -> str:
    """Return ``name`` if it is a plain file name, else raise ``InputError``."""
    if "/" in name or "\\" in name or name in {".", ".."} or not _SAFE_NAME.match(name):
        raise InputError(f"unsafe file name {name!r} refused (plain names only)")
    return name


def sha256_of(path: Path) -> str:
    """Hex sha256 of a file, read in chunks."""
    digest = hashlib.sha256()
    with open(path, "rb") as handle:
        for chunk in iter(lambda: handle.read(1 << 20), b""):
            digest.update(chunk)
    return digest.hexdigest()


def land_file(
    landing_dir: Path,
    source: str,
    path: Path,
    *,
    as_of: str | None = None,
    name: str | None = None,
    move: bool = False,
    remove_source: bool = True,
    year: int | None = None,
) -> LandedFile:
    """Copy ``path`` unchanged to ``landing/<source>/<load_id>/`` with ``manifest.json``.

    The copy goes to a hidden temporary name first and is renamed into place, so a crash
    never leaves a half-written file under its real name. ``move`` (the inbox) hard-links
    instead of copying when it can and removes the source once the landing copy is complete
    (or leaves that to the caller: ``remove_source=False``).
    """
    if source not in SOURCES:
        raise InputError(f"unknown source {source!r} (expected one of {', '.join(SOURCES)})")
    path = Path(path)
    original = safe_file_name(name or path.name)
    if not path.is_file():
        raise InputError("file not found", file=path)
    now = datetime.now(UTC)
    source_mtime = datetime.fromtimestamp(path.stat().st_mtime).astimezone().isoformat()
    load_id = now.strftime("%Y%m%dT%H%M%S%fZ") + "-" + uuid.uuid4().hex[:6]
    target_dir = Path(landing_dir) / source / load_id
    target_dir.mkdir(parents=True, exist_ok=False)
    target = target_dir / original
    partial = target_dir / f".{original}.partial"
    try:
        if not move:
            raise OSError
        os.link(path, partial)
    except OSError:
        shutil.copyfile(path, partial)
    crash_point("landing")
    os.replace(partial, target)
    landed = LandedFile(
        source=source,
        load_id=load_id,
        path=target,
        original_name=original,
        sha256=sha256_of(target),
        size=target.stat().st_size,
        landed_at=now.isoformat(),
        as_of=as_of,
        year=year,
        source_mtime=source_mtime,
    )
    manifest = {k: (str(v) if isinstance(v, Path) else v) for k, v in asdict(landed).items()}
    manifest["path"] = f"{source}/{load_id}/{original}"
    manifest["source_path"] = str(path)
    tmp = target_dir / ".manifest.json.partial"
    tmp.write_text(json.dumps(manifest, indent=2, ensure_ascii=False), encoding="utf-8")
    os.replace(tmp, target_dir / "manifest.json")
    if move and remove_source:
        path.unlink()
    return landed


def read_manifest(landing_dir: Path, source: str, load_id: str) -> LandedFile:
    """Read back the manifest of a landed load."""
    folder = Path(landing_dir) / source / load_id
    data = json.loads((folder / "manifest.json").read_text(encoding="utf-8"))
    return LandedFile(
        source=data["source"],
        load_id=data["load_id"],
        path=folder / data["original_name"],
        original_name=data["original_name"],
        sha256=data["sha256"],
        size=data["size"],
        landed_at=data["landed_at"],
        as_of=data.get("as_of"),
        year=data.get("year"),
        source_mtime=data.get("source_mtime"),
    )
