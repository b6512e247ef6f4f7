"""Board proxies: a board index built from its members' prices, labelled as a proxy.

The real Eastmoney board series (e.g. ``90.BK0896`` 白酒) is not in the bundled
snapshot, but its six liquor makers are. :func:`board_proxy` builds an index
from member prices the way a real price index treats its constituents:

* each member's daily return is its *trade-to-trade* close-to-close return: a
  suspended member is held at its last traded price (it contributes a zero
  price change while suspended, keeps its weight, and its whole price change
  over the suspension lands on the day it resumes) - CSI and Eastmoney indices
  treat suspended constituents the same way. Before its first and after its
  last quote a member is not in the index;
* the index return of a day is the weighted mean of the members in the index
  that day, with weights fixed from information available the day before;
* the level starts at ``base`` on the first session of the range. Only the
  returns are meaningful: the level is not Eastmoney's.

Weights
-------
========== ==============================================================
``equal``  every member in the index that day weighs the same (daily
           rebalanced)
``value``  market-capitalisation weights from ``caps=``. A wide daily
           frame: weights ∝ the previous session's caps. A per-member
           Series: the caps at the start, held as a buy-and-hold
           portfolio - weights drift with prices, index = Σ caps_i ·
           P_i,t / P_i,0 / Σ caps_i (P held over suspensions; a member
           quoting later enters at its caps with P_i,0 its first quote).
           The bundled snapshot has no shares outstanding, so ``caps``
           is required: the package will not invent a size measure
``amount`` a *liquidity* weight, ∝ the member's mean traded amount (CNY)
           over the previous 20 sessions - available from the snapshot,
           correlated with size but not a capitalisation weight
========== ==============================================================

Membership is today's sample (``datasets.board_members``, as of 2022) applied
to the whole range: constituents that left the board are missing
(survivorship), which the provenance note says.

Examples
--------
>>> pf = board_proxy("BK0896", start="2022-01-04", end="2022-01-10", source="bundled")
>>> bool(pf.provenance.loc["BK0896", "is_proxy"]), float(pf["BK0896"].iloc[0])
(True, 1000.0)
"""

from __future__ import annotations

import os
from collections.abc import Iterable
from typing import Literal, cast

import numpy as np
import pandas as pd

from eventstudy._typing import Adjust, DateLike, PriceField
from eventstudy.exceptions import ConfigError, DataUnavailableError
from eventstudy.market.frame import PriceFrame, provenance_row
from eventstudy.market.sources import PriceSource
from eventstudy.symbols import normalize, parse_symbol

__all__ = ["board_proxy", "proxy_component"]

ProxyWeights = Literal["equal", "value", "amount"]
_AMOUNT_WINDOW = 20


def _members(code: str, members: Iterable[str] | None) -> tuple[list[str], str]:
    if members is not None:
        out = list(dict.fromkeys(normalize(m) for m in members))
        if not out:
            raise ConfigError(f"members of {code} is empty")
        return out, "members given"
    from eventstudy.datasets import MEMBERS_AS_OF, board_members

    table = board_members(code)
    return list(table["symbol"]), f"bundled sample membership as of {MEMBERS_AS_OF}"


def _held_returns(prices: pd.DataFrame) -> pd.DataFrame:
    """Trade-to-trade member returns, suspended members held at their last price."""
    out = {}
    for col in prices.columns:
        p = prices[col]
        valid = p.notna().to_numpy()
        if not valid.any():
            out[col] = pd.Series(np.nan, index=prices.index)
            continue
        first, last = np.flatnonzero(valid)[[0, -1]]
        held = p.ffill()  # index methodology: a suspended constituent keeps its last price
        r = held / held.shift(1) - 1.0
        life = np.zeros(len(p), dtype=bool)
        life[first + 1 : last + 1] = True  # in the index from the day after its first quote
        out[col] = r.where(life)
    return pd.DataFrame(out, index=prices.index)


def board_proxy(
    code: str,
    *,
    members: Iterable[str] | None = None,
    weights: ProxyWeights = "equal",
    start: DateLike | None = None,
    end: DateLike | None = None,
    prices: pd.DataFrame | PriceFrame | None = None,
    caps: pd.DataFrame | pd.Series | None = None,
    amounts: pd.DataFrame | None = None,
    source: str | PriceSource = "auto",
    adjust: Adjust = "qfq",
    offline: bool | None = None,
    cache_dir: str | os.PathLike[str] | None = None,
    base: float = 1000.0,
) -> PriceFrame:
    """A board index built from member closes, labelled ``is_proxy=True``.

    Parameters
    ----------
    code
        The board, e.g. ``"BK0896"``.
    members
        Member symbols; default: the bundled sample membership of ``code``.
    weights
        ``equal``, ``value`` (needs ``caps``) or ``amount`` (liquidity weight):
        see the module docstring.
    start, end
        Range (inclusive); default: the range of ``prices``. Required when
        ``prices`` is not given.
    prices
        Member closes (wide, dates × members); fetched with ``get_prices`` if omitted.
    caps
        Market capitalisation per member: a wide daily frame (lagged one
        session before use) or a Series (caps at the start of the range,
        buy-and-hold: the weights then drift with prices).
    amounts
        Traded amounts (wide) for ``weights="amount"``; fetched if omitted.
    source, adjust, offline, cache_dir
        Passed to ``get_prices`` for the members.
    base
        Index level on the first session.

    Returns
    -------
    PriceFrame
        One column ``code`` with the proxy level; provenance ``is_proxy=True``
        and a note naming the members, the weighting and the membership date.

    Examples
    --------
    >>> pf = board_proxy("BK0896", start="2022-01-04", end="2022-12-30", source="bundled")
    >>> pf.provenance.loc["BK0896", "note"][:60]
    'proxy for BK0896: equal-weighted index of 6 members (600519.'
    """
    from eventstudy.market.prices import get_prices

    board = normalize(code)
    if parse_symbol(board).kind != "board":
        raise ConfigError(f"{code!r} is not an Eastmoney board code (BK + 4 digits)")
    if weights not in ("equal", "value", "amount"):
        raise ConfigError(f"weights={weights!r}; choose 'equal', 'value' or 'amount'")
    if weights == "value" and caps is None:
        raise ConfigError(
            "weights='value' needs caps= (market capitalisation per member, a wide daily "
            "frame or a Series): the bundled snapshot has no shares outstanding. Use "
            "weights='amount' for a liquidity weight by traded amount, or 'equal'"
        )
    syms, membership = _members(board, members)
    src_name = source if isinstance(source, str) else source.name
    retrieved: pd.Timestamp | None = None
    served_adjust: str = adjust
    if prices is None:
        if start is None or end is None:
            raise ConfigError("board_proxy needs start= and end= when prices= is not given")
        pf = get_prices(
            syms, start, end, source=source, adjust=adjust, offline=offline, cache_dir=cache_dir
        )
        closes = pf.data
        srcs = sorted(set(pf.provenance["source"]))
        src_name = ",".join(srcs)
        served_adjust = ",".join(sorted(set(pf.provenance["adjust"])))
        times = pf.provenance["retrieved_at"].dropna()
        retrieved = times.min() if len(times) else None
    else:
        closes = prices.data if isinstance(prices, PriceFrame) else prices
        src_name = "prices given"
        closes = closes.rename(columns=normalize)
        absent = [s for s in syms if s not in closes.columns]
        if absent:
            raise DataUnavailableError(f"prices= lacks the members {absent} of {board}")
        closes = closes[syms]
        lo = pd.Timestamp(start) if start is not None else closes.index[0]
        hi = pd.Timestamp(end) if end is not None else closes.index[-1]
        closes = closes.loc[lo:hi]
    closes = closes.astype(np.float64)
    rets = _held_returns(closes)
    in_index = rets.notna()
    if weights == "equal":
        w = in_index.astype(np.float64)
        wdesc = "equal-weighted"
    elif weights == "value":
        assert caps is not None
        if isinstance(caps, pd.Series):
            c = caps.rename(index=normalize).reindex(syms).astype(np.float64)
            if c.isna().any():
                raise ConfigError(f"caps has no value for {list(c.index[c.isna()])}")
            # buy-and-hold: caps at each member's first quote, drifting with its (held) price
            held = closes.ffill()
            p0 = closes.bfill().iloc[0] if len(closes) else pd.Series(np.nan, index=syms)
            w = (held.shift(1) / p0) * c
            wdesc = "cap-weighted buy-and-hold (caps= at the start, weights drift with prices)"
        else:
            cw = caps.rename(columns=normalize).reindex(index=rets.index, columns=syms)
            w = cw.shift(1).astype(np.float64)
            wdesc = "cap-weighted (caps= of the previous session)"
        w = w.where(in_index)
    else:
        if amounts is None and len(closes) == 0:  # a range without sessions
            am = pd.DataFrame(index=closes.index, columns=syms, dtype=np.float64)
        elif amounts is None:
            am = get_prices(
                syms,
                closes.index[0],
                closes.index[-1],
                source=source,
                field="amount",
                adjust=adjust,
                offline=offline,
                cache_dir=cache_dir,
            ).data
        else:
            am = amounts.rename(columns=normalize)
        am = am.reindex(index=rets.index, columns=syms).astype(np.float64)
        w = am.rolling(_AMOUNT_WINDOW, min_periods=1).mean().shift(1).where(in_index)
        wdesc = f"liquidity-weighted (mean traded amount of the previous {_AMOUNT_WINDOW} sessions)"
    w = w.where(w > 0)
    num = (rets * w).sum(axis=1, min_count=1)
    den = w.where(rets.notna()).sum(axis=1, min_count=1)
    r_p = num / den
    level = pd.Series(np.nan, index=rets.index)
    if len(level):
        growth = (1.0 + r_p).where(r_p.notna())
        chain = growth.fillna(1.0).cumprod() * base  # a day without members: level unchanged
        # level defined from the first session any member quotes; NaN before that
        has_quote = closes.notna().any(axis=1).to_numpy()
        if has_quote.any():
            first = int(np.flatnonzero(has_quote)[0])
            level.iloc[first:] = chain.iloc[first:].to_numpy() / chain.iloc[first] * base
            level = level.where(has_quote)
    note = (
        f"proxy for {board}: {wdesc} index of {len(syms)} member{_s(len(syms))} "
        f"({', '.join(syms)}), "
        f"{membership}; suspended members held at their last price; base {base:g} on "
        f"{closes.index[0].date() if len(closes) else 'n/a'}; not the Eastmoney series"
    )
    prov = {
        board: provenance_row(
            source=f"proxy({src_name})",
            adjust=served_adjust,
            field="close",
            retrieved_at=retrieved,
            is_proxy=True,
            note=note,
        )
    }
    return PriceFrame.from_series({board: level}, field="close", provenance=prov)


def proxy_component(
    code: str,
    field: str,
    *,
    start: DateLike,
    end: DateLike,
    members: Iterable[str] | None = None,
    source: str | PriceSource = "auto",
    adjust: Adjust = "qfq",
    offline: bool | None = None,
    cache_dir: str | os.PathLike[str] | None = None,
) -> PriceFrame:
    """Board ``volume`` or ``amount`` as the sum over members (``open/high/low`` have no proxy).

    Examples
    --------
    >>> pf = proxy_component("BK0896", "amount", start="2022-01-10", end="2022-01-10",
    ...                      source="bundled")
    >>> bool(pf["BK0896"].iloc[0] > 1e9)
    True
    """
    from eventstudy.market.prices import get_prices

    board = normalize(code)
    if field not in ("volume", "amount"):
        raise DataUnavailableError(
            f"{board}: a board proxy has close, volume and amount only, not {field!r}; "
            "fetch the real board series with source='akshare'"
        )
    syms, membership = _members(board, members)
    pf = get_prices(
        syms,
        start,
        end,
        source=source,
        field=cast(PriceField, field),
        adjust=adjust,
        offline=offline,
        cache_dir=cache_dir,
    )
    total = pf.data.sum(axis=1, min_count=1)
    note = (
        f"proxy for {board}: sum of {field} over {len(syms)} member{_s(len(syms))} "
        f"({', '.join(syms)}), {membership}"
    )
    srcs = ",".join(sorted(set(pf.provenance["source"])))
    prov = {
        board: provenance_row(
            source=f"proxy({srcs})", adjust=adjust, field=field, is_proxy=True, note=note
        )
    }
    return PriceFrame.from_series({board: total}, field=field, provenance=prov)


def _s(n: int) -> str:
    """Plural ending: ``member{_s(n)}``."""
    return "" if n == 1 else "s"
