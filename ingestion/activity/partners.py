"""The national partners of France services and how local exports name them."""

from __future__ import annotations

import re

from ingestion.textfiles import normalise_label

PARTNERS = {
    "interieur": "Ministère de l'Intérieur (ANTS)",
    "justice": "Ministère de la Justice",
    "dgfip": "Direction générale des Finances publiques",
    "cnaf": "Caisse nationale des allocations familiales (CAF)",
    "cnam": "Assurance maladie (CPAM)",
    "cnav": "Assurance retraite (Carsat)",
    "france_travail": "France Travail (ex-Pôle emploi)",
    "la_poste": "La Poste",
    "msa": "Mutualité sociale agricole (MSA)",
    "other": "Autre partenaire",
}

# Searched in order on the normalised label (lower case, no accents, single spaces): the first
# pattern found wins, so the specific names come before the generic words they contain.
_PATTERNS = (
    ("france_travail", r"\bfrance travail\b|\bpole emploi\b|\bunedic\b"),
    ("cnav", r"\bassurance retraite\b|\bcarsat\b|\bcnav\b|\bcgss\b|\bretraite\b"),
    ("cnam", r"\bassurance maladie\b|\bcpam\b|\bcnam\b|\bameli\b|\bcaisse primaire\b"),
    ("cnaf", r"\bcaf\b|\bcnaf\b|\ballocations familiales\b"),
    ("msa", r"\bmsa\b|\bmutualite sociale agricole\b"),
    ("dgfip", r"\bdgfip\b|\bfinances publiques\b|\bimpots?\b|\bsip\b|\btresor public\b"),
    ("interieur", r"\bants\b|\binterieur\b|\btitres?\b|\bprefecture\b"),
    ("justice", r"\bjustice\b|\bacces au droit\b|\bcdad\b|\bpoint justice\b"),
    ("la_poste", r"\bla poste\b|\bposte\b"),
)
_COMPILED = tuple((code, re.compile(pattern)) for code, pattern in _PATTERNS)


def partner_code(label: object) -> str:
    """The partner code for a label as written in an export (``other`` when not a national partner)."""
    text = normalise_label(label)
    if text in PARTNERS:
        return text
    for code, pattern in _COMPILED:
        if pattern.search(text):
            return code
    return "other"
