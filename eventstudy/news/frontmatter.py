"""Jekyll front matter and publication times.

A post starts with a YAML block between ``---`` lines. It is read with
PyYAML's *base* loader, so every scalar stays a string (no surprise
conversions of ``date``, ``yes``, ``1e3``) and nothing is ever constructed
from tags. ``date`` is ``YYYY-MM-DD HH:MM:SS +0800``; a time without an offset
is taken as Beijing time (Asia/Shanghai), which is what the Eastmoney mirror
writes when it omits the offset; a bare date is taken as 00:00 Beijing time.

Problems are reported as :class:`PostProblem` with a reason code:

=====================  ==================================================
reason                 meaning
=====================  ==================================================
``empty_file``         no content at all
``no_front_matter``    the text does not start with a ``---`` line
``broken_front_matter`` no closing ``---`` line
``bad_front_matter``   invalid YAML, not a mapping, a non-text title, ...
``missing_date``       no ``date`` value (or only an offset such as ``+0800``)
``bad_date``           a ``date`` that is not one valid timestamp: unparseable,
                       a list, a relative word (``now``, ``today``), an
                       ambiguous day/month order (``1/2/3``, ``10-01-2022``),
                       no four-digit year, two dates, or outside 1900..2200
                       in Beijing time
=====================  ==================================================

Dates are rejected, never invented: a lenient parser would turn ``now`` into the
time of loading, ``1/2/3`` into 2003-01-02 and the list ``[2022-01-10, 2022-01-11]``
into 2022-01-11 15:22 (the ``-11`` read as an offset). Accepted: ISO 8601 (with ``T``
or a space, seconds optional, fractions, ``Z`` or an offset), ``YYYY/MM/DD``,
``YYYYMMDD``, and English month names (``Mon, 10 Jan 2022 11:33:36 +0800``).

Examples
--------
>>> post = "---\\ntitle: 白酒\\ndate: 2022-01-10 11:33:36 +0800\\n---\\n<p>x</p>"
>>> meta, body = split_front_matter(post)
>>> meta["title"], body
('白酒', '\\n<p>x</p>')
>>> parse_published(meta["date"])
datetime.datetime(2022, 1, 10, 11, 33, 36, tzinfo=zoneinfo.ZoneInfo(key='Asia/Shanghai'))
"""

from __future__ import annotations

import datetime as dt
import re
import zoneinfo
from typing import Any, Final

import pandas as pd
import yaml

__all__ = [
    "YEARS",
    "PostProblem",
    "date_text",
    "parse_published",
    "simple_mapping",
    "split_front_matter",
    "text_value",
]

TZ: Final = zoneinfo.ZoneInfo("Asia/Shanghai")
#: Front matter longer than this is refused (a post's header is a few lines).
MAX_FRONT_MATTER: Final = 64 * 1024

_Loader: Any = getattr(yaml, "CBaseLoader", yaml.BaseLoader)
_CLOSE = re.compile(r"^(?:---|\.\.\.)[ \t]*$", re.MULTILINE)
_FORMATS: Final = (
    "%Y-%m-%d %H:%M:%S %z",
    "%Y-%m-%d %H:%M:%S",
    "%Y-%m-%d %H:%M:%S%z",
    "%Y-%m-%dT%H:%M:%S%z",
    "%Y-%m-%dT%H:%M:%S",
    "%Y-%m-%d %H:%M %z",
    "%Y-%m-%d %H:%M",
    "%Y-%m-%d",
    "%Y/%m/%d %H:%M:%S",
    "%Y/%m/%d %H:%M",
)
# key: value lines of a simple front matter (no tabs, no indentation, no trailing spaces)
_SIMPLE_LINE = re.compile(r"([A-Za-z_][A-Za-z0-9_.-]*):(?: +([^ \t](?:[^\t]*[^ \t])?))? *$")
_INDICATORS: Final = frozenset("-?:,[]{}#&*!|>'\"%@`")
_SIMPLE_DATE = re.compile(
    r"(\d{4})-(\d{2})-(\d{2}) (\d{2}):(\d{2}):(\d{2})(?: ([+-])(\d{2})(\d{2}))?"
)
_ONLY_OFFSET = re.compile(r"^\s*(?:[+-]\d{2}:?\d{2}|Z|UTC|GMT)?\s*$", re.IGNORECASE)
#: Words that a date parser turns into the time of loading: a publication time is never one.
_RELATIVE = re.compile(r"\b(?:now|today|tomorrow|yesterday|tonight)\b", re.IGNORECASE)
#: ``1/2/3``, ``01.02.2022``, ``10-01-2022``: the day/month order is a guess (US or
#: European); refused.
_AMBIGUOUS = re.compile(r"(?<![\d/.-])\d{1,2}([/.-])\d{1,2}\1\d{1,4}(?![\d/.-])")
#: A year: four digits (not an offset such as ``+0800``), or the start of ``YYYYMMDD``.
_YEAR = re.compile(r"(?<![\d+-])\d{4}(?!\d)|(?<!\d)\d{8}(?!\d)|(?<=\d{2}-\d{2}-)\d{4}")
#: Years of a publication time (after conversion to Beijing time).
YEARS: Final = (1900, 2200)


class PostProblem(Exception):
    """Why one input could not become an article (internal; see ``News.skipped``).

    Parameters
    ----------
    reason
        Reason code (see the module docstring).
    message
        Human-readable detail.
    article_id
        The article's id when it can still be recovered (share link, file name,
        ``article_id`` cell), else ``None``.
    """

    def __init__(self, reason: str, message: str, article_id: str | None = None) -> None:
        super().__init__(message)
        self.reason = reason
        self.message = message
        self.article_id = article_id


def split_front_matter(text: str) -> tuple[dict[str, Any], str]:
    """Split a post into its front-matter mapping and the body after it.

    Leading blank lines and a byte-order mark before the first ``---`` are allowed.

    Raises
    ------
    PostProblem
        ``empty_file``, ``no_front_matter``, ``broken_front_matter`` or
        ``bad_front_matter``.

    Examples
    --------
    >>> split_front_matter("no header")
    Traceback (most recent call last):
    ...
    eventstudy.news.frontmatter.PostProblem: the file does not start with a '---' front-matter line
    """
    s = text.lstrip("\ufeff \t\r\n")
    if not s:
        raise PostProblem("empty_file", "the file is empty")
    first_nl = s.find("\n")
    first = s if first_nl == -1 else s[:first_nl]
    if first.strip() != "---":
        raise PostProblem(
            "no_front_matter", "the file does not start with a '---' front-matter line"
        )
    m = _CLOSE.search(s, first_nl + 1) if first_nl != -1 else None
    if m is None:
        raise PostProblem("broken_front_matter", "the front matter has no closing '---' line")
    header = s[first_nl + 1 : m.start()]
    if len(header) > MAX_FRONT_MATTER:
        raise PostProblem(
            "bad_front_matter",
            f"the front matter is {len(header)} characters long (limit {MAX_FRONT_MATTER})",
        )
    simple = simple_mapping(header)
    if simple is not None:
        return simple, s[m.end() :]
    try:
        data = yaml.load(header, Loader=_Loader)
    except (yaml.YAMLError, RecursionError) as err:
        detail = " ".join(str(err).split())[:200]
        raise PostProblem("bad_front_matter", f"invalid YAML front matter: {detail}") from None
    if data is None:
        data = {}
    if not isinstance(data, dict):
        raise PostProblem(
            "bad_front_matter", f"the front matter is a {type(data).__name__}, not a mapping"
        )
    return data, s[m.end() :]


def simple_mapping(header: str) -> dict[str, str] | None:
    """The front matter as PyYAML's base loader reads it, when it is simple; else ``None``.

    Simple: every line is ``key: value`` (or blank) with a plain value that has no
    YAML indicator, or a quoted value without quotes or escapes inside; anything
    else is left to PyYAML. A fast path: a post's header is a few such lines.

    Examples
    --------
    >>> simple_mapping('title: "白酒: 新高"\\ndate: 2022-01-10 11:33:36 +0800\\ntags:')
    {'title': '白酒: 新高', 'date': '2022-01-10 11:33:36 +0800', 'tags': ''}
    >>> simple_mapping("title: [a, b]") is None
    True
    """
    if "\t" in header or "\r" in header:
        return None
    out: dict[str, str] = {}
    for line in header.split("\n"):
        if not line.strip(" "):
            continue
        m = _SIMPLE_LINE.match(line)
        if m is None:
            return None
        value = m.group(2) or ""
        if value[:1] in ('"', "'"):
            inner = value[1:-1]
            if len(value) < 2 or value[-1] != value[0] or value[0] in inner or "\\" in inner:
                return None
            value = inner
        elif value and (
            value[0] in _INDICATORS or ": " in value or " #" in value or value.endswith(":")
        ):
            return None
        out[m.group(1)] = value
    return out


def text_value(meta: dict[str, Any], key: str) -> str | None:
    """A front-matter value as text: a string, or a flat list of strings joined by spaces.

    Raises
    ------
    PostProblem
        ``bad_front_matter`` for nested values (mappings, lists of lists).

    Examples
    --------
    >>> text_value({"tags": ["a", "b"]}, "tags"), text_value({}, "tags")
    ('a b', None)
    """
    value = meta.get(key)
    if value is None or isinstance(value, str):
        return value
    if isinstance(value, list) and all(isinstance(v, str) for v in value):
        return " ".join(value)
    raise PostProblem(
        "bad_front_matter", f"front-matter key {key!r} is a {type(value).__name__}, expected text"
    )


def date_text(meta: dict[str, Any]) -> str | None:
    """The ``date`` of a front matter: one text value (a list is refused, not joined).

    Raises
    ------
    PostProblem
        ``bad_date`` for a list (``[2022-01-10, 2022-01-11]``), ``bad_front_matter``
        for a mapping.

    Examples
    --------
    >>> date_text({"date": "2022-01-10 11:33:36 +0800"})
    '2022-01-10 11:33:36 +0800'
    >>> date_text({"date": ["2022-01-10", "2022-01-11"]})
    Traceback (most recent call last):
    ...
    eventstudy.news.frontmatter.PostProblem: date is a list ['2022-01-10', '2022-01-11']: ...
    """
    value = meta.get("date")
    if isinstance(value, list):
        raise PostProblem("bad_date", f"date is a list {value!r}: give one publication time")
    return text_value(meta, "date")


def _simple_date(m: re.Match[str]) -> dt.datetime | None:
    """``YYYY-MM-DD HH:MM:SS [+HHMM]`` without strptime (``None`` if not a valid time)."""
    y, mo, d, h, mi, sec, sign, oh, om = m.groups()
    tz = None
    if sign is not None:
        offset = dt.timedelta(hours=int(oh), minutes=int(om))
        tz = dt.timezone(-offset if sign == "-" else offset)
    try:
        return dt.datetime(int(y), int(mo), int(d), int(h), int(mi), int(sec), tzinfo=tz)
    except ValueError:
        return None


def _parse_text(value: str) -> dt.datetime:
    s = " ".join(value.split())
    if (fast := _SIMPLE_DATE.fullmatch(s)) is not None and (result := _simple_date(fast)):
        return result
    if _ONLY_OFFSET.match(s):
        raise PostProblem("missing_date", f"no publication time (date is {value!r})")
    for fmt in _FORMATS:
        try:
            return dt.datetime.strptime(s, fmt)
        except ValueError:
            continue
    _refuse_guesses(value, s)
    try:
        ts = pd.Timestamp(s)
    except (ValueError, TypeError, OverflowError):
        ts = None
    if ts is None or pd.isna(ts):
        raise PostProblem("bad_date", f"unparseable publication time {value!r}") from None
    return ts.to_pydatetime()


def _refuse_guesses(value: str, s: str) -> None:
    """Refuse what a lenient date parser would guess: relative words, d/m order, no year, two dates.

    Raises
    ------
    PostProblem
        ``bad_date`` naming the value and why.
    """
    why = None
    if _RELATIVE.search(s):
        why = "a relative time (it would become the time of loading)"
    elif _AMBIGUOUS.search(s):
        why = "an ambiguous date (day/month order unknown)"
    else:
        n_years = len(_YEAR.findall(s))
        if n_years == 0:
            why = "without a four-digit year"
        elif n_years > 1:
            why = "more than one date"
    if why is not None:
        raise PostProblem(
            "bad_date",
            f"publication time {value!r}: {why}; write it as YYYY-MM-DD HH:MM:SS [+0800]",
        )


def _in_range(result: dt.datetime, value: object) -> dt.datetime:
    """``result`` in Beijing time, if its year there is within :data:`YEARS`."""
    lo, hi = YEARS
    converted = None
    if lo - 1 <= result.year <= hi + 1:  # astimezone near datetime.min/max would overflow
        converted = result.replace(tzinfo=TZ) if result.tzinfo is None else result.astimezone(TZ)
    if converted is None or not lo <= converted.year <= hi:
        raise PostProblem(
            "bad_date", f"publication time {value!r} is outside {lo}..{hi} (Beijing time)"
        )
    return converted


def _missing(value: Any) -> bool:
    try:
        return bool(pd.isna(value))
    except (TypeError, ValueError):
        return False


def parse_published(value: object) -> dt.datetime:
    """Parse a publication time into an aware ``datetime`` in Asia/Shanghai.

    Parameters
    ----------
    value
        A string such as ``2022-01-10 11:33:36 +0800`` (naive times are Beijing
        time), a ``datetime``/``pandas.Timestamp``, or ``None``.

    Raises
    ------
    PostProblem
        ``missing_date`` (empty, or only an offset), ``bad_date`` (unparseable,
        or outside 1900..2200).

    Examples
    --------
    >>> str(parse_published("2021-12-08 10:46:18"))
    '2021-12-08 10:46:18+08:00'
    >>> str(parse_published("2022-05-28T19:54:18Z"))
    '2022-05-29 03:54:18+08:00'
    >>> parse_published(" +0800")
    Traceback (most recent call last):
    ...
    eventstudy.news.frontmatter.PostProblem: no publication time (date is ' +0800')
    """
    if value is None or (not isinstance(value, str | dt.date) and _missing(value)):
        raise PostProblem("missing_date", "no publication time (date is missing)")
    result: dt.datetime | None = None
    if isinstance(value, dt.datetime):
        result = value
    elif isinstance(value, dt.date):
        result = dt.datetime(value.year, value.month, value.day)
    elif isinstance(value, str):
        result = _parse_text(value)
    else:
        raise PostProblem("bad_date", f"publication time of type {type(value).__name__}: {value!r}")
    return _in_range(result, value)
