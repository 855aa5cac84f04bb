"""The Dagster instance's storage: Dagster's SQLite storage, with the event log's connections kept open.

Dagster's SQLite event log opens a new engine and connection for every event it writes and
closes them after (about 6 ms each): a CLI run writes a few hundred events (one per planned and
materialised asset, per check, per step), so a first `fsw run` spent about 3 s there. Here each
shard's engine is created once and its connection pooled; every event is still its own
committed transaction, in the same files, so the Dagster UI and daemon read them as before.
"""

from __future__ import annotations

import threading
from collections import OrderedDict
from collections.abc import Iterator
from contextlib import contextmanager

from sqlalchemy import create_engine
from sqlalchemy.engine import Connection, Engine

from orchestration.private_api import (
    SQLITE_BUSY_TIMEOUT_SECONDS,
    DagsterSqliteStorage,
    SqliteEventLogStorage,
    SqliteRunStorage,
    SqliteScheduleStorage,
    event_logs_directory,
    runs_directory,
    schedule_directory,
)

# Shards are one file per run plus the index: a long-lived process (the UI) reads many runs, so
# only the most recent shards keep an open engine.
OPEN_SHARDS = 8


class PooledSqliteEventLogStorage(SqliteEventLogStorage):
    """Dagster's run-sharded SQLite event log, with one open engine per recently used shard."""

    def __init__(self, base_dir: str, inst_data=None):
        self._engines: OrderedDict[str, Engine] = OrderedDict()
        self._engines_lock = threading.Lock()
        super().__init__(base_dir, inst_data=inst_data)

    @classmethod
    def from_config_value(cls, inst_data, config_value):
        return cls(inst_data=inst_data, **config_value)

    def _engine(self, shard: str) -> Engine:
        with self._engines_lock:
            engine = self._engines.pop(shard, None)
            if engine is None:
                engine = create_engine(
                    self.conn_string_for_shard(shard), connect_args={"timeout": SQLITE_BUSY_TIMEOUT_SECONDS}
                )
            self._engines[shard] = engine
            while len(self._engines) > OPEN_SHARDS:
                _, oldest = self._engines.popitem(last=False)
                oldest.dispose()
            return engine

    def _dispose_engines(self) -> None:
        with self._engines_lock:
            while self._engines:
                self._engines.popitem()[1].dispose()

    @contextmanager
    def _connect(self, shard: str) -> Iterator[Connection]:
        with self._db_lock:
            engine = self._engine(shard)
            if shard not in self._initialized_dbs:
                self._initdb(engine)
                self._initialized_dbs.add(shard)
            with engine.connect() as conn:
                with conn.begin():
                    yield conn

    def wipe(self) -> None:
        # wipe deletes the run shards' files: no connection may outlive them.
        self._dispose_engines()
        super().wipe()
        self._dispose_engines()

    def upgrade(self) -> None:
        super().upgrade()
        self._dispose_engines()

    def dispose(self) -> None:
        super().dispose()
        self._dispose_engines()


class FswSqliteStorage(DagsterSqliteStorage):
    """Dagster's default SQLite storage under ``base_dir`` (same files), with the pooled event log."""

    def __init__(self, base_dir: str, inst_data=None):
        self.base_dir = base_dir
        self._run_storage = SqliteRunStorage.from_local(runs_directory(base_dir))
        self._event_log_storage = PooledSqliteEventLogStorage(event_logs_directory(base_dir))
        self._schedule_storage = SqliteScheduleStorage.from_local(schedule_directory(base_dir))
        self._inst_data = inst_data
        super(DagsterSqliteStorage, self).__init__()

    @classmethod
    def from_config_value(cls, inst_data, config_value):
        return cls.from_local(inst_data=inst_data, **config_value)
