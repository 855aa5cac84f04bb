"""Dagster resources: the warehouse home and the dbt CLI."""

from __future__ import annotations

import os
import sys
from pathlib import Path

import dagster as dg
from dagster_dbt import DbtCliResource, DbtProject
from dagster_dbt.dbt_project import using_dagster_dev

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


def dbt_resource() -> DbtCliResource:
    """dbt from this interpreter's bin folder: `dbt` need not be on PATH."""
    executable = Path(sys.executable).parent / "dbt"
    return DbtCliResource(project_dir=dbt_project, dbt_executable=str(executable))
