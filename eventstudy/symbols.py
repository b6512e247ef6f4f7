"""Canonical security symbols and lossless converters at every boundary.

Inside the package every security is named by one canonical string:

=================  ==================  ======================================
instrument         canonical           examples of other forms it converts to
=================  ==================  ======================================
A-share stock      ``600519.SH``       secid ``1.600519``, Yahoo ``600519.SS``,
                   ``000858.SZ``       akshare ``600519`` / ``sh600519``
                   ``920001.BJ``       secid ``0.920001``, akshare ``bj920001``
B share            ``900901.SH``       secid ``1.900901``, Yahoo ``900901.SS``,
                   ``200002.SZ``       akshare ``sh900901`` (Sina)
ETF / listed fund  ``510300.SH``       secid ``1.510300``, Yahoo ``510300.SS``
                   ``159915.SZ``       secid ``0.159915``, akshare ``159915``
Chinese index      ``000300.SH``       secid ``1.000300``, Yahoo ``000300.SS``,
                   ``399001.SZ``       akshare ``sh000300`` / ``sz399001``
                   ``899050.BJ``       akshare ``bj899050``
CSI index          ``930050.CSI``      secid ``2.930050``, akshare ``csi930050``
Eastmoney board    ``BK0896``          secid ``90.BK0896``
Hong Kong stock    ``00700.HK``        secid ``116.00700``, Yahoo ``0700.HK``
US stock           ``NIO``             secid ``106.NIO`` (105/106/107 = NASDAQ/NYSE/AMEX)
other Yahoo        ``^GSPC``           Yahoo ``^GSPC``
=================  ==================  ======================================

Exchange rules for 6-digit codes (:data:`CODE_RULES`; a bare code takes the
exchange its prefix names):

========  ==========================================================
exchange  codes
========  ==========================================================
SH        ``6xxxxx`` stocks, ``900xxx`` B shares, ``5xxxxx`` ETFs and
          other listed funds, ``000xxx`` indices
SZ        ``0xxxxx``/``3xxxxx`` stocks, ``200xxx`` B shares,
          ``15xxxx``/``16xxxx``/``18xxxx`` ETFs and listed funds,
          ``399xxx`` indices (other ``1xxxxx``/``2xxxxx``: kept as stocks)
BJ        ``92xxxx`` (new codes, ``920xxx``), ``8xxxxx``, ``4xxxxx`` stocks,
          ``899xxx`` indices
========  ==========================================================

So a bare ``920001`` is the Beijing stock ``920001.BJ`` (not Shanghai) and a
bare ``510300`` the Shanghai ETF. Funds and B shares have ``kind="stock"``
(they trade and adjust like shares) and their own :attr:`Symbol.instrument`,
which routes the live price calls.

The SSE Composite index (``000001.SH``) and Ping An Bank (``000001.SZ``) share
the digits ``000001``: a bare ``000001`` is refused as ambiguous, never guessed.

Examples
--------
>>> from eventstudy.symbols import normalize, parse_symbol, to_secid, to_yahoo
>>> normalize("sh600519"), normalize("600519.sh"), normalize("600519")
('600519.SH', '600519.SH', '600519.SH')
>>> parse_symbol("000300.SH").kind
'index'
>>> to_secid("BK0896"), to_yahoo("000858.SZ")
('90.BK0896', '000858.SZ')
>>> normalize("920001"), parse_symbol("510300").instrument, parse_symbol("900901").instrument
('920001.BJ', 'fund', 'b_share')
"""

from __future__ import annotations

import re
import urllib.parse
from collections.abc import Iterable
from dataclasses import dataclass
from functools import cache
from typing import TYPE_CHECKING, Final, Literal, TypeAlias

import numpy as np

if TYPE_CHECKING:  # _typing imports pandas; symbols stay importable without it
    from eventstudy._typing import Instrument, SymbolKind
from eventstudy.exceptions import AmbiguousSymbolError, SymbolError

__all__ = [
    "CODE_RULES",
    "KNOWN_INDICES",
    "Market",
    "Symbol",
    "classify_symbols",
    "from_akshare",
    "from_filename",
    "from_secid",
    "from_yahoo",
    "normalize",
    "parse_symbol",
    "symbol_kind",
    "to_akshare",
    "to_filename",
    "to_secid",
    "to_yahoo",
]

#: Where a symbol trades (or which namespace it lives in).
Market: TypeAlias = Literal["SH", "SZ", "BJ", "CSI", "BOARD", "HK", "US", "YAHOO"]

ACCEPTED_FORMS: Final = (
    "accepted forms: '600519.SH' / '000858.SZ' / '920001.BJ' (6 digits + exchange; "
    "also '.SS', lower case, or a prefix such as 'sh600519'), a bare 6-digit code "
    "('600519'; ETFs '510300', B shares '900901' too), an index such as '000300.SH' or "
    "'399001.SZ', a CSI index '930050.CSI', "
    "an Eastmoney board 'BK0896' (BK + 4 digits), an Eastmoney secid such as '1.600519' "
    "or '90.BK0896', a Hong Kong code '00700.HK', or a Yahoo ticker such as 'AAPL' or '^GSPC'"
)

#: Shanghai/Shenzhen/Beijing indices known by name. Bare codes that are both a Shanghai
#: index here and a plausible Shenzhen stock are refused as ambiguous.
KNOWN_INDICES: Final[dict[str, str]] = {
    "000001.SH": "上证指数",
    "000010.SH": "上证180",
    "000016.SH": "上证50",
    "000300.SH": "沪深300",
    "000688.SH": "科创50",
    "000852.SH": "中证1000",
    "000903.SH": "中证100",
    "000905.SH": "中证500",
    "000906.SH": "中证800",
    "399001.SZ": "深证成指",
    "399005.SZ": "中小100",
    "399006.SZ": "创业板指",
    "399300.SZ": "沪深300",
    "899050.BJ": "北证50",
}

# Eastmoney market ids (secid prefix) of US venues for the tickers we know; others
# need ``us_market=`` when converting to a secid.
_US_VENUES: Final[dict[str, int]] = {
    "NIO": 106,
    "TSLA": 105,
    "AAPL": 105,
    "MSFT": 105,
    "NVDA": 105,
    "AMZN": 105,
    "GOOGL": 105,
    "META": 105,
    "BABA": 106,
    "JD": 105,
    "PDD": 105,
    "BIDU": 105,
    "XPEV": 106,
    "LI": 105,
    "SPY": 107,
}

_YAHOO_SUFFIXES: Final = frozenset(
    {
        "T",
        "DE",
        "L",
        "PA",
        "TO",
        "AX",
        "KS",
        "KQ",
        "TW",
        "TWO",
        "SI",
        "NS",
        "BO",
        "F",
        "MI",
        "AS",
        "SW",
        "ST",
        "CO",
        "OL",
        "HE",
        "MC",
        "BR",
        "VI",
        "IR",
        "LS",
        "NZ",
        "SA",
        "MX",
        "JK",
        "BK",
        "KL",
    }
)

_DIGITS6 = re.compile(r"^[0-9]{6}$")
_SUFFIXED = re.compile(r"^([0-9A-Z]{1,8})\.([A-Z]{1,4})$")
_PREFIXED = re.compile(r"^(SH|SZ|BJ)([0-9]{6})$")
_SECID = re.compile(r"^([0-9]{1,3})\.([0-9A-Z.\-]{1,12})$")
_BOARD = re.compile(r"^BK[0-9]{4}$")
_TICKER = re.compile(r"^\^?[A-Z][A-Z0-9\-=]{0,11}$")


@dataclass(frozen=True, slots=True)
class Symbol:
    """A parsed security identifier.

    Parameters
    ----------
    code
        The code within its market: ``600519``, ``BK0896``, ``00700``, ``^GSPC``.
    market
        The namespace: ``SH``, ``SZ``, ``BJ``, ``CSI``, ``BOARD``, ``HK``, ``US``, ``YAHOO``.
    kind
        ``stock`` (shares, B shares and listed funds), ``index``, ``board`` or ``foreign``.

    Examples
    --------
    >>> s = parse_symbol("000001.SH")
    >>> s.code, s.market, s.kind, str(s)
    ('000001', 'SH', 'index', '000001.SH')
    """

    code: str
    market: Market
    kind: SymbolKind

    def __str__(self) -> str:
        return self.canonical

    @property
    def instrument(self) -> Instrument:
        """``stock``, ``b_share``, ``fund`` (ETFs, LOFs), ``index``, ``board`` or ``foreign``.

        Examples
        --------
        >>> [parse_symbol(s).instrument for s in ("600519.SH", "900901.SH", "159915.SZ")]
        ['stock', 'b_share', 'fund']
        """
        if self.market in ("SH", "SZ", "BJ"):
            rule = _rule(self.code, self.market)
            assert rule is not None  # a Symbol of these markets passed its rule
            return rule[1]
        if self.kind == "index":
            return "index"
        return "board" if self.kind == "board" else "foreign"

    @property
    def canonical(self) -> str:
        """The canonical string form."""
        if self.market in ("SH", "SZ", "BJ", "CSI", "HK"):
            return f"{self.code}.{self.market}"
        return self.code


def _error(value: object, why: str) -> SymbolError:
    return SymbolError(f"{value!r} is not a valid symbol: {why}; {ACCEPTED_FORMS}")


#: ``(exchange, code prefix, kind, instrument)``: the exchange rules of 6-digit codes, the
#: first matching prefix wins (a code no rule of its exchange matches is refused).
CODE_RULES: Final[tuple[tuple[str, str, SymbolKind, Instrument], ...]] = (
    ("SH", "000", "index", "index"),
    ("SH", "6", "stock", "stock"),
    ("SH", "900", "stock", "b_share"),
    ("SH", "5", "stock", "fund"),
    ("SZ", "399", "index", "index"),
    ("SZ", "0", "stock", "stock"),
    ("SZ", "3", "stock", "stock"),
    ("SZ", "15", "stock", "fund"),
    ("SZ", "16", "stock", "fund"),
    ("SZ", "18", "stock", "fund"),
    ("SZ", "20", "stock", "b_share"),
    ("SZ", "1", "stock", "stock"),  # other SZ 1xxxxx/2xxxxx: accepted as before (bonds ...)
    ("SZ", "2", "stock", "stock"),
    ("BJ", "899", "index", "index"),
    ("BJ", "92", "stock", "stock"),  # the new Beijing codes (920xxx)
    ("BJ", "8", "stock", "stock"),
    ("BJ", "4", "stock", "stock"),
)

#: Bare-code prefix → exchange, first match wins (then SZ); ``9xxxxx`` outside these is refused.
_BARE_EXCHANGE: Final = (("92", "BJ"), ("900", "SH"), ("6", "SH"), ("5", "SH"), ("8", "BJ"),
                         ("4", "BJ"))  # fmt: skip


def _rule(code: str, market: str) -> tuple[SymbolKind, Instrument] | None:
    for exchange, prefix, kind, instrument in CODE_RULES:
        if exchange == market and code.startswith(prefix):
            return kind, instrument
    return None


def _a_share(code: str, market: str, original: object) -> Symbol:
    """Classify a 6-digit code on SH/SZ/BJ (:data:`CODE_RULES`), refusing codes it does not use."""
    rule = _rule(code, market)
    if rule is not None:
        return Symbol(code, market, rule[0])  # type: ignore[arg-type]
    hint = ""
    if code.startswith("92") and market == "SH":
        hint = f" (92xxxx codes are Beijing stocks: '{code}.BJ')"
    raise _error(original, f"code {code} is not used on exchange {market}{hint}")


def _bare(code: str, original: object) -> Symbol:
    """Apply the exchange rule to a bare 6-digit code."""
    if f"{code}.SH" in KNOWN_INDICES:
        raise AmbiguousSymbolError(
            f"{original!r} is ambiguous: {code}.SH is the index {KNOWN_INDICES[code + '.SH']} "
            f"and {code}.SZ is a Shenzhen stock; add the exchange suffix "
            f"('{code}.SH' for the index, '{code}.SZ' for the stock)"
        )
    for prefix, exchange in _BARE_EXCHANGE:
        if code.startswith(prefix):
            return _a_share(code, exchange, original)
    if code.startswith("9"):
        raise _error(
            original,
            f"a bare {code} is neither a B share (900xxx, Shanghai) nor a Beijing stock "
            "(92xxxx); add the exchange, or '.CSI' for a CSI index such as '930050.CSI'",
        )
    return _a_share(code, "SZ", original)


def _upper_text(value: object) -> str:
    """``value`` stripped and upper-cased; refused if not a non-empty ASCII string."""
    if not isinstance(value, str):
        raise _error(value, f"expected a string, got {type(value).__name__}")
    text = value.strip()
    if not text:
        raise _error(value, "it is empty")
    if not text.isascii():
        raise _error(value, "it contains non-ASCII characters (full-width digits or letters?)")
    return text.upper()


def _suffixed(code: str, suffix: str, up: str, value: object) -> Symbol:
    """``CODE.SUFFIX``: an exchange (``SH``/``SS``/``SZ``/``BJ``), ``CSI``, ``HK``, ``US``,
    or a Yahoo market."""
    if suffix == "SS":
        suffix = "SH"
    if suffix in ("SH", "SZ", "BJ"):
        if not _DIGITS6.match(code):
            raise _error(value, f"exchange {suffix} needs a 6-digit code, got {code!r}")
        return _a_share(code, suffix, value)
    if suffix == "CSI":
        if len(code) != 6:
            raise _error(value, "CSI index codes have 6 characters")
        return Symbol(code, "CSI", "index")
    if suffix == "HK":
        if not code.isdigit() or len(code) > 5:
            raise _error(value, "Hong Kong codes have up to 5 digits")
        return Symbol(code.zfill(5), "HK", "foreign")
    if suffix == "US":
        return Symbol(code, "US", "foreign")
    if suffix in _YAHOO_SUFFIXES and not _DIGITS6.match(code):
        return Symbol(up, "YAHOO", "foreign")
    raise _error(value, f"unknown exchange suffix {suffix!r}")


def parse_symbol(value: object) -> Symbol:
    """Parse any supported spelling of a security into a :class:`Symbol`.

    Parameters
    ----------
    value
        What a user types: ``600519.SH``, ``600519.sh``, ``sh600519``, ``SH600519``,
        bare ``600519``, ``600519.SS``, ``1.600519``, ``BK0896``, ``00700.HK``,
        ``AAPL``, ``^GSPC``.

    Returns
    -------
    Symbol

    Raises
    ------
    AmbiguousSymbolError
        For bare codes that name both an index and a stock (``000001``).
    SymbolError
        For anything malformed; the message shows the accepted forms.

    Examples
    --------
    >>> parse_symbol("sz000858")
    Symbol(code='000858', market='SZ', kind='stock')
    >>> parse_symbol("000001")
    Traceback (most recent call last):
    ...
    eventstudy.exceptions.AmbiguousSymbolError: '000001' is ambiguous: ...
    """
    if isinstance(value, Symbol):
        return value
    up = _upper_text(value)
    if _DIGITS6.match(up):
        return _bare(up, value)
    if up.isdigit():
        raise _error(value, f"A-share codes have 6 digits, this has {len(up)}")
    if m := _PREFIXED.match(up):
        return _a_share(m.group(2), m.group(1), value)
    if up.startswith("BK") and "." not in up:
        if _BOARD.match(up):
            return Symbol(up, "BOARD", "board")
        raise _error(value, "Eastmoney board codes are 'BK' followed by 4 digits")
    if m := _SECID.match(up):
        return from_secid(up)
    if m := _SUFFIXED.match(up):
        return _suffixed(m.group(1), m.group(2), up, value)
    if _TICKER.match(up):
        return Symbol(up, "YAHOO" if up.startswith("^") else "US", "foreign")
    raise _error(value, "unrecognised form")


#: The exchanges of the canonical 6-digit form ``dddddd.XX`` (rows of :func:`_prefix_kinds`).
_A_EXCHANGES: Final = ("SH", "SZ", "BJ")


@cache
def _prefix_kinds() -> np.ndarray:
    """``(3, 1000)`` kind of a 6-digit code by exchange and first three digits ("": refused).

    :data:`CODE_RULES` prefixes have at most three digits, so the first three decide.
    """
    table = np.full((len(_A_EXCHANGES), 1000), "", dtype="<U7")
    for e, exchange in enumerate(_A_EXCHANGES):
        for p in range(1000):
            rule = _rule(f"{p:03d}", exchange)
            if rule is not None:
                table[e, p] = rule[0]
    return table


def _canonical_a_shares(text: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Positions of the values already in the canonical form ``dddddd.SH/SZ/BJ``, and their
    kind by :data:`CODE_RULES` ("" where the exchange does not use the code)."""
    at = np.flatnonzero(np.char.str_len(text) == 9)
    chars = text[at].astype("<U9").view(np.uint32).reshape(-1, 9)
    digits = chars[:, :6] - ord("0")  # unsigned: a character below '0' wraps to a large value
    exchange = np.full(len(at), -1)
    for e, name in enumerate(_A_EXCHANGES):
        exchange[(chars[:, 7] == ord(name[0])) & (chars[:, 8] == ord(name[1]))] = e
    ok = (digits < 10).all(axis=1) & (chars[:, 6] == ord(".")) & (exchange >= 0)
    at, digits, exchange = at[ok], digits[ok], exchange[ok]
    prefix = digits[:, 0] * 100 + digits[:, 1] * 10 + digits[:, 2]
    return at, _prefix_kinds()[exchange, prefix]


def classify_symbols(values: Iterable[object]) -> tuple[np.ndarray, np.ndarray]:
    """The canonical form and the kind of each value: :func:`parse_symbol` on each, vectorised.

    Values already in the canonical 6-digit form (``600519.SH``: the columns of a
    whole-market panel) are classified by their code prefix (:data:`CODE_RULES`)
    without parsing one by one; the others are parsed.

    Parameters
    ----------
    values
        Anything :func:`parse_symbol` takes, and values that are no symbol.

    Returns
    -------
    canonical, kind : numpy.ndarray
        String arrays of the length of ``values``: :attr:`Symbol.canonical` and
        :attr:`Symbol.kind`, both empty where :func:`parse_symbol` raises
        :class:`~eventstudy.exceptions.SymbolError`.

    Examples
    --------
    >>> canonical, kind = classify_symbols(["600519.SH", "sz000858", "000300.SH", "my col", 7])
    >>> canonical.tolist(), kind.tolist()
    (['600519.SH', '000858.SZ', '000300.SH', '', ''], ['stock', 'stock', 'index', '', ''])
    """
    tolist = getattr(values, "tolist", None)  # a pandas Index or numpy array: at C speed
    items = list(tolist() if callable(tolist) else values)
    # (a NUL-ended string is parsed one by one: numpy strings drop trailing NULs)
    strings = [v if isinstance(v, str) and "\x00" not in v else "" for v in items]
    text = np.array(strings or [""])[: len(items)]
    at, fast_kind = _canonical_a_shares(text)
    kind = np.full(len(items), "", dtype="<U7")
    kind[at] = fast_kind
    parsed = np.ones(len(items), dtype=bool)
    parsed[at] = False
    rest: dict[int, Symbol] = {}
    for i in np.flatnonzero(parsed).tolist():
        try:
            rest[i] = parse_symbol(items[i])
        except SymbolError:
            continue
    width = max([len(s.canonical) for s in rest.values()], default=1)
    canonical = np.where(kind != "", text, "").astype(f"<U{max(width, text.itemsize // 4)}")
    for i, sym in rest.items():
        canonical[i], kind[i] = sym.canonical, sym.kind
    return canonical, kind


def normalize(value: object) -> str:
    """Return the canonical string of any supported spelling.

    Examples
    --------
    >>> normalize(" 600519.ss "), normalize("bk0896"), normalize("0700.HK")
    ('600519.SH', 'BK0896', '00700.HK')
    """
    return parse_symbol(value).canonical


def symbol_kind(value: object) -> SymbolKind:
    """Return ``stock``, ``index``, ``board`` or ``foreign``.

    Examples
    --------
    >>> symbol_kind("000001.SH"), symbol_kind("000001.SZ"), symbol_kind("BK0896")
    ('index', 'stock', 'board')
    """
    return parse_symbol(value).kind


# --- Eastmoney secid ------------------------------------------------------------------


def from_secid(secid: str) -> Symbol:
    """Convert an Eastmoney secid (``MARKET.CODE``) to a :class:`Symbol`.

    Market ids: 1 Shanghai, 0 Shenzhen and Beijing, 90 boards, 2 CSI indices,
    105/106/107 US, 116 Hong Kong.

    Examples
    --------
    >>> str(from_secid("1.000001")), str(from_secid("0.000001")), str(from_secid("90.BK0896"))
    ('000001.SH', '000001.SZ', 'BK0896')
    >>> str(from_secid("116.00700")), str(from_secid("106.NIO"))
    ('00700.HK', 'NIO')
    """
    if not isinstance(secid, str):
        raise _error(secid, "a secid is a string 'MARKET.CODE'")
    m = _SECID.match(secid.strip().upper())
    if not m:
        raise _error(secid, "a secid looks like '1.600519' or '90.BK0896'")
    market, code = int(m.group(1)), m.group(2)
    if market in (0, 1):
        return _secid_a_share(market, code, secid)
    if market == 90:
        if not _BOARD.match(code):
            raise _error(secid, "market 90 (boards) needs 'BK' + 4 digits")
        return Symbol(code, "BOARD", "board")
    if market == 2:
        return Symbol(code, "CSI", "index")
    if market in (105, 106, 107):
        if not _TICKER.match(code) or code.startswith("^"):
            raise _error(secid, "US markets need a ticker")
        return Symbol(code, "US", "foreign")
    if market == 116:
        if not code.isdigit() or len(code) > 5:
            raise _error(secid, "market 116 (Hong Kong) needs up to 5 digits")
        return Symbol(code.zfill(5), "HK", "foreign")
    raise _error(secid, f"unknown Eastmoney market id {market} (known: 0, 1, 2, 90, 105-107, 116)")


def _secid_a_share(market: int, code: str, secid: str) -> Symbol:
    """Market 1 is Shanghai; Shenzhen and Beijing share market 0 (their prefixes do not overlap)."""
    if not _DIGITS6.match(code):
        where = "1 (Shanghai)" if market == 1 else "0 (Shenzhen/Beijing)"
        raise _error(secid, f"market {where} needs a 6-digit code")
    if market == 1:
        return _a_share(code, "SH", secid)
    return _a_share(code, "SZ" if _rule(code, "SZ") else "BJ", secid)


def to_secid(value: object, *, us_market: int | None = None) -> str:
    """Convert a symbol to its Eastmoney secid.

    Parameters
    ----------
    value
        Any spelling accepted by :func:`parse_symbol`.
    us_market
        105 (NASDAQ), 106 (NYSE) or 107 (AMEX) for US tickers not in the
        built-in venue table.

    Examples
    --------
    >>> to_secid("600519.SH"), to_secid("000001.SZ"), to_secid("000300.SH")
    ('1.600519', '0.000001', '1.000300')
    >>> to_secid("NIO"), to_secid("00700.HK")
    ('106.NIO', '116.00700')
    """
    s = parse_symbol(value)
    if s.market == "SH":
        return f"1.{s.code}"
    if s.market in ("SZ", "BJ"):
        return f"0.{s.code}"
    if s.market == "BOARD":
        return f"90.{s.code}"
    if s.market == "CSI":
        return f"2.{s.code}"
    if s.market == "HK":
        return f"116.{s.code}"
    if s.market == "US":
        venue = us_market if us_market is not None else _US_VENUES.get(s.code)
        if venue not in (105, 106, 107):
            raise SymbolError(
                f"{s.code!r}: the Eastmoney market id of this US ticker is not known; "
                "pass us_market=105 (NASDAQ), 106 (NYSE) or 107 (AMEX)"
            )
        return f"{venue}.{s.code}"
    raise SymbolError(f"{s.canonical!r} has no Eastmoney secid (Yahoo-only symbol)")


# --- Yahoo -------------------------------------------------------------------------------


def to_yahoo(value: object) -> str:
    """Convert a symbol to a Yahoo Finance ticker.

    Examples
    --------
    >>> to_yahoo("600519.SH"), to_yahoo("000001.SH"), to_yahoo("00700.HK"), to_yahoo("^GSPC")
    ('600519.SS', '000001.SS', '0700.HK', '^GSPC')
    """
    s = parse_symbol(value)
    if s.market == "SH":
        return f"{s.code}.SS"
    if s.market in ("SZ", "BJ"):
        return f"{s.code}.{s.market}"
    if s.market == "HK":
        return f"{s.code[1:] if s.code.startswith('0') else s.code}.HK"
    if s.market in ("US", "YAHOO"):
        return s.code
    raise SymbolError(f"{s.canonical!r} ({s.kind}) is not carried by Yahoo; use the akshare source")


def from_yahoo(ticker: str) -> Symbol:
    """Convert a Yahoo ticker to a :class:`Symbol`; ``000001.SS`` is the SSE Composite.

    Examples
    --------
    >>> str(from_yahoo("000001.SS")), str(from_yahoo("0700.HK")), str(from_yahoo("^HSI"))
    ('000001.SH', '00700.HK', '^HSI')
    """
    if not isinstance(ticker, str) or not ticker.strip():
        raise _error(ticker, "a Yahoo ticker is a non-empty string")
    t = ticker.strip().upper()
    if _DIGITS6.match(t):
        raise _error(ticker, "Yahoo tickers of A-shares carry '.SS' or '.SZ'")
    return parse_symbol(t)


# --- akshare -----------------------------------------------------------------------------


def to_akshare(value: object, *, style: Literal["bare", "prefixed"] = "bare") -> str:
    """Convert a symbol to the code akshare functions take.

    ``bare`` (``600519``, ``000300``, ``BK0896``) for ``stock_zh_a_hist``,
    ``index_zh_a_hist`` and the board functions; ``prefixed`` (``sh000300``) for
    ``stock_zh_index_daily_em`` and the Sina functions.

    Examples
    --------
    >>> to_akshare("600519.SH"), to_akshare("000300.SH", style="prefixed")
    ('600519', 'sh000300')
    """
    s = parse_symbol(value)
    if s.market in ("SH", "SZ", "BJ"):
        return s.code if style == "bare" else f"{s.market.lower()}{s.code}"
    if s.market in ("BOARD", "CSI", "HK", "US"):
        return s.code
    raise SymbolError(f"{s.canonical!r} is not an akshare (Eastmoney) symbol; use yfinance")


def from_akshare(code: str, *, kind: SymbolKind | None = None) -> Symbol:
    """Convert an akshare code (``600519``, ``sh000300``, ``BK0896``) to a :class:`Symbol`.

    Parameters
    ----------
    code
        The code as akshare prints or takes it.
    kind
        ``"index"`` resolves a bare ``000xxx`` to the Shanghai index; ``"stock"`` to
        the Shenzhen stock. Without it, bare index codes are ambiguous.

    Examples
    --------
    >>> str(from_akshare("sh000001")), str(from_akshare("000001", kind="stock"))
    ('000001.SH', '000001.SZ')
    >>> str(from_akshare("000001", kind="index"))
    '000001.SH'
    """
    if isinstance(code, str) and _DIGITS6.match(code.strip()) and kind in ("index", "stock"):
        c = code.strip()
        if kind == "index":
            if c.startswith("399"):
                return Symbol(c, "SZ", "index")
            if c.startswith("899"):
                return Symbol(c, "BJ", "index")
            return _a_share(c, "SH", code) if c.startswith("000") else _error_kind(code, kind)
        if c.startswith("000"):
            return _a_share(c, "SZ", code)
    sym = parse_symbol(code)
    if kind is not None and sym.kind != kind:
        _error_kind(code, kind)
    return sym


def _error_kind(code: object, kind: str) -> Symbol:
    raise _error(code, f"it is not a {kind} code")


# --- file names --------------------------------------------------------------------------


def to_filename(value: object) -> str:
    """A file-system-safe, reversible stem for a symbol (``^GSPC`` → ``%5EGSPC``).

    Examples
    --------
    >>> to_filename("600519.SH"), to_filename("^GSPC")
    ('600519.SH', '%5EGSPC')
    """
    return urllib.parse.quote(parse_symbol(value).canonical, safe=".-")


def from_filename(name: str, *, kind: SymbolKind | None = None) -> Symbol:
    """Read a symbol back from a file name.

    Understands :func:`to_filename` stems and the layout of the shared price
    folder: ``600519.csv`` (stocks; the exchange rule applies, ``000001.csv`` is
    Ping An Bank with ``kind="stock"``) and ``sh000300.csv`` (Sina-style indices).

    Examples
    --------
    >>> str(from_filename("sh000300.csv")), str(from_filename("000001.csv", kind="stock"))
    ('000300.SH', '000001.SZ')
    """
    stem = name.rsplit("/", 1)[-1]
    for ext in (".csv.gz", ".parquet", ".csv", ".json"):
        if stem.lower().endswith(ext):
            stem = stem[: -len(ext)]
            break
    return from_akshare(urllib.parse.unquote(stem), kind=kind)
