"""A local PostgreSQL under ``FSW_HOME/postgres/`` for the embedded default (`fsw serve postgres`).

The server listens on 127.0.0.1 only (no Unix socket, whose path length a deep home could
exceed), with password authentication for every role. Its administrator's password is
generated once and kept in ``postgres/pgpass`` (mode 0600); ``postgres/dsn`` names the server,
the database and that file, never the password, so it can be shown and logged.

Binaries: the system's PostgreSQL first (``FSW_PG_BIN``, then ``initdb`` on PATH, then Debian's
``/usr/lib/postgresql/<major>/bin``), else those of the PyPI package ``pgserver`` (its wheel
ships PostgreSQL 16; only its binaries are used, not its server management, which ties the
server to the Python process and, as root, chmods every parent folder). A cluster keeps the
binaries it was created with (``postgres/bin``): another major version cannot open it.

PostgreSQL refuses to run as root. As root, ``initdb`` and ``postgres`` run in a user namespace
(``unshare --user``) where the process is ``nobody`` and the home's files, still owned by root,
appear as its own: no system user is created and no permission outside the home is changed.
"""

from __future__ import annotations

import importlib.util
import os
import re
import secrets
import shutil
import signal
import socket
import subprocess
import time
from dataclasses import dataclass
from pathlib import Path

from ingestion.errors import InputError
from orchestration.config import Settings

ADMIN_USER = "fsw_admin"
DATABASE = "warehouse"
START_TIMEOUT_S = 30.0
STOP_TIMEOUT_S = 30.0
NOBODY = 65534
# A serving copy rebuilt from serving/warehouse.duckdb at each publish: no replication, so
# minimal WAL (a table created and filled in one transaction writes none), fewer checkpoints.
SERVER_SETTINGS = (
    "wal_level=minimal",
    "max_wal_senders=0",
    "max_wal_size=4GB",
    "checkpoint_timeout=30min",
    "shared_buffers=256MB",
    "maintenance_work_mem=256MB",
)


@dataclass(frozen=True)
class LocalServer:
    """Files of the local server of a home."""

    root: Path

    @property
    def data(self) -> Path:
        return self.root / "data"

    @property
    def dsn_file(self) -> Path:
        return self.root / "dsn"

    @property
    def passfile(self) -> Path:
        return self.root / "pgpass"

    @property
    def log(self) -> Path:
        return self.root / "server.log"

    @property
    def bin_record(self) -> Path:
        return self.root / "bin"


def local_server(settings: Settings) -> LocalServer:
    """The local server's files for ``settings``' home."""
    return LocalServer(settings.home / "postgres")


def find_binaries() -> tuple[Path, str]:
    """The folder holding ``initdb`` and ``postgres``, and where it comes from (for the user)."""
    candidates: list[tuple[Path, str]] = []
    if os.environ.get("FSW_PG_BIN"):
        candidates.append((Path(os.environ["FSW_PG_BIN"]), "FSW_PG_BIN"))
    on_path = shutil.which("initdb")
    if on_path:
        candidates.append((Path(on_path).resolve().parent, "system (PATH)"))
    debian = sorted(Path("/usr/lib/postgresql").glob("*/bin"), key=lambda p: _major(p.parent.name), reverse=True)
    candidates += [(folder, "system (Debian)") for folder in debian]
    spec = importlib.util.find_spec("pgserver")  # found, not imported: importing it has side effects
    if spec is not None and spec.submodule_search_locations:
        candidates.append((Path(next(iter(spec.submodule_search_locations))) / "pginstall" / "bin", "pgserver (PyPI)"))
    for folder, origin in candidates:
        if (folder / "initdb").is_file() and (folder / "postgres").is_file():
            return folder, origin
    raise InputError(
        "no PostgreSQL binaries: install Debian's postgresql package or `pip install pgserver`, "
        "or set FSW_PG_BIN, or point FSW_POSTGRES_DSN at a server"
    )


def _major(text: str) -> int:
    match = re.match(r"\d+", text)
    return int(match.group()) if match else 0


def _as_server_user(command: list[str]) -> list[str]:
    """``command`` as a user PostgreSQL accepts: itself, or ``nobody`` in a user namespace as root."""
    if os.geteuid() != 0:
        return command
    unshare = shutil.which("unshare")
    if unshare is None:
        raise InputError("PostgreSQL cannot run as root and `unshare` is missing: run fsw as another user")
    return [unshare, "--user", f"--map-user={NOBODY}", f"--map-group={NOBODY}", *command]


def _free_port(preferred: int | None) -> int:
    """``preferred`` if nothing listens there (BI connection strings stay valid), else a free port."""
    for port in ([preferred] if preferred else []) + [0]:
        with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as probe:
            probe.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)  # as PostgreSQL binds
            try:
                probe.bind(("127.0.0.1", port))
            except OSError:
                continue
            return probe.getsockname()[1]
    raise InputError("no free TCP port on 127.0.0.1 for PostgreSQL")


def _running_pid(server: LocalServer) -> int | None:
    """The postmaster's pid when it is alive, from ``postmaster.pid``."""
    try:
        pid = int((server.data / "postmaster.pid").read_text(encoding="utf-8").split("\n", 1)[0])
    except (OSError, ValueError):
        return None
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return None
    except PermissionError:
        pass
    return pid


def read_dsn_port(dsn: str) -> int | None:
    """The ``port=`` of a key/value DSN."""
    match = re.search(r"\bport=(\d+)", dsn)
    return int(match.group(1)) if match else None


def _initdb(server: LocalServer, binaries: Path) -> None:
    server.root.mkdir(parents=True, exist_ok=True)
    password = secrets.token_urlsafe(24)
    pwfile = server.root / ".initdb-password"
    pwfile.write_text(password + "\n", encoding="utf-8")
    pwfile.chmod(0o600)
    try:
        result = subprocess.run(
            _as_server_user(
                [
                    str(binaries / "initdb"),
                    "-D",
                    str(server.data),
                    "-U",
                    ADMIN_USER,
                    "--auth=scram-sha-256",
                    f"--pwfile={pwfile}",
                    "-E",
                    "UTF8",
                    "--locale=C.UTF-8",
                ]
            ),
            capture_output=True,
            text=True,
            cwd=server.root,
        )
    finally:
        pwfile.unlink(missing_ok=True)
    if result.returncode != 0:
        shutil.rmtree(server.data, ignore_errors=True)
        last = (result.stderr.strip().splitlines() or ["initdb failed"])[-1]
        raise InputError(f"initdb failed: {last}", file=server.data)
    server.passfile.write_text(f"127.0.0.1:*:*:{ADMIN_USER}:{password}\n", encoding="utf-8")
    server.passfile.chmod(0o600)
    server.bin_record.write_text(str(binaries) + "\n", encoding="utf-8")


def _dsn(server: LocalServer, port: int, database: str = DATABASE) -> str:
    return f"host=127.0.0.1 port={port} dbname={database} user={ADMIN_USER} passfile={server.passfile}"


def start_local_server(settings: Settings) -> tuple[str, str]:
    """Start (creating it on first use) the home's server; its DSN and a line saying what happened."""
    import psycopg

    server = local_server(settings)
    if (server.data / "PG_VERSION").exists() and server.bin_record.exists():
        binaries, origin = Path(server.bin_record.read_text(encoding="utf-8").strip()), "as created"
    else:
        binaries, origin = find_binaries()
    created = not (server.data / "PG_VERSION").exists()
    if created:
        _initdb(server, binaries)
    previous = read_dsn_port(server.dsn_file.read_text(encoding="utf-8")) if server.dsn_file.exists() else None
    if _running_pid(server) is not None and previous:
        dsn = _dsn(server, previous)
        _wait_ready(dsn.replace(f"dbname={DATABASE}", "dbname=postgres"), server)
        return dsn, f"PostgreSQL already running on 127.0.0.1:{previous}"
    port = _free_port(previous)
    with open(server.log, "ab") as log:
        subprocess.Popen(
            _as_server_user(
                [
                    str(binaries / "postgres"),
                    "-D",
                    str(server.data),
                    "-p",
                    str(port),
                    "-c",
                    "listen_addresses=127.0.0.1",
                    "-c",
                    "unix_socket_directories=",
                    *(arg for setting in SERVER_SETTINGS for arg in ("-c", setting)),
                ]
            ),
            stdout=log,
            stderr=log,
            stdin=subprocess.DEVNULL,
            cwd=server.root,
            start_new_session=True,  # outlives this command
        )
    _wait_ready(_dsn(server, port, "postgres"), server)
    with psycopg.connect(_dsn(server, port, "postgres"), autocommit=True) as con:
        if con.execute("select 1 from pg_database where datname = %s", [DATABASE]).fetchone() is None:
            con.execute(f"create database {DATABASE}")  # a constant name: no user input
    dsn = _dsn(server, port)
    _atomic_write(server.dsn_file, dsn + "\n")
    version = (server.data / "PG_VERSION").read_text(encoding="utf-8").strip()
    made = "created and started" if created else "started"
    return dsn, f"PostgreSQL {version} {made} on 127.0.0.1:{port} (binaries: {origin}, {binaries})"


def _wait_ready(dsn: str, server: LocalServer) -> None:
    import psycopg

    deadline = time.monotonic() + START_TIMEOUT_S
    while True:
        try:
            with psycopg.connect(dsn, connect_timeout=2):
                return
        except psycopg.OperationalError as error:
            if time.monotonic() > deadline:
                raise InputError(
                    f"PostgreSQL did not start: {str(error).strip().splitlines()[-1]}", file=server.log
                ) from None
            time.sleep(0.2)


def stop_local_server(settings: Settings) -> str:
    """Stop the home's server (fast shutdown: open sessions are ended); a line saying what happened."""
    server = local_server(settings)
    pid = _running_pid(server)
    if pid is None:
        return "PostgreSQL was not running"
    os.kill(pid, signal.SIGINT)
    deadline = time.monotonic() + STOP_TIMEOUT_S
    while _running_pid(server) is not None:
        if time.monotonic() > deadline:
            raise InputError(f"PostgreSQL (pid {pid}) did not stop within {STOP_TIMEOUT_S:.0f} s", file=server.log)
        time.sleep(0.1)
    return f"PostgreSQL stopped (pid {pid})"


def local_server_state(settings: Settings) -> str | None:
    """``running on 127.0.0.1:PORT`` / ``stopped``, or None when the home has no local server."""
    server = local_server(settings)
    if not (server.data / "PG_VERSION").exists():
        return None
    if _running_pid(server) is None:
        return "stopped"
    port = read_dsn_port(server.dsn_file.read_text(encoding="utf-8")) if server.dsn_file.exists() else None
    return f"running on 127.0.0.1:{port}"


def _atomic_write(path: Path, text: str) -> None:
    partial = path.with_name(f".{path.name}.tmp")
    partial.write_text(text, encoding="utf-8")
    os.replace(partial, path)
