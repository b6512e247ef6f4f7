"""The :class:`PriceFrame` result: a wide panel of one field plus per-symbol provenance.

Shapes
------
``data`` (sessions × symbols, float64, NaN where a symbol has no value)::

    date        600519.SH  000300.SH
    2022-01-10    1739.49    4844.05
    2022-01-11    1744.00    4875.40

``provenance`` (one row per symbol, indexed by ``symbol``):

============= ============ ============================================================
column        dtype        meaning
============= ============ ============================================================
source        str          where the values came from (``bundled``, ``akshare``, ...)
adjust        str          ``qfq``, ``hfq`` or ``none`` (indices and boards are never
                           adjusted)
field         str          the price field or the return kind
retrieved_at  datetime     when the data were retrieved (Asia/Shanghai), NaT for the
                           bundled snapshot
is_proxy      bool         True when the series was built from other series
proxy_members int          how many series a proxy was built from (a board proxy:
                           its members); 0 when not a proxy
proxy_of      str          what the proxy stands in for (the board code, e.g.
                           ``BK0896``); ``""`` when not a proxy
note          str          fallbacks, proxies, cleaning performed; ``""`` if nothing
first, last   datetime     first and last date with a value in ``data``
============= ============ ============================================================

Examples
--------
>>> import pandas as pd
>>> pf = PriceFrame.from_series(
...     {"600519.SH": pd.Series([1.0, 2.0], index=pd.to_datetime(["2022-01-10", "2022-01-11"]))},
...     field="close", source="bundled", adjust="qfq",
... )
>>> pf.symbols, float(pf["600519.SH"].iloc[-1])
(['600519.SH'], 2.0)
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from dataclasses import field as dc_field
from typing import Any

import numpy as np
import pandas as pd

from eventstudy.symbols import normalize

__all__ = [
    "FAILURE_COLUMNS",
    "PROVENANCE_COLUMNS",
    "PriceFrame",
    "empty_failures",
    "provenance_row",
    "short_list",
]

#: Names shown by :func:`short_list` before "and N more".
SHORT_LIST_NAMES = 8

#: Columns of :attr:`PriceFrame.failures`.
FAILURE_COLUMNS = ["symbol", "reason", "message"]


def short_list(names: list[str], limit: int = SHORT_LIST_NAMES) -> str:
    """``A, B, C``, or the first ``limit`` names and how many more (for one-line messages).

    Examples
    --------
    >>> short_list(["BK0425", "BK0428", "BK0437"], limit=2)
    'BK0425, BK0428 and 1 more'
    """
    shown = ", ".join(names[:limit])
    more = len(names) - limit
    return f"{shown} and {more} more" if more > 0 else shown


def empty_failures() -> pd.DataFrame:
    """An empty :attr:`PriceFrame.failures` table."""
    return pd.DataFrame({c: pd.Series(dtype=object) for c in FAILURE_COLUMNS})


#: Columns of :attr:`PriceFrame.provenance`, in order.
PROVENANCE_COLUMNS = [
    "source",
    "adjust",
    "field",
    "retrieved_at",
    "is_proxy",
    "proxy_members",
    "proxy_of",
    "note",
    "first",
    "last",
]


def provenance_row(
    *,
    source: str,
    adjust: str,
    field: str,
    retrieved_at: pd.Timestamp | None = None,
    is_proxy: bool = False,
    proxy_members: int = 0,
    proxy_of: str = "",
    note: str = "",
) -> dict[str, Any]:
    """One provenance record (``first``/``last`` are filled in from the data).

    ``is_proxy`` is implied by ``proxy_members > 0`` or a ``proxy_of``.

    Examples
    --------
    >>> provenance_row(source="bundled", adjust="qfq", field="close")["is_proxy"]
    False
    >>> row = provenance_row(source="proxy(bundled)", adjust="qfq", field="close",
    ...                      proxy_members=6, proxy_of="BK0896")
    >>> row["is_proxy"], row["proxy_members"], row["proxy_of"]
    (True, 6, 'BK0896')
    """
    if int(proxy_members) < 0:
        raise ValueError(f"proxy_members={proxy_members!r} must be >= 0")
    return {
        "source": source,
        "adjust": adjust,
        "field": field,
        "retrieved_at": pd.NaT if retrieved_at is None else pd.Timestamp(retrieved_at),
        "is_proxy": bool(is_proxy or proxy_members or proxy_of),
        "proxy_members": int(proxy_members),
        "proxy_of": str(proxy_of),
        "note": note,
    }


def _finish_provenance(data: pd.DataFrame, rows: Mapping[str, Mapping[str, Any]]) -> pd.DataFrame:
    valid = data.notna().to_numpy()
    has = np.asarray(valid.any(axis=0), dtype=bool)
    if len(valid) == 0:  # a range without sessions: an empty panel, first/last NaT
        first_pos = last_pos = np.zeros(valid.shape[1], dtype=np.intp)
    else:
        first_pos = valid.argmax(axis=0)
        last_pos = len(valid) - 1 - valid[::-1].argmax(axis=0)
    records = []
    for j, sym in enumerate(data.columns):
        row = dict(rows[sym])
        row["first"] = data.index[first_pos[j]] if has[j] else pd.NaT
        row["last"] = data.index[last_pos[j]] if has[j] else pd.NaT
        records.append(row)
    prov = pd.DataFrame.from_records(records, columns=PROVENANCE_COLUMNS)
    prov.index = pd.Index(list(data.columns), name="symbol", dtype=object)
    prov["is_proxy"] = prov["is_proxy"].astype(bool)
    prov["proxy_members"] = prov["proxy_members"].fillna(0).astype(np.int64)
    prov["proxy_of"] = prov["proxy_of"].fillna("")
    for col in ("source", "adjust", "field", "proxy_of", "note"):
        prov[col] = prov[col].astype(object)
    prov["retrieved_at"] = pd.to_datetime(prov["retrieved_at"], utc=True).dt.tz_convert(
        "Asia/Shanghai"
    )
    prov["first"] = pd.to_datetime(prov["first"])
    prov["last"] = pd.to_datetime(prov["last"])
    return prov


@dataclass(frozen=True)
class PriceFrame:
    """A wide panel of one price field (or of returns) with provenance per symbol.

    Parameters
    ----------
    data
        Sessions × symbols, float64, index a naive normalised ``DatetimeIndex``
        named ``date``; missing values (suspensions, before listing) are NaN and
        are never filled.
    provenance
        One row per symbol: see the module docstring.
    field
        ``open``, ``high``, ``low``, ``close``, ``volume``, ``amount``, or for
        returns ``simple_return`` / ``log_return``.
    gaps
        Only for trade-to-trade returns: sessions × symbols, nullable ``Int64``,
        the number of sessions each return spans (1 = consecutive sessions, k > 1
        = the return over a suspension of k - 1 sessions, attributed to the day
        trading resumed); ``<NA>`` where the return is missing.
    failures
        Only with ``get_prices(..., errors="collect")``: one row per requested
        symbol that could not be served in full, columns ``symbol``, ``reason``
        (:data:`~eventstudy._typing.FailureReason`: ``unavailable``: not
        cached/offline, not in the source, or the source has no such field - a
        board proxy has no ``open``; ``partial``: some dates missing, the rest
        is in ``data``; ``provider_failed``: the network source failed after its
        retries and nothing stood in) and ``message``. Empty when everything was
        served.

    Examples
    --------
    >>> from eventstudy.market import get_prices
    >>> pf = get_prices(["600519.SH"], "2022-01-10", "2022-01-12", source="bundled")
    >>> pf.data.shape, pf.provenance.loc["600519.SH", "source"]
    ((3, 1), 'bundled')
    """

    data: pd.DataFrame
    provenance: pd.DataFrame
    field: str
    gaps: pd.DataFrame | None = dc_field(default=None, repr=False)
    failures: pd.DataFrame = dc_field(default_factory=lambda: empty_failures(), repr=False)

    @classmethod
    def from_series(
        cls,
        series: Mapping[str, pd.Series],
        *,
        field: str,
        provenance: Mapping[str, Mapping[str, Any]] | None = None,
        index: pd.DatetimeIndex | None = None,
        **common: Any,
    ) -> PriceFrame:
        """Assemble a frame from per-symbol series (aligned on the union of dates).

        Parameters
        ----------
        series
            ``{symbol: Series indexed by date}``.
        field
            The field name stored in :attr:`field`.
        provenance
            ``{symbol: provenance_row(...)}``; if omitted, built from ``common``
            (keyword arguments of :func:`provenance_row`).
        index
            Extra sessions to include (e.g. the trading calendar of the range), so
            that a suspended day appears as NaN rather than being absent.
        """
        parts = [] if index is None else [np.asarray(index, dtype="datetime64[ns]")]
        prepared: list[tuple[np.ndarray, np.ndarray]] = []
        for ser in series.values():
            # midnight of each date, in numpy (pandas' normalize() infers a frequency: slow)
            ix = np.asarray(ser.index, dtype="datetime64[ns]").astype("datetime64[D]")
            ix = ix.astype("datetime64[ns]")
            vals = ser.to_numpy(dtype=np.float64, na_value=np.nan)
            if len(ix) > 1 and not bool((ix[1:] > ix[:-1]).all()):
                # keep the last value of a repeated date, sorted by date
                order = np.argsort(ix, kind="stable")
                ix, vals = ix[order], vals[order]
                last = np.append(ix[1:] != ix[:-1], True)
                ix, vals = ix[last], vals[last]
            prepared.append((ix, vals))
            parts.append(ix)
        days = np.unique(np.concatenate(parts)) if parts else np.array([], "datetime64[ns]")
        idx = pd.DatetimeIndex(days, name="date")
        block = np.full((len(days), len(prepared)), np.nan)
        for j, (ix, vals) in enumerate(prepared):
            block[np.searchsorted(days, ix), j] = vals
        data = pd.DataFrame(block, index=idx, columns=pd.Index(list(series), dtype=object))
        if provenance is None:
            provenance = {s: provenance_row(field=field, **common) for s in series}
        return cls(data=data, provenance=_finish_provenance(data, provenance), field=field)

    def __getitem__(self, symbol: str) -> pd.Series:
        """The column of one symbol (any spelling)."""
        key = symbol if symbol in self.data.columns else normalize(symbol)
        return self.data[key]

    @property
    def symbols(self) -> list[str]:
        """The canonical symbols, in column order."""
        return [str(c) for c in self.data.columns]

    @property
    def proxies(self) -> list[str]:
        """Symbols whose series is a proxy (built from other series)."""
        return [str(s) for s in self.provenance.index[self.provenance["is_proxy"]]]

    def to_long(self) -> pd.DataFrame:
        """Tidy form ``[date, symbol, value]`` without the missing values.

        Examples
        --------
        >>> from eventstudy.market import get_prices
        >>> get_prices("600519.SH", "2022-01-10", "2022-01-10", source="bundled").to_long()
                date     symbol    value
        0 2022-01-10  600519.SH  1739.49
        """
        frame = self.data.reset_index().melt(id_vars="date", var_name="symbol", value_name="value")
        frame = frame[frame["value"].notna()].reset_index(drop=True)
        frame["symbol"] = frame["symbol"].astype(object)
        return frame

    def __repr__(self) -> str:
        n = len(self.data)
        span = f"{self.data.index[0].date()}..{self.data.index[-1].date()}" if n else "empty"
        proxies = f", proxies={self.proxies}" if self.proxies else ""
        return (
            f"PriceFrame(field={self.field!r}, sessions={n}, symbols={self.symbols}, "
            f"{span}{proxies})"
        )
