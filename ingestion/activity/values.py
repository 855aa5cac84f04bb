"""Vectorised parsing of the text cells of an export: site ids, dates, months, counts.

Every column arrives dictionary-encoded: the work is done once on its distinct values (a
few hundred at most in real exports) and spread to the rows through the dictionary
indices, so a file of millions of rows costs a handful of array operations.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc

DATE_FORMATS = (
    "%d/%m/%Y",
    "%Y-%m-%d",
    "%d-%m-%Y",
    "%Y-%m-%d %H:%M:%S",
    "%Y-%m-%dT%H:%M:%S",
    "%d/%m/%Y %H:%M",
    "%d/%m/%Y %H:%M:%S",
)
MONTH_FORMATS = ("%m/%Y", "%Y-%m", "%Y/%m", "%m-%Y")
_EXCEL_EPOCH = np.datetime64("1899-12-30", "D")
_SERIAL_RANGE = (20_000, 80_000)  # 1954 to 2119: anything else is not an Excel date
_NAT = np.datetime64("NaT", "ms")
# Results per raw cell text, shared by every file read in the process: exports repeat the same
# dates, counts and labels, and parsing a value with pandas costs far more than a dict lookup.
_CACHE_LIMIT = 100_000
_DATES: dict[str, int] = {}
_MONTHS: dict[str, int] = {}
_COUNTS: dict[str, tuple[float, bool]] = {}


def codes(column: pa.DictionaryArray) -> np.ndarray:
    """The dictionary index of every row."""
    return column.indices.to_numpy(zero_copy_only=False)


def distinct(column: pa.DictionaryArray) -> pa.StringArray:
    """The distinct values of a column, stripped of surrounding spaces."""
    return pc.utf8_trim_whitespace(column.dictionary)


def spread(values: np.ndarray, column: pa.DictionaryArray) -> np.ndarray:
    """Give every row the value computed for its distinct value."""
    return np.asarray(values)[codes(column)]


def _per_value(cache: dict, column: pa.DictionaryArray, compute) -> list:
    """``compute``'s result for each distinct raw value of ``column``, in dictionary order.

    ``compute`` maps a string array of values to a sequence of results, one each, and must
    depend on nothing but the value: ``cache`` keeps its results across calls and files.
    """
    keys = column.dictionary.to_pylist()
    found = [cache.get(key, cache) for key in keys]  # the cache itself stands for "not there"
    missing = [key for key, result in zip(keys, found) if result is cache]
    if not missing:
        return found
    computed = dict(zip(missing, compute(pa.array(missing, type=pa.string()))))
    if len(cache) > _CACHE_LIMIT:
        cache.clear()
    cache.update(computed)
    return [computed[key] if result is cache else result for key, result in zip(keys, found)]


def take_text(values: pa.Array, column: pa.DictionaryArray, rows: np.ndarray) -> pd.api.extensions.ExtensionArray:
    """Per-distinct-value text spread to the rows selected by the ``rows`` mask, as a pandas ``str`` array."""
    # large_string is what pandas stores: casting the few distinct values spares a cast of every row
    return _text_array(values.cast(pa.large_string()).take(codes(column)[rows]))


def constant_text(value: str | None, size: int) -> pd.api.extensions.ExtensionArray:
    """``value`` (None: null) ``size`` times, as a pandas ``str`` array."""
    return _text_array(pa.array([value] * size, type=pa.large_string()))


# what pd.array(..., dtype="str") makes of arrow text, built without its per-call checks
_TEXT = pd.StringDtype("pyarrow", na_value=np.nan)


def _text_array(values: pa.LargeStringArray) -> pd.api.extensions.ExtensionArray:
    return pd.arrays.ArrowStringArray(values, dtype=_TEXT)


def is_empty(values: pa.StringArray) -> np.ndarray:
    """True where a text value is the empty string (null counts as not empty)."""
    return pc.fill_null(pc.equal(values, ""), False).to_numpy(zero_copy_only=False)


def clean_site_ids(column: pa.DictionaryArray) -> pa.StringArray:
    """Per distinct value: the site id stripped, with the ``12.0`` that spreadsheets make of ``12`` turned back."""
    return pc.replace_substring_regex(distinct(column), r"^(\d+)\.0*$", r"\1")


def parse_dates(column: pa.DictionaryArray) -> np.ndarray:
    """Every row's date as datetime64[ms] (midnight); NaT where unreadable. Excel serial numbers accepted."""
    days = _per_value(_DATES, column, _days)
    return spread(np.array(days, dtype=np.int64).view("datetime64[ms]"), column)


def _days(values: pa.StringArray) -> list[int]:
    return _parse_dates(_as_series(pc.utf8_trim_whitespace(values))).view("int64").tolist()


def parse_months(column: pa.DictionaryArray) -> np.ndarray:
    """First day of each row's month given as ``MM/YYYY`` or ``YYYY-MM`` (or a full date); NaT if unreadable."""
    months = _per_value(_MONTHS, column, _first_days)
    return spread(np.array(months, dtype=np.int64).view("datetime64[ms]"), column)


def _first_days(values: pa.StringArray) -> list[int]:
    values = _as_series(pc.utf8_trim_whitespace(values))
    parsed = _parse_with_formats(values, MONTH_FORMATS)
    rest = np.isnat(parsed)
    if rest.any():
        parsed[rest] = _parse_dates(values[rest])
    return parsed.astype("datetime64[M]").astype("datetime64[ms]").view("int64").tolist()


def _as_series(values: pa.StringArray) -> pd.Series:
    return pd.Series(values.to_numpy(zero_copy_only=False), dtype=object)


def _parse_dates(values: pd.Series) -> np.ndarray:
    parsed = _parse_with_formats(values, DATE_FORMATS)
    maybe_serial = np.isnat(parsed) & values.str.fullmatch(r"\d{5}(\.0*)?").to_numpy(dtype=bool)
    if maybe_serial.any():
        days = values[maybe_serial].astype(float).to_numpy()
        inside = (days >= _SERIAL_RANGE[0]) & (days <= _SERIAL_RANGE[1])
        serial = np.flatnonzero(maybe_serial)[inside]
        parsed[serial] = (_EXCEL_EPOCH + days[inside].astype("int64")).astype("datetime64[ms]")
    return parsed.astype("datetime64[D]").astype("datetime64[ms]")


def _parse_with_formats(values: pd.Series, formats) -> np.ndarray:
    """pandas' strict parser (arrow's would turn 31/02 into 2 March), one format after another."""
    parsed = np.full(len(values), _NAT, dtype="datetime64[ms]")
    todo = np.ones(len(values), dtype=bool)
    for fmt in formats:
        if not todo.any():
            break
        attempt = pd.to_datetime(values[todo], format=fmt, errors="coerce")
        parsed[np.flatnonzero(todo)] = attempt.to_numpy(dtype="datetime64[ms]")
        todo = np.isnat(parsed)
    return parsed


def parse_counts(column: pa.DictionaryArray) -> tuple[np.ndarray, np.ndarray]:
    """Every row's whole count from ``1 234``, ``1234,0``, ``12.0``: (float values, is_blank).

    Values are NaN where the cell is blank or not a whole number; ``is_blank`` tells the two apart.
    """
    counts = _per_value(_COUNTS, column, _whole_numbers)
    numbers = np.array([number for number, _ in counts], dtype=float)
    blank = np.array([is_blank for _, is_blank in counts], dtype=bool)
    return spread(numbers, column), spread(blank, column)


def _whole_numbers(text: pa.StringArray) -> list[tuple[float, bool]]:
    text = pc.replace_substring_regex(text, "[\\s\u00a0\u202f]", "")
    blank = pc.equal(text, "").to_numpy(zero_copy_only=False)
    # `1.234,5`: the dot groups thousands; otherwise a comma is the decimal mark
    both = pc.and_(pc.match_substring(text, ","), pc.match_substring(text, "."))
    text = pc.if_else(both, pc.replace_substring(text, ".", ""), text)
    text = pc.replace_substring(text, ",", ".")
    valid = pc.match_substring_regex(text, r"^[+-]?(\d+\.?\d*|\.\d+)$")
    numbers = np.full(len(text), np.nan)
    numbers[valid.to_numpy(zero_copy_only=False)] = pc.cast(pc.filter(text, valid), pa.float64()).to_numpy()
    numbers[np.floor(numbers) != numbers] = np.nan
    return list(zip(numbers.tolist(), blank.tolist()))


def raw_values(column: pa.DictionaryArray, rows: np.ndarray) -> np.ndarray:
    """The cells of the selected rows as written (for the ``value`` of a reject)."""
    return np.asarray(column.dictionary.to_pylist(), dtype=object)[codes(column)[rows]]
