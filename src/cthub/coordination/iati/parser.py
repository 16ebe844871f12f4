"""``parse_activities``: an IATI 2.01-2.03 activity file -> valid activities, invalid ones.

The whole document is validated once against the bundled 2.03 schema and each schema error
is given to the activity whose lines contain it, so one bad activity never hides the others.
The codelist checks (``checks``) then run on every activity. An activity with any error is
reported in ``invalid`` (identifier, line, every error) and nothing of it is kept; the others
become ``IatiActivity``. Schema errors outside any activity (on ``iati-activities`` itself)
become warnings. A file that is not safe, well-formed IATI XML raises ``InvalidInput``.
"""

from __future__ import annotations

import bisect
from collections import defaultdict
from pathlib import Path

from lxml import etree

from cthub.coordination.iati import xmldoc
from cthub.coordination.iati.checks import check_activity
from cthub.coordination.iati.elements import line_of
from cthub.coordination.iati.model import InvalidActivity, Message, ParseResult
from cthub.coordination.iati.reader import read_activity
from cthub.core.errors import InvalidInput
from cthub.core.i18n import N_

SCHEMA_ERROR = N_("{element}, line {line}: {detail}")
EMPTY_IDENTIFIER = N_("iati-identifier, line {line}: the activity has no identifier.")
DUPLICATE = N_(
    'iati-identifier, line {line}: "{value}" is already the identifier of the activity at '
    "line {first}."
)


def read_source(source: Path | str | bytes, source_name: str | None) -> tuple[bytes, str]:
    """The bytes of ``source`` (bytes, or a path) and the name messages give the file."""
    if isinstance(source, bytes):
        return source, source_name or "<bytes>"
    path = Path(source)
    try:
        return path.read_bytes(), source_name or path.name
    except OSError as exc:
        raise InvalidInput(
            "{file}: the file cannot be read ({problem}).",
            hint="Check that the file is an IATI activity file (XML, IATI versions 2.01 to 2.03).",
            file=source_name or path.name,
            problem=exc.strerror or type(exc).__name__,
        ) from exc


def parse_activities(
    path_or_bytes: Path | str | bytes, *, source_name: str | None = None
) -> ParseResult:
    """Parse an IATI activity file; ``InvalidInput`` if it is not safe, well-formed IATI XML.

    ``source_name`` names the file in messages (default: the path's name, or ``<bytes>``).
    """
    data, name = read_source(path_or_bytes, source_name)
    root = xmldoc.load(data, name)
    acts = list(root.iterfind("iati-activity"))
    errors, warnings = _schema_errors(root, acts)
    result = ParseResult(name, root.get("version", ""), [], [], warnings)
    first_line: dict[str, int] = {}
    for index, act in enumerate(acts):
        invalid, warned = check_activity(act)
        result.warnings.extend(warned)
        problems = [*errors[index], *_identifier(act, first_line), *invalid]
        if problems:
            identifier = (act.findtext("iati-identifier") or "").strip()
            result.invalid.append(InvalidActivity(identifier, line_of(act), problems))
        else:
            result.activities.append(read_activity(act, result.warnings))
    return result


def _schema_errors(
    root: etree._Element, acts: list[etree._Element]
) -> tuple[dict[int, list[str]], list[str]]:
    """Schema errors per activity index (by line), and those outside every activity."""
    starts = [line_of(act) for act in acts]
    by_activity: dict[int, list[str]] = defaultdict(list)
    outside: list[str] = []
    for line, element, detail in xmldoc.schema_errors(root):
        message = Message(SCHEMA_ERROR, element=element, line=line, detail=detail)
        index = bisect.bisect_right(starts, line) - 1
        if index < 0 or element == xmldoc.ROOT:
            outside.append(message)
        else:
            by_activity[index].append(message)
    return by_activity, outside


def _identifier(act: etree._Element, first_line: dict[str, int]) -> list[str]:
    elem = act.find("iati-identifier")
    if elem is None:
        return []  # the schema reports the missing element
    value, line = (elem.text or "").strip(), line_of(elem)
    if not value:
        return [Message(EMPTY_IDENTIFIER, line=line)]
    if value in first_line:
        return [Message(DUPLICATE, line=line, value=value, first=first_line[value])]
    first_line[value] = line_of(act)
    return []


def validate_document(data: bytes) -> list[str]:
    """Schema errors of an IATI activity document (``[]`` when it is valid 2.03 XML).

    Raises ``InvalidInput`` like ``parse_activities`` when ``data`` is not safe IATI XML.
    """
    root = xmldoc.load(data, "<document>")
    return [
        Message(SCHEMA_ERROR, element=element, line=line, detail=detail)
        for line, element, detail in xmldoc.schema_errors(root)
    ]


__all__ = ["DUPLICATE", "EMPTY_IDENTIFIER", "SCHEMA_ERROR", "parse_activities", "validate_document"]
