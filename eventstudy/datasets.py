"""The bundled real-data snapshot (prices, boards, news) that ships with the package.

The files live in the repository's top-level ``data/`` folder and inside the
wheel as ``eventstudy/_data``; :func:`data_dir` finds either. Provenance and
columns are documented in ``data/README.md``.

Prices come in two files with different forward-adjustment bases: the long
history of 47 stocks and 5 indices (:func:`sample_prices`, 2010..2026) and the
whole-market extract of every A-share listed in mid-2026, 2021-07-27..2022-12-31
(:func:`eventstudy.reference.load_extract`). The ``bundled`` price source
serves both, one file per symbol (:mod:`eventstudy.market.bundled`); the
security master is :func:`eventstudy.reference.load_master`.

Examples
--------
>>> from eventstudy import datasets
>>> prices = datasets.sample_prices()
>>> row = (prices.symbol == "600519.SH") & (prices.date == "2022-01-10")
>>> float(prices.loc[row, "close"].iloc[0])
1739.49
>>> datasets.board_table().set_index("code").loc["BK0896", "name"]
'白酒'
"""

from __future__ import annotations

from collections.abc import Iterable
from functools import lru_cache
from pathlib import Path

import pandas as pd

from eventstudy.exceptions import DataUnavailableError, UnknownSymbolError
from eventstudy.symbols import normalize

__all__ = [
    "BOARDS_AS_OF",
    "MEMBERS_AS_OF",
    "board_members",
    "board_table",
    "data_dir",
    "sample_news_path",
    "sample_prices",
    "sample_symbols",
]

#: Date the board names were recorded (Eastmoney names drift over time).
BOARDS_AS_OF = "2026-07"
#: Date of the sample board membership.
MEMBERS_AS_OF = "2022"

_MARKER = "prices.parquet"


def data_dir() -> Path:
    """Return the folder holding the bundled snapshot.

    Looks in the installed package (``eventstudy/_data``) first, then in the
    source checkout's top-level ``data/``.

    Raises
    ------
    DataUnavailableError
        If neither location holds the snapshot (a broken install).

    Examples
    --------
    >>> (data_dir() / "prices.parquet").is_file()
    True
    """
    here = Path(__file__).resolve().parent
    for candidate in (here / "_data", here.parent / "data"):
        if (candidate / _MARKER).is_file():
            return candidate
    raise DataUnavailableError(
        f"the bundled data snapshot was not found in {here / '_data'} or {here.parent / 'data'}; "
        "reinstall the package (pip install eventstudy-cn) or run from a source checkout"
    )


@lru_cache(maxsize=1)
def _prices() -> pd.DataFrame:
    frame = pd.read_parquet(data_dir() / "prices.parquet")
    frame["symbol"] = frame["symbol"].astype(str)
    frame["adjust"] = frame["adjust"].astype(str)
    return frame


def sample_prices(symbols: Iterable[str] | None = None) -> pd.DataFrame:
    """Daily prices of the long history (47 stocks, 5 indices), in long (tidy) form.

    Stocks are forward-adjusted (前复权, ``adjust == "qfq"``) as of 2026-06;
    indices are unadjusted (``"none"``). Suspended days are absent rows. Every
    other A-share (2021-07-27..2022-12-31, qfq as of 2026-07: a different base)
    is in :func:`eventstudy.reference.load_extract`.

    ====== ============== ====================================================
    column dtype          meaning
    ====== ============== ====================================================
    date   datetime64     trading session (no time zone)
    symbol str            canonical symbol, e.g. ``600519.SH``, ``000300.SH``
    open   float64        price (CNY or index points)
    high   float64
    low    float64
    close  float64
    volume float64        shares
    amount float64        CNY
    adjust str            ``qfq`` or ``none``
    ====== ============== ====================================================

    Parameters
    ----------
    symbols
        Restrict to these symbols (any spelling :func:`eventstudy.symbols.normalize` accepts).

    Raises
    ------
    UnknownSymbolError
        If a requested symbol is not in the snapshot.

    Examples
    --------
    >>> df = sample_prices(["000300.SH"])
    >>> df.symbol.unique().tolist(), str(df.date.min().date())
    (['000300.SH'], '2005-01-04')
    """
    frame = _prices()
    if symbols is None:
        return frame.copy()
    wanted = [normalize(s) for s in symbols]
    have = set(frame["symbol"].unique())
    missing = [s for s in wanted if s not in have]
    if missing:
        raise UnknownSymbolError(
            f"{missing} not in the bundled long history ({len(have)} symbols: see "
            "eventstudy.datasets.sample_symbols()); other A-shares listed in mid-2026 are in "
            "the whole-market extract for 2021-07-27..2022-12-31 (eventstudy.reference."
            "load_extract, or get_prices(source='bundled')); anything else: "
            "get_prices(source='akshare')"
        )
    return frame[frame["symbol"].isin(wanted)].reset_index(drop=True)


def sample_symbols() -> list[str]:
    """Canonical symbols of the long history (:func:`sample_prices`).

    The ``bundled`` price source has more: ``get_source("bundled").symbols()``
    adds every stock of the whole-market extract.

    Examples
    --------
    >>> "000001.SH" in sample_symbols() and "000001.SZ" in sample_symbols()
    True
    """
    return sorted(_prices()["symbol"].unique())


def sample_news_path() -> Path:
    """Folder of the bundled Eastmoney news posts (``_posts/``, ``old_post/``, ``INDEX.tsv``).

    Examples
    --------
    >>> (sample_news_path() / "INDEX.tsv").is_file()
    True
    """
    return data_dir() / "news"


def board_table() -> pd.DataFrame:
    """Eastmoney boards: ``code`` (BKxxxx), ``name``, ``board_type``, ``as_of``.

    ``board_type`` is ``industry``, ``region``, ``style`` or ``concept``.

    Examples
    --------
    >>> t = board_table()
    >>> len(t), t.columns.tolist()
    (152, ['code', 'name', 'board_type', 'as_of'])
    """
    t = pd.read_csv(data_dir() / "boards.csv", dtype=str)
    t["as_of"] = BOARDS_AS_OF
    return t


def board_members(board: str | None = None) -> pd.DataFrame:
    """Sample membership of the bundled stocks: ``board_code``, ``symbol``, ``name``, ``as_of``.

    The same rows, dated, are the membership of the security master
    (:meth:`eventstudy.reference.SecurityMaster.members`), which board proxies use.

    Parameters
    ----------
    board
        Restrict to one board code, e.g. ``"BK0896"``.

    Examples
    --------
    >>> board_members("BK0896").symbol.tolist()
    ['600519.SH', '000858.SZ', '000568.SZ', '000596.SZ', '002304.SZ', '600809.SH']
    """
    m = pd.read_csv(data_dir() / "board_members.csv", dtype=str)
    m["as_of"] = MEMBERS_AS_OF
    if board is not None:
        code = normalize(board)
        m = m[m["board_code"] == code].reset_index(drop=True)
        if m.empty:
            raise UnknownSymbolError(
                f"{board!r} has no members in the bundled sample; pass members= explicitly "
                "or fetch them with the akshare source"
            )
    return m
