"""Board proxies: a board index built from its members' prices, labelled as a proxy.

The real Eastmoney board series (e.g. ``90.BK0896`` 白酒) is not in the bundled
snapshot, but its six liquor makers are. :func:`proxy_index` builds an index
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

Membership comes from the security master (:mod:`eventstudy.reference`; the
bundled sample of 2022 today): the snapshot in force at the start of the range,
applied to the whole range. Constituents that left the board are missing
(survivorship), and a snapshot observed after the range start is look-ahead;
the provenance note says which snapshot was used.

This module computes a proxy from member prices it is *given*; fetching the
members is the price layer's job (:func:`eventstudy.market.board_proxy`, and
``get_prices`` when a board has no series of its own).

Examples
--------
>>> import pandas as pd
>>> closes = pd.DataFrame({"600519.SH": [100.0, 110.0, 121.0], "000858.SZ": [50.0, 45.0, 54.0]},
...                       index=pd.to_datetime(["2022-01-04", "2022-01-05", "2022-01-06"]))
>>> level, how = proxy_index(closes)
>>> level.round(2).tolist(), how
([1000.0, 1000.0, 1150.0], 'equal-weighted')
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import get_args

import numpy as np
import pandas as pd

from eventstudy._typing import DateLike, ProxyWeights
from eventstudy.exceptions import ConfigError, DataUnavailableError, UnknownSymbolError
from eventstudy.market.frame import PriceFrame, provenance_row
from eventstudy.symbols import normalize, parse_symbol

__all__ = [
    "AMOUNT_WINDOW",
    "PROXY_FIELDS",
    "board_members_of",
    "check_board",
    "given_member_prices",
    "proxy_frame",
    "proxy_index",
    "proxy_note",
    "proxy_total",
    "total_note",
]

#: Sessions of traded amount averaged for ``weights="amount"``.
AMOUNT_WINDOW = 20
#: Fields a board proxy has (``open``/``high``/``low`` have no proxy).
PROXY_FIELDS = ("close", "volume", "amount")


def check_board(code: str, weights: ProxyWeights, caps: object) -> str:
    """The canonical board code, after checking the proxy request.

    Raises
    ------
    ConfigError
        For a code that is not a board, unknown weights, or value weights without caps.

    Examples
    --------
    >>> check_board("bk0896", "equal", None)
    'BK0896'
    """
    board = normalize(code)
    if parse_symbol(board).kind != "board":
        raise ConfigError(f"{code!r} is not an Eastmoney board code (BK + 4 digits)")
    if weights not in get_args(ProxyWeights):
        raise ConfigError(f"weights={weights!r}; choose one of {list(get_args(ProxyWeights))}")
    if weights == "value" and caps is None:
        raise ConfigError(
            "weights='value' needs caps= (market capitalisation per member, a wide daily "
            "frame or a Series): the bundled snapshot has no shares outstanding. Use "
            "weights='amount' for a liquidity weight by traded amount, or 'equal'"
        )
    return board


def board_members_of(
    code: str, members: Iterable[str] | None = None, *, as_of: DateLike | None = None
) -> tuple[list[str], str]:
    """The members of a board and where the membership comes from.

    Parameters
    ----------
    code
        The board (canonical).
    members
        Given members; default: the security master's membership
        (:meth:`eventstudy.reference.SecurityMaster.members`; the bundled
        sample today), the snapshot in force on ``as_of``.
    as_of
        Date of the membership (the start of the proxy's range); ``None``: the
        newest snapshot. Before the earliest snapshot the earliest is used and
        the description says it was observed later (look-ahead).

    Raises
    ------
    ConfigError
        For an empty ``members``.
    UnknownSymbolError
        When no membership snapshot holds ``code``.

    Examples
    --------
    >>> syms, how = board_members_of("BK0896", as_of="2022-01-04")
    >>> len(syms), how
    (6, 'membership snapshot 2022-12-31 (members_sample), observed after 2022-01-04: look-ahead')
    """
    if members is not None:
        out = list(dict.fromkeys(normalize(m) for m in members))
        if not out:
            raise ConfigError(f"members of {code} is empty")
        return out, "members given"
    from eventstudy.reference import load_master

    try:
        table = load_master().members(code, as_of=as_of)
    except (DataUnavailableError, UnknownSymbolError) as err:
        raise UnknownSymbolError(
            f"{code!r} has no members in the bundled membership ({err}); pass members= "
            "explicitly or fetch them with the akshare source"
        ) from err
    snap = pd.Timestamp(table["snapshot"].iloc[0]).date()
    sources = ",".join(sorted(set(table["source"].astype(str))))
    how = f"membership snapshot {snap} ({sources})"
    if bool(table["look_ahead"].any()) and as_of is not None:
        how += f", observed after {pd.Timestamp(as_of).date()}: look-ahead"
    return [str(s) for s in table["symbol"]], how


def given_member_prices(
    prices: pd.DataFrame | PriceFrame,
    board: str,
    members: list[str],
    start: DateLike | None = None,
    end: DateLike | None = None,
) -> pd.DataFrame:
    """The members' columns of given closes, restricted to ``start..end`` (default: all).

    Raises
    ------
    DataUnavailableError
        When a member has no column.

    Examples
    --------
    >>> days = pd.to_datetime(["2022-01-04", "2022-01-05"])
    >>> p = pd.DataFrame({"sh600519": [1.0, 2.0]}, index=days)
    >>> given_member_prices(p, "BK0896", ["600519.SH"], start="2022-01-05").to_dict("list")
    {'600519.SH': [2.0]}
    """
    closes = prices.data if isinstance(prices, PriceFrame) else prices
    closes = closes.rename(columns=normalize)
    absent = [s for s in members if s not in closes.columns]
    if absent:
        raise DataUnavailableError(f"prices= lacks the members {absent} of {board}")
    closes = closes[members]
    lo = pd.Timestamp(start) if start is not None else closes.index[0]
    hi = pd.Timestamp(end) if end is not None else closes.index[-1]
    return closes.loc[lo:hi]


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


def _value_weights(
    closes: pd.DataFrame, rets: pd.DataFrame, caps: pd.DataFrame | pd.Series
) -> tuple[pd.DataFrame, str]:
    syms = list(closes.columns)
    if isinstance(caps, pd.Series):
        c = caps.rename(index=normalize).reindex(syms).astype(np.float64)
        if c.isna().any():
            raise ConfigError(f"caps has no value for {list(c.index[c.isna()])}")
        # buy-and-hold: caps at each member's first quote, drifting with its (held) price
        held = closes.ffill()
        p0 = closes.bfill().iloc[0] if len(closes) else pd.Series(np.nan, index=syms)
        w = (held.shift(1) / p0) * c
        return w, "cap-weighted buy-and-hold (caps= at the start, weights drift with prices)"
    cw = caps.rename(columns=normalize).reindex(index=rets.index, columns=syms)
    return cw.shift(1).astype(np.float64), "cap-weighted (caps= of the previous session)"


def _amount_weights(
    closes: pd.DataFrame, rets: pd.DataFrame, amounts: pd.DataFrame | None
) -> tuple[pd.DataFrame, str]:
    syms = list(closes.columns)
    if amounts is None:  # only possible for a range without sessions
        amounts = pd.DataFrame(index=closes.index, columns=syms, dtype=np.float64)
    am = amounts.rename(columns=normalize).reindex(index=rets.index, columns=syms)
    am = am.astype(np.float64)
    w = am.rolling(AMOUNT_WINDOW, min_periods=1).mean().shift(1)
    return w, f"liquidity-weighted (mean traded amount of the previous {AMOUNT_WINDOW} sessions)"


def proxy_index(
    closes: pd.DataFrame,
    *,
    weights: ProxyWeights = "equal",
    caps: pd.DataFrame | pd.Series | None = None,
    amounts: pd.DataFrame | None = None,
    base: float = 1000.0,
) -> tuple[pd.Series, str]:
    """The proxy level from member closes (dates × members) and how it was weighted.

    Parameters
    ----------
    closes
        Member closes; NaN where a member did not trade.
    weights, caps, amounts, base
        See the module docstring (``caps`` for ``value``, ``amounts`` - traded
        amounts, dates × members - for ``amount``).

    Examples
    --------
    >>> closes = pd.DataFrame({"A": [10.0, 11.0], "B": [20.0, 20.0]},
    ...                       index=pd.to_datetime(["2022-01-04", "2022-01-05"]))
    >>> level, how = proxy_index(closes, weights="value", caps=pd.Series({"A": 1.0, "B": 3.0}))
    >>> level.tolist(), how[:25]
    ([1000.0, 1025.0], 'cap-weighted buy-and-hold')
    """
    closes = closes.astype(np.float64)
    rets = _held_returns(closes)
    in_index = rets.notna()
    if weights == "equal":
        w, how = in_index.astype(np.float64), "equal-weighted"
    elif weights == "value":
        if caps is None:
            raise ConfigError("weights='value' needs caps=")
        w, how = _value_weights(closes, rets, caps)
    else:
        w, how = _amount_weights(closes, rets, amounts)
    w = w.where(in_index)
    w = w.where(w > 0)
    num = (rets * w).sum(axis=1, min_count=1)
    den = w.where(rets.notna()).sum(axis=1, min_count=1)
    r_p = num / den
    level = pd.Series(np.nan, index=rets.index)
    has_quote = closes.notna().any(axis=1).to_numpy()
    if len(level) and has_quote.any():
        growth = (1.0 + r_p).where(r_p.notna())
        chain = growth.fillna(1.0).cumprod() * base  # a day without members: level unchanged
        # level defined from the first session any member quotes; NaN before that
        first = int(np.flatnonzero(has_quote)[0])
        level.iloc[first:] = chain.iloc[first:].to_numpy() / chain.iloc[first] * base
        level = level.where(has_quote)
    return level, how


def proxy_note(
    board: str,
    how: str,
    members: list[str],
    membership: str,
    *,
    base: float,
    first: pd.Timestamp | None,
) -> str:
    """The provenance note of a proxy index (what it is and is not).

    Examples
    --------
    >>> proxy_note("BK0896", "equal-weighted", ["600519.SH"], "members given", base=1000,
    ...            first=pd.Timestamp("2022-01-04"))[:62]
    'proxy for BK0896: equal-weighted index of 1 member (600519.SH)'
    """
    day = first.date() if first is not None else "n/a"
    return (
        f"proxy for {board}: {how} index of {len(members)} member{_s(len(members))} "
        f"({', '.join(members)}), "
        f"{membership}; suspended members held at their last price; base {base:g} on "
        f"{day}; not the Eastmoney series"
    )


def proxy_total(values: pd.DataFrame) -> pd.Series:
    """Board ``volume`` or ``amount``: the sum over members (NaN where none has a value).

    Examples
    --------
    >>> proxy_total(pd.DataFrame({"A": [1.0, np.nan], "B": [2.0, np.nan]})).tolist()
    [3.0, nan]
    """
    return values.astype(np.float64).sum(axis=1, min_count=1)


def total_note(board: str, field: str, members: list[str], membership: str) -> str:
    """The note of a summed proxy field.

    Examples
    --------
    >>> total_note("BK0896", "amount", ["600519.SH", "000858.SZ"], "members given")
    'proxy for BK0896: sum of amount over 2 members (600519.SH, 000858.SZ), members given'
    """
    return (
        f"proxy for {board}: sum of {field} over {len(members)} member{_s(len(members))} "
        f"({', '.join(members)}), {membership}"
    )


def proxy_frame(
    board: str,
    level: pd.Series,
    *,
    note: str,
    members: int,
    source: str,
    adjust: str,
    retrieved_at: pd.Timestamp | None = None,
) -> PriceFrame:
    """A one-column ``PriceFrame`` of a proxy level, labelled as a proxy.

    Examples
    --------
    >>> lvl = pd.Series([1000.0], index=pd.to_datetime(["2022-01-04"]))
    >>> pf = proxy_frame("BK0896", lvl, note="n", members=6, source="proxy(bundled)", adjust="qfq")
    >>> row = pf.provenance.loc["BK0896"]
    >>> bool(row["is_proxy"]), int(row["proxy_members"]), row["proxy_of"]
    (True, 6, 'BK0896')
    """
    prov = provenance_row(
        source=source,
        adjust=adjust,
        field="close",
        retrieved_at=retrieved_at,
        proxy_members=members,
        proxy_of=board,
        note=note,
    )
    return PriceFrame.from_series({board: level}, field="close", provenance={board: prov})


def _s(n: int) -> str:
    """Plural ending: ``member{_s(n)}``."""
    return "" if n == 1 else "s"
