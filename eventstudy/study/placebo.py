"""Placebo study: the same event study on random dates (``EventStudyResult.placebo``).

The design is the backtest's placebo (:mod:`eventstudy.backtesting.placebo`, whose
date drawing :func:`~eventstudy.backtesting.placebo.placebo_days` /
:func:`~eventstudy.backtesting.placebo.draw_placebo_rows` is reused here):

- **same securities**: every analysed event keeps its security (and the spec: model,
  windows, minimum estimation observations);
- **one placebo day per distinct real day 0**: each replication draws as many
  distinct sessions as there are distinct real day 0s and moves *all* the events of
  a real day 0 to that day's placebo session, so events that cluster on a day stay
  clustered and the placebo distribution carries the same common-market exposure as
  the real CAAR;
- **same calendar span**: the sessions from the first to the last real day 0 on
  which at least one of the events' securities has a return; ``window=`` widens the
  span by that many sessions on each side (the backtest's ``placebo_window``). A pool
  of fewer than :data:`MIN_PLACEBO_SESSIONS` sessions (events clustered on a few days)
  warns (:class:`~eventstudy.exceptions.EventStudyWarning`): the replications then
  reuse a handful of days and the p-value cannot be small; a pool of one session is an
  error (every replication would be the study itself). Widen it with ``window=``.

Each replication re-estimates every moved event (its estimation window moves with
its placebo day 0); an event that cannot be estimated there (too few estimation
returns, no return on its placebo day 0) is left out of that replication, as the
real study leaves out events it cannot estimate. The statistic of a replication is
its CAAR (mean CAR over its events) per CAR window, of the study's measure (a
volatility study's placebo sums ``U - 1``, a volume study's abnormal log volume:
:func:`eventstudy.study.measures.measure_pieces`); the empirical two-sided p-value
of the real CAAR is

``p = (1 + #{b : |CAAR*_b| >= |CAAR|}) / (n + 1)``

over the ``n`` replications with a CAAR (Phipson and Smyth 2010: never 0). It needs
no distributional assumption and keeps whatever the real sample has: drift of the
model's alpha, clustering, thin trading (as a calibration check of the parametric
tests it shows their size on these very securities and dates).

Replication ``i`` draws from ``numpy.random.default_rng(SeedSequence(seed).spawn(n)[i])``,
so replications are independent of how they are split into chunks or across
workers; ``seed`` is validated as the study's (:func:`eventstudy.study.bootstrap.check_seed`:
an integer in ``[0, 2**53)``) and ``seed=None`` draws a fresh one
(:func:`~eventstudy.study.bootstrap.resolve_seed`), recorded in ``StudyPlacebo.seed``.

References
----------
Phipson, B., Smyth, G. (2010). Permutation p-values should never be zero.
*Statistical Applications in Genetics and Molecular Biology* 9(1), 39.
Brown, S., Warner, J. (1985). Using daily stock returns. *JFE* 14, 3-31 (random
pseudo-event dates).

Examples
--------
>>> import numpy as np, pandas as pd
>>> from eventstudy.study import run_event_study
>>> rng = np.random.default_rng(0)
>>> dates = pd.bdate_range("2021-01-04", periods=400)
>>> m = rng.normal(0, 0.01, 400)
>>> rets = pd.DataFrame({"M": m, **{s: m + rng.normal(0, 0.01, 400) for s in "ABCD"}},
...                     index=dates)
>>> ev = pd.DataFrame({"event_id": list("abcd"), "symbol": list("ABCD"),
...                    "day0": dates[[300, 300, 320, 350]]})
>>> res = run_event_study(ev, returns=rets, market="M", car_windows=[(0, 1)])
>>> pl = res.placebo(n=50, seed=1)
>>> pl.values.shape, pl.seed, len(pl.real_days)
((50, 1), 1, 3)
>>> 0 < float(pl.pvalue["[0,1]"]) <= 1
True
"""

from __future__ import annotations

import warnings
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import numpy as np
import pandas as pd

from eventstudy._typing import FloatArray, StudyMeasure
from eventstudy.backtesting.placebo import PlaceboDays, draw_placebo_rows, placebo_days
from eventstudy.exceptions import ConfigError, EventStudyWarning, InputDataError, user_stacklevel
from eventstudy.study.bootstrap import check_seed, resolve_seed
from eventstudy.study.core import EventPieces
from eventstudy.study.measures import get_measure, measure_pieces
from eventstudy.summary import Summary

__all__ = [
    "DEFAULT_PLACEBO_RUNS",
    "DEFAULT_PLACEBO_WINDOW",
    "MIN_PLACEBO_SESSIONS",
    "Mapper",
    "PlaceboChunk",
    "Refit",
    "StudyPlacebo",
    "placebo_chunk",
    "run_placebo",
    "serial_map",
]

#: Replications of ``result.placebo`` by default.
DEFAULT_PLACEBO_RUNS = 200
#: Sessions added on each side of the real day-0 span by default (``window=``).
DEFAULT_PLACEBO_WINDOW = 0
#: A placebo pool of fewer sessions than this warns (widen it with ``window=``).
MIN_PLACEBO_SESSIONS = 20
#: Events re-estimated per chunk of replications (bounds memory).
_CHUNK_EVENTS = 50_000


@dataclass(frozen=True)
class Refit:
    """What a placebo needs to re-run a fitted study at other dates (built by the engine).

    Attributes
    ----------
    returns
        ``(D, S)`` the study's return panel on its sessions.
    sessions
        The sessions (relative days count these).
    run
        ``run(pos0, col) -> (pieces, status, m)``: the study's own fit of events at
        session positions ``pos0`` in panel columns ``col``
        (:func:`eventstudy.study.engine.compute_pieces` with the study's spec).
    measure, windows, tau1
        The study's measure, CAR windows and first event day: the fitted pieces become
        the measure's (:func:`eventstudy.study.measures.measure_pieces`), so a
        volatility study's placebo is a volatility study at the placebo dates.
    """

    returns: FloatArray
    sessions: pd.DatetimeIndex
    run: Callable[[np.ndarray, np.ndarray], tuple[EventPieces | None, np.ndarray, np.ndarray]]
    measure: StudyMeasure
    windows: list[tuple[int, int]]
    tau1: int


@dataclass(frozen=True)
class StudyPlacebo:
    """The placebo distribution of CAAR per window and the empirical p-values.

    Attributes
    ----------
    real
        The study's CAAR by window.
    values
        ``(n, windows)`` placebo CAAR, one row per replication (NaN: no event
        could be estimated in that replication).
    pvalue
        ``(1 + #{|placebo| >= |real|}) / (n' + 1)`` by window, ``n'`` replications
        with a value.
    n, seed
        Replications and the seed (the entropy of ``SeedSequence(seed)``).
    real_days, days
        The distinct real day 0s and, per replication, the placebo session of each
        (``(n, len(real_days))``).
    first_day, last_day, pool_sessions
        The span and the number of sessions the placebo days are drawn from.
    window
        Sessions the real day-0 span was widened by on each side.
    mean_events
        Events estimated per replication, on average (of ``n_events``).
    n_events
        Events of the real study.
    measure
        The study's measure (its CAAR is a percentage for ``"return"`` only).
    """

    real: pd.Series
    values: pd.DataFrame
    pvalue: pd.Series
    n: int
    seed: int
    real_days: pd.DatetimeIndex
    days: np.ndarray
    first_day: pd.Timestamp
    last_day: pd.Timestamp
    pool_sessions: int
    mean_events: float
    n_events: int
    measure: StudyMeasure = "return"
    window: int = DEFAULT_PLACEBO_WINDOW

    def table(self) -> pd.DataFrame:
        """By window: ``caar``, the placebo ``mean``, ``sd``, 2.5/97.5 % quantiles, ``pvalue``.

        Also ``runs``, the replications with a value.
        """
        v = self.values
        return pd.DataFrame(
            {
                "caar": self.real,
                "placebo_mean": v.mean(),
                "placebo_sd": v.std(ddof=1),
                "q025": v.quantile(0.025),
                "q975": v.quantile(0.975),
                "pvalue": self.pvalue,
                "runs": v.notna().sum().astype(np.int64),
            }
        )

    def summary(self) -> Summary:
        """The placebo as a :class:`~eventstudy.summary.Summary` (text, HTML, LaTeX)."""
        s = Summary("Placebo study (random dates)")
        s.add_lines(
            [
                f"  {self.n} replications, seed {self.seed}; {len(self.real_days)} distinct "
                f"real day 0s moved together to random sessions of "
                f"{self.first_day.date()} .. {self.last_day.date()} ({self.pool_sessions} "
                f"sessions{self._widened()})",
                f"  {self.mean_events:.1f} of {self.n_events} events estimated per "
                "replication on average; p = (1 + #{|placebo CAAR| >= |CAAR|}) / (n + 1)",
            ]
        )
        fmt = _pct4 if get_measure(self.measure).percent else _num4
        formats: dict[str, Callable[[Any], str]] = {
            c: fmt for c in ("caar", "placebo_mean", "placebo_sd", "q025", "q975")
        }
        formats["pvalue"] = _p3
        return s.add_table(
            self.table(), caption="CAAR against its placebo distribution:", formats=formats
        )

    def _widened(self) -> str:
        if not self.window:
            return ""
        return f"; the real day-0 span widened by {self.window} sessions on each side"

    def __repr__(self) -> str:
        return self.summary().as_text()

    def _repr_html_(self) -> str:
        return self.summary().as_html()


def _pct4(x: Any) -> str:
    return "" if pd.isna(x) else f"{x:.4%}"


def _num4(x: Any) -> str:
    return "" if pd.isna(x) else f"{x:.4f}"


def _p3(x: Any) -> str:
    return "" if pd.isna(x) else f"{x:.3f}"


def _check(n: object, seed: object, window: object) -> None:
    if isinstance(n, bool) or not isinstance(n, int | np.integer) or n < 1:
        raise ConfigError(f"n={n!r} must be a number of replications >= 1")
    check_seed(seed)
    if isinstance(window, bool) or not isinstance(window, int | np.integer) or window < 0:
        raise ConfigError(
            f"window={window!r} must be a number of sessions >= 0 (added on each side of "
            "the real day-0 span)"
        )


def _check_pool(design: PlaceboDays, sessions: pd.DatetimeIndex, window: int) -> None:
    """Error on a one-session pool; warn on one of fewer than :data:`MIN_PLACEBO_SESSIONS`."""
    size = len(design.pool)
    span = f"{sessions[design.lo].date()} .. {sessions[design.hi].date()}"
    more = max(MIN_PLACEBO_SESSIONS, window + MIN_PLACEBO_SESSIONS // 2)
    if size <= 1:
        raise ConfigError(
            f"the placebo days would be drawn from {size} session ({span}, window={window}): "
            "every replication would be the study itself; pass window= (sessions added on "
            f"each side of the real day-0 span), e.g. placebo(window={more})"
        )
    if size < MIN_PLACEBO_SESSIONS:
        warnings.warn(
            f"the placebo days are drawn from {size} sessions ({span}, window={window}), "
            f"fewer than {MIN_PLACEBO_SESSIONS}: the replications reuse these days and the "
            f"p-value cannot go below about 1/{size}; pass window= (sessions added on each "
            f"side of the real day-0 span), e.g. placebo(window={more})",
            EventStudyWarning,
            stacklevel=user_stacklevel(),  # the user's line
        )


def _chunk_caar(
    refit: Refit, pos: np.ndarray, cols: np.ndarray, reps: int, n_windows: int
) -> tuple[FloatArray, FloatArray]:
    """CAAR ``(reps, W)`` and events estimated ``(reps,)`` of ``reps`` stacked replications."""
    fitted, status, _ = refit.run(pos, np.tile(cols, reps))
    caar = np.full((reps, n_windows), np.nan)
    if fitted is None:
        return caar, np.zeros(reps)
    pieces = measure_pieces(refit.measure, fitted, refit.windows, refit.tau1)
    rep_of = np.repeat(np.arange(reps), len(cols))[status == 0]
    estimated = np.bincount(rep_of, minlength=reps).astype(float)
    for w in range(n_windows):
        car = pieces.car[:, w]
        ok = np.isfinite(car)
        tot = np.bincount(rep_of, weights=np.where(ok, car, 0.0), minlength=reps)
        cnt = np.bincount(rep_of, weights=ok.astype(float), minlength=reps)
        with np.errstate(invalid="ignore", divide="ignore"):
            caar[:, w] = np.where(cnt > 0, tot / cnt, np.nan)
    return caar, estimated


#: ``mapper(fn, shared, items) -> [fn(shared, item) for item in items]``, in order: how the
#: chunks of replications run (default :func:`serial_map`; ``engine="dask"``:
#: :func:`eventstudy.scale.cluster.dask_mapper`, ``shared`` sent to each worker once).
Mapper = Callable[[Callable[[Any, Any], Any], Any, list[Any]], list[Any]]


def serial_map(fn: Callable[[Any, Any], Any], shared: Any, items: list[Any]) -> list[Any]:
    """``[fn(shared, item) for item in items]``: the chunks in this process, in order."""
    return [fn(shared, item) for item in items]


@dataclass(frozen=True)
class PlaceboChunk:
    """Replications ``seeds`` (one ``SeedSequence`` child each) of a placebo design:
    ``m`` placebo days drawn from ``pool``, event ``j`` moved to day ``group[j]``."""

    seeds: list[np.random.SeedSequence]
    pool: np.ndarray
    m: int
    group: np.ndarray
    cols: np.ndarray
    n_windows: int


def placebo_chunk(refit: Refit, chunk: PlaceboChunk) -> tuple[np.ndarray, FloatArray, FloatArray]:
    """Placebo rows ``(reps, m)``, CAAR ``(reps, W)`` and events estimated of a chunk.

    Replication ``i`` of the chunk draws from ``default_rng(chunk.seeds[i])`` only, so
    the result of a replication does not depend on the chunk it is in.
    """
    days = np.empty((len(chunk.seeds), chunk.m), dtype=np.int64)
    for i, s in enumerate(chunk.seeds):
        days[i] = draw_placebo_rows(chunk.pool, chunk.m, np.random.default_rng(s))
    pos = days[:, chunk.group].ravel()  # replication-major, events in order
    caar, estimated = _chunk_caar(refit, pos, chunk.cols, len(chunk.seeds), chunk.n_windows)
    return days, caar, estimated


def run_placebo(
    refit: Refit,
    cols: np.ndarray,
    pos0: np.ndarray,
    real: pd.Series,
    *,
    n: int = DEFAULT_PLACEBO_RUNS,
    seed: int | None = None,
    mapper: Mapper | None = None,
    min_chunks: int = 1,
    window: int = DEFAULT_PLACEBO_WINDOW,
) -> StudyPlacebo:
    """Re-run a study ``n`` times on random dates (see the module docstring).

    Parameters
    ----------
    refit
        The fitted study's data and fit (:class:`Refit`).
    cols, pos0
        Panel column and session position of day 0 of each analysed event.
    real
        The study's CAAR by window (its labels name the windows).
    n, seed
        Replications and seed (``SeedSequence(seed).spawn(n)[i]`` for replication i).
    mapper, min_chunks
        How the chunks of replications run (:data:`Mapper`; default here, in order)
        and the fewest chunks to cut them into (e.g. a few per worker); the result
        does not depend on either.
    window
        Sessions added on each side of the real day-0 span to draw placebo days from.

    Returns
    -------
    StudyPlacebo

    Raises
    ------
    ConfigError
        Bad ``n``, ``seed`` or ``window``; a pool of one session.
    InputDataError
        No analysed event.

    Warns
    -----
    EventStudyWarning
        A pool of fewer than :data:`MIN_PLACEBO_SESSIONS` sessions.
    """
    _check(n, seed, window)
    if len(cols) == 0:
        raise InputDataError("no analysed event to move to placebo dates")
    has_data = np.asarray(np.isfinite(refit.returns[:, np.unique(cols)]).any(axis=1))
    design = placebo_days(pos0, has_data, int(window))
    _check_pool(design, refit.sessions, int(window))
    ss = np.random.SeedSequence(resolve_seed(seed))
    children = ss.spawn(n)
    step = max(1, min(_CHUNK_EVENTS // len(cols), -(-n // max(1, min_chunks))))
    m = len(design.real_rows)
    chunks = [
        PlaceboChunk(children[a : a + step], design.pool, m, design.group, cols, len(real))
        for a in range(0, n, step)
    ]
    outs = (mapper or serial_map)(placebo_chunk, refit, chunks)
    days = np.concatenate([o[0] for o in outs])
    values = np.concatenate([o[1] for o in outs])
    estimated = np.concatenate([o[2] for o in outs])
    frame = pd.DataFrame(values, columns=real.index)
    ok = frame.notna()
    hits = (frame.abs() >= real.abs()) & ok
    pvalue = (1.0 + hits.sum()) / (1.0 + ok.sum())
    pvalue[ok.sum() == 0] = np.nan
    sess = refit.sessions
    return StudyPlacebo(
        real=real.copy(),
        values=frame,
        pvalue=pvalue.rename("pvalue"),
        n=int(n),
        seed=int(ss.entropy),  # type: ignore[arg-type]
        real_days=pd.DatetimeIndex(sess[design.real_rows]),
        days=sess.values[days],
        first_day=pd.Timestamp(sess[design.lo]),
        last_day=pd.Timestamp(sess[design.hi]),
        pool_sessions=len(design.pool),
        mean_events=float(estimated.mean()),
        n_events=len(cols),
        measure=refit.measure,
        window=int(window),
    )
