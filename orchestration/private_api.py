"""Every private Dagster / dagster-dbt API this project relies on, in one place, each with why.

They hold under the pinned versions (dagster 1.13.27, dagster-dbt 0.29.27). ``check_private_api``
says in one line what an upgrade broke (a test runs it), instead of a failure deep inside a run.

- ``dagster._core.storage…`` (used by ``orchestration.event_log``): the SQLite run, event-log and
  schedule storages and their folder helpers. The public instance config can only name a
  storage class; to keep the event log's connections open between events, ours subclasses
  Dagster's own and overrides its private ``_connect`` (shard engine, ``_db_lock``,
  ``_initialized_dbs``, ``_initdb``).
- ``DbtCliResource._cli_version`` and ``DbtCliResource._initialize_dbt_core_adapter`` (used by
  ``orchestration.resources``): overridden to skip a `dbt --version` subprocess and an
  in-process dbt adapter that serve only metadata we do not fetch. No public setting does either.
- ``dagster_dbt.core.resource.DbtCliInvocation`` and ``DbtCliInvocation.run`` (used by
  ``orchestration.resources``): `DbtCliResource.cli` has no working-directory argument, and dbt
  must start in the home (the profile's DuckDB path is relative); the invocation class the
  resource builds from is swapped for one whose ``run`` starts dbt there.
- ``dagster._core.execution.api.execute_run``, ``ReconstructableRepository``,
  ``ManagedGrpcPythonEnvCodeLocationOrigin``, ``RemoteRepositoryOrigin``, ``RemoteJobOrigin``,
  ``LoadableTargetOrigin`` (used by ``orchestration.runner``): a CLI run is created with the
  origin of the code location `dagster dev` loads (so the UI lists it on the job's page and the
  timeline) and executed in the CLI's own process. The public ``execute_in_process`` and
  ``execute_job`` create runs without a code-location origin, and launching through the run
  launcher would start a second process per run.
- ``dagster._cli.cli`` and ``ENV_PREFIX`` (used by `fsw ui`): the `dagster` command's click group, invoked in
  process so that its notice that `dg dev` supersedes `dagster dev` can be filtered.
"""

from __future__ import annotations

import inspect

import dagster_dbt.core.resource as dagster_dbt_resource
from dagster._core.definitions.reconstruct import ReconstructableRepository
from dagster._core.execution.api import execute_run
from dagster._core.remote_origin import (
    ManagedGrpcPythonEnvCodeLocationOrigin,
    RemoteJobOrigin,
    RemoteRepositoryOrigin,
)
from dagster._core.storage.event_log.sqlite.sqlite_event_log import (
    SQLITE_BUSY_TIMEOUT_SECONDS,
    SqliteEventLogStorage,
)
from dagster._core.storage.runs import SqliteRunStorage
from dagster._core.storage.schedules import SqliteScheduleStorage
from dagster._core.storage.sqlite_storage import (
    DagsterSqliteStorage,
    _event_logs_directory,
    _runs_directory,
    _schedule_directory,
)
from dagster._core.types.loadable_target_origin import LoadableTargetOrigin
from dagster_dbt import DbtCliInvocation, DbtCliResource

__all__ = [
    "SQLITE_BUSY_TIMEOUT_SECONDS",
    "DagsterSqliteStorage",
    "LoadableTargetOrigin",
    "ManagedGrpcPythonEnvCodeLocationOrigin",
    "ReconstructableRepository",
    "RemoteJobOrigin",
    "RemoteRepositoryOrigin",
    "SqliteEventLogStorage",
    "SqliteRunStorage",
    "SqliteScheduleStorage",
    "check_private_api",
    "dagster_cli",
    "dagster_dbt_resource",
    "event_logs_directory",
    "execute_run",
    "runs_directory",
    "schedule_directory",
]


def dagster_cli(args: list[str]) -> None:
    """Run the `dagster` command with ``args`` in this process (imported when asked: 0.2 s)."""
    from dagster._cli import ENV_PREFIX, cli

    cli.main(args=args, prog_name="dagster", auto_envvar_prefix=ENV_PREFIX)


event_logs_directory, runs_directory, schedule_directory = _event_logs_directory, _runs_directory, _schedule_directory

# What the overrides above rely on: (object, attribute) that must exist.
_ATTRIBUTES = [
    (SqliteEventLogStorage, "_connect"),
    (SqliteEventLogStorage, "_initdb"),
    (SqliteEventLogStorage, "conn_string_for_shard"),
    (SqliteEventLogStorage, "wipe"),
    (SqliteEventLogStorage, "upgrade"),
    (SqliteEventLogStorage, "dispose"),
    (DbtCliResource, "_cli_version"),
    (DbtCliResource, "_initialize_dbt_core_adapter"),
    (dagster_dbt_resource, "DbtCliInvocation"),
]
# The parameters our DbtCliInvocation.run override receives, in dagster-dbt's order.
_INVOCATION_RUN_PARAMETERS = [
    "args",
    "env",
    "manifest",
    "dagster_dbt_translator",
    "project_dir",
    "target_path",
    "raise_on_error",
    "context",
    "adapter",
    "cli_version",
    "dbt_project",
]
# Instance attributes Dagster's SQLite event log sets in __init__ and our _connect uses.
_EVENT_LOG_STATE = ("_db_lock", "_initialized_dbs")


def check_private_api() -> list[str]:
    """What no longer holds, one line each naming this module (empty when all is as pinned)."""
    problems = []
    try:
        from dagster._cli import ENV_PREFIX, cli  # noqa: F401
    except ImportError as error:
        problems.append(f"dagster._cli has no click group `cli` or ENV_PREFIX ({error})")
    for owner, name in _ATTRIBUTES:
        if not hasattr(owner, name):
            problems.append(f"{getattr(owner, '__name__', owner)} has no {name!r}")
    parameters = list(inspect.signature(DbtCliInvocation.run).parameters)
    if parameters != _INVOCATION_RUN_PARAMETERS:
        problems.append(f"DbtCliInvocation.run takes {parameters}, expected {_INVOCATION_RUN_PARAMETERS}")
    source = inspect.getsource(SqliteEventLogStorage.__init__)
    problems += [
        f"SqliteEventLogStorage.__init__ no longer sets {state}"
        for state in _EVENT_LOG_STATE
        if f"self.{state}" not in source
    ]
    return [
        f"orchestration/private_api.py: {problem} (an upgrade changed a private API this project "
        "relies on: see the module's docstring)"
        for problem in problems
    ]
