"""Two real cthub nodes on loopback, for sync, notice and onward-sharing tests and the bench.

Each node has its own data directory, its own SQLite database (copied from the migrated
template, or migrated here), one organisation with an admin, and its organisation's Ed25519
key. A node serves the same ``create_app`` as ``cthub serve`` with uvicorn, in a thread of this
process (tests: fast, the test reads the node's database directly) or in a subprocess (the
bench: the serving node does not share the measuring process's interpreter). ``pair`` registers
each node as the other's partner, by its URL and public key, with the service functions.
"""

from __future__ import annotations

import os
import shutil
import socket
import subprocess
import sys
import threading
import time
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path

import httpx
import pytest
import uvicorn

from cthub.core import migrate
from cthub.core.config import Settings
from cthub.core.db import Database
from cthub.core.hub import Hub
from cthub.exchange import identity, partners
from cthub.interfaces.api import create_app
from tests.factories import Member, member, org

SECRET = "test-secret-key-that-is-long-enough-0123456789"


@dataclass
class Node:
    name: str
    root: Path
    hub: Hub
    org: str
    admin: Member
    analyst: Member
    port: int
    sock: socket.socket | None = None
    server: uvicorn.Server | None = None
    thread: threading.Thread | None = None
    process: subprocess.Popen[bytes] | None = None
    extra: dict[str, object] = field(default_factory=dict)

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    @property
    def org_id(self) -> int:
        assert self.admin.actor.org_id is not None
        return self.admin.actor.org_id

    @property
    def key_id(self) -> str:
        return identity.org_key_id(self.hub.settings, self.org_id)

    @property
    def public_key(self) -> str:
        return identity.org_public_key(self.hub.settings, self.org_id)


def settings_for(root: Path) -> Settings:
    url = f"sqlite:///{root / 'cthub.db'}"
    return Settings(mode="development", data_dir=root, database_url=url, secret_key=SECRET)


def make_node(base: Path, name: str, template: Path | None = None) -> Node:
    """A node's database, organisation, admin, analyst and key; bound to a free port."""
    root = base / name
    root.mkdir(parents=True)
    settings = settings_for(root)
    if template is not None:
        shutil.copy(template, root / "cthub.db")
    db = Database(settings.effective_database_url)
    if template is None:
        migrate.upgrade(db)
    hub = Hub(settings, db)
    org_name = org(hub, f"{name} FIU")
    admin = member(hub, "admin", org_name, username=f"{name}-admin")
    analyst = member(hub, "analyst", org_name, username=f"{name}-analyst")
    sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    sock.bind(("127.0.0.1", 0))
    node = Node(name, root, hub, org_name, admin, analyst, sock.getsockname()[1], sock)
    _ = node.public_key  # make the organisation key before the server looks for it
    return node


def start_thread(node: Node) -> None:
    """Serve ``node`` with uvicorn in a daemon thread of this process."""
    assert node.sock is not None
    config = uvicorn.Config(create_app(hub=node.hub), log_level="warning", lifespan="on")
    node.server = uvicorn.Server(config)
    node.thread = threading.Thread(
        target=node.server.run, kwargs={"sockets": [node.sock]}, daemon=True
    )
    node.thread.start()
    _wait(node)


def start_process(node: Node) -> None:
    """Serve ``node`` with uvicorn in a subprocess (same settings, through the environment)."""
    assert node.sock is not None
    node.sock.close()
    node.sock = None
    env = {**os.environ, "CTHUB_MODE": "development", "CTHUB_DATA_DIR": str(node.root),
           "CTHUB_DATABASE_URL": node.hub.settings.effective_database_url,
           "CTHUB_SECRET_KEY": SECRET}  # fmt: skip
    code = (
        "import uvicorn; from cthub.interfaces.api import create_app; "
        f"uvicorn.run(create_app(), host='127.0.0.1', port={node.port}, log_level='warning')"
    )
    node.process = subprocess.Popen([sys.executable, "-c", code], env=env)
    _wait(node)


def _wait(node: Node, timeout_s: float = 30.0) -> None:
    deadline = time.monotonic() + timeout_s
    while time.monotonic() < deadline:
        try:
            if httpx.get(node.url + "/healthz", timeout=1.0).status_code < 500:
                return
        except httpx.HTTPError:
            time.sleep(0.05)
    raise RuntimeError(f"node {node.name} did not start on {node.url}")


def stop(node: Node) -> None:
    if node.server is not None and node.thread is not None:
        node.server.should_exit = True
        node.thread.join(10)
    if node.process is not None:
        node.process.terminate()
        node.process.wait(10)
    node.hub.close()


def pair(a: Node, b: Node, *, a_accepts: str = "TLP:RED", b_accepts: str = "TLP:RED") -> None:
    """Register ``a`` and ``b`` as each other's partner (by URL and public key)."""
    partners.add_partner(a.hub, a.admin.actor, b.name, url=b.url,
                         public_key=b.public_key.encode(), accept_tlp=a_accepts)  # fmt: skip
    partners.add_partner(b.hub, b.admin.actor, a.name, url=a.url,
                         public_key=a.public_key.encode(), accept_tlp=b_accepts)  # fmt: skip


@dataclass
class Pair:
    a: Node
    b: Node


@pytest.fixture(scope="module")
def two_nodes(tmp_path_factory: pytest.TempPathFactory, sqlite_template: Path) -> Iterator[Pair]:
    """Node ``alpha`` (the originator) and node ``beta`` (keeps at most TLP:AMBER from alpha)."""
    base = tmp_path_factory.mktemp("nodes")
    a, b = make_node(base, "alpha", sqlite_template), make_node(base, "beta", sqlite_template)
    pair(a, b, b_accepts="TLP:AMBER")
    start_thread(a)
    start_thread(b)
    try:
        yield Pair(a, b)
    finally:
        stop(a)
        stop(b)


__all__ = ["Node", "Pair", "make_node", "pair", "start_process", "start_thread", "stop",
           "two_nodes"]  # fmt: skip
