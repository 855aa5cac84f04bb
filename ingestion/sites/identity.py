"""Giving sites of a release without ids (January 2020) the ids of sites already known."""

from __future__ import annotations

import hashlib
import re

import pandas as pd

from ingestion.sites.geo import haversine_m
from ingestion.textfiles import normalise_label

MAX_DISTANCE_M = 150.0
# Generic words of site names: "France services de X" and "MSAP X" are the same site X.
_GENERIC_WORDS = re.compile(
    r"\b(?:espace|maison|maisons)?\s*(?:france services?|de services au public|services au public)\b"
    r"|\bmsap\b|\bmfs\b|\bfs\b|\bla poste\b"
)
_STOP_WORDS = {"de", "du", "des", "la", "le", "les", "l", "d", "a", "au", "aux", "et", "en"}


def normalise_site_name(name: object) -> str:
    """Name without case, accents, punctuation or generic words (``France services``, ``MSAP``)."""
    text = _GENERIC_WORDS.sub(" ", normalise_label(name))
    return " ".join(word for word in text.split() if word not in _STOP_WORDS)


def generated_site_id(commune_code: object, name: object) -> str:
    """Stable id for a site never seen before: ``gen-`` + 10 hex of sha1(commune + name)."""
    key = f"{commune_code or ''}{normalise_site_name(name)}"
    return "gen-" + hashlib.sha1(key.encode("utf-8")).hexdigest()[:10]


def assign_site_ids(release: pd.DataFrame, known: pd.DataFrame) -> pd.DataFrame:
    """Fill ``site_id`` of id-less rows from ``known`` sites and flag generated ids.

    ``known`` has columns site_id, site_name, commune_code, latitude, longitude. Rows are
    matched first by position (within 150 m, same commune), then by normalised name within
    the commune; each known site is used at most once. Unmatched rows get
    ``generated_site_id``. Returns a copy with ``site_id`` filled and bool ``id_generated``.
    """
    out = release.copy()
    out["site_id"] = out["site_id"].astype(object)
    missing = [i for i in out.index if pd.isna(out.at[i, "site_id"])]
    taken = {str(v) for v in out["site_id"].dropna()}
    candidates = known[~known["site_id"].astype(str).isin(taken)]
    by_commune = {code: group for code, group in candidates.groupby("commune_code")}
    matches = _match_by_position(out.loc[missing], by_commune)
    used = set(matches.values())
    remaining = [i for i in missing if i not in matches]
    matches.update(_match_by_name(out.loc[remaining], by_commune, used))
    generated = pd.Series(False, index=out.index, dtype=bool)
    for index in missing:
        if index in matches:
            out.at[index, "site_id"] = matches[index]
        else:
            out.at[index, "site_id"] = _unique(
                generated_site_id(out.at[index, "commune_code"], out.at[index, "site_name"]), taken
            )
            generated[index] = True
        taken.add(out.at[index, "site_id"])
    out["id_generated"] = generated
    return out


def _match_by_position(rows: pd.DataFrame, by_commune: dict) -> dict:
    pairs = []
    for index, row in rows.iterrows():
        group = by_commune.get(row["commune_code"])
        if group is None or pd.isna(row["latitude"]) or pd.isna(row["longitude"]):
            continue
        for _, site in group.iterrows():
            if pd.isna(site["latitude"]) or pd.isna(site["longitude"]):
                continue
            distance = haversine_m(row["latitude"], row["longitude"], site["latitude"], site["longitude"])
            if distance <= MAX_DISTANCE_M:
                pairs.append((distance, index, str(site["site_id"])))
    # Closest pairs first, so two sites in one building go to their nearest known twin.
    matches: dict = {}
    used: set[str] = set()
    for _, index, site_id in sorted(pairs, key=lambda p: p[0]):
        if index not in matches and site_id not in used:
            matches[index] = site_id
            used.add(site_id)
    return matches


def _match_by_name(rows: pd.DataFrame, by_commune: dict, used: set[str]) -> dict:
    matches: dict = {}
    for index, row in rows.iterrows():
        group = by_commune.get(row["commune_code"])
        if group is None:
            continue
        name = normalise_site_name(row["site_name"])
        for _, site in group.iterrows():
            site_id = str(site["site_id"])
            if site_id not in used and name and normalise_site_name(site["site_name"]) == name:
                matches[index] = site_id
                used.add(site_id)
                break
    return matches


def _unique(site_id: str, taken: set[str]) -> str:
    # Two new sites with the same name in one commune: suffix the later one.
    candidate, n = site_id, 2
    while candidate in taken:
        candidate, n = f"{site_id}-{n}", n + 1
    return candidate
