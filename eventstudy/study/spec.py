"""The event-study specification (frozen, validated) and :func:`run_event_study`.

Examples
--------
>>> import numpy as np, pandas as pd
>>> rng = np.random.default_rng(7)
>>> dates = pd.bdate_range("2021-01-04", periods=300)
>>> mkt = rng.normal(0, 0.01, 300)
>>> rets = pd.DataFrame({"M": mkt, "A": 1.1 * mkt + rng.normal(0, 0.01, 300)}, index=dates)
>>> res = run_event_study(pd.DataFrame({"event_id": ["e1"], "symbol": ["A"],
...                                     "day0": [dates[280]]}), returns=rets, market="M")
>>> res.car.columns.tolist()
['[-1,1]', '[0,0]', '[0,1]', '[0,5]', '[-5,5]']
>>> round(float(res.params.loc["e1", "beta"]), 1)
1.1
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field, fields
from typing import TYPE_CHECKING, Any

import numpy as np
import pandas as pd

from eventstudy._typing import ModelName
from eventstudy.events import DROPPED_COLUMNS, EventSet
from eventstudy.exceptions import ConfigError, DataUnavailableError, InputDataError
from eventstudy.study.engine import BLOCK, EventPieces, event_pieces, map_blocks
from eventstudy.study.inference import TESTS
from eventstudy.study.models import FACTOR_COLUMNS, INSUFFICIENT, MODEL_K, MODELS, fit_model
from eventstudy.study.panel import build_panel, factor_arrays, locate_events, unwrap

if TYPE_CHECKING:
    from eventstudy.study.result import EventStudyResult

__all__ = ["DEFAULT_CAR_WINDOWS", "EventStudy", "run_event_study"]

#: Candidate CAR windows; those inside the event window are used by default.
DEFAULT_CAR_WINDOWS: tuple[tuple[int, int], ...] = ((-1, 1), (0, 0), (0, 1), (0, 5), (-5, 5))


def _window(value: Any, name: str) -> tuple[int, int]:
    try:
        a, b = (int(v) for v in value)
    except (TypeError, ValueError):
        raise ConfigError(f"{name}={value!r} must be a pair of integers (start, end)") from None
    if a > b:
        raise ConfigError(f"{name}={value!r}: start {a} is after end {b}")
    return a, b


@dataclass(frozen=True, kw_only=True)
class EventStudy:
    """An event-study specification; ``fit`` runs it on events and returns.

    Parameters
    ----------
    market
        Benchmark symbol: the column of the market return; its sessions are the calendar.
    model
        ``raw``, ``constant_mean``, ``market_adjusted``, ``market`` (OLS), ``ff3``, ``carhart``.
    estimation_window
        Relative days ``(T0, T1)`` of the estimation window, before the event window.
    event_window
        Relative days ``(tau1, tau2)``; must contain day 0.
    car_windows
        CAR windows ``(a, b)`` inside the event window; default: those of
        :data:`DEFAULT_CAR_WINDOWS` that fit, plus the whole event window.
    min_estimation_obs
        Events with fewer estimation observations ``M_i`` are dropped
        (``insufficient_estimation``).
    factors
        Factor returns for ``ff3``/``carhart``: DataFrame indexed by date with
        ``mkt_rf, smb, hml`` (``mom``), optional ``rf``.
    tests
        ``"all"`` or a list of names from :data:`eventstudy.study.inference.TESTS`.
    calendar
        A ``TradingCalendar`` (or dates) whose sessions count relative days;
        default: the market series' own dates.
    level
        Confidence level of the CAAR band.
    trade_to_trade
        Trade-to-trade returns for thinly traded / suspended (停牌) securities
        (METHODS.md "Bad and thin data"): the return of the session trading resumes
        is measured from the last traded price, so it spans the suspension instead
        of being missing. Applies when returns are fetched
        (``get_returns(..., trade_to_trade=True)``) or computed from ``prices=``;
        with ``returns=`` it is an error (the returns are already computed). The
        market return of that session stays its one-day return (no cumulation over
        the gap, no variance scaling by gap length; Maynes and Rumsey (1993),
        *J. Banking & Finance* 17, 145-157, do both), so use it for short
        suspensions; ``events.zero_return_share`` shows thin trading per event.

    Examples
    --------
    >>> EventStudy(event_window=(-2, 2)).car_windows
    ((-1, 1), (0, 0), (0, 1), (-2, 2))
    >>> EventStudy(model="capm")
    Traceback (most recent call last):
    ...
    eventstudy.exceptions.ConfigError: model='capm' is not one of ('raw', 'constant_mean', \
'market_adjusted', 'market', 'ff3', 'carhart')
    """

    market: str = "000300.SH"
    model: ModelName = "market"
    estimation_window: tuple[int, int] = (-250, -11)
    event_window: tuple[int, int] = (-5, 5)
    car_windows: Sequence[tuple[int, int]] | None = None
    min_estimation_obs: int = 100
    factors: pd.DataFrame | None = field(default=None, repr=False, compare=False)
    tests: str | Sequence[str] = "all"
    calendar: Any = field(default=None, repr=False, compare=False)
    level: float = 0.95
    trade_to_trade: bool = False

    def __post_init__(self) -> None:
        if self.model not in MODELS:
            raise ConfigError(f"model={self.model!r} is not one of {MODELS}")
        est = _window(self.estimation_window, "estimation_window")
        evt = _window(self.event_window, "event_window")
        if not evt[0] <= 0 <= evt[1]:
            raise ConfigError(f"event_window={evt} must contain day 0")
        if est[1] >= evt[0]:
            raise ConfigError(
                f"estimation_window={est} must end before the event window starts ({evt[0]})"
            )
        k = MODEL_K[self.model]
        if int(self.min_estimation_obs) < k + 3:
            raise ConfigError(
                f"min_estimation_obs={self.min_estimation_obs} must be at least K + 3 = {k + 3} "
                "(the Patell variance needs M - K - 2 > 0)"
            )
        if self.min_estimation_obs > est[1] - est[0] + 1:
            raise ConfigError(
                f"min_estimation_obs={self.min_estimation_obs} exceeds the estimation window "
                f"length {est[1] - est[0] + 1}"
            )
        if self.car_windows is None:
            wins = [w for w in DEFAULT_CAR_WINDOWS if evt[0] <= w[0] and w[1] <= evt[1]]
            if evt not in wins:
                wins.append(evt)
        else:
            wins = [_window(w, "car_windows item") for w in self.car_windows]
            if not wins:
                raise ConfigError("car_windows is empty; pass None for the defaults")
            for w in wins:
                if not (evt[0] <= w[0] and w[1] <= evt[1]):
                    raise ConfigError(f"car window {w} is not inside event_window={evt}")
            if len(set(wins)) != len(wins):
                raise ConfigError(f"car_windows has duplicates: {wins}")
        if isinstance(self.tests, str):
            if self.tests != "all":
                raise ConfigError(f"tests={self.tests!r}: pass 'all' or a list of {TESTS}")
            tests: tuple[str, ...] = TESTS
        else:
            bad = [t for t in self.tests if t not in TESTS]
            if bad:
                raise ConfigError(f"unknown test(s) {bad}; choose from {TESTS}")
            tests = tuple(self.tests)
        if not 0 < self.level < 1:
            raise ConfigError(f"level={self.level} must be in (0, 1)")
        if self.model in FACTOR_COLUMNS and self.factors is None:
            raise ConfigError(
                f"model={self.model!r} needs factors=: a DataFrame indexed by date with columns "
                f"{list(FACTOR_COLUMNS[self.model])} (optionally 'rf')"
            )
        from eventstudy.symbols import normalize

        try:
            market = normalize(self.market)
        except ValueError:
            market = str(self.market)  # a user's own column label (e.g. in tests)
        object.__setattr__(self, "market", market)
        object.__setattr__(self, "estimation_window", est)
        object.__setattr__(self, "event_window", evt)
        object.__setattr__(self, "car_windows", tuple(wins))
        object.__setattr__(self, "min_estimation_obs", int(self.min_estimation_obs))
        object.__setattr__(self, "tests", tests)

    @property
    def windows(self) -> list[tuple[int, int]]:
        """The CAR windows as a list."""
        return list(self.car_windows or ())

    def fit(
        self,
        events: EventSet | pd.DataFrame,
        returns: Any = None,
        prices: Any = None,
        *,
        source: str = "auto",
        offline: bool | None = None,
        cache_dir: str | None = None,
    ) -> EventStudyResult:
        """Run the event study.

        Parameters
        ----------
        events
            An :class:`~eventstudy.events.EventSet` or a DataFrame with ``event_id``,
            ``symbol`` and ``day0`` or ``published_at``.
        returns, prices
            Wide DataFrame (dates x symbols, the market column included) of simple
            returns or of prices, or an object with ``.data`` (and ``.provenance``)
            such as a ``PriceFrame``. With neither, returns come from
            ``eventstudy.market.get_returns`` (close prices, ``errors="collect"``):
            events whose security cannot be priced are dropped with reason
            ``no_price_data`` and the data layer's message; a market series that
            cannot be had raises :class:`~eventstudy.exceptions.DataUnavailableError`.
        source, offline, cache_dir
            Passed to ``get_returns`` when the returns are fetched (see
            :func:`eventstudy.market.get_prices`); ignored with ``returns=``/``prices=``.

        Returns
        -------
        EventStudyResult

        Raises
        ------
        InputDataError
            Duplicated ``event_id``, infinite values, no market column.
        """
        from eventstudy.study.result import EventStudyResult

        evset = self._event_set(events)
        frame = evset.frame
        if returns is not None and prices is not None:
            raise ConfigError("pass returns= or prices=, not both")
        provenance = pd.DataFrame()
        if returns is not None and self.trade_to_trade:
            raise ConfigError(
                "trade_to_trade=True needs prices= (or neither, to fetch returns); the "
                "returns= given are used as they are - compute them trade to trade with "
                "eventstudy.market.trade_to_trade_returns instead"
            )
        failures: dict[str, str] = {}
        if returns is None and prices is None:
            returns, provenance, failures = self._fetch(
                frame, source=source, offline=offline, cache_dir=cache_dir
            )
        if returns is not None:
            ret_frame, prov = unwrap(returns, "returns")
            panel = build_panel(returns=ret_frame, market=self.market, calendar=self.calendar)
        else:
            px_frame, prov = unwrap(prices, "prices")
            panel = build_panel(
                prices=px_frame,
                market=self.market,
                calendar=self.calendar,
                trade_to_trade=self.trade_to_trade,
            )
        if not prov.empty:
            provenance = prov
        t0, t1 = self.estimation_window
        tau1, tau2 = self.event_window
        pos0, col, reason, message = locate_events(
            frame["day0"], frame["symbol"], panel, tau1=tau1, tau2=tau2
        )
        if self.model in FACTOR_COLUMNS:
            zfull, rf = factor_arrays(self.factors, self.model, panel.sessions)
            self._check_factor_dates(zfull, rf, pos0, panel.sessions, t0, tau2)
        else:
            zfull, rf = panel.market[:, None], np.zeros(len(panel.sessions))
        k = MODEL_K[self.model]
        pieces_all, status, m_all = _compute_pieces(
            self.model,
            panel.returns,
            zfull,
            rf,
            pos0,
            col,
            est=(t0, t1),
            evt=(tau1, tau2),
            windows=self.windows,
            min_obs=self.min_estimation_obs,
        )
        drops: list[dict[str, Any]] = []
        day0s = frame["day0"].to_numpy()
        for i in (int(j) for j in np.flatnonzero(status != 0)):
            eid, sym = frame["event_id"].iat[i], frame["symbol"].iat[i]
            st_i = int(status[i])
            r: str | None
            if st_i == -1 and reason[i] == "unknown_symbol" and str(sym) in failures:
                r, msg = "no_price_data", failures[str(sym)]
            elif st_i == -1:
                r, msg = reason[i], message[i]
            elif st_i == 3:
                r = "no_price_day0"
                msg = f"{sym} has no return on day 0 ({str(day0s[i])[:10]})"
            elif st_i == 1:
                r = "insufficient_estimation"
                msg = (
                    f"{int(m_all[i])} estimation observations in {self.estimation_window}, "
                    f"fewer than min_estimation_obs={self.min_estimation_obs}"
                )
            else:
                r = "constant_returns"
                msg = "returns (or regressors) are constant over the estimation window"
            drops.append({"event_id": eid, "symbol": sym, "reason": r, "message": msg})
        dropped = pd.concat(
            [evset.dropped, pd.DataFrame(drops, columns=DROPPED_COLUMNS)], ignore_index=True
        )
        dropped = dropped.astype({c: object for c in DROPPED_COLUMNS})
        analysed = status == 0
        events_out = frame.loc[analysed].reset_index(drop=True)
        if pieces_all is None:
            l1, l2 = t1 - t0 + 1, tau2 - tau1 + 1
            pieces_all = _empty_pieces(l2, l1, len(self.windows), k)
        return EventStudyResult(
            spec=self,
            events_frame=events_out,
            pieces=pieces_all,
            dropped=dropped,
            provenance=provenance,
            n_input=len(frame) + len(evset.dropped),
            calendar_source=str(getattr(self.calendar, "source", "") or f"{self.market} dates"),
        )

    def _event_set(self, events: EventSet | pd.DataFrame) -> EventSet:
        if isinstance(events, EventSet):
            ids = events.frame["event_id"]
            if ids.duplicated().any():
                dup = ids[ids.duplicated()].unique().tolist()[:10]
                raise InputDataError(f"duplicated event_id values {dup}")
            return events
        if isinstance(events, pd.DataFrame):
            cal = self.calendar if hasattr(self.calendar, "to_sessions") else None
            return EventSet.from_frame(events, calendar=cal)
        raise InputDataError(
            f"events must be an EventSet or a DataFrame, got {type(events).__name__}"
        )

    def _fetch(
        self,
        frame: pd.DataFrame,
        *,
        source: str = "auto",
        offline: bool | None = None,
        cache_dir: str | None = None,
    ) -> tuple[Any, pd.DataFrame, dict[str, str]]:
        """Returns of the events' securities and the market, and who could not be priced."""
        from eventstudy.market import get_returns

        if frame.empty:
            raise InputDataError("no events to analyse (all were dropped before the study)")
        t0, _ = self.estimation_window
        _, tau2 = self.event_window
        start = frame["day0"].min() - pd.Timedelta(days=int(abs(t0) * 1.6) + 30)
        end = frame["day0"].max() + pd.Timedelta(days=int(abs(tau2) * 1.6) + 15)
        symbols = sorted(set(frame["symbol"].astype(str)) | {self.market})
        obj = get_returns(
            symbols,
            start,
            end,
            trade_to_trade=self.trade_to_trade,
            source=source,
            offline=offline,
            cache_dir=cache_dir,
            errors="collect",
        )
        failures = obj.failures
        lost = failures[~failures["symbol"].isin(obj.data.columns)]
        failed = dict(zip(lost["symbol"].astype(str), lost["message"].astype(str), strict=True))
        if self.market in failed:
            raise DataUnavailableError(
                f"the market series {self.market} could not be had: {failed[self.market]}"
            )
        return obj, obj.provenance, failed

    @staticmethod
    def _check_factor_dates(
        z: np.ndarray,
        rf: np.ndarray,
        pos0: np.ndarray,
        sessions: pd.DatetimeIndex,
        t0: int,
        tau2: int,
    ) -> None:
        """Raise if a session inside some event's estimation or event window has no factors."""
        ok = pos0 >= 0
        if not ok.any():
            return
        # sessions covered by some event's [T0, tau2] span (difference-array trick, no loop)
        cover = np.zeros(len(sessions) + 1)
        np.add.at(cover, np.clip(pos0[ok] + t0, 0, len(sessions)), 1.0)
        np.add.at(cover, np.clip(pos0[ok] + tau2 + 1, 0, len(sessions)), -1.0)
        needed = np.cumsum(cover)[:-1] > 0
        lo = int(np.flatnonzero(needed)[0])
        miss = ~np.isfinite(z).all(axis=1) | ~np.isfinite(rf)
        bad = np.flatnonzero(miss & needed)
        hi = int(bad.max()) if len(bad) else 0
        if len(bad):
            dates = sessions[bad + lo][:5].strftime("%Y-%m-%d").tolist()
            raise InputDataError(
                f"factors have no (or NaN) values on {len(bad)} session(s) within the events' "
                f"windows, e.g. {dates} (last {sessions[hi].date()}); extend the factor data "
                f"to cover every estimation and event window ({sessions[lo].date()} onwards)"
            )


def _compute_pieces(
    model: str,
    returns: np.ndarray,
    z: np.ndarray,
    rf: np.ndarray,
    pos0: np.ndarray,
    col: np.ndarray,
    *,
    est: tuple[int, int],
    evt: tuple[int, int],
    windows: list[tuple[int, int]],
    min_obs: int,
) -> tuple[EventPieces | None, np.ndarray, np.ndarray]:
    """Map the core over blocks of events; status and ``M_i`` of every event.

    ``status``: -1 not located (``pos0 < 0``), 0 analysed, 1 too few estimation
    observations, 2 constant returns, 3 no return on day 0. ``M_i`` and the day-0
    check come first from cumulative counts on the panel (no gather), so only the
    events that can be estimated are gathered: each block takes one contiguous slice
    ``T0..tau2`` per event from the transposed panel, fits the model and computes the
    per-event pieces, written into preallocated arrays (blocks run on ``THREADS``
    threads). The result is the same as running :func:`event_pieces` on all events.
    """
    t0, t1 = est
    tau1, tau2 = evt
    n_ev = len(pos0)
    k = MODEL_K[model]
    factor = model in FACTOR_COLUMNS
    uses_z = model in ("market", "market_adjusted") or factor
    # pad before the first session so an estimation window may start before the data
    pad = max(0, -t0)
    n_sym = returns.shape[1]
    r_t = np.full((n_sym, pad + returns.shape[0]), np.nan)
    r_t[:, pad:] = returns.T
    zpad = np.vstack([np.full((pad, z.shape[1]), np.nan), z])
    rfpad = np.concatenate([np.full(pad, np.nan), rf])
    # M_i from cumulative counts of the days usable in estimation
    ok_day = np.ones(len(rfpad), dtype=bool)
    if uses_z:
        ok_day &= np.isfinite(zpad).all(axis=1)
    if factor:
        ok_day &= np.isfinite(rfpad)
    usable = np.isfinite(r_t) & ok_day[None, :]
    csum = np.zeros((n_sym, usable.shape[1] + 1), dtype=np.int32)
    np.cumsum(usable, axis=1, out=csum[:, 1:])
    status = np.full(n_ev, -1, dtype=np.int8)
    m_all = np.zeros(n_ev, dtype=np.int64)
    cand = np.flatnonzero(pos0 >= 0)
    p_c = pos0[cand] + pad
    c_c = col[cand]
    m_c = csum[c_c, p_c + t1 + 1] - csum[c_c, p_c + t0]
    m_all[cand] = m_c
    st = np.zeros(len(cand), dtype=np.int8)
    st[m_c < max(min_obs, k + 3)] = INSUFFICIENT
    st[~np.isfinite(r_t[c_c, p_c])] = 3
    status[cand] = st
    work = cand[st == 0]
    if len(work) == 0:
        return None, status, m_all
    span = tau2 - t0 + 1
    l1 = t1 - t0 + 1
    off = tau1 - t0
    r_win = np.lib.stride_tricks.sliding_window_view(r_t, span, axis=1)
    z_win = np.lib.stride_tricks.sliding_window_view(zpad, span, axis=0)
    rf_win = np.lib.stride_tricks.sliding_window_view(rfpad, span)
    p_w = pos0[work] + pad + t0
    c_w = col[work]
    out: dict[str, np.ndarray] = {}
    fit_status = np.zeros(len(work), dtype=np.int8)

    def run(lo: int) -> EventPieces | None:
        hi = min(lo + BLOCK, len(work))
        p, c = p_w[lo:hi], c_w[lo:hi]
        rb = r_win[c, p]  # (B, span): one contiguous copy per event
        zb = z_win[p].transpose(0, 2, 1)  # (B, span, F)
        kw: dict[str, Any] = {}
        if factor:
            rfb = rf_win[p]
            kw = {"rf_est": rfb[:, :l1], "rf_evt": rfb[:, off:]}
        fit = fit_model(
            model, rb[:, :l1], zb[:, :l1], rb[:, off:], zb[:, off:], min_obs=min_obs, **kw
        )
        fit_status[lo:hi] = fit.status
        pieces = event_pieces(
            fit,
            rb[:, off:],
            windows=windows,
            tau1=tau1,
            k=k,
            r_est=rb[:, :l1],
            pos0=pos0[work[lo:hi]],
        )
        if out:  # write into the preallocated arrays; return nothing (no copy is kept)
            for f in fields(EventPieces):
                if f.name != "k":
                    out[f.name][lo:hi] = getattr(pieces, f.name)
            return None
        return pieces

    first = run(0)
    assert first is not None
    for f in fields(EventPieces):
        if f.name != "k":
            v = getattr(first, f.name)
            out[f.name] = np.empty((len(work), *v.shape[1:]), dtype=v.dtype)
            out[f.name][: len(v)] = v
    if len(work) > BLOCK:  # the other blocks, on threads
        map_blocks(lambda lo, hi: run(lo + BLOCK), len(work) - BLOCK)
    pieces_all = EventPieces(k=k, **out)
    status[work] = fit_status
    if (fit_status != 0).any():  # constant returns found by the fit (rare)
        pieces_all = pieces_all.take(np.flatnonzero(fit_status == 0))
    return pieces_all, status, m_all


def _empty_pieces(l2: int, l1: int, w: int, k: int) -> EventPieces:
    def e(*shape: int) -> np.ndarray:
        return np.empty((0, *shape))

    return EventPieces(
        params=e(0), m=np.empty(0, dtype=np.int64), sigma2=e(), k=k, ar=e(l2), sar=e(l2),
        var_ar=e(l2), ret=e(l2), expected=e(l2), car=e(w), var_car=e(w), scar=e(w), csar=e(w),
        nwin=e(w), bhar=e(w), resid=e(l1), frac_pos=e(), zero_share=e(),
        pos0=np.empty(0, dtype=np.int64),
    )  # fmt: skip


def run_event_study(
    events: EventSet | pd.DataFrame,
    *,
    returns: Any = None,
    prices: Any = None,
    market: str = "000300.SH",
    model: ModelName = "market",
    estimation_window: tuple[int, int] = (-250, -11),
    event_window: tuple[int, int] = (-5, 5),
    car_windows: Sequence[tuple[int, int]] | None = None,
    min_estimation_obs: int = 100,
    factors: pd.DataFrame | None = None,
    tests: str | Sequence[str] = "all",
    calendar: Any = None,
    trade_to_trade: bool = False,
    source: str = "auto",
    offline: bool | None = None,
    cache_dir: str | None = None,
) -> EventStudyResult:
    """Measure abnormal returns around events and test them (METHODS.md conventions).

    Shorthand for ``EventStudy(...).fit(events, returns=..., prices=..., source=...,
    offline=..., cache_dir=...)``; see
    :class:`EventStudy` for the parameters and
    :class:`~eventstudy.study.result.EventStudyResult` for the output.

    Examples
    --------
    >>> from eventstudy.datasets import sample_prices
    >>> px = sample_prices(["600519.SH", "000300.SH"]).pivot(index="date", columns="symbol",
    ...                                                      values="close")
    >>> res = run_event_study(pd.DataFrame({"event_id": ["seed"], "symbol": ["600519.SH"],
    ...                                     "day0": ["2022-01-10"]}), prices=px)
    >>> res.n_estimation.tolist(), res.ar.shape
    ([240], (1, 11))
    """
    spec = EventStudy(
        market=market,
        model=model,
        estimation_window=estimation_window,
        event_window=event_window,
        car_windows=car_windows,
        min_estimation_obs=min_estimation_obs,
        factors=factors,
        tests=tests,
        calendar=calendar,
        trade_to_trade=trade_to_trade,
    )
    return spec.fit(
        events, returns=returns, prices=prices, source=source, offline=offline, cache_dir=cache_dir
    )
