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
``beyond_calendar``) and ``message``.

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
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

import pandas as pd

from eventstudy._typing import SessionRule
from eventstudy.exceptions import InputDataError, SymbolError
from eventstudy.symbols import normalize

if TYPE_CHECKING:
    from eventstudy.calendar import TradingCalendar

__all__ = ["DROPPED_COLUMNS", "EventSet"]

#: Columns of every ``dropped`` / ``skipped`` table in the package.
DROPPED_COLUMNS = ["event_id", "symbol", "reason", "message"]


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
