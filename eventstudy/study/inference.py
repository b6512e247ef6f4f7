"""The test battery: a registry of tests, each giving frozen :class:`TestResult` records.

Every test is two-sided and gives, per relative day and/or CAR window, a
statistic, a p-value, the number of events it used and its reference
distribution (``dist``, e.g. ``"t(24)"``, ``"N(0,1)"``); where a statistic is
undefined (one event, zero dispersion) it is NaN and ``note`` says why. Each test
is a :class:`TestDefinition` of :data:`TEST_REGISTRY` (name, measures, what it
needs, reference, and the function with its formula); :func:`run_battery` runs a
selection and ``EventStudyResult.tests`` is the tidy table of the records
(:data:`TEST_COLUMNS`). A new test is one function and one record here (and its
name in ``eventstudy._typing.TestName``). The primitives (t, sign, Wilcoxon, rank
sums, ``kp_rbar``) are in :mod:`eventstudy.study.statistics`. The conventions are
those of METHODS.md:

============== =========================================================== ==============
test           statistic                                                   reference
============== =========================================================== ==============
t_cross        ``sqrt(N) mean(x) / sd(x)``, t(N-1)                          Brown, Warner (1985)
brown_warner   ``AAR_t / S(AAR)``; window ``CAAR / (sqrt(L2) S(AAR))``;    Brown, Warner (1980,
               ``S(AAR)`` the sd of AAR over the estimation days, t(M-1)   1985)
patell         day ``sum SAR / sqrt(sum (M-K)/(M-K-2))``; window           Patell (1976)
               ``N^-1/2 sum CSAR_i / sqrt(L (M_i-K)/(M_i-K-2))``, N(0,1)
patell_adj     ``z sqrt(1 / (1 + (N-1) rbar))``                            Kolari, Pynnönen (2010)
bmp            t_cross on SAR (days) or SCAR = CAR/S_CAR (windows)          Boehmer et al. (1991)
kp_bmp         ``t_bmp sqrt((1-rbar) / (1+(N-1) rbar))``                   Kolari, Pynnönen (2010)
sign           ``(w - N/2) / sqrt(N/4)``, N(0,1)                           Cowan (1992)
gen_sign       ``(w - N p) / sqrt(N p (1-p))``, p = mean share of           Cowan (1992)
               positive estimation residuals, N(0,1)
corrado        ``Ubar_t / S_U``; window ``sqrt(L2) mean Ubar_t / S_U``     Corrado (1989),
                                                                           Corrado, Zivney (1992),
                                                                           Cowan (1992)
grank          ``Z sqrt((T-2)/(T-1-Z^2))``, t(T-2); CAR windows (the       Kolari, Pynnönen (2011)
               one-day window [0,0] among them; the day-by-day rank test
               is Corrado's)
wilcoxon       ``W+`` (sum of ranks of positive values), exact for         Wilcoxon (1945)
               N <= 50 without ties, else normal with tie correction
skew_t         ``sqrt(N) (S + g S^2/3 + g/(6N))``, S = mean/sd,            Hall (1992), Lyon,
               g = skewness, t(N-1); CAR and BHAR                          Barber, Tsai (1999)
t_event        (N = 1 only) ``AR/S_{i,t}``, ``CAR/S_CAR``, t(M-K)          MacKinlay (1997)
calendar_time  ``sqrt(T) mean_t AR_p,t / S_p,t`` over the calendar days'   Jaffe (1974),
               equal-weighted portfolios, ``S_p,t`` the portfolio's own     Mandelker (1974)
               estimation sd, t(T-1) (:mod:`.calendar_time`)
wild_bootstrap (opt-in) t of SAR (days) or CAR (windows), p from B = 999    Mammen (1993), as
               Rademacher wild-bootstrap replications (:mod:`.bootstrap`)  R EventStudy
lbt_skew_t     (opt-in) skewness-adjusted t of BHAR, two-sided p from      Lyon, Barber, Tsai
               B = 1,000 resamples of N/4 events (:mod:`.bootstrap`)      (1999)
============== =========================================================== ==============

``tests="all"`` runs every test but the two opt-in resampling tests (they cost
time; select them by name, with ``bootstrap=`` replications and a ``seed``).

Every row also carries multiple-testing adjusted p-values, ``pvalue_holm`` (Holm
1979) and ``pvalue_bh`` (Benjamini-Hochberg 1995), computed within **one test's
rows** (its days and windows, every measure), never across different tests
(:func:`~eventstudy.study.statistics.adjust_pvalues`).

``rbar`` (Kolari-Pynnönen 2010) is the average residual correlation over **all**
``N(N-1)`` ordered pairs of events, where a pair contributes only when its abnormal
returns fall on the same calendar days (residuals are serially uncorrelated): for
the day-level tests pairs with the same day 0; for a CAR window of ``L`` days pairs
whose day 0 differ by ``d < L`` sessions, weighted by the overlap ``(L - d)/L``. With
one common day 0 this is the textbook mean off-diagonal correlation; with events
spread over many dates it is close to 0 and the adjustment vanishes. It is computed
without an N x N matrix (:func:`kp_rbar`). The ``note`` of each ``patell_adj`` and
``kp_bmp`` row gives the ``rbar`` it used.

References
----------
Brown, S., Warner, J. (1980). Measuring security price performance. *JFE* 8, 205-258.
Brown, S., Warner, J. (1985). Using daily stock returns. *JFE* 14, 3-31.
Patell, J. (1976). *Journal of Accounting Research* 14(2), 246-276.
Boehmer, E., Musumeci, J., Poulsen, A. (1991). Event-study methodology under conditions of
event-induced variance. *JFE* 30, 253-272.
Kolari, J., Pynnönen, S. (2010). Event study testing with cross-sectional correlation of
abnormal returns. *RFS* 23(11), 3996-4025.
Kolari, J., Pynnönen, S. (2011). Nonparametric rank tests for event studies. *J. Empirical
Finance* 18, 953-971.
Corrado, C. (1989). A nonparametric test for abnormal security-price performance in event
studies. *JFE* 23, 385-395. Corrado, C., Zivney, T. (1992). *JFQA* 27(3), 465-478.
Cowan, A. (1992). Nonparametric event study tests. *Rev. Quant. Finance Acc.* 2, 343-358.
Hall, P. (1992). On the removal of skewness by transformation. *JRSS B* 54, 221-228.
Lyon, J., Barber, B., Tsai, C. (1999). Improved methods for tests of long-run abnormal stock
returns. *JF* 54(1), 165-201.
MacKinlay, A. C. (1997). Event studies in economics and finance. *JEL* 35(1), 13-39.
Wilcoxon, F. (1945). Individual comparisons by ranking methods. *Biometrics Bulletin* 1(6),
80-83.

Examples
--------
>>> get_test("kp_bmp").measures, sorted(get_test("kp_bmp").needs)
(('AR', 'CAR'), ['rbar'])
>>> import numpy as np
>>> z, p, n = sign_test(np.array([[0.01], [0.02], [-0.01], [0.03]]))
>>> float(z[0]), int(n[0])
(1.0, 4)
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping, Sequence
from concurrent.futures import Executor, Future
from dataclasses import dataclass, field, replace
from functools import cached_property
from types import MappingProxyType
from typing import ClassVar, Literal, get_args

import numpy as np
import pandas as pd

from eventstudy._typing import (
    BootstrapTestName,
    CalendarTestName,
    FloatArray,
    TestMeasure,
    TestName,
    TestNeed,
    TestScope,
)
from eventstudy.exceptions import ConfigError
from eventstudy.study import core
from eventstudy.study.bootstrap import (
    DEFAULT_LBT_REPLICATIONS,
    DEFAULT_WILD_REPLICATIONS,
    lbt_skew_t,
    resolve_seed,
    wild_bootstrap,
)
from eventstudy.study.calendar_time import calendar_time_of
from eventstudy.study.core import EventPieces
from eventstudy.study.statistics import (
    P_ADJUST_METHODS,
    UNDEFINED_SD0,
    RankSums,
    adjust_pvalues,
    column_moments,
    generalized_sign,
    grank,
    kp_rbar,
    kp_rbar_of,
    norm_pvalue,
    sign_test,
    skew_t,
    t_cross,
    t_from_moments,
    t_pvalue,
    wilcoxon_columns,
    wilcoxon_signed_rank,
)
from eventstudy.study.sums import RANK_NEEDS, EstimationSums, estimation_sums
from eventstudy.study.windows import Window, window_label

__all__ = [
    "BOOTSTRAP_TESTS",
    "SINGLE_EVENT_TEST",
    "TESTS",
    "TEST_COLUMNS",
    "TEST_REGISTRY",
    "Battery",
    "BatteryInputs",
    "MeasureResults",
    "TestDefinition",
    "TestResult",
    "adjust_family",
    "battery_needs",
    "get_test",
    "kp_rbar",
    "run_battery",
    "run_tests",
    "sign_test",
    "skew_t",
    "t_cross",
    "wilcoxon_signed_rank",
]

#: The tests of ``tests="all"``, in the order of the table.
TESTS: tuple[TestName | CalendarTestName, ...] = get_args(TestName) + get_args(CalendarTestName)

#: Opt-in resampling tests (selected by name; after :data:`TESTS` in the table).
BOOTSTRAP_TESTS: tuple[BootstrapTestName, ...] = get_args(BootstrapTestName)

#: Columns of ``EventStudyResult.tests``.
TEST_COLUMNS = [
    "test",
    "measure",
    "scope",
    "rel_day",
    "window",
    "statistic",
    "pvalue",
    "n",
    "note",
    *(f"pvalue_{m}" for m in P_ADJUST_METHODS),
]

_SCOPE: Mapping[TestMeasure, TestScope] = MappingProxyType(
    {"AR": "day", "CAR": "window", "BHAR": "window"}
)
_N01 = "N(0,1)"

#: The per-event arrays whose column moments several tests share (:meth:`BatteryInputs.moments`).
_Moment = Literal["ar", "car", "bhar", "sar", "scar"]


def _no_extras() -> Mapping[str, float]:
    return MappingProxyType({})


@dataclass(frozen=True, slots=True)
class TestResult:
    """One test on one relative day or one CAR window (a row of ``result.tests``).

    Attributes
    ----------
    test
        The test's name (:data:`TESTS`, or ``"t_event"`` for a single event).
    measure, scope
        ``"AR"`` on a relative day (scope ``"day"``), ``"CAR"`` or ``"BHAR"`` on a
        window (scope ``"window"``).
    rel_day, window
        The relative day (day rows) or the window ``(a, b)`` (window rows).
    statistic, pvalue
        The statistic and its two-sided p-value (NaN where undefined).
    n
        Number of events used.
    dist
        Reference distribution of the statistic: ``"t(24)"``, ``"N(0,1)"``,
        ``"Wilcoxon W+ (exact)"``; ``"t(n/a)"`` when the degrees of freedom are
        undefined.
    note
        Why a statistic is undefined, or what it used (e.g. ``rbar``).
    extras
        Further numbers of the test, e.g. ``rbar`` (Kolari-Pynnönen), ``p_hat``
        (generalized sign), ``s_aar`` (Brown-Warner), ``seed`` (bootstraps).
    pvalue_holm, pvalue_bh
        The p-value adjusted for multiple testing within this test's rows (its days
        and windows): Holm (1979) and Benjamini-Hochberg (1995); NaN where the
        p-value is.

    Examples
    --------
    >>> r = TestResult(test="t_cross", measure="CAR", scope="window", rel_day=None,
    ...                window=(-1, 1), statistic=2.1, pvalue=0.046, n=25, dist="t(24)")
    >>> r.label, r.row()["window"]
    ('[-1,1]', '[-1,1]')
    """

    __test__: ClassVar[bool] = False  # not a pytest test class despite its name

    test: str
    measure: TestMeasure
    scope: TestScope
    rel_day: int | None
    window: Window | None
    statistic: float
    pvalue: float
    n: int
    dist: str
    note: str = ""
    extras: Mapping[str, float] = field(default_factory=_no_extras, hash=False)
    pvalue_holm: float = np.nan
    pvalue_bh: float = np.nan

    @property
    def label(self) -> str:
        """The window label ``"[a,b]"`` (window rows) or the relative day as text."""
        return window_label(self.window) if self.window is not None else str(self.rel_day)

    def row(self) -> dict[str, object]:
        """The record as a row of ``result.tests`` (:data:`TEST_COLUMNS`)."""
        return {
            "test": self.test,
            "measure": self.measure,
            "scope": self.scope,
            "rel_day": self.rel_day,
            "window": None if self.window is None else window_label(self.window),
            "statistic": self.statistic,
            "pvalue": self.pvalue,
            "n": self.n,
            "note": self.note,
            **{f"pvalue_{m}": getattr(self, f"pvalue_{m}") for m in P_ADJUST_METHODS},
        }


@dataclass(frozen=True, slots=True)
class MeasureResults:
    """One test's results for one measure over every event day or every CAR window.

    ``statistic``, ``pvalue`` and ``n`` have one value per day (``AR``) or window
    (``CAR``, ``BHAR``); ``dist``, ``note`` and each of ``extras`` are one value for
    all or one per column.
    """

    measure: TestMeasure
    statistic: Sequence[float] | FloatArray
    pvalue: Sequence[float] | FloatArray
    n: Sequence[float] | FloatArray
    dist: str | Sequence[str]
    note: str | Sequence[str] = ""
    extras: Mapping[str, float | Sequence[float] | FloatArray] = field(default_factory=_no_extras)

    @property
    def scope(self) -> TestScope:
        """``"day"`` for ``AR``, ``"window"`` for ``CAR`` and ``BHAR``."""
        return _SCOPE[self.measure]


def _floats(value: float | Sequence[float] | FloatArray, size: int) -> list[float]:
    if isinstance(value, float | int):
        return [float(value)] * size
    return [float(v) for v in value]


def _strs(value: str | Sequence[str], size: int) -> list[str]:
    if isinstance(value, str):
        return [value] * size
    return [str(v) for v in value]


class BatteryInputs:
    """What the tests read: the pieces, days, windows and shared quantities (computed once).

    ``needs`` (the union of the selected tests' :attr:`TestDefinition.needs`) says
    which sums over the events' estimation residuals are computed
    (:class:`~eventstudy.study.sums.EstimationSums`): ``rbar`` (Kolari-Pynnönen, else
    zeros), ``corrado_ranks`` / ``grank_ranks`` (one rank pass serves both),
    ``residual_day_sums`` (Brown-Warner), ``calendar_groups`` (calendar time). The
    tests read those sums, never ``pieces.resid``: ``sums`` given (e.g. merged from
    the partitions of a study run on a Dask cluster) are used as they are, else they
    are computed from ``pieces`` (:func:`~eventstudy.study.sums.estimation_sums`),
    on a worker thread once :meth:`start_sums` is called (the battery starts them
    first and runs the tests that need no sums meanwhile). ``replications`` (None:
    each bootstrap's default), ``seed`` (None: a fresh seed, drawn once and
    recorded) and ``level`` are the resampling tests' options.
    """

    def __init__(
        self,
        pieces: EventPieces,
        *,
        windows: Sequence[Window],
        tau1: int,
        needs: Iterable[TestNeed] = (),
        replications: int | None = None,
        seed: int | None = None,
        level: float = 0.95,
        sums: EstimationSums | None = None,
    ) -> None:
        self.replications = replications
        self.level = level
        self._seed = seed
        self.pieces = pieces
        self.windows: list[Window] = [(int(a), int(b)) for a, b in windows]
        self.tau1 = tau1
        self.needs = frozenset(needs)
        self.n_events, l2 = pieces.ar.shape
        self._sums = sums
        self._pending: dict[TestNeed, Future[EstimationSums]] = {}
        self._moments: dict[_Moment, tuple[FloatArray, FloatArray, FloatArray]] = {}
        self.l1 = pieces.resid.shape[1] if sums is None else sums.l1
        self.days: list[int] = list(range(tau1, tau1 + l2))
        self.wlen = np.array([b - a + 1 for a, b in self.windows], dtype=float)

    @cached_property
    def seed(self) -> int:
        """The resampling tests' seed (:func:`~eventstudy.study.bootstrap.resolve_seed`)."""
        return resolve_seed(self._seed)

    def start_sums(self, pool: Executor) -> None:
        """Start computing :attr:`sums` on ``pool`` (when they are not given and some
        test needs them); :attr:`sums` then waits for them and raises their error.

        Two tasks, in this order: the sums in day-0 order (``rbar``, calendar groups,
        residual day sums), then the rank pass; :meth:`sums_for` waits only for the
        task that serves a need, so the tests reading the first run during the second.
        """
        if self._sums is not None or self._pending:
            return
        for part in (self.needs - RANK_NEEDS, self.needs & RANK_NEEDS):
            if part:
                task = pool.submit(estimation_sums, self.pieces, part)
                self._pending.update(dict.fromkeys(part, task))

    @cached_property
    def sums(self) -> EstimationSums:
        """The sums over the events' estimation residuals that serve :attr:`needs`."""
        if self._pending:
            tasks = dict.fromkeys(self._pending.values())  # distinct, in submission order
            first, *rest = (task.result() for task in tasks)
            for part in rest:  # the rank pass
                assert part.ranks is not None
                first = first.with_ranks(part.ranks, part.needs)
            return first
        if self._sums is None:
            return estimation_sums(self.pieces, self.needs)
        for need in sorted(self.needs):
            self._sums.need(need)
        return self._sums

    def sums_for(self, need: TestNeed) -> EstimationSums:
        """Sums that serve ``need`` (waiting only for the worker's task computing them)."""
        task = self._pending.get(need)
        return self.sums if task is None else task.result()

    @cached_property
    def rbar(self) -> tuple[float, FloatArray, int]:
        """``kp_rbar`` of the residuals: day ``rbar``, window ``rbar``s, same-day-0 pairs."""
        if "rbar" not in self.needs:
            return 0.0, np.zeros(len(self.windows)), 0
        kp = self.sums_for("rbar").kp
        assert kp is not None  # "rbar" is a need
        return kp_rbar_of(kp, self.wlen.astype(np.int64))

    @cached_property
    def rbar_notes(self) -> tuple[str, list[str]]:
        """Notes of the KP-adjusted rows: the ``rbar`` used by day and by window."""
        rbar, rbar_w, pairs = self.rbar
        npairs = self.n_events * (self.n_events - 1)
        # + 0.0: a rounded -0.0 (a merged -1e-17) reads as 0.0000, as the local sum does
        day = f"rbar={round(rbar, 4) + 0.0:.4f} ({pairs} of {npairs} pairs share day 0)"
        return day, [f"rbar={round(r, 4) + 0.0:.4f} (calendar-overlapping windows)" for r in rbar_w]

    @property
    def ranks(self) -> RankSums:
        """The sums of one rank pass (with GRANK's when a selected test needs them)."""
        ranks = self.sums_for(min(self.needs & RANK_NEEDS)).ranks
        assert ranks is not None  # a rank test's need
        return ranks

    def moments(self, measure: _Moment) -> tuple[FloatArray, FloatArray, FloatArray]:
        """:func:`~eventstudy.study.statistics.column_moments` of ``pieces.<measure>``.

        Computed once: the cross-sectional t, BMP, KP-BMP and Brown-Warner share them.
        """
        cache = self._moments
        if measure not in cache:
            cache[measure] = column_moments(getattr(self.pieces, measure))
        return cache[measure]

    def t_cross(self, measure: _Moment) -> tuple[FloatArray, FloatArray, FloatArray, list[str]]:
        """:func:`~eventstudy.study.statistics.t_cross` of ``pieces.<measure>``."""
        return t_from_moments(*self.moments(measure))

    @cached_property
    def patell_z(self) -> tuple[FloatArray, FloatArray, FloatArray, FloatArray]:
        """Patell's day ``z`` and window ``z`` with their event counts (Patell and KP-Patell)."""
        p = self.pieces
        pv = self.patell_var
        ok = np.isfinite(p.sar)
        n_d = ok.sum(axis=0).astype(float)
        with np.errstate(invalid="ignore", divide="ignore"):
            z_d = np.where(ok, p.sar, 0.0).sum(axis=0) / np.sqrt((ok * pv[:, None]).sum(axis=0))
            okw = np.isfinite(p.csar) & np.isfinite(pv)[:, None]
            term = np.where(okw, p.csar / np.sqrt(p.nwin * pv[:, None]), 0.0)
            n_w = okw.sum(axis=0).astype(float)
            z_w = term.sum(axis=0) / np.sqrt(n_w)
        z_d = np.where(n_d > 0, z_d, np.nan)
        z_w = np.where(n_w > 0, z_w, np.nan)
        return z_d, n_d, z_w, n_w

    @cached_property
    def patell_var(self) -> FloatArray:
        """``(M_i - K) / (M_i - K - 2)``, the variance of a standardised abnormal return."""
        m = self.pieces.m.astype(float)
        k = self.pieces.k
        with np.errstate(invalid="ignore", divide="ignore"):
            out: FloatArray = (m - k) / (m - k - 2.0)
        return out


@dataclass(frozen=True, slots=True)
class TestDefinition:
    """A test of the battery: its name, what it reports and needs, and its function.

    Attributes
    ----------
    name
        The test's name.
    title
        Its name in words.
    measures
        The measures it reports (``AR`` by day; ``CAR``, ``BHAR`` by window).
    needs
        Shared quantities to compute first (``rbar``, ``corrado_ranks``,
        ``grank_ranks``).
    reference
        Where the formula comes from.
    compute
        The function (with the formula in its docstring):
        :class:`BatteryInputs` -> one :class:`MeasureResults` per measure.
    """

    __test__: ClassVar[bool] = False  # not a pytest test class despite its name

    name: str
    title: str
    measures: tuple[TestMeasure, ...]
    needs: frozenset[TestNeed]
    reference: str
    compute: Callable[[BatteryInputs], tuple[MeasureResults, ...]] = field(
        repr=False, compare=False
    )


def _t_name(df: float) -> str:
    return f"t({int(df)})" if np.isfinite(df) and df >= 1 else "t(n/a)"


def _t_rows(
    measure: TestMeasure, res: tuple[FloatArray, FloatArray, FloatArray, list[str]]
) -> MeasureResults:
    t, p, n, note = res
    return MeasureResults(measure, t, p, n, [_t_name(k - 1) for k in n], note)


def _ar_car_bhar(p: EventPieces) -> tuple[tuple[TestMeasure, FloatArray], ...]:
    return ("AR", p.ar), ("CAR", p.car), ("BHAR", p.bhar)


# ------------------------------------------------------------------ the tests
def _run_t_cross(x: BatteryInputs) -> tuple[MeasureResults, ...]:
    """Cross-sectional t: ``sqrt(N) mean(x) / sd(x)``, t(N-1), on AR, CAR and BHAR.

    Brown, S., Warner, J. (1985). Using daily stock returns. *JFE* 14, 3-31.
    """
    return (
        _t_rows("AR", x.t_cross("ar")),
        _t_rows("CAR", x.t_cross("car")),
        _t_rows("BHAR", x.t_cross("bhar")),
    )


def _run_brown_warner(x: BatteryInputs) -> tuple[MeasureResults, ...]:
    """Crude dependence adjustment: ``AAR_t / S(AAR)``; window ``CAAR / (sqrt(L) S(AAR))``.

    ``S(AAR)`` is the sd over the estimation days of the average residual; t(M-1)
    with ``M`` estimation days. Brown, S., Warner, J. (1980). Measuring security
    price performance. *JFE* 8, 205-258; Brown and Warner (1985).
    """
    sums = x.sums_for("residual_day_sums")
    tot, cnt = sums.day_total, sums.day_count
    assert tot is not None  # "residual_day_sums" is a need
    assert cnt is not None
    aar_est = tot[cnt > 0] / cnt[cnt > 0]
    m_aar = len(aar_est)
    s_aar = float(np.std(aar_est, ddof=1)) if m_aar > 1 else np.nan
    note = f"S(AAR) from {m_aar} estimation days"
    n_d, aar, _ = x.moments("ar")
    n_w, caar, _ = x.moments("car")
    with np.errstate(invalid="ignore", divide="ignore"):
        t_d = aar / s_aar
        t_w = caar / (np.sqrt(x.wlen) * s_aar)
    dist = _t_name(m_aar - 1)
    extras = {"s_aar": s_aar}
    return (
        MeasureResults("AR", t_d, t_pvalue(t_d, m_aar - 1), n_d, dist, note, extras),
        MeasureResults("CAR", t_w, t_pvalue(t_w, m_aar - 1), n_w, dist, note, extras),
    )


def _run_patell(x: BatteryInputs) -> tuple[MeasureResults, ...]:
    """Standardised residual test, N(0,1).

    Day: ``sum_i SAR_it / sqrt(sum_i (M_i-K)/(M_i-K-2))``; window:
    ``N^-1/2 sum_i CSAR_i / sqrt(L (M_i-K)/(M_i-K-2))``. Patell, J. (1976).
    *Journal of Accounting Research* 14(2), 246-276.
    """
    z_d, n_d, z_w, n_w = x.patell_z
    return (
        MeasureResults("AR", z_d, norm_pvalue(z_d), n_d, _N01),
        MeasureResults("CAR", z_w, norm_pvalue(z_w), n_w, _N01),
    )


def _run_patell_adj(x: BatteryInputs) -> tuple[MeasureResults, ...]:
    """Patell's ``z`` adjusted for cross-correlation: ``z sqrt(1 / (1 + (N-1) rbar))``.

    Kolari, J., Pynnönen, S. (2010). Event study testing with cross-sectional
    correlation of abnormal returns. *RFS* 23(11), 3996-4025.
    """
    z_d, n_d, z_w, n_w = x.patell_z
    rbar, rbar_w, _ = x.rbar
    with np.errstate(invalid="ignore", divide="ignore"):
        z_d = z_d * np.sqrt(1.0 / (1.0 + (n_d - 1.0) * rbar))
        z_w = z_w * np.sqrt(1.0 / (1.0 + (n_w - 1.0) * rbar_w))
    note_d, note_w = x.rbar_notes
    return (
        MeasureResults("AR", z_d, norm_pvalue(z_d), n_d, _N01, note_d, {"rbar": rbar}),
        MeasureResults("CAR", z_w, norm_pvalue(z_w), n_w, _N01, note_w, {"rbar": rbar_w}),
    )


def _run_bmp(x: BatteryInputs) -> tuple[MeasureResults, ...]:
    """Standardised cross-sectional test: the cross-sectional t of SAR (days), SCAR (windows).

    ``SCAR = CAR / S_CAR``; t(N-1). Boehmer, E., Musumeci, J., Poulsen, A. (1991).
    Event-study methodology under conditions of event-induced variance. *JFE* 30,
    253-272.
    """
    return _t_rows("AR", x.t_cross("sar")), _t_rows("CAR", x.t_cross("scar"))


def _kp_adjust(
    measure: TestMeasure, res: tuple[FloatArray, FloatArray, FloatArray, list[str]],
    r: float | FloatArray, rnotes: list[str],
) -> MeasureResults:  # fmt: skip
    t, _p, n, xs_note = res
    with np.errstate(invalid="ignore", divide="ignore"):
        adj = t * np.sqrt((1.0 - r) / (1.0 + (n - 1.0) * r))
    notes = [f"{a}; {b}" if a else b for a, b in zip(xs_note, rnotes, strict=True)]
    dist = [_t_name(k - 1) for k in n]
    return MeasureResults(measure, adj, t_pvalue(adj, n - 1), n, dist, notes, {"rbar": r})


def _run_kp_bmp(x: BatteryInputs) -> tuple[MeasureResults, ...]:
    """BMP adjusted for cross-correlation: ``t_bmp sqrt((1-rbar) / (1+(N-1) rbar))``, t(N-1).

    Kolari, J., Pynnönen, S. (2010), *RFS* 23(11), 3996-4025 (the adjusted BMP test).
    """
    rbar, rbar_w, _ = x.rbar
    note_d, note_w = x.rbar_notes
    return (
        _kp_adjust("AR", x.t_cross("sar"), rbar, [note_d] * len(x.days)),
        _kp_adjust("CAR", x.t_cross("scar"), rbar_w, note_w),
    )


def _run_sign(x: BatteryInputs) -> tuple[MeasureResults, ...]:
    """Sign test: ``(w - N/2) / sqrt(N/4)``, ``w`` the number of positive values, N(0,1).

    Cowan, A. (1992). Nonparametric event study tests. *Rev. Quant. Finance Acc.* 2,
    343-358.
    """
    p = x.pieces
    return tuple(MeasureResults(m, *sign_test(v), _N01) for m, v in _ar_car_bhar(p))


def _run_gen_sign(x: BatteryInputs) -> tuple[MeasureResults, ...]:
    """Generalized sign test: ``(w - N p) / sqrt(N p (1-p))``, N(0,1).

    ``p`` is the mean share of positive estimation residuals. Cowan (1992).
    """
    p = x.pieces
    out = []
    for measure, v in _ar_car_bhar(p)[:2]:
        z, pv, n, p_hat = generalized_sign(v, p.frac_pos)
        out.append(MeasureResults(measure, z, pv, n, _N01, "", {"p_hat": p_hat}))
    return tuple(out)


def _run_corrado(x: BatteryInputs) -> tuple[MeasureResults, ...]:
    """Rank test: ``Ubar_t / S_U``; window ``sqrt(L) mean_t Ubar_t / S_U``, N(0,1).

    ``U = rank / (T_i + 1) - 1/2`` over each event's estimation and event days;
    ``S_U`` the sd of ``Ubar_t`` over all days. Corrado, C. (1989). A nonparametric
    test for abnormal security-price performance in event studies. *JFE* 23,
    385-395; Corrado, C., Zivney, T. (1992). *JFQA* 27(3), 465-478; Cowan (1992).
    """
    tau1, l1 = x.tau1, x.l1
    # events per window (U is finite iff AR is), counted before waiting for the rank pass
    seen = np.isfinite(x.pieces.ar)
    n_w = np.array([seen[:, a - tau1 : b - tau1 + 1].any(axis=1).sum() for a, b in x.windows],
                   dtype=float)  # fmt: skip
    rk = x.ranks
    n_t = rk.n_t
    with np.errstate(invalid="ignore", divide="ignore"):
        ubar = rk.tot_u / n_t
    have = n_t > 0
    s_u = np.sqrt(np.sum(n_t[have] / x.n_events * ubar[have] ** 2) / max(int(have.sum()), 1))
    ub_evt = ubar[l1:]
    with np.errstate(invalid="ignore", divide="ignore"):
        z_d = ub_evt / s_u
        z_w = np.empty(len(x.windows))
        for j, (a, b) in enumerate(x.windows):
            seg = ub_evt[a - tau1 : b - tau1 + 1]
            seg = seg[np.isfinite(seg)]
            z_w[j] = np.sqrt(len(seg)) * seg.mean() / s_u if len(seg) else np.nan
    note = "" if s_u > 0 else UNDEFINED_SD0
    return (
        MeasureResults("AR", z_d, norm_pvalue(z_d), n_t[l1:], _N01, note),
        MeasureResults("CAR", z_w, norm_pvalue(z_w), n_w, _N01, note),
    )


def _run_grank(x: BatteryInputs) -> tuple[MeasureResults, ...]:
    """Generalized rank test on CAR windows: ``Z sqrt((T-2) / (T-1-Z^2))``, t(T-2).

    The one-day window ``[0,0]`` is among the windows; the day-by-day rank test is
    Corrado's. Kolari, J., Pynnönen, S. (2011). Nonparametric rank tests for event
    studies. *J. Empirical Finance* 18, 953-971.
    """
    sums = x.ranks.grank
    assert sums is not None  # "grank_ranks" is in the needs of this test
    t, p, n, notes, df = grank(sums)
    return (MeasureResults("CAR", t, p, n, [_t_name(d) for d in df], notes),)


def _wilcoxon_dist(note: str) -> str:
    if note == "exact":
        return "Wilcoxon W+ (exact)"
    return _N01 if note == "normal approximation" else ""


def _run_wilcoxon(x: BatteryInputs) -> tuple[MeasureResults, ...]:
    """Signed-rank test: ``W+``, the sum of the ranks of the positive values.

    Exact for ``N <= 50`` without ties, else normal with tie correction. Wilcoxon,
    F. (1945). Individual comparisons by ranking methods. *Biometrics Bulletin* 1(6),
    80-83.
    """
    p = x.pieces
    out = []
    for measure, v in _ar_car_bhar(p):
        res = wilcoxon_columns(v)
        notes = [r[3] for r in res]
        out.append(
            MeasureResults(
                measure, [r[0] for r in res], [r[1] for r in res], [r[2] for r in res],
                [_wilcoxon_dist(n) for n in notes], notes,
            )
        )  # fmt: skip
    return tuple(out)


def _run_skew_t(x: BatteryInputs) -> tuple[MeasureResults, ...]:
    """Skewness-adjusted t: ``sqrt(N) (S + g S^2/3 + g/(6N))``, ``S = mean/sd``, t(N-1).

    ``g`` is the skewness. Hall, P. (1992). On the removal of skewness by
    transformation. *JRSS B* 54, 221-228; Lyon, J., Barber, B., Tsai, C. (1999).
    *JF* 54(1), 165-201.
    """
    p = x.pieces
    return _t_rows("CAR", skew_t(p.car)), _t_rows("BHAR", skew_t(p.bhar))


def _run_t_event(x: BatteryInputs) -> tuple[MeasureResults, ...]:
    """Single event (N = 1): ``AR / S_{i,t}`` by day, ``CAR / S_CAR`` by window, t(M-K).

    MacKinlay, A. C. (1997). Event studies in economics and finance. *JEL* 35(1),
    13-39.
    """
    p = x.pieces
    dof = p.m.astype(float)[0] - p.k
    note = f"single event: t({int(dof)})"
    t_d, t_w = p.sar[0], p.scar[0]
    n_d = np.isfinite(t_d).astype(float)
    n_w = np.isfinite(t_w).astype(float)
    dist = _t_name(dof)
    return (
        MeasureResults("AR", t_d, t_pvalue(t_d, dof), n_d, dist, note),
        MeasureResults("CAR", t_w, t_pvalue(t_w, dof), n_w, dist, note),
    )


def _run_calendar_time(x: BatteryInputs) -> tuple[MeasureResults, ...]:
    """Calendar-time portfolio test: ``sqrt(T) mean_t AR_p,t / S_p,t``, t(T-1).

    One equal-weighted portfolio per calendar day of the events inside the window
    that day (a relative day ``d`` is the window ``[d, d]``); ``S_p,t`` is the sd of
    the same portfolio's residual over the members' common estimation days (see
    :mod:`eventstudy.study.calendar_time`). Jaffe, J. (1974). *Journal of Business*
    47(3), 410-428; Mandelker, G. (1974). *JFE* 1(4), 303-335.
    """
    day_windows = [(d, d) for d in x.days]
    groups = x.sums_for("calendar_groups").calendar
    assert groups is not None  # "calendar_groups" is a need
    r = calendar_time_of(groups, x.pieces.ar, day_windows + x.windows, tau1=x.tau1)
    notes = [
        note or f"{int(d)} portfolio days, {m:.1f} events per day on average"
        for note, d, m in zip(r.notes, r.days, r.mean_size, strict=True)
    ]
    dist = [_t_name(d - 1) for d in r.days]
    k = len(day_windows)
    out = []
    parts: tuple[tuple[TestMeasure, slice], ...] = (("AR", slice(0, k)), ("CAR", slice(k, None)))
    for measure, sl in parts:
        extras: dict[str, float | FloatArray] = {
            "days": r.days[sl],
            "mean_size": r.mean_size[sl],
        }
        out.append(MeasureResults(measure, r.t[sl], r.p[sl], r.n[sl], dist[sl], notes[sl], extras))
    return tuple(out)


def _run_wild_bootstrap(x: BatteryInputs) -> tuple[MeasureResults, ...]:
    """Wild bootstrap (Rademacher weights) of the cross-sectional t: SAR by day, CAR by window.

    ``p = #{|t*| >= |t|} / B``, ``B = 999`` by default, the weights shared by every
    day and window (see :mod:`eventstudy.study.bootstrap`). Mammen, E. (1993).
    *Annals of Statistics* 21(1), 255-285; as R ``EventStudy``'s wild bootstrap.
    """
    p = x.pieces
    b = x.replications or DEFAULT_WILD_REPLICATIONS
    l2 = p.ar.shape[1]
    t, pv, n, notes = wild_bootstrap(np.hstack([p.sar, p.car]), replications=b, seed=x.seed)
    tag = f"Rademacher wild bootstrap, B={b}, seed={x.seed}"
    notes = [f"{tag}; {what}" + (f"; {nt}" if nt else "")
             for what, nt in zip(["t of SAR"] * l2 + ["t of CAR"] * len(x.windows), notes,
                                 strict=True)]  # fmt: skip
    extras = {"replications": float(b), "seed": float(x.seed)}
    dist = f"wild bootstrap (B={b})"
    return (
        MeasureResults("AR", t[:l2], pv[:l2], n[:l2], dist, notes[:l2], extras),
        MeasureResults("CAR", t[l2:], pv[l2:], n[l2:], dist, notes[l2:], extras),
    )


def _run_lbt_skew_t(x: BatteryInputs) -> tuple[MeasureResults, ...]:
    """Lyon-Barber-Tsai bootstrapped skewness-adjusted t of BHAR.

    ``t_sa = sqrt(N) (S + g S^2/3 + g/(6N))``; its distribution from ``B = 1,000``
    resamples of ``N/4`` events with replacement (see
    :mod:`eventstudy.study.bootstrap`). Lyon, J., Barber, B., Tsai, C. (1999).
    *JF* 54(1), 165-201; Hall, P. (1992). *JRSS B* 54, 221-228.
    """
    b = x.replications or DEFAULT_LBT_REPLICATIONS
    r = lbt_skew_t(x.pieces.bhar, replications=b, seed=x.seed, level=x.level)
    notes = [
        nt or f"B={b}, seed={x.seed}; {x.level:.0%} bootstrap critical values "
        f"[{lo:.3f}, {hi:.3f}] from {int(v)} resamples of {int(k)}"
        for nt, lo, hi, v, k in zip(r.notes, r.crit_lo, r.crit_hi, r.valid, r.n_resample,
                                    strict=True)
    ]  # fmt: skip
    extras: dict[str, float | FloatArray] = {
        "replications": float(b), "seed": float(x.seed), "crit_lo": r.crit_lo,
        "crit_hi": r.crit_hi, "n_resample": r.n_resample, "valid": r.valid,
    }  # fmt: skip
    return (MeasureResults("BHAR", r.t, r.p, r.n, f"LBT bootstrap (B={b})", notes, extras),)


def _test(
    name: str, title: str, measures: tuple[TestMeasure, ...], needs: tuple[TestNeed, ...],
    reference: str, compute: Callable[[BatteryInputs], tuple[MeasureResults, ...]],
) -> TestDefinition:  # fmt: skip
    return TestDefinition(name, title, measures, frozenset(needs), reference, compute)


_AR_CAR: tuple[TestMeasure, ...] = ("AR", "CAR")
_ALL3: tuple[TestMeasure, ...] = ("AR", "CAR", "BHAR")
_KP10 = "Kolari and Pynnönen (2010), RFS 23(11)"

#: Every selectable test, by name: :data:`TESTS`, then :data:`BOOTSTRAP_TESTS`.
TEST_REGISTRY: Mapping[str, TestDefinition] = MappingProxyType(
    {
        d.name: d
        for d in (
            _test("t_cross", "cross-sectional t", _ALL3, (),
                  "Brown and Warner (1985), JFE 14", _run_t_cross),
            _test("brown_warner", "Brown-Warner crude dependence adjustment", _AR_CAR,
                  ("residual_day_sums",),
                  "Brown and Warner (1980, 1985)", _run_brown_warner),
            _test("patell", "Patell standardised residual", _AR_CAR, (),
                  "Patell (1976), JAR 14(2)", _run_patell),
            _test("patell_adj", "Patell adjusted for cross-correlation", _AR_CAR, ("rbar",),
                  _KP10, _run_patell_adj),
            _test("bmp", "Boehmer-Musumeci-Poulsen standardised cross-section", _AR_CAR, (),
                  "Boehmer, Musumeci and Poulsen (1991), JFE 30", _run_bmp),
            _test("kp_bmp", "BMP adjusted for cross-correlation", _AR_CAR, ("rbar",),
                  _KP10, _run_kp_bmp),
            _test("sign", "sign test", _ALL3, (), "Cowan (1992), RQFA 2", _run_sign),
            _test("gen_sign", "generalized sign test", _AR_CAR, (),
                  "Cowan (1992), RQFA 2", _run_gen_sign),
            _test("corrado", "Corrado rank test", _AR_CAR, ("corrado_ranks",),
                  "Corrado (1989), JFE 23; Corrado and Zivney (1992)", _run_corrado),
            _test("grank", "generalized rank test (GRANK)", ("CAR",), ("grank_ranks",),
                  "Kolari and Pynnönen (2011), JEF 18", _run_grank),
            _test("wilcoxon", "Wilcoxon signed-rank test", _ALL3, (),
                  "Wilcoxon (1945)", _run_wilcoxon),
            _test("skew_t", "skewness-adjusted t", ("CAR", "BHAR"), (),
                  "Hall (1992); Lyon, Barber and Tsai (1999)", _run_skew_t),
            _test("calendar_time", "calendar-time portfolio test", _AR_CAR, ("calendar_groups",),
                  "Jaffe (1974), JB 47(3); Mandelker (1974), JFE 1(4)", _run_calendar_time),
            _test("wild_bootstrap", "wild bootstrap (Rademacher) of the t", _AR_CAR, (),
                  "Mammen (1993), AoS 21(1); R EventStudy", _run_wild_bootstrap),
            _test("lbt_skew_t", "bootstrapped skewness-adjusted t", ("BHAR",), (),
                  "Lyon, Barber and Tsai (1999), JF 54(1)", _run_lbt_skew_t),
        )
    }
)  # fmt: skip

#: The single-event test, added to the battery by itself when ``N = 1``.
SINGLE_EVENT_TEST = _test(
    "t_event", "single-event t", _AR_CAR, (), "MacKinlay (1997), JEL 35(1)", _run_t_event
)


def get_test(name: str) -> TestDefinition:
    """The registered test ``name`` (of :data:`TESTS`, :data:`BOOTSTRAP_TESTS`, ``"t_event"``).

    Raises
    ------
    ConfigError
        If no test has that name.

    Examples
    --------
    >>> get_test("grank").measures
    ('CAR',)
    """
    if name == SINGLE_EVENT_TEST.name:
        return SINGLE_EVENT_TEST
    test = TEST_REGISTRY.get(name)
    if test is None:
        raise ConfigError(f"unknown test {name!r}; choose from {TESTS + BOOTSTRAP_TESTS}")
    return test


# --------------------------------------------------------------- the battery
@dataclass(frozen=True, slots=True)
class Battery:
    """The outcome of :func:`run_battery`: every test record and the ``rbar`` used.

    Attributes
    ----------
    results
        One :class:`TestResult` per test, measure and day/window, in table order.
    rbar, rbar_windows, rbar_pairs
        Kolari-Pynnönen ``rbar`` of the day tests, of each window, and the number
        of ordered pairs sharing a day 0 (see :func:`kp_rbar`; zeros when no
        selected test needs ``rbar``).
    """

    results: tuple[TestResult, ...]
    rbar: float
    rbar_windows: FloatArray
    rbar_pairs: int

    def table(self) -> pd.DataFrame:
        """The tidy table of the records (columns :data:`TEST_COLUMNS`)."""
        table = pd.DataFrame([r.row() for r in self.results], columns=TEST_COLUMNS)
        table["rel_day"] = table["rel_day"].astype("Int64")
        table["window"] = table["window"].astype(object).where(table["window"].notna(), None)
        table["note"] = table["note"].astype(str)
        return table


def _records(test: str, block: MeasureResults, x: BatteryInputs) -> list[TestResult]:
    """The records of one :class:`MeasureResults` block, one per day or window."""
    days: list[tuple[int | None, Window | None]] = [(d, None) for d in x.days]
    wins: list[tuple[int | None, Window | None]] = [(None, w) for w in x.windows]
    places = days if block.scope == "day" else wins
    size = len(places)
    stat, pval, n = list(block.statistic), list(block.pvalue), list(block.n)
    dist, note = _strs(block.dist, size), _strs(block.note, size)
    extras = {k: _floats(v, size) for k, v in block.extras.items()}
    return [
        TestResult(
            test=test,
            measure=block.measure,
            scope=block.scope,
            rel_day=day,
            window=window,
            statistic=float(stat[i]),
            pvalue=float(pval[i]),
            n=int(n[i]),
            dist=dist[i],
            note=note[i],
            extras=MappingProxyType({k: v[i] for k, v in extras.items()}),
        )
        for i, (day, window) in enumerate(places)
    ]


def adjust_family(results: Sequence[TestResult]) -> list[TestResult]:
    """The records with ``pvalue_holm``/``pvalue_bh`` set, each test's rows one family.

    The family of a row is every row of the same test (its days and windows, every
    measure); p-values are never pooled across tests
    (:func:`~eventstudy.study.statistics.adjust_pvalues`).

    Examples
    --------
    >>> rs = [TestResult(test=t, measure="AR", scope="day", rel_day=d, window=None,
    ...                  statistic=0.0, pvalue=p, n=9, dist="t(8)")
    ...       for t, d, p in [("a", 0, 0.01), ("a", 1, 0.04), ("b", 0, 0.01)]]
    >>> [(r.test, r.pvalue_holm) for r in adjust_family(rs)]
    [('a', 0.02), ('a', 0.04), ('b', 0.01)]
    """
    out = list(results)
    names = [r.test for r in out]
    for name in dict.fromkeys(names):
        idx = [i for i, t in enumerate(names) if t == name]
        pvals = np.array([out[i].pvalue for i in idx], dtype=float)
        holm, bh = adjust_pvalues(pvals, "holm"), adjust_pvalues(pvals, "bh")
        for j, i in enumerate(idx):
            out[i] = replace(out[i], pvalue_holm=float(holm[j]), pvalue_bh=float(bh[j]))
    return out


def _selected(tests: Iterable[str]) -> list[TestDefinition]:
    """The definitions of ``tests``, in the order of :data:`TEST_REGISTRY`."""
    chosen = set(tests)
    unknown = sorted(chosen - set(TEST_REGISTRY))
    if unknown:
        raise ConfigError(f"unknown test(s) {unknown}; choose from {TESTS + BOOTSTRAP_TESTS}")
    return [d for name, d in TEST_REGISTRY.items() if name in chosen]


def battery_needs(tests: Iterable[str]) -> frozenset[TestNeed]:
    """The sums over the estimation residuals that the tests ``tests`` read.

    What :func:`~eventstudy.study.sums.estimation_sums` must compute for
    :func:`run_battery` (the single-event test needs none).

    Raises
    ------
    ConfigError
        If a name in ``tests`` is not a test.

    Examples
    --------
    >>> sorted(battery_needs(["t_cross", "kp_bmp", "grank"]))
    ['grank_ranks', 'rbar']
    """
    return frozenset(need for d in _selected(tests) for need in d.needs)


def run_battery(
    pieces: EventPieces,
    *,
    windows: Sequence[Window],
    tau1: int,
    tests: Iterable[str] = TESTS,
    replications: int | None = None,
    seed: int | None = None,
    level: float = 0.95,
    sums: EstimationSums | None = None,
) -> Battery:
    """Run the selected tests (in the order of :data:`TESTS`, :data:`BOOTSTRAP_TESTS`).

    With one event the single-event test ``t_event`` is added. Every record gets its
    multiple-testing adjusted p-values (:func:`adjust_family`). The sums over the
    estimation residuals (rank pass, ``rbar``, calendar groups; unless ``sums`` are
    given) are computed on a worker thread while the tests that need none of them
    run (:func:`~eventstudy.study.core.background`; inline when
    :data:`~eventstudy.study.core.THREADS` is 1): the results are the same.

    Parameters
    ----------
    pieces
        Per-event pieces of the analysed events.
    windows
        CAR windows (relative days), in the order of ``pieces.car`` columns.
    tau1
        First event day.
    tests
        Names of :data:`TESTS` and :data:`BOOTSTRAP_TESTS` to compute.
    replications
        Bootstrap replications ``B`` (None: 999 for ``wild_bootstrap``, 1,000 for
        ``lbt_skew_t``).
    seed
        Seed of the bootstrap tests (None: a fresh one, recorded in their extras).
    level
        ``1 - alpha`` of the LBT bootstrap critical values.
    sums
        The sums over the events' estimation residuals that serve the tests' needs
        (:func:`battery_needs`), e.g. merged from the partitions of a Dask run
        (default: computed from ``pieces``).

    Raises
    ------
    ConfigError
        If a name in ``tests`` is not a test, or ``sums`` do not serve a need.

    Examples
    --------
    >>> import numpy as np
    >>> from eventstudy.study.core import event_pieces
    >>> from eventstudy.study.models import fit_model
    >>> rng = np.random.default_rng(0)
    >>> m = rng.normal(0, 0.01, (5, 130))
    >>> r = m + rng.normal(0, 0.01, (5, 130))
    >>> fit = fit_model("market", r[:, :120], m[:, :120, None], r[:, 120:], m[:, 120:, None])
    >>> pieces = event_pieces(fit, r[:, 120:], windows=[(-1, 1)], tau1=-5, k=2)
    >>> b = run_battery(pieces, windows=[(-1, 1)], tau1=-5, tests=["t_cross"])
    >>> [(r.measure, r.label, r.dist) for r in b.results if r.scope == "window"]
    [('CAR', '[-1,1]', 't(4)'), ('BHAR', '[-1,1]', 't(4)')]
    """
    selected = _selected(tests)
    if pieces.n == 1:
        selected.append(SINGLE_EVENT_TEST)
    needs = frozenset(need for d in selected for need in d.needs)
    x = BatteryInputs(
        pieces, windows=windows, tau1=tau1, needs=needs, replications=replications,
        seed=seed, level=level, sums=sums,
    )  # fmt: skip
    with core.background() as pool:
        x.start_sums(pool)
        # the tests without needs first: they run while the worker computes the sums
        # then those reading the day-0 sums (the worker's first task), the rank tests last
        order = sorted(selected, key=lambda d: (bool(d.needs), bool(d.needs & RANK_NEEDS)))
        blocks = {d.name: d.compute(x) for d in order}
    results = [r for d in selected for block in blocks[d.name] for r in _records(d.name, block, x)]
    rbar, rbar_w, pairs = x.rbar
    return Battery(tuple(adjust_family(results)), rbar=rbar, rbar_windows=rbar_w, rbar_pairs=pairs)


def run_tests(
    pieces: EventPieces,
    *,
    windows: Sequence[Window],
    tau1: int,
    tests: Iterable[str] = TESTS,
) -> tuple[pd.DataFrame, dict[str, float | int | FloatArray]]:
    """The tidy test table for all event days (AR) and windows (CAR, BHAR).

    The table of :func:`run_battery`'s records, with its ``rbar`` as a dict.

    Returns
    -------
    table, info
        The table (columns :data:`TEST_COLUMNS`) and a dict with ``rbar`` (day-level
        tests), ``rbar_pairs`` (ordered pairs sharing a day 0) and ``rbar_windows``
        (array, one per window); see :func:`kp_rbar`.

    Examples
    --------
    >>> import numpy as np
    >>> from eventstudy.study.core import event_pieces
    >>> from eventstudy.study.models import fit_model
    >>> rng = np.random.default_rng(0)
    >>> r = rng.normal(0, 0.01, (4, 60))
    >>> fit = fit_model("constant_mean", r[:, :50], r[:, :50, None], r[:, 50:], r[:, 50:, None])
    >>> pieces = event_pieces(fit, r[:, 50:], windows=[(0, 1)], tau1=-5, k=1)
    >>> table, info = run_tests(pieces, windows=[(0, 1)], tau1=-5, tests=["sign", "kp_bmp"])
    >>> table.groupby("test", sort=False).size().to_dict(), sorted(info)
    ({'kp_bmp': 11, 'sign': 12}, ['rbar', 'rbar_pairs', 'rbar_windows'])
    """
    b = run_battery(pieces, windows=windows, tau1=tau1, tests=tests)
    info: dict[str, float | int | FloatArray] = {
        "rbar": b.rbar,
        "rbar_pairs": b.rbar_pairs,
        "rbar_windows": b.rbar_windows,
    }
    return b.table(), info
