"""Start the real services the tests need (PostgreSQL, Redis) when they are down.

These machines run PostgreSQL at 127.0.0.1:5432 (trust auth) and Redis at 127.0.0.1:6379 as
system services; after a reboot they may be stopped, so the harness starts them the same way
the machine does. A service that still cannot be reached fails the run: it is never skipped.
"""

from __future__ import annotations

import glob
import os
import shutil
import socket
import subprocess
import time


def port_open(host: str, port: int) -> bool:
    with socket.socket() as sock:
        sock.settimeout(0.5)
        return sock.connect_ex((host, port)) == 0


def _wait(port: int, seconds: float = 20.0) -> bool:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if port_open("127.0.0.1", port):
            return True
        time.sleep(0.2)
    return False


def ensure_postgres() -> None:
    if port_open("127.0.0.1", 5432):
        return
    versions = sorted(os.path.basename(p) for p in glob.glob("/etc/postgresql/*"))
    if not versions or not shutil.which("pg_ctlcluster"):
        raise RuntimeError("PostgreSQL is not installed and not running on 127.0.0.1:5432")
    subprocess.run(
        ["pg_ctlcluster", "--skip-systemctl-redirect", versions[-1], "main", "start"],
        check=False,
        capture_output=True,
    )
    if not _wait(5432):
        raise RuntimeError("PostgreSQL did not start on 127.0.0.1:5432")


def ensure_redis() -> None:
    if port_open("127.0.0.1", 6379):
        return
    if not shutil.which("redis-server"):
        raise RuntimeError("Redis is not installed and not running on 127.0.0.1:6379")
    subprocess.run(
        [
            "redis-server",
            "--daemonize",
            "yes",
            "--bind",
            "127.0.0.1",
            "--port",
            "6379",
            "--save",
            "",
            "--appendonly",
            "no",
        ],
        check=False,
        capture_output=True,
    )
    if not _wait(6379):
        raise RuntimeError("Redis did not start on 127.0.0.1:6379")
