"""Which series of a result are board proxies, and how figures and pages label them.

A board proxy is a board index built from its members' prices (see
:func:`eventstudy.market.board_proxy`); the result's ``provenance`` says which
series are proxies (``is_proxy``) and of how many members (``proxy_members``).
Every figure and table labels them, e.g. ``BK0896 (proxy, 6 members)``.
"""

from __future__ import annotations

import math
from typing import Any

import pandas as pd

__all__ = ["event_proxy", "group_proxy_label", "proxy_info", "proxy_label"]


def proxy_info(result: Any) -> pd.DataFrame:
    """Per symbol of ``result.provenance``: ``is_proxy`` and ``proxy_members``.

    ``proxy_members`` is the number of constituents a board proxy was built from
    (``<NA>`` for real series, or when the provenance does not say).

    Parameters
    ----------
    result
        Anything with a ``provenance`` DataFrame (indexed by symbol, or with a
        ``symbol`` column) holding ``is_proxy`` and ``proxy_members``, such as an
        :class:`~eventstudy.study.EventStudyResult`.

    Returns
    -------
    pandas.DataFrame
        Index ``symbol`` (str); columns ``is_proxy`` (bool) and ``proxy_members``
        (Int64). Empty when the provenance has no ``is_proxy`` column.

    Examples
    --------
    >>> class R:
    ...     provenance = pd.DataFrame({"is_proxy": [True, False], "proxy_members": [1, 0]},
    ...                               index=pd.Index(["BK1029", "600104.SH"], name="symbol"))
    >>> info = proxy_info(R())
    >>> bool(info.loc["BK1029", "is_proxy"]), int(info.loc["BK1029", "proxy_members"])
    (True, 1)
    >>> info.loc["600104.SH", "proxy_members"] is pd.NA
    True
    """
    prov = getattr(result, "provenance", None)
    if not isinstance(prov, pd.DataFrame) or "is_proxy" not in prov.columns:
        return pd.DataFrame(
            {"is_proxy": pd.Series(dtype=bool), "proxy_members": pd.Series(dtype="Int64")},
            index=pd.Index([], name="symbol", dtype=object),
        )
    if "symbol" in prov.columns:
        prov = prov.set_index("symbol")
    is_proxy = prov["is_proxy"].eq(True).to_numpy()
    if "proxy_members" in prov.columns:
        members = pd.Series(pd.array(prov["proxy_members"].to_numpy(), dtype="Int64"))
    else:  # provenance built by hand without the column: the count is unknown
        members = pd.Series(pd.array([pd.NA] * len(prov), dtype="Int64"))
    out = pd.DataFrame(index=pd.Index(prov.index.astype(str), name="symbol"))
    out["is_proxy"] = is_proxy
    out["proxy_members"] = pd.array(members.where(is_proxy).to_numpy(), dtype="Int64")
    return out


def proxy_label(is_proxy: bool, members: Any) -> str:
    """``"proxy, 6 members"`` / ``"proxy, 1 member"`` / ``"proxy"`` / ``""``.

    Examples
    --------
    >>> proxy_label(True, 1), proxy_label(True, 6), proxy_label(True, pd.NA), proxy_label(False, 3)
    ('proxy, 1 member', 'proxy, 6 members', 'proxy', '')
    """
    if not is_proxy:
        return ""
    if members is None or members is pd.NA or (isinstance(members, float) and math.isnan(members)):
        return "proxy"
    k = int(members)
    return f"proxy, {k} member{'s' if k != 1 else ''}"


def event_proxy(result: Any) -> pd.DataFrame:
    """Per event: is its series a proxy, and of how many members.

    Parameters
    ----------
    result
        Anything with ``events`` (``event_id``, ``symbol``) and ``provenance``
        (see :func:`proxy_info`), such as an :class:`~eventstudy.study.EventStudyResult`.

    Returns
    -------
    pandas.DataFrame
        Index ``event_id`` (str); columns ``is_proxy`` (bool) and ``proxy_members`` (Int64).

    Examples
    --------
    >>> flags = event_proxy(example_result())
    >>> flags.index.tolist(), bool(flags["is_proxy"].any())
    (['e1', 'e2', 'e3', 'e4'], False)
    """
    ev = result.events
    ids = ev["event_id"].astype(str) if "event_id" in ev.columns else ev.index.astype(str)
    syms = ev["symbol"].astype(str) if "symbol" in ev.columns else pd.Series("", index=ev.index)
    info = proxy_info(result).reindex(syms.to_numpy())
    return pd.DataFrame(
        {
            "is_proxy": info["is_proxy"].eq(True).to_numpy(),
            "proxy_members": pd.array(info["proxy_members"].to_numpy(), dtype="Int64"),
        },
        index=pd.Index(ids.to_numpy(), name="event_id"),
    )


def group_proxy_label(result: Any) -> str:
    """How many of a result's events are proxies, for a legend or an axis label.

    ``""`` when none; ``"proxy, 6 members"`` when every event is the same proxy;
    ``"proxy"`` when every event is a proxy; else ``"2 proxies"``.

    Examples
    --------
    >>> group_proxy_label(example_result())
    ''
    """
    flags = event_proxy(result)
    n = len(flags)
    k = int(flags["is_proxy"].sum())
    if k == 0 or n == 0:
        return ""
    if k == n:
        syms = set(result.events["symbol"].astype(str))
        members = flags["proxy_members"].dropna().unique()
        if len(syms) == 1 and len(members) == 1:
            return proxy_label(True, members[0])
        return "proxy"
    return f"{k} prox{'ies' if k != 1 else 'y'}"
