"""Dagster resources: the warehouse home and the dbt CLI."""

from __future__ import annotations

import importlib.metadata
import os
import shutil
import subprocess
import sys
import threading
from dataclasses import replace
from pathlib import Path
from typing import ClassVar

import dagster as dg
from dagster_dbt import DbtCliInvocation, DbtCliResource, DbtProject
from dagster_dbt.dbt_project import using_dagster_dev
from packaging import version
from pydantic import PrivateAttr

from orchestration.config import DBT_PROJECT_DIR, Settings, load_settings
from orchestration.private_api import dagster_dbt_resource

WORK_DB_POOL = "work_duckdb"
"""Every asset that writes work.duckdb runs in this pool (limit 1 in the instance config)."""

OWNER = "team:data"
RUN_WAITS_FOR_HOME_SECONDS = 3600.0  # a daemon-launched run queues behind a CLI command this long


class WarehouseResource(dg.ConfigurableResource):
    """Where the warehouse lives (``FSW_HOME``); empty means read it from the environment."""

    home: str = ""
    _locked_here: bool = PrivateAttr(default=False)

    def settings(self) -> Settings:
        """The typed settings of this warehouse home, folders created."""
        settings = load_settings()
        if self.home:
            settings = replace(settings, home=Path(self.home).resolve())
        return settings.ensure()

    def setup_for_execution(self, context: dg.InitResourceContext) -> None:
        """A run launched by `dagster dev` (sensor, schedule, UI) holds the home while it runs.

        An `fsw` command holds it for itself already; this process then has it. Runs that
        only read the serving DB (`fsw extract`, in the CLI) take nothing.
        """
        from orchestration.home_lock import hold_home, holds_home

        home = self.settings().home
        if holds_home(home) or (context.run and context.run.tags.get("fsw/trigger") == "cli"):
            return
        log = context.log

        def waiting() -> None:
            if log is not None:
                log.info(f"waiting for the fsw command running on {home} to end")

        hold_home(home, wait_seconds=RUN_WAITS_FOR_HOME_SECONDS, waiting=waiting)
        self._locked_here = True

    def teardown_after_execution(self, context: dg.InitResourceContext) -> None:
        """Give the home back at the end of a run that took it."""
        from orchestration.home_lock import release_home

        if self._locked_here:
            release_home(self.settings().home)
            self._locked_here = False


dbt_project = DbtProject(project_dir=DBT_PROJECT_DIR, profiles_dir=DBT_PROJECT_DIR)
if using_dagster_dev():
    # prepare_if_dev runs `dbt parse` with the `dbt` found on PATH: make it this interpreter's.
    os.environ["PATH"] = f"{Path(sys.executable).parent}{os.pathsep}{os.environ.get('PATH', '')}"
    dbt_project.prepare_if_dev()


class InterpreterDbtCliResource(DbtCliResource):
    """dbt-core from this interpreter, without the two costs dagster-dbt adds to every `dbt build`.

    Private dagster-dbt hooks: see ``orchestration.private_api`` (checked by its test).

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

    def cli(self, args, *, working_dir: Path | None = None, **kwargs):
        """dagster-dbt's `cli`, with dbt started in ``working_dir`` (the home: the profile's
        DuckDB path is relative to it) instead of the project folder."""
        if working_dir is None:
            return super().cli(args, **kwargs)
        invocation = type("DbtCliInvocationInHome", (_DbtCliInvocationIn,), {"working_dir": Path(working_dir)})
        with _INVOCATION_SWAP:
            # dagster-dbt builds the invocation (and its subprocess) from this module-level name.
            dagster_dbt_resource.DbtCliInvocation = invocation
            try:
                return super().cli(args, **kwargs)
            finally:
                dagster_dbt_resource.DbtCliInvocation = DbtCliInvocation


_INVOCATION_SWAP = threading.Lock()


class _DbtCliInvocationIn(DbtCliInvocation):
    """dagster-dbt's invocation with dbt's process started in ``working_dir``.

    As dagster-dbt's own `run`: a new home's target folder first gets the project's
    partial-parse state, then dbt starts; only the working directory differs (dbt finds its
    project and profile through the DBT_PROJECT_DIR and DBT_PROFILES_DIR that dagster-dbt sets).
    """

    working_dir: ClassVar[Path]

    @classmethod
    def run(
        cls,
        args,
        env,
        manifest,
        dagster_dbt_translator,
        project_dir,
        target_path,
        raise_on_error,
        context,
        adapter,
        cli_version,
        dbt_project=None,
    ):
        seed = Path(project_dir) / "target" / "partial_parse.msgpack"
        destination = Path(target_path) / "partial_parse.msgpack"
        if seed.exists() and not destination.exists():
            destination.parent.mkdir(parents=True, exist_ok=True)
            shutil.copy(seed, destination)
        process = subprocess.Popen(
            args=args, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, env=env, cwd=cls.working_dir
        )
        return cls(
            process=process,
            manifest=manifest,
            project=dbt_project,
            dagster_dbt_translator=dagster_dbt_translator,
            project_dir=project_dir,
            target_path=target_path,
            raise_on_error=raise_on_error,
            context=context,
            adapter=adapter,
            cli_version=cli_version,
        )


def dbt_resource() -> DbtCliResource:
    """dbt from this interpreter's bin folder: `dbt` need not be on PATH."""
    executable = Path(sys.executable).parent / "dbt"
    return InterpreterDbtCliResource(project_dir=dbt_project, dbt_executable=str(executable))
