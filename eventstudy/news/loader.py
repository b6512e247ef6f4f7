"""Reading news inputs (Jekyll posts or tables) into article records.

One input (a file, or a table row) becomes either one article record or one
:class:`~eventstudy.news.frontmatter.PostProblem` (skipped, with a reason).
:func:`load_news` then removes duplicates and tags the articles.

Post body layout (as in the Eastmoney mirror): optional ``> summary`` lines,
the article HTML, a Markdown autolink line ``<http://...NewsShare.html?infoCode=...>``
(the article id and URL) and Markdown navigation links, which are dropped.
Only those single Markdown lines are matched by pattern; the HTML goes through
:func:`eventstudy.news.html.parse_html`.

Encodings: UTF-8 with or without BOM, UTF-16 with BOM, GB18030 (a superset of
GBK/GB2312); a UTF-8 file with a few damaged bytes, and bytes that fit none,
are decoded as UTF-8 with U+FFFD replacement and the article carries an
``invalid_encoding`` warning (see :func:`decode`). CRLF and CR line ends
are normalised.

Examples
--------
>>> rec = parse_post("---\\ntitle: t\\ndate: 2022-01-10 11:33:36 +0800\\n---\\n<p>白酒</p>\\n\\n"
...                  "<http://x/NewsShare.html?infoCode=NW2022>\\n", origin="a.md")
>>> rec.article_id, rec.text, rec.url
('NW2022', '白酒', 'http://x/NewsShare.html?infoCode=NW2022')
>>> decode(b"\\xef\\xbb\\xbf\\xe7\\x99\\xbd\\xe9\\x85\\x92")
('白酒', None)
"""

from __future__ import annotations

import datetime as dt
import functools
import hashlib
import io
import os
import re
import warnings
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Final

import numpy as np
import pandas as pd

from eventstudy.exceptions import EventStudyWarning, InputDataError
from eventstudy.news.frontmatter import (
    PostProblem,
    date_text,
    parse_published,
    split_front_matter,
    text_value,
)
from eventstudy.news.html import Mark, clean_string, parse_html, plain_text
from eventstudy.news.quotes import symbol_of

__all__ = [
    "POST_SUFFIXES",
    "TABLE_SUFFIXES",
    "Inputs",
    "Record",
    "SkippedInput",
    "TableSource",
    "common_share",
    "decode",
    "decode_lines",
    "join_day_time",
    "parse_post",
    "parse_row",
    "read_post",
    "resolve_inputs",
    "resolve_source",
]

POST_SUFFIXES: Final = frozenset({".md", ".markdown", ".txt", ".html", ".htm"})
TABLE_SUFFIXES: Final = frozenset({".csv", ".tsv", ".parquet", ".pq", ".jsonl", ".ndjson", ".json"})

_AUTOLINK = re.compile(r"<(https?://[^<>\s]+)>")
_NAV = re.compile(r"(?:\[[^\]\n]*\]\([^)\n]*\)\s*[｜|]?\s*)+")
_INFOCODE = re.compile(r"[?&]infoCode=([0-9A-Za-z]{4,40})")
_NEWS_URL = re.compile(r"eastmoney\.com/(?:news/\d+,|a/)([0-9]{10,24})\.html")
_SOURCE = re.compile(r"文章来源[：:]\s*([^）)\n]{1,40})")
_TRAILING_SOURCE = re.compile(r"[（(]([^（）()\n]{2,16})[）)]\s*$")
_HTMLISH = re.compile(r"<[A-Za-z!/]")
#: An Eastmoney article id: an optional short upper-case prefix (``NW``, ``AN``) and 16-20 digits.
_EASTMONEY_ID = re.compile(r"[A-Z]{0,3}([0-9]{16,20})")

#: Column names recognised in tables (first match wins, case-insensitive).
COLUMN_ALIASES: Final[dict[str, tuple[str, ...]]] = {
    "title": ("title", "headline", "新闻标题", "标题"),
    "published_at": (
        "published_at",
        "publish_time",
        "datetime",
        "date",
        "time",
        "pub_time",
        "发布时间",
        "时间",
    ),
    "text": ("text", "content", "body", "html", "新闻内容", "内容", "摘要", "summary"),
    "publisher": ("publisher", "source", "media", "文章来源", "来源"),
    "url": ("url", "link", "新闻链接", "链接"),
    "article_id": ("article_id", "id", "info_code", "infocode"),
    "category": ("category", "categories", "feed"),
    "query": ("关键词", "keyword", "query"),
    # a separate date column: ``published_at`` then holds only the time of day (CLS telegraph)
    "published_day": ("published_date", "发布日期"),
}


@dataclass(slots=True)
class Record:
    """One parsed article before de-duplication and tagging (internal)."""

    article_id: str
    id_key: str | None
    title: str
    published_at: dt.datetime
    publisher: str | None
    category: str | None
    url: str | None
    text: str
    origin: str
    marks: list[Mark] = field(default_factory=list)
    query: list[str] = field(default_factory=list)
    query_text: str = ""
    warnings: list[str] = field(default_factory=list)


#: UTF-8 with errors is kept as UTF-8 (bytes replaced) when it has at least this many
#: valid non-ASCII characters per invalid byte sequence; GBK/GB18030 text read as UTF-8
#: has far fewer (at most 0.39 on the bundled posts saved as GB18030).
MOSTLY_UTF8_RATIO: Final = 4


def decode(data: bytes) -> tuple[str, str | None]:
    """Decode file bytes; returns the text and a warning (``None`` when clean).

    Order: a UTF-8 or UTF-16 byte-order mark; strict UTF-8; UTF-8 with a few
    invalid byte sequences (at least :data:`MOSTLY_UTF8_RATIO` valid non-ASCII
    characters per invalid sequence: a damaged UTF-8 file, decoded with U+FFFD
    replacement and an ``invalid_encoding`` warning, rather than GB18030
    garbage); strict GB18030 (a superset of GBK/GB2312) or Big5, whichever gives
    more common characters (:func:`common_share`; with a warning when even the
    better one is below :data:`PLAUSIBLE_SHARE`); else UTF-8 with replacement and
    a warning. Never garbled in silence.

    Examples
    --------
    >>> decode("白酒".encode("gb18030"))
    ('白酒', None)
    >>> decode("台積電營收創新高".encode("big5"))
    ('台積電營收創新高', None)
    >>> decode(b"ok\\xff\\xfe\\xfa")[1]
    'invalid_encoding: not UTF-8, UTF-16, GB18030 or Big5; undecodable bytes replaced'
    >>> decode("贵州茅台与五粮液".encode()[:-4] + "白酒板块".encode())
    ('贵州茅台与五�白酒板块', 'invalid_encoding: UTF-8 with 1 invalid byte sequence(s), replaced')
    """
    if data.startswith(b"\xef\xbb\xbf"):
        data = data[3:]
    elif data.startswith((b"\xff\xfe", b"\xfe\xff")):
        try:
            return data.decode("utf-16"), None
        except UnicodeDecodeError:
            pass
    try:
        return data.decode("utf-8"), None
    except UnicodeDecodeError:
        pass
    replaced = data.decode("utf-8", errors="replace")
    n_replacement = replaced.count("\ufffd")
    n_bad = n_replacement - data.count(b"\xef\xbf\xbd")  # U+FFFD written in the file
    n_valid = len(replaced) - len(replaced.encode("ascii", errors="ignore")) - n_replacement
    if n_valid >= MOSTLY_UTF8_RATIO * n_bad:
        return (
            replaced,
            f"invalid_encoding: UTF-8 with {n_bad} invalid byte sequence(s), replaced",
        )
    best = _best_legacy(data)
    if best is None:
        return (
            replaced,
            "invalid_encoding: not UTF-8, UTF-16, GB18030 or Big5; undecodable bytes replaced",
        )
    text, encoding, share = best
    if share < PLAUSIBLE_SHARE:
        return (
            text,
            f"invalid_encoding: decoded as {encoding}, but only {share:.0%} of its characters "
            "are common Chinese: check the file's encoding",
        )
    return text, None


#: Legacy Chinese encodings tried when bytes are not UTF-8: GB18030 (a superset of
#: GBK/GB2312, mainland) and Big5 (Hong Kong, Taiwan), the more plausible first.
LEGACY_ENCODINGS: Final = ("gb18030", "big5")
#: A decoding is plausible when at least this share of its non-ASCII characters are
#: common: punctuation or a first-level character of GB2312 (3,755 simplified) or Big5
#: (5,401 traditional). Real news scores 0.98-1.0; Big5 bytes read as GB18030 about
#: 0.35, GB18030 bytes read as Big5 at most 0.78, on the bundled posts.
PLAUSIBLE_SHARE: Final = 0.8


def _rows(encoding: str, leads: Iterable[int], trails: Iterable[int]) -> set[str]:
    pairs = (bytes((lead, trail)) for lead in leads for trail in trails)
    return {c for b in pairs for c in b.decode(encoding, errors="ignore")}


@functools.cache
def _uncommon() -> re.Pattern[str]:
    """Matches runs of uncommon characters: not ASCII, not punctuation or a first-level
    character of GB2312 or Big5 (built once, from the code tables)."""
    gb_trails = range(0xA1, 0xFF)
    big5_trails = [*range(0x40, 0x7F), *range(0xA1, 0xFF)]
    common = _rows("gb2312", [0xA1, 0xA2, 0xA3, *range(0xB0, 0xD8)], gb_trails)
    common |= _rows("big5", range(0xA1, 0xC7), big5_trails)
    common |= {chr(c) for c in range(0x3000, 0x3040)} | {chr(c) for c in range(0xFF01, 0xFF5F)}
    allowed = "".join(re.escape(c) for c in sorted(common))
    return re.compile(f"[^\\x00-\\x7f{allowed}]+")


def common_share(text: str) -> float:
    """The share of the non-ASCII characters of ``text`` that are common (1.0 if none).

    Common: CJK punctuation and full-width forms, or a first-level character of GB2312
    or Big5. Text decoded with the wrong encoding is mostly rare characters.

    Examples
    --------
    >>> big5 = "台積電營收創新高，半導體類股走強。".encode("big5")
    >>> common_share(big5.decode("big5")), round(common_share(big5.decode("gb18030")), 2)
    (1.0, 0.41)
    """
    non_ascii = len(text) - len(text.encode("ascii", errors="ignore"))
    if not non_ascii:
        return 1.0
    uncommon = sum(m.end() - m.start() for m in _uncommon().finditer(text))
    return 1.0 - uncommon / non_ascii


def _best_legacy(data: bytes) -> tuple[str, str, float] | None:
    """The most plausible strict decoding among :data:`LEGACY_ENCODINGS` (text, name, share)."""
    best: tuple[str, str, float] | None = None
    for encoding in LEGACY_ENCODINGS:
        try:
            text = data.decode(encoding)
        except UnicodeDecodeError:
            continue
        share = common_share(text)
        if best is None or share > best[2]:
            best = (text, "Big5" if encoding == "big5" else "GB18030", share)
    return best


def decode_lines(data: bytes) -> tuple[str, int]:
    """Decode a text table line by line; returns the text and the number of bad lines.

    A file that is all UTF-8 (or has a byte-order mark) is decoded whole. Otherwise
    each line is decoded on its own: strict UTF-8, else the legacy encoding
    (:data:`LEGACY_ENCODINGS`) that gives the most common characters for the file's
    non-UTF-8 lines, else the other one; a line that none decodes plausibly (at
    least :data:`PLAUSIBLE_SHARE` common characters) is a *bad line*, decoded with
    U+FFFD replacement so that its row can be found and skipped (``bad_encoding``),
    never kept garbled. A CSV saved by Excel as GBK with one UTF-8 row, or the
    reverse, is read correctly.

    Examples
    --------
    >>> mixed = "标题,时间\\n".encode() + "白酒板块走强,2022-01-10\\n".encode("gbk")
    >>> decode_lines(mixed)
    ('标题,时间\\n白酒板块走强,2022-01-10\\n', 0)
    >>> decode_lines(b"a,b\\n\\xff\\xfe\\xfa,1\\n")[1]
    1
    """
    if data.startswith(b"\xef\xbb\xbf"):
        data = data[3:]
    elif data.startswith((b"\xff\xfe", b"\xfe\xff")):
        try:
            return data.decode("utf-16"), 0
        except UnicodeDecodeError:
            pass
    try:
        return data.decode("utf-8"), 0
    except UnicodeDecodeError:
        pass
    lines = data.split(b"\n")
    texts: list[str | None] = []
    for line in lines:
        try:
            texts.append(line.decode("utf-8"))
        except UnicodeDecodeError:
            texts.append(None)
    legacy = b"\n".join(b for b, t in zip(lines, texts, strict=True) if t is None)
    best = _best_legacy(legacy)
    first = "big5" if best is not None and best[1] == "Big5" else "gb18030"
    order = (first, *(e for e in LEGACY_ENCODINGS if e != first))
    n_bad = 0
    for i, line in enumerate(lines):
        if texts[i] is None:
            texts[i] = _legacy_line(line, order)
            if texts[i] is None:
                n_bad += 1
                texts[i] = line.decode("utf-8", errors="replace")
    return "\n".join(t for t in texts if t is not None), n_bad


def _legacy_line(line: bytes, order: Iterable[str]) -> str | None:
    """``line`` decoded with the first encoding of ``order`` that gives plausible text."""
    for encoding in order:
        try:
            text = line.decode(encoding)
        except UnicodeDecodeError:
            continue
        if common_share(text) >= PLAUSIBLE_SHARE:
            return text
    return None


def _one_line(value: str | None) -> str:
    return " ".join(clean_string(value).split()) if value else ""


def _content_id(title: str, published: dt.datetime, text: str) -> str:
    h = hashlib.sha1(f"{title}\n{published.isoformat()}\n{text}".encode(errors="replace"))
    return "h" + h.hexdigest()[:16]


def _id_from_url(url: str | None) -> str | None:
    if not url:
        return None
    if m := _INFOCODE.search(url):
        return m.group(1)
    if m := _NEWS_URL.search(url):
        return m.group(1)
    return None


def _id_key(article_id: str) -> str:
    """Key under which two ids are the same article.

    Only Eastmoney ids are normalised (``NW202201102241785025`` and
    ``202201102241785025`` are one article); any other id is compared as given.

    Examples
    --------
    >>> _id_key("NW202201102241785025"), _id_key("reuters-20240329-0001")
    ('202201102241785025', 'reuters-20240329-0001')
    """
    m = _EASTMONEY_ID.fullmatch(article_id)
    return m.group(1) if m else article_id


def _share_link_id(lines: Iterable[str]) -> str | None:
    """The infoCode of the first share-link line (``<http://...?infoCode=...>``)."""
    for line in lines:
        s = line.strip()
        m = _AUTOLINK.fullmatch(s) if s.startswith("<http") else None
        if m and (info := _id_from_url(m.group(1))):
            return info
    return None


def _file_name_id(origin: str) -> str | None:
    """An Eastmoney id at the end of a Jekyll file name (``2022-01-10-NW2022....md``)."""
    last = Path(origin).stem.rsplit("-", 1)[-1]
    return last if _EASTMONEY_ID.fullmatch(last) else None


def _recover_id(err: PostProblem, text: str, origin: str) -> PostProblem:
    """Attach the id of a post that cannot be read (share link, else file name) to ``err``."""
    if err.article_id is None:
        err.article_id = _share_link_id(text.split("\n")) or _file_name_id(origin)
    return err


def _publisher(text: str, summary: str, tags: str | None, category: str | None) -> str | None:
    found = _SOURCE.findall(text)
    if found:
        return found[-1].strip() or None
    if summary and (m := _TRAILING_SOURCE.search(summary)):
        return m.group(1).strip()
    if tags and category != "emnews":
        name = tags.strip()
        if name.endswith("新闻") and len(name) > 2:
            name = name[:-2]
        return name or None
    return None


def parse_post(text: str, *, origin: str) -> Record:
    """Parse the text of one Jekyll post.

    Raises
    ------
    PostProblem
        With the reason code of the front-matter or date problem.
    """
    text = text.replace("\r\n", "\n").replace("\r", "\n")
    try:
        meta, body = split_front_matter(text)
        title = _one_line(text_value(meta, "title"))
        published = parse_published(date_text(meta))
    except PostProblem as err:
        raise _recover_id(err, text, origin) from None
    category = _one_line(text_value(meta, "categories")) or None
    tags = _one_line(text_value(meta, "tags")) or None
    content: list[str] = []
    summary: list[str] = []
    links: list[str] = []
    for line in body.split("\n"):
        s = line.strip()
        if s.startswith("<http") and (m := _AUTOLINK.fullmatch(s)):
            links.append(m.group(1))
        elif s == "<>" or (s.startswith("[") and _NAV.fullmatch(s)):
            continue
        elif s == ">" or s.startswith("> "):
            summary.append(s[1:])
        else:
            content.append(line)
    doc = parse_html("\n".join(content))
    summary_text = plain_text("\n".join(summary)) if summary else ""
    article_text = doc.text or summary_text
    url = next((u for u in links if _id_from_url(u)), links[0] if links else None)
    info = _id_from_url(url)
    article_id = info if info else _content_id(title, published, article_text)
    return Record(
        article_id=article_id,
        id_key=_id_key(info) if info else None,
        title=title,
        published_at=published,
        publisher=_publisher(article_text, summary_text, tags, category),
        category=category,
        url=url,
        text=article_text,
        origin=origin,
        marks=doc.marks,
        warnings=doc.warnings,
    )


def read_post(path: Path) -> Record:
    """Read and parse one post file (nothing but the file itself is read).

    Raises
    ------
    PostProblem
        ``unreadable`` if the file cannot be read, else as :func:`parse_post`.
    """
    try:
        data = path.read_bytes()
    except OSError as err:
        raise PostProblem(
            _os_reason(err),
            f"cannot read the file: {err.strerror or err}",
            _file_name_id(str(path)),
        ) from None
    if not data.strip():
        raise PostProblem("empty_file", "the file is empty", _file_name_id(str(path)))
    text, warning = decode(data)
    record = parse_post(text, origin=str(path))
    if warning:
        record.warnings.append(warning)
    return record


def _cell(row: dict[str, Any], key: str) -> Any:
    value = row.get(key)
    if value is None:
        return None
    try:
        if pd.isna(value):
            return None
    except (TypeError, ValueError):  # arrays, lists: not missing
        pass
    return value


_INTEGER_TEXT = re.compile(r"([0-9]{1,6})(?:\.0*)?")


def _query_symbols(value: Any) -> list[str]:
    """Securities named by a 关键词 cell (akshare ``stock_news_em``: an A-share code).

    Integer-like values of up to 6 digits are zero-padded to a 6-digit code
    (``858``, ``858.0``, ``"858"`` → ``000858.SZ``): a code column read without
    ``dtype=str`` loses its leading zeros. Other text is parsed as a symbol.

    Examples
    --------
    >>> _query_symbols(858), _query_symbols("600519.0"), _query_symbols("sz000858")
    (['000858.SZ'], ['600519.SH'], ['000858.SZ'])
    >>> _query_symbols(True), _query_symbols(858.5), _query_symbols(-858)
    ([], [], [])
    """
    if value is None or isinstance(value, bool | np.bool_):
        return []
    if isinstance(value, int | np.integer):
        s = str(int(value))
    elif isinstance(value, float | np.floating):
        s = str(int(value)) if np.isfinite(value) and float(value).is_integer() else ""
    else:
        s = str(value).strip()
    if m := _INTEGER_TEXT.fullmatch(s):
        from eventstudy.symbols import from_akshare

        try:
            return [from_akshare(m.group(1).zfill(6), kind="stock").canonical]
        except ValueError:
            return []
    sym = symbol_of(s) if s.isascii() and s else None
    return [sym.canonical] if sym is not None else []


_TIME_OF_DAY = re.compile(r"[0-9]{1,2}:[0-9]{2}(?::[0-9]{2}(?:\.[0-9]{1,6})?)?")


def join_day_time(day: Any, time_of_day: Any) -> Any:
    """One publication time from a date and a time-of-day value (Beijing time).

    The CLS telegraph frame of akshare (``stock_info_global_cls``) has the date in
    发布日期 (a ``datetime.date``) and only the time of day in 发布时间 (a
    ``datetime.time``); saved to CSV they are text (``2024-06-03``, ``09:31:05``).
    A ``time_of_day`` that already holds a date (a full timestamp) is returned
    as it is, and so is ``day`` when ``time_of_day`` is missing (midnight then).

    Examples
    --------
    >>> import datetime as dt
    >>> join_day_time(dt.date(2024, 6, 3), dt.time(9, 31, 5))
    datetime.datetime(2024, 6, 3, 9, 31, 5)
    >>> join_day_time("2024-06-03", "09:31:05")
    '2024-06-03 09:31:05'
    >>> join_day_time("2024-06-03", "2024-06-03 09:31:05")
    '2024-06-03 09:31:05'
    """
    if time_of_day is None:
        return day
    if isinstance(time_of_day, dt.time):
        text = time_of_day.isoformat()
    elif isinstance(time_of_day, str) and _TIME_OF_DAY.fullmatch(time_of_day.strip()):
        text = time_of_day.strip()
    else:  # a full timestamp, or a value parse_published will reject
        return time_of_day
    if isinstance(day, dt.datetime):  # also pandas.Timestamp
        day = day.date()
    if isinstance(day, dt.date):
        padded = f"0{text}" if text[1] == ":" else text  # 9:31 -> 09:31
        return dt.datetime.combine(day, dt.time.fromisoformat(padded))
    return f"{str(day).strip()} {text}"


def _row_published(row: dict[str, Any]) -> dt.datetime:
    """The publication time of a row (``published_at``, joined with ``published_day``)."""
    value = _cell(row, "published_at")
    day = _cell(row, "published_day")
    return parse_published(value if day is None else join_day_time(day, value))


def parse_row(row: dict[str, Any], *, origin: str) -> Record:
    """Parse one table row whose keys are the canonical names of :data:`COLUMN_ALIASES`.

    Raises
    ------
    PostProblem
        ``empty_row`` (no title and no text), ``missing_date``, ``bad_date``.
    """
    title = _one_line(str(_cell(row, "title") or ""))
    raw_text = _cell(row, "text")
    raw = "" if raw_text is None else str(raw_text)
    if raw and _HTMLISH.search(raw):
        doc = parse_html(raw)
        text, marks, warnings = doc.text, doc.marks, doc.warnings
    else:
        text, marks, warnings = plain_text(raw), [], []
    url = _cell(row, "url")
    url = _one_line(str(url)) or None if url is not None else None
    given = _cell(row, "article_id")
    given_id = _one_line(str(given)) if given is not None else ""
    info = given_id or _id_from_url(url)
    if not title and not text:
        raise PostProblem("empty_row", "the row has neither a title nor a text", info or None)
    try:
        published = _row_published(row)
    except PostProblem as err:
        err.article_id = info or None
        raise
    publisher = _cell(row, "publisher")
    category = _cell(row, "category")
    query = _cell(row, "query")
    return Record(
        article_id=info if info else _content_id(title, published, text),
        id_key=_id_key(info) if info else None,
        title=title,
        published_at=published,
        publisher=_one_line(str(publisher)) or None
        if publisher is not None
        else _publisher(text, "", None, None),
        category=_one_line(str(category)) or None if category is not None else None,
        url=url,
        text=text,
        origin=origin,
        marks=marks,
        query=_query_symbols(query),
        query_text="" if query is None else _one_line(str(query)),
        warnings=warnings,
    )


def _check_unique_columns(frame: pd.DataFrame) -> None:
    """Refuse a repeated field column (also differing in case or spaces: ``Title``, ``title``)."""
    known = {a.lower() for aliases in COLUMN_ALIASES.values() for a in aliases}
    seen: dict[str, list[str]] = {}
    for c in frame.columns:
        seen.setdefault(str(c).strip().lower(), []).append(str(c))
    repeated = [names for key, names in seen.items() if len(names) > 1 and key in known]
    if repeated:
        raise InputDataError(
            f"the news table has repeated column names {repeated[:5]}: which one holds the "
            "field is a guess; drop or rename the repeats"
        )


def canonical_columns(frame: pd.DataFrame) -> dict[str, str]:
    """Map canonical field names to the columns of ``frame`` that hold them.

    Raises
    ------
    InputDataError
        If no publication-time column, or neither a title nor a text column, is present,
        or a column name is repeated (case and spaces ignored).

    Examples
    --------
    >>> canonical_columns(pd.DataFrame(columns=["关键词", "新闻标题", "新闻内容", "发布时间"]))
    {'title': '新闻标题', 'published_at': '发布时间', 'text': '新闻内容', 'query': '关键词'}
    """
    _check_unique_columns(frame)
    lower = {str(c).strip().lower(): c for c in frame.columns}
    found: dict[str, str] = {}
    for key, aliases in COLUMN_ALIASES.items():
        for alias in aliases:
            if alias.lower() in lower:
                found[key] = lower[alias.lower()]
                break
    if "published_at" not in found:
        raise InputDataError(
            f"the news table has no publication-time column (have {list(frame.columns)}); "
            f"name one of {list(COLUMN_ALIASES['published_at'])}"
        )
    if "title" not in found and "text" not in found:
        raise InputDataError(
            f"the news table has neither a title nor a text column (have {list(frame.columns)}); "
            f"expected one of {list(COLUMN_ALIASES['title'] + COLUMN_ALIASES['text'])}"
        )
    return found


#: Key of ``DataFrame.attrs`` under which :func:`read_table` lists the positions of the
#: rows with bytes in no known encoding (skipped as ``bad_encoding`` by ``load_news``).
TABLE_BAD_ROWS: Final = "eventstudy_bad_encoding_rows"


def read_table(path: Path) -> pd.DataFrame:
    """Read a CSV/TSV, Parquet or JSON(-lines) news table; every CSV cell as text.

    Text tables are decoded line by line (:func:`decode_lines`: UTF-8 with or
    without BOM, UTF-16 with BOM, GB18030/GBK as Excel saves CSV files in China,
    Big5; one file may mix them). The rows of lines that no encoding decodes are
    listed in ``frame.attrs[TABLE_BAD_ROWS]``: :func:`~eventstudy.news.load_news`
    skips them as ``bad_encoding`` instead of keeping garbled text.

    Raises
    ------
    InputDataError
        If the file cannot be read as a table.
    """
    suffix = path.suffix.lower()
    try:
        if suffix in (".parquet", ".pq"):
            return pd.read_parquet(path)
        text, n_bad = decode_lines(path.read_bytes())
        if suffix in (".csv", ".tsv"):
            frame = pd.read_csv(io.StringIO(text), dtype=str, sep="\t" if suffix == ".tsv" else ",")
        elif suffix in (".jsonl", ".ndjson"):
            frame = pd.read_json(io.StringIO(text), lines=True, dtype=False)
        else:
            try:
                frame = pd.read_json(io.StringIO(text), lines=True, dtype=False)
            except ValueError:
                frame = pd.read_json(io.StringIO(text), dtype=False)
    except (OSError, ValueError, ImportError) as err:
        raise InputDataError(
            f"cannot read the news table {str(path)!r}: {err}; check that it is a "
            f"{suffix.lstrip('.').upper()} file with a header row, or load it yourself into a "
            "DataFrame and pass that"
        ) from None
    if n_bad:
        frame.attrs[TABLE_BAD_ROWS] = _replaced_rows(frame)
    return frame


def _replaced_rows(frame: pd.DataFrame) -> list[int]:
    """Positions of the rows with a U+FFFD (a bad line decoded with replacement) in a cell."""
    hit = np.zeros(len(frame), dtype=bool)
    for i in range(frame.shape[1]):
        column = frame.iloc[:, i]
        if column.dtype == object or pd.api.types.is_string_dtype(column.dtype):
            hit |= column.map(lambda v: isinstance(v, str) and "\ufffd" in v).to_numpy(bool)
    return [int(i) for i in np.flatnonzero(hit)]


@dataclass(frozen=True, slots=True)
class TableSource:
    """A news table read row by row; ``label`` names it in ``origin`` (``row``: a DataFrame).

    ``start``: the number of the frame's first row in ``origin`` (a slice of a larger
    table, as the Dask engine parses it, keeps the row numbers of the whole table).
    """

    frame: pd.DataFrame
    label: str
    start: int = 0


@dataclass(frozen=True, slots=True)
class SkippedInput:
    """A file or folder of a news folder that could not be read (one row of ``News.skipped``).

    ``reason``: ``permission_denied`` (no read permission), ``outside_root`` (a
    symbolic link leaving the folder: not followed), ``unreadable`` (a broken link,
    another OS error) or ``bad_table`` (a table file that cannot be read as news).
    """

    origin: str
    reason: str
    message: str


@dataclass(frozen=True, slots=True)
class Inputs:
    """What a news source holds: posts and tables in order, what was skipped, and the root.

    ``root`` is the folder the inputs' paths are written relative to in shared
    files (the folder given; the common folder of the files given; ``None`` for
    a DataFrame).
    """

    items: list[Path | TableSource]
    skipped: list[SkippedInput] = field(default_factory=list)
    root: Path | None = None


def _is_table(path: Path) -> bool:
    return path.suffix.lower() in TABLE_SUFFIXES


def _common_root(paths: Iterable[Path]) -> Path | None:
    parents = [os.path.abspath(p.parent) for p in paths]
    return Path(os.path.commonpath(parents)) if parents else None


def _inside(path: Path, root: Path) -> bool:
    try:
        path.resolve().relative_to(root)
    except ValueError:
        return False
    return True


def _os_reason(err: OSError) -> str:
    return "permission_denied" if isinstance(err, PermissionError) else "unreadable"


def _is_post_index(frame: pd.DataFrame, folder: Path) -> bool:
    """Whether ``frame`` lists posts: a ``path`` column naming post files in ``folder``."""
    column = next((c for c in frame.columns if str(c).strip().lower() == "path"), None)
    if column is None:
        return False
    values = frame[column].dropna().astype(str)
    return len(values) > 0 and all(
        Path(v).suffix.lower() in POST_SUFFIXES and (folder / v).is_file() for v in values
    )


def _folder_table(path: Path, skipped: list[SkippedInput]) -> TableSource | None:
    """A table file found in a news folder, or ``None`` (and a ``skipped`` entry).

    A catalogue of the folder's posts (a ``path`` column naming them, as the bundled
    ``INDEX.tsv``) describes inputs already read: it is not read as news (``None``,
    nothing skipped).
    """
    try:
        with warnings.catch_warnings():  # the table's articles carry the decoding warning
            warnings.simplefilter("ignore", EventStudyWarning)
            frame = read_table(path)
        if _is_post_index(frame, path.parent):
            return None
        canonical_columns(frame)
    except PermissionError as err:
        skipped.append(SkippedInput(str(path), "permission_denied", f"cannot read: {err.strerror}"))
        return None
    except InputDataError as err:
        skipped.append(SkippedInput(str(path), "bad_table", str(err)))
        return None
    return TableSource(frame, str(path))


class _FolderWalk:
    """The posts, tables and skipped entries of a folder, walked without following links out."""

    def __init__(self, root: Path) -> None:
        self.root = root
        self.real_root = root.resolve()
        self.posts: list[Path] = []
        self.tables: list[Path] = []
        self.skipped: list[SkippedInput] = []

    def skip(self, path: str | Path, reason: str, message: str) -> None:
        self.skipped.append(SkippedInput(str(path), reason, message))

    def onerror(self, err: OSError) -> None:
        self.skip(err.filename, _os_reason(err), f"cannot list the folder: {err.strerror or err}")

    def link(self, path: Path) -> bool:
        """Whether the symbolic link ``path`` stays inside the root (else it is skipped)."""
        if _inside(path, self.real_root):
            return True
        target = os.readlink(path)
        self.skip(path, "outside_root", f"a link to {target!r}, outside the folder: not followed")
        return False

    def file(self, path: Path) -> None:
        suffix = path.suffix.lower()
        if suffix not in POST_SUFFIXES and suffix not in TABLE_SUFFIXES:
            return
        if path.is_symlink() and not self.link(path):
            return
        if not path.is_file():
            self.skip(path, "unreadable", "a broken link or not a regular file")
        elif not os.access(path, os.R_OK):
            self.skip(path, "permission_denied", "no read permission")
        else:
            (self.posts if suffix in POST_SUFFIXES else self.tables).append(path)

    def walk(self) -> Inputs:
        for top, dirs, names in os.walk(self.root, onerror=self.onerror, followlinks=False):
            here = Path(top)
            for d in [d for d in dirs if (here / d).is_symlink()]:
                dirs.remove(d)  # a link inside the folder is walked through its target
                self.link(here / d)
            for name in names:
                self.file(here / name)

        def key(p: Path) -> str:
            return p.relative_to(self.root).as_posix()

        posts: list[Path] = sorted(self.posts, key=key)
        items: list[Path | TableSource] = [*posts]
        for path in sorted(self.tables, key=key):
            table = _folder_table(path, self.skipped)
            if table is not None:
                items.append(table)
        return Inputs(items, sorted(self.skipped, key=lambda s: s.origin), self.root)


def resolve_inputs(source: Any) -> Inputs:
    """Turn ``source`` into its inputs: post files and tables in order, and what was skipped.

    A folder is searched recursively for posts (:data:`POST_SUFFIXES`) and tables
    (:data:`TABLE_SUFFIXES`; posts first, then tables, each by path); a table whose
    ``path`` column names the folder's posts (a catalogue such as the bundled
    ``INDEX.tsv``) describes them and is not read again. What cannot be
    read is skipped with a reason, not an error: a subfolder or file without read
    permission (``permission_denied``), a symbolic link leading outside the folder
    (``outside_root``: not followed), a table that is not a news table
    (``bad_table``). A glob pattern (``news/**/*.md``) stays in its leading folder
    the same way: a match resolving outside it is skipped as ``outside_root`` and
    ``**`` does not descend into linked folders. A list is dispatched path by path:
    table extensions are read as tables, anything else as a post.

    Raises
    ------
    InputDataError
        For a path that does not exist, an unsupported file type, a glob that
        matches no post, or an unsupported source type.

    Examples
    --------
    >>> from eventstudy.datasets import sample_news_path
    >>> found = resolve_inputs(sample_news_path())
    >>> len(found.items), found.skipped, found.root == sample_news_path()
    (64, [], True)
    """
    if isinstance(source, pd.DataFrame):
        return Inputs([TableSource(source, "row")])
    if isinstance(source, str | os.PathLike):
        path = Path(os.fspath(source))
        if path.is_dir():
            return _FolderWalk(path).walk()
        text = os.fspath(source)
        if not path.is_file() and any(c in text for c in "*?["):
            return _glob_inputs(text)
        items = _path_items(text)
        files = [i if isinstance(i, Path) else Path(i.label) for i in items]
        return Inputs(items, [], _common_root(files))
    if isinstance(source, list | tuple):
        paths = [Path(p) for p in source]
        missing = [str(p) for p in paths if not p.is_file()]
        if missing:
            raise InputDataError(f"no such files: {missing[:5]}")
        items = [TableSource(read_table(p), str(p)) if _is_table(p) else p for p in paths]
        return Inputs(items, [], _common_root(paths))
    raise InputDataError(
        f"cannot load news from a {type(source).__name__}; pass a folder, a file, a glob "
        "pattern, a list of files or a DataFrame"
    )


def _path_items(text: str) -> list[Path | TableSource]:
    """The inputs of a file or a glob pattern."""
    path = Path(text)
    if path.is_file():
        suffix = path.suffix.lower()
        if suffix in POST_SUFFIXES:
            return [path]
        if suffix in TABLE_SUFFIXES:
            return [TableSource(read_table(path), text)]
        raise InputDataError(
            f"{text!r} is neither a post ({sorted(POST_SUFFIXES)}) nor a table "
            f"({sorted(TABLE_SUFFIXES)}); rename it or load it into a DataFrame"
        )
    raise InputDataError(f"no such file or folder: {text!r}")


def _glob_inputs(text: str) -> Inputs:
    """The posts a glob pattern matches, without leaving the pattern's fixed folder.

    The folder is the pattern's leading part without wildcards. As in a folder, a
    match that resolves outside it (a link to a file or a folder elsewhere) is
    skipped as ``outside_root``; ``**`` does not descend into linked folders (so a
    link loop is not walked round); names starting with a dot are matched only by
    a pattern part that starts with one (as :func:`glob.glob`).
    """
    parts = Path(text).parts
    fixed = next(i for i, part in enumerate(parts) if any(c in part for c in "*?["))
    root = Path(*parts[:fixed]) if fixed else Path(".")
    pattern = parts[fixed:]
    dotted = any(part.startswith(".") for part in pattern)
    real_root = root.resolve()
    files: list[Path] = []
    skipped: list[SkippedInput] = []
    matched = sorted(root.glob("/".join(pattern)))
    for path in matched:
        rel = path.relative_to(root).parts
        if not dotted and any(part.startswith(".") for part in rel):
            continue
        if path.suffix.lower() not in POST_SUFFIXES or not path.is_file():
            continue
        if _inside(path, real_root):
            files.append(path)
        else:
            message = f"resolves to {str(path.resolve())!r}, outside {str(root)!r}: not followed"
            skipped.append(SkippedInput(str(path), "outside_root", message))
    if not files and not skipped:
        named = sorted(str(p) for p in matched if _is_table(p))
        hint = f"; it matches table files ({', '.join(named[:3])}): pass them as a list"
        raise InputDataError(f"the pattern {text!r} matches no post files{hint if named else ''}")
    return Inputs(list(files), skipped, root)


def resolve_source(source: Any) -> list[Path | TableSource]:
    """The posts and tables of ``source`` (:func:`resolve_inputs` without the skipped entries).

    Raises
    ------
    InputDataError
        As :func:`resolve_inputs`.
    """
    return resolve_inputs(source).items
