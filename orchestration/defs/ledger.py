"""Which landed loads an asset should read, from the ledger in work.duckdb."""

import pandas as pd

USABLE = ("landed", "loaded", "published")


def latest_by_kind(ledger: pd.DataFrame) -> dict[str, pd.Series]:
    """The newest usable load of each kind (a newer official file replaces an older one)."""
    chosen: dict[str, pd.Series] = {}
    for _, row in ledger.iterrows():
        chosen[row["kind"]] = row
    return chosen
