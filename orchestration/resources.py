"""Dagster resources: the warehouse home and the dbt CLI."""

from __future__ import annotations

import importlib.metadata
import os
import sys
from pathlib import Path

import dagster as dg
from dagster_dbt import DbtCliResource, DbtProject
from dagster_dbt.dbt_project import using_dagster_dev
from packaging import version

from orchestration.config import DBT_PROJECT_DIR, Settings, load_settings

WORK_DB_POOL = "work_duckdb"
"""Every asset that writes work.duckdb runs in this pool (limit 1 in the instance config)."""

OWNER = "team:data"


class WarehouseResource(dg.ConfigurableResource):
    """Where the warehouse lives (``FSW_HOME``); empty means read it from the environment."""

    home: str = ""

    def settings(self) -> Settings:
        """The typed settings of this warehouse home, folders created."""
        settings = load_settings()
        if self.home:
            settings = Settings(home=Path(self.home).resolve(), demo_months=settings.demo_months)
        return settings.ensure()


dbt_project = DbtProject(project_dir=DBT_PROJECT_DIR, profiles_dir=DBT_PROJECT_DIR)
if using_dagster_dev():
    # prepare_if_dev runs `dbt parse` with the `dbt` found on PATH: make it this interpreter's.
    os.environ["PATH"] = f"{Path(sys.executable).parent}{os.pathsep}{os.environ.get('PATH', '')}"
    dbt_project.prepare_if_dev()


class InterpreterDbtCliResource(DbtCliResource):
    """dbt-core from this interpreter, without the two costs dagster-dbt adds to every `dbt build`.

    dagster-dbt asks the executable for its version (`dbt --version`, a 2 s subprocess) and
    builds a dbt adapter in this process (2–3 s of dbt imports and project loading) that only
    serves metadata we do not fetch (row counts, column schemas). The executable is this
    interpreter's, so the installed dbt-core's version is the CLI's.
    """

    @property
    def _cli_version(self) -> version.Version:
        return version.parse(importlib.metadata.version("dbt-core"))

    def _initialize_dbt_core_adapter(self, args):
        return None


def dbt_resource() -> DbtCliResource:
    """dbt from this interpreter's bin folder: `dbt` need not be on PATH."""
    executable = Path(sys.executable).parent / "dbt"
    return InterpreterDbtCliResource(project_dir=dbt_project, dbt_executable=str(executable))
