"""EventStudyResult: the read-only output of an event study.

Shapes (every attribute is computed once, on first access)::

    .events       one row per analysed event: event_id, symbol, day0, published_at,
                  every attribute carried from the input, n_estimation, zero_return_share
    .ar           DataFrame  index event_id  x  columns rel_day (int, tau1..tau2)
    .car, .bhar   DataFrame  index event_id  x  columns window label "[a,b]"
    .aar          Series     index rel_day
    .caar, .abhar Series     index window label
    .caar_path    DataFrame  index rel_day: caar, se, lower, upper, n  (cumulative from tau1;
                  attrs["level"], attrs["variance"])
    .sigma        Series by event_id (S_i);   .n_estimation  Series by event_id (M_i)
    .params       DataFrame by event_id (alpha, beta, ... as the model has)
    .tests        tidy: test, measure, scope, rel_day, window, statistic, pvalue, n, note,
                  pvalue_holm, pvalue_bh (the table of the frozen records
                  ``.test_results``; one record: ``.test(name, window=None)``)
    .dropped      event_id, symbol, reason, message (inputs = analysed + dropped)
    .placebo()    the same study on random dates (:mod:`eventstudy.study.placebo`)

With ``EventStudy(measure="volume")`` or ``"volatility"`` the same tables hold that
measure's abnormal quantity (abnormal log volume; abnormal variance ``U - 1``) and
``.tests`` the tests that apply to it (:mod:`eventstudy.study.measures`).

:meth:`EventStudyResult.to_frame` is the tidy long table of every per-event number
(AR, SAR, CAR, SCAR, BHAR); the wide tables above hold the same arrays.

Examples
--------
>>> import numpy as np, pandas as pd
>>> from eventstudy.study import run_event_study
>>> rng = np.random.default_rng(3)
>>> dates = pd.bdate_range("2021-01-04", periods=200)
>>> mkt = rng.normal(0, 0.01, 200)
>>> rets = pd.DataFrame({"M": mkt, "A": mkt + rng.normal(0, 0.01, 200),
...                      "B": mkt + rng.normal(0, 0.01, 200)}, index=dates)
>>> ev = pd.DataFrame({"event_id": ["a", "b"], "symbol": ["A", "B"],
...                    "day0": [dates[150], dates[160]], "kind": ["x", "y"]})
>>> res = run_event_study(ev, returns=rets, market="M", estimation_window=(-120, -11))
>>> res.ar.columns.name, res.ar.shape, list(res.by("kind"))
('rel_day', (2, 11), ['x', 'y'])
>>> bool(np.allclose(res.car["[-5,5]"], res.ar.sum(axis=1)))
True
>>> res.test("t_cross", window=(-1, 1)).dist
't(1)'
"""

from __future__ import annotations

from collections.abc import Sequence
from functools import cached_property
from typing import TYPE_CHECKING, Any, get_args

import numpy as np
import pandas as pd
from scipy import stats

from eventstudy._typing import (
    Engine,
    EventMeasure,
    FloatArray,
    RegressionCov,
    SessionRule,
    TestMeasure,
    TestScope,
)
from eventstudy.exceptions import ConfigError
from eventstudy.scale.cluster import check_engine
from eventstudy.study.bootstrap import resolve_seed
from eventstudy.study.core import EventPieces
from eventstudy.study.headline import HEADLINE_TESTS, headline_choice, headline_line
from eventstudy.study.inference import (
    BOOTSTRAP_TESTS,
    Battery,
    TestResult,
    battery_needs,
    run_battery,
)
from eventstudy.study.measures import get_measure
from eventstudy.study.placebo import (
    DEFAULT_PLACEBO_RUNS,
    DEFAULT_PLACEBO_WINDOW,
    Refit,
    StudyPlacebo,
    run_placebo,
)
from eventstudy.study.sums import EstimationSums
from eventstudy.study.windows import Window, parse_window, window_label
from eventstudy.summary import Summary

if TYPE_CHECKING:
    import plotly.graph_objects as go
    from statsmodels.regression.linear_model import RegressionResultsWrapper

    from eventstudy._typing import StudyPlotKind
    from eventstudy.study.spec import EventStudy

__all__ = ["EventStudyResult", "WindowFrame", "WindowSeries", "window_label"]

#: ``tests.attrs["left_out"]`` of a result whose pieces carry no estimation residuals.
NO_RESIDUALS_NOTE = (
    "left out: {tests} (they read the estimation residuals; a subset of a result of "
    "engine='dask' has neither them nor their sums: fit its events as a study of their own)"
)

#: Tests shown in the summary table (those the spec ran), in this order; the headline
#: tests (:data:`eventstudy.study.headline.HEADLINE_TESTS`) are always among them.
SUMMARY_TESTS = tuple(
    dict.fromkeys(
        ("t_cross", "patell", "bmp", "kp_bmp", "gen_sign", "corrado", "grank",
         *HEADLINE_TESTS.values())
    )
)  # fmt: skip


def _is_window(key: object) -> bool:
    return (
        isinstance(key, tuple)
        and len(key) == 2
        and all(isinstance(k, int | np.integer) and not isinstance(k, bool) for k in key)
    )


def _window_key(key: Any, labels: pd.Index) -> Any:
    """``key`` with CAR windows ``(a, b)`` replaced by their labels ``"[a,b]"``."""
    if _is_window(key):
        label = window_label(key)
        if label not in labels:
            raise KeyError(
                f"window {key!r} is not one of the result's CAR windows {list(labels)}; "
                "set them with EventStudy(windows=...)"
            )
        return label
    if isinstance(key, list) and any(_is_window(k) for k in key):
        return [_window_key(k, labels) for k in key]
    return key


class WindowFrame(pd.DataFrame):
    """A DataFrame whose columns are CAR windows: ``frame[(-1, 3)]`` is ``frame["[-1,3]"]``.

    What :attr:`EventStudyResult.car` and :attr:`EventStudyResult.bhar` return;
    frames derived from it (``.mean()``, slices) are plain pandas objects.

    Examples
    --------
    >>> car = example_result().car
    >>> car[(-1, 1)].equals(car["[-1,1]"])
    True
    """

    @property
    def _constructor(self) -> type[pd.DataFrame]:
        return pd.DataFrame

    def __getitem__(self, key: Any) -> Any:
        return super().__getitem__(_window_key(key, self.columns))


class WindowSeries(pd.Series):
    """A Series indexed by CAR windows: ``series[(-1, 3)]`` is ``series["[-1,3]"]``.

    What :attr:`EventStudyResult.caar` and :attr:`EventStudyResult.abhar` return.

    Examples
    --------
    >>> caar = example_result().caar
    >>> bool(caar[(0, 5)] == caar["[0,5]"])
    True
    """

    @property
    def _constructor(self) -> type[pd.Series]:
        return pd.Series

    def __getitem__(self, key: Any) -> Any:
        return super().__getitem__(_window_key(key, self.index))


def _pct4(x: float) -> str:
    return "" if pd.isna(x) else f"{x:.4%}"


def _num4(x: float) -> str:
    return "" if pd.isna(x) else f"{x:.4f}"


def _measure(measure: str | None, default: TestMeasure) -> TestMeasure:
    if measure is None:
        return default
    for m in get_args(TestMeasure):
        if m == measure:
            return m
    raise ConfigError(f"measure={measure!r} is not one of {get_args(TestMeasure)}")


def _pick_day(name: str, rows: list[TestResult], day: int, measure: TestMeasure) -> TestResult:
    found = [r for r in rows if r.scope == "day" and r.measure == measure]
    if not found:
        windows = sorted({r.label for r in rows if r.scope == "window"})
        raise ConfigError(
            f"test {name!r} has no day-level {measure} rows; pass window= one of {windows}"
            + ("" if measure == "AR" else " or measure='AR'")
        )
    for r in found:
        if r.rel_day == day:
            return r
    days = [r.rel_day for r in found]
    raise ConfigError(f"day={day} is not a relative day of the event window {days}")


def _pick_window(
    name: str, rows: list[TestResult], window: Window, measure: TestMeasure
) -> TestResult:
    found = [r for r in rows if r.scope == "window" and r.measure == measure]
    if not found:
        measures = sorted({r.measure for r in rows if r.scope == "window"})
        raise ConfigError(
            f"test {name!r} has no {measure} window rows; its window measures are "
            f"{measures} (pass measure=)" if measures else
            f"test {name!r} has only day-level rows; pass day= instead of window="
        )  # fmt: skip
    for r in found:
        if r.window == window:
            return r
    labels = [r.label for r in found]
    raise ConfigError(f"window {window_label(window)} is not one of the CAR windows {labels}")


class EventStudyResult:
    """Result of :func:`~eventstudy.study.run_event_study` (read-only, attributes cached).

    Built by :meth:`EventStudy.fit`, not directly. See the module docstring for
    the shape of every table.
    """

    def __init__(
        self,
        *,
        spec: EventStudy,
        events_frame: pd.DataFrame,
        pieces: EventPieces,
        dropped: pd.DataFrame,
        provenance: pd.DataFrame,
        n_input: int,
        calendar_source: str = "",
        rule: SessionRule | None = None,
        cutoff: str | None = None,
        refit: Refit | None = None,
        cols: np.ndarray | None = None,
        notes: Sequence[str] = (),
        seed: int | None = None,
        sums: EstimationSums | None = None,
    ) -> None:
        self._sums = sums
        self._refit = refit
        self._cols = cols
        self._notes = tuple(notes)
        self._seed_given = seed if seed is not None else spec.seed
        self._spec = spec
        self._frame = events_frame
        self._pieces = pieces
        self._dropped = dropped
        self._provenance = provenance
        self._n_input = n_input
        self._calendar_source = calendar_source
        self._rule = rule
        self._cutoff = cutoff

    # ------------------------------------------------------------------ basics
    @property
    def spec(self) -> EventStudy:
        """The :class:`EventStudy` that produced this result."""
        return self._spec

    @property
    def market(self) -> str:
        """The benchmark symbol."""
        return self._spec.market

    @property
    def model(self) -> str:
        """The normal-return model."""
        return str(self._spec.model)

    @property
    def measure(self) -> str:
        """What :attr:`ar`/:attr:`car` measure: ``return``, ``volume`` or ``volatility``."""
        return str(self._spec.measure)

    @property
    def headline(self) -> str | None:
        """Which test to read first and why (:func:`eventstudy.study.headline.headline_line`).

        None for volume and volatility studies, for models the rule was not
        simulated with (``headline.HEADLINE_MODELS``) and when no sized test of the
        benchmark ran; the summary, the ``eventstudy run`` console and the briefing
        all print this line.
        """
        return headline_line(
            market=self.market,
            tests=self._battery_tests,
            measure=self.measure,
            n_events=self.n_events,
            model=self.model,
        )

    @property
    def market_volume(self) -> str | None:
        """A volume study's line on where its market log volume came from, else None.

        The market's own volume or the mean of the securities' (the engine that fitted
        it says which: :func:`eventstudy.study.measures.market_volume_line`); the
        summary's methodology and the briefing's notes print it.
        """
        return next((n for n in self._notes if n.startswith("market volume ")), None)

    @property
    def headline_test(self) -> str | None:
        """The test :attr:`headline` names (read first), or None when there is no line.

        The briefing leads with this test's p-value
        (:func:`eventstudy.study.headline.headline_choice`).
        """
        return headline_choice(
            market=self.market, tests=self._battery_tests, measure=self.measure, model=self.model
        )

    @property
    def windows(self) -> list[tuple[int, int]]:
        """The CAR windows, in the order of the ``car`` columns."""
        return self._spec.windows

    @property
    def n_events(self) -> int:
        """Number of analysed events."""
        return self._pieces.n

    @property
    def n_input(self) -> int:
        """Number of input events (analysed + dropped)."""
        return self._n_input

    @property
    def calendar_source(self) -> str:
        """Where the sessions that count relative days come from."""
        return self._calendar_source

    @property
    def rule(self) -> SessionRule | None:
        """The day-0 rule of the events (from their ``EventSet``; None if unknown)."""
        return self._rule

    @property
    def cutoff(self) -> str | None:
        """The day-0 cutoff time of the events (from their ``EventSet``; None if unknown)."""
        return self._cutoff

    @property
    def pieces(self) -> EventPieces:
        """The per-event arrays everything else is computed from."""
        return self._pieces

    @cached_property
    def _ids(self) -> pd.Index:
        return pd.Index(self._frame["event_id"].astype(str), name="event_id")

    @cached_property
    def _days(self) -> pd.Index:
        tau1, tau2 = self._spec.event_window
        return pd.Index(range(tau1, tau2 + 1), name="rel_day", dtype="int64")

    @cached_property
    def _labels(self) -> pd.Index:
        return pd.Index([window_label(w) for w in self.windows], name="window", dtype=object)

    @cached_property
    def events(self) -> pd.DataFrame:
        """One row per analysed event: attributes, ``n_estimation``, ``zero_return_share``."""
        ev = self._frame.copy()
        ev["n_estimation"] = self._pieces.m.astype(np.int64)
        ev["zero_return_share"] = self._pieces.zero_share
        return ev

    @property
    def dropped(self) -> pd.DataFrame:
        """Events that could not be analysed: ``event_id, symbol, reason, message``."""
        return self._dropped.copy()

    @property
    def provenance(self) -> pd.DataFrame:
        """Provenance of the return data (from the price/return object; else empty)."""
        return self._provenance.copy()

    # ------------------------------------------------------------ per event
    @cached_property
    def ar(self) -> pd.DataFrame:
        """Abnormal returns: index ``event_id``, columns ``rel_day``."""
        return pd.DataFrame(self._pieces.ar, index=self._ids, columns=self._days)

    @cached_property
    def car(self) -> WindowFrame:
        """Cumulative abnormal returns: index ``event_id``, columns window labels.

        A column is selected by its label or by its window, like
        ``plot(window=...)``: ``result.car[(-1, 1)]`` is ``result.car["[-1,1]"]``.

        Examples
        --------
        >>> res = example_result()
        >>> res.car[(-1, 1)].equals(res.car["[-1,1]"])
        True
        """
        return WindowFrame(self._pieces.car, index=self._ids, columns=self._labels)

    @cached_property
    def bhar(self) -> WindowFrame:
        """Buy-and-hold abnormal returns (simple returns): like :attr:`car`."""
        return WindowFrame(self._pieces.bhar, index=self._ids, columns=self._labels)

    @cached_property
    def sigma(self) -> pd.Series:
        """``S_i``, the residual standard deviation of each event's model."""
        return pd.Series(np.sqrt(self._pieces.sigma2), index=self._ids, name="sigma")

    @cached_property
    def n_estimation(self) -> pd.Series:
        """``M_i``, estimation observations of each event."""
        return pd.Series(self._pieces.m.astype(np.int64), index=self._ids, name="n_estimation")

    @cached_property
    def params(self) -> pd.DataFrame:
        """Estimated model parameters by event (``alpha, beta`` for the market model)."""
        return pd.DataFrame(
            self._pieces.params, index=self._ids, columns=pd.Index(self._spec.normal_model.params)
        )

    # ------------------------------------------------------- cross-section
    @cached_property
    def aar(self) -> pd.Series:
        """Average abnormal return by relative day (events present that day)."""
        with np.errstate(invalid="ignore"):
            v = _nanmean0(self._pieces.ar)
        return pd.Series(v, index=self._days, name="aar")

    @cached_property
    def caar(self) -> WindowSeries:
        """Cumulative average abnormal return (mean of CAR_i) by window.

        Indexed by window label or by window: ``result.caar[(0, 5)]``.
        """
        return WindowSeries(_nanmean0(self._pieces.car), index=self._labels, name="caar")

    @cached_property
    def abhar(self) -> WindowSeries:
        """Average buy-and-hold abnormal return by window (like :attr:`caar`)."""
        return WindowSeries(_nanmean0(self._pieces.bhar), index=self._labels, name="abhar")

    @cached_property
    def caar_path(self) -> pd.DataFrame:
        """CAAR cumulated from ``tau1`` with its confidence band.

        ``se`` is the cross-sectional standard error ``sd_i(CAR_i(tau1, t)) / sqrt(n)``
        (Brown and Warner 1985), the band ``caar +- t_{n-1} se`` at ``attrs["level"]``.
        """
        ar = self._pieces.ar
        ok = np.isfinite(ar)
        cum = np.cumsum(np.where(ok, ar, 0.0), axis=1)
        seen = np.cumsum(ok, axis=1) > 0
        cum = np.where(seen, cum, np.nan)
        n = seen.sum(axis=0).astype(float)
        with np.errstate(invalid="ignore", divide="ignore"):
            mean = np.where(seen, cum, 0.0).sum(axis=0) / n
            dev = np.where(seen, cum - mean, 0.0)
            se = np.sqrt((dev * dev).sum(axis=0) / (n - 1)) / np.sqrt(n)
        se = np.where(n >= 2, se, np.nan)
        level = self._spec.level
        q = stats.t.ppf(0.5 + level / 2.0, np.maximum(n - 1, 1))
        out = pd.DataFrame(
            {"caar": mean, "se": se, "lower": mean - q * se, "upper": mean + q * se, "n": n},
            index=self._days,
        )
        out["n"] = out["n"].astype(np.int64)
        out.attrs["level"] = level
        out.attrs["variance"] = (
            f"cross-sectional: se = sd over events of CAR(tau1, t) / sqrt(n); "
            f"{level:.0%} band with t(n-1) quantiles (Brown-Warner 1985); NaN when n < 2"
        )
        return out

    @cached_property
    def seed(self) -> int | None:
        """The seed of the resampling tests (drawn once when ``spec.seed`` is None).

        None when no resampling test was selected and no seed given.
        """
        if self._seed_given is None and not set(self._spec.tests) & set(BOOTSTRAP_TESTS):
            return None
        return resolve_seed(self._seed_given)

    @cached_property
    def _without_residuals(self) -> tuple[str, ...]:
        """Tests left out: they read the estimation residuals, which these pieces lack.

        The pieces of a result of ``engine="dask"`` carry no residuals, only the merged
        sums of all its events; a subset of it (:meth:`subset`, :meth:`by`) has neither.
        """
        if self._sums is not None or self._pieces.resid.shape[1] > 0:
            return ()
        tests = get_measure(self._spec.measure).selected(self._spec.tests)
        return tuple(t for t in tests if battery_needs([t]))

    @cached_property
    def _battery_tests(self) -> tuple[str, ...]:
        """The tests the battery runs: the spec's, less those the measure or the pieces rule out."""
        tests = get_measure(self._spec.measure).selected(self._spec.tests)
        return tuple(t for t in tests if t not in self._without_residuals)

    @cached_property
    def _battery(self) -> Battery:
        measure = get_measure(self._spec.measure)
        b = run_battery(
            self._pieces,
            windows=self.windows,
            tau1=self._spec.event_window[0],
            tests=self._battery_tests,
            sums=self._sums,
            replications=self._spec.bootstrap,
            seed=self.seed,
            level=self._spec.level,
        )
        kept = tuple(r for r in b.results if measure.applies(r))
        return Battery(kept, rbar=b.rbar, rbar_windows=b.rbar_windows, rbar_pairs=b.rbar_pairs)

    @cached_property
    def _tests_table(self) -> pd.DataFrame:
        table = self._battery.table()
        note = get_measure(self._spec.measure).left_out_note(self._spec.tests)
        if self._without_residuals:
            note = "; ".join([*([note] if note else []), NO_RESIDUALS_NOTE.format(
                tests=", ".join(self._without_residuals))])  # fmt: skip
        if note:
            table.attrs["left_out"] = note
        return table

    @property
    def tests(self) -> pd.DataFrame:
        """The tidy test table: one row per record of :attr:`test_results`.

        Columns ``test, measure, scope, rel_day, window, statistic, pvalue, n, note``
        (see :mod:`eventstudy.study.inference`). With ``measure="volume"`` or
        ``"volatility"`` only the tests and rows that apply to the measure are there;
        ``tests.attrs["left_out"]`` (and the summary) say what was left out and why.
        """
        return self._tests_table.copy()

    @property
    def test_results(self) -> tuple[TestResult, ...]:
        """Every test result as a frozen record (the rows of :attr:`tests`, in order)."""
        return self._battery.results

    def test(
        self,
        name: str,
        window: Window | str | None = None,
        *,
        day: int | None = None,
        measure: TestMeasure | None = None,
    ) -> TestResult:
        """One test result: a window test, or a day test (day 0 by default).

        Parameters
        ----------
        name
            The test (``t_cross``, ``kp_bmp``, ...; ``t_event`` for one event).
        window
            A CAR window ``(a, b)`` or its label ``"[a,b]"``: the window test (of
            ``CAR`` unless ``measure="BHAR"``). None: the day test (of ``AR``) on
            relative day ``day``.
        day
            The relative day of a day test; default 0 (the event day).
        measure
            ``"AR"``, ``"CAR"`` or ``"BHAR"``; default ``AR`` for days, ``CAR`` for
            windows.

        Returns
        -------
        TestResult
            ``statistic``, ``pvalue``, ``n``, ``dist``, ``note``, ``extras``.

        Raises
        ------
        ConfigError
            If the result has no such test, day, window or measure (the message
            lists those it has).

        Examples
        --------
        >>> import numpy as np, pandas as pd
        >>> from eventstudy.study import run_event_study
        >>> rng = np.random.default_rng(0)
        >>> dates = pd.bdate_range("2021-01-04", periods=200)
        >>> m = rng.normal(0, 0.01, 200)
        >>> rets = pd.DataFrame({"M": m, **{s: m + rng.normal(0, 0.01, 200) for s in "ABCD"}},
        ...                     index=dates)
        >>> ev = pd.DataFrame({"event_id": list("abcd"), "symbol": list("ABCD"),
        ...                    "day0": dates[150]})
        >>> res = run_event_study(ev, returns=rets, market="M", estimation_window=(-120, -11))
        >>> r = res.test("kp_bmp", window=(-1, 1))
        >>> r.window, r.n, r.dist, 0 < r.pvalue < 1
        ((-1, 1), 4, 't(3)', True)
        >>> res.test("patell").rel_day, res.test("patell").dist
        (0, 'N(0,1)')
        >>> res.test("grank")
        Traceback (most recent call last):
        ...
        eventstudy.exceptions.ConfigError: test 'grank' has no day-level AR rows; pass window= \
one of ['[-1,1]', '[-5,5]', '[0,0]', '[0,1]', '[0,5]']
        """
        rows = [r for r in self.test_results if r.test == name]
        if not rows:
            names = list(dict.fromkeys(r.test for r in self.test_results))
            raise ConfigError(f"this result has no test {name!r}; its tests are {names}")
        if window is not None and day is not None:
            raise ConfigError("pass window= (a window test) or day= (a day test), not both")
        if window is None:
            return _pick_day(name, rows, 0 if day is None else int(day), _measure(measure, "AR"))
        return _pick_window(name, rows, parse_window(window), _measure(measure, "CAR"))

    @property
    def rbar(self) -> float:
        """Kolari-Pynnönen ``rbar`` of the day-level tests.

        The average residual correlation over all ``N(N-1)`` pairs of events, pairs
        with different day 0 counting 0 (see :func:`eventstudy.study.statistics.kp_rbar`).
        """
        return float(self._battery.rbar)

    @property
    def rbar_windows(self) -> pd.Series:
        """Kolari-Pynnönen ``rbar`` of each CAR window (calendar overlap weighted)."""
        return pd.Series(
            np.asarray(self._battery.rbar_windows, dtype=float),
            index=self._labels,
            name="rbar",
        )

    # ------------------------------------------------------------- tidy
    def to_frame(self) -> pd.DataFrame:
        """Every per-event number in long form.

        Columns: ``event_id, symbol, day0, measure (AR|SAR|CAR|SCAR|BHAR), scope
        (day|window), rel_day (Int64), window, value``.
        """
        p = self._pieces
        ids = self._ids.to_numpy()
        sym = self._frame["symbol"].to_numpy()
        d0 = self._frame["day0"].to_numpy()
        parts = []
        per_event: tuple[tuple[EventMeasure, FloatArray, TestScope], ...] = (
            ("AR", p.ar, "day"),
            ("SAR", p.sar, "day"),
            ("CAR", p.car, "window"),
            ("SCAR", p.scar, "window"),
            ("BHAR", p.bhar, "window"),
        )
        for measure, mat, scope in per_event:
            ncol = mat.shape[1]
            keys = self._days if scope == "day" else self._labels
            part = pd.DataFrame(
                {
                    "event_id": np.repeat(ids, ncol),
                    "symbol": np.repeat(sym, ncol),
                    "day0": np.repeat(d0, ncol),
                    "measure": measure,
                    "scope": scope,
                    "rel_day": pd.array(
                        np.tile(keys.to_numpy(), len(ids)) if scope == "day" else [None] * mat.size,
                        dtype="Int64",
                    ),
                    "window": (
                        np.tile(keys.to_numpy(), len(ids))
                        if scope == "window"
                        else np.full(mat.size, None, dtype=object)
                    ),
                    "value": mat.ravel(),
                }
            )
            parts.append(part)
        return pd.concat(parts, ignore_index=True)

    # ---------------------------------------------------------- rendering
    def _summary_table(self) -> pd.DataFrame:
        t = self.tests
        w = t[(t["measure"] == "CAR") & (t["scope"] == "window")]
        rows = {}
        for label in self._labels:
            row: dict[str, float | str] = {"CAAR": self.caar.get(label, np.nan)}
            sub = w[w["window"] == label].set_index("test")
            for name in SUMMARY_TESTS:
                if name in sub.index:
                    row[name] = f"{sub.at[name, 'statistic']:.2f} ({sub.at[name, 'pvalue']:.3f})"
            rows[label] = row
        return pd.DataFrame.from_dict(rows, orient="index")

    def _summary_lines(self) -> list[str]:
        tau = self._spec.event_window
        est = self._spec.estimation_window
        reasons = self._dropped["reason"].value_counts()
        drop_txt = ", ".join(f"{k}: {v}" for k, v in reasons.items()) or "none"
        lines = [
            f"  model {self.model}, market {self.market}, estimation {list(est)}, "
            f"event window {list(tau)}",
            f"  events: {self.n_input} in, {self.n_events} analysed, "
            f"{len(self._dropped)} dropped ({drop_txt})",
        ]
        if self.n_events == 0:
            return [*lines, "  (no event could be analysed)"]
        if self._without_residuals:
            tests = ", ".join(self._without_residuals)
            lines.append("  " + NO_RESIDUALS_NOTE.format(tests=tests))
        elif "rbar" in battery_needs(self._battery_tests):  # a KP-adjusted test ran
            rw = ", ".join(f"{k} {v:.4f}" for k, v in self.rbar_windows.items())
            lines.append(
                f"  Kolari-Pynnönen rbar: day tests {self.rbar:.4f} (same-day-0 pairs); "
                f"CAR windows (calendar-overlap weighted) {rw}"
            )
        return [*lines, *(f"  {line}" for line in self._model_lines())]

    def _model_lines(self) -> list[str]:
        """The model (and the measure) with their sources: the first methodology lines."""
        lines = [f"model {self.model}: {self._spec.normal_model.methodology}"]
        measure = get_measure(self._spec.measure)
        if measure.name != "return":  # the default measure needs no line
            lines.append(f"measure {measure.name}: {measure.method} ({measure.reference})")
            note = measure.left_out_note(self._spec.tests)
            lines.extend([note] if note else [])
        return lines

    def event_handling(self) -> list[str]:
        """Duplicates and overlaps: what was found and done, with counts.

        The last lines of :meth:`methodology`; the ``eventstudy run`` console prints
        them too.
        """
        return self._event_handling_lines()

    def _event_handling_lines(self) -> list[str]:
        """Duplicates and overlaps: what was found and done (counts)."""
        reasons = self._dropped["reason"].value_counts()
        ev = self._frame
        out = []
        how = self._spec.duplicates
        if how == "keep" and "n_same_day" in ev.columns:
            k = int((ev["n_same_day"] > 1).sum())
            out.append(
                f"duplicates='keep': {k} of the {len(ev)} analysed events share their security "
                "and day 0 with another input event (kept as separate events; column "
                "n_same_day; the warning counted the input events, dropped ones included)"
            )
        elif how != "keep":
            reason = "collapsed" if how == "collapse" else "duplicate"
            out.append(
                f"duplicates={how!r}: {int(reasons.get(reason, 0))} events with the same "
                f"security and day 0 as an earlier one went to dropped (reason {reason})"
            )
        if self._spec.overlap == "drop":
            out.append(
                f"overlap='drop': {int(reasons.get('overlap', 0))} events with another event "
                "of their security in their estimation or event window dropped (reason overlap)"
            )
        elif "n_overlaps" in ev.columns:
            k = int((ev["n_overlaps"] > 0).sum())
            out.append(
                f"overlap='keep': {k} events have another event of their security in their "
                "estimation or event window (column n_overlaps)"
            )
        return out

    def methodology(self) -> list[str]:
        """Methodology lines for what this result used beyond the standard battery.

        The benchmark built from the panel (``market="ew"``), the calendar-time and
        resampling tests that ran (with ``B`` and the seed), the multiple-testing
        adjustment, and the handling of duplicates and overlaps (with counts). The
        model's and the measure's lines head the summary (and the briefing states
        the model itself).

        Examples
        --------
        >>> import numpy as np, pandas as pd
        >>> from eventstudy.study import run_event_study
        >>> rng = np.random.default_rng(0)
        >>> dates = pd.bdate_range("2021-01-04", periods=200)
        >>> m = rng.normal(0, 0.01, 200)
        >>> rets = pd.DataFrame({"M": m, "A": m + rng.normal(0, 0.01, 200)}, index=dates)
        >>> ev = pd.DataFrame({"event_id": ["a"], "symbol": ["A"], "day0": [dates[150]]})
        >>> res = run_event_study(ev, returns=rets, market="M", estimation_window=(-120, -11))
        >>> [line.split(":")[0] for line in res.methodology()]
        ['calendar_time', 'pvalue_holm, pvalue_bh', "duplicates='keep'", "overlap='keep'"]
        """
        tests = set(self._battery_tests)  # the measure's tests, less those left out
        b = self._spec.bootstrap
        lines = list(self._notes)
        if "calendar_time" in tests:
            lines.append(
                "calendar_time: one equal-weighted portfolio per calendar day of the events "
                "in the window that day, its AR over the sd of the same members' mean "
                "estimation residual; t = sqrt(T) mean over the T days, t(T-1) "
                "(Jaffe 1974; Mandelker 1974)"
            )
        if "wild_bootstrap" in tests:
            lines.append(
                f"wild_bootstrap: Rademacher weights on the centred SAR (days) and CAR "
                f"(windows), B={b or 999}, seed={self.seed}; p = share of |t*| >= |t| "
                "(Mammen 1993; as R EventStudy)"
            )
        if "lbt_skew_t" in tests:
            lines.append(
                f"lbt_skew_t: skewness-adjusted t of BHAR against B={b or 1000} resamples "
                f"of N/4 events with replacement, seed={self.seed} (Lyon, Barber and Tsai 1999)"
            )
        lines.append(
            "pvalue_holm, pvalue_bh: Holm (1979) and Benjamini-Hochberg (1995) adjusted "
            "p-values within each test's rows (its days and windows), never across tests"
        )
        return lines + self._event_handling_lines()

    def summary(self) -> Summary:
        """The summary: the spec, what was dropped, and the CAAR tests by window.

        A :class:`~eventstudy.summary.Summary`: ``print`` it for text, or use
        ``as_text()``, ``as_html()``, ``as_latex()``.

        Examples
        --------
        >>> import numpy as np, pandas as pd
        >>> from eventstudy.study import run_event_study
        >>> rng = np.random.default_rng(0)
        >>> dates = pd.bdate_range("2021-01-04", periods=200)
        >>> m = rng.normal(0, 0.01, 200)
        >>> rets = pd.DataFrame({"M": m, "A": m + rng.normal(0, 0.01, 200)}, index=dates)
        >>> ev = pd.DataFrame({"event_id": ["a"], "symbol": ["A"], "day0": [dates[150]]})
        >>> s = run_event_study(ev, returns=rets, market="M", estimation_window=(-120, -11),
        ...                     car_windows=[(0, 1)]).summary()
        >>> print(s)  # doctest: +ELLIPSIS
        Event study
        ===========
          model market, market M, estimation [-120, -11], event window [-5, 5]
          events: 1 in, 1 analysed, 0 dropped (none)
          Kolari-Pynnönen rbar: day tests 0.0000 (same-day-0 pairs); CAR windows ...
        <BLANKLINE>
        CAAR by window, statistic (two-sided p-value):
                 CAAR    t_cross  ...
        [0,1]  ...%  nan (nan)  ...
        >>> "<table" in s.as_html(), "tabular" in s.as_latex()
        (True, True)
        """
        s = Summary("Event study").add_lines(self._summary_lines())
        if self.n_events == 0:
            return s
        percent = get_measure(self._spec.measure).percent  # not log volume, variance ratios
        s.add_table(
            self._summary_table(),
            caption="CAAR by window, statistic (two-sided p-value):",
            formats={"CAAR": _pct4 if percent else _num4},
        )
        if self.headline is not None:
            s.add_lines([f"  {self.headline}"])  # which test to read (study.headline)
        return s.add_lines(["Methodology:", *(f"  {line}" for line in self.methodology())])

    def __str__(self) -> str:
        return self.summary().as_text()

    def __repr__(self) -> str:
        return self.summary().as_text()

    def _repr_html_(self) -> str:
        return self.summary().as_html()

    # --------------------------------------------------------------- more
    def plot(self, kind: StudyPlotKind = "caar", **kw: Any) -> go.Figure:
        """A plotly figure of the result (not shown), drawn by :mod:`eventstudy.plotting`.

        Parameters
        ----------
        kind
            ``"caar"`` (:func:`~eventstudy.plotting.plot_caar`, with its confidence
            band), ``"aar"`` (:func:`~eventstudy.plotting.plot_aar`), ``"car_dist"``
            (:func:`~eventstudy.plotting.plot_car_dist`) or ``"heatmap"``
            (:func:`~eventstudy.plotting.plot_heatmap`).
        **kw
            Passed to that function (e.g. ``title=``, ``window=``, ``by=``).

        Raises
        ------
        ConfigError
            For an unknown ``kind``.

        Examples
        --------
        >>> fig = example_result().plot("heatmap", by="name")
        >>> fig.data[0].type, sorted(fig.data[0].y)
        ('heatmap', ['白酒', '银行'])
        """
        from eventstudy.plotting import STUDY_FIGURES  # deferred: plotting sits above the study

        if kind not in STUDY_FIGURES:
            from eventstudy.exceptions import ConfigError

            raise ConfigError(f"kind={kind!r} is not one of {list(STUDY_FIGURES)}")
        return STUDY_FIGURES[kind](self, **kw)

    def subset(self, mask: np.ndarray | pd.Series) -> EventStudyResult:
        """The result restricted to some analysed events (statistics recomputed).

        Only the cross-sectional statistics are recomputed, from the per-event
        pieces (no re-estimation). ``mask`` is a boolean array over :attr:`events`;
        the subset's ``dropped`` is empty (its inputs are exactly its events).
        """
        m = np.asarray(mask, dtype=bool)
        frame = self._frame.loc[m].reset_index(drop=True)
        return EventStudyResult(
            refit=self._refit,
            cols=None if self._cols is None else self._cols[m],
            notes=self._notes,
            seed=self.seed,
            spec=self._spec,
            events_frame=frame,
            pieces=self._pieces.take(np.flatnonzero(m)),
            dropped=self._dropped.iloc[0:0].copy(),
            provenance=self._provenance,
            n_input=len(frame),
            calendar_source=self._calendar_source,
            rule=self._rule,
            cutoff=self._cutoff,
        )

    def placebo(
        self,
        n: int = DEFAULT_PLACEBO_RUNS,
        *,
        seed: int | None = None,
        engine: Engine = "local",
        client: Any = None,
        window: int = DEFAULT_PLACEBO_WINDOW,
    ) -> StudyPlacebo:
        """The same study on random dates: placebo CAAR by window and empirical p-values.

        Every analysed event keeps its security; each replication moves all the events
        of a real day 0 together to one random session of the real day-0 span, widened
        by ``window`` sessions on each side (the backtest's placebo design, clustering
        kept) and re-estimates them with the study's model and measure. ``p = (1 +
        #{|placebo CAAR| >= |CAAR|}) / (n + 1)``. Replication ``i`` draws from
        ``numpy.random.SeedSequence(seed).spawn(n)[i]``. See
        :mod:`eventstudy.study.placebo`.

        Parameters
        ----------
        n
            Replications.
        seed
            Seed, an integer in ``[0, 2**53)`` as the study's (None: a fresh one,
            recorded in the result's ``seed``).
        engine, client
            ``"dask"``: the replications run in chunks on the workers of ``client``
            (default: the running Dask client; the return panel is sent to each worker
            once), with the same result as ``"local"`` for the same seed.
        window
            Sessions added on each side of the span of the real day 0s (default 0: the
            span itself). Widen it when the events cluster on a few days: a pool of
            fewer than ``MIN_PLACEBO_SESSIONS`` (20) sessions warns, one session is an
            error.

        Returns
        -------
        StudyPlacebo

        Raises
        ------
        ConfigError
            If the result carries no return panel (it was not built by a fit, or by
            ``engine="dask"``: the message says to fit with ``engine="local"``), for a
            bad ``n``/``seed``/``window``, or when the placebo days would be drawn from
            one session.

        Warns
        -----
        EventStudyWarning
            When they would be drawn from fewer than 20 sessions.

        Examples
        --------
        >>> res = example_result()
        >>> pl = res.placebo(n=20, seed=3)
        >>> pl.values.shape[0], list(pl.pvalue.index) == list(res.caar.index)
        (20, True)
        """
        if self._refit is None or self._cols is None:
            if self._sums is not None or self._pieces.resid.shape[1] == 0:  # engine="dask"
                raise ConfigError(
                    "this result was fitted with engine='dask', which keeps no return panel "
                    "to re-run on placebo dates; fit it with engine='local' (the default of "
                    "run_event_study / EventStudy.fit), then result.placebo(engine='dask', "
                    "client=...) runs the placebo replications on the workers"
                )
            raise ConfigError(
                "this result carries no return panel to re-run on placebo dates; fit the "
                "study (EventStudy.fit / run_event_study) to get one"
            )
        mapper, chunks = None, 1
        if check_engine(engine) == "dask":
            from eventstudy.scale.cluster import dask_mapper, n_workers

            mapper, chunks = dask_mapper(client), 4 * n_workers(client)
        return run_placebo(self._refit, self._cols, self._pieces.pos0, self.caar, n=n,
                           seed=seed, mapper=mapper, min_chunks=chunks,
                           window=window)  # fmt: skip

    def by(self, column: str) -> dict[str, EventStudyResult]:
        """Per-group results by an event attribute (board, publisher, kind, ...).

        Groups are the distinct values of ``events[column]`` (missing values form the
        group ``"<NA>"``); each group's statistics are recomputed from its events.
        Dropped inputs are not attributed to groups (their attributes may be lost).

        Raises
        ------
        ConfigError
            If ``column`` is not an event attribute.
        """
        if column not in self._frame.columns:
            raise ConfigError(
                f"{column!r} is not an event column; have {list(self._frame.columns)}"
            )
        values = self._frame[column]
        keys = values.astype(object).where(values.notna(), "<NA>").astype(str)
        return {str(k): self.subset((keys == k).to_numpy()) for k in sorted(keys.unique())}

    def regress(
        self, formula: str, cov: RegressionCov = "HC1", *, window: Window | str | None = None
    ) -> RegressionResultsWrapper:
        """Cross-sectional regression of CAR on event characteristics (statsmodels OLS).

        See :func:`eventstudy.study.regression.regress_car`.
        """
        from eventstudy.study.regression import regress_car

        return regress_car(self, formula, cov=cov, window=window)


def _nanmean0(x: np.ndarray) -> np.ndarray:
    ok = np.isfinite(x)
    n = ok.sum(axis=0)
    with np.errstate(invalid="ignore", divide="ignore"):
        out: np.ndarray = np.where(ok, x, 0.0).sum(axis=0) / n
    return out
