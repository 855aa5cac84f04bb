"""Finding a commune's code from its name, within the department a QPV code names."""

from __future__ import annotations

import re

import pandas as pd

from ingestion.textfiles import normalise_label

_ABBREVIATIONS = ((re.compile(r"\bst\b"), "saint"), (re.compile(r"\bste\b"), "sainte"))
# The register writes some names without their article (INSEE's TNCC): "Grand-Combe" for the
# "La Grand-Combe" of the QPV files.
_ARTICLE = re.compile(r"^(?:la|le|les|l)\s+")


def commune_key(name: object) -> str:
    """A commune name compared without case, accents, punctuation, a leading article or
    ``St``/``Ste`` abbreviations."""
    key = _ARTICLE.sub("", normalise_label(name))
    for pattern, word in _ABBREVIATIONS:
        key = pattern.sub(word, key)
    return key


class CommuneNames:
    """The register's communes by name (``communes``: commune_code, commune_name, department_code)."""

    def __init__(self, communes: pd.DataFrame) -> None:
        self._communes = communes
        self._index: dict[str, list[tuple[str, str]]] | None = None

    def _by_name(self) -> dict[str, list[tuple[str, str]]]:
        # Built on the first look-up: most QPV files give commune codes and never need it.
        if self._index is None:
            frame = self._communes
            if "commune_type" in frame:
                # Paris, Lyon and Marseille are named as cities, not as their arrondissements.
                frame = frame[frame["commune_type"] != "ARM"]
            self._index = {}
            columns = frame[["commune_code", "commune_name", "department_code"]].itertuples(index=False)
            for code, name, department in columns:
                self._index.setdefault(commune_key(name), []).append((code, department))
        return self._index

    def code_of(self, name: str, department: str | None) -> tuple[str | None, str | None]:
        """``(code, None)`` for the one commune of that name in ``department`` (or in France
        when no department is known), else ``(None, reason)``."""
        candidates = self._by_name().get(commune_key(name), [])
        if department is not None:
            candidates = [c for c in candidates if c[1] == department]
            where = f"in department {department}"
        else:
            where = "in France"
        if len(candidates) == 1:
            return candidates[0][0], None
        if not candidates:
            return None, f"commune name {name!r} not found {where}"
        return None, f"commune name {name!r} is ambiguous {where} ({len(candidates)} communes)"
