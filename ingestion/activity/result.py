"""What a reader returns: the good rows and the rejected ones, each with its reason."""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
import pandas as pd

from ingestion.activity.table import RawTable
from ingestion.activity.values import raw_values

REJECT_COLUMNS = ["file", "sheet", "row", "column", "value", "reason"]


@dataclass
class ReadResult:
    """``rows`` that loaded and ``rejects`` (file, sheet, row, column, value, reason).

    A row with several problems has one reject line per problem.
    """

    rows: pd.DataFrame
    rejects: pd.DataFrame


@dataclass
class RejectCollector:
    """Gathers row-level problems of one table as boolean masks, then builds the rejects frame."""

    path: Path
    table: RawTable
    bad: np.ndarray = field(init=False)
    _parts: list[pd.DataFrame] = field(default_factory=list, init=False)

    def __post_init__(self) -> None:
        self.bad = np.zeros(len(self.table), dtype=bool)

    def add(self, mask: np.ndarray, field_name: str, reason: str) -> None:
        """Reject the rows where ``mask`` holds, naming the column of ``field_name``."""
        if not mask.any():
            return
        self.bad |= mask
        table = self.table
        sheets = table.source_sheet[mask]
        if table.has(field_name):
            values = raw_values(table.columns[field_name], mask)
        else:
            values = np.full(mask.sum(), "", dtype=object)
        column_of = {sheet: table.labels.get(sheet, {}).get(field_name, field_name) for sheet in set(sheets.tolist())}
        self._parts.append(
            pd.DataFrame(
                {
                    "file": self.path.name,
                    "sheet": sheets,
                    "row": table.source_row[mask],
                    "column": [column_of[sheet] for sheet in sheets],
                    "value": values,
                    "reason": reason,
                }
            )
        )

    def frame(self) -> pd.DataFrame:
        """The rejects, in file order (sheet, row)."""
        if not self._parts:
            return empty_rejects()
        rejects = pd.concat(self._parts, ignore_index=True)
        order = np.lexsort((rejects["row"].to_numpy(), rejects["sheet"].fillna("").astype(str).to_numpy()))
        return rejects.iloc[order].reset_index(drop=True).astype({"row": "int64"})


def empty_rejects() -> pd.DataFrame:
    """A rejects frame with no rows and the right columns."""
    # most files have no rejects: copying a ready frame is far cheaper than building one
    return _EMPTY_REJECTS.copy()


_EMPTY_REJECTS = pd.DataFrame({name: pd.Series(dtype="int64" if name == "row" else object) for name in REJECT_COLUMNS})
