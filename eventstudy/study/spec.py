"""The event-study specification (frozen, validated) and :func:`run_event_study`.

:class:`EventStudy` only validates its options; fitting is
:func:`eventstudy.study.engine.fit_study` (``EventStudy.fit`` delegates to it).
The defaults (``DEFAULT_*``) are defined here, once.

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

import warnings
from collections.abc import Sequence
from dataclasses import dataclass, field, fields
from typing import TYPE_CHECKING, Any, get_args

import pandas as pd

from eventstudy._typing import DuplicatePolicy, Engine, ModelName, OverlapPolicy, StudyMeasure
from eventstudy.events import EventSet
from eventstudy.exceptions import ConfigError, EventStudyWarning, user_stacklevel
from eventstudy.scale.cluster import check_engine_options
from eventstudy.study.bootstrap import check_seed
from eventstudy.study.inference import BOOTSTRAP_TESTS, TESTS
from eventstudy.study.measures import get_measure
from eventstudy.study.models import MODELS, NormalModel, bind_model, get_model
from eventstudy.study.panel import CalendarLike, WideData
from eventstudy.study.panel_market import is_panel_market
from eventstudy.study.windows import Window, check_window

if TYPE_CHECKING:
    from eventstudy.study.result import EventStudyResult

__all__ = [
    "DEFAULT_CAR_WINDOWS",
    "DEFAULT_ESTIMATION_WINDOW",
    "DEFAULT_EVENT_WINDOW",
    "DEFAULT_LEVEL",
    "DEFAULT_MARKET",
    "DEFAULT_MEASURE",
    "DEFAULT_MIN_ESTIMATION_OBS",
    "DEFAULT_MODEL",
    "STUDY_OPTIONS",
    "EventStudy",
    "run_event_study",
]

#: Candidate CAR windows; those inside the event window are used by default.
DEFAULT_CAR_WINDOWS: tuple[Window, ...] = ((-1, 1), (0, 0), (0, 1), (0, 5), (-5, 5))
#: Benchmark (market) series: the CSI 300 index.
DEFAULT_MARKET = "000300.SH"
#: Normal-return model.
DEFAULT_MODEL: ModelName = "market"
#: Estimation window ``(T0, T1)`` in relative days.
DEFAULT_ESTIMATION_WINDOW: Window = (-250, -11)
#: Event window ``(tau1, tau2)`` in relative days.
DEFAULT_EVENT_WINDOW: Window = (-5, 5)
#: Events with fewer estimation observations are dropped.
DEFAULT_MIN_ESTIMATION_OBS = 100
#: Confidence level of the CAAR band.
DEFAULT_LEVEL = 0.95
#: What is measured (:mod:`eventstudy.study.measures`).
DEFAULT_MEASURE: StudyMeasure = "return"


def _check_windows(estimation: object, event: object) -> tuple[Window, Window]:
    est = check_window(estimation, "estimation_window")
    evt = check_window(event, "event_window")
    if not evt[0] <= 0 <= evt[1]:
        raise ConfigError(f"event_window={evt} must contain day 0")
    if est[1] >= evt[0]:
        raise ConfigError(
            f"estimation_window={est} must end before the event window starts ({evt[0]})"
        )
    return est, evt


def _check_min_obs(value: int, model: NormalModel, est: Window) -> int:
    k = model.k
    if int(value) < k + 3:
        raise ConfigError(
            f"min_estimation_obs={value} must be at least K + 3 = {k + 3} "
            "(the Patell variance needs M - K - 2 > 0)"
        )
    if value > est[1] - est[0] + 1:
        raise ConfigError(
            f"min_estimation_obs={value} exceeds the estimation window length {est[1] - est[0] + 1}"
        )
    return int(value)


def _check_car_windows(value: Sequence[Window] | None, evt: Window) -> tuple[Window, ...]:
    if value is None:
        wins = [w for w in DEFAULT_CAR_WINDOWS if evt[0] <= w[0] and w[1] <= evt[1]]
        if evt not in wins:
            wins.append(evt)
        return tuple(wins)
    wins = [check_window(w, "car_windows item") for w in value]
    if not wins:
        raise ConfigError("car_windows is empty; pass None for the defaults")
    for w in wins:
        if not (evt[0] <= w[0] and w[1] <= evt[1]):
            raise ConfigError(f"car window {w} is not inside event_window={evt}")
    if len(set(wins)) != len(wins):
        raise ConfigError(f"car_windows has duplicates: {wins}")
    return tuple(wins)


def _check_tests(value: str | Sequence[str]) -> tuple[str, ...]:
    if isinstance(value, str):
        if value != "all":
            raise ConfigError(f"tests={value!r}: pass 'all' or a list of {TESTS}")
        return TESTS
    names = [n for t in value for n in (TESTS if t == "all" else (t,))]
    bad = [t for t in names if t not in TESTS + BOOTSTRAP_TESTS]
    if bad:
        raise ConfigError(
            f"unknown test(s) {bad}; choose from {TESTS} or the opt-in {BOOTSTRAP_TESTS} "
            "('all' in the list stands for the former)"
        )
    return tuple(dict.fromkeys(names))


def _check_count(value: object, name: str, minimum: int) -> None:
    if value is None:
        return
    if isinstance(value, bool) or not isinstance(value, int) or value < minimum:
        raise ConfigError(f"{name}={value!r} must be None or an integer >= {minimum}")


def _check_choice(value: object, name: str, allowed: tuple[str, ...]) -> None:
    if value not in allowed:
        raise ConfigError(f"{name}={value!r} is not one of {allowed}")


def _check_model(model: str) -> None:
    if model not in MODELS:
        raise ConfigError(f"model={model!r} is not one of {MODELS}")


def _bound_model(model: str, factors: pd.DataFrame | None) -> NormalModel:
    """The model ready to fit (``"factors"`` gets the frame's columns); checks ``factors``."""
    cols = get_model(model).factors
    if cols and factors is None:
        raise ConfigError(
            f"model={model!r} needs factors=: a DataFrame indexed by date with columns "
            f"{list(cols)} (optionally 'rf')"
        )
    if factors is not None and not isinstance(factors, pd.DataFrame):
        raise ConfigError(
            f"factors must be a DataFrame indexed by date (or with a 'date' column), got "
            f"{type(factors).__name__}"
        )
    return bind_model(model, None if factors is None else tuple(factors.columns))


def _check_measure(measure: str, model: str) -> None:
    allowed = get_measure(measure).models
    if allowed is not None and model not in allowed:
        raise ConfigError(
            f"model={model!r} does not apply to measure={measure!r}; use one of {allowed}"
        )


def _market_symbol(market: str) -> str:
    from eventstudy.symbols import normalize

    if is_panel_market(market):
        return market
    try:
        return normalize(market)
    except ValueError:
        return str(market)  # a user's own column label (e.g. in tests)


@dataclass(frozen=True, kw_only=True)
class EventStudy:
    """An event-study specification; ``fit`` runs it on events and returns.

    Parameters
    ----------
    market
        Benchmark symbol: the column of the market return; its sessions are the calendar.
        ``"ew"``: the equal-weighted market built from the returns panel itself (each
        session, the mean simple return of the panel's stocks with a return, event
        stocks included; :mod:`eventstudy.study.panel_market`): pass the panel
        (``returns=``/``prices=``, e.g. the whole-market extract); without it the
        study is refused (fetched prices would be the event stocks only). A volume
        study whose volumes are fetched needs the market's volume from the source
        (otherwise refused: pass ``volumes=``).
    model
        ``raw``, ``constant_mean``, ``market_adjusted``, ``market`` (OLS), ``ff3``,
        ``carhart``, ``factors`` (any factor frame), ``scholes_williams``, ``dimson``
        (thin trading), ``garch``, ``gjr``, ``egarch`` (market model with GARCH errors,
        through ``arch``); see :mod:`eventstudy.study.models` for each model's variance
        convention and source.
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
        Factor returns (simple daily returns) for ``ff3``/``carhart``: DataFrame
        indexed by date (or with a ``date`` column) with ``mkt_rf, smb, hml``
        (``mom``), optional ``rf``; for ``factors``: every column but ``rf``/``date``
        is a factor (FF5, a China 3- or 4-factor set, ...). Given with a model that
        reads no factors, it changes nothing: ``fit`` warns
        (:class:`~eventstudy.exceptions.EventStudyWarning`).
    tests
        ``"all"`` (:data:`eventstudy.study.inference.TESTS`) or a list of names from
        it and the opt-in resampling tests
        :data:`~eventstudy.study.inference.BOOTSTRAP_TESTS` (``"wild_bootstrap"``,
        ``"lbt_skew_t"``); ``"all"`` inside a list stands for ``TESTS``.
    calendar
        A ``TradingCalendar`` (or dates) whose sessions count relative days;
        default: the market series' own dates. A ``TradingCalendar`` also
        resolves day 0 of events given by ``published_at``.
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
    measure
        What is measured (:mod:`eventstudy.study.measures`): ``"return"`` (abnormal
        returns, the default), ``"volume"`` (abnormal log volume, Campbell and Wasley
        1996: the model runs on log volumes given to ``fit(volumes=...)`` or fetched) or
        ``"volatility"`` (abnormal variance ``SAR^2``, Beaver 1968). ``result.ar`` and
        ``result.car`` hold the measure's abnormal quantity; tests that do not apply
        are left out (the summary says which).
    bootstrap
        Replications ``B`` of the resampling tests (None: 999 for the wild
        bootstrap, 1,000 for the Lyon-Barber-Tsai bootstrap; at least 99). Set with
        no resampling test selected, it changes nothing: ``fit`` warns
        (:class:`~eventstudy.exceptions.EventStudyWarning`).
    seed
        Seed of the resampling tests (None: a fresh seed, recorded in their
        ``extras["seed"]`` and ``note``); an integer in ``[0, 2**53)``.
    duplicates
        Several events naming the same security on the same day 0 (several
        articles): ``"keep"`` them all (default; one warning with the count),
        ``"collapse"`` them into one event carrying all their ids, or keep the
        ``"first"`` (earliest article). The events removed are listed in
        ``dropped`` (reasons ``collapsed``, ``duplicate``); see
        :meth:`eventstudy.events.EventSet.resolve_duplicates`.
    overlap
        Events with another event of the same security (another day 0) inside their
        estimation or event window: ``"keep"`` (default; flagged in
        ``events.n_overlaps`` and counted in the summary) or ``"drop"`` (reason
        ``overlap``); see :func:`eventstudy.events.overlap_counts`.

    Examples
    --------
    >>> EventStudy(event_window=(-2, 2)).car_windows
    ((-1, 1), (0, 0), (0, 1), (-2, 2))
    >>> EventStudy(model="capm")
    Traceback (most recent call last):
    ...
    eventstudy.exceptions.ConfigError: model='capm' is not one of ('raw', 'constant_mean', \
'market_adjusted', 'market', 'ff3', 'carhart', 'factors', 'scholes_williams', 'dimson', \
'garch', 'gjr', 'egarch')
    """

    market: str = DEFAULT_MARKET
    model: ModelName = DEFAULT_MODEL
    estimation_window: Window = DEFAULT_ESTIMATION_WINDOW
    event_window: Window = DEFAULT_EVENT_WINDOW
    car_windows: Sequence[Window] | None = None
    min_estimation_obs: int = DEFAULT_MIN_ESTIMATION_OBS
    factors: pd.DataFrame | None = field(default=None, repr=False, compare=False)
    tests: str | Sequence[str] = "all"
    calendar: CalendarLike | None = field(default=None, repr=False, compare=False)
    level: float = DEFAULT_LEVEL
    trade_to_trade: bool = False
    measure: StudyMeasure = DEFAULT_MEASURE
    bootstrap: int | None = None
    seed: int | None = None
    duplicates: DuplicatePolicy = "keep"
    overlap: OverlapPolicy = "keep"

    def __post_init__(self) -> None:
        _check_model(self.model)
        _check_measure(self.measure, self.model)
        _check_count(self.bootstrap, "bootstrap", 99)
        check_seed(self.seed)
        _check_choice(self.duplicates, "duplicates", get_args(DuplicatePolicy))
        _check_choice(self.overlap, "overlap", get_args(OverlapPolicy))
        est, evt = _check_windows(self.estimation_window, self.event_window)
        model = _bound_model(self.model, self.factors)
        valid = {
            "estimation_window": est,
            "event_window": evt,
            "min_estimation_obs": _check_min_obs(self.min_estimation_obs, model, est),
            "car_windows": _check_car_windows(self.car_windows, evt),
            "tests": _check_tests(self.tests),
        }
        if not 0 < self.level < 1:
            raise ConfigError(f"level={self.level} must be in (0, 1)")
        valid["market"] = _market_symbol(self.market)
        for name, value in valid.items():
            object.__setattr__(self, name, value)

    @property
    def normal_model(self) -> NormalModel:
        """The model ready to fit: the registered record, or ``"factors"`` bound to the
        columns of :attr:`factors` (:func:`eventstudy.study.models.bind_model`).

        Examples
        --------
        >>> f = pd.DataFrame({"mkt_rf": [0.01], "smb": [0.0], "rf": [0.0]},
        ...                  index=pd.to_datetime(["2024-01-02"]))
        >>> EventStudy(model="factors", factors=f).normal_model.params
        ('alpha', 'b_mkt_rf', 'b_smb')
        """
        return _bound_model(self.model, self.factors)

    @property
    def windows(self) -> list[Window]:
        """The CAR windows as a list."""
        return list(self.car_windows or ())

    def check_data(
        self,
        volumes: object = None,
        shares: object = None,
    ) -> None:
        """Refuse data this study would ignore; warn about options it would ignore.

        Called by :meth:`fit` and the Dask engine before any work.

        Raises
        ------
        ConfigError
            ``volumes=`` or ``shares=`` with a measure that reads returns.

        Warns
        -----
        EventStudyWarning
            ``bootstrap`` set but no resampling test selected, or ``factors`` with a
            model that reads none (they change nothing; a warning, not an error: a TOML
            configuration may set them for later runs, ``eventstudy.config``).

        Examples
        --------
        >>> EventStudy().check_data(volumes=pd.DataFrame())
        Traceback (most recent call last):
        ...
        eventstudy.exceptions.ConfigError: volumes=/shares= are given but measure='return' \
reads returns, not volumes: drop them, or pass measure='volume'
        """
        if get_measure(self.measure).data != "volume" and (
            volumes is not None or shares is not None
        ):
            raise ConfigError(
                f"volumes=/shares= are given but measure={self.measure!r} reads returns, not "
                "volumes: drop them, or pass measure='volume'"
            )
        if self.factors is not None and get_model(self.model).regressors != "factors":
            uses = [m for m in MODELS if get_model(m).regressors == "factors"]
            warnings.warn(
                f"factors= is ignored: model={self.model!r} reads no factor returns (only "
                f"{uses} do); drop factors=, or pick one of those models",
                EventStudyWarning,
                stacklevel=user_stacklevel(),
            )
        if self.bootstrap is not None and not set(BOOTSTRAP_TESTS) & set(self.tests):
            warnings.warn(
                f"bootstrap={self.bootstrap} is ignored: no resampling test is selected "
                f"(tests={list(self.tests)}); add one of {list(BOOTSTRAP_TESTS)} to tests, "
                "or drop bootstrap",
                EventStudyWarning,
                stacklevel=user_stacklevel(),
            )

    def fit(
        self,
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
        """Run the event study (:func:`eventstudy.study.engine.fit_study`).

        Parameters
        ----------
        events
            An :class:`~eventstudy.events.EventSet` or a DataFrame with ``event_id``,
            ``symbol`` and ``day0`` or ``published_at``.
        returns, prices
            Wide DataFrame (dates x symbols, the market column included) of simple
            returns or of prices, or an object with ``.data`` (and ``.provenance``)
            such as a ``PriceFrame``. With neither, returns come from
            :func:`eventstudy.market.load_panel` (close prices, ``errors="collect"``):
            events whose security cannot be priced are dropped with reason
            ``no_price_data`` and the data layer's message (``delisted_no_prices`` when
            the security master marks the stock as no longer listed); a market series that
            cannot be had raises :class:`~eventstudy.exceptions.DataUnavailableError`.
        source, offline, cache_dir
            Passed to ``load_panel`` when the returns are fetched (see
            :func:`eventstudy.market.get_prices`); ignored with ``returns=``/``prices=``.
            With ``measure="volume"``: passed to :func:`eventstudy.market.load_panel`
            when the volumes are fetched.
        volumes
            ``measure="volume"`` only (with another measure, ``volumes=``/``shares=``
            raise :class:`~eventstudy.exceptions.ConfigError`): traded volumes, a wide
            DataFrame (dates x symbols; the market column optional) or an object with
            ``.data``; default: fetched (``load_panel`` field ``volume``). A volume
            study reads no returns.
        shares
            ``measure="volume"`` only: shares outstanding (a Series by symbol, or a
            DataFrame like ``volumes``) to measure turnover instead of volume.

        Returns
        -------
        EventStudyResult

        Raises
        ------
        InputDataError
            Duplicated ``event_id``, infinite values, no market column.

        Examples
        --------
        >>> import numpy as np
        >>> rng = np.random.default_rng(1)
        >>> dates = pd.bdate_range("2021-01-04", periods=200)
        >>> m = rng.normal(0, 0.01, 200)
        >>> rets = pd.DataFrame({"M": m, "A": 2 * m + rng.normal(0, 0.001, 200)}, index=dates)
        >>> ev = pd.DataFrame({"event_id": ["e"], "symbol": ["A"], "day0": [dates[150]]})
        >>> res = EventStudy(market="M", estimation_window=(-120, -11)).fit(ev, returns=rets)
        >>> round(float(res.params.loc["e", "beta"]), 1), res.n_estimation.tolist()
        (2.0, [110])
        """
        from eventstudy.study.engine import fit_study

        self.check_data(volumes, shares)
        return fit_study(
            self,
            events,
            returns=returns,
            prices=prices,
            source=source,
            offline=offline,
            cache_dir=cache_dir,
            volumes=volumes,
            shares=shares,
        )


#: The options of :class:`EventStudy` (its fields, in order): what
#: :func:`run_event_study` passes to it. The one list of the study's options.
STUDY_OPTIONS: tuple[str, ...] = tuple(f.name for f in fields(EventStudy))


def run_event_study(
    events: EventSet | pd.DataFrame,
    *,
    returns: WideData | None = None,
    prices: WideData | None = None,
    market: str = DEFAULT_MARKET,
    model: ModelName = DEFAULT_MODEL,
    estimation_window: Window = DEFAULT_ESTIMATION_WINDOW,
    event_window: Window = DEFAULT_EVENT_WINDOW,
    car_windows: Sequence[Window] | None = None,
    min_estimation_obs: int = DEFAULT_MIN_ESTIMATION_OBS,
    factors: pd.DataFrame | None = None,
    tests: str | Sequence[str] = "all",
    calendar: CalendarLike | None = None,
    level: float = DEFAULT_LEVEL,
    trade_to_trade: bool = False,
    bootstrap: int | None = None,
    seed: int | None = None,
    duplicates: DuplicatePolicy = "keep",
    overlap: OverlapPolicy = "keep",
    source: str = "auto",
    offline: bool | None = None,
    cache_dir: str | None = None,
    measure: StudyMeasure = DEFAULT_MEASURE,
    volumes: WideData | None = None,
    shares: pd.Series | pd.DataFrame | None = None,
    engine: Engine = "local",
    client: Any = None,
    partition_size: int | None = None,
) -> EventStudyResult:
    """Measure abnormal returns around events and test them (METHODS.md conventions).

    Shorthand for ``EventStudy(...).fit(events, returns=..., prices=..., source=...,
    offline=..., cache_dir=..., volumes=..., shares=...)``: every option of
    :class:`EventStudy` (:data:`STUDY_OPTIONS`) is a keyword here; see
    :class:`EventStudy` for the parameters and
    :class:`~eventstudy.study.result.EventStudyResult` for the output.
    ``engine="dask"`` runs it on the workers of ``client`` (default: the running Dask
    client), events partitioned by security, with the same result
    (:func:`eventstudy.scale.study.fit_study_dask`), in partitions of about
    ``partition_size`` events (default: about four per worker, at most
    :data:`eventstudy.scale.cluster.DEFAULT_PARTITION_SIZE`; set it to what your workers
    hold); ``client`` or ``partition_size`` with ``engine="local"`` is an error (they
    would be ignored).

    Examples
    --------
    >>> from eventstudy.datasets import sample_prices
    >>> px = sample_prices(["600519.SH", "000300.SH"]).pivot(index="date", columns="symbol",
    ...                                                      values="close")
    >>> res = run_event_study(pd.DataFrame({"event_id": ["seed"], "symbol": ["600519.SH"],
    ...                                     "day0": ["2022-01-10"]}), prices=px, level=0.9)
    >>> res.n_estimation.tolist(), res.ar.shape, res.spec.level
    ([240], (1, 11), 0.9)
    """
    given = locals()
    spec = EventStudy(**{name: given[name] for name in STUDY_OPTIONS})
    if check_engine_options(engine, client=client, partition_size=partition_size) == "dask":
        from eventstudy.scale.study import fit_study_dask

        return fit_study_dask(
            spec, events, returns=returns, prices=prices, volumes=volumes, shares=shares,
            source=source, offline=offline, cache_dir=cache_dir, client=client,
            partition_size=partition_size,
        )  # fmt: skip
    return spec.fit(
        events,
        returns=returns,
        prices=prices,
        source=source,
        offline=offline,
        cache_dir=cache_dir,
        volumes=volumes,
        shares=shares,
    )
