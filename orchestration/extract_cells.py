"""How one value becomes a cell of an extract: CSV for French Excel, XLSX, formula neutralisation."""

from __future__ import annotations

import math
import re
from collections.abc import Iterator
from datetime import UTC, date, datetime
from decimal import Decimal

import numpy as np
import pyarrow as pa

FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")
ILLEGAL_XLSX_CHARS = re.compile(r"[\000-\010]|[\013-\014]|[\016-\037]")
XLSX_MAX_TEXT = 32767


def neutralise(text: str) -> str:
    """Prefix a text cell that a spreadsheet would read as a formula with ``'`` (OWASP)."""
    return "'" + text if text.startswith(FORMULA_STARTS) else text


def _decimal_comma(number: float | Decimal) -> str:
    if isinstance(number, Decimal):
        return format(number, "f").replace(".", ",")
    # Positional (never 1e-05) so French Excel reads every value as a number.
    return np.format_float_positional(number, trim="-").replace(".", ",")


def utc_naive(moment: datetime) -> datetime:
    """``moment`` in UTC without its time zone (what CSV and XLSX can hold)."""
    if moment.tzinfo is not None:
        moment = moment.astimezone(UTC).replace(tzinfo=None)
    return moment


def csv_cell(value: object) -> str:
    """One CSV cell for French Excel: empty for null, ``true``/``false``, decimal comma,
    ISO dates, timestamps as UTC ``YYYY-MM-DD HH:MM:SS``, neutralised text."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, int):
        return str(value)
    if isinstance(value, float):
        return "" if math.isnan(value) or math.isinf(value) else _decimal_comma(value)
    if isinstance(value, Decimal):
        return _decimal_comma(value)
    if isinstance(value, datetime):
        return utc_naive(value).isoformat(sep=" ", timespec="seconds")
    if isinstance(value, date):
        return value.isoformat()
    return neutralise(str(value))


def xlsx_value(value: object) -> object:
    """One XLSX cell value: empty for NaN/inf, UTC-naive timestamps, numbers and dates as they
    are, text neutralised, cleaned of the control characters XLSX refuses and cut to its limit."""
    if isinstance(value, float) and (math.isnan(value) or math.isinf(value)):
        return None
    if isinstance(value, datetime):
        return utc_naive(value)
    if value is None or isinstance(value, (bool, int, float, Decimal, date)):
        return value
    return ILLEGAL_XLSX_CHARS.sub("", neutralise(str(value)))[:XLSX_MAX_TEXT]


def table_rows(table: pa.Table) -> Iterator[tuple]:
    """The rows of ``table`` as tuples of Python values, column by column converted once."""
    columns = [table.column(i).to_pylist() for i in range(table.num_columns)]
    return zip(*columns, strict=True)
