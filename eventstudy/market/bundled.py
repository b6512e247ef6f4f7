"""The ``bundled`` source: the real-data snapshot shipped with the package.

Two datasets with different forward-adjustment (qfq) bases, see ``data/README.md``:

=========== ================================================================ =========
dataset     content                                                          qfq base
=========== ================================================================ =========
``history`` ``prices.parquet``: 47 large A-shares, 2010-01-04 (or listing)    2026-06
            to 2026-06-16, and 5 Chinese indices (unadjusted, to 2026-07-31)
``extract`` ``a_shares_2021_2022.parquet``: every A-share listed in mid-2026  2026-07
            (4,760 with rows; no Beijing listings), 2021-07-27 to 2022-12-31,
            read with :func:`eventstudy.reference.load_extract`
=========== ================================================================ =========

**One dataset per symbol, never spliced.** A symbol of the history is served
from the history (it covers every session the extract does, and more); every
other stock from the extract. Returns computed across two qfq bases would be
wrong, so a series never mixes them. The provenance ``note`` says which dataset
served each symbol (``bundled dataset: history (...)`` or ``bundled dataset:
extract (...)``); ``source`` stays ``bundled``.

**Coverage.** :meth:`BundledSource.coverage_gaps` gives the parts of a request
the serving dataset does not cover although the symbol may have traded then:
before the dataset's first session when the stock was listed earlier (its list
date in the security master; unknown: when its first row is the dataset's first
session), and after the dataset's last session. They are reported as missing
(``failures`` / :class:`~eventstudy.exceptions.DataUnavailableError`), never
filled from the other dataset.

**Survivorship.** The extract's universe is the stocks listed in mid-2026:
stocks delisted before then are absent. :func:`no_price_reason` gives an event
on a stock the security master marks ``not_listed`` (and that has no prices)
its own drop reason, :data:`DELISTED_NO_PRICES`.

Boards are not in the snapshot: ``get_prices`` serves a board through a proxy of
its members (:func:`eventstudy.market.board_proxy`).

Examples
--------
>>> import pandas as pd
>>> src = BundledSource()
>>> day = pd.Timestamp("2022-01-10")
>>> float(src.fetch("600519.SH", day, day, adjust="qfq").loc["2022-01-10", "close"])
1739.49
>>> float(src.fetch("002456.SZ", day, day, adjust="qfq").loc["2022-01-10", "close"])
9.37
>>> src.dataset_of("600519.SH").name, src.dataset_of("002456.SZ").name
('history', 'extract')
"""

from __future__ import annotations

import bisect
from dataclasses import dataclass
from functools import cache, lru_cache
from typing import Final, Literal, TypeAlias

import numpy as np
import pandas as pd

from eventstudy._typing import Adjust
from eventstudy.exceptions import DataUnavailableError, SymbolError
from eventstudy.market._clean import FIELDS
from eventstudy.market.cache import Range, subtract_ranges
from eventstudy.symbols import parse_symbol

__all__ = [
    "DELISTED_NO_PRICES",
    "EXTRACT_CHUNK",
    "NO_PRICE_DATA",
    "NO_PRICE_REASONS",
    "SURVIVORSHIP",
    "BundledDataset",
    "BundledSource",
    "DatasetName",
    "bundled_datasets",
    "datasets_served",
    "is_delisted",
    "no_price_reason",
]

#: Name of a bundled price dataset.
DatasetName: TypeAlias = Literal["history", "extract"]

#: Drop reason of an event whose security has no prices.
NO_PRICE_DATA: Final = "no_price_data"
#: Drop reason of an event on a stock that is no longer listed and has no prices.
DELISTED_NO_PRICES: Final = "delisted_no_prices"
#: The drop reasons for missing prices (estimation-window drops are separate).
NO_PRICE_REASONS: Final[tuple[str, ...]] = (NO_PRICE_DATA, DELISTED_NO_PRICES)

#: What the bundled universe leaves out (said in briefings and summaries).
SURVIVORSHIP: Final = (
    "Survivorship: the bundled whole-market prices cover the stocks listed in mid-2026; "
    "stocks delisted before then are absent, so events on them have no prices and are "
    f"dropped as {DELISTED_NO_PRICES}."
)

_NOTE_PREFIX: Final = "bundled dataset: "


@dataclass(frozen=True, slots=True)
class BundledDataset:
    """One bundled price dataset.

    Attributes
    ----------
    name
        ``history`` or ``extract``.
    file
        File name in the data folder.
    description
        What it holds (one line).
    adjust_as_of
        Month of the forward-adjustment base of its stock prices.
    first, last
        First and last date of the window it was recorded for (its stocks).

    Examples
    --------
    >>> ext = bundled_datasets()["extract"]
    >>> ext.file, str(ext.first.date()), str(ext.last.date()), ext.adjust_as_of
    ('a_shares_2021_2022.parquet', '2021-07-27', '2022-12-31', '2026-07')
    """

    name: DatasetName
    file: str
    description: str
    adjust_as_of: str
    first: pd.Timestamp
    last: pd.Timestamp

    @property
    def note(self) -> str:
        """The provenance note of a series served from this dataset.

        Examples
        --------
        >>> bundled_datasets()["history"].note[:42]
        'bundled dataset: history (prices.parquet: '
        """
        return f"{_NOTE_PREFIX}{self.name} ({self.file}: {self.description})"


# -- the long history (prices.parquet) --------------------------------------------------


@dataclass(frozen=True)
class _History:
    bars: dict[str, tuple[pd.DataFrame, str]]
    stock_first: pd.Timestamp
    stock_last: pd.Timestamp
    index_last: pd.Timestamp
    n_stocks: int
    n_indices: int


@lru_cache(maxsize=1)
def _history() -> _History:
    from eventstudy.datasets import sample_prices

    frame = sample_prices()  # a copy, made once (this function is cached)
    out: dict[str, tuple[pd.DataFrame, str]] = {}
    for sym, g in frame.groupby("symbol", sort=True):
        bars = pd.DataFrame(
            {f: g[f].to_numpy(dtype=np.float64) for f in FIELDS},
            index=pd.DatetimeIndex(g["date"]).astype("datetime64[ns]").rename("date"),
        ).sort_index()
        out[str(sym)] = (bars, str(g["adjust"].iloc[0]))
    stocks = frame["adjust"] != "none"
    return _History(
        bars=out,
        stock_first=pd.Timestamp(frame.loc[stocks, "date"].min()),
        stock_last=pd.Timestamp(frame.loc[stocks, "date"].max()),
        index_last=pd.Timestamp(frame.loc[~stocks, "date"].max()),
        n_stocks=int(frame.loc[stocks, "symbol"].nunique()),
        n_indices=int(frame.loc[~stocks, "symbol"].nunique()),
    )


# -- the whole-market extract (a_shares_2021_2022.parquet) ------------------------------


#: Symbols of the extract read together (about one Parquet row group: 131,072 rows).
EXTRACT_CHUNK: Final = 400


@dataclass(frozen=True)
class _Extract:
    """Rows of some extract symbols: dates and values sorted by symbol, date; a slice each."""

    dates: np.ndarray
    values: np.ndarray
    fields: tuple[str, ...]
    slices: dict[str, tuple[int, int]]

    def bars(self, symbol: str) -> pd.DataFrame:
        i, j = self.slices[symbol]
        index = pd.DatetimeIndex(self.dates[i:j], name="date")
        return pd.DataFrame(self.values[i:j], index=index, columns=list(self.fields))


@lru_cache(maxsize=1)
def _extract_symbols() -> tuple[str, ...]:
    from eventstudy.reference import extract_symbols

    return tuple(extract_symbols())  # sorted


@lru_cache(maxsize=1)
def _extract_set() -> frozenset[str]:
    return frozenset(_extract_symbols())


@cache
def _extract_chunk(i: int) -> _Extract:
    """Chunk ``i`` of :data:`EXTRACT_CHUNK` consecutive symbols, read once (about 0.2 s).

    Requests usually name symbols all over the market: reading a chunk (about a row
    group) at a time keeps both the number of reads and the memory small.
    """
    from eventstudy.reference import EXTRACT_FIELDS, load_extract

    chunk = _extract_symbols()[i * EXTRACT_CHUNK : (i + 1) * EXTRACT_CHUNK]
    frame = load_extract(chunk)  # sorted by symbol, date
    symbols = frame["symbol"].to_numpy()
    starts = np.flatnonzero(np.r_[True, symbols[1:] != symbols[:-1]])
    ends = np.r_[starts[1:], len(symbols)]
    fields = tuple(str(f) for f in EXTRACT_FIELDS)
    return _Extract(
        dates=frame["date"].to_numpy(dtype="datetime64[ns]"),
        values=frame[list(fields)].to_numpy(dtype=np.float64),
        fields=fields,
        slices={str(symbols[a]): (int(a), int(b)) for a, b in zip(starts, ends, strict=True)},
    )


def _extract_bars(symbol: str) -> pd.DataFrame:
    i = bisect.bisect_left(_extract_symbols(), symbol) // EXTRACT_CHUNK
    return _extract_chunk(i).bars(symbol)


@lru_cache(maxsize=1)
def bundled_datasets() -> dict[DatasetName, BundledDataset]:
    """The two bundled price datasets, by name (see the module docstring).

    Examples
    --------
    >>> sets = bundled_datasets()
    >>> list(sets), sets["history"].adjust_as_of
    (['history', 'extract'], '2026-06')
    """
    from eventstudy.reference import EXTRACT_FILE, extract_info

    hist = _history()
    info = extract_info()
    n_stocks = len(_extract_symbols())
    return {
        "history": BundledDataset(
            name="history",
            file="prices.parquet",
            description=(
                f"{hist.n_stocks} large A-shares {hist.stock_first.date()}.."
                f"{hist.stock_last.date()} qfq as of 2026-06, and {hist.n_indices} indices "
                f"unadjusted to {hist.index_last.date()}"
            ),
            adjust_as_of="2026-06",
            first=hist.stock_first,
            last=hist.stock_last,
        ),
        "extract": BundledDataset(
            name="extract",
            file=EXTRACT_FILE,
            description=(
                f"{n_stocks:,} A-shares listed in mid-2026, {info['start']}..{info['end']}, "
                f"{info['adjust']} as of {info['adjust_as_of']}"
            ),
            adjust_as_of=str(info["adjust_as_of"]),
            first=pd.Timestamp(info["start"]),
            last=pd.Timestamp(info["end"]),
        ),
    }


def datasets_served(provenance: pd.DataFrame) -> dict[DatasetName, list[str]]:
    """Which symbols of a provenance table each bundled dataset served.

    Read from the ``note`` column (``bundled dataset: NAME (...)``); symbols
    served otherwise (a live source, a proxy) are not listed.

    Parameters
    ----------
    provenance
        A :attr:`~eventstudy.market.PriceFrame.provenance` table (indexed by symbol).

    Examples
    --------
    >>> from eventstudy.market import get_prices
    >>> pf = get_prices(["600519.SH", "002456.SZ"], "2022-01-10", "2022-01-10",
    ...                 source="bundled")
    >>> datasets_served(pf.provenance)
    {'history': ['600519.SH'], 'extract': ['002456.SZ']}
    """
    out: dict[DatasetName, list[str]] = {}
    if "note" not in provenance.columns:
        return out
    notes = provenance["note"].astype(str)
    for name in ("history", "extract"):
        hit = notes.str.contains(f"{_NOTE_PREFIX}{name} (", regex=False)
        if hit.any():
            out[name] = [str(s) for s in provenance.index[hit.to_numpy()]]
    return out


# -- the security master: list dates and delisted codes --------------------------------


def _listed_before(symbol: str, day: pd.Timestamp) -> bool | None:
    """Whether the master dates the stock's listing before ``day`` (None: not recorded)."""
    from eventstudy.reference import load_master

    try:
        listed = load_master().security(symbol).list_date
    except (SymbolError, DataUnavailableError):
        return None
    return None if not listed else pd.Timestamp(listed) < day


def is_delisted(symbol: str) -> bool:
    """Whether the security master marks ``symbol`` as ``not_listed`` (delisted or recoded).

    ``not_listed``: in the 2023 code list but not in the 2026-07 one (see
    ``data/README.md``). Symbols the master does not know, indices, boards and
    foreign lines are not delisted stocks.

    Examples
    --------
    >>> is_delisted("002013.SZ"), is_delisted("600372.SH"), is_delisted("BK0896")
    (True, False, False)
    """
    from eventstudy.reference import load_master

    try:
        sec = load_master().security(symbol)
    except (SymbolError, DataUnavailableError):
        return False
    return sec.kind == "stock" and sec.status == "not_listed"


def no_price_reason(symbol: str, message: str = "") -> tuple[str, str]:
    """The drop reason of an event whose security has no prices, and its message.

    :data:`DELISTED_NO_PRICES` for a stock the security master marks
    ``not_listed`` (the bundled universe has no delisted stocks; the message
    says so unless the data layer's ``message`` already does), else
    :data:`NO_PRICE_DATA` with ``message`` unchanged.

    Parameters
    ----------
    symbol
        Canonical symbol.
    message
        Why the data layer served no prices.

    Examples
    --------
    >>> reason, msg = no_price_reason("002013.SZ", "offline")
    >>> reason, msg[:44]
    ('delisted_no_prices', 'offline; 002013.SZ (中航机电) is not in the 2026')
    >>> no_price_reason("BK1036", "no members")
    ('no_price_data', 'no members')
    """
    if not is_delisted(symbol):
        return NO_PRICE_DATA, message
    if "not_listed" in message:  # the bundled source said it already
        return DELISTED_NO_PRICES, message
    from eventstudy.reference import load_master

    name = load_master().security(symbol).name
    why = (
        f"{symbol} ({name}) is not in the 2026-07 list of listed A-shares (status not_listed: "
        "delisted, or its code changed); the bundled prices cover the stocks listed in "
        "mid-2026 only (survivorship)"
    )
    return DELISTED_NO_PRICES, f"{message}; {why}" if message else why


# -- the source -------------------------------------------------------------------------


class BundledSource:
    """Prices from the bundled snapshot (no network, no cache): history or extract per symbol.

    Stocks are held forward-adjusted only: asking for ``adjust="hfq"`` or
    ``"none"`` raises :class:`~eventstudy.exceptions.DataUnavailableError`
    rather than mislabelling qfq prices. Indices carry no adjustment and are
    served for any ``adjust``. The extract has no ``amount``.
    """

    name = "bundled"
    network = False

    def symbols(self) -> list[str]:
        """Symbols in the snapshot (both datasets), sorted."""
        return sorted(set(_history().bars) | _extract_set())

    def has(self, symbol: str) -> bool:
        """Whether the snapshot holds ``symbol``."""
        return symbol in _history().bars or symbol in _extract_set()

    def dataset_of(self, symbol: str) -> BundledDataset | None:
        """The dataset that serves ``symbol`` (None: neither holds it).

        Examples
        --------
        >>> BundledSource().dataset_of("000300.SH").name, BundledSource().dataset_of("BK0896")
        ('history', None)
        """
        if symbol in _history().bars:
            return bundled_datasets()["history"]
        if symbol in _extract_set():
            return bundled_datasets()["extract"]
        return None

    def _bars(self, symbol: str) -> tuple[pd.DataFrame, str]:
        hist = _history().bars
        if symbol in hist:
            return hist[symbol]
        return _extract_bars(symbol), "qfq"

    def last_date(self, symbol: str) -> pd.Timestamp:
        """The last session of ``symbol`` in the dataset serving it."""
        return pd.Timestamp(self._bars(symbol)[0].index[-1])

    def served_adjust(self, symbol: str, adjust: Adjust) -> str:
        """``qfq`` for stocks, ``none`` for indices."""
        if symbol in _history().bars:
            return _history().bars[symbol][1]
        return "qfq" if symbol in _extract_set() else adjust

    def _window(self, symbol: str) -> tuple[pd.Timestamp | None, pd.Timestamp]:
        """First and last date the serving dataset covers for ``symbol`` (first None:
        the symbol has no earlier history to miss)."""
        ds = self.dataset_of(symbol)
        assert ds is not None
        bars, held = self._bars(symbol)
        if held == "none":  # an index: the whole history from its base date
            return None, _history().index_last
        before = _listed_before(symbol, ds.first)
        if before is None:  # list date not recorded: trading on the first session says so
            before = len(bars) > 0 and pd.Timestamp(bars.index[0]) <= ds.first
        return (ds.first if before else None), ds.last

    def coverage_gaps(
        self, symbol: str, start: pd.Timestamp, end: pd.Timestamp
    ) -> tuple[list[Range], str]:
        """Parts of ``start..end`` the snapshot cannot serve for ``symbol``, and why.

        Calendar ranges (the caller trims them to sessions): before the serving
        dataset's window when the stock was listed earlier, and after it.

        Examples
        --------
        >>> T = pd.Timestamp
        >>> gaps, why = BundledSource().coverage_gaps("002456.SZ", T("2021-01-04"), T("2022-06-30"))
        >>> [(str(a.date()), str(b.date())) for a, b in gaps]
        [('2021-01-04', '2021-07-26')]
        >>> why[:58]
        'the bundled extract (a_shares_2021_2022.parquet) covers 20'
        """
        ds = self.dataset_of(symbol)
        if ds is None:
            return [(start, end)], f"{symbol} is not in the bundled snapshot"
        first, last = self._window(symbol)
        lo = first if first is not None else min(start, last)
        gaps = subtract_ranges(start, end, [(lo, last)])
        why = f"the bundled {ds.name} ({ds.file}) covers {ds.first.date()}..{last.date()}"
        if any(b > last for _, b in gaps):
            why += f"; the series ends on {last.date()}"
        return gaps, why

    def fetch(
        self, symbol: str, start: pd.Timestamp, end: pd.Timestamp, *, adjust: Adjust
    ) -> pd.DataFrame:
        """Bars of one symbol from the dataset serving it (see :class:`PriceSource`).

        The frame's ``attrs["notes"]`` names the dataset (it goes into the provenance note).
        """
        ds = self.dataset_of(symbol)
        if ds is None:
            raise DataUnavailableError(_not_bundled(symbol))
        bars, held = self._bars(symbol)
        if held != "none" and adjust != held:
            raise DataUnavailableError(
                f"{symbol}: the bundled snapshot holds {held} prices only, not adjust={adjust!r}; "
                f"use adjust={held!r} or a network source"
            )
        out = bars.loc[start:end].copy()
        out.attrs["notes"] = [ds.note]
        return out


def _not_bundled(symbol: str) -> str:
    if is_delisted(symbol):
        what = (
            ": the security master marks it not_listed (delisted, or its code changed, before "
            "2026-07) and the bundled universe is the stocks listed in mid-2026 (survivorship)"
        )
    elif _kind(symbol) == "stock":
        what = (
            " (the whole-market extract has every A-share listed in mid-2026 that traded in "
            "2021-07-27..2022-12-31; no Beijing listings)"
        )
    else:
        what = ""
    return (
        f"{symbol} is not in the bundled snapshot{what}; use source='akshare' or 'yfinance' "
        "with a network, or source='local' with your own files"
    )


def _kind(symbol: str) -> str:
    try:
        return parse_symbol(symbol).kind
    except SymbolError:
        return ""
