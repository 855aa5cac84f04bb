"""Readers for INSEE reference publications (legal populations, EPCI, COG) and the snapshot."""

from ingestion.insee.cog import read_cog_communes
from ingestion.insee.epci import read_epci_composition
from ingestion.insee.populations import read_legal_populations
from ingestion.insee.snapshot import load_reference_snapshot

__all__ = [
    "load_reference_snapshot",
    "read_cog_communes",
    "read_epci_composition",
    "read_legal_populations",
]
