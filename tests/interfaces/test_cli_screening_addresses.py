"""The address-screening CLI contract in a fresh process: columns, stdin/stdout, bad records."""

from __future__ import annotations

import csv
import io
import os
import subprocess
import sys
from pathlib import Path

import pytest

CLI = str(Path(sys.executable).parent / "cthub")
FIXTURES = Path(__file__).resolve().parents[1] / "fixtures" / "ownership" / "addresses"
HEADER = "address,chain,list,list_ref,holder,program"


def _run(cwd: Path, *args: str, stdin: str | None = None) -> subprocess.CompletedProcess[str]:
    env = {
        **{k: v for k, v in os.environ.items() if not k.startswith("CTHUB_")},
        "CTHUB_DATA_DIR": str(cwd),
        "CTHUB_MODE": "demo",
        "COLUMNS": "80",
    }
    return subprocess.run(
        [CLI, *args], cwd=cwd, env=env, input=stdin, capture_output=True, text=True, timeout=120
    )


@pytest.fixture(scope="module")
def workdir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    path = tmp_path_factory.mktemp("addresses")
    done = _run(path, "lists", "load", "ofac-xml", str(FIXTURES / "sdn-crypto-sample.xml"))
    assert done.returncode == 0, done.stderr
    return path


def _screen(cwd: Path, rows: str, *extra: str) -> subprocess.CompletedProcess[str]:
    return _run(cwd, "screening", "addresses", "--input", "-", "--output", "-", *extra, stdin=rows)


def test_contract(workdir: Path) -> None:
    rows = (
        "id,address,chain\n"
        "a,12QtD5BFwRsdNsAZY76UVE1xyCGNTojH9h,XBT\n"
        "b,0X9F4CDA013E354B8FC285BF4B9A60460CEE7F7EA9,ETH\n"
        "c,1BpEi6DfDAUFd7GtittLSdBeYJvcoaVggu,XBT\n"
    )
    done = _screen(workdir, rows)
    assert done.returncode == 0, done.stderr
    assert done.stdout.splitlines()[0] == HEADER
    out = list(csv.DictReader(io.StringIO(done.stdout)))
    assert out == [
        {
            "address": "12QtD5BFwRsdNsAZY76UVE1xyCGNTojH9h",
            "chain": "XBT",
            "list": "ofac-xml",
            "list_ref": "25308",
            "holder": "Xiaobing YAN",
            "program": "SDNTK",
        },
        {
            "address": "0X9F4CDA013E354B8FC285BF4B9A60460CEE7F7EA9",
            "chain": "ETH",
            "list": "ofac-xml",
            "list_ref": "31212",
            "holder": "SOUTHFRONT",
            "program": "NPWMD; CYBER2; ELECTION-EO13848",
        },
    ]
    assert "3 addresses screened, 2 hits, 0 with problems" in done.stderr


def test_files_and_address_lists(workdir: Path) -> None:
    (workdir / "in.csv").write_text(
        "address\nTUCsTq7TofTCJRRoHk6RvhMoS2mJLm5Yzq\n0x8576ACC5C05D6CE88F4E49BF65BDF0C62F91353C\n",
        encoding="utf-8",
    )
    done = _run(
        workdir,
        "screening",
        "addresses",
        "--input",
        "in.csv",
        "--output",
        "out.csv",
        "--address-list",
        str(FIXTURES / "ofac-addresses-2025-11"),
        "--address-list",
        str(FIXTURES / "ofac-csv"),
    )
    assert done.returncode == 0, done.stderr
    out = list(csv.DictReader(io.StringIO((workdir / "out.csv").read_text())))
    assert [(r["chain"], r["list_ref"]) for r in out] == [("TRX", ""), ("ETH", "29703")]
    assert "label_mismatch 1" in done.stderr  # the list's own error, reported


def test_bad_records_reported_per_line(workdir: Path) -> None:
    rows = (
        "address,chain\n"
        "12QtD5BFwRsdNsAZY76UVE1xyCGNTojH9i,XBT\n"
        "12QtD5BFwRsdNsAZY76UVE1xyCGNTojH9h,DOGEZ\n"
        "TUCsTq7TofTCJRRoHk6RvhMoS2mJLm5Yzq,XBT\n"
        f"{'x' * 10_000},\n"
        "12QtD5BFwRsdNsAZY76UVE1xyC\x00GNTojH9h,\n"
        "0xD882cFc20F52f2599D84b8e8D58C7FB62cfE344b,ETH\n"  # EIP-55 wants d882
        ",\n"
        "12QtD5BFwRsdNsAZY76UVE1xyCGNTojH9h,XBT\n"
    )
    done = _screen(workdir, rows)
    assert done.returncode == 0, done.stderr
    err = done.stderr.splitlines()
    assert any(line.startswith('stdin line 2: address "12QtD5BF') and "bad checksum" in line
               for line in err)  # fmt: skip
    assert any(line.startswith("stdin line 3:") and "unknown chain DOGEZ" in line for line in err)
    assert any(line.startswith("stdin line 4:") and "declared XBT" in line for line in err)
    assert any(line.startswith("stdin line 5:") and "10000 characters" in line for line in err)
    assert any(line.startswith("stdin line 6:") and "U+0000" in line for line in err)
    assert any(line.startswith("stdin line 7:") and "EIP-55" in line for line in err)
    assert any(line.startswith("stdin line 8:") and "is empty" in line for line in err)
    assert "\x00" not in done.stderr
    assert all(len(line) < 400 for line in err)
    out = list(csv.DictReader(io.StringIO(done.stdout)))
    # the unknown-chain and EIP-55 rows are still looked up, as is the valid last one; OFAC
    # lists the EVM address twice (ETH and ETC), so it has a row for each
    assert [(r["list_ref"], r["chain"]) for r in out] == [
        ("25308", "XBT"),
        ("29585", "ETC"),
        ("29585", "ETH"),
        ("25308", "XBT"),
    ]
    assert "8 addresses screened, 4 hits, 7 with problems" in done.stderr


def test_missing_column_is_named(workdir: Path) -> None:
    done = _screen(workdir, "wallet,chain\n1,XBT\n")
    assert done.returncode == 2
    assert "stdin line 1: column address is missing (found: wallet, chain)" in done.stderr


def test_no_address_listed(tmp_path: Path) -> None:
    done = _screen(tmp_path, "address\n12QtD5BFwRsdNsAZY76UVE1xyCGNTojH9h\n")
    assert done.returncode == 1
    assert "No crypto-asset address is listed" in done.stderr


def test_address_report(workdir: Path) -> None:
    done = _run(workdir, "screening", "address-report", "--format", "csv")
    assert done.returncode == 0, done.stderr
    rows = list(csv.DictReader(io.StringIO(done.stdout)))
    assert sorted(r["list_ref"] for r in rows) == ["29585", "29702"]
    assert "28 listed addresses" in done.stderr
