"""The envelope: interchanges (UNB/UNZ), functional groups (UNG/UNE) and messages (UNH/UNT).

Counts and references in the trailers are checked and reported as warnings; a missing trailer
never loses the segments before it. Also the date helpers the mappers share, with the century
rules for two-digit years.
"""

from __future__ import annotations

import datetime as dt
import functools
import time
from dataclasses import dataclass, field

from cthub.travel.edifact.tokenizer import DEFAULT_DELIMITERS, Delimiters, Segment, Tokens, Warnings
from cthub.travel.records import Message


@dataclass
class RawMessage:
    """One UNH ... UNT message before mapping; ``segments`` excludes UNH and UNT."""

    unh: Segment
    segments: list[Segment]
    unt: Segment | None
    type: str
    version: str
    ref: str
    access_ref: str
    part: int | None = None
    part_flag: str = ""  # C continues, F final, "" not sent
    group: Segment | None = None


@dataclass
class Interchange:
    """One UNB ... UNZ interchange with its messages."""

    unb: Segment | None
    delimiters: Delimiters = DEFAULT_DELIMITERS
    syntax: str = ""
    sender: str = ""
    recipient: str = ""
    prepared: dt.datetime | None = None
    control_ref: str = ""
    application_ref: str = ""
    messages: list[RawMessage] = field(default_factory=list)


@dataclass
class Mapped:
    """A mapped message part, with what reassembly and the count checks need."""

    message: Message
    raw: RawMessage
    counts: dict[str, int] = field(default_factory=dict)  # CNT (PAXLST) or EQN (PNRGOV)
    count_seg: Segment | None = None


def read_interchanges(tokens: Tokens) -> list[Interchange]:
    """Group the segments of a file into interchanges and messages."""
    w = tokens.warnings
    out: list[Interchange] = []
    ic: Interchange | None = None
    msg: RawMessage | None = None
    body: list[Segment] = []
    group: Segment | None = None
    group_msgs = 0
    ic_msgs = 0
    ic_groups = 0
    delims = iter(tokens.interchanges_delimiters)

    def close_message(seg: Segment | None, code: str, why: str) -> None:
        nonlocal msg
        if msg is None:
            return
        if seg is not None:
            w.at(seg, code, f"message {msg.ref!r} has no UNT: {why}")
        msg = None

    service = _SERVICE
    segments = iter(tokens.segments)
    for seg in segments:
        tag = seg.tag
        if msg is not None and tag not in service:
            # the message body: take segments up to the next service segment in a tight loop
            append = body.append
            append(seg)
            for seg in segments:
                if seg.tag in service:
                    break
                append(seg)
            else:
                break  # the file ends inside the message
            tag = seg.tag
        if tag == "UNH":
            if msg is not None:
                close_message(seg, "no-unt", "a new UNH starts")
            if ic is None:
                w.at(seg, "no-unb", "no UNB before the first message")
                ic = Interchange(None, next(delims, DEFAULT_DELIMITERS))
                out.append(ic)
            body = []
            msg = _start_message(seg, body, group)
            ic.messages.append(msg)
            ic_msgs += 1
            group_msgs += 1
        elif tag == "UNT":
            if msg is None:
                w.at(seg, "stray-segment", "UNT without UNH")
                continue
            msg.unt = seg
            _check_unt(msg, seg, w)
            msg = None
        elif tag == "UNB":
            if msg is not None:
                close_message(seg, "truncated", "the next interchange starts")
            if ic is not None and ic.unb is not None:
                w.at(seg, "no-unz", "the previous interchange has no UNZ")
            ic = _start_interchange(seg, next(delims, DEFAULT_DELIMITERS), w)
            out.append(ic)
            ic_msgs = ic_groups = 0
            group = None
        elif tag == "UNG":
            if msg is not None:
                close_message(seg, "no-unt", "a functional group starts")
            if group is not None:
                w.at(seg, "no-une", "the previous functional group has no UNE")
            group = seg
            group_msgs = 0
            ic_groups += 1
        elif tag == "UNE":
            if msg is not None:
                close_message(seg, "no-unt", "the functional group ends")
            if group is None:
                w.at(seg, "stray-segment", "UNE without UNG")
            else:
                _check_count(seg, group_msgs, "une-count", "messages in the group", w)
            group = None
        elif tag == "UNZ":
            if msg is not None:
                close_message(seg, "no-unt", "the interchange ends")
            if group is not None:
                w.at(seg, "no-une", "the functional group has no UNE")
                group = None
            if ic is None:
                w.at(seg, "stray-segment", "UNZ without UNB")
                continue
            _check_count(seg, ic_groups or ic_msgs, "unz-count", "messages or groups", w)
            ref = seg.get(1).strip()
            if ic.control_ref and ref and ref != ic.control_ref:
                w.at(seg, "unz-ref", f"UNZ reference {ref!r} is not UNB's {ic.control_ref!r}")
            ic = None
        else:  # a data segment outside any message
            w.at(seg, "stray-segment", f"{tag} outside a message ignored")
    last = tokens.segments[-1] if tokens.segments else None
    if msg is not None and last is not None:
        w.at(last, "truncated", f"message {msg.ref!r} has no UNT: the file ends")
    elif ic is not None and last is not None and ic.unb is not None:
        w.at(last, "no-unz", "the interchange has no UNZ: the file ends")
    return out


_SERVICE = frozenset({"UNB", "UNG", "UNH", "UNT", "UNE", "UNZ"})


def _start_interchange(seg: Segment, d: Delimiters, w: Warnings) -> Interchange:
    syntax = seg.get(0).strip()
    prepared = parse_date_time(seg.get(3), seg.get(3, 1))
    if prepared is None and seg.get(3):
        w.at(seg, "bad-date", f"preparation date {seg.get(3)!r} is not a date")
    return Interchange(
        seg,
        d,
        syntax=syntax,
        sender=seg.get(1).strip(),
        recipient=seg.get(2).strip(),
        prepared=prepared,
        control_ref=seg.get(4).strip(),
        application_ref=seg.get(6).strip(),
    )


def _start_message(seg: Segment, body: list[Segment], group: Segment | None) -> RawMessage:
    ident = seg.element(1)
    mtype = ident[0].strip().upper() if ident else ""
    version = ":".join(c.strip() for c in ident[1:3] if c.strip())
    part_no = seg.get(3).strip()
    part = int(part_no) if part_no.isdigit() else None
    return RawMessage(
        unh=seg,
        segments=body,
        unt=None,
        type=mtype,
        version=version,
        ref=seg.get(0).strip(),
        access_ref=seg.get(2).strip(),
        part=part,
        part_flag=seg.get(3, 1).strip().upper(),
        group=group,
    )


def _check_unt(msg: RawMessage, unt: Segment, w: Warnings) -> None:
    actual = unt.number - msg.unh.number + 1
    _check_count(unt, actual, "unt-count", "segments in the message", w)
    ref = unt.get(1).strip()
    if ref and ref != msg.ref:
        w.at(unt, "unt-ref", f"UNT reference {ref!r} is not UNH's {msg.ref!r}")


def _check_count(seg: Segment, actual: int, code: str, what: str, w: Warnings) -> None:
    sent = seg.get(0).strip()
    if not sent:
        w.at(seg, code, f"no count of {what} (there are {actual})")
    elif not sent.isdigit() or int(sent) != actual:
        w.at(seg, code, f"says {sent} {what}, there are {actual}")


# --- dates -------------------------------------------------------------------------------------

_MONTHS = {
    m: i + 1
    for i, m in enumerate(
        ("JAN", "FEB", "MAR", "APR", "MAY", "JUN", "JUL", "AUG", "SEP", "OCT", "NOV", "DEC")
    )
}


def _date(y: int, m: int, d: int) -> dt.date | None:
    try:
        return dt.date(y, m, d)
    except ValueError:
        return None


_YEAR = [0, 0.0]  # current year, monotonic time until which it is trusted


def _this_year() -> int:
    now = time.monotonic()
    if now > _YEAR[1]:
        _YEAR[0], _YEAR[1] = dt.date.today().year, now + 600.0
    return int(_YEAR[0])


def _yy_recent(yy: int) -> int:
    """Century for envelope and booking dates: this century unless that is >1 year ahead."""
    year = 2000 + yy
    return year - 100 if year > _this_year() + 1 else year


def parse_date_time(date: str, time: str = "") -> dt.datetime | None:
    """A UNB-style date (YYMMDD or CCYYMMDD) and optional HHMM; None when not a date."""
    date = date.strip()
    if len(date) == 6 and date.isdigit():
        day = _date(_yy_recent(int(date[:2])), int(date[2:4]), int(date[4:6]))
    elif len(date) == 8 and date.isdigit():
        day = _date(int(date[:4]), int(date[4:6]), int(date[6:8]))
    else:
        return None
    if day is None:
        return None
    return _with_time(day, time)


def _with_time(day: dt.date, time: str) -> dt.datetime | None:
    time = time.strip()
    if not time:
        return dt.datetime(day.year, day.month, day.day)
    if len(time) in (4, 6) and time.isdigit():
        h, mi = int(time[:2]), int(time[2:4])
        sec = int(time[4:6]) if len(time) == 6 else 0
        if h == 24 and mi == 0:
            h = 23
            mi = 59
        if h < 24 and mi < 60 and sec < 60:
            return dt.datetime(day.year, day.month, day.day, h, mi, sec)
    return None


@functools.lru_cache(maxsize=8192)
def parse_dtm(value: str, fmt: str = "") -> dt.datetime | None:
    """A DTM value: 201 YYMMDDHHMM, 203 CCYYMMDDHHMM, 102 CCYYMMDD, 101 YYMMDD (cached)."""
    v = value.strip()
    if not v.isdigit():
        return None
    if len(v) == 10 and fmt in ("", "201"):
        day = _date(_yy_recent(int(v[:2])), int(v[2:4]), int(v[4:6]))
        return _with_time(day, v[6:]) if day else None
    if len(v) == 12:
        day = _date(int(v[:4]), int(v[4:6]), int(v[6:8]))
        return _with_time(day, v[8:]) if day else None
    if len(v) == 8:
        day = _date(int(v[:4]), int(v[4:6]), int(v[6:8]))
        return dt.datetime(day.year, day.month, day.day) if day else None
    if len(v) == 6:
        day = _date(_yy_recent(int(v[:2])), int(v[2:4]), int(v[4:6]))
        return dt.datetime(day.year, day.month, day.day) if day else None
    return None


@functools.lru_cache(maxsize=8192)
def parse_ddmmyy(date: str, time: str = "") -> dt.datetime | None:
    """A PNRGOV date DDMMYY (booking, travel) with optional HHMM[SS] (results cached)."""
    date = date.strip()
    if len(date) != 6 or not date.isdigit():
        return None
    day = _date(_yy_recent(int(date[4:6])), int(date[2:4]), int(date[:2]))
    return _with_time(day, time) if day else None


def clear_caches() -> None:
    """Forget cached date conversions (benchmarks call this to measure cold parses)."""
    parse_ddmmyy.cache_clear()
    parse_dtm.cache_clear()


def split_yymmdd(value: str) -> tuple[int, int, int] | None:
    """(yy, mm, dd) of a YYMMDD value, or None."""
    v = value.strip()
    if len(v) != 6 or not v.isdigit():
        return None
    return int(v[:2]), int(v[2:4]), int(v[4:6])


_TWO_DIGITS = {f"{i:02d}": i for i in range(100)}


def split_ddmmmyy(value: str) -> tuple[int, int, int] | None:
    """(yy, mm, dd) of a DDMMMYY value such as 12JUL64, or None."""
    v = value.strip().upper()
    if len(v) == 9 and v[5:].isdigit():  # DDMMMCCYY
        v = v[:5] + v[7:]
    if len(v) != 7:
        return None
    month = _MONTHS.get(v[2:5])
    if month is None:
        return None
    dd = _TWO_DIGITS.get(v[:2])
    yy = _TWO_DIGITS.get(v[5:])
    if dd is None or yy is None:  # not two ASCII digits: what str.isdigit and int make of it
        if not v[:2].isdigit() or not v[5:].isdigit():
            return None
        return int(v[5:]), month, int(v[:2])
    return yy, month, dd


def past_date(parts: tuple[int, int, int], ref: dt.date) -> tuple[dt.date | None, bool]:
    """A two-digit-year date that cannot lie after ``ref`` (birth, issue).

    Returns the date and whether the century was ambiguous: the older reading would also give
    an age of at most 110 years.
    """
    yy, mm, dd = parts
    base = ref.year // 100 * 100
    try:
        recent = dt.date(base + yy, mm, dd)
    except ValueError:
        pass
    else:
        if recent <= ref:
            return recent, ref.year - (base - 100 + yy) <= 110
    return _date(base - 100 + yy, mm, dd), False


def past_yymmdd(value: str, ref: dt.date) -> tuple[dt.date | None, bool]:
    """A YYMMDD (or CCYYMMDD) date not after ``ref``, and whether its century was ambiguous.

    The fast path of :func:`split_yymmdd` + :func:`past_date`; (None, False) if not a date.
    """
    v = value.strip()
    n = len(v)
    if n == 6 and v.isdigit():
        yy, mm, dd = int(v[:2]), int(v[2:4]), int(v[4:])
        base = ref.year - ref.year % 100
        try:
            day = dt.date(base + yy, mm, dd)
        except ValueError:
            day = None
        if day is not None and day <= ref:
            return day, ref.year - (base - 100 + yy) <= 110
        return _date(base - 100 + yy, mm, dd), False
    if n == 8 and v.isdigit():
        return _date(int(v[:4]), int(v[4:6]), int(v[6:])), False
    return None, False


def _expiry_year(yy: int, ref: dt.date) -> int:
    """Century for an expiry date: at most 20 years after ``ref``, else the century before."""
    year = ref.year - ref.year % 100 + yy
    if year > ref.year + 20:
        year -= 100
    elif year < ref.year - 80:
        year += 100
    return year


def future_yymmdd(value: str, ref: dt.date) -> dt.date | None:
    """A YYMMDD (or CCYYMMDD) expiry date: two-digit years at most 20 years after ``ref``."""
    v = value.strip()
    n = len(v)
    if n == 6 and v.isdigit():
        return _date(_expiry_year(int(v[:2]), ref), int(v[2:4]), int(v[4:]))
    if n == 8 and v.isdigit():
        return _date(int(v[:4]), int(v[4:6]), int(v[6:]))
    return None


def future_date(parts: tuple[int, int, int], ref: dt.date) -> dt.date | None:
    """A two-digit-year expiry date, at most 20 years after ``ref`` (see :func:`future_yymmdd`)."""
    yy, mm, dd = parts
    year = ref.year - ref.year % 100 + yy  # as _expiry_year, inlined
    if year > ref.year + 20:
        year -= 100
    elif year < ref.year - 80:
        year += 100
    try:
        return dt.date(year, mm, dd)
    except ValueError:
        return None


__all__ = [
    "Interchange",
    "Mapped",
    "RawMessage",
    "clear_caches",
    "future_date",
    "future_yymmdd",
    "parse_date_time",
    "parse_ddmmyy",
    "parse_dtm",
    "past_date",
    "past_yymmdd",
    "read_interchanges",
    "split_ddmmmyy",
    "split_yymmdd",
]
