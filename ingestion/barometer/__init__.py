"""Readers for the barometer files: Etalab's counts of France Services and the DITP indicator exports."""

from ingestion.barometer.ditp import INDICATORS, DitpExport, read_ditp_export
from ingestion.barometer.reader import INDICATOR, BarometerRows, read_barometer, read_barometer_file

__all__ = [
    "INDICATOR",
    "INDICATORS",
    "BarometerRows",
    "DitpExport",
    "read_barometer",
    "read_barometer_file",
    "read_ditp_export",
]
