"""What each extract column means to a reader: how far it is rounded and how a spreadsheet shows it.

One table of rules, matched on the column name, decides for every measure (float or decimal
column) of every extract, in every format (parquet, csv and xlsx alike, so the three agree):

=======================================  ==============================  ========  ============
rule (first match wins)                  name                            decimals  xlsx format
=======================================  ==============================  ========  ============
share or rate, a fraction (0.789)        ``share``/``rate`` word         3         ``0.0%``
percentage already ×100 (78.9)           ``pct``/``percent`` word        1         ``0.0``
minutes                                  ends ``_minutes``               0         ``#,##0``
kilometres                               ends ``_km``                    1         ``#,##0.0``
per 1,000 inhabitants                    ends ``_per_1000``              1         ``#,##0.0``
hours (opening hours, quarter hours)     ends ``_hours``                 2         ``0.00``
latitude/longitude (about 1 m)           ``latitude``/``longitude``      5         ``0.00000``
ratio of two figures (1.012)             ends ``ratio``                  3         ``0.000``
any other measure                        —                               2         ``#,##0.00``
=======================================  ==============================  ========  ============

A "word" is a part of the name between underscores (``share_within_30_min``,
``first_visit_resolution_rate``). Integer columns are counts and stay integers (xlsx
``#,##0``, except years and ranks: ``0``). Halves round away from zero, as Excel's ROUND does.
The serving DB keeps full precision; only extracts are rounded.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

import pyarrow as pa
import pyarrow.compute as pc


@dataclass(frozen=True)
class ColumnRule:
    """How a measure column is rounded (``decimals``) and shown in XLSX (``xlsx_format``)."""

    meaning: str
    name_pattern: str
    decimals: int
    xlsx_format: str

    def matches(self, name: str) -> bool:
        """Whether the column ``name`` falls under this rule."""
        return re.search(self.name_pattern, name.lower()) is not None


MEASURE_RULES = (
    ColumnRule("share or rate, a fraction", r"(^|_)(share|rate)(_|$)", 3, "0.0%"),
    ColumnRule("percentage already ×100", r"(^|_)(pct|percent)(_|$)", 1, "0.0"),
    ColumnRule("minutes", r"(^|_)minutes$", 0, "#,##0"),
    ColumnRule("kilometres", r"(^|_)km$", 1, "#,##0.0"),
    ColumnRule("per 1,000 inhabitants", r"_per_1000$", 1, "#,##0.0"),
    ColumnRule("hours", r"(^|_)hours$", 2, "0.00"),
    ColumnRule("latitude/longitude", r"^(latitude|longitude)$", 5, "0.00000"),
    ColumnRule("ratio of two figures", r"(^|_)ratio$", 3, "0.000"),
)
OTHER_MEASURE = ColumnRule("any other measure", r"", 2, "#,##0.00")
COUNT_FORMAT = "#,##0"
PLAIN_INTEGER = re.compile(r"(^|_)(year|rank)(_|$)")
DATE_FORMAT = "yyyy-mm-dd"
TIMESTAMP_FORMAT = "yyyy-mm-dd hh:mm:ss"


def measure_rule(name: str) -> ColumnRule:
    """The rule of the measure column ``name``: the first of ``MEASURE_RULES`` that matches,
    else ``OTHER_MEASURE``."""
    return next((rule for rule in MEASURE_RULES if rule.matches(name)), OTHER_MEASURE)


def is_measure(data_type: pa.DataType) -> bool:
    """Whether a column of ``data_type`` is a measure to round (float, or decimal with a fraction)."""
    return pa.types.is_floating(data_type) or (pa.types.is_decimal(data_type) and data_type.scale > 0)


def _round_column(column: pa.ChunkedArray, decimals: int) -> pa.ChunkedArray:
    rounded = pc.round(column, ndigits=decimals, round_mode="half_towards_infinity")
    if pa.types.is_decimal(column.type) and column.type.scale > decimals:
        # Keep only the meaningful digits: 0.79000 would print as such in CSV.
        rounded = rounded.cast(pa.decimal128(column.type.precision, decimals))
    return rounded


def round_measures(table: pa.Table) -> pa.Table:
    """``table`` with every measure column rounded by its rule; counts, text and dates unchanged."""
    for index, field in enumerate(table.schema):
        if is_measure(field.type):
            rounded = _round_column(table.column(index), measure_rule(field.name).decimals)
            table = table.set_column(index, pa.field(field.name, rounded.type, field.nullable), rounded)
    return table


def xlsx_format(name: str, data_type: pa.DataType) -> str | None:
    """The XLSX number format of a column: its measure rule's, counts ``#,##0`` (years and
    ranks ``0``), ISO dates and timestamps; ``None`` for text and booleans."""
    if is_measure(data_type):
        return measure_rule(name).xlsx_format
    if pa.types.is_integer(data_type) or pa.types.is_decimal(data_type):
        return "0" if PLAIN_INTEGER.search(name.lower()) else COUNT_FORMAT
    if pa.types.is_timestamp(data_type):
        return TIMESTAMP_FORMAT
    if pa.types.is_date(data_type):
        return DATE_FORMAT
    return None
