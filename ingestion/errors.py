"""The one exception type for problems a user can fix in an input file."""

from __future__ import annotations

from pathlib import Path


class InputError(Exception):
    """A file-level problem with an input; ``str()`` is one line naming where it is.

    The CLI catches it once and prints it without a traceback.
    """

    def __init__(
        self,
        message: str,
        *,
        file: str | Path | None = None,
        sheet: str | None = None,
        row: int | None = None,
        column: str | None = None,
    ) -> None:
        self.message = message
        self.file = Path(file).name if file is not None else None
        self.sheet = sheet
        self.row = row
        self.column = column
        super().__init__(self.line())

    def line(self) -> str:
        """The one-line description: ``file: sheet S, row R, column C: message``."""
        where = []
        if self.sheet is not None:
            where.append(f"sheet {self.sheet!r}")
        if self.row is not None:
            where.append(f"row {self.row}")
        if self.column is not None:
            where.append(f"column {self.column!r}")
        prefix = f"{self.file}: " if self.file else ""
        location = ", ".join(where)
        return f"{prefix}{location + ': ' if location else ''}{self.message}".replace("\n", " ")
