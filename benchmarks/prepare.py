"""Shape the demo inbox for the benchmarks: 36 full months for the full refresh, one held back.

`fsw demo --months 36` writes the 36 months ending last month. The last of them is moved out
of the inbox into ``holdout/`` (it becomes the "one new month" of benchmark 2: a complete
month, no dates in the future), and the month before the first one is generated with the same
generator and seed (so the same department formats and site sizes) and registered as demo, so
the full refresh still covers 36 months.
"""

from __future__ import annotations

import shutil
import sys
from datetime import date
from pathlib import Path

from benchmarks.common import month_before


def prepare(home: Path, holdout: Path, months: int = 36) -> dict:
    from ingestion.demo import write_demo_exports
    from orchestration.config import Settings
    from orchestration.defs.demo import current_sites, register_demo_files

    settings = Settings(home=home)
    today = date.today()
    last = month_before(date(today.year, today.month, 1))  # what `fsw demo` ends with
    first = last
    for _ in range(months - 1):
        first = month_before(first)
    extra = month_before(first)
    # 1. hold the last month back
    moved = 0
    for source in ("activity", "satisfaction"):
        (holdout / source).mkdir(parents=True, exist_ok=True)
        for path in sorted((settings.inbox / source).glob(f"*_{last:%Y-%m}.*")):
            path.replace(holdout / source / path.name)
            moved += 1
    # 2. one more month before the first, registered as demo
    staging = home / "bench_extra"
    sites = current_sites(settings)
    sites["labelled_on"] = sites["labelled_on"].dt.date
    counts = write_demo_exports(sites, staging, months=1, end_month=extra, seed=0)
    generated = sorted(p for s in ("activity", "satisfaction") for p in (staging / s).glob("*"))
    register_demo_files(settings, generated)
    for path in generated:
        path.replace(settings.inbox / path.parent.name / path.name)
    shutil.rmtree(staging, ignore_errors=True)
    # the held-back files are demo files too (registered by `fsw demo`): ingesting them keeps the
    # warehouse in demo mode, so the ingest rebuilds only their month
    return {
        "held_back_month": f"{last:%Y-%m}",
        "held_back_files": moved,
        "added_month": f"{extra:%Y-%m}",
        "added_activity_rows": counts["activity_rows"],
        "refresh_months": f"{extra:%Y-%m} → {month_before(last):%Y-%m}",
    }


if __name__ == "__main__":
    print(prepare(Path(sys.argv[1]), Path(sys.argv[2])))
