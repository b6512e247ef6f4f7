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
:meth:`EventSet.resolve_duplicates`; ``no_membership`` from :meth:`EventSet.expand_boards`)
and ``message``.

**Duplicates and overlaps** (METHODS.md): a *duplicate* is the same security with
the same day 0 from several events (several articles, or one article naming a
board and one of its members: board events expanded to members carry a
``parent_event_id``, and are matched like any other event);
:meth:`EventSet.resolve_duplicates` keeps, collapses or thins them. An *overlap* is
the same security with another event's day 0 inside this event's estimation or
event window (the estimation window is then contaminated): :func:`overlap_counts`.

:meth:`EventSet.expand_boards` turns each board event into one event per
member stock (membership from the security master as of day 0), keyed to the
original event by ``parent_event_id``.

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
import warnings
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, get_args

import numpy as np
import pandas as pd

from eventstudy._typing import DateLike, DuplicatePolicy, SessionRule
from eventstudy.exceptions import (
    DataUnavailableError,
    EventStudyWarning,
    InputDataError,
    SymbolError,
    user_stacklevel,
)
from eventstudy.symbols import normalize, parse_symbol

if TYPE_CHECKING:
    from eventstudy.calendar import TradingCalendar
    from eventstudy.reference import SecurityMaster

__all__ = [
    "DROPPED_COLUMNS",
    "DUPLICATE_POLICIES",
    "EXPANSION_COLUMNS",
    "EventSet",
    "overlap_counts",
    "same_day_counts",
]

#: Columns of every ``dropped`` / ``skipped`` table in the package.
DROPPED_COLUMNS = ["event_id", "symbol", "reason", "message"]
#: Columns :meth:`EventSet.expand_boards` adds: the board event a member event comes from
#: (``None`` for events that were not expanded), the date of the membership snapshot used,
#: and whether that snapshot was observed after day 0 (look-ahead).
EXPANSION_COLUMNS = [
    "parent_event_id",
    "parent_symbol",
    "membership_snapshot",
    "membership_look_ahead",
]


#: What :meth:`EventSet.resolve_duplicates` can do with duplicates (default first).
DUPLICATE_POLICIES: tuple[DuplicatePolicy, ...] = get_args(DuplicatePolicy)


def same_day_counts(frame: pd.DataFrame) -> tuple[int, int]:
    """Events naming the same security on the same day 0 as another, and such security-days.

    Examples
    --------
    >>> same_day_counts(pd.DataFrame({"symbol": ["A", "A", "B"],
    ...                               "day0": pd.to_datetime(["2022-01-10"] * 3)}))
    (2, 1)
    """
    if frame.empty:
        return 0, 0
    dup = frame.duplicated(["symbol", "day0"], keep=False)
    return int(dup.sum()), len(frame.loc[dup, ["symbol", "day0"]].drop_duplicates())


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
    notes
        What a reader of results built on these events must know (e.g. board
        membership observed after the events: look-ahead).
    """

    frame: pd.DataFrame
    dropped: pd.DataFrame = field(default_factory=_empty_dropped)
    rule: SessionRule = "next"
    cutoff: str = "15:00"
    notes: tuple[str, ...] = ()

    def __len__(self) -> int:
        return len(self.frame)

    def why_empty(self) -> str:
        """Why there are no events, for the message that says so.

        The notes (e.g. "no article mentions BK9999" from ``News.to_events``), else
        the ``dropped`` reasons, else that the set was built empty.

        Examples
        --------
        >>> EventSet(pd.DataFrame(), notes=("no article mentions BK9999",)).why_empty()
        'no article mentions BK9999'
        """
        if self.notes:
            return "; ".join(self.notes)
        if len(self.dropped):
            counts = self.dropped["reason"].astype(str).value_counts()
            reasons = ", ".join(f"{r} {n}" for r, n in counts.items())
            return f"all {len(self.dropped)} were dropped ({reasons}; see events.dropped)"
        return "the EventSet is empty (pass symbols/kinds that the news mentions)"

    def __repr__(self) -> str:
        return (
            f"EventSet({len(self.frame)} events, {len(self.dropped)} dropped, rule={self.rule!r})"
        )

    def _repr_html_(self) -> str:
        """Jupyter: counts (events, dropped by reason, same security and day 0), the day-0
        rule, notes and the first events, every string escaped."""
        from eventstudy.summary import PREVIEW_ROWS, Summary, shorten  # deferred: rendering

        f = self.frame
        reasons = self.dropped["reason"].value_counts()
        why = "".join(f", {r} {n}" for r, n in reasons.items())
        same, _ = same_day_counts(f)
        pairs = [
            ("events", f"{len(f)} ({f['symbol'].nunique()} securities)"),
            ("dropped", f"{len(self.dropped)}" + (f" ({why[2:]})" if why else "")),
            ("same security and day 0", f"{same} events"),
            ("day-0 rule", f"{self.rule} (cutoff {self.cutoff})"),
        ]
        pairs += [("note", n) for n in self.notes]
        out = Summary("EventSet").add_pairs(pairs)
        cols = [c for c in ("event_id", "symbol", "day0", "score", "title") if c in f.columns]
        head = f[cols].head(PREVIEW_ROWS)
        if len(head):
            if "title" in head:
                head = head.assign(title=head["title"].map(shorten))
            fmts = {
                "day0": lambda v: "" if pd.isna(v) else str(pd.Timestamp(v).date()),
                "score": lambda v: "" if pd.isna(v) else f"{float(v):.3g}",
            }
            out.add_table(
                head,
                caption=f"first {len(head)} of {len(f)} events",
                formats={k: v for k, v in fmts.items() if k in head},
                index=False,
            )
        return out.as_html()

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
        drops += _day0_drops(df[ok & df["day0"].isna()], cal, rule, str(cutoff))
        keep = ok & df["day0"].notna()
        cols = ["event_id", "symbol", "published_at", "day0"]
        out = df.loc[keep, cols + [c for c in df.columns if c not in cols]].reset_index(drop=True)
        dropped = pd.DataFrame(drops, columns=DROPPED_COLUMNS) if drops else _empty_dropped()
        return cls(out, dropped, rule=rule, cutoff=str(cutoff))

    def expand_boards(
        self,
        as_of: DateLike | None = None,
        *,
        master: SecurityMaster | None = None,
    ) -> EventSet:
        """Each board event becomes one event per member stock; other events stay as they are.

        Membership comes from the security master's dated snapshots: the newest
        snapshot on or before the event's day 0 (or on or before ``as_of`` for
        every event). Before the earliest snapshot the earliest is used, and the
        member events are labelled ``membership_look_ahead=True``: that
        membership was observed after the event, so a study or backtest on them
        has look-ahead (and survivorship) bias; :attr:`notes` says so and an
        :class:`~eventstudy.exceptions.EventStudyWarning` is issued. Refresh
        membership regularly (``eventstudy reference refresh --what members``)
        to build point-in-time snapshots.

        Parameters
        ----------
        as_of
            Membership date for every event (default: each event's day 0).
        master
            The security master (default:
            :func:`eventstudy.reference.store.current_master`, the bundled tables
            plus the refreshed snapshots in the cache; no network).

        Returns
        -------
        EventSet
            Member events keep every column of their board event, with
            ``symbol`` the member, ``event_id`` = ``"<board event id>:<symbol>"``
            and the :data:`EXPANSION_COLUMNS` (``parent_event_id``,
            ``parent_symbol``, ``membership_snapshot``,
            ``membership_look_ahead``); events that are not boards get
            ``parent_event_id`` ``None`` and no look-ahead. A board whose
            membership no snapshot holds goes to :attr:`dropped` with reason
            ``no_membership``: nothing is lost.

        Raises
        ------
        InputDataError
            If ``as_of`` is not a date.

        Examples
        --------
        The bundled membership sample (the default adds your refreshed snapshots):

        >>> import warnings
        >>> from eventstudy.reference import load_master
        >>> ev = EventSet.from_frame(pd.DataFrame({
        ...     "event_id": ["n1", "n2", "n3"], "symbol": ["BK0896", "600519.SH", "BK0145"],
        ...     "day0": ["2022-01-10"] * 3}))
        >>> with warnings.catch_warnings():
        ...     warnings.simplefilter("ignore")  # the bundled membership is from 2022-12-31
        ...     out = ev.expand_boards(master=load_master())
        >>> out.frame[["event_id", "symbol", "parent_event_id"]].head(3)
                   event_id     symbol parent_event_id
        0  n1:000568.SZ  000568.SZ              n1
        1  n1:000596.SZ  000596.SZ              n1
        2  n1:000858.SZ  000858.SZ              n1
        >>> len(out), bool(out.frame.membership_look_ahead.iloc[0])
        (7, True)
        >>> out.dropped[["event_id", "reason"]].values.tolist()
        [['n3', 'no_membership']]
        """
        when = None if as_of is None else _as_day(as_of)
        frame = self.frame.reset_index(drop=True)
        is_board = frame["symbol"].map(lambda s: parse_symbol(s).kind == "board").astype(bool)
        if master is None and is_board.any():
            from eventstudy.reference.store import current_master

            master = current_master()
        children, drops = _member_events(frame[is_board], when, master)
        plain = frame[~is_board].assign(
            parent_event_id=None,
            parent_symbol=None,
            membership_snapshot=pd.Series(pd.NaT, index=frame.index[~is_board]),
            membership_look_ahead=False,
        )
        parts = [plain.assign(_pos=plain.index)] + ([children] if len(children) else [])
        out = pd.concat(parts, ignore_index=True)
        out = out.sort_values(["_pos", "symbol"], kind="stable").drop(columns="_pos")
        out = out.reset_index(drop=True)
        out["event_id"] = _unique_ids(out["event_id"])
        out["membership_snapshot"] = pd.to_datetime(out["membership_snapshot"])
        out["membership_look_ahead"] = out["membership_look_ahead"].astype(bool)
        notes = list(self.notes)
        late = out[out["membership_look_ahead"]]
        if len(late):
            note = (
                f"board membership observed after day 0 for {late['parent_event_id'].nunique()} "
                f"board event(s) ({len(late)} member events; snapshots "
                f"{late['membership_snapshot'].min().date()}..{late['membership_snapshot'].max().date()}"
                "): look-ahead and survivorship bias (column membership_look_ahead); refresh "
                "membership regularly (eventstudy reference refresh --what members) for "
                "point-in-time snapshots"
            )
            notes.append(note)
            warnings.warn(note, EventStudyWarning, stacklevel=user_stacklevel())
        dropped = self.dropped
        if drops:
            extra = pd.DataFrame(drops, columns=DROPPED_COLUMNS)
            dropped = pd.concat([dropped, extra], ignore_index=True)
        return EventSet(out, dropped, rule=self.rule, cutoff=self.cutoff, notes=tuple(notes))

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
            return EventSet(df, self.dropped, rule=self.rule, cutoff=self.cutoff, notes=self.notes)
        df["n_same_day"] = _same_day_sizes(df)
        if how == "keep":
            return EventSet(df, self.dropped, rule=self.rule, cutoff=self.cutoff, notes=self.notes)
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
        return EventSet(frame, dropped, rule=self.rule, cutoff=self.cutoff, notes=self.notes)


def _same_day_sizes(frame: pd.DataFrame) -> np.ndarray:
    """For each event, the events with its security and day 0 (itself included).

    Counted on integer codes (each security and day factorised, then the pair); a
    missing day 0 counts as one day.
    """
    sym, _ = pd.factorize(frame["symbol"].astype(str), use_na_sentinel=False)
    day, days = pd.factorize(frame["day0"], use_na_sentinel=False)
    order, _, same = _sorted_pairs(sym.astype(np.int64), day.astype(np.int64), len(days))
    out = np.empty(len(order), dtype=np.int64)
    out[order] = same
    return out


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
        ``(N,)`` security of each event (strings, or integer codes such as the
        panel column of each event: then nothing is factorised).
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
    ok = np.flatnonzero(pos >= 0)
    if len(ok) < 2:
        return out
    values = np.asarray(symbols)
    if values.dtype.kind in "iu":
        codes = values.astype(np.int64)
    else:
        codes, _ = pd.factorize(values.astype(object))
    code, day = codes[ok], pos[ok]
    reach = max(max(abs(a), abs(b)) for a, b in windows)
    stride = int(day.max()) + 2 * reach + 2  # a window never reaches another security
    order, keys, same = _sorted_pairs(code, day, stride)  # the searches walk keys in order
    count = np.zeros(len(keys), dtype=np.int64)
    for a, b in windows:
        count += np.searchsorted(keys, keys + b, "right") - np.searchsorted(keys, keys + a, "left")
        if a <= 0 <= b:
            count -= same
    out[ok[order]] = count
    return out


def _sorted_pairs(
    code: np.ndarray, day: np.ndarray, stride: int
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Events sorted by security code, then day (``0 <= day < stride``).

    Returns the order, the sorted keys ``code * stride + day`` and, for each sorted
    event, the number of events with its key (itself included).
    """
    order = _security_day_order(code, day, stride)
    keys = code[order] * stride + day[order]
    start = np.flatnonzero(np.r_[True, keys[1:] != keys[:-1]])  # each (security, day)
    runs = np.diff(np.append(start, len(keys)))
    return order, keys, np.repeat(runs, runs)


def _security_day_order(code: np.ndarray, day: np.ndarray, stride: int) -> np.ndarray:
    """The order sorting events by security code, then day (``day >= 0``).

    Two stable radix sorts of 16-bit integers (day, then code) when both fit, else one
    sort of ``code * stride + day``.
    """
    small = 1 << 16
    if len(code) and code.min() >= 0 and code.max() < small and day.max() < small:
        by_day = np.argsort(day.astype(np.uint16), kind="stable")
        return by_day[np.argsort(code[by_day].astype(np.uint16), kind="stable")]
    return np.argsort(code * stride + day, kind="stable")


def _day0_drops(
    rows: pd.DataFrame, cal: TradingCalendar, rule: SessionRule, cutoff: str
) -> list[dict[str, object]]:
    """Why each of ``rows`` (a symbol but no day 0) got no session."""
    drops: list[dict[str, object]] = []
    for i in rows.index:
        stamp = rows.at[i, "published_at"]
        if not isinstance(stamp, pd.Timestamp) or pd.isna(stamp):
            reason, msg = "no_timestamp", "neither day0 nor a parseable published_at"
        else:
            day = stamp.tz_localize(None).normalize()
            if rule != "strict" or day > cal.last or day < cal.first:
                # 'next'/'previous' always find a session inside the calendar's range
                reason = "beyond_calendar"
                msg = (
                    f"published {stamp} is outside the calendar "
                    f"{cal.first.date()}..{cal.last.date()}"
                )
            else:
                reason = "outside_session"
                msg = f"published {stamp} is not within a session before {cutoff} (rule={rule})"
        drops.append(
            {
                "event_id": rows.at[i, "event_id"],
                "symbol": rows.at[i, "symbol"],
                "reason": reason,
                "message": msg,
            }
        )
    return drops


def _as_day(value: DateLike) -> pd.Timestamp:
    try:
        stamp = pd.Timestamp(value)
    except (TypeError, ValueError) as err:
        raise InputDataError(f"as_of={value!r} is not a date; pass e.g. '2022-01-10'") from err
    if pd.isna(stamp):
        raise InputDataError(f"as_of={value!r} is not a date; pass e.g. '2022-01-10'")
    if stamp.tzinfo is not None:
        stamp = stamp.tz_convert("Asia/Shanghai").tz_localize(None)
    return stamp.normalize()


def _member_events(
    boards: pd.DataFrame, when: pd.Timestamp | None, master: SecurityMaster | None
) -> tuple[pd.DataFrame, list[dict[str, object]]]:
    """One row per (board event, member) and the board events without membership."""
    rows: list[pd.DataFrame] = []
    drops: list[dict[str, object]] = []
    cache: dict[tuple[str, pd.Timestamp], pd.DataFrame | Exception] = {}
    for pos, event in zip(boards.index.tolist(), boards.to_dict("records"), strict=True):
        day = when if when is not None else pd.Timestamp(event["day0"])
        key = (str(event["symbol"]), day)
        if key not in cache:
            try:
                cache[key] = master.members(key[0], as_of=day)  # type: ignore[union-attr]
            except (DataUnavailableError, SymbolError) as err:
                cache[key] = err
        members = cache[key]
        if isinstance(members, Exception):
            drops.append(
                {
                    "event_id": event["event_id"],
                    "symbol": event["symbol"],
                    "reason": "no_membership",
                    "message": str(members),
                }
            )
            continue
        snapshot = pd.Timestamp(members["snapshot"].iloc[0])
        child = pd.DataFrame([event] * len(members), columns=boards.columns)
        child["symbol"] = members["symbol"].to_numpy()
        child["event_id"] = [f"{event['event_id']}:{s}" for s in members["symbol"]]
        child["parent_event_id"] = event["event_id"]
        child["parent_symbol"] = event["symbol"]
        child["membership_snapshot"] = snapshot
        child["membership_look_ahead"] = bool(snapshot > pd.Timestamp(event["day0"]))
        child["_pos"] = pos
        rows.append(child)
    if not rows:
        return pd.DataFrame(columns=[*boards.columns, *EXPANSION_COLUMNS, "_pos"]), drops
    return pd.concat(rows, ignore_index=True), drops


def _unique_ids(ids: pd.Series) -> list[str]:
    """The ids, with ``#2``, ``#3`` ... appended to repeats (a member id equal to another id)."""
    seen: dict[str, int] = {}
    out = []
    for value in ids.astype(str):
        n = seen.get(value, 0) + 1
        seen[value] = n
        out.append(value if n == 1 else f"{value}#{n}")
    return out
