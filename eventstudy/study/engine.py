"""Fitting an event study: returns in, events located, blocks of events fitted, result out.

:func:`fit_study` runs an :class:`~eventstudy.study.spec.EventStudy` (which only
validates): it takes the returns or prices given, or fetches returns
(:func:`fetch_returns`), aligns them on the session calendar
(:mod:`eventstudy.study.panel`), locates each event's day 0, screens the events
that can be estimated and maps the model fit and the per-event pieces
(:mod:`eventstudy.study.core`) over blocks of events (:func:`compute_pieces`, the
block scheduler), then builds the
:class:`~eventstudy.study.result.EventStudyResult`.

Examples
--------
>>> import numpy as np, pandas as pd
>>> from eventstudy.study.spec import EventStudy
>>> rng = np.random.default_rng(7)
>>> dates = pd.bdate_range("2021-01-04", periods=300)
>>> mkt = rng.normal(0, 0.01, 300)
>>> rets = pd.DataFrame({"M": mkt, "A": mkt + rng.normal(0, 0.01, 300)}, index=dates)
>>> ev = pd.DataFrame({"event_id": ["e1"], "symbol": ["A"], "day0": [dates[280]]})
>>> fit_study(EventStudy(market="M"), ev, returns=rets).n_events
1
"""

from __future__ import annotations

import warnings
from collections.abc import Callable, Sequence
from concurrent.futures import Future
from dataclasses import dataclass, fields
from functools import partial
from typing import TYPE_CHECKING

import numpy as np
import pandas as pd

from eventstudy._typing import FloatArray
from eventstudy.events import DROPPED_COLUMNS, EventSet, overlap_counts
from eventstudy.exceptions import (
    ConfigError,
    DataUnavailableError,
    EventStudyWarning,
    InputDataError,
    user_stacklevel,
)
from eventstudy.study import core, garch
from eventstudy.study.measures import (
    fetch_volumes,
    get_measure,
    has_market_volume,
    market_volume_line,
    measure_pieces,
    volume_frame,
)
from eventstudy.study.models import INSUFFICIENT, NO_CONVERGENCE, NormalModel, get_model
from eventstudy.study.panel import (
    CalendarLike,
    Panel,
    WideData,
    build_panel,
    event_positions,
    factor_arrays,
    locate_events,
    unwrap,
)
from eventstudy.study.panel_market import (
    check_market_volume,
    check_panel_given,
    is_panel_market,
    stock_columns,
    with_panel_market,
)
from eventstudy.study.placebo import Refit
from eventstudy.study.result import EventStudyResult
from eventstudy.study.sanity import drop_implausible
from eventstudy.study.windows import Window

if TYPE_CHECKING:
    from eventstudy.calendar import TradingCalendar
    from eventstudy.market import PriceFrame
    from eventstudy.study.spec import EventStudy

__all__ = [
    "NO_DAY0",
    "PiecesFn",
    "check_factor_dates",
    "compute_pieces",
    "fetch_returns",
    "fetch_symbols",
    "fit_study",
    "flag_overlaps",
    "market_notes",
    "panel_returns",
    "resolve_duplicates",
]

#: Status of an event without a return on day 0 (after ``ModelFit`` codes 0, 1, 2).
NO_DAY0 = 3

#: Names that moved to :mod:`eventstudy.study.core` (importable here for one release).
_MOVED_TO_CORE = (
    "BLOCK",
    "THREADS",
    "EventPieces",
    "concat_pieces",
    "event_pieces",
    "map_blocks",
    "ranks",
    "window_sums",
)


def __getattr__(name: str) -> object:
    if name in _MOVED_TO_CORE:
        warnings.warn(
            f"eventstudy.study.engine.{name} moved to eventstudy.study.core.{name}; "
            "import it from there (the alias goes in the next release)",
            DeprecationWarning,
            stacklevel=2,
        )
        return getattr(core, name)
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")


# ----------------------------------------------------------------- fitting
def fit_study(
    spec: EventStudy,
    events: EventSet | pd.DataFrame,
    returns: WideData | None = None,
    prices: WideData | None = None,
    *,
    source: str = "auto",
    offline: bool | None = None,
    cache_dir: str | None = None,
    volumes: WideData | None = None,
    shares: pd.Series | pd.DataFrame | None = None,
) -> EventStudyResult:
    """Run the event study ``spec`` (see :meth:`EventStudy.fit` for the parameters).

    Returns
    -------
    EventStudyResult
    """
    evset = resolve_duplicates(spec, event_set(spec, events))
    _check_some_events(evset, returns, prices, volumes)
    frame = evset.frame
    notes: tuple[str, ...] = ()  # a volume study's market volume line (measures)
    if get_measure(spec.measure).data == "volume":
        panel, provenance, failures, notes = _volume_panel(
            spec, frame, (returns, prices), volumes, shares,
            source=source, offline=offline, cache_dir=cache_dir,
        )  # fmt: skip
    else:
        panel, provenance, failures = _returns_panel(
            spec, frame, returns, prices, source=source, offline=offline, cache_dir=cache_dir
        )
    tau1, tau2 = spec.event_window
    at = event_positions(frame["day0"], frame["symbol"], panel)  # located once, used twice
    pos0, col, reason, message = locate_events(
        frame["day0"], frame["symbol"], panel, tau1=tau1, tau2=tau2, positions=at
    )
    model = spec.normal_model
    z, rf = _regressor_arrays(spec, panel)
    with core.background() as pool:
        # the padded panel does not depend on the events: prepared while they are screened
        prepared = pool.submit(_pad, model, panel.returns, z, rf, spec.estimation_window[0])
        methodology = pool.submit(market_notes, spec, panel)  # parses every column's symbol
        if get_measure(spec.measure).data != "volume":  # returns sanity rule (study.sanity)
            span = (min(spec.estimation_window[0], tau1), max(spec.estimation_window[1], tau2))
            drop_implausible(panel, spec.market, pos0, col, reason, message, span)
        frame = flag_overlaps(spec, frame, panel, pos0, col, reason, message, at)
        _check_regressors(spec, panel, z, rf, pos0, col, reason, message)
        fit = _pieces_fn(spec, panel, z, rf)
        pieces, status, m_all = _pieces_fn(spec, panel, z, rf, prepared)(pos0, col)
    drops = _drop_rows(spec, frame, status, reason, message, m_all, failures)
    dropped = pd.concat([evset.dropped, drops], ignore_index=True)
    dropped = dropped.astype({c: object for c in DROPPED_COLUMNS})
    if pieces is None:
        t0, t1 = spec.estimation_window
        pieces = core.EventPieces.empty(
            l1=t1 - t0 + 1,
            l2=tau2 - tau1 + 1,
            n_windows=len(spec.windows),
            k=model.k,
            n_params=len(model.params),
        )
    pieces = measure_pieces(spec.measure, pieces, spec.windows, tau1)
    return EventStudyResult(
        spec=spec,
        events_frame=frame.loc[status == 0].reset_index(drop=True),
        pieces=pieces,
        dropped=dropped,
        provenance=provenance,
        n_input=len(frame) + len(evset.dropped),
        calendar_source=str(getattr(spec.calendar, "source", "") or f"{spec.market} dates"),
        rule=evset.rule,
        cutoff=evset.cutoff,
        refit=Refit(panel.returns, panel.sessions, fit, spec.measure, spec.windows, tau1),
        cols=col[status == 0],
        notes=(*methodology.result(), *notes),
    )


#: The fit of a study: ``(pos0, col) -> (pieces, status, M)`` (:func:`compute_pieces`).
PiecesFn = Callable[
    [np.ndarray, np.ndarray], tuple[core.EventPieces | None, np.ndarray, np.ndarray]
]


def _pieces_fn(
    spec: EventStudy,
    panel: Panel,
    z: FloatArray,
    rf: FloatArray,
    prepared: Future[_Padded] | None = None,
) -> PiecesFn:
    """The study's fit of events at any day-0 positions (the real fit and the placebo's).

    ``prepared``: the padded panel being computed (:func:`compute_pieces`), for one fit.
    """
    return partial(
        compute_pieces,
        spec.normal_model,
        panel.returns,
        z,
        rf,
        est=spec.estimation_window,
        evt=spec.event_window,
        windows=spec.windows,
        min_obs=spec.min_estimation_obs,
        prepared=prepared,
    )


def market_notes(spec: EventStudy, panel: Panel) -> tuple[str, ...]:
    """Methodology lines about a benchmark built from the panel (``market="ew"``).

    None for a volume study: its market log volume is described by the measure's
    lines of the summary (``EventStudyResult``), not as a mean simple return.
    """
    if get_measure(spec.measure).data == "volume" or not is_panel_market(spec.market):
        return ()
    k = len(stock_columns(panel.symbols[panel.symbols != spec.market]))
    return (
        f"market 'ew': each session the equal-weighted mean simple return of the {k} "
        "stocks of the returns panel with a return that session (the event stocks "
        "included; indices and boards left out)",
    )


def resolve_duplicates(spec: EventStudy, evset: EventSet) -> EventSet:
    """Apply ``spec.duplicates`` (:meth:`EventSet.resolve_duplicates`); warn once if kept.

    With ``duplicates="keep"`` and several events naming one security on one day 0,
    one :class:`~eventstudy.exceptions.EventStudyWarning` gives their count.

    Examples
    --------
    >>> from eventstudy.study.spec import EventStudy
    >>> ev = EventSet.from_frame(pd.DataFrame({"event_id": ["a", "b"],
    ...     "symbol": ["600519.SH"] * 2, "day0": ["2022-01-10"] * 2}))
    >>> out = resolve_duplicates(EventStudy(duplicates="first"), ev)
    >>> len(out), out.dropped.reason.tolist()
    (1, ['duplicate'])
    """
    out = evset.resolve_duplicates(spec.duplicates)
    if spec.duplicates == "keep" and len(out.frame):
        dup = out.frame["n_same_day"] > 1
        if dup.any():
            groups = out.frame.loc[dup, ["symbol", "day0"]].drop_duplicates()
            warnings.warn(
                f"{int(dup.sum())} events name the same security on the same day 0 as "
                f"another event ({len(groups)} security-days); they are kept as separate "
                "events (duplicates='keep'); pass duplicates='collapse' or 'first' to "
                "count each security-day once",
                EventStudyWarning,
                stacklevel=user_stacklevel(),  # the user's line
            )
    return out


def flag_overlaps(
    spec: EventStudy,
    frame: pd.DataFrame,
    panel: Panel,
    pos0: np.ndarray,
    col: np.ndarray,
    reason: list[str | None],
    message: list[str],
    positions: tuple[np.ndarray, np.ndarray] | None = None,
) -> pd.DataFrame:
    """The events with ``n_overlaps``; with ``overlap="drop"`` the flagged ones unlocated.

    ``n_overlaps`` counts the other events of the same security whose day 0 lies in
    this event's estimation or event window (:func:`eventstudy.events.overlap_counts`,
    on the sessions of the panel). With ``spec.overlap == "drop"`` a flagged event
    that could be located gets reason ``overlap`` (``pos0``, ``col``, ``reason``
    and ``message`` are updated in place). ``positions``: the events'
    :func:`~eventstudy.study.panel.event_positions`, when already computed.
    """
    if positions is None:
        positions = event_positions(frame["day0"], frame["symbol"], panel)
    day_pos, codes = positions
    windows = [spec.estimation_window, spec.event_window]
    # the security as an integer code: its panel column when every event's security
    # has one (also events not located or screened out: they still overlap others)
    if len(codes) and (codes < 0).any():
        codes, _ = pd.factorize(frame["symbol"].to_numpy().astype(object))
    counts = overlap_counts(codes, day_pos, windows)
    if spec.overlap == "drop":
        for i in (int(j) for j in np.flatnonzero((counts > 0) & (pos0 >= 0))):
            reason[i] = "overlap"
            message[i] = (
                f"{counts[i]} other event(s) of {frame['symbol'].iat[i]} have day 0 inside "
                f"this event's estimation {spec.estimation_window} or event window "
                f"{spec.event_window} (overlap='drop')"
            )
            pos0[i], col[i] = -1, -1
    return frame.assign(n_overlaps=counts)


def _trading_calendar(calendar: CalendarLike | None) -> TradingCalendar | None:
    """The calendar as a ``TradingCalendar`` to resolve day 0, or None (plain dates)."""
    if (
        calendar is None
        or isinstance(calendar, pd.Index | np.ndarray | Sequence)
        or not hasattr(calendar, "to_sessions")
    ):
        return None
    return calendar


def _check_some_events(evset: EventSet, *data: object) -> None:
    """No events and no data given (to be fetched for them): say why there are none."""
    if evset.frame.empty and all(d is None for d in data):
        raise InputDataError(f"no events to analyse: {evset.why_empty()}")


def event_set(spec: EventStudy, events: EventSet | pd.DataFrame) -> EventSet:
    """The events as an :class:`EventSet` (day 0 resolved on the spec's calendar).

    Raises
    ------
    InputDataError
        Duplicated ``event_id``, or ``events`` neither an EventSet nor a DataFrame.

    Examples
    --------
    >>> from eventstudy.study.spec import EventStudy
    >>> ev = pd.DataFrame({"event_id": [1], "symbol": ["600519.SH"], "day0": ["2022-01-10"]})
    >>> event_set(EventStudy(), ev).frame.day0.dt.strftime("%Y-%m-%d").tolist()
    ['2022-01-10']
    """
    if isinstance(events, EventSet):
        ids = events.frame["event_id"]
        if not ids.is_unique:  # one hash pass; the repeats are listed only when there are some
            dup = ids[ids.duplicated()].unique().tolist()[:10]
            raise InputDataError(f"duplicated event_id values {dup}")
        return events
    if isinstance(events, pd.DataFrame):
        return EventSet.from_frame(events, calendar=_trading_calendar(spec.calendar))
    raise InputDataError(f"events must be an EventSet or a DataFrame, got {type(events).__name__}")


def _returns_panel(
    spec: EventStudy,
    frame: pd.DataFrame,
    returns: WideData | None,
    prices: WideData | None,
    *,
    source: str,
    offline: bool | None,
    cache_dir: str | None,
) -> tuple[Panel, pd.DataFrame, dict[str, str]]:
    """The return panel (given, from prices, or fetched), its provenance and fetch failures."""
    if returns is not None and prices is not None:
        raise ConfigError("pass returns= or prices=, not both")
    if returns is not None and spec.trade_to_trade:
        raise ConfigError(
            "trade_to_trade=True needs prices= (or neither, to fetch returns); the "
            "returns= given are used as they are - compute them trade to trade with "
            "eventstudy.market.trade_to_trade_returns instead"
        )
    provenance = pd.DataFrame()
    failures: dict[str, str] = {}
    if returns is None and prices is None:
        check_panel_given(spec.market, given=False)
        returns, provenance, failures = fetch_returns(
            spec, frame, source=source, offline=offline, cache_dir=cache_dir
        )
    if returns is not None:
        ret_frame, prov = unwrap(returns, "returns")
    else:
        px_frame, prov = unwrap(prices, "prices")
        if not is_panel_market(spec.market):
            panel = build_panel(
                prices=px_frame,
                market=spec.market,
                calendar=spec.calendar,
                trade_to_trade=spec.trade_to_trade,
            )
            return panel, (prov if not prov.empty else provenance), failures
        ret_frame = panel_returns(spec, px_frame)
    built = is_panel_market(spec.market)
    if built:  # a new frame: the panel may hold its values (no second copy)
        ret_frame = with_panel_market(ret_frame, spec.market)
    panel = build_panel(
        returns=ret_frame, market=spec.market, calendar=spec.calendar, copy=not built
    )
    return panel, (prov if not prov.empty else provenance), failures


def _volume_panel(
    spec: EventStudy,
    frame: pd.DataFrame,
    given: tuple[WideData | None, WideData | None],
    volumes: WideData | None,
    shares: pd.Series | pd.DataFrame | None,
    *,
    source: str,
    offline: bool | None,
    cache_dir: str | None,
) -> tuple[Panel, pd.DataFrame, dict[str, str], tuple[str, ...]]:
    """The log-volume panel of a volume study (volumes given or fetched), see ``measures``,
    and the line saying where its market volume came from (``market_volume_line``)."""
    if any(g is not None for g in given):
        raise ConfigError(
            "measure='volume' reads volumes (volumes=, or fetched), not returns=/prices=; "
            "drop them, or pass measure='return'"
        )
    provenance = pd.DataFrame()
    failures: dict[str, str] = {}
    if volumes is None:
        if frame.empty:
            raise InputDataError("no events to analyse (all were dropped before the study)")
        check_panel_given(spec.market, given=False)
        start, end = _fetch_range(spec, frame)
        symbols = sorted(set(frame["symbol"].astype(str)) | {spec.market})
        volumes, provenance, failures = fetch_volumes(
            symbols, start, end, source=source, offline=offline, cache_dir=cache_dir
        )
        check_market_volume(spec.market, unwrap(volumes, "volumes")[0])
    data, prov = unwrap(volumes, "volumes")
    v = volume_frame(data, spec.market, shares, symbols=frame["symbol"].astype(str))
    panel = build_panel(returns=v, market=spec.market, calendar=spec.calendar)
    line = market_volume_line(spec.market, own=has_market_volume(data, spec.market))
    return panel, (prov if not prov.empty else provenance), failures, (line,)


def panel_returns(spec: EventStudy, prices: pd.DataFrame) -> pd.DataFrame:
    """Returns of a price panel on its own dates (those with a price), for ``market="ew"``.

    The same returns as :func:`build_panel` computes (trade to trade when asked), with
    the sessions the dates on which some security has a price.
    """
    key = "__sessions__"
    px = prices.dropna(how="all").assign(**{key: 1.0})
    panel = build_panel(
        prices=px, market=key, calendar=spec.calendar, trade_to_trade=spec.trade_to_trade
    )
    frame = pd.DataFrame(panel.returns, index=panel.sessions, columns=panel.symbols)
    return frame.drop(columns=key)


def _fetch_range(spec: EventStudy, frame: pd.DataFrame) -> tuple[pd.Timestamp, pd.Timestamp]:
    """Dates to fetch so every event's estimation and event windows are covered.

    Exact session bounds (:func:`eventstudy.calendar.session_bounds`): the earliest
    window start before the first day 0, one session more for the first return's
    previous close, to the latest window end after the last day 0.
    """
    from eventstudy.calendar import session_bounds

    t0, _ = spec.estimation_window
    e0, tau2 = spec.event_window
    return session_bounds(frame["day0"], before=abs(min(t0, e0, 0)) + 1, after=max(tau2, 0))


def fetch_symbols(spec: EventStudy, frame: pd.DataFrame) -> list[str]:
    """The securities to fetch: the events' and the market (unless built from the panel).

    Examples
    --------
    >>> from eventstudy.study.spec import EventStudy
    >>> ev = pd.DataFrame({"symbol": ["600519.SH", "000858.SZ", "600519.SH"]})
    >>> fetch_symbols(EventStudy(), ev), fetch_symbols(EventStudy(market="ew"), ev)
    (['000300.SH', '000858.SZ', '600519.SH'], ['000858.SZ', '600519.SH'])
    """
    bench = set() if is_panel_market(spec.market) else {spec.market}
    return sorted(set(frame["symbol"].astype(str)) | bench)


def fetch_returns(
    spec: EventStudy,
    frame: pd.DataFrame,
    *,
    source: str = "auto",
    offline: bool | None = None,
    cache_dir: str | None = None,
) -> tuple[PriceFrame, pd.DataFrame, dict[str, str]]:
    """Returns of the events' securities and the market, and who could not be priced.

    One :func:`eventstudy.market.load_panel` request for the closes (``errors="collect"``),
    the one price-loading function the study, the pipeline and the backtest share.

    Returns
    -------
    frame, provenance, failures
        The returns, their provenance and ``{symbol: message}`` of the securities
        that could not be priced at all.

    Raises
    ------
    InputDataError
        No events.
    DataUnavailableError
        The market series cannot be had.
    """
    from eventstudy.market import load_panel

    if frame.empty:
        raise InputDataError("no events to analyse (all were dropped before the study)")
    start, end = _fetch_range(spec, frame)
    symbols = fetch_symbols(spec, frame)
    panel = load_panel(
        symbols,
        start,
        end,
        fields=["close"],
        source=source,
        offline=offline,
        cache_dir=cache_dir,
        errors="collect",
    )
    obj = panel.returns(trade_to_trade=spec.trade_to_trade)
    failures = obj.failures
    lost = failures[~failures["symbol"].isin(obj.data.columns)]
    failed = dict(zip(lost["symbol"].astype(str), lost["message"].astype(str), strict=True))
    if spec.market in failed:
        raise DataUnavailableError(
            f"the market series {spec.market} could not be had: {failed[spec.market]}"
        )
    return obj, obj.provenance, failed


def _regressor_arrays(spec: EventStudy, panel: Panel) -> tuple[FloatArray, FloatArray]:
    """Regressors ``(D, F)`` and risk-free rate ``(D,)`` on the sessions."""
    model = spec.normal_model
    if model.regressors == "factors":
        return factor_arrays(spec.factors, model, panel.sessions)
    return panel.market[:, None], np.zeros(len(panel.sessions))


def _check_regressors(
    spec: EventStudy,
    panel: Panel,
    z: FloatArray,
    rf: FloatArray,
    pos0: np.ndarray,
    col: np.ndarray,
    reason: list[str | None],
    message: list[str],
) -> None:
    """A factor model: the factors span the events' windows (:func:`check_factor_dates`);
    an event whose day 0 has none is marked ``no_factors_day0`` (:func:`drop_factor_day0`)."""
    if spec.normal_model.regressors == "factors":
        t0, tau2 = spec.estimation_window[0], spec.event_window[1]
        check_factor_dates(z, rf, pos0, panel.sessions, t0, tau2)
        drop_factor_day0(z, rf, pos0, col, reason, message, panel.sessions)


#: Reason code of an event whose day 0 has no (or NaN) factors.
NO_FACTORS_DAY0 = "no_factors_day0"


def drop_factor_day0(
    z: FloatArray,
    rf: FloatArray,
    pos0: np.ndarray,
    col: np.ndarray,
    reason: list[str | None],
    message: list[str],
    sessions: pd.DatetimeIndex,
) -> None:
    """Mark the events whose day 0 has no (or NaN) factors as not located, in place.

    As an event without a return on day 0 is dropped (``no_price_day0``), one without
    factors on day 0 gets ``pos0 = col = -1`` and reason :data:`NO_FACTORS_DAY0`.
    """
    have = np.isfinite(z).all(axis=1) & np.isfinite(rf)
    for i in np.flatnonzero(pos0 >= 0):
        if not have[pos0[i]]:
            day = sessions[pos0[i]].date()
            pos0[i], col[i], reason[i] = -1, -1, NO_FACTORS_DAY0
            message[i] = (
                f"the factors have no (or NaN) value on day 0 ({day}); fill that date in "
                "factors= to analyse this event"
            )


def check_factor_dates(
    z: FloatArray,
    rf: FloatArray,
    pos0: np.ndarray,
    sessions: pd.DatetimeIndex,
    t0: int,
    tau2: int,
) -> None:
    """Raise if some event's estimation or event window reaches beyond the factors' span.

    The span runs from the first to the last session with every factor (and ``rf``).
    Sessions inside it without factors (NaN) are missing days, as missing returns are:
    they leave the estimation sample (``M_i`` shrinks) and the event days' abnormal
    returns there are missing (a day 0 without factors: :func:`drop_factor_day0`).

    Raises
    ------
    InputDataError
        Naming the span the factors cover and the one the windows need.

    Examples
    --------
    >>> s = pd.bdate_range("2024-01-01", periods=6)
    >>> z = np.array([[np.nan], [0.2], [np.nan], [0.1], [0.1], [0.1]])
    >>> check_factor_dates(z, np.zeros(6), np.array([4]), s, -3, 1)  # a gap inside: missing
    >>> check_factor_dates(z, np.zeros(6), np.array([4]), s, -4, 1)
    Traceback (most recent call last):
    ...
    eventstudy.exceptions.InputDataError: factors cover 2024-01-02 .. 2024-01-08 (the sessions \
with every factor and rf), but the events' estimation and event windows need 2024-01-01 .. \
2024-01-08; extend the factor data to cover 2024-01-01 .. 2024-01-08 (NaN factors inside it \
are treated as missing days)
    """
    ok = pos0 >= 0
    if not ok.any():
        return
    lo = max(0, int((pos0[ok] + t0).min()))
    hi = min(len(sessions) - 1, int((pos0[ok] + tau2).max()))
    have = np.flatnonzero(np.isfinite(z).all(axis=1) & np.isfinite(rf))
    first, last = (int(have[0]), int(have[-1])) if len(have) else (len(sessions), -1)
    if first <= lo and hi <= last:
        return
    cover = (
        f"{sessions[first].date()} .. {sessions[last].date()} (the sessions with every factor "
        "and rf)"
        if len(have)
        else "no session of the study"
    )
    need = f"{sessions[lo].date()} .. {sessions[hi].date()}"
    raise InputDataError(
        f"factors cover {cover}, but the events' estimation and event windows need {need}; "
        f"extend the factor data to cover {need} (NaN factors inside it are treated as "
        "missing days)"
    )


def _drop_rows(
    spec: EventStudy,
    frame: pd.DataFrame,
    status: np.ndarray,
    reason: list[str | None],
    message: list[str],
    m_all: np.ndarray,
    failures: dict[str, str],
) -> pd.DataFrame:
    """The ``dropped`` rows of the events with ``status != 0``, in event order.

    ``status`` comes from :func:`compute_pieces`; the columns are
    :data:`~eventstudy.events.DROPPED_COLUMNS` (object dtype). Only the dropped
    events' cells are read, and the rows are built a status at a time
    (:func:`_drop_group`): a whole-market study drops thousands.
    """
    idx = np.flatnonzero(status != 0)
    syms = frame["symbol"].take(idx).to_numpy(dtype=object)
    day0 = frame["day0"].take(idx)
    if isinstance(day0.dtype, pd.DatetimeTZDtype) or day0.dtype.kind == "M":
        days = day0.dt.strftime("%Y-%m-%d").fillna("NaT").tolist()  # = str(d)[:10], vectorised
    else:
        days = [str(d)[:10] for d in day0]
    reasons = np.empty(len(idx), dtype=object)
    messages = np.empty(len(idx), dtype=object)
    st = status[idx]
    for code in np.unique(st).tolist():
        at = np.flatnonzero(st == code)
        group = _drop_group(
            spec, code, idx[at].tolist(), reason, message, m_all[idx[at]].tolist(),
            [str(sym) for sym in syms[at]], [days[j] for j in at.tolist()],
        )  # fmt: skip
        reasons[at], messages[at] = (np.array(g, dtype=object) for g in group)
    if failures:
        for j in np.flatnonzero(reasons == "unknown_symbol").tolist():
            sym = str(syms[j])
            if sym in failures:
                from eventstudy.market.bundled import no_price_reason

                reasons[j], messages[j] = no_price_reason(sym, failures[sym])  # or delisted
    return pd.DataFrame(
        {
            "event_id": frame["event_id"].take(idx).to_numpy(dtype=object),
            "symbol": syms,
            "reason": reasons,
            "message": messages,
        },
        columns=DROPPED_COLUMNS,
        dtype=object,
    )


def _drop_group(
    spec: EventStudy,
    status: int,
    idx: list[int],
    reason: list[str | None],
    message: list[str],
    m: list[int],
    sym: list[str],
    day0: list[str],
) -> tuple[list[str | None], list[str]]:
    """``(reasons, messages)`` of the dropped events ``idx``, of one ``status``.

    ``status`` comes from :func:`compute_pieces` (-1: the ``reason`` and ``message``
    of the event, given); ``m``, ``sym`` and ``day0`` are those of the events. A
    security without prices is ``no_price_data``, or ``delisted_no_prices`` when the
    security master marks it ``not_listed``
    (:func:`eventstudy.market.bundled.no_price_reason`, applied by :func:`_drop_rows`).
    """
    n = len(idx)
    if status == -1:
        return [reason[i] for i in idx], [message[i] for i in idx]
    if status == NO_DAY0:  # the reason code stays; the message names the measure's data
        what = "volume" if get_measure(spec.measure).data == "volume" else "return"
        return ["no_price_day0"] * n, [
            f"{s} has no {what} on day 0 ({d})" for s, d in zip(sym, day0, strict=True)
        ]
    if status == NO_CONVERGENCE:
        lo, hi = garch.VARIANCE_RATIO_BOUNDS
        return ["garch_no_convergence"] * n, [
            f"the {spec.model} likelihood maximisation (arch) did not converge on the "
            f"estimation window ({k} observations), or its variance forecast is not finite "
            f"or implausible (outside {lo:g} to {hi:g} times the residual variance)"
            for k in m
        ]
    if status == INSUFFICIENT:
        return ["insufficient_estimation"] * n, [
            f"{k} estimation observations in {spec.estimation_window}, "
            f"fewer than min_estimation_obs={spec.min_estimation_obs}"
            for k in m
        ]
    constant = "returns (or regressors) are constant over the estimation window"
    return ["constant_returns"] * n, [constant] * n


# ----------------------------------------------------------- the scheduler
@dataclass(frozen=True, slots=True)
class _Padded:
    """The panel padded with ``pad`` missing sessions in front (a window may start early).

    ``r_t`` is ``(S, pad + D)`` (transposed: one contiguous row per security);
    ``csum`` ``(S, pad + D + 1)`` the cumulative count of each security's usable days
    (a return, and the model's regressors present).
    """

    r_t: FloatArray
    z: FloatArray
    rf: FloatArray
    pad: int
    csum: np.ndarray


def _pad(
    model: NormalModel, returns: FloatArray, z: FloatArray, rf: FloatArray, t0: int
) -> _Padded:
    """The padded panel and its usable-day counts: what the fit needs before any event.

    Built by blocks of :data:`PAD_BLOCK` securities on threads (a transposing copy,
    then the cumulative counts of each row): the fit waits for it.
    """
    pad = max(0, -t0)
    n_days, n_sec = returns.shape
    zpad = np.vstack([np.full((pad, z.shape[1]), np.nan), z])
    rfpad = np.concatenate([np.full(pad, np.nan), rf])
    ok_day = np.ones(len(rfpad), dtype=bool)
    if model.regressors != "none":
        ok_day &= np.isfinite(zpad).all(axis=1)
    if model.factors:
        ok_day &= np.isfinite(rfpad)
    r_t = np.empty((n_sec, pad + n_days))
    csum = np.empty((n_sec, pad + n_days + 1), dtype=np.int32)

    def part(lo: int, hi: int) -> None:
        r_t[lo:hi, :pad] = np.nan
        r_t[lo:hi, pad:] = returns[:, lo:hi].T
        usable = np.isfinite(r_t[lo:hi])
        usable &= ok_day
        csum[lo:hi, 0] = 0
        np.cumsum(usable, axis=1, dtype=np.int32, out=csum[lo:hi, 1:])

    core.map_blocks(part, n_sec, block=PAD_BLOCK)
    return _Padded(r_t, zpad, rfpad, pad, csum)


#: Securities per block of :func:`_pad`.
PAD_BLOCK = 512


def _screen(
    model: NormalModel,
    p: _Padded,
    pos0: np.ndarray,
    col: np.ndarray,
    *,
    est: Window,
    min_obs: int,
) -> tuple[np.ndarray, np.ndarray]:
    """Status and ``M_i`` of every event from cumulative counts of usable days (no gather)."""
    t0, t1 = est
    csum = p.csum
    status = np.full(len(pos0), -1, dtype=np.int8)
    m_all = np.zeros(len(pos0), dtype=np.int64)
    cand = np.flatnonzero(pos0 >= 0)
    p_c = pos0[cand] + p.pad
    c_c = col[cand]
    m_c = csum[c_c, p_c + t1 + 1] - csum[c_c, p_c + t0]
    m_all[cand] = m_c
    st = np.zeros(len(cand), dtype=np.int8)
    st[m_c < max(min_obs, model.k + 3)] = INSUFFICIENT
    st[~np.isfinite(p.r_t[c_c, p_c])] = NO_DAY0
    status[cand] = st
    return status, m_all


def _fit_blocks(
    model: NormalModel,
    p: _Padded,
    pos0: np.ndarray,
    col: np.ndarray,
    work: np.ndarray,
    *,
    est: Window,
    evt: Window,
    windows: list[Window],
    min_obs: int,
) -> tuple[core.EventPieces, np.ndarray]:
    """Fit and per-event pieces of the events ``work``, block by block on threads.

    Each block copies its events' estimation and event windows from the transposed
    panel, each window a contiguous ``(B, L)`` array (numpy's loops run about twice
    as fast on contiguous rows as on column slices of one ``T0..tau2`` copy); the
    first block's pieces size the preallocated arrays the other blocks write into.
    Returns the pieces and the fit status of each event.
    """
    t0, t1 = est
    tau1, tau2 = evt
    l1, l2, off = t1 - t0 + 1, tau2 - tau1 + 1, tau1 - t0
    view = np.lib.stride_tricks.sliding_window_view
    r_est_w, r_evt_w = view(p.r_t, l1, axis=1), view(p.r_t, l2, axis=1)
    z_est_w, z_evt_w = view(p.z, l1, axis=0), view(p.z, l2, axis=0)
    rf_est_w, rf_evt_w = view(p.rf, l1), view(p.rf, l2)
    p_w = pos0[work] + p.pad + t0
    c_w = col[work]
    out: dict[str, np.ndarray] = {}
    fit_status = np.zeros(len(work), dtype=np.int8)
    names = [f.name for f in fields(core.EventPieces) if f.name != "k"]
    block = core.BLOCK

    def run(lo: int) -> core.EventPieces | None:
        hi = min(lo + block, len(work))
        pb, cb = p_w[lo:hi], c_w[lo:hi]
        pe = pb + off
        r_est, r_evt = r_est_w[cb, pb], r_evt_w[cb, pe]  # (B, L1), (B, L2)
        z_est = z_est_w[pb].transpose(0, 2, 1)  # (B, L1, F)
        z_evt = z_evt_w[pe].transpose(0, 2, 1)
        fit = model.fit(
            model, r_est, z_est, r_evt, z_evt,
            rf_est=rf_est_w[pb] if model.factors else None,
            rf_evt=rf_evt_w[pe] if model.factors else None,
            min_obs=min_obs, gap=tau1 - t1,
        )  # fmt: skip
        fit_status[lo:hi] = fit.status
        pieces = core.event_pieces(
            fit, r_evt, windows=windows, tau1=tau1, k=model.k, r_est=r_est,
            pos0=pos0[work[lo:hi]],
        )  # fmt: skip
        if out:  # write into the preallocated arrays; return nothing (no copy is kept)
            for name in names:
                out[name][lo:hi] = getattr(pieces, name)
            return None
        return pieces

    first = run(0)
    assert first is not None
    for name in names:
        v = getattr(first, name)
        out[name] = np.empty((len(work), *v.shape[1:]), dtype=v.dtype)
        out[name][: len(v)] = v
    if len(work) > block:  # the other blocks, on threads
        core.map_blocks(lambda lo, hi: run(lo + block), len(work) - block, block=block)
    return core.EventPieces(k=model.k, **out), fit_status


def compute_pieces(
    model: str | NormalModel,
    returns: FloatArray,
    z: FloatArray,
    rf: FloatArray,
    pos0: np.ndarray,
    col: np.ndarray,
    *,
    est: Window,
    evt: Window,
    windows: list[Window],
    min_obs: int,
    prepared: Future[_Padded] | None = None,
) -> tuple[core.EventPieces | None, np.ndarray, np.ndarray]:
    """Map the core over blocks of events; status and ``M_i`` of every event.

    ``status``: -1 not located (``pos0 < 0``), 0 analysed, 1 too few estimation
    observations, 2 constant returns, 3 (:data:`NO_DAY0`) no return on day 0, 4
    (``models.NO_CONVERGENCE``) GARCH fit not converged.
    ``M_i`` and the day-0 check come first from cumulative counts on the panel (no
    gather), so only the events that can be estimated are gathered: each block takes
    one contiguous slice ``T0..tau2`` per event from the transposed panel, fits the
    model and computes the per-event pieces, written into preallocated arrays
    (blocks run on ``THREADS`` threads). The result is the same as running
    :func:`~eventstudy.study.core.event_pieces` on all events.

    Parameters
    ----------
    model
        The model's name, or a bound model (``EventStudy.normal_model``).
    returns
        ``(D, S)`` returns on the sessions.
    z, rf
        ``(D, F)`` regressors and ``(D,)`` risk-free rate.
    pos0, col
        Session position of day 0 and column of each event (-1: not located).
    est, evt, windows
        Estimation and event windows, CAR windows (relative days).
    min_obs
        Minimum estimation observations.
    prepared
        The padded panel and its usable-day counts (they do not depend on the
        events), being computed on another thread (:func:`fit_study` starts it while
        the events are screened); None: computed here.

    Returns
    -------
    pieces, status, m
        Pieces of the analysed events (None if there is none), status and ``M_i``
        of every event.

    Examples
    --------
    >>> rng = np.random.default_rng(0)
    >>> mkt = rng.normal(0, 0.01, 100)
    >>> returns = np.column_stack([mkt + rng.normal(0, 0.01, 100), np.zeros(100)])
    >>> pieces, status, m = compute_pieces(
    ...     "market", returns, mkt[:, None], np.zeros(100), np.array([80, 80, -1]),
    ...     np.array([0, 1, -1]), est=(-60, -11), evt=(-2, 2), windows=[(0, 1)], min_obs=30)
    >>> pieces.car.shape, status.tolist(), m.tolist()  # event 1: constant returns
    ((1, 1), [0, 2, -1], [50, 50, 0])
    """
    spec = model if isinstance(model, NormalModel) else get_model(model)
    padded = _pad(spec, returns, z, rf, est[0]) if prepared is None else prepared.result()
    status, m_all = _screen(spec, padded, pos0, col, est=est, min_obs=min_obs)
    work = np.flatnonzero(status == 0)
    if len(work) == 0:
        return None, status, m_all
    pieces, fit_status = _fit_blocks(
        spec, padded, pos0, col, work, est=est, evt=evt, windows=windows, min_obs=min_obs
    )
    status[work] = fit_status
    if (fit_status != 0).any():  # constant returns found by the fit (rare)
        pieces = pieces.take(np.flatnonzero(fit_status == 0))
    return pieces, status, m_all
