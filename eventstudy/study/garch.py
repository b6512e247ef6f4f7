"""Market models with GARCH errors, fitted event by event through the ``arch`` package.

``R_it = alpha_i + beta_i R_mt + e_it`` with ``e_it = sigma_it z_it``, ``z_it ~ N(0, 1)``
and one of three conditional-variance equations (METHODS.md "Beyond the standard
battery"):

========== ==================================================================== =============
kind       conditional variance                                                 reference
========== ==================================================================== =============
``garch``  ``s2_t = omega + alpha1 e2_{t-1} + beta1 s2_{t-1}``                  Bollerslev
                                                                                (1986)
``gjr``    ``s2_t = omega + (alpha1 + gamma1 [e_{t-1} < 0]) e2_{t-1}``           Glosten et al.
           ``+ beta1 s2_{t-1}``                                                 (1993)
``egarch`` ``ln s2_t = omega + alpha1 (|z_{t-1}| - sqrt(2/pi)) + gamma1 z_{t-1}`` Nelson (1991)
           ``+ beta1 ln s2_{t-1}``
========== ==================================================================== =============

Each event is fitted by maximum likelihood (normal errors) on its estimation
window with ``arch.arch_model(mean="LS", p=1, q=1)``. Scaling: ``arch``'s
optimiser works best with returns in **percent**, so the security and market
returns are multiplied by 100 for the fit, and the parameters are reported in the
package's units (decimal returns): ``alpha = Const / 100``, ``beta`` unchanged,
``omega`` divided by ``100^2`` (``garch``, ``gjr``) or ``omega + (1 - beta1) ln(1e-4)``
(``egarch``, whose equation is in log variance); ``alpha1``, ``gamma1``, ``beta1``
are scale-free. Days with a missing security or market return are left out of the
recursion (the present days are taken as consecutive).

Abnormal returns come from the mean equation, ``AR_it = R_it - alpha_i - beta_i
R_mt``. Their variance is the ``h``-step-ahead forecast of the conditional variance
made on the last estimation day ``T1*`` (the last estimation day with a return; ``T1``
when it is present), ``h = t - T1*`` sessions, so event-window shocks do not feed
their own standardisation (as EventStudyTools does). GARCH and GJR forecasts are
analytic; EGARCH has no closed-form multi-step forecast, so ``arch``'s simulation
forecast is used (:data:`EGARCH_SIMULATIONS` paths, standard normal draws from
``numpy.random.default_rng(EGARCH_SEED)``: reproducible).

The forecast continues the fit's own conditional variances: its recursion runs over the
fit's residuals from the backcast and variance bounds the fit used (``arch``'s, from the
OLS residuals of its starting values). ``arch``'s ``ARCHModelResult.forecast`` restarts
the recursion from a backcast of the *final* residuals instead; the two paths differ by
``beta1^M`` times the backcasts' difference (0.3% for a GARCH with ``beta1 = 0.99`` on 70
days), and by orders of magnitude when the fitted EGARCH is not invertible (e.g.
``alpha1 = -0.47``: 1.9e-27 %^2 against the fit's 2.7 %^2).

An event whose likelihood maximisation does not converge (``arch``'s
``convergence_flag`` not 0), whose fit or forecast is not finite, or whose forecast is
implausible -- some event day's variance outside :data:`VARIANCE_RATIO_BOUNDS`
``= (1e-4, 1e4)`` times the estimation residual variance ``S_i^2 = sum e^2 / (M_i - 2)``
(:func:`plausible_variance`) -- is flagged and dropped by the study with reason
``garch_no_convergence``.

Reproducibility: the fits run with every loaded BLAS on **one thread**
(``threadpoolctl``, for the duration of :func:`fit_garch_events`; the previous limits are
restored). ``arch``'s optimiser (SciPy's SLSQP) calls SciPy's OpenBLAS, whose results change
in the last bits with its thread count, and the optimisation amplifies them (1e-7 to 1e-4
in the parameters, and another convergence verdict for some EGARCH fits), so the same
study gave other numbers with ``OMP_NUM_THREADS=1``, on another machine, or on Dask
workers (one BLAS thread each). If another thread of the process holds ``threadpoolctl``'s
control of OpenBLAS, the limit cannot be set and a ``RuntimeWarning`` says so.

``arch`` and ``threadpoolctl`` are imported inside the fitting functions only: ``import
eventstudy`` never loads them.

References
----------
Bollerslev, T. (1986). Generalized autoregressive conditional heteroskedasticity.
*J. Econometrics* 31, 307-327.
Glosten, L., Jagannathan, R., Runkle, D. (1993). On the relation between the expected
value and the volatility of the nominal excess return on stocks. *JF* 48(5), 1779-1801.
Nelson, D. (1991). Conditional heteroskedasticity in asset returns: a new approach.
*Econometrica* 59(2), 347-370.
Sheppard, K. et al. ``arch``: ARCH models in Python, https://github.com/bashtage/arch.

Examples
--------
>>> import numpy as np
>>> rng = np.random.default_rng(0)
>>> m = rng.normal(0, 0.01, (1, 250))
>>> r = 0.0005 + 1.2 * m + rng.normal(0, 0.005, (1, 250))
>>> est = fit_garch_events("garch", r[:, :240], m[:, :240], horizons=np.arange(1, 11))
>>> est.converged.tolist(), est.var_evt.shape, round(float(est.params[0, 1]), 1)
([True], (1, 10), 1.2)
"""

from __future__ import annotations

import threading
import warnings
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass
from types import MappingProxyType
from typing import TYPE_CHECKING, Any, Literal

import numpy as np

from eventstudy._typing import FloatArray, GarchKind

if TYPE_CHECKING:
    from arch.univariate.base import ARCHModelResult

__all__ = [
    "EGARCH_SEED",
    "EGARCH_SIMULATIONS",
    "FIT_OPTIONS",
    "GARCH_PARAMS",
    "PERCENT",
    "VARIANCE_RATIO_BOUNDS",
    "GarchEstimates",
    "fit_garch_events",
    "plausible_variance",
]

#: Returns are multiplied by this for ``arch`` (percent returns).
PERCENT = 100.0

#: Simulated paths of the EGARCH multi-step variance forecast.
EGARCH_SIMULATIONS = 10_000

#: Seed of the EGARCH forecast's standard normal draws.
EGARCH_SEED = 0

#: A fit whose variance forecast for some event day lies outside these multiples of its
#: estimation residual variance ``S_i^2 = sum e^2 / (M_i - 2)`` is implausible (a fitted
#: model whose recursion explodes or collapses): not ``converged``, the event is dropped.
VARIANCE_RATIO_BOUNDS: tuple[float, float] = (1e-4, 1e4)

#: Parameters of each kind, in the package's units (columns of ``result.params``).
GARCH_PARAMS: Mapping[GarchKind, tuple[str, ...]] = MappingProxyType(
    {
        "garch": ("alpha", "beta", "omega", "alpha1", "beta1"),
        "gjr": ("alpha", "beta", "omega", "alpha1", "gamma1", "beta1"),
        "egarch": ("alpha", "beta", "omega", "alpha1", "gamma1", "beta1"),
    }
)

#: ``arch_model`` arguments of each kind (p = q = 1; o = 1 adds the asymmetric term).
_ARCH_SPEC: Mapping[GarchKind, Mapping[str, Any]] = MappingProxyType(
    {
        "garch": {"vol": "GARCH", "o": 0},
        "gjr": {"vol": "GARCH", "o": 1},
        "egarch": {"vol": "EGARCH", "o": 1},
    }
)

#: Options of the optimiser (``ARCHModel.fit(options=...)``); None: ``arch``'s defaults.
FIT_OPTIONS: dict[str, Any] | None = None

#: One fitting loop at a time: the block scheduler runs blocks on threads, older SciPy
#: SLSQP (``arch``'s optimiser, Fortran with saved state) is not re-entrant, and the BLAS
#: thread limit of :func:`_one_blas_thread` is process-wide (two overlapping limits would
#: restore each other's). The fits hold the GIL most of the time anyway.
_FIT_LOCK = threading.Lock()


@contextmanager
def _one_blas_thread() -> Iterator[None]:
    """Run the block with every loaded BLAS (NumPy's, SciPy's) on one thread.

    SciPy's SLSQP (``arch``'s optimiser) calls SciPy's BLAS/LAPACK, whose results change
    in the last bits with the number of OpenBLAS threads; the optimiser amplifies them
    (1e-7 in the parameters, another convergence verdict for some EGARCH fits), so the
    fits would differ between machines, ``OMP_NUM_THREADS`` settings and Dask workers
    (one BLAS thread each). ``threadpoolctl`` restores the previous limits on exit.
    """
    from threadpoolctl import ThreadpoolController

    controller = ThreadpoolController()
    with controller.limit(limits=1, user_api="blas"):
        blas = controller.select(user_api="blas").info()
        if any(lib.get("num_threads") not in (1, None) for lib in blas):
            warnings.warn(
                "the GARCH fits could not limit BLAS to one thread (another thread controls "
                f"it: {[(lib['filepath'], lib['num_threads']) for lib in blas]}); their "
                "results may depend on the thread count. Set OPENBLAS_NUM_THREADS=1 (and "
                "OMP_NUM_THREADS=1) before starting Python to make them reproducible",
                RuntimeWarning,
                stacklevel=4,
            )
        yield


@dataclass(frozen=True)
class GarchEstimates:
    """Per-event GARCH fits (arrays over ``N`` events, ``L1``/``L2`` days), decimal units.

    Attributes
    ----------
    params
        ``(N, P)`` parameters, columns :data:`GARCH_PARAMS` of the kind (NaN if not fitted).
    resid
        ``(N, L1)`` mean-equation residuals on the estimation days (NaN where missing).
    var_evt
        ``(N, L2)`` conditional-variance forecasts for the event days.
    converged
        ``(N,)`` the fit converged and its forecasts are finite, positive and within
        :data:`VARIANCE_RATIO_BOUNDS` times the residual variance.
    """

    params: FloatArray
    resid: FloatArray
    var_evt: FloatArray
    converged: np.ndarray


@dataclass(frozen=True)
class _Fit:
    """One event's ``arch`` fit (percent returns) and what its variance recursion started from."""

    result: ARCHModelResult
    backcast: float
    var_bounds: FloatArray


def _fit_one(kind: GarchKind, y: FloatArray, x: FloatArray) -> _Fit | None:
    """``arch`` fit of one event (percent returns), or None if it did not converge.

    The backcast and variance bounds are ``arch``'s own for the fit (from the OLS residuals
    of the starting values), computed here so that the forecast can start from them too.
    """
    from arch import arch_model

    spec = _ARCH_SPEC[kind]
    model = arch_model(
        y * PERCENT, x=(x * PERCENT)[:, None], mean="LS", vol=spec["vol"],
        p=1, o=spec["o"], q=1, dist="normal", rescale=False,
    )  # fmt: skip
    try:
        res = model.fit(disp="off", show_warning=False, options=FIT_OPTIONS)
    except (ValueError, ArithmeticError, np.linalg.LinAlgError):
        return None
    if res.convergence_flag != 0:
        return None
    start_resid = model.resids(model.starting_values())  # after fit: its sample is set
    backcast = float(model.volatility.backcast(start_resid))
    bounds = np.asarray(model.volatility.variance_bounds(start_resid), dtype=float)
    return _Fit(res, backcast, bounds)


def _forecast(kind: GarchKind, fit: _Fit, horizon: int) -> FloatArray:
    """Variance forecasts (percent squared) for 1..``horizon`` steps after the last day.

    The recursion runs over the fit's residuals from the fit's own backcast and bounds, so
    the 1-step forecast continues the fitted conditional variances (``arch``'s
    ``ARCHModelResult.forecast`` restarts it from a backcast of the final residuals: the
    paths differ by ``beta1^M`` times the two backcasts' difference, which does not decay
    when the fitted EGARCH is not invertible).
    """
    res = fit.result
    vol = res.model.volatility
    resid = np.asarray(res.resid, dtype=float)
    theta = res.params.to_numpy()[-vol.num_params :]
    method: Literal["analytic", "simulation"]
    method = "simulation" if kind == "egarch" and horizon > 1 else "analytic"
    rng = np.random.default_rng(EGARCH_SEED).standard_normal if method == "simulation" else None
    fc = vol.forecast(
        theta, resid, fit.backcast, fit.var_bounds, start=len(resid) - 1, horizon=horizon,
        method=method, simulations=EGARCH_SIMULATIONS, rng=rng,
    )  # fmt: skip
    return np.asarray(fc.forecasts, dtype=float)[-1]


def _package_units(kind: GarchKind, params: FloatArray) -> FloatArray:
    """Parameters of a percent-return fit in decimal-return units (see the module doc)."""
    out = params.astype(float).copy()
    out[0] /= PERCENT  # the intercept
    if kind == "egarch":
        out[2] += (1.0 - out[-1]) * np.log(PERCENT**-2)  # log variance: omega shifts
    else:
        out[2] /= PERCENT**2
    return out


def plausible_variance(forecast: FloatArray, resid: FloatArray) -> bool:
    """Whether variance forecasts are finite and within :data:`VARIANCE_RATIO_BOUNDS` of ``S^2``.

    ``S^2 = sum e^2 / (M - 2)`` of the mean-equation residuals ``resid`` (``M`` of them).

    Examples
    --------
    >>> e = np.array([0.01, -0.01, 0.02, -0.02])
    >>> plausible_variance(np.array([2e-4, 3e-4]), e), plausible_variance(np.array([1e-12]), e)
    (True, False)
    """
    s2 = float(np.sum(resid**2)) / (len(resid) - 2) if len(resid) > 2 else np.nan
    lo, hi = VARIANCE_RATIO_BOUNDS
    with np.errstate(invalid="ignore"):
        return bool(np.all(forecast >= lo * s2) and np.all(forecast <= hi * s2))


def fit_garch_events(
    kind: GarchKind,
    r_est: FloatArray,
    m_est: FloatArray,
    *,
    horizons: np.ndarray,
    todo: np.ndarray | None = None,
) -> GarchEstimates:
    """Fit the GARCH market model ``kind`` for each event (one ``arch`` fit per event).

    Parameters
    ----------
    kind
        ``"garch"``, ``"gjr"`` or ``"egarch"``.
    r_est, m_est
        ``(N, L1)`` security and market returns on the estimation days (decimal;
        NaN where missing).
    horizons
        ``(L2,)`` for each event day ``t``, the sessions from the last estimation day
        ``T1`` (``t - T1``); a security without a return on ``T1`` forecasts from its last
        present estimation day, the horizon growing by the sessions in between.
    todo
        ``(N,)`` events to fit (default all); the others get NaN and ``converged=False``.

    Returns
    -------
    GarchEstimates
    """
    n, l1 = r_est.shape
    p = len(GARCH_PARAMS[kind])
    params = np.full((n, p), np.nan)
    resid = np.full((n, l1), np.nan)
    var_evt = np.full((n, len(horizons)), np.nan)
    ok = np.zeros(n, dtype=bool)
    rows = np.flatnonzero(np.ones(n, dtype=bool) if todo is None else todo)
    with _FIT_LOCK, _one_blas_thread():  # one BLAS thread: see the module doc
        for i in rows:
            present = np.isfinite(r_est[i]) & np.isfinite(m_est[i])
            gap = l1 - 1 - int(np.flatnonzero(present)[-1]) if present.any() else 0
            h = np.asarray(horizons, dtype=np.int64) + gap
            fit = _fit_one(kind, r_est[i, present], m_est[i, present])
            if fit is None:
                continue
            fc = _forecast(kind, fit, int(h.max()))[h - 1] / PERCENT**2
            theta = _package_units(kind, fit.result.params.to_numpy())
            e = r_est[i, present] - theta[0] - theta[1] * m_est[i, present]
            if not (np.isfinite(theta).all() and plausible_variance(fc, e)):
                continue
            params[i] = theta
            resid[i, present] = e
            var_evt[i] = fc
            ok[i] = True
    return GarchEstimates(params=params, resid=resid, var_evt=var_evt, converged=ok)
