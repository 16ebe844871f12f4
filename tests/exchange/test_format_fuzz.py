"""Fuzzing every importer: whatever bytes arrive, the only failure is ``InvalidInput``.

Three kinds of input per registered format, and for ``safe_unzip``: random bytes, random
JSON documents, and valid samples mutated at one point (a key dropped, a value replaced by
random JSON, a list emptied or a string changed). A result must be a ``Parsed`` (its problems
listing what was skipped); any exception other than ``InvalidInput`` fails the test.
"""

from __future__ import annotations

import io
import zipfile
from typing import Any

import orjson
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from cthub.core.errors import InvalidInput
from cthub.exchange.formats import Limits, Parsed, registry, safe_unzip

FORMATS = registry.names()
FUZZ = settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
LIMITS = Limits(max_bytes=200_000, max_objects=500)

_scalars = (
    st.none()
    | st.booleans()
    | st.integers(-(2**63), 2**63 - 1)
    | st.floats(allow_nan=False)
    | st.text(max_size=30)
)
_stixish = st.sampled_from(
    [
        "indicator",
        "bundle",
        "report",
        "identity",
        "tlp:amber",
        "2.1",
        "marking-definition",
        "2024-01-01T00:00:00Z",
        "[ipv4-addr:value = '1.2.3.4']",
        "Person",
        "ip-dst",
    ]
)
json_values = st.recursive(
    _scalars | _stixish,
    lambda inner: (
        st.lists(inner, max_size=4)
        | st.dictionaries(st.text(max_size=12) | _stixish, inner, max_size=5)
    ),
    max_leaves=25,
)


def _survives(name: str, data: bytes) -> None:
    try:
        result = registry.get(name).parse(data, source="fuzz", limits=LIMITS)
    except InvalidInput as exc:
        message = exc.render()
        assert message, "a refusal says why"
        return
    assert isinstance(result, Parsed)
    for problem in result.problems:
        assert problem.render()


def _paths(value: Any, path: tuple[Any, ...] = ()) -> list[tuple[Any, ...]]:
    found = [path]
    if isinstance(value, dict):
        for key, item in value.items():
            found += _paths(item, (*path, key))
    elif isinstance(value, list):
        for index, item in enumerate(value):
            found += _paths(item, (*path, index))
    return found


def _mutate(doc: Any, path: tuple[Any, ...], action: int, replacement: Any) -> Any:
    if not path:
        return replacement
    parent = doc
    for step in path[:-1]:
        parent = parent[step]
    last = path[-1]
    if action == 0 and isinstance(parent, dict):
        del parent[last]
    elif action == 1 and isinstance(parent[last], str):
        parent[last] = parent[last][::-1] + "'"
    elif action == 2 and isinstance(parent[last], list):
        parent[last] = []
    else:
        parent[last] = replacement
    return doc


def _documents(name: str) -> list[bytes]:
    fmt = registry.get(name)
    examples = fmt.examples()
    rendered = fmt.render(examples.objects, tlp=examples.tlp, producer="fuzz")
    documents = [rendered, *(s for s, _ in examples.samples)]
    if name == "ftm":  # keep the lines that are entities; the fuzzer breaks them itself
        documents = [b"\n".join(x for x in d.splitlines() if x.startswith(b"{")) for d in documents]
    return documents


@pytest.mark.parametrize("name", FORMATS)
@FUZZ
@given(data=st.binary(max_size=400))
def test_random_bytes(name: str, data: bytes) -> None:
    _survives(name, data)


@pytest.mark.parametrize("name", FORMATS)
@FUZZ
@given(value=json_values)
def test_random_json(name: str, value: Any) -> None:
    _survives(name, orjson.dumps(value))
    _survives(
        name,
        orjson.dumps(
            {
                "type": "bundle",
                "id": "bundle--5f0e2c1a-9b8d-4c7e-a6f5-e4d3c2b1a090",
                "objects": [value],
            }
        ),
    )
    _survives(
        name,
        orjson.dumps(
            {"Event": value if isinstance(value, dict) else {"info": "x", "Attribute": [value]}}
        ),
    )


@pytest.mark.parametrize("name", FORMATS)
@FUZZ
@given(choice=st.data(), action=st.integers(0, 3), replacement=json_values)
def test_mutated_samples(name: str, choice: st.DataObject, action: int, replacement: Any) -> None:
    documents = _documents(name)
    raw = choice.draw(st.sampled_from(documents))
    if name == "ftm":  # JSON lines: mutate one line
        lines = raw.splitlines()
        index = choice.draw(st.integers(0, len(lines) - 1))
        line = orjson.loads(lines[index])
        path = choice.draw(st.sampled_from(_paths(line)))
        lines[index] = orjson.dumps(_mutate(line, path, action, replacement))
        _survives(name, b"\n".join(lines))
        return
    doc = orjson.loads(raw)
    path = choice.draw(st.sampled_from(_paths(doc)))
    _survives(name, orjson.dumps(_mutate(doc, path, action, replacement)))


def _zip(members: dict[str, bytes]) -> bytes:
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as archive:
        for member, data in members.items():
            archive.writestr(member, data)
    return out.getvalue()


@FUZZ
@given(
    members=st.dictionaries(st.text(min_size=1, max_size=20), st.binary(max_size=200), max_size=4),
    cut=st.integers(0, 400),
    flip=st.integers(0, 400),
)
def test_safe_unzip_only_refuses(members: dict[str, bytes], cut: int, flip: int) -> None:
    try:
        data = bytearray(_zip(members))
    except (ValueError, IndexError, UnicodeEncodeError):
        return  # zipfile itself will not write that name
    if data and flip < len(data):
        data[flip] ^= 0xFF
    for candidate in (bytes(data), bytes(data[:cut])):
        try:
            result = safe_unzip(candidate, max_total=100_000, max_files=10)
        except InvalidInput as exc:
            message = exc.render()
            assert message, "a refusal says why"
            continue
        assert all(m.name and ".." not in m.name.split("/") for m in result)
