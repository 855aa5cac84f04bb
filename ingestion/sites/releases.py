"""Assemble every landed release of the listing into one table of (release, site) rows.

The result depends only on the set of releases, never on the order they were loaded in:
releases are sorted by as-of date, a file landed twice (same sha256) counts once, and the
id-less first release is matched against the id-carrying releases nearest in time.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from pathlib import Path

import pandas as pd

from ingestion.errors import InputError
from ingestion.sites.changes import release_changes
from ingestion.sites.communes import resolve_unknown_communes
from ingestion.sites.identity import assign_site_ids
from ingestion.sites.reader import SiteListing, read_site_listing
from ingestion.sites.validate import validate_sites

MAX_UNKNOWN_SITE_TYPE_SHARE = 0.01
"""A release with more than 1 % of its rows of an unknown site type is refused: a new
vocabulary, not a few typos, and every count by type would be wrong."""


@dataclass(frozen=True)
class Release:
    """One landed full listing: where it is and the date it describes."""

    load_id: str
    as_of: date
    path: Path
    sha256: str
    is_demo: bool = False


@dataclass
class AssembledListing:
    """All releases' rows (``rows``) and the rejects of each load."""

    rows: pd.DataFrame
    rejects: dict[str, pd.DataFrame] = field(default_factory=dict)
    counts: dict[str, int] = field(default_factory=dict)
    hours_coverage: dict[str, dict] = field(default_factory=dict)
    skipped: dict[str, str] = field(default_factory=dict)
    unknown_values: dict[str, dict[str, dict[str, int]]] = field(default_factory=dict)
    changes: dict[str, dict] = field(default_factory=dict)


def unique_releases(releases: list[Release]) -> tuple[list[Release], dict[str, str]]:
    """Drop repeated files (same sha256) and keep one release per as-of date (latest landed).

    Returns the releases sorted by as-of and, for each dropped load, why.
    """
    kept: dict[date, Release] = {}
    seen: dict[str, str] = {}
    skipped: dict[str, str] = {}
    for release in releases:  # in landing order
        if release.sha256 in seen:
            skipped[release.load_id] = f"same file as load {seen[release.sha256]}"
            continue
        seen[release.sha256] = release.load_id
        if release.as_of in kept:
            skipped[kept[release.as_of].load_id] = f"replaced by load {release.load_id} for {release.as_of}"
        kept[release.as_of] = release
    return [kept[d] for d in sorted(kept)], skipped


def assemble_listing(releases: list[Release], communes: pd.DataFrame, aliases: dict[str, str]) -> AssembledListing:
    """Read, validate and identify every release; rows carry ``as_of``, ``load_id``, ``is_demo``.

    ``communes`` (commune_code, department_code, latitude, longitude) is the register. Codes of
    delegated/associated communes are mapped to their commune first, so an old listing keeps
    its sites after a merger; a code still unknown is repaired from the site's position.
    """
    known_communes = set(communes["commune_code"])
    ordered, skipped = unique_releases(releases)
    result = AssembledListing(rows=pd.DataFrame(), skipped=skipped)
    frames: dict[str, pd.DataFrame] = {}
    for release in ordered:
        listing = read_site_listing(release.path)
        check_unknown_site_types(listing, release.path)
        result.unknown_values[release.load_id] = listing.unknown_values
        rows = listing.rows.copy()
        rows["commune_code"] = rows["commune_code"].map(lambda c: aliases.get(c, c) if isinstance(c, str) else c)
        rows, repaired = resolve_unknown_communes(rows, communes, file=release.path.name)
        good, rejected = validate_sites(rows, known_communes, file=release.path.name)
        result.rejects[release.load_id] = pd.concat([listing.rejects, repaired, rejected], ignore_index=True)
        result.hours_coverage[release.load_id] = listing.hours_coverage
        good = good.assign(as_of=release.as_of, load_id=release.load_id, is_demo=release.is_demo)
        frames[release.load_id] = good
    with_ids = [f for f in frames.values() if f["site_id"].notna().any()]
    for release in ordered:
        frame = frames[release.load_id]
        if frame["site_id"].notna().any() or not with_ids:
            frame["id_generated"] = False
            if not with_ids:
                frame = assign_site_ids(frame, frame.iloc[0:0])
        else:
            # Nearest id-carrying releases first: their sites are the likeliest matches.
            nearest = sorted(with_ids, key=lambda f: abs((f["as_of"].iloc[0] - release.as_of).days))
            known = pd.concat(nearest, ignore_index=True).drop_duplicates("site_id")
            frame = assign_site_ids(frame, known[["site_id", "site_name", "commune_code", "latitude", "longitude"]])
        frames[release.load_id] = frame
        result.counts[release.load_id] = len(frame)
    previous = None
    for release in ordered:
        frame = frames[release.load_id]
        result.changes[release.load_id] = release_changes(previous, frame)
        previous = frame
    if frames:
        result.rows = pd.concat(frames.values(), ignore_index=True)
    return result


def check_unknown_site_types(listing: SiteListing, path: Path) -> None:
    """Refuse a release whose unknown site types exceed ``MAX_UNKNOWN_SITE_TYPE_SHARE`` of its rows."""
    unknown = listing.unknown_values.get("site_type", {})
    count = sum(unknown.values())
    if not count or count <= MAX_UNKNOWN_SITE_TYPE_SHARE * len(listing.rows):
        return
    values = ", ".join(f"{value!r} ({n:,})" for value, n in sorted(unknown.items(), key=lambda item: -item[1])[:5])
    raise InputError(
        f"{count:,} of {len(listing.rows):,} rows ({count / len(listing.rows):.1%}) have an unknown site type: "
        f"{values}; more than {MAX_UNKNOWN_SITE_TYPE_SHARE:.0%} refuses the release",
        file=path,
    )
