"""Reader for the Etalab "baromètre des résultats de l'action publique" files."""

from ingestion.barometer.reader import INDICATOR, read_barometer

__all__ = ["INDICATOR", "read_barometer"]
