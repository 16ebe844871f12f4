"""Tolerant UN/EDIFACT tokenizer: bytes in, segments with their number and byte offset out.

The text is decoded as Latin-1 first, so one character is one byte and every offset is a byte
offset in the original file; values of a valid UTF-8 file are re-decoded afterwards. Segments
are cut with ``str.split``; the release character is only handled where the file contains it.
What is odd but readable (a malformed UNA, a Type-B envelope, line breaks inside values,
control characters, over-long values, trailing text) becomes a warning, not an error.
"""

from __future__ import annotations

import bisect
import copy
import re
from collections import Counter
from dataclasses import dataclass, field

from cthub.core.errors import InvalidInput
from cthub.travel.records import ParseWarning

MAX_VALUE = 512
"""Longest value kept; longer ones are cut, with a ``too-long`` warning."""

MAX_WARNINGS_PER_CODE = 100
"""Warnings of one code kept per file; the rest are counted in one summary warning."""

_CURLY = "\xe2\x80\x99"  # U+2019 RIGHT SINGLE QUOTATION MARK as UTF-8 bytes read as Latin-1
_BOM = "\xef\xbb\xbf"
_P_REL, _P_ELEM, _P_COMP = "\ue000", "\ue001", "\ue002"  # never in Latin-1 text
_START = re.compile(r"UN[ABGH]")
_NEXT_TAG = re.compile(r"[\s\x00-\x1f]*UN[BGH]")
_UNA_END = re.compile(r"[\s\x00-\x1f]*UN[BGH]|['\n]")
_CURLY_END = re.compile(_CURLY + r"(?=\s*(?:[A-Z0-9]{3}|$))")
_TYPE_B = re.compile(
    r"(?m)^\s*(?:[A-Z]{2} [A-Z0-9]{7}\b|\.[A-Z0-9]{7}\b|STX\b|NNNN\b|ETX\b)|[\x01-\x03]"
)
_TAG_OK = re.compile(r"[A-Z0-9]{3}")
_TRAILERS = frozenset({"UNZ", "UNT", "UNE"})


@dataclass(frozen=True, slots=True)
class Delimiters:
    """The six service characters (UNA); the defaults are those of ISO 9735."""

    component: str = ":"
    element: str = "+"
    decimal: str = "."
    release: str = "?"
    reserved: str = " "
    terminator: str = "'"


DEFAULT_DELIMITERS = Delimiters()


class Segment:
    """One segment: its tag, data elements, 1-based number and byte offset.

    ``number`` counts segments in file order (UNB = 1; UNA is not counted), ``position`` is the
    byte offset of the tag's first character. ``parts`` holds the raw element strings (tag
    first); components are split only when asked for, which keeps tokenizing cheap.
    """

    __slots__ = ("comp", "number", "parts", "position", "tag")

    def __init__(self, tag: str, parts: list[str], number: int, position: int, comp: str) -> None:
        self.tag = tag
        self.parts = parts
        self.number = number
        self.position = position
        self.comp = comp

    @property
    def count(self) -> int:
        """How many data elements (after the tag) the segment has."""
        return len(self.parts) - 1

    def get(self, element: int, component: int = 0) -> str:
        """The value at data element ``element`` (0-based, after the tag), or ""."""
        try:
            e = self.parts[element + 1]
        except IndexError:
            return ""
        if component == 0:
            k = e.find(self.comp)
            return e if k < 0 else e[:k]
        c = e.split(self.comp)
        return c[component] if component < len(c) else ""

    def pair(self) -> tuple[str, str]:
        """(qualifier, value) of a ``TAG+Q:V`` or ``TAG+Q+V`` segment, in one call."""
        parts = self.parts
        if len(parts) < 2:
            return "", ""
        e = parts[1]
        c = self.comp
        k = e.find(c)
        if k >= 0:
            rest = e[k + 1 :]
            j = rest.find(c)
            return e[:k], rest if j < 0 else rest[:j]
        if len(parts) > 2:
            v = parts[2]
            j = v.find(c)
            return e, v if j < 0 else v[:j]
        return e, ""

    def element(self, element: int) -> list[str]:
        """All components of one data element ([] when absent)."""
        if element < 0:
            return []
        try:
            e = self.parts[element + 1]
        except IndexError:
            return []
        return e.split(self.comp)

    def joined(self, first: int = 0) -> list[str]:
        """The data elements from ``first`` (0-based) on, each with its components joined by ':'."""
        rest = self.parts[first + 1 :]
        comp = self.comp
        return rest if comp == ":" else [e.replace(comp, ":") for e in rest]

    @property
    def elements(self) -> list[list[str]]:
        """Every data element as a list of components."""
        comp = self.comp
        return [e.split(comp) for e in self.parts[1:]]

    def render(self) -> str:
        """The segment written with the default separators, without terminator."""
        return self.tag + "".join("+" + ":".join(e) for e in self.elements)

    def derive(self, parts: list[str], position: int) -> Segment:
        """A segment of the same kind and number with other parts (tag first)."""
        new = copy.copy(self)
        new.tag = parts[0]
        new.parts = parts
        new.position = position
        return new

    def __repr__(self) -> str:
        return f"Segment({self.render()!r}, number={self.number}, position={self.position})"

    def __eq__(self, other: object) -> bool:
        if not isinstance(other, Segment):
            return NotImplemented
        return self.tag == other.tag and self.elements == other.elements

    __hash__ = None  # type: ignore[assignment]


class ReleasedSegment(Segment):
    """A segment with a released component separator: it is restored on access."""

    __slots__ = ("table",)

    def __init__(
        self, tag: str, parts: list[str], number: int, position: int, d: Delimiters
    ) -> None:
        super().__init__(tag, parts, number, position, d.component)
        self.table = {ord(_P_COMP): d.component}

    def get(self, element: int, component: int = 0) -> str:
        return super().get(element, component).translate(self.table)

    def element(self, element: int) -> list[str]:
        return [c.translate(self.table) for c in super().element(element)]

    def joined(self, first: int = 0) -> list[str]:
        return [e.translate(self.table) for e in super().joined(first)]

    @property
    def elements(self) -> list[list[str]]:
        table = self.table
        return [[c.translate(table) for c in e] for e in super().elements]

    def pair(self) -> tuple[str, str]:
        q, v = super().pair()
        return q.translate(self.table), v.translate(self.table)


class Warnings:
    """Collects the warnings of one file, capped per code, in file order."""

    def __init__(self, file: str) -> None:
        self.file = file
        self.items: list[ParseWarning] = []
        self._counts: Counter[str] = Counter()
        self._pending: list[tuple[int, str, str]] = []

    def add(self, code: str, segment: int, position: int, message: str, tag: str = "") -> None:
        """Record one warning (segment 0 = envelope/file level)."""
        self._counts[code] += 1
        if self._counts[code] <= MAX_WARNINGS_PER_CODE:
            self.items.append(ParseWarning(self.file, segment, position, code, message, tag))

    def at(self, seg: Segment, code: str, message: str) -> None:
        """Record a warning about segment ``seg``."""
        self.add(code, seg.number, seg.position, message, seg.tag)

    def at_offset(self, position: int, code: str, message: str) -> None:
        """Record a warning at a byte offset; the segment is looked up by :meth:`resolve`."""
        self._pending.append((position, code, message))

    def resolve(self, segments: list[Segment]) -> None:
        """Attach offset-only warnings to the segment that contains their offset."""
        if not self._pending:
            return
        starts = [s.position for s in segments]
        for position, code, message in self._pending:
            i = bisect.bisect_right(starts, position) - 1
            if i >= 0:
                seg = segments[i]
                self.add(code, seg.number, position, message, seg.tag)
            else:
                self.add(code, 0, position, message)
        self._pending.clear()

    def finish(self) -> list[ParseWarning]:
        """The warnings sorted by position, plus one summary line per capped code."""
        out = sorted(self.items, key=lambda w: (w.position, w.segment))
        for code, n in sorted(self._counts.items()):
            if n > MAX_WARNINGS_PER_CODE:
                extra = n - MAX_WARNINGS_PER_CODE
                out.append(
                    ParseWarning(self.file, 0, 0, code, f"{extra} more '{code}' warnings omitted")
                )
        return out

    def count(self, code: str) -> int:
        return self._counts[code]


@dataclass
class Tokens:
    """What the tokenizer read from one file."""

    file: str
    segments: list[Segment]
    delimiters: Delimiters
    warnings: Warnings
    encoding: str  # ascii, utf-8 or latin-1
    una: bool = False
    interchanges_delimiters: list[Delimiters] = field(default_factory=list)
    text: str = ""


def decode(data: bytes) -> tuple[str, str]:
    """Latin-1 text of ``data`` (one char per byte) and the encoding the values are in."""
    if data.isascii():
        return data.decode("ascii"), "ascii"
    try:
        data.decode("utf-8")
    except UnicodeDecodeError:
        return data.decode("latin-1"), "latin-1"
    return data.decode("latin-1"), "utf-8"


def _first_bad_utf8(data: bytes) -> int:
    try:
        data.decode("utf-8")
    except UnicodeDecodeError as exc:
        return exc.start
    return -1


def _is_binary(data: bytes) -> bool:
    if b"\x00" not in data:
        return False
    nul = data.count(b"\x00")
    return b"\x00" in data[:64] or nul * 100 > len(data)


def _odd_trailing(piece: str, rel: str) -> bool:
    n = len(piece) - len(piece.rstrip(rel))
    return n % 2 == 1


def _plausible(raw: str) -> bool:
    if len(raw) != 6 or not raw.isascii() or not raw.isprintable():
        return False
    specials = {raw[0], raw[1], raw[5]}
    if len(specials) != 3:
        return False
    return not any(c.isalnum() or c == " " for c in specials)


def _parse_una(text: str, i: int, w: Warnings) -> tuple[Delimiters, int]:
    """Read the UNA at ``i``; return the delimiters and where the next segment starts."""
    raw = text[i + 3 : i + 9]
    if _plausible(raw) and _NEXT_TAG.match(text, i + 9):
        return Delimiters(raw[0], raw[1], raw[2], raw[3], raw[4], raw[5]), i + 9
    m = _UNA_END.search(text, i + 3, i + 3 + 40)
    end = m.start() if m else min(len(text), i + 9)
    svc = text[i + 3 : end].replace(_CURLY, "'")
    if m and m.group() == "'":
        svc += "'"
        end += 1
    svc = svc.rstrip(" \r\n\t")
    if _plausible(svc) and _NEXT_TAG.match(text, end):
        d = Delimiters(*svc)
    else:
        comp = svc[0] if len(svc) > 0 and not svc[0].isalnum() else ":"
        elem = svc[1] if len(svc) > 1 and not svc[1].isalnum() else "+"
        rest = svc[2:]
        decimal = "," if "," in rest else "."
        release = next((c for c in rest if c in "?\\"), "")
        if "'" in rest:
            term = "'"
        elif rest and not rest[-1].isalnum() and rest[-1] not in (decimal, release, " "):
            term = rest[-1]
        else:
            term = "'"
        if term not in text[end:]:
            term = "'"
        used = {comp, elem, decimal, release, term}
        reserved = next((c for c in rest if c not in used), " ")
        d = Delimiters(comp, elem, decimal, release, reserved, term)
    shown = text[i : i + 9].encode("latin-1").decode("utf-8", "replace")
    w.add(
        "una",
        0,
        i,
        f"malformed service string advice {shown!r}: read as component {d.component!r}, "
        f"element {d.element!r}, release {d.release!r}, terminator {d.terminator!r}",
        "UNA",
    )
    return d, end


def _find_start(text: str, pos: int) -> int:
    """Offset of the first UNA/UNB/UNG/UNH tag at a segment boundary from ``pos``, or -1."""
    for m in _START.finditer(text, pos):
        j = m.start()
        if j == 0 or not text[j - 1].isalnum():
            return j
    return -1


def _envelope_note(junk: str) -> tuple[str, str]:
    if _TYPE_B.search(junk):
        return "type-b", "stripped a Type-B teletype envelope"
    return "trailing-text", "ignored text"


def _drop_release(s: str, rel: str) -> str:
    out: list[str] = []
    i = 0
    n = len(s)
    while i < n:
        j = s.find(rel, i)
        if j < 0:
            out.append(s[i:])
            break
        out.append(s[i:j])
        if j + 1 < n:
            out.append(s[j + 1])
        i = j + 2
    return "".join(out)


def _released_parts(s: str, d: Delimiters) -> tuple[list[str], bool]:
    """Element strings of a segment with release characters, unescaped.

    Only released component separators stay masked (components are split later); the flag
    says whether any is left, i.e. whether the segment needs :class:`ReleasedSegment`.
    """
    rel = d.release
    s = s.replace(rel + rel, _P_REL).replace(rel + d.terminator, d.terminator)
    s = s.replace(rel + d.element, _P_ELEM).replace(rel + d.component, _P_COMP)
    if rel in s:
        s = _drop_release(s, rel)
    parts = s.split(d.element)
    if _P_REL in s or _P_ELEM in s:
        table = {ord(_P_REL): rel, ord(_P_ELEM): d.element}
        parts = [e.translate(table) for e in parts]
    return parts, _P_COMP in s


class _Reader:
    """Cuts one file into segments; see :func:`tokenize`."""

    def __init__(self, data: bytes, file: str) -> None:
        self.file = file
        self.w = Warnings(file)
        self.text, self.encoding = decode(data)
        self.data = data
        self.segments: list[Segment] = []
        self.number = 0
        self.valid_tags: set[str] = set()
        self.delimiters_seen: list[Delimiters] = []
        self.una = False

    def run(self) -> Tokens:
        text = self.text
        if self.encoding == "latin-1":
            bad = _first_bad_utf8(self.data)
            self.w.at_offset(
                bad,
                "latin1",
                f"not valid UTF-8 (byte 0x{self.data[bad]:02X} at {bad}): read as Latin-1",
            )
        start = _find_start(text, 0)
        if start < 0:
            raise InvalidInput(
                "{file}: no EDIFACT segments found",
                hint="Send a PAXLST or PNRGOV interchange (UNB ... UNZ) or PNRGOV XML.",
                file=self.file,
            )
        junk = text[:start].replace(_BOM, "").strip(" \t\r\n\x01\x02\x03")
        if junk:
            code, msg = _envelope_note(junk)
            self.w.add(code, 0, 0, f"{msg} before the interchange ({start} bytes)")
        pos = start
        while pos >= 0:
            end = self._interchange(pos)
            if end >= len(text):
                break
            nxt = _find_start(text, end)
            rest = text[end:] if nxt < 0 else text[end:nxt]
            if rest.strip(" \t\r\n"):
                code, msg = _envelope_note(rest)
                self.w.add(code, 0, end, f"{msg} after the interchange ({len(rest)} bytes)")
            pos = nxt
        self.w.resolve(self.segments)
        d = self.delimiters_seen[0] if self.delimiters_seen else DEFAULT_DELIMITERS
        return Tokens(
            self.file,
            self.segments,
            d,
            self.w,
            self.encoding,
            self.una,
            self.delimiters_seen,
            self.text,
        )

    def _interchange(self, pos: int) -> int:
        """Read one interchange from ``pos``; return the offset just after its UNZ (or the end)."""
        text = self.text
        w = self.w
        if text.startswith("UNA", pos):
            d, pos = _parse_una(text, pos, w)
            self.una = True
        else:
            d = DEFAULT_DELIMITERS
        self.delimiters_seen.append(d)
        rel, term, elem, comp = d.release, d.terminator, d.element, d.component
        if term == "'" and _CURLY in text:
            for m in _CURLY_END.finditer(text, pos):
                w.at_offset(m.start(), "curly-quote", "a typographic quote (U+2019) ends a segment")
            text = self.text = _CURLY_END.sub("'  ", text)
        body = text[pos:]
        pieces = body.split(term)
        has_rel = bool(rel) and rel in body
        if has_rel:
            pieces = _merge_released(pieces, rel, term)
        last = pieces.pop()
        has_ctrl = _has_control(body, d)
        ctrl = _control_re(d) if has_ctrl else None
        if has_rel:  # a released terminator may be followed by a line break inside the value
            inner_nl = ("\n" in body or "\r" in body) and _inner_newlines(body.lstrip(), term)
            slow = inner_nl or has_ctrl
        else:
            # Without release characters a segment holds a line break exactly when the file has
            # one that does not follow a terminator: looking at each segment is the cheaper test.
            slow = True
        odd = has_ctrl or "\r" in body
        # Segments with a release character or an over-long value take the general path
        # (_segment); the loop does the rest inline, which is most of the time spent on a file.
        rare = has_rel or max(map(len, pieces), default=0) > MAX_VALUE
        fix_utf8 = self.encoding == "utf-8"
        segments = self.segments
        append = segments.append
        valid = self.valid_tags
        num = self.number
        cap = MAX_VALUE
        seg_cls = Segment
        new = Segment.__new__  # filling the slots directly is cheaper than calling __init__
        end = pos - 1  # offset of the terminator of the piece before
        for piece in pieces:
            end += len(piece) + 1
            s = piece.lstrip()
            if not s:
                continue
            seg_pos = end - len(s)
            if ("\n" in s or (odd and ("\r" in s or has_ctrl))) and slow:
                s = self._clean(s, num + 1, seg_pos, ctrl)
            if rare and (rel in s or len(s) > cap):
                seg = self._segment(s, num, seg_pos, d, has_rel)
                if seg is None:
                    continue
                tag = seg.tag
                num += 1
            else:
                parts = s.split(elem)
                tag = parts[0]
                if tag not in valid:
                    tag = self._check_tag(tag, s, num, seg_pos, "bad-segment")
                    if not tag:
                        continue
                num += 1
                if fix_utf8 and not s.isascii():
                    parts = [_utf8(e) for e in parts]
                seg = new(seg_cls)
                seg.tag = tag
                seg.parts = parts
                seg.number = num
                seg.position = seg_pos
                seg.comp = comp
            append(seg)
            if tag == "UNZ":
                self.number = num
                return end + 1
        self.number = num
        self._last_piece(last, end + 1, d, ctrl)
        return len(text)

    def _segment(
        self, s: str, num: int, seg_pos: int, d: Delimiters, has_rel: bool
    ) -> Segment | None:
        """Segment number ``num + 1`` from its (cleaned) text, or None when it is no segment."""
        released = False
        if has_rel and d.release in s:
            parts, released = _released_parts(s, d)
        else:
            parts = s.split(d.element)
        tag = parts[0]
        if tag not in self.valid_tags:
            tag = self._check_tag(tag, s, num, seg_pos, "bad-segment")
            if not tag:
                return None
        num += 1
        if self.encoding == "utf-8" and not s.isascii():
            parts = [_utf8(e) for e in parts]
        if len(s) > MAX_VALUE:
            self._cap(parts, num, seg_pos, tag, d.component)
        if released:
            return ReleasedSegment(tag, parts, num, seg_pos, d)
        return Segment(tag, parts, num, seg_pos, d.component)

    def _last_piece(
        self, piece: str, pos: int, d: Delimiters, ctrl: re.Pattern[str] | None
    ) -> None:
        """The text after the last terminator: a trailer without terminator, or a cut segment."""
        w = self.w
        s = piece.lstrip()
        if not s:
            return
        seg_pos = pos + len(piece) - len(s)
        cut = _line_end(s)
        head = s[:cut].strip()
        if head[:3].upper() not in _TRAILERS:
            code, msg = ("truncated", "skipped the incomplete last segment")
            if not s[:3].isalnum() or (s[3:4] and s[3:4] not in (d.element, " ")):
                code, msg = _envelope_note(s)
            w.add(code, self.number, seg_pos, f"{msg} {s[:40]!r}")
            return
        tail = s[cut:]
        if tail.strip():
            code, msg = _envelope_note(tail)
            w.add(code, 0, seg_pos + cut, f"{msg} after the last segment")
        s = self._clean(head, self.number + 1, seg_pos, ctrl)
        released = False
        if d.release and d.release in s:
            parts, released = _released_parts(s, d)
        else:
            parts = s.split(d.element)
        tag = self._check_tag(parts[0], s, self.number, seg_pos, "truncated")
        if not tag:
            return
        self.number += 1
        w.add("no-terminator", self.number, seg_pos, "no segment terminator", tag)
        if released:
            self.segments.append(ReleasedSegment(tag, parts, self.number, seg_pos, d))
        else:
            self.segments.append(Segment(tag, parts, self.number, seg_pos, d.component))

    def _clean(self, s: str, number: int, position: int, ctrl: re.Pattern[str] | None) -> str:
        """Remove line breaks and control characters from one segment's text."""
        if "\n" in s or "\r" in s:
            inner = s.rstrip("\r\n")
            if "\n" in inner or "\r" in inner:
                self.w.add("line-break", number, position, "removed a line break inside")
            s = s.replace("\r", "").replace("\n", "")
        if ctrl is not None and ctrl.search(s):
            found = ", ".join(sorted({f"0x{ord(c):02X}" for c in ctrl.findall(s)}))
            self.w.add("control-char", number, position, f"removed control characters {found}")
            s = ctrl.sub("", s.replace("\t", " "))
        return s

    def _check_tag(self, tag: str, s: str, number: int, position: int, code: str) -> str:
        """A tag seen for the first time: tidied (with a warning) or "" when it is no tag."""
        fixed = tag.strip().upper()
        if not _TAG_OK.fullmatch(fixed):
            self.w.add(code, number, position, f"skipped {s[:40]!r}: not a segment")
            return ""
        if fixed != tag:
            code = "whitespace" if tag.strip() != tag else "lower-case"
            self.w.add(code, number + 1, position, f"tag {tag!r} read as {fixed}", fixed)
        else:
            self.valid_tags.add(tag)
        return fixed

    def _cap(self, parts: list[str], number: int, position: int, tag: str, comp: str) -> None:
        for i, e in enumerate(parts):
            if len(e) > MAX_VALUE:
                comps = e.split(comp)
                for j, c in enumerate(comps):
                    if len(c) > MAX_VALUE:
                        self.w.add(
                            "too-long",
                            number,
                            position,
                            f"value of {len(c)} characters cut to {MAX_VALUE}",
                            tag,
                        )
                        comps[j] = c[:MAX_VALUE]
                parts[i] = comp.join(comps)


def _merge_released(pieces: list[str], rel: str, term: str) -> list[str]:
    """Join pieces split at a released terminator (odd number of release characters)."""
    ends = [i for i, p in enumerate(pieces) if p.endswith(rel)]
    if not ends:
        return pieces
    out: list[str] = []
    start = 0
    i = 0
    n = len(pieces)
    for j in ends:
        if j < i:
            continue
        out.extend(pieces[start:j])
        buf = pieces[j]
        i = j + 1
        while i < n and _odd_trailing(buf, rel):
            buf = buf + term + pieces[i]
            i += 1
        out.append(buf)
        start = i
    out.extend(pieces[start:])
    return out


def _inner_newlines(body: str, term: str) -> bool:
    """Whether a line break occurs anywhere but right after a terminator."""
    if term not in ("\r", "\n"):
        # Counting is exact here (the patterns cannot overlap) and much cheaper than replacing.
        lf = body.count("\n")
        if "\r" not in body:
            return lf != body.count(term + "\n")
        if lf == body.count("\r") == body.count(term + "\r\n"):
            return False
    rest = body.replace(term + "\r\n", "").replace(term + "\n", "").replace(term + "\r", "")
    return "\n" in rest or "\r" in rest


def _line_end(s: str) -> int:
    cut = len(s)
    for ch in "\r\n":
        j = s.find(ch)
        if 0 <= j < cut:
            cut = j
    return cut


def _utf8(c: str) -> str:
    if c.isascii():
        return c
    return c.encode("latin-1").decode("utf-8", "replace")


_CTRL_CACHE: dict[Delimiters, re.Pattern[str]] = {}
_NOT_CTRL_CACHE: dict[Delimiters, bytes] = {}


def _control_chars(d: Delimiters) -> list[str]:
    """The control characters removed from values: C0 and DEL, less line breaks and delimiters."""
    return [
        chr(c)
        for c in [*range(0x20), 0x7F]
        if chr(c) not in ("\r", "\n") and chr(c) not in (d.element, d.component, d.terminator)
    ]


def _control_re(d: Delimiters) -> re.Pattern[str]:
    pat = _CTRL_CACHE.get(d)
    if pat is None:
        pat = re.compile("[" + "".join(re.escape(c) for c in _control_chars(d)) + "]")
        _CTRL_CACHE[d] = pat
    return pat


def _has_control(text: str, d: Delimiters) -> bool:
    """Whether :func:`_control_re` would match in ``text`` (Latin-1), in one pass without regex."""
    keep = _NOT_CTRL_CACHE.get(d)
    if keep is None:
        ctrl = set(_control_chars(d))
        keep = _NOT_CTRL_CACHE[d] = bytes(c for c in range(256) if chr(c) not in ctrl)
    return bool(text.encode("latin-1").translate(None, keep))


_UNOA = "A-Z0-9 .,\\-()/='+:?!\"%&*;<>"
_UNOB = _UNOA + "a-z#@\\[\\]_{}|~^`$"
_LOWER = re.compile("[a-z]")


def check_charset(tokens: Tokens, syntax: str, segments: list[Segment]) -> None:
    """Flag characters outside the declared syntax level (UNOA, UNOB); data is kept as is."""
    level = syntax.split(":")[0].strip().upper()
    allowed = {"UNOA": _UNOA, "UNOB": _UNOB}.get(level)
    if allowed is None or not segments:
        return
    d = tokens.delimiters
    extra = "".join(re.escape(c) for c in {d.component, d.element, d.release, d.terminator})
    bad = re.compile(f"[^{allowed}{extra}\r\n\t]")
    if bad.search(tokens.text) is None:
        return
    w = tokens.warnings
    for seg in segments:
        text = "+".join(seg.parts)
        found = bad.findall(text)
        if not found:
            continue
        if level == "UNOA" and _LOWER.search(text):
            w.at(seg, "lower-case", f"lower case under {level}; kept as sent")
            found = [c for c in found if not c.islower() or not c.isascii()]
        if found:
            shown = ", ".join(sorted({repr(c) for c in found}))
            w.at(seg, "non-unoa" if level == "UNOA" else "charset", f"{shown} not in {level}; kept")


def tokenize(data: bytes, file: str) -> Tokens:
    """Cut ``data`` into segments, tolerating what real carrier files do.

    Raises :class:`InvalidInput` for an empty file, binary data (NUL bytes) or a file without
    any EDIFACT segment.
    """
    if not data or data.isspace():  # only whitespace (as bytes.strip sees it), without a copy
        raise InvalidInput(
            "{file}: the file is empty", hint="Send a file with an interchange.", file=file
        )
    if _is_binary(data):
        raise InvalidInput(
            "{file}: binary data (NUL bytes at byte {position}), not EDIFACT",
            hint="Send the message as text, not compressed or encrypted.",
            file=file,
            position=data.find(b"\x00"),
        )
    return _Reader(data, file).run()


__all__ = [
    "DEFAULT_DELIMITERS",
    "MAX_VALUE",
    "Delimiters",
    "ReleasedSegment",
    "Segment",
    "Tokens",
    "Warnings",
    "check_charset",
    "decode",
    "tokenize",
]
