"""Eastmoney quote markup: attribute values and links → Eastmoney secids.

Eastmoney marks the securities a news article talks about in several ways
(see ``data/README.md``). This module reads single attribute values; the HTML
walk that finds them is in :mod:`eventstudy.news.html`.

===================================================  ===================  ============
markup                                               example              secid
===================================================  ===================  ============
chart embed ``data-code`` / ``data-code2``           ``K BK0896|90|1``    ``90.BK0896``
chart image ``src=...?nid=``                         ``nid=90.BK0896``    ``90.BK0896``
inline link / ``em_stock_key_common`` ``data-code``  ``1,600519``         ``1.600519``
quote link ``quote.eastmoney.com/unify/r/...``       ``unify/r/1.000001`` ``1.000001``
old quote link                                       ``/sh600519.html``   ``1.600519``
old board / HK / US pages                            ``/bk/90.BK0896.html``, ``/hk/00700.html``
===================================================  ===================  ============

Regular expressions here only ever see one attribute value that the HTML parser
has already extracted, never raw HTML.

Examples
--------
>>> chart_code("K BK0896|90|1"), inline_code("116,00700")
('90.BK0896', '116.00700')
>>> link_code("http://quote.eastmoney.com/sh600519.html")
'1.600519'
>>> image_code("https://webquoteklinepic.eastmoney.com/GetPic.aspx?nid=90.BK0896&imageType=k")
'90.BK0896'
"""

from __future__ import annotations

import re
from functools import lru_cache

from eventstudy.exceptions import SymbolError
from eventstudy.symbols import Symbol, from_secid, parse_symbol, to_secid

__all__ = ["chart_code", "image_code", "inline_code", "link_code", "resolve"]

# CODE|MARKET|TYPE, optionally after a one-letter prefix such as "K " or "R "
_CHART = re.compile(r"^\s*(?:[A-Za-z]\s+)?([0-9A-Za-z][0-9A-Za-z.\-]{0,11})\|([0-9]{1,3})\|")
_INLINE = re.compile(r"^\s*([0-9]{1,3})\s*,\s*([0-9A-Za-z][0-9A-Za-z.\-]{0,11})\s*$")
_NID = re.compile(r"[?&]nid=([0-9]{1,3}\.[0-9A-Za-z\-]{1,12})(?:[&#]|$)")
_HOST = re.compile(r"^(?:https?:)?//quote\.eastmoney\.com/(.*)$", re.IGNORECASE)
_UNIFY = re.compile(r"^unify/r/([0-9]{1,3}\.[0-9A-Za-z\-]{1,12})(?:[/?#]|$)", re.IGNORECASE)
_OLD_A = re.compile(r"^(sh|sz|bj)([0-9]{6})\.html?(?:[?#]|$)", re.IGNORECASE)
_OLD_BK = re.compile(r"^(?:bk|web)/(?:90\.)?(BK[0-9]{4})[0-9]?\.html?(?:[?#]|$)", re.IGNORECASE)
_OLD_HK = re.compile(r"^hk/([0-9]{4,5})\.html?(?:[?#]|$)", re.IGNORECASE)
_OLD_US = re.compile(r"^us/([A-Za-z][A-Za-z0-9.\-]{0,9})\.html?(?:[?#]|$)", re.IGNORECASE)

_MARKET_OF_PREFIX = {"sh": "1", "sz": "0", "bj": "0"}


def chart_code(value: str) -> str | None:
    """Secid of a chart-embed ``data-code``/``data-code2`` value (``CODE|MARKET|TYPE``).

    Examples
    --------
    >>> chart_code("BK0896|90|1"), chart_code("K NIO|106|7"), chart_code("BK0896|90|3|")
    ('90.BK0896', '106.NIO', '90.BK0896')
    >>> chart_code("90,BK0896") is None
    True
    """
    m = _CHART.match(value)
    return f"{m.group(2)}.{m.group(1).upper()}" if m else None


def inline_code(value: str) -> str | None:
    """Secid of an inline-link ``data-code`` value (``MARKET,CODE``).

    Examples
    --------
    >>> inline_code("90,BK0493"), inline_code("0,000858"), inline_code("106,NIO")
    ('90.BK0493', '0.000858', '106.NIO')
    """
    m = _INLINE.match(value)
    return f"{m.group(1)}.{m.group(2).upper()}" if m else None


def image_code(src: str) -> str | None:
    """Secid in a chart image URL's ``nid`` parameter.

    Examples
    --------
    >>> image_code("GetPic.aspx?nid=1.600519&imageType=k"), image_code("a.jpg")
    ('1.600519', None)
    """
    m = _NID.search(src)
    return m.group(1).upper() if m else None


def link_code(href: str) -> str | None:
    """Secid of a ``quote.eastmoney.com`` link, in its current or older forms.

    Old US pages (``/us/NIO.html``) give the secid only when the ticker's venue
    is known to :func:`eventstudy.symbols.to_secid`.

    Examples
    --------
    >>> link_code("http://quote.eastmoney.com/unify/r/90.BK0896")
    '90.BK0896'
    >>> link_code("//quote.eastmoney.com/sz000858.html"), link_code("http://quote.eastmoney.com/bk/90.BK0477.html")
    ('0.000858', '90.BK0477')
    >>> link_code("http://data.eastmoney.com/bbsj/") is None
    True
    """
    m = _HOST.match(href.strip())
    if not m:
        return None
    rest = m.group(1)
    if u := _UNIFY.match(rest):
        return u.group(1).upper()
    if o := _OLD_A.match(rest):
        return f"{_MARKET_OF_PREFIX[o.group(1).lower()]}.{o.group(2)}"
    if b := _OLD_BK.match(rest):
        return f"90.{b.group(1).upper()}"
    if h := _OLD_HK.match(rest):
        return f"116.{h.group(1).zfill(5)}"
    if us := _OLD_US.match(rest):
        try:
            return to_secid(us.group(1).upper())
        except SymbolError:
            return None
    return None


@lru_cache(maxsize=65536)
def resolve(secid: str) -> Symbol | None:
    """The canonical :class:`~eventstudy.symbols.Symbol` of a secid, or ``None`` if invalid.

    Examples
    --------
    >>> str(resolve("90.BK0896")), str(resolve("1.000001")), resolve("7.XYZ")
    ('BK0896', '000001.SH', None)
    """
    try:
        return from_secid(secid)
    except SymbolError:
        return None


def symbol_of(value: str) -> Symbol | None:
    """Parse any symbol spelling, ``None`` if it is not one (helper for table inputs)."""
    try:
        return parse_symbol(value)
    except SymbolError:
        return None
