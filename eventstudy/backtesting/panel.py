"""Price input of a backtest: wide open/high/low/close panels on one session index.

Accepted ``prices``:

* a long DataFrame in the shape of :func:`eventstudy.datasets.sample_prices`
  (``date, symbol, open, high, low, close, ...``; ``close`` required);
* a dict of wide panels ``{"close": df, "open": df, ...}`` (index dates,
  columns symbols);
* ``None``: loaded with :func:`eventstudy.market.load_panel`.

Sessions of the panel are the dates on which any given series has a row
(with the benchmark included this is the exchange calendar); a symbol without
a row on a session is suspended (停牌) or not listed that day. Nothing is
filled.

Examples
--------
>>> from eventstudy.datasets import sample_prices
>>> panel = PricePanel.from_prices(sample_prices(["600519.SH", "000300.SH"]))
>>> panel.symbols, panel.has_ohlc
(['000300.SH', '600519.SH'], True)
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field, replace
from typing import Any

import numpy as np
import pandas as pd

from eventstudy._typing import FloatArray, PriceField
from eventstudy.exceptions import DataUnavailableError, InputDataError
from eventstudy.symbols import normalize

__all__ = ["FIELDS", "PricePanel"]

#: Price fields a backtest uses.
FIELDS: tuple[PriceField, ...] = ("open", "high", "low", "close")


def _clean_wide(frame: pd.DataFrame, name: str) -> pd.DataFrame:
    if not isinstance(frame, pd.DataFrame):
        raise InputDataError(
            f"prices[{name!r}] must be a wide DataFrame, got {type(frame).__name__}"
        )
    df = frame.copy()
    idx = pd.DatetimeIndex(pd.to_datetime(df.index))
    if idx.tz is not None:
        idx = idx.tz_localize(None)
    df.index = idx.normalize().astype("datetime64[ns]")
    df.columns = [normalize(c) for c in df.columns]
    if df.index.has_duplicates or df.columns.has_duplicates:
        raise InputDataError(f"prices[{name!r}] has duplicated dates or symbols")
    df = df.apply(pd.to_numeric, errors="coerce").astype("float64")
    values = df.to_numpy()
    bad = ~np.isnan(values) & ~(np.isfinite(values) & (values > 0))
    if bad.any():
        i, j = np.argwhere(bad)[0]
        raise InputDataError(
            f"prices[{name!r}] has a non-positive or infinite value {values[i, j]!r} for "
            f"{df.columns[j]} on {df.index[i].date()}; prices must be > 0 (use NaN for missing)"
        )
    return df.sort_index()


def _describe(prov: pd.DataFrame) -> str:
    """One line naming the sources (and proxies) of a ``PriceFrame.provenance``."""
    if not isinstance(prov, pd.DataFrame) or "source" not in prov.columns:
        return str(prov)
    prov = prov[~prov.index.duplicated(keep="first")]
    is_proxy = (
        prov["is_proxy"].astype(bool)
        if "is_proxy" in prov.columns
        else pd.Series(False, index=prov.index)
    )
    real = prov[~is_proxy]
    parts = [
        f"{src}: {', '.join(map(str, grp.index))}" for src, grp in real.groupby("source", sort=True)
    ]
    if is_proxy.any():
        proxies = ", ".join(f"{sym} ({prov.loc[sym, 'source']!s})" for sym in prov.index[is_proxy])
        parts.append(f"{proxies}: PROXY series built from members, not the real board index")
    return "; ".join(parts)


@dataclass(frozen=True)
class PricePanel:
    """Aligned wide price arrays, shape ``(sessions, symbols)``.

    Attributes
    ----------
    dates
        Sessions (naive, normalised).
    symbols
        Canonical symbols (columns).
    open, high, low, close
        Float arrays; NaN where the symbol has no price that session.
    provenance
        Where the prices came from.
    has_ohlc
        Whether open, high, low and close were all given.
    proxies
        Symbols whose series is a proxy (e.g. a board built from its members).
    """

    dates: pd.DatetimeIndex
    symbols: list[str]
    close: FloatArray
    open: FloatArray
    high: FloatArray
    low: FloatArray
    provenance: str = "given"
    has_ohlc: bool = True
    proxies: frozenset[str] = frozenset()
    _col: dict[str, int] = field(init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        object.__setattr__(self, "_col", {s: j for j, s in enumerate(self.symbols)})

    def column(self, symbol: str) -> int:
        """Column of ``symbol``, or -1 if the panel has no series for it."""
        return self._col.get(symbol, -1)

    @property
    def prev_close(self) -> FloatArray:
        """The last available close strictly before each session (per symbol)."""
        prev = pd.DataFrame(self.close).shift(1).ffill().to_numpy()
        return np.asarray(prev, dtype=np.float64)

    @classmethod
    def from_wide(cls, panels: Mapping[str, pd.DataFrame], provenance: str = "given") -> PricePanel:
        """Build from ``{"close": wide, "open": wide, ...}``; ``close`` is required."""
        unknown = set(panels) - set(FIELDS) - {"volume", "amount"}
        if unknown:
            raise InputDataError(f"unknown price fields {sorted(unknown)}; use {FIELDS}")
        if "close" not in panels:
            raise InputDataError("prices need a 'close' panel (a wide DataFrame of closes)")
        wide = {k: _clean_wide(v, k) for k, v in panels.items() if k in FIELDS}
        dates = wide["close"].index
        symbols = list(wide["close"].columns)
        for df in wide.values():
            dates = dates.union(df.index)
            symbols += [c for c in df.columns if c not in symbols]
        symbols = sorted(symbols)
        arrays = {
            k: (
                wide[k].reindex(index=dates, columns=symbols).to_numpy(dtype=np.float64)
                if k in wide
                else np.full((len(dates), len(symbols)), np.nan)
            )
            for k in FIELDS
        }
        return cls(
            pd.DatetimeIndex(dates, name="date"),
            symbols,
            close=arrays["close"],
            open=arrays["open"],
            high=arrays["high"],
            low=arrays["low"],
            provenance=provenance,
            has_ohlc=all(k in wide for k in FIELDS),
        )

    @classmethod
    def from_long(cls, frame: pd.DataFrame, provenance: str = "given") -> PricePanel:
        """Build from a long frame ``date, symbol, open, high, low, close``."""
        missing = [c for c in ("date", "symbol", "close") if c not in frame.columns]
        if missing:
            raise InputDataError(
                f"long prices need columns date, symbol, close (+ open, high, low); missing "
                f"{missing} (have {list(frame.columns)})"
            )
        df = frame.copy()
        df["symbol"] = [normalize(s) for s in df["symbol"]]
        df["date"] = pd.to_datetime(df["date"]).astype("datetime64[ns]").dt.normalize()
        dup = df.duplicated(["date", "symbol"])
        if dup.any():
            row = df.loc[dup, ["date", "symbol"]].iloc[0]
            raise InputDataError(
                f"prices have several rows for {row['symbol']} on {row['date'].date()}; "
                "pass one row per (date, symbol)"
            )
        panels: dict[str, pd.DataFrame] = {
            k: df.pivot(index="date", columns="symbol", values=k) for k in FIELDS if k in df.columns
        }
        return cls.from_wide(panels, provenance=provenance)

    @classmethod
    def from_prices(cls, prices: Any, provenance: str = "given") -> PricePanel:
        """Dispatch on the accepted shapes (see the module docstring)."""
        if isinstance(prices, pd.DataFrame):
            return cls.from_long(prices, provenance)
        if isinstance(prices, Mapping):
            return cls.from_wide(prices, provenance)
        raise InputDataError(
            f"prices must be a long DataFrame, a dict of wide panels or None, "
            f"got {type(prices).__name__}"
        )

    @classmethod
    def load(
        cls,
        symbols: Iterable[str],
        start: pd.Timestamp,
        end: pd.Timestamp,
        *,
        source: str = "auto",
        offline: bool | None = None,
        progress: bool = False,
    ) -> tuple[PricePanel, dict[str, str]]:
        """Load the panel with :func:`eventstudy.market.load_panel`.

        One request: one provider call per symbol gives open, high, low and close.
        Returns the panel and ``{symbol: message}`` for symbols without closes (they
        end up skipped with reason ``no_price``); a symbol with closes only (a board
        proxy) keeps them, and one with some dates missing keeps the others. The
        price layer's warnings (fallbacks, proxies) are not silenced. ``progress``
        shows a bar on stderr.
        """
        from eventstudy.backtesting._progress import Progress
        from eventstudy.market import load_panel

        wanted = sorted(set(symbols))
        with Progress(1, "fetching prices", enabled=progress, unit="request") as bar:
            bar.update(0)
            market = load_panel(wanted, start, end, fields=FIELDS, source=source,
                                offline=offline, errors="collect")  # fmt: skip
            bar.update()
        close = market.close
        failed = {
            str(row.symbol): f"{row.reason}: {row.message}"
            for row in close.failures.itertuples()
            if row.symbol not in close.data.columns
        }
        if close.data.shape[1] == 0:
            why = "; ".join(f"{sym}: {msg}" for sym, msg in failed.items())
            raise DataUnavailableError(
                f"no close prices could be loaded for {wanted} between {start.date()} and "
                f"{end.date()} (source={source!r}): {why}. Go online to extend the series, "
                "or pass prices= explicitly"
            )
        prov = _describe(close.provenance)
        panel = cls.from_wide({f: market.frame(f).data for f in FIELDS}, provenance=prov)
        return replace(panel, proxies=frozenset(close.proxies)), failed
