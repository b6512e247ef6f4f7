"""Events: (news item, security) pairs with a resolved day 0.

An :class:`EventSet` is what the news step produces and the event-study step
consumes. Any DataFrame with ``event_id``, ``symbol`` and ``day0`` (a date) or
``published_at`` (a timestamp, resolved to a session by the calendar rule) can
become one with :meth:`EventSet.from_frame`.

``EventSet.frame``:

============== =================== =========================================
column         dtype               meaning
============== =================== =========================================
event_id       str                 unique key of the event
symbol         str                 canonical symbol (``600519.SH``, ``BK0896``)
published_at   datetime64[tz]      publication time, Asia/Shanghai (may be NaT
                                   when only ``day0`` was given)
day0           datetime64          resolved trading session
...                                any attribute carried through (article_id,
                                   title, publisher, score, kind, ...)
============== =================== =========================================

``EventSet.dropped`` has the input rows that could not become events, with
``reason`` (``unknown_symbol``, ``no_timestamp``, ``outside_session``,
``beyond_calendar``; ``collapsed``, ``duplicate`` after
:meth:`EventSet.resolve_duplicates`) and ``message``.

**Duplicates and overlaps** (METHODS.md): a *duplicate* is the same security with
the same day 0 from several events (several articles, or one article naming a
board and one of its members: board events expanded to members carry a
``parent_event_id``, and are matched like any other event);
:meth:`EventSet.resolve_duplicates` keeps, collapses or thins them. An *overlap* is
the same security with another event's day 0 inside this event's estimation or
event window (the estimation window is then contaminated): :func:`overlap_counts`.

Examples
--------
>>> import pandas as pd
>>> ev = EventSet.from_frame(pd.DataFrame({
...     "event_id": ["a", "b"], "symbol": ["600519.sh", "sz000858"],
...     "published_at": ["2022-01-10 11:33:36+08:00", "2022-01-08 10:00:00+08:00"]}))
>>> ev.frame[["event_id", "symbol", "day0"]].astype(str).values.tolist()
[['a', '600519.SH', '2022-01-10'], ['b', '000858.SZ', '2022-01-10']]
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, get_args

import numpy as np
import pandas as pd

from eventstudy._typing import DuplicatePolicy, SessionRule
from eventstudy.exceptions import InputDataError, SymbolError
from eventstudy.symbols import normalize

if TYPE_CHECKING:
    from eventstudy.calendar import TradingCalendar

__all__ = ["DROPPED_COLUMNS", "DUPLICATE_POLICIES", "EventSet", "overlap_counts"]

#: Columns of every ``dropped`` / ``skipped`` table in the package.
DROPPED_COLUMNS = ["event_id", "symbol", "reason", "message"]


#: What :meth:`EventSet.resolve_duplicates` can do with duplicates (default first).
DUPLICATE_POLICIES: tuple[DuplicatePolicy, ...] = get_args(DuplicatePolicy)


def _empty_dropped() -> pd.DataFrame:
    return pd.DataFrame({c: pd.Series(dtype="object") for c in DROPPED_COLUMNS})


@dataclass(frozen=True)
class EventSet:
    """A validated table of events, plus the inputs that could not become events.

    Build it with :meth:`from_frame` (or ``News.to_events``), not directly.

    Attributes
    ----------
    frame
        One row per event (see the module docstring).
    dropped
        Inputs that could not become events, with a reason code.
    rule, cutoff
        The day-0 rule used.
    """

    frame: pd.DataFrame
    dropped: pd.DataFrame = field(default_factory=_empty_dropped)
    rule: SessionRule = "next"
    cutoff: str = "15:00"

    def __len__(self) -> int:
        return len(self.frame)

    def __repr__(self) -> str:
        return (
            f"EventSet({len(self.frame)} events, {len(self.dropped)} dropped, rule={self.rule!r})"
        )

    @property
    def symbols(self) -> list[str]:
        """The distinct symbols, sorted."""
        return sorted(self.frame["symbol"].unique())

    @classmethod
    def from_frame(
        cls,
        frame: pd.DataFrame,
        *,
        calendar: TradingCalendar | None = None,
        rule: SessionRule = "next",
        cutoff: str | dt.time = "15:00",
    ) -> EventSet:
        """Validate a DataFrame of events and resolve day 0 where needed.

        Parameters
        ----------
        frame
            Needs ``event_id`` and ``symbol``, and ``day0`` or ``published_at``.
            Rows with a ``day0`` keep it (normalised to a date); the others are
            resolved from ``published_at`` with ``calendar``, ``rule``, ``cutoff``.
        calendar
            Trading calendar; defaults to the bundled CSI 300 sessions + XSHG.

        Raises
        ------
        InputDataError
            Missing columns or duplicated ``event_id``.

        Examples
        --------
        >>> ev = EventSet.from_frame(pd.DataFrame({"event_id": [1], "symbol": ["BK0896"],
        ...                                        "day0": ["2022-01-10"]}))
        >>> ev.frame.event_id.tolist(), str(ev.frame.day0.iloc[0].date())
        (['1'], '2022-01-10')
        """
        from eventstudy.calendar import TZ, default_calendar, to_local

        if not isinstance(frame, pd.DataFrame):
            raise InputDataError(
                f"events must be a DataFrame or EventSet, got {type(frame).__name__}"
            )
        missing = [c for c in ("event_id", "symbol") if c not in frame.columns]
        if missing or ("day0" not in frame.columns and "published_at" not in frame.columns):
            raise InputDataError(
                f"events need columns event_id, symbol and day0 or published_at; missing "
                f"{missing or ['day0/published_at']} (have {list(frame.columns)})"
            )
        df = frame.copy().reset_index(drop=True)
        df["event_id"] = df["event_id"].astype(str)
        dup = df["event_id"][df["event_id"].duplicated()].unique().tolist()
        if dup:
            raise InputDataError(
                f"duplicated event_id values {dup[:10]}; every event needs its own id "
                "(one news item x one security)"
            )
        drops: list[dict[str, object]] = []
        canon: list[str | None] = []
        for eid, sym in zip(df["event_id"], df["symbol"], strict=True):
            try:
                canon.append(normalize(sym))
            except SymbolError as err:
                canon.append(None)
                drops.append(
                    {
                        "event_id": eid,
                        "symbol": sym,
                        "reason": "unknown_symbol",
                        "message": str(err),
                    }
                )
        df["symbol"] = canon
        if "published_at" in df.columns:
            pub = pd.Series(to_local(df["published_at"]), index=df.index)
            df["published_at"] = pub
        else:
            df["published_at"] = pd.Series(pd.NaT, index=df.index, dtype=f"datetime64[ns, {TZ}]")
        if "day0" in df.columns:
            day0 = pd.to_datetime(df["day0"], errors="coerce", format="mixed")
            if getattr(day0.dt, "tz", None) is not None:
                day0 = day0.dt.tz_localize(None)
            day0 = day0.dt.normalize()
        else:
            day0 = pd.Series(pd.NaT, index=df.index, dtype="datetime64[ns]")
        need = day0.isna() & df["published_at"].notna()
        cal = calendar if calendar is not None else default_calendar()
        if need.any():
            resolved = cal.to_sessions(df.loc[need, "published_at"], rule=rule, cutoff=cutoff)
            day0 = day0.astype("datetime64[ns]")
            day0.loc[need] = resolved.values
        df["day0"] = day0.astype("datetime64[ns]")
        ok = df["symbol"].notna()
        for i in df.index[ok & df["day0"].isna()]:
            stamp = df.at[i, "published_at"]
            if not isinstance(stamp, pd.Timestamp) or pd.isna(stamp):
                reason, msg = "no_timestamp", "neither day0 nor a parseable published_at"
            else:
                ts = stamp
                day = ts.tz_localize(None).normalize()
                if rule != "strict" or day > cal.last or day < cal.first:
                    # 'next'/'previous' always find a session inside the calendar's range
                    reason = "beyond_calendar"
                    msg = (
                        f"published {ts} is outside the calendar "
                        f"{cal.first.date()}..{cal.last.date()}"
                    )
                else:
                    reason = "outside_session"
                    msg = f"published {ts} is not within a session before {cutoff} (rule={rule})"
            drops.append(
                {
                    "event_id": df.at[i, "event_id"],
                    "symbol": df.at[i, "symbol"],
                    "reason": reason,
                    "message": msg,
                }
            )
        keep = ok & df["day0"].notna()
        cols = ["event_id", "symbol", "published_at", "day0"]
        out = df.loc[keep, cols + [c for c in df.columns if c not in cols]].reset_index(drop=True)
        dropped = pd.DataFrame(drops, columns=DROPPED_COLUMNS) if drops else _empty_dropped()
        return cls(out, dropped, rule=rule, cutoff=str(cutoff))

    def resolve_duplicates(self, how: DuplicatePolicy = "keep") -> EventSet:
        """Events naming the same security on the same day 0: keep, collapse or thin them.

        Every event gets ``n_same_day``, the number of input events with its
        ``symbol`` and ``day0`` (1: no duplicate). Within a group the events are
        ordered by ``published_at`` (earliest article first; missing last), then by
        their order in the frame.

        - ``"keep"``: all stay (independent events, METHODS.md);
        - ``"collapse"``: the first stays, carrying ``event_ids`` (the tuple of every
          merged ``event_id``, its own first) and, when the frame has an
          ``article_id`` column, ``article_ids``; the others go to ``dropped`` with
          reason ``collapsed``;
        - ``"first"``: the first stays, the others go to ``dropped`` with reason
          ``duplicate``.

        Nothing is lost: ``len(frame) + len(dropped)`` is unchanged.

        Parameters
        ----------
        how
            ``"keep"``, ``"collapse"`` or ``"first"``.

        Returns
        -------
        EventSet
            A new event set (this one is unchanged).

        Raises
        ------
        ConfigError
            For another ``how``.

        Examples
        --------
        >>> ev = EventSet.from_frame(pd.DataFrame({
        ...     "event_id": ["a1:600519.SH", "a2:600519.SH", "a3:000858.SZ"],
        ...     "article_id": ["a1", "a2", "a3"],
        ...     "symbol": ["600519.SH", "600519.SH", "000858.SZ"],
        ...     "published_at": ["2022-01-10 11:00+08:00", "2022-01-10 09:30+08:00",
        ...                      "2022-01-10 10:00+08:00"]}))
        >>> ev.resolve_duplicates().frame.n_same_day.tolist()
        [2, 2, 1]
        >>> c = ev.resolve_duplicates("collapse")
        >>> c.frame[["event_id", "article_ids"]].values.tolist()
        [['a2:600519.SH', ('a2', 'a1')], ['a3:000858.SZ', ('a3',)]]
        >>> c.dropped[["event_id", "reason"]].values.tolist()
        [['a1:600519.SH', 'collapsed']]
        """
        from eventstudy.exceptions import ConfigError

        if how not in DUPLICATE_POLICIES:
            raise ConfigError(f"duplicates={how!r} is not one of {DUPLICATE_POLICIES}")
        df = self.frame.copy()
        if df.empty:
            df["n_same_day"] = pd.Series(dtype="int64")
            return EventSet(df, self.dropped, rule=self.rule, cutoff=self.cutoff)
        keys = [df["symbol"].astype(str), df["day0"]]
        df["n_same_day"] = (
            df.groupby(keys, sort=False)["event_id"].transform("size").astype("int64")
        )
        if how == "keep":
            return EventSet(df, self.dropped, rule=self.rule, cutoff=self.cutoff)
        stamp = df["published_at"]
        order = np.lexsort((np.arange(len(df)), stamp.isna().to_numpy(), _sortable(stamp)))
        ranked = df.iloc[order]
        first = ~ranked.duplicated(subset=["symbol", "day0"], keep="first")
        keep_idx = ranked.index[first.to_numpy()]
        kept = ranked.loc[first.to_numpy(), ["symbol", "day0", "event_id"]]
        gone = ranked.loc[~first.to_numpy()]
        if how == "collapse":
            df = _collapse(df, ranked, keep_idx)
        lead = gone.merge(kept, on=["symbol", "day0"], suffixes=("", "_kept"), how="left")
        verb = "merged into" if how == "collapse" else "kept instead:"
        drops = pd.DataFrame(
            {
                "event_id": lead["event_id"].to_numpy(),
                "symbol": lead["symbol"].to_numpy(),
                "reason": "collapsed" if how == "collapse" else "duplicate",
                "message": [
                    f"same security and day 0 ({str(d)[:10]}) as an earlier event; "
                    f"duplicates={how!r}: {verb} {k}"
                    for d, k in zip(lead["day0"], lead["event_id_kept"], strict=True)
                ],
            },
            columns=DROPPED_COLUMNS,
        )
        frame = df.loc[df.index.isin(keep_idx)].reset_index(drop=True)
        dropped = (
            pd.concat([self.dropped, drops], ignore_index=True) if len(drops) else self.dropped
        )
        return EventSet(frame, dropped, rule=self.rule, cutoff=self.cutoff)


def _sortable(stamp: pd.Series) -> np.ndarray:
    """Publication times as int64 nanoseconds (NaT as the largest value)."""
    values = pd.to_datetime(stamp, utc=True)
    out = values.astype("int64").to_numpy().copy()
    out[values.isna().to_numpy()] = np.iinfo(np.int64).max
    return out


def _collapse(df: pd.DataFrame, ranked: pd.DataFrame, keep_idx: pd.Index) -> pd.DataFrame:
    """``df`` with ``event_ids`` (and ``article_ids``) of each group on its kept row."""
    out = df.copy()
    pairs = [("event_ids", "event_id")]
    if "article_id" in df.columns:
        pairs.append(("article_ids", "article_id"))
    key = list(zip(ranked["symbol"].astype(str), ranked["day0"], strict=True))
    key_of = dict(zip(ranked.index, key, strict=True))
    keep = set(keep_idx)
    for new, col in pairs:
        groups: dict[tuple[str, object], list[str]] = {}
        for k, v in zip(key, ranked[col].astype(str), strict=True):
            groups.setdefault(k, []).append(v)
        values = [tuple(groups[key_of[i]]) if i in keep else None for i in out.index]
        out[new] = pd.Series(values, index=out.index, dtype=object)
    return out


def overlap_counts(
    symbols: Sequence[str] | pd.Series | np.ndarray,
    positions: np.ndarray,
    windows: Sequence[tuple[int, int]],
) -> np.ndarray:
    """For each event, the other events of its security whose day 0 is in one of ``windows``.

    An overlap (METHODS.md): the same security with another event's day 0 inside
    this event's estimation or event window, e.g. ``windows=[(-250, -11), (-5, 5)]``
    in sessions relative to this event's day 0. Events on the **same** day 0 are
    duplicates (:meth:`EventSet.resolve_duplicates`), not overlaps: they are not
    counted. The windows must not overlap each other (each other event is counted
    once per window it falls in). O(N log N), no N x N matrix.

    Parameters
    ----------
    symbols
        ``(N,)`` security of each event.
    positions
        ``(N,)`` session position of each event's day 0 (negative: not located; such
        an event is neither counted nor flagged).
    windows
        Relative windows ``(a, b)`` (sessions, both ends included).

    Returns
    -------
    numpy.ndarray
        ``(N,)`` int64 counts.

    Examples
    --------
    >>> overlap_counts(["A", "A", "A", "B"], np.array([100, 300, 103, 300]),
    ...                [(-250, -11), (-5, 5)]).tolist()
    [1, 2, 1, 0]
    """
    pos = np.asarray(positions, dtype=np.int64)
    out = np.zeros(len(pos), dtype=np.int64)
    ok = pos >= 0
    if ok.sum() < 2:
        return out
    codes, _ = pd.factorize(pd.Series(np.asarray(symbols, dtype=object)).astype(str))
    reach = max(max(abs(a), abs(b)) for a, b in windows)
    stride = int(pos[ok].max()) + 2 * reach + 2
    key = codes[ok].astype(np.int64) * stride + pos[ok]
    keys = np.sort(key)
    same = np.searchsorted(keys, key, "right") - np.searchsorted(keys, key, "left")
    count = np.zeros(len(key), dtype=np.int64)
    for a, b in windows:
        count += np.searchsorted(keys, key + b, "right") - np.searchsorted(keys, key + a, "left")
        if a <= 0 <= b:
            count -= same
    out[ok] = count
    return out
