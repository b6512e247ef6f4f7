"""The :class:`MarketPanel` result of :func:`eventstudy.market.load_panel`: every price field.

One request, one provider call per symbol, every field: ``panel.close``,
``panel.open``, ... are :class:`~eventstudy.market.frame.PriceFrame` objects
(wide sessions × symbols, with provenance and failures), ``panel.returns()``
the returns of the closes, ``panel.to_long()`` the tidy OHLCV table.

A symbol that could not be served at all is in :attr:`MarketPanel.failures`
(and in the ``failures`` of every field); a served symbol without some field
(a board proxy has no open/high/low, Yahoo has no amount) is in
:attr:`MarketPanel.lacking` and in that field's ``failures`` (reason
``unavailable``), and has no column in that field's ``data``.

Examples
--------
>>> from eventstudy.market import load_panel
>>> panel = load_panel(["600519.SH", "000300.SH"], "2022-01-10", "2022-01-11", source="bundled")
>>> panel.fields
('open', 'high', 'low', 'close', 'volume', 'amount')
>>> panel.close.data["600519.SH"].tolist(), panel.volume.data["600519.SH"].tolist()
([1739.49, 1716.97], [2962670.0, 2227664.0])
>>> panel.returns().data["600519.SH"].round(5).tolist()
[nan, -0.01295]
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from dataclasses import field as dc_field

import numpy as np
import pandas as pd

from eventstudy._typing import ReturnKind
from eventstudy.exceptions import ConfigError
from eventstudy.market.frame import PriceFrame, empty_failures, short_list
from eventstudy.market.returns import returns_of

__all__ = ["LACKING_COLUMNS", "MarketPanel", "empty_lacking"]

#: Columns of :attr:`MarketPanel.lacking`.
LACKING_COLUMNS = ["symbol", "field", "message"]


def empty_lacking() -> pd.DataFrame:
    """An empty :attr:`MarketPanel.lacking` table."""
    return pd.DataFrame({c: pd.Series(dtype=object) for c in LACKING_COLUMNS})


@dataclass(frozen=True)
class MarketPanel:
    """Every requested price field of several symbols, from one request.

    Attributes
    ----------
    frames
        ``{field: PriceFrame}`` in the order requested; a frame's columns are the
        symbols that have the field, its ``failures`` the symbols that do not.
    provenance
        One row per served symbol (the columns of
        :data:`~eventstudy.market.frame.PROVENANCE_COLUMNS`; ``field`` lists the
        fields it has, comma-separated; ``first``/``last`` from ``close`` when
        requested).
    failures
        Symbols that could not be served at all (``symbol``, ``reason``,
        ``message``, as ``get_prices(errors="collect")``).
    lacking
        Served symbols without some field: ``symbol``, ``field``, ``message``.
    """

    frames: Mapping[str, PriceFrame]
    provenance: pd.DataFrame
    failures: pd.DataFrame = dc_field(default_factory=empty_failures)
    lacking: pd.DataFrame = dc_field(default_factory=empty_lacking)

    @property
    def fields(self) -> tuple[str, ...]:
        """The fields loaded."""
        return tuple(self.frames)

    @property
    def symbols(self) -> list[str]:
        """The symbols served (any field), in request order."""
        return [str(s) for s in self.provenance.index]

    @property
    def proxies(self) -> list[str]:
        """Symbols served by a proxy (see ``provenance.proxy_members``)."""
        return [str(s) for s in self.provenance.index[self.provenance["is_proxy"]]]

    def frame(self, field: str) -> PriceFrame:
        """One field as a :class:`PriceFrame`.

        Raises
        ------
        ConfigError
            For a field that was not loaded.

        Examples
        --------
        >>> from eventstudy.market import load_panel
        >>> p = load_panel("600519.SH", "2022-01-10", "2022-01-10", source="bundled",
        ...                fields=["close"])
        >>> float(p.frame("close").data.iloc[0, 0])
        1739.49
        """
        if field not in self.frames:
            raise ConfigError(f"field {field!r} was not loaded; this panel has {list(self.frames)}")
        return self.frames[field]

    def __getitem__(self, field: str) -> PriceFrame:
        """``panel["close"]`` is ``panel.frame("close")``."""
        return self.frame(field)

    @property
    def open(self) -> PriceFrame:
        """Opening prices."""
        return self.frame("open")

    @property
    def high(self) -> PriceFrame:
        """Highest prices."""
        return self.frame("high")

    @property
    def low(self) -> PriceFrame:
        """Lowest prices."""
        return self.frame("low")

    @property
    def close(self) -> PriceFrame:
        """Closing prices."""
        return self.frame("close")

    @property
    def volume(self) -> PriceFrame:
        """Traded volume (shares)."""
        return self.frame("volume")

    @property
    def amount(self) -> PriceFrame:
        """Traded amount (trading currency)."""
        return self.frame("amount")

    def returns(self, kind: ReturnKind = "simple", *, trade_to_trade: bool = False) -> PriceFrame:
        """Returns of the closes (see :func:`eventstudy.market.get_returns`).

        Examples
        --------
        >>> from eventstudy.market import load_panel
        >>> p = load_panel("000002.SZ", "2015-12-16", "2016-07-05", source="bundled")
        >>> r = p.returns(trade_to_trade=True)
        >>> int(r.gaps.loc["2016-07-04", "000002.SZ"])  # the return over the suspension
        131
        """
        return returns_of(self.close, kind=kind, trade_to_trade=trade_to_trade)

    def to_long(self) -> pd.DataFrame:
        """Tidy ``date, symbol, <fields>``: one row per date and symbol with any value.

        Examples
        --------
        >>> from eventstudy.market import load_panel
        >>> p = load_panel("600519.SH", "2022-01-10", "2022-01-10", source="bundled",
        ...                fields=["open", "close"])
        >>> p.to_long()
                date     symbol     open    close
        0 2022-01-10  600519.SH  1705.87  1739.49
        """
        parts = []
        for f, pf in self.frames.items():
            long = pf.data.rename_axis("date").reset_index()
            long = long.melt(id_vars="date", var_name="symbol", value_name=f)
            parts.append(long.set_index(["date", "symbol"])[f])
        if not parts:
            return pd.DataFrame(columns=["date", "symbol"])
        out = pd.concat(parts, axis=1).reindex(columns=list(self.frames))
        out = out[out.notna().any(axis=1).to_numpy()].sort_index(level=["date", "symbol"])
        out = out.reset_index()
        out["symbol"] = out["symbol"].astype(object)
        return out.astype({f: np.float64 for f in self.frames})

    def __repr__(self) -> str:
        close = self.frames.get("close")
        n = len(close.data) if close is not None else 0
        proxies = f", proxies=[{short_list(list(self.proxies))}]" if self.proxies else ""
        symbols = list(self.symbols)
        return (
            f"MarketPanel(fields={list(self.fields)}, sessions={n}, "
            f"symbols={len(symbols)} [{short_list(symbols)}]{proxies})"
        )
