"""What an event study measures: abnormal returns, abnormal trading volume, abnormal volatility.

``EventStudy(measure=...)`` (default ``"return"``) picks a record of
:data:`MEASURE_REGISTRY`. The result object is the same for every measure:
``result.ar``/``result.car`` hold the measure's abnormal quantity, ``result.tests``
the tests that apply to it, and the summary says which tests were left out and why.

``"volume"`` - abnormal log volume (Campbell and Wasley 1996; Ajinkya and Jain 1989)
    ``V_it = log(1 + volume_it)``, or ``log(1 + 100 volume_it / shares_it)`` (turnover
    in percent) when shares outstanding are given (``shares=``, for every security of
    the volumes: a partial cover would mix the two units and is refused); the market's
    ``V_mt`` is the benchmark's own log volume (or turnover, when ``shares`` has the
    benchmark's column), or, when the volumes have no benchmark column, the panel's
    cross-sectional mean of ``V_it`` each session. The normal model (``market`` by
    default; ``constant_mean``, ``market_adjusted``, ``scholes_williams``, ``dimson``
    also fit) runs on ``V`` instead of returns, so ``result.ar`` is the abnormal log
    volume ``V_it - alpha_i - beta_i V_mt`` and ``result.car`` its sum over a window;
    every return test applies (the rank tests are the safer choice: log volume is
    skewed and autocorrelated); BHAR does not (compounding is for returns) and its
    rows are left out. The constant 1 inside the log keeps zero-volume days finite
    (Campbell and Wasley add a small constant for the same reason; the constant is a
    choice). Volumes are ``volumes=`` (a wide DataFrame, dates x symbols) or fetched
    with :func:`eventstudy.market.load_panel` (field ``volume``).

``"volatility"`` - abnormal variance (Beaver 1968; METHODS.md)
    From the return model's standardised abnormal returns ``SAR_it`` (estimation-
    window variance, prediction-error corrected; the GARCH models' conditional
    variance), ``U_it = SAR_it^2 (M_i - K - 2) / (M_i - K)``: under H0 ``SAR_it`` is
    t(M_i - K) with variance ``(M_i - K)/(M_i - K - 2)``, so ``E[U_it] = 1`` (the
    scaling is a choice: METHODS.md's ``E[SAR^2] = 1`` up to that factor, about 1 %
    for M = 240). ``result.ar`` holds ``U_it - 1`` (0 under H0) and ``result.car``
    its sum over a window. The tests: the cross-sectional t on ``U - 1``,
    ``t = sqrt(N) (mean_i U_it - 1) / sd_i(U_it)`` (``t_cross``; Beaver's U in
    cross-sectional form), and the rank test on ``SAR^2`` (``corrado``: each event's
    ``U`` ranked over its estimation days, ``(e_it / S_i)^2``, and event days); the
    other tests standardise or sign returns and are left out, as are the BHAR rows.

References
----------
Campbell, C., Wasley, C. (1996). Measuring abnormal daily trading volume for samples
of NYSE/ASE and NASDAQ securities using parametric and nonparametric test statistics.
*Rev. Quant. Finance Acc.* 6, 309-326.
Ajinkya, B., Jain, P. (1989). The behavior of daily stock market trading volume.
*J. Accounting and Economics* 11, 331-359.
Beaver, W. (1968). The information content of annual earnings announcements.
*Journal of Accounting Research* 6, 67-92.

Examples
--------
>>> get_measure("volatility").tests
('t_cross', 'corrado')
>>> import pandas as pd
>>> vol = pd.DataFrame({"A": [100.0, 0.0], "M": [1e6, 2e6]},
...                    index=pd.to_datetime(["2024-01-02", "2024-01-03"]))
>>> volume_frame(vol, "M").round(3)
                A       M
2024-01-02  4.615  13.816
2024-01-03  0.000  14.509
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, replace
from types import MappingProxyType
from typing import TYPE_CHECKING, get_args

import numpy as np
import pandas as pd

from eventstudy._typing import FloatArray, ModelName, PanelMarket, StudyMeasure, TestMeasure
from eventstudy.exceptions import ConfigError, InputDataError
from eventstudy.study.core import EventPieces, window_sums

if TYPE_CHECKING:
    from eventstudy.market import PriceFrame
    from eventstudy.study.inference import TestResult

__all__ = [
    "MEASURES",
    "MEASURE_REGISTRY",
    "MeasureDefinition",
    "check_shares",
    "fetch_volumes",
    "get_measure",
    "has_market_volume",
    "market_volume_line",
    "measure_pieces",
    "volatility_pieces",
    "volume_frame",
]


@dataclass(frozen=True, slots=True)
class MeasureDefinition:
    """A measure of :data:`MEASURE_REGISTRY`: what it measures and what applies to it.

    Attributes
    ----------
    name
        The measure (``eventstudy._typing.StudyMeasure``).
    quantity
        What ``result.ar`` (a day) and ``result.car`` (a window) hold.
    data
        The data it reads: ``"returns"`` or ``"volume"``.
    models
        The normal-return models it can use (None: all).
    tests
        The tests that apply (None: all); the others are left out of ``result.tests``.
    rows
        The test rows that apply (``AR``, ``CAR``, ``BHAR``).
    method
        Its methodology line (the summary, briefings).
    reference
        Where it comes from.
    left_out
        Why the tests and rows not listed do not apply.
    percent
        Whether its abnormal quantity reads as a percentage (returns do; log volume
        and variance ratios do not).
    """

    name: StudyMeasure
    quantity: str
    data: str
    models: tuple[ModelName, ...] | None
    tests: tuple[str, ...] | None
    rows: tuple[TestMeasure, ...]
    method: str
    reference: str
    left_out: str = ""
    percent: bool = False

    def applies(self, result: TestResult) -> bool:
        """Whether a test record belongs in ``result.tests`` for this measure."""
        in_tests = self.tests is None or result.test in self.tests
        return in_tests and result.measure in self.rows

    def selected(self, tests: Iterable[str]) -> tuple[str, ...]:
        """The tests of ``tests`` that this measure runs.

        Examples
        --------
        >>> get_measure("volatility").selected(["t_cross", "sign", "corrado"])
        ('t_cross', 'corrado')
        """
        return tuple(t for t in tests if self.tests is None or t in self.tests)

    def left_out_note(self, selected: Iterable[str]) -> str:
        """The tests (of those selected) and rows this measure leaves out, and why ('' none).

        Examples
        --------
        >>> get_measure("volume").left_out_note(["t_cross", "corrado"])
        'left out for measure volume: BHAR rows (compounding applies to returns, not log volume)'
        """
        tests = [t for t in selected if self.tests is not None and t not in self.tests]
        rows = [r for r in get_args(TestMeasure) if r not in self.rows]
        parts = ([", ".join(tests)] if tests else []) + [f"{r} rows" for r in rows]
        if not parts:
            return ""
        return f"left out for measure {self.name}: {'; '.join(parts)} ({self.left_out})"


_VOLUME_MODELS: tuple[ModelName, ...] = (
    "constant_mean",
    "market_adjusted",
    "market",
    "scholes_williams",
    "dimson",
)

#: Every measure, by name (the order of ``eventstudy._typing.StudyMeasure``).
MEASURE_REGISTRY: Mapping[StudyMeasure, MeasureDefinition] = MappingProxyType(
    {
        d.name: d
        for d in (
            MeasureDefinition(
                name="return", quantity="abnormal returns AR_it; CAR = sum of AR",
                data="returns", models=None, tests=None, rows=("AR", "CAR", "BHAR"),
                method="abnormal returns", reference="METHODS.md", percent=True,
            ),
            MeasureDefinition(
                name="volume",
                quantity="abnormal log volume V_it - alpha_i - beta_i V_mt; CAR = sum",
                data="volume", models=_VOLUME_MODELS, tests=None, rows=("AR", "CAR"),
                method="abnormal log volume: the normal model on V_it = log(1 + volume) "
                "(turnover in percent when shares are given) against the market's log volume "
                "(or the panel's mean log volume)",
                reference="Campbell and Wasley (1996); Ajinkya and Jain (1989)",
                left_out="compounding applies to returns, not log volume",
            ),
            MeasureDefinition(
                name="volatility",
                quantity="abnormal variance U_it - 1, U_it = SAR_it^2 (M_i-K-2)/(M_i-K); "
                "CAR = sum of U_it - 1",
                data="returns", models=None, tests=("t_cross", "corrado"), rows=("AR", "CAR"),
                method="abnormal volatility: U_it = SAR_it^2 (M_i-K-2)/(M_i-K), E[U] = 1 under "
                "H0; t = sqrt(N)(mean U - 1)/sd(U) (t_cross) and the rank test on SAR^2 "
                "(corrado)",
                reference="Beaver (1968)",
                left_out="they test the mean or sign of abnormal returns, not their variance",
            ),
        )
    }
)  # fmt: skip

#: Measure names, in the order of ``eventstudy._typing.StudyMeasure``.
MEASURES: tuple[StudyMeasure, ...] = get_args(StudyMeasure)


def get_measure(name: str) -> MeasureDefinition:
    """The registered measure ``name``.

    Raises
    ------
    ConfigError
        If no measure has that name.

    Examples
    --------
    >>> get_measure("volume").rows
    ('AR', 'CAR')
    >>> get_measure("price")
    Traceback (most recent call last):
    ...
    eventstudy.exceptions.ConfigError: measure='price' is not one of ('return', 'volume', \
'volatility')
    """
    found = MEASURE_REGISTRY.get(name)  # type: ignore[call-overload]  # any str may be asked
    if found is None:
        raise ConfigError(f"measure={name!r} is not one of {MEASURES}")
    return found


def _shares_held(shares: pd.Series | pd.DataFrame, volume: pd.DataFrame) -> FloatArray:
    """Shares outstanding aligned with ``volume`` (dates x symbols; NaN where not given)."""
    if isinstance(shares, pd.DataFrame):
        s = shares.reindex(index=volume.index, columns=volume.columns)
        return np.asarray(s.to_numpy(dtype=float, na_value=np.nan))
    per_symbol = shares.reindex(volume.columns).to_numpy(dtype=float, na_value=np.nan)
    return np.asarray(np.broadcast_to(per_symbol, volume.shape))


def _names(symbols: Sequence[str]) -> str:
    shown = ", ".join(str(s) for s in symbols[:10])
    return shown + (f" and {len(symbols) - 10} more" if len(symbols) > 10 else "")


def check_shares(
    held: FloatArray, columns: Sequence[str], market: str, needed: Iterable[str] | None = None
) -> None:
    """Refuse share counts that would mix turnover and log volume, or are not positive.

    ``held`` is ``(dates, symbols)`` shares outstanding aligned with the volume panel's
    ``columns`` (NaN where not given). Every security column in ``needed`` (default:
    all but ``market``) needs a count on some date (a covered symbol is turnover
    throughout, an uncovered one log volume: two units in one study); the market may go
    without (its log volume is ``V_mt``). A count on a date may be missing (that day's
    turnover is), not zero or negative.

    Raises
    ------
    InputDataError
        A zero or negative count, naming ``shares=`` and the symbols.
    ConfigError
        A security without a count, naming ``shares=`` and the symbols.

    Examples
    --------
    >>> held = np.array([[1e8, np.nan, np.nan]])
    >>> check_shares(held, ["A", "B", "M"], "M")
    Traceback (most recent call last):
    ...
    eventstudy.exceptions.ConfigError: shares= covers 1 of the 2 securities of the volumes; \
no count (or only NaN) for B: give shares outstanding for every security (turnover), or drop \
shares= (log volume for all); the market's column 'M' may be left out (its log volume is V_mt)
    """
    cols = [str(c) for c in columns]
    with np.errstate(invalid="ignore"):
        nonpositive = np.asarray((held <= 0).any(axis=0)).tolist()
    bad = [c for c, b in zip(cols, nonpositive, strict=True) if b]
    if bad:
        k = len(bad)
        raise InputDataError(
            f"shares= must be > 0 (shares outstanding); {k} securit{'y' if k == 1 else 'ies'} "
            f"{'has' if k == 1 else 'have'} a zero or negative count: {_names(bad)}; correct "
            "them (NaN for a date without a count), or drop shares= (log volume for all)"
        )
    covered = np.asarray(np.isfinite(held).any(axis=0)).tolist()
    wanted = set(cols) - {market} if needed is None else {str(c) for c in needed} - {market}
    need = [c for c in cols if c in wanted]
    missing = [c for c, ok in zip(cols, covered, strict=True) if c in wanted and not ok]
    if missing:
        raise ConfigError(
            f"shares= covers {len(need) - len(missing)} of the {len(need)} securities of the "
            f"{'volumes' if needed is None else 'events'}; no count (or only NaN) for "
            f"{_names(missing)}: give shares outstanding "
            "for every security (turnover), or drop shares= (log volume for all); the "
            f"market's column {market!r} may be left out (its log volume is V_mt)"
        )


def _log_volume(
    volume: pd.DataFrame,
    shares: pd.Series | pd.DataFrame | None,
    market: str,
    needed: Iterable[str] | None,
) -> pd.DataFrame:
    """``log(1 + volume)``, or ``log(1 + 100 volume / shares)`` where shares are given."""
    values = volume.to_numpy(dtype=float, na_value=np.nan)
    if (values < 0).any():
        col = volume.columns[int(np.flatnonzero((values < 0).any(axis=0))[0])]
        raise InputDataError(f"volumes must be >= 0; {col!r} has a negative value")
    out = np.log1p(values)
    if shares is not None:
        held = _shares_held(shares, volume)
        check_shares(held, list(volume.columns), market, needed)
        covered = np.isfinite(held).any(axis=0)  # a symbol with shares is turnover throughout
        with np.errstate(invalid="ignore", divide="ignore"):
            turnover = np.log1p(100.0 * values / held)
        out[:, covered] = turnover[:, covered]
    return pd.DataFrame(out, index=volume.index, columns=volume.columns)


def volume_frame(
    volumes: pd.DataFrame,
    market: str,
    shares: pd.Series | pd.DataFrame | None = None,
    symbols: Iterable[str] | None = None,
) -> pd.DataFrame:
    """The log-volume panel ``V`` a volume study runs on (the market column included).

    Parameters
    ----------
    volumes
        Wide DataFrame, dates x symbols, of traded volume (shares); missing days NaN.
    market
        The benchmark's column: its log volume is ``V_mt`` when ``volumes`` has it with
        data; otherwise ``V_mt`` is the mean of the other columns' ``V_it`` each date.
    shares
        Shares outstanding: a Series by symbol or a DataFrame like ``volumes``, for
        every security the study reads (:func:`check_shares`: ``symbols``, and every
        column when the market is their mean; the market's may be left out). The
        covered securities get ``log(1 + 100 volume / shares)`` (turnover in percent;
        missing where their shares are missing), the others ``log(1 + volume)``;
        without ``shares`` all get ``log(1 + volume)``.
    symbols
        The securities of the events (default: every column).

    Returns
    -------
    pandas.DataFrame
        ``V``, same dates, the securities' columns and ``market``.

    Raises
    ------
    InputDataError
        A negative volume or share count, or no column besides the market.
    ConfigError
        ``shares`` given without a count for some security.

    Examples
    --------
    >>> vol = pd.DataFrame({"A": [99.0, 999.0], "B": [9.0, np.nan]},
    ...                    index=pd.to_datetime(["2024-01-02", "2024-01-03"]))
    >>> volume_frame(vol, "M").round(3)  # no market column: the mean log volume
                    A      B      M
    2024-01-02  4.605  2.303  3.454
    2024-01-03  6.908    NaN  6.908
    >>> volume_frame(vol, "M", shares=pd.Series({"A": 1000.0, "B": 50.0}))["A"].round(3).tolist()
    [2.389, 4.614]
    """
    others = [c for c in volumes.columns if c != market]
    if not others:
        raise InputDataError("volumes have no security column besides the market")
    mean_market = not has_market_volume(volumes, market)
    v = _log_volume(volumes, shares, market, None if mean_market else symbols)
    if mean_market:
        v = v.assign(**{market: v[others].mean(axis=1, skipna=True)})
    return v


def has_market_volume(volumes: pd.DataFrame, market: str) -> bool:
    """Whether ``volumes`` has the market's own volume (a ``market`` column with data).

    :func:`volume_frame` then takes its log volume as ``V_mt``, else the mean of the
    securities' (:func:`market_volume_line` says which, in every engine's summary).

    Examples
    --------
    >>> vol = pd.DataFrame({"A": [1.0], "M": [np.nan]})
    >>> has_market_volume(vol, "M"), has_market_volume(vol.fillna(5.0), "M")
    (False, True)
    """
    return market in volumes.columns and bool(volumes[market].notna().any())


def market_volume_line(market: str, *, own: bool) -> str:
    """The summary's line on where a volume study's market log volume ``V_mt`` came from.

    ``own``: :func:`has_market_volume` of the volumes the study read.

    Examples
    --------
    >>> market_volume_line("000300.SH", own=True)
    "market volume '000300.SH': its own log volume log(1 + volume) (the volumes' \
'000300.SH' column)"
    >>> market_volume_line("000300.SH", own=False)[:60]
    "market volume '000300.SH': each session the mean log volume "
    """
    if own:
        return (
            f"market volume {market!r}: its own log volume log(1 + volume) (the volumes' "
            f"{market!r} column)"
        )
    mean = (
        "each session the mean log volume log(1 + volume) of the securities of the volume "
        "panel with a volume that session (the event securities included)"
    )
    if market in get_args(PanelMarket):
        return f"market volume {market!r}: {mean}"
    return f"market volume {market!r}: {mean}; the volumes have no {market!r} column with data"


def fetch_volumes(
    symbols: Sequence[str],
    start: pd.Timestamp,
    end: pd.Timestamp,
    *,
    source: str = "auto",
    offline: bool | None = None,
    cache_dir: str | None = None,
) -> tuple[PriceFrame, pd.DataFrame, dict[str, str]]:
    """Traded volumes of ``symbols`` through :func:`eventstudy.market.load_panel`.

    Returns
    -------
    frame, provenance, failures
        The volume field, its provenance and ``{symbol: message}`` of the symbols
        without volumes (``errors="collect"``).

    Examples
    --------
    >>> frame, prov, failed = fetch_volumes(["600519.SH", "000300.SH"], pd.Timestamp("2022-01-10"),
    ...                                     pd.Timestamp("2022-01-11"), source="bundled")
    >>> frame.data["600519.SH"].tolist(), failed
    ([2962670.0, 2227664.0], {})
    """
    from eventstudy.market import load_panel

    panel = load_panel(
        list(symbols), start, end, fields=["volume"], source=source, offline=offline,
        cache_dir=cache_dir, errors="collect",
    )  # fmt: skip
    frame = panel.volume
    lost = frame.failures[~frame.failures["symbol"].isin(frame.data.columns)]
    failed = dict(zip(lost["symbol"].astype(str), lost["message"].astype(str), strict=True))
    return frame, frame.provenance, failed


def _nan_like(x: FloatArray) -> FloatArray:
    return np.full(x.shape, np.nan)


def volatility_pieces(
    pieces: EventPieces, windows: list[tuple[int, int]], tau1: int
) -> EventPieces:
    """Abnormal-variance pieces from the return pieces (see the module docstring).

    ``ar`` becomes ``U_it - 1`` with ``U_it = SAR_it^2 (M_i - K - 2) / (M_i - K)``,
    ``car`` its window sums, ``resid`` the estimation-day analogue
    ``(e_it / S_i)^2 (M_i - K - 2) / (M_i - K) - 1`` (what the rank test ranks with
    the event days); the standardised and buy-and-hold pieces are NaN (no test
    reads them).

    Examples
    --------
    >>> import numpy as np
    >>> from eventstudy.study.core import event_pieces
    >>> from eventstudy.study.models import fit_model
    >>> rng = np.random.default_rng(0)
    >>> r = rng.normal(0, 0.01, (3, 60))
    >>> fit = fit_model("constant_mean", r[:, :50], r[:, :50, None], r[:, 50:], r[:, 50:, None])
    >>> p = event_pieces(fit, r[:, 50:], windows=[(0, 1)], tau1=-5, k=1)
    >>> v = volatility_pieces(p, [(0, 1)], -5)
    >>> c = (p.m - 3) / (p.m - 1)
    >>> bool(np.allclose(v.ar, p.sar**2 * c[:, None] - 1)), bool(np.isnan(v.bhar).all())
    (True, True)
    """
    m = pieces.m.astype(float)
    with np.errstate(invalid="ignore", divide="ignore"):
        c = ((m - pieces.k - 2.0) / (m - pieces.k))[:, None]
        u = pieces.sar**2 * c - 1.0
        u_est = pieces.resid**2 / pieces.sigma2[:, None] * c - 1.0
    present = np.isfinite(u)
    nwin = window_sums(present.astype(float), windows, tau1)
    car = np.where(nwin > 0, window_sums(u, windows, tau1), np.nan)
    nan_d, nan_w = _nan_like(u), _nan_like(car)
    with np.errstate(invalid="ignore", divide="ignore"):
        frac_pos = (u_est > 0).sum(axis=1) / m
    return replace(
        pieces, ar=u, sar=nan_d, var_ar=nan_d, car=car, var_car=nan_w, scar=nan_w,
        csar=nan_w, nwin=nwin, bhar=nan_w, resid=u_est, frac_pos=frac_pos,
    )  # fmt: skip


def measure_pieces(
    measure: str, pieces: EventPieces, windows: list[tuple[int, int]], tau1: int
) -> EventPieces:
    """The pieces of ``measure`` from the fitted model's pieces.

    ``return`` and ``volume``: as fitted (the volume study fitted log volumes), but
    ``volume`` has no BHAR (NaN). ``volatility``: :func:`volatility_pieces`.

    Examples
    --------
    >>> from eventstudy.study.core import EventPieces
    >>> p = EventPieces.empty(l1=10, l2=3, n_windows=1, k=2)
    >>> measure_pieces("return", p, [(0, 0)], -1) is p, measure_pieces("volume", p, [(0, 0)], -1).n
    (True, 0)
    """
    name = get_measure(measure).name
    if name == "volatility":
        return volatility_pieces(pieces, windows, tau1)
    if name == "volume":
        return replace(pieces, bhar=_nan_like(pieces.bhar))
    return pieces
