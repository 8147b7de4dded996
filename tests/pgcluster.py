"""A throwaway PostgreSQL 15 cluster on loopback for the shared-gradebook tests."""
from __future__ import annotations

import contextlib
import os
import shutil
import socket
import subprocess
import tempfile
from pathlib import Path
from typing import Iterator

BIN = Path("/usr/lib/postgresql/15/bin")


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _as_postgres(cmd: list[str]) -> list[str]:
    # initdb and postgres refuse to run as root: run them as the postgres system user.
    return ["runuser", "-u", "postgres", "--", *cmd] if os.geteuid() == 0 else cmd


@contextlib.contextmanager
def postgres_cluster() -> Iterator[str]:
    """Start a fresh cluster on 127.0.0.1 with a database ``gradebook``; yield its SQLAlchemy URL."""
    base = Path(tempfile.mkdtemp(prefix="mlpapers-pg-"))
    os.chmod(base, 0o755)
    data, sock = base / "data", base / "sock"
    sock.mkdir()
    if os.geteuid() == 0:
        shutil.chown(base, "postgres")
        shutil.chown(sock, "postgres")
    port = _free_port()
    run = lambda cmd: subprocess.run(_as_postgres(cmd), check=True, capture_output=True, text=True)  # noqa: E731
    try:
        run([str(BIN / "initdb"), "-D", str(data), "-A", "trust", "-U", "postgres", "--no-sync"])
        run([str(BIN / "pg_ctl"), "-D", str(data), "-w", "-l", str(base / "log"), "-o",
             f"-c listen_addresses=127.0.0.1 -p {port} -k {sock} -c fsync=off", "start"])
        run([str(BIN / "createdb"), "-h", "127.0.0.1", "-p", str(port), "-U", "postgres", "gradebook"])
        yield f"postgresql+psycopg2://postgres@127.0.0.1:{port}/gradebook"
    finally:
        subprocess.run(_as_postgres([str(BIN / "pg_ctl"), "-D", str(data), "-m", "immediate", "stop"]),
                       capture_output=True)
        shutil.rmtree(base, ignore_errors=True)
