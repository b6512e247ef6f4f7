"""Article HTML → clean plain text and the quote markup it carries.

The HTML goes through lxml's HTML parser (``recover=True``, no network, no
entity loading), never through regular expressions. The walk over the tree is
iterative, so arbitrarily deep nesting cannot exhaust the Python stack.
libxml2 itself stops building the tree at depth 2048 and drops everything
after that point; when it reports this, the whole document is read again with
Python's :class:`html.parser.HTMLParser` (a tokenizer with no depth limit,
driven by an explicit stack of open elements, with the same rules for text,
dropped/hidden elements and quote markup), and the article carries an
``html_truncated`` warning.

What the text keeps and drops:

- ``<script>``, ``<style>``, ``<noscript>``, ``<template>``, ``<iframe>``,
  ``<object>``, ``<embed>``, ``<svg>``, ``<head>`` and comments: dropped.
- Hidden elements (``style="display:none"``, ``visibility:hidden``, the
  ``hidden`` attribute): dropped with their content, including any markup.
- Block elements (``p``, ``div``, ``br``, headings, list items, ...) and blank
  lines in plain text end a paragraph: paragraphs are separated by ``"\\n"``;
  runs of whitespace inside a paragraph become one space.

Nothing is fetched or executed: ``href``/``src`` values are only read as strings.

Examples
--------
>>> doc = parse_html('<p>买入<a href="http://quote.eastmoney.com/unify/r/1.600519" '
...                  'data-code="1,600519">贵州茅台</a></p><script>alert(1)</script>'
...                  '<p style="display:none">hidden</p><p>第二段</p>')
>>> doc.text
'买入贵州茅台\\n第二段'
>>> [(m.secid, m.how, m.name, m.position) for m in doc.marks]
[('1.600519', 'inline_link', '贵州茅台', 2)]
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from html.parser import HTMLParser
from typing import Any, Final

import lxml.etree as etree

from eventstudy.news.quotes import chart_code, image_code, inline_code, link_code

__all__ = ["Mark", "ParsedHTML", "clean_string", "parse_html", "plain_text"]

_DROP: Final = frozenset(
    [
        "script",
        "style",
        "noscript",
        "template",
        "iframe",
        "object",
        "embed",
        "svg",
        "math",
        "head",
        "title",
    ]
)
_BLOCK: Final = frozenset(
    [
        "p",
        "div",
        "br",
        "h1",
        "h2",
        "h3",
        "h4",
        "h5",
        "h6",
        "li",
        "ul",
        "ol",
        "center",
        "blockquote",
        "tr",
        "table",
        "section",
        "article",
        "header",
        "footer",
        "pre",
        "hr",
        "dd",
        "dt",
        "dl",
        "figure",
        "figcaption",
        "address",
        "aside",
        "nav",
        "main",
        "form",
    ]
)
_WS_CHARS: Final = (
    " \t\n\r\f\v\u00a0" + "".join(map(chr, range(0x2000, 0x200C))) + "\u3000\u202f\u205f\ufeff"
)
_WS = re.compile(f"[{_WS_CHARS}]+")
_PARA = re.compile(r"\n[ \t\r\f\v\u00a0\u3000]*\n")
# characters XML/lxml refuse (NUL and other C0 controls, lone surrogates, non-characters)
_BAD_CHARS = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\x7f\ud800-\udfff\ufffe\uffff]")
_HIDDEN_STYLE = re.compile(r"display\s*:\s*none|visibility\s*:\s*hidden", re.IGNORECASE)


#: Elements that never have content or an end tag.
_VOID: Final = frozenset(
    [
        "area",
        "base",
        "br",
        "col",
        "embed",
        "hr",
        "img",
        "input",
        "link",
        "meta",
        "param",
        "source",
        "track",
        "wbr",
    ]
)


@dataclass(frozen=True, slots=True)
class Mark:
    """One piece of quote markup found in the HTML.

    Attributes
    ----------
    secid
        Eastmoney secid as written in the markup (``90.BK0896``).
    how
        ``chart_embed``, ``inline_link`` or ``quote_link``.
    name
        The anchor text, when the markup has one.
    position
        Offset in the article text where the marked element starts.
    """

    secid: str
    how: str
    name: str | None
    position: int


@dataclass(slots=True)
class ParsedHTML:
    """Result of :func:`parse_html`: ``text``, ``marks`` and parser ``warnings``."""

    text: str
    marks: list[Mark] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)


def clean_string(value: str) -> str:
    """Remove the characters no HTML/XML parser accepts (NUL, C0 controls, lone surrogates).

    Examples
    --------
    >>> clean_string("a\\x00b\\x07c")
    'abc'
    """
    return _BAD_CHARS.sub("", value)


class _Writer:
    """Accumulates text, collapsing whitespace and tracking the output offset."""

    __slots__ = ("n", "parts", "pending_break", "pending_space")

    def __init__(self) -> None:
        self.parts: list[str] = []
        self.n = 0
        self.pending_break = False
        self.pending_space = False

    def position(self) -> int:
        if self.n and (self.pending_break or self.pending_space):
            return self.n + 1
        return self.n

    def brk(self) -> None:
        self.pending_break = True
        self.pending_space = False

    def add(self, raw: str | None) -> None:
        if not raw:
            return
        if "\n" in raw and _PARA.search(raw):
            chunks = _PARA.split(raw)
            for i, chunk in enumerate(chunks):
                if i:
                    self.brk()
                self._add(chunk)
        else:
            self._add(raw)

    def _add(self, raw: str) -> None:
        if not raw:
            return
        if not raw.strip(_WS_CHARS):  # white space only (the usual text between tags)
            if not self.pending_break:
                self.pending_space = True
            return
        s = _WS.sub(" ", raw)
        if s[0] == " " and not self.pending_break:
            self.pending_space = True
        trailing = s[-1] == " "
        s = s.strip(" ")
        if not s:
            return
        if self.n:
            if self.pending_break:
                self.parts.append("\n")
                self.n += 1
            elif self.pending_space:
                self.parts.append(" ")
                self.n += 1
        self.parts.append(s)
        self.n += len(s)
        self.pending_break = False
        self.pending_space = trailing

    def text(self) -> str:
        return "".join(self.parts)


def _hidden(el: Any) -> bool:
    style = el.get("style")
    if style and _HIDDEN_STYLE.search(style):
        return True
    return el.get("hidden") is not None


def _classes(el: Any) -> str:
    return el.get("class") or ""


def plain_text(value: str) -> str:
    """Normalise plain (non-HTML) text the same way :func:`parse_html` does.

    Examples
    --------
    >>> plain_text("  第一段  \\r\\n\\r\\n 第二   段 ")
    '第一段\\n第二 段'
    """
    w = _Writer()
    w.add(clean_string(value.replace("\r\n", "\n").replace("\r", "\n")))
    return w.text()


def _codes_of(el: Any, in_chart: bool) -> list[tuple[str, str]]:
    """(secid, how) of each piece of quote markup in one element's attributes."""
    found: list[tuple[str, str]] = []
    chart = in_chart or "EmImageRemark" in _classes(el)
    code = el.get("data-code")
    inline = None
    if code:
        if (sid := chart_code(code)) is not None:
            found.append((sid, "chart_embed"))
            chart = True
        elif (inline := inline_code(code)) is not None:
            found.append((inline, "chart_embed" if chart else "inline_link"))
    code2 = el.get("data-code2")
    if code2 and (sid := chart_code(code2)) is not None:
        found.append((sid, "chart_embed"))
        chart = True
    if el.tag == "img" and (src := el.get("src")) and (sid := image_code(src)) is not None:
        found.append((sid, "chart_embed"))
        chart = True
    href = el.get("href")
    if href and (sid := link_code(href)) is not None:
        how = "chart_embed" if chart else ("inline_link" if inline is not None else "quote_link")
        found.append((sid, how))
    return found


def _element_marks(el: Any, in_chart: bool, position: int, chart_seen: set[str]) -> list[Mark]:
    """Quote markup carried by one element's attributes."""
    found = _codes_of(el, in_chart)
    if not found:
        return []
    out: list[Mark] = []
    seen: set[str] = set()
    name: str | None = None
    for sid, how in found:
        if sid in seen:
            continue
        seen.add(sid)
        if how == "chart_embed":
            if sid in chart_seen:  # one mention per code per chart embed
                continue
            chart_seen.add(sid)
            out.append(Mark(sid, how, None, position))
        else:
            if name is None:
                name = _WS.sub(" ", _text_content(el)).strip() or ""
            out.append(Mark(sid, how, name or None, position))
    return out


def _text_content(el: Any) -> str:
    """All text inside an element (not its tail, not comments)."""
    if isinstance(el, _Attrs):
        return el.text_content()
    return str(etree.tostring(el, method="text", encoding="unicode", with_tail=False))


def _parse_tree(html: str, warnings: list[str]) -> Any:
    # lxml.etree's own element classes: lxml.html's class lookup costs time on every element
    parser = etree.HTMLParser(recover=True, no_network=True, remove_comments=False, huge_tree=True)
    try:
        root = etree.fromstring(html, parser)
    except etree.XMLSyntaxError:  # "Document is empty": nothing but whitespace/comments
        return None
    for entry in parser.error_log:
        if "depth" in entry.message.lower():
            warnings.append(f"html_truncated: {entry.message.strip()}")
            break
    return root


class _Attrs:
    """The attribute interface of an lxml element, for a start tag of :class:`_Stream`."""

    __slots__ = ("attrib", "buf", "tag")

    def __init__(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.tag = tag
        self.attrib = {k: "" if v is None else v for k, v in attrs}
        self.buf: list[str] = []

    def get(self, key: str) -> str | None:
        return self.attrib.get(key)

    def text_content(self) -> str:
        return "".join(self.buf)


class _Stream(HTMLParser):
    """Text and marks from a token stream: no tree, so no depth limit (fallback of lxml)."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.w = _Writer()
        self.marks: list[Mark] = []
        self.in_chart = False
        self.chart_seen: set[str] = set()
        # open elements: (tag, skipped, pending named marks as (index in marks, element))
        self.stack: list[tuple[str, bool, list[tuple[int, _Attrs]]]] = []
        self.open_count: dict[str, int] = {}
        self.skipping = 0
        self.naming: list[_Attrs] = []  # open elements whose anchor text is being collected

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        el = _Attrs(tag, attrs)
        skipped = self.skipping > 0 or tag in _DROP or _hidden(el)
        pending: list[tuple[int, _Attrs]] = []
        if not skipped:
            if tag in _BLOCK:
                self.w.brk()
            if el.attrib:
                for mark in _element_marks(el, self.in_chart, self.w.position(), self.chart_seen):
                    if mark.how != "chart_embed":
                        pending.append((len(self.marks), el))
                    self.marks.append(mark)
        if tag in _VOID:
            self._finish(pending)
            return
        self.stack.append((tag, skipped, pending))
        self.open_count[tag] = self.open_count.get(tag, 0) + 1
        if skipped:
            self.skipping += 1
        if pending:
            self.naming.append(el)

    def handle_startendtag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.handle_starttag(tag, attrs)
        if tag not in _VOID:
            self.handle_endtag(tag)

    def handle_endtag(self, tag: str) -> None:
        if not self.open_count.get(tag):  # no such open element: ignore, as browsers do
            if tag in _BLOCK and not self.skipping:
                self.w.brk()
            return
        while self.stack:
            open_tag, skipped, pending = self.stack.pop()
            self.open_count[open_tag] -= 1
            if skipped:
                self.skipping -= 1
            elif open_tag in _BLOCK:
                self.w.brk()
            if pending:
                self.naming.pop()
                self._finish(pending)
            if open_tag == tag:
                break

    def _finish(self, pending: list[tuple[int, _Attrs]]) -> None:
        for i, el in pending:
            m = self.marks[i]
            name = _WS.sub(" ", el.text_content()).strip()
            self.marks[i] = Mark(m.secid, m.how, name or None, m.position)

    def handle_data(self, data: str) -> None:
        if self.skipping:
            return
        self.w.add(data)
        for el in self.naming:
            el.buf.append(data)

    def handle_comment(self, data: str) -> None:
        if "EM_StockImg_Start" in data:
            self.in_chart = True
            self.chart_seen = set()
        elif "EM_StockImg_End" in data:
            self.in_chart = False

    def result(self) -> tuple[str, list[Mark]]:
        self.close()
        while self.stack:  # unclosed elements: name their marks with what was read
            _, _, pending = self.stack.pop()
            if pending:
                self._finish(pending)
        return self.w.text(), self.marks


def _parse_stream(html: str) -> tuple[str, list[Mark]]:
    """Text and marks of ``html`` read by :class:`html.parser.HTMLParser` (no depth limit)."""
    parser = _Stream()
    parser.feed(html)
    return parser.result()


class _Chart:
    """Whether the walk is inside a chart embed, and the codes that embed already gave."""

    __slots__ = ("on", "seen")

    def __init__(self) -> None:
        self.on = False
        self.seen: set[str] = set()

    def comment(self, el: Any) -> None:
        """EM_StockImg_Start opens a chart embed, EM_StockImg_End closes it."""
        note = el.text or ""
        if "EM_StockImg_Start" in note:
            self.on, self.seen = True, set()
        elif "EM_StockImg_End" in note:
            self.on = False


def _walk(root: Any, w: _Writer, marks: list[Mark]) -> None:
    """Write the text of ``root`` into ``w`` and collect its quote marks (iteratively)."""
    add, brk = w.add, w.brk
    chart = _Chart()
    stack: list[tuple[Any, bool]] = [(root, False)]
    while stack:
        el, closing = stack.pop()
        tag = el.tag
        if closing or not isinstance(tag, str) or tag in _DROP or (el.attrib and _hidden(el)):
            # an end tag; a comment, processing instruction or entity; dropped content
            if closing and tag in _BLOCK:
                brk()
            elif tag is etree.Comment:
                chart.comment(el)
            if el.tail:
                add(el.tail)
            continue
        if tag in _BLOCK:
            brk()
        if el.attrib:
            marks.extend(_element_marks(el, chart.on, w.position(), chart.seen))
        if el.text:
            add(el.text)
        stack.append((el, True))
        if len(el):
            stack.extend([(child, False) for child in reversed(el)])


def parse_html(html: str) -> ParsedHTML:
    """Parse article HTML into plain text and quote :class:`Mark` objects.

    Parameters
    ----------
    html
        An HTML fragment or document (any text; markup optional).

    Returns
    -------
    ParsedHTML
        ``text`` (paragraphs joined by ``"\\n"``), ``marks`` in document order,
        ``warnings`` (e.g. truncation at libxml2's depth limit).

    Examples
    --------
    >>> doc = parse_html('<!-- EM_StockImg_Start -->'
    ...                  '<a href="http://quote.eastmoney.com/unify/r/90.BK0896" '
    ...                  'data-code="BK0896|90|1"><img src="x?nid=90.BK0896&a=1"/></a>'
    ...                  '<!-- EM_StockImg_End --><p>白酒</p>')
    >>> doc.text, [(m.secid, m.how) for m in doc.marks]
    ('白酒', [('90.BK0896', 'chart_embed')])
    """
    warnings: list[str] = []
    html = clean_string(html)
    if not html.strip():
        return ParsedHTML("", [], warnings)
    root = _parse_tree(html, warnings)
    if any(w.startswith("html_truncated") for w in warnings):  # read it all again
        text, stream_marks = _parse_stream(html)
        warnings[-1] += "; text re-read with html.parser (no depth limit)"
        return ParsedHTML(text, stream_marks, warnings)
    if root is None:
        return ParsedHTML("", [], warnings)
    w = _Writer()
    marks: list[Mark] = []
    _walk(root, w, marks)
    return ParsedHTML(w.text(), marks, warnings)
