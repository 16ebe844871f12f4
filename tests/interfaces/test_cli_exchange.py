"""The exchange CLI contracts in a fresh process: ``partners add``, ``package create`` (prints the
id and nothing else), ``export`` for a partner (STIX and MISP), ``log verify`` and a refusal."""

from __future__ import annotations

import datetime as dt
import json
import os
import re
import subprocess
import sys
import uuid
from pathlib import Path

from cthub.exchange import signing
from tests.exchange.conftest import stix_bundle, stix_objects

CLI = str(Path(sys.executable).parent / "cthub")


def _run(cwd: Path, *args: str) -> subprocess.CompletedProcess[str]:
    env = {
        **{k: v for k, v in os.environ.items() if not k.startswith("CTHUB_")},
        "CTHUB_DATA_DIR": str(cwd),
        "CTHUB_MODE": "demo",
        "COLUMNS": "120",
    }
    return subprocess.run(
        [CLI, *args], cwd=cwd, env=env, capture_output=True, text=True, timeout=120
    )


def test_share_with_a_partner_from_the_command_line(tmp_path: Path) -> None:
    key = signing.generate_key()
    (tmp_path / "fiu-b.pem").write_text(signing.public_key_text(key.verify_key))
    (tmp_path / "feed.json").write_bytes(stix_bundle(8))
    assert _run(tmp_path, "orgs", "create", "FIU Alpha", "--kind", "fiu").returncode == 0
    added = _run(
        tmp_path,
        "exchange",
        "partners",
        "add",
        "fiu-b",
        "--url",
        "http://127.0.0.1:9",
        "--public-key",
        "fiu-b.pem",
    )
    assert added.returncode == 0, added.stderr
    assert signing.key_id(key.verify_key) in added.stdout
    expires = (dt.date.today() + dt.timedelta(days=30)).isoformat()
    made = _run(
        tmp_path,
        "exchange",
        "package",
        "create",
        "--file",
        "feed.json",
        "--tlp",
        "amber",
        "--partners",
        "fiu-b",
        "--purpose",
        "ct-investigation",
        "--expires",
        expires,
        "--legal-basis",
        "MoU 2026 art. 4",
    )
    assert made.returncode == 0, made.stderr
    assert re.fullmatch(r"[0-9a-f-]{36}\n", made.stdout)
    out = _run(
        tmp_path,
        "exchange",
        "export",
        "--partner",
        "fiu-b",
        "--format",
        "stix",
        "--output",
        "out.json",
    )
    assert out.returncode == 0, out.stderr
    bundle = json.loads((tmp_path / "out.json").read_text())
    assert sum(o["type"] != "marking-definition" for o in bundle["objects"]) == 8
    # MISP carries indicators only: the mixed feed is left out by format, named on stderr
    indicators = [o for o in stix_objects(12, seed=3) if o["type"] == "indicator"]
    (tmp_path / "iocs.json").write_text(
        json.dumps({"type": "bundle", "id": f"bundle--{uuid.uuid4()}", "objects": indicators})
    )
    # the contract's exact form: no --legal-basis is accepted, with a warning
    iocs = _run(
        tmp_path,
        "exchange",
        "package",
        "create",
        "--file",
        "iocs.json",
        "--tlp",
        "green",
        "--partners",
        "fiu-b",
        "--purpose",
        "ct-investigation",
        "--expires",
        expires,
    )
    assert iocs.returncode == 0, iocs.stderr
    assert re.fullmatch(r"[0-9a-f-]{36}\n", iocs.stdout)
    assert "no legal basis recorded" in iocs.stderr
    misp = _run(
        tmp_path, "exchange", "export", "--partner", "fiu-b", "--format", "misp", "--output", "-"
    )
    assert misp.returncode == 0, misp.stderr
    events = [e["Event"] for e in json.loads(misp.stdout)["response"]]
    assert len(events) == 1
    assert [t["name"] for t in events[0]["Tag"]] == ["tlp:green"]
    assert len(events[0]["Attribute"]) == len(indicators)
    assert f"refused {made.stdout.strip()}" in misp.stderr
    assert "STIX 2.1" in misp.stderr
    down = _run(tmp_path, "exchange", "sync", "--partner", "fiu-b")  # nobody at 127.0.0.1:9
    assert down.returncode == 3, down.stderr
    assert json.loads(down.stdout)["errors"]
    assert "error:" in down.stderr
    verified = _run(tmp_path, "exchange", "log", "verify")
    assert verified.returncode == 0, verified.stderr
    assert verified.stdout.startswith("OK: 2 tree heads, 2 entries")
    bad = _run(
        tmp_path,
        "exchange",
        "package",
        "create",
        "--file",
        "feed.json",
        "--tlp",
        "purple",
        "--purpose",
        "ct-investigation",
    )
    assert bad.returncode == 2
    assert "purple" in bad.stderr
