"""A stable id for each outreach place, the same in every file that describes it."""

from __future__ import annotations

import hashlib

from ingestion.textfiles import normalise_label


def place_id(parent: object, commune_code: str, place_name: object) -> str:
    """``op-`` + 10 hex of sha1(parent | commune | name), names compared without case or accents.

    ``parent`` is the place's France Services site id when the file gives one, else its parent
    structure (``structure_parente``): the same stop served by two buses is two places. The
    ids of the files themselves (``id`` 1…12 of a bus file) are only unique within one file.
    """
    key = f"{normalise_label(parent)}|{commune_code}|{normalise_label(place_name)}"
    return "op-" + hashlib.sha1(key.encode("utf-8")).hexdigest()[:10]
