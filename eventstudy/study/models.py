"""Normal-return models, fitted for a whole batch of events at once.

Every model is estimated on the estimation window of each event with the
observations where the security's return *and* every regressor are present
(``M_i`` of them, METHODS.md "Notation"); missing days are never zero returns.

========================= ===== ===================================== =========================
model                     K     expected return ``E[R_it]``           estimation
========================= ===== ===================================== =========================
``raw``                   1*    0                                     none
``market_adjusted``       1*    ``R_mt``                              none
``constant_mean``         1     ``mu_i``                              sample mean
``market``                2     ``alpha_i + beta_i R_mt``             closed-form OLS
``ff3``                   4     ``rf_t + alpha_i + b'f_t``            batched least squares
``carhart``               5     ``rf_t + alpha_i + b'f_t`` (+ mom)    batched least squares
``factors``               1+F   ``rf_t + alpha_i + b'f_t`` (any f)    batched least squares
``scholes_williams``      2     ``alpha_i + beta_i R_mt``             Scholes-Williams beta
``dimson``                2     ``alpha_i + beta_i R_mt``             Dimson beta
``garch``                 2     ``alpha_i + beta_i R_mt``             ML, GARCH(1,1) errors
``gjr``                   2     ``alpha_i + beta_i R_mt``             ML, GJR-GARCH(1,1) errors
``egarch``                2     ``alpha_i + beta_i R_mt``             ML, EGARCH(1,1) errors
========================= ===== ===================================== =========================

(*) No parameter is estimated; by convention ``K = 1`` in ``S_i^2`` and in the
Patell variance ``(M-K)/(M-K-2)`` (METHODS.md).

The regressors are centred on their estimation-window means, which makes the
prediction-error terms of Patell (1976) and Mikkelson and Partch (1988) one
formula for every model: for a set of event days ``w`` (one day, or a CAR
window) with ``L`` present days and ``d = sum_{t in w} (z_t - zbar)``,

``Var(sum_{t in w} AR_it) = S_i^2 (L + L^2 / M_i + d' (Zc'Zc)^{-1} d)``

which is ``S_i^2 [1 + 1/M + (R_mt - Rbar_m)^2 / SS_m]`` for one day of the
market model (MacKinlay 1997, eq. 7) and ``S_i^2 (L + L^2/M)`` for the constant
mean model. ``raw`` and ``market_adjusted`` have no estimation error: ``L S_i^2``.

``factors`` takes any factor frame (columns = factors, optional ``rf``; FF5, a China
3- or 4-factor set): ``ff3`` and ``carhart`` are its named cases (:func:`bind_model`).

Thin trading (METHODS.md): ``scholes_williams`` uses
``beta_i = (b_-1 + b_0 + b_+1) / (1 + 2 rho_m)``, ``b_k`` the OLS slope on ``R_m,t+k``
and ``rho_m`` the market's first-order autocorrelation over the estimation window;
``dimson`` uses ``beta_i = b_-1 + b_0 + b_+1`` from one OLS on ``R_m,t-1, R_mt,
R_m,t+1``. Both take ``alpha_i = Rbar_i - beta_i Rbar_m`` over the ``M_i`` estimation
days (so the residuals average 0, as OLS's), ``K = 2`` (the parameters of the
expected-return equation), ``S_i^2 = sum e^2 / (M_i - 2)``, and - a choice - the OLS
market model's prediction-error terms above with their ``beta_i``: this treats
``Var(beta_i)`` as ``S_i^2 / SS_m``, which understates it (the thin-trading betas
sum three slopes), but the term is of order ``1/M_i`` either way.

GARCH (:mod:`eventstudy.study.garch`): ``garch``, ``gjr`` and ``egarch`` are the
market model with GARCH(1,1), GJR-GARCH(1,1) or EGARCH(1,1) normal errors, fitted
by ``arch`` per event on percent returns; ``AR_it`` comes from the mean equation and
its variance is the conditional-variance forecast ``h = t - T1`` sessions ahead of
the last estimation day (:attr:`ModelFit.var_evt`), so ``SAR_it = AR_it / sigma_it``
and ``Var(CAR) = sum sigma_it^2`` (no prediction-error term). ``K = 2`` (the mean
equation), ``S_i^2 = sum e^2 / (M_i - 2)``.

References
----------
Patell, J. (1976). Corporate forecasts of earnings per share and stock price behavior.
*Journal of Accounting Research* 14(2), 246-276.
Mikkelson, W., Partch, M. (1988). Withdrawn security offerings. *JFQA* 23(2), 119-133.
MacKinlay, A. C. (1997). Event studies in economics and finance. *JEL* 35(1), 13-39.
Fama, E., French, K. (1993). Common risk factors in the returns on stocks and bonds.
*JFE* 33, 3-56. Carhart, M. (1997). On persistence in mutual fund performance. *JF* 52, 57-82.
Fama, E., French, K. (2015). A five-factor asset pricing model. *JFE* 116, 1-22.
Scholes, M., Williams, J. (1977). Estimating betas from nonsynchronous data. *JFE* 5,
309-327.
Dimson, E. (1979). Risk measurement when shares are subject to infrequent trading. *JFE* 7,
197-226.
Bollerslev, T. (1986). *J. Econometrics* 31, 307-327; Glosten, L., Jagannathan, R., Runkle,
D. (1993). *JF* 48(5), 1779-1801; Nelson, D. (1991). *Econometrica* 59(2), 347-370.

Each model is a record of :data:`MODEL_REGISTRY` (:class:`NormalModel`: its
name, ``K``, regressors, parameter names and fit function); :func:`get_model`
looks one up. A new model is one more record (and its name in
``eventstudy._typing.ModelName``).

Examples
--------
>>> get_model("ff3").factors, get_model("market").k
(('mkt_rf', 'smb', 'hml'), 2)
>>> import numpy as np
>>> rng = np.random.default_rng(0)
>>> m = rng.normal(0, 0.01, (2, 120))
>>> r = 0.001 + 1.5 * m + rng.normal(0, 0.002, (2, 120))
>>> fit = fit_model("market", r, m[:, :, None], r[:, :5], m[:, :5, None])
>>> np.round(fit.params[:, 1], 1).tolist()
[1.5, 1.5]
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field, replace
from functools import partial
from types import MappingProxyType
from typing import Protocol, get_args

import numpy as np

from eventstudy._typing import FloatArray, GarchKind, ModelName, ModelRegressors
from eventstudy.exceptions import ConfigError
from eventstudy.study.garch import GARCH_PARAMS, VARIANCE_RATIO_BOUNDS, fit_garch_events

__all__ = [
    "FACTOR_COLUMNS",
    "MODELS",
    "MODEL_K",
    "MODEL_REGISTRY",
    "NON_FACTOR_COLUMNS",
    "NO_CONVERGENCE",
    "FitFunction",
    "ModelFit",
    "NormalModel",
    "bind_model",
    "count_rows",
    "fit_model",
    "get_model",
    "param_names",
    "user_factor_columns",
]

#: Status codes of :attr:`ModelFit.status` (3 is the engine's "no return on day 0").
OK, INSUFFICIENT, CONSTANT = 0, 1, 2
#: Status of an event whose GARCH likelihood maximisation did not converge.
NO_CONVERGENCE = 4


@dataclass(frozen=True)
class ModelFit:
    """Per-event model estimates (arrays over events ``N``, days ``L1``/``L2``, ``F`` regressors).

    Attributes
    ----------
    params
        ``(N, P)`` estimated parameters (see :func:`param_names`).
    m
        ``(N,)`` number of estimation observations ``M_i``.
    sigma2
        ``(N,)`` residual variance ``S_i^2 = sum e^2 / (M_i - K)``.
    resid
        ``(N, L1)`` estimation-window residuals (NaN where not observed).
    ar, expected
        ``(N, L2)`` abnormal and expected returns on the event days.
    zc
        ``(N, L2, F)`` event-day regressors centred on the estimation means.
    ginv
        ``(N, F, F)`` inverse of the centred cross-product ``Zc'Zc``.
    estimated
        Whether the model has estimated parameters (prediction-error terms apply).
    status
        ``(N,)`` 0 ok, 1 too few observations, 2 constant returns / singular regressors,
        4 (:data:`NO_CONVERGENCE`) the likelihood maximisation did not converge.
    var_evt
        ``(N, L2)`` variance of each event-day abnormal return when the model gives it
        directly (the GARCH models' conditional-variance forecasts); None: the
        prediction-error variance ``S_i^2 (1 + 1/M_i + z' (Zc'Zc)^{-1} z)`` applies.
    """

    params: FloatArray
    m: np.ndarray
    sigma2: FloatArray
    resid: FloatArray
    ar: FloatArray
    expected: FloatArray
    zc: FloatArray
    ginv: FloatArray
    estimated: bool
    status: np.ndarray
    var_evt: FloatArray | None = None


class FitFunction(Protocol):
    """Signature of a model's fit function (see :func:`fit_model` for the arguments)."""

    def __call__(
        self,
        model: NormalModel,
        r_est: FloatArray,
        z_est: FloatArray,
        r_evt: FloatArray,
        z_evt: FloatArray,
        *,
        rf_est: FloatArray | None,
        rf_evt: FloatArray | None,
        min_obs: int,
        gap: int = 1,
    ) -> ModelFit: ...


@dataclass(frozen=True, slots=True)
class NormalModel:
    """A normal-return model: what it needs and how it is fitted.

    Attributes
    ----------
    name
        The model's name (an ``eventstudy._typing.ModelName``).
    k
        ``K`` in ``S_i^2 = sum AR^2 / (M - K)`` and in Patell's ``(M - K)/(M - K - 2)``.
    regressors
        ``"none"``, ``"market"`` (the market return) or ``"factors"``.
    factors
        Columns a factor DataFrame must have (``rf`` is optional, 0 when absent).
    params
        Names of the estimated parameters (columns of ``result.params``).
    estimated
        Whether parameters are estimated (prediction-error variance terms apply).
    expected
        The expected return ``E[R_it]``, in words.
    fit
        Fits the model for a batch of events (:class:`FitFunction`).
    variance
        The variance convention of its abnormal returns, in words (methodology text).
    reference
        Where the model comes from.
    """

    name: ModelName
    k: int
    regressors: ModelRegressors
    factors: tuple[str, ...]
    params: tuple[str, ...]
    estimated: bool
    expected: str
    fit: FitFunction = field(repr=False, compare=False)
    variance: str = ""
    reference: str = ""

    @property
    def methodology(self) -> str:
        """One line for a summary: the expected return, the variance convention, the source.

        Examples
        --------
        >>> get_model("constant_mean").methodology
        'E[R_it] = mu_i (estimation-window mean); Var(AR_it) = S_i^2 (1 + 1/M_i)...'
        """
        parts = [f"E[R_it] = {self.expected}"]
        if self.variance:
            parts.append(self.variance)
        text = "; ".join(parts)
        return f"{text} ({self.reference})" if self.reference else text

    @property
    def n_regressors(self) -> int:
        """Number of estimated slopes besides the intercept (``F``)."""
        return max(len(self.params) - 1, 0)


def count_rows(mask: np.ndarray) -> np.ndarray:
    """``mask.sum(axis=1)`` as int64 for a 2-d boolean array, counted as bytes (faster).

    Examples
    --------
    >>> count_rows(np.array([[True, False, True], [False, False, False]])).tolist()
    [2, 0]
    """
    wide = mask.shape[1] >= np.iinfo(np.uint16).max
    counts = mask.view(np.uint8).sum(axis=1, dtype=np.int64 if wide else np.uint16)
    return np.asarray(counts, dtype=np.int64)


def _masked_mean(x: FloatArray, valid: np.ndarray, m: np.ndarray) -> FloatArray:
    with np.errstate(invalid="ignore", divide="ignore"):
        return np.where(valid, x, 0.0).sum(axis=1) / m


class _SlopeFunction(Protocol):
    def __call__(self, y: FloatArray, z: FloatArray) -> FloatArray: ...


def _fit_market(
    model: NormalModel,
    r_est: FloatArray,
    z_est: FloatArray,
    r_evt: FloatArray,
    z_evt: FloatArray,
    *,
    rf_est: FloatArray | None = None,
    rf_evt: FloatArray | None = None,
    min_obs: int = 3,
    gap: int = 1,
    slope: _SlopeFunction | None = None,
) -> ModelFit:
    """Market model by closed-form OLS, with few full-size temporaries (the hot path).

    ``beta = S_zy / S_zz``, ``alpha = ybar - beta zbar`` and
    ``SSR = S_yy - beta S_zy`` from row sums over the present days. With ``slope``
    (the thin-trading models) ``beta = slope(y, z)`` instead, ``alpha`` as above
    and ``SSR`` the sum of the squared residuals.
    """
    y, z, z_e = r_est, z_est[:, :, 0], z_evt[:, :, 0]
    n = y.shape[0]
    valid = np.isfinite(y)
    valid &= np.isfinite(z)
    invalid = ~valid
    m = count_rows(valid)
    y0 = y.copy()
    np.putmask(y0, invalid, 0.0)
    z0 = z.copy()
    np.putmask(z0, invalid, 0.0)
    with np.errstate(invalid="ignore", divide="ignore"):
        ybar = y0.sum(axis=1) / m
        zbar = z0.sum(axis=1) / m
        syy = np.einsum("ij,ij->i", y0, y0)
        szz = np.einsum("ij,ij->i", z0, z0)
        szy = np.einsum("ij,ij->i", z0, y0)
        ss_y = syy - m * ybar * ybar
        ss_z = szz - m * zbar * zbar
        sp = szy - m * zbar * ybar
        beta = sp / ss_z if slope is None else slope(y, z)
        alpha = ybar - beta * zbar
        ssr = np.maximum(ss_y - beta * sp, 0.0)
    status = np.zeros(n, dtype=np.int8)
    status[m < max(min_obs, model.k + 3)] = INSUFFICIENT
    const = ~(ss_y > 1e-12 * syy) | ~(ss_z > 1e-12 * szz) | ~np.isfinite(beta)
    status[(status == OK) & const] = CONSTANT
    # in the memory of the masked market copy (no new array): the same operations on
    # the same values where present, NaN elsewhere
    resid = z0
    resid *= -beta[:, None]
    resid += y0
    resid -= alpha[:, None]
    np.putmask(resid, invalid, np.nan)
    if slope is not None:
        ssr = np.where(valid, resid * resid, 0.0).sum(axis=1)
    expected = alpha[:, None] + beta[:, None] * z_e
    dof = m - model.k
    with np.errstate(invalid="ignore", divide="ignore"):
        sigma2 = np.where(dof > 0, ssr / dof, np.nan)
        ginv = (1.0 / ss_z)[:, None, None]
    return ModelFit(
        params=np.column_stack([alpha, beta]),
        m=m,
        sigma2=sigma2,
        resid=resid,
        ar=r_evt - expected,
        expected=expected,
        zc=(z_e - zbar[:, None])[:, :, None],
        ginv=ginv,
        estimated=True,
        status=status,
    )


def _pair_moments(y: FloatArray, x: FloatArray) -> tuple[FloatArray, FloatArray, FloatArray]:
    """Centred cross-products ``S_xy, S_xx, S_yy`` of each row over the days both are present."""
    ok = np.isfinite(y) & np.isfinite(x)
    n = ok.sum(axis=1)
    with np.errstate(invalid="ignore", divide="ignore"):
        xc = np.where(ok, x - np.where(ok, x, 0.0).sum(axis=1, keepdims=True) / n[:, None], 0.0)
        yc = np.where(ok, y - np.where(ok, y, 0.0).sum(axis=1, keepdims=True) / n[:, None], 0.0)
    return (xc * yc).sum(axis=1), (xc * xc).sum(axis=1), (yc * yc).sum(axis=1)


def _ols_slope(y: FloatArray, x: FloatArray) -> FloatArray:
    sxy, sxx, _ = _pair_moments(y, x)
    with np.errstate(invalid="ignore", divide="ignore"):
        out: FloatArray = sxy / sxx
    return out


def _slope_scholes_williams(y: FloatArray, z: FloatArray) -> FloatArray:
    """Scholes-Williams (1977): ``(b_-1 + b_0 + b_+1) / (1 + 2 rho_m)``.

    ``b_k`` is the OLS slope of ``R_it`` on ``R_m,t+k`` over the estimation days where
    both are present (both days inside the window), ``rho_m`` the first-order
    autocorrelation of the market return: the Pearson correlation of
    ``(R_mt, R_m,t-1)`` over the window's consecutive pairs.
    """
    b_lag = _ols_slope(y[:, 1:], z[:, :-1])
    b_0 = _ols_slope(y, z)
    b_lead = _ols_slope(y[:, :-1], z[:, 1:])
    sxy, sxx, syy = _pair_moments(z[:, 1:], z[:, :-1])
    with np.errstate(invalid="ignore", divide="ignore"):
        rho = sxy / np.sqrt(sxx * syy)
        out: FloatArray = (b_lag + b_0 + b_lead) / (1.0 + 2.0 * rho)
    return out


def _slope_dimson(y: FloatArray, z: FloatArray) -> FloatArray:
    """Dimson (1979): ``b_-1 + b_0 + b_+1`` of one OLS of ``R_it`` on ``R_m,t-1, R_mt, R_m,t+1``.

    Over the estimation days ``t`` whose neighbours ``t - 1`` and ``t + 1`` are in the
    window and where the four returns are present (an intercept is estimated).
    """
    x = np.stack([z[:, :-2], z[:, 1:-1], z[:, 2:]], axis=2)
    yy = y[:, 1:-1]
    ok = np.isfinite(yy) & np.isfinite(x).all(axis=2)
    n = ok.sum(axis=1)
    with np.errstate(invalid="ignore", divide="ignore"):
        xbar = np.where(ok[:, :, None], x, 0.0).sum(axis=1) / n[:, None]
        ybar = np.where(ok, yy, 0.0).sum(axis=1) / n
        xc = np.where(ok[:, :, None], x - xbar[:, None, :], 0.0)
        yc = np.where(ok, yy - ybar[:, None], 0.0)
    g = np.einsum("ntf,ntg->nfg", xc, xc)
    b = np.einsum("ntf,nt->nf", xc, yc)
    scale = np.prod(np.einsum("nff->nf", g), axis=1)
    sing = ~(np.abs(np.linalg.det(g)) > 1e-12 * np.abs(scale))
    g[sing] = np.eye(3)
    coef = np.linalg.solve(g, b[:, :, None])[:, :, 0]
    out: FloatArray = np.where(sing, np.nan, coef.sum(axis=1))
    return out


def _fit_garch(
    model: NormalModel,
    r_est: FloatArray,
    z_est: FloatArray,
    r_evt: FloatArray,
    z_evt: FloatArray,
    *,
    rf_est: FloatArray | None = None,
    rf_evt: FloatArray | None = None,
    min_obs: int = 3,
    gap: int = 1,
    kind: GarchKind,
) -> ModelFit:
    """Market model with GARCH-family errors, one ``arch`` fit per event (:mod:`.garch`).

    ``S_i^2`` is ``sum e^2 / (M_i - K)`` of the mean-equation residuals (``result.sigma``);
    the abnormal returns' variances are the conditional-variance forecasts
    (:attr:`ModelFit.var_evt`).
    """
    y, z, z_e = r_est, z_est[:, :, 0], z_evt[:, :, 0]
    n, l2 = r_evt.shape
    valid = np.isfinite(y) & np.isfinite(z)
    m = valid.sum(axis=1)
    status = np.zeros(n, dtype=np.int8)
    status[m < max(min_obs, model.k + 3)] = INSUFFICIENT
    _, ss_z, ss_y = _pair_moments(y, z)
    with np.errstate(invalid="ignore"):
        scale_y = np.where(valid, y * y, 0.0).sum(axis=1)
        scale_z = np.where(valid, z * z, 0.0).sum(axis=1)
        const = ~(ss_y > 1e-12 * scale_y) | ~(ss_z > 1e-12 * scale_z)
    status[(status == OK) & const] = CONSTANT
    est = fit_garch_events(kind, y, z, horizons=gap + np.arange(l2), todo=status == OK)
    status[(status == OK) & ~est.converged] = NO_CONVERGENCE
    expected = est.params[:, :1] + est.params[:, 1:2] * z_e
    dof = m - model.k
    with np.errstate(invalid="ignore", divide="ignore"):
        sigma2 = np.where(dof > 0, np.nansum(est.resid**2, axis=1) / dof, np.nan)
    return ModelFit(
        params=est.params,
        m=m,
        sigma2=np.where(est.converged, sigma2, np.nan),
        resid=est.resid,
        ar=r_evt - expected,
        expected=expected,
        zc=np.zeros((n, l2, 0)),
        ginv=np.zeros((n, 0, 0)),
        estimated=True,
        status=status,
        var_evt=est.var_evt,
    )


@dataclass(frozen=True, slots=True)
class _Sample:
    """The estimation sample of a batch: present days, ``M_i`` and the centred returns."""

    r_est: FloatArray
    z_est: FloatArray
    r_evt: FloatArray
    z_evt: FloatArray
    valid: np.ndarray
    m: np.ndarray
    ybar: FloatArray
    yc: FloatArray


@dataclass(frozen=True, slots=True)
class _Mean:
    """A model's mean equation on a batch: parameters and expected returns."""

    params: FloatArray
    exp_est: FloatArray
    exp_evt: FloatArray
    zc: FloatArray
    ginv: FloatArray
    singular: np.ndarray | None = None


class _MeanFunction(Protocol):
    def __call__(self, s: _Sample, f: int) -> _Mean: ...


def _no_slopes(s: _Sample) -> tuple[FloatArray, FloatArray]:
    n = s.r_est.shape[0]
    return np.zeros((n, s.r_evt.shape[1], 0)), np.zeros((n, 0, 0))


def _mean_zero(s: _Sample, f: int) -> _Mean:
    """``raw``: the expected return is 0."""
    zc, ginv = _no_slopes(s)
    params = np.empty((s.r_est.shape[0], 0))
    return _Mean(params, np.zeros_like(s.r_est), np.zeros_like(s.r_evt), zc, ginv)


def _mean_market_adjusted(s: _Sample, f: int) -> _Mean:
    """``market_adjusted``: the expected return is the market return."""
    zc, ginv = _no_slopes(s)
    params = np.empty((s.r_est.shape[0], 0))
    return _Mean(params, s.z_est[:, :, 0], s.z_evt[:, :, 0], zc, ginv)


def _mean_constant(s: _Sample, f: int) -> _Mean:
    """``constant_mean``: the expected return is the estimation-window mean ``mu_i``."""
    zc, ginv = _no_slopes(s)
    exp_est = np.broadcast_to(s.ybar[:, None], s.r_est.shape)
    exp_evt = np.broadcast_to(s.ybar[:, None], s.r_evt.shape)
    return _Mean(s.ybar[:, None], exp_est, exp_evt, zc, ginv)


def _mean_factors(s: _Sample, f: int) -> _Mean:
    """Factor models: batched least squares on the regressors centred on their means."""
    valid, m = s.valid, s.m
    with np.errstate(invalid="ignore", divide="ignore"):
        zbar = np.where(valid[:, :, None], s.z_est, 0.0).sum(axis=1) / m[:, None]
        zc_est = np.where(valid[:, :, None], s.z_est - zbar[:, None, :], 0.0)
    g = np.einsum("ntf,ntg->nfg", zc_est, zc_est)
    zy = np.einsum("ntf,nt->nf", zc_est, s.yc)
    det = np.linalg.det(g)
    scale = np.prod(np.einsum("nff->nf", g), axis=1)
    sing = ~(np.abs(det) > 1e-12 * np.abs(scale))
    g_safe = g.copy()
    g_safe[sing] = np.eye(f)
    ginv = np.linalg.inv(g_safe)
    beta = np.einsum("nfg,ng->nf", ginv, zy)
    beta[sing] = np.nan
    ginv[sing] = np.nan
    alpha = s.ybar - (zbar * beta).sum(axis=1)
    exp_est = alpha[:, None] + np.einsum("ntf,nf->nt", s.z_est, beta)
    exp_evt = alpha[:, None] + np.einsum("ntf,nf->nt", s.z_evt, beta)
    zc = s.z_evt - zbar[:, None, :]
    return _Mean(np.column_stack([alpha, beta]), exp_est, exp_evt, zc, ginv, sing)


def _fit_linear(
    model: NormalModel,
    r_est: FloatArray,
    z_est: FloatArray,
    r_evt: FloatArray,
    z_evt: FloatArray,
    *,
    rf_est: FloatArray | None = None,
    rf_evt: FloatArray | None = None,
    min_obs: int = 3,
    gap: int = 1,
    mean: _MeanFunction,
) -> ModelFit:
    """Fit a model given by its mean equation ``mean`` (every model but ``market``).

    The sample is the days where the return (in excess of ``rf`` for factor
    models) and every regressor are present; ``S_i^2`` divides by ``M_i - K``.
    """
    y_est = r_est
    if model.factors:
        if rf_est is None or rf_evt is None:
            raise ValueError(f"model={model.name!r} needs rf_est and rf_evt")
        y_est = r_est - rf_est
    valid = np.isfinite(y_est)
    if model.regressors != "none":
        valid &= np.isfinite(z_est).all(axis=2)
    m = valid.sum(axis=1)
    status = np.zeros(r_est.shape[0], dtype=np.int8)
    status[m < max(min_obs, model.k + 3)] = INSUFFICIENT
    ybar = _masked_mean(y_est, valid, m)
    with np.errstate(invalid="ignore", divide="ignore"):
        yc = np.where(valid, y_est - ybar[:, None], 0.0)
        ss_y = (yc * yc).sum(axis=1)
    status[(status == OK) & ~(ss_y > 0)] = CONSTANT
    est = mean(_Sample(r_est, z_est, r_evt, z_evt, valid, m, ybar, yc), model.n_regressors)
    if est.singular is not None:
        status[(status == OK) & est.singular] = CONSTANT
    exp_est, exp_evt = est.exp_est, est.exp_evt
    if model.factors:
        assert rf_est is not None  # checked above
        assert rf_evt is not None
        exp_est = exp_est + rf_est
        exp_evt = exp_evt + rf_evt
    resid = np.where(valid, r_est - exp_est, np.nan)
    dof = m - model.k
    with np.errstate(invalid="ignore", divide="ignore"):
        sigma2 = np.where(valid, resid * resid, 0.0).sum(axis=1) / dof
    sigma2 = np.where(dof > 0, sigma2, np.nan)
    return ModelFit(
        params=np.asarray(est.params, dtype=float),
        m=m,
        sigma2=sigma2,
        resid=resid,
        ar=r_evt - exp_evt,
        expected=np.asarray(exp_evt, dtype=float),
        zc=est.zc,
        ginv=est.ginv,
        estimated=model.estimated,
        status=status,
    )


def _factor_params(cols: tuple[str, ...]) -> tuple[str, ...]:
    return ("alpha", *(f"b_{c}" for c in cols))


_FF3 = ("mkt_rf", "smb", "hml")
_CARHART = (*_FF3, "mom")

_V_NONE = "Var(AR_it) = S_i^2, Var(CAR) = L S_i^2 (nothing estimated; K = 1 by convention)"
_V_MEAN = "Var(AR_it) = S_i^2 (1 + 1/M_i), Var(CAR) = S_i^2 (L + L^2/M_i)"
_V_MARKET = (
    "Var(AR_it) = S_i^2 [1 + 1/M_i + (R_mt - Rbar_m)^2/SS_m] (prediction error), "
    "Var(CAR) = S_i^2 [L + L^2/M_i + (sum (R_mt - Rbar_m))^2/SS_m]"
)
_V_FACTORS = (
    "Var(AR_it) = S_i^2 (1 + 1/M_i + zc_t'(Zc'Zc)^-1 zc_t) (prediction error), "
    "Var(CAR) = S_i^2 (L + L^2/M_i + d'(Zc'Zc)^-1 d)"
)
_V_THIN = (
    "alpha_i = Rbar_i - beta_i Rbar_m, K = 2; Var(AR_it) and Var(CAR) as the OLS market "
    "model's, with this beta (an approximation: Var(beta_i) is taken as S_i^2/SS_m)"
)
_V_GARCH = (
    "fitted by arch on returns in percent (parameters reported in decimal units); "
    "Var(AR_it) = the h-step-ahead conditional-variance forecast from the last estimation "
    "day (h = t - T1, continuing the fit's own conditional variances), no prediction-error "
    "term; Var(CAR) = the sum of these; S_i^2 = sum e^2/(M_i - 2); a forecast outside "
    f"{VARIANCE_RATIO_BOUNDS[0]:g} to {VARIANCE_RATIO_BOUNDS[1]:g} times S_i^2 drops the "
    "event (garch_no_convergence)"
)
_R_PE = "Patell (1976); MacKinlay (1997); Mikkelson and Partch (1988)"
_R_FF = "Fama and French (1993)"
_R_GARCH = "Bollerslev (1986); arch (Sheppard)"


def _garch_model(kind: GarchKind, expected: str, reference: str) -> NormalModel:
    return NormalModel(
        name=kind, k=2, regressors="market", factors=(), params=GARCH_PARAMS[kind],
        estimated=True, expected=expected, fit=partial(_fit_garch, kind=kind),
        variance=_V_GARCH, reference=reference,
    )  # fmt: skip


#: Every normal-return model, by name (the order of ``eventstudy._typing.ModelName``).
MODEL_REGISTRY: Mapping[ModelName, NormalModel] = MappingProxyType(
    {
        m.name: m
        for m in (
            NormalModel(
                name="raw", k=1, regressors="none", factors=(), params=(), estimated=False,
                expected="0", fit=partial(_fit_linear, mean=_mean_zero), variance=_V_NONE,
            ),
            NormalModel(
                name="constant_mean", k=1, regressors="none", factors=(), params=("mu",),
                estimated=True, expected="mu_i (estimation-window mean)",
                fit=partial(_fit_linear, mean=_mean_constant), variance=_V_MEAN,
                reference="Brown and Warner (1985); Mikkelson and Partch (1988)",
            ),
            NormalModel(
                name="market_adjusted", k=1, regressors="market", factors=(), params=(),
                estimated=False, expected="R_mt",
                fit=partial(_fit_linear, mean=_mean_market_adjusted), variance=_V_NONE,
                reference="Brown and Warner (1985)",
            ),
            NormalModel(
                name="market", k=2, regressors="market", factors=(), params=("alpha", "beta"),
                estimated=True, expected="alpha_i + beta_i R_mt (OLS)", fit=_fit_market,
                variance=_V_MARKET, reference=_R_PE,
            ),
            NormalModel(
                name="ff3", k=4, regressors="factors", factors=_FF3,
                params=_factor_params(_FF3), estimated=True,
                expected="rf_t + alpha_i + b'f_t (Fama-French 3 factors)",
                fit=partial(_fit_linear, mean=_mean_factors), variance=_V_FACTORS,
                reference=_R_FF,
            ),
            NormalModel(
                name="carhart", k=5, regressors="factors", factors=_CARHART,
                params=_factor_params(_CARHART), estimated=True,
                expected="rf_t + alpha_i + b'f_t (Fama-French 3 factors + momentum)",
                fit=partial(_fit_linear, mean=_mean_factors), variance=_V_FACTORS,
                reference=f"{_R_FF}; Carhart (1997)",
            ),
            NormalModel(  # a template: bind_model gives it the columns of the factor frame
                name="factors", k=1, regressors="factors", factors=(), params=("alpha",),
                estimated=True, expected="rf_t + alpha_i + b'f_t (the user's factors)",
                fit=partial(_fit_linear, mean=_mean_factors), variance=_V_FACTORS,
                reference="Fama and French (1993, 2015), any factor set",
            ),
            NormalModel(
                name="scholes_williams", k=2, regressors="market", factors=(),
                params=("alpha", "beta"), estimated=True,
                expected="alpha_i + beta_i R_mt, beta_i = (b_-1 + b_0 + b_+1)/(1 + 2 rho_m)",
                fit=partial(_fit_market, slope=_slope_scholes_williams), variance=_V_THIN,
                reference="Scholes and Williams (1977), JFE 5",
            ),
            NormalModel(
                name="dimson", k=2, regressors="market", factors=(),
                params=("alpha", "beta"), estimated=True,
                expected="alpha_i + beta_i R_mt, beta_i = b_-1 + b_0 + b_+1 (one OLS on "
                "R_m,t-1, R_mt, R_m,t+1)",
                fit=partial(_fit_market, slope=_slope_dimson), variance=_V_THIN,
                reference="Dimson (1979), JFE 7",
            ),
            _garch_model("garch", "alpha_i + beta_i R_mt (ML, GARCH(1,1) errors)", _R_GARCH),
            _garch_model(
                "gjr", "alpha_i + beta_i R_mt (ML, GJR-GARCH(1,1) errors)",
                f"Glosten, Jagannathan and Runkle (1993); {_R_GARCH}",
            ),
            _garch_model(
                "egarch", "alpha_i + beta_i R_mt (ML, EGARCH(1,1) errors)",
                f"Nelson (1991); {_R_GARCH}",
            ),
        )
    }
)  # fmt: skip

#: Model names, in the order of ``eventstudy._typing.ModelName``.
MODELS: tuple[ModelName, ...] = get_args(ModelName)

#: ``K`` of each model (a view of :data:`MODEL_REGISTRY`).
MODEL_K: Mapping[str, int] = MappingProxyType({m.name: m.k for m in MODEL_REGISTRY.values()})

#: Columns a factor DataFrame must have, for the factor models (a view of the registry).
FACTOR_COLUMNS: Mapping[str, tuple[str, ...]] = MappingProxyType(
    {m.name: m.factors for m in MODEL_REGISTRY.values() if m.factors}
)


def get_model(name: str) -> NormalModel:
    """The registered model ``name``.

    Raises
    ------
    ConfigError
        If no model has that name.

    Examples
    --------
    >>> get_model("market").params
    ('alpha', 'beta')
    >>> get_model("capm")
    Traceback (most recent call last):
    ...
    eventstudy.exceptions.ConfigError: model='capm' is not one of ('raw', 'constant_mean', \
'market_adjusted', 'market', 'ff3', 'carhart', 'factors', 'scholes_williams', 'dimson', \
'garch', 'gjr', 'egarch')
    """
    model = MODEL_REGISTRY.get(name)  # type: ignore[call-overload]  # any str may be asked
    if model is None:
        raise ConfigError(f"model={name!r} is not one of {MODELS}")
    return model


#: Columns of a factor frame that are not factors: the risk-free rate and the date.
NON_FACTOR_COLUMNS = ("rf", "date")


def user_factor_columns(columns: Iterable[object]) -> tuple[str, ...]:
    """The factors of a user's factor frame: every column but ``rf`` and ``date``.

    Raises
    ------
    ConfigError
        No factor column, a column name that is not a string, or a repeated name.

    Examples
    --------
    >>> user_factor_columns(["date", "mkt_rf", "smb", "hml", "rmw", "cma", "rf"])
    ('mkt_rf', 'smb', 'hml', 'rmw', 'cma')
    """
    cols = [c for c in columns if c not in NON_FACTOR_COLUMNS]
    bad = [c for c in cols if not isinstance(c, str)]
    if bad:
        raise ConfigError(f"factor column names must be strings, got {bad[:5]}; rename them")
    if len(set(cols)) != len(cols):
        raise ConfigError(f"factor columns are repeated: {cols}")
    if not cols:
        raise ConfigError(
            "the factor frame has no factor column (only 'rf'/'date'); give one column per "
            "factor, e.g. mkt_rf, smb, hml, rmw, cma"
        )
    return tuple(str(c) for c in cols)


def bind_model(name: str, factor_columns: Sequence[str] | None = None) -> NormalModel:
    """The model ``name`` ready to fit: ``"factors"`` gets the columns of the user's frame.

    ``model="factors"`` regresses ``R_it - rf_t`` on any factors (FF5, a China 3- or
    4-factor set, ...): ``K = 1 + F``, parameters ``alpha, b_<factor>...``; ``ff3`` and
    ``carhart`` are its named cases with fixed columns. Other models are returned
    as registered (``factor_columns`` is not used).

    Raises
    ------
    ConfigError
        An unknown model, or ``"factors"`` without factor columns.

    Examples
    --------
    >>> m = bind_model("factors", ("mkt_rf", "smb", "hml", "rmw", "cma"))
    >>> m.k, m.params
    (6, ('alpha', 'b_mkt_rf', 'b_smb', 'b_hml', 'b_rmw', 'b_cma'))
    >>> bind_model("market").k
    2
    """
    model = get_model(name)
    if model.name != "factors":
        return model
    if factor_columns is None:
        raise ConfigError(
            "model='factors' needs factors=: a DataFrame indexed by date whose columns are "
            "the factor returns (any names; an optional 'rf' column is the risk-free rate)"
        )
    cols = user_factor_columns(factor_columns)
    return replace(model, factors=cols, k=1 + len(cols), params=_factor_params(cols))


def param_names(model: str) -> list[str]:
    """Names of the estimated parameters of ``model`` (columns of ``result.params``).

    Examples
    --------
    >>> param_names("market"), param_names("raw")
    (['alpha', 'beta'], [])
    """
    return list(get_model(model).params)


def fit_model(
    model: str | NormalModel,
    r_est: FloatArray,
    z_est: FloatArray,
    r_evt: FloatArray,
    z_evt: FloatArray,
    *,
    rf_est: FloatArray | None = None,
    rf_evt: FloatArray | None = None,
    min_obs: int = 3,
    gap: int = 1,
) -> ModelFit:
    """Fit ``model`` for every event at once (no loop over events but for GARCH).

    Parameters
    ----------
    model
        One of :data:`MODELS` (its record's fit function runs), or a bound model
        (:func:`bind_model`, e.g. ``"factors"`` with its columns).
    r_est, r_evt
        ``(N, L1)`` / ``(N, L2)`` security returns on estimation / event days.
    z_est, z_evt
        ``(N, L1, F)`` / ``(N, L2, F)`` regressors: the market return for
        ``market``/``market_adjusted`` (``F = 1``), the factors for ``ff3``/``carhart``;
        ignored (may have ``F = 0``) for ``raw`` and ``constant_mean``.
    rf_est, rf_evt
        Risk-free rate for the factor models (the regression is on ``R - rf``).
    min_obs
        Events with fewer estimation observations get status 1.
    gap
        Sessions from the last estimation day to the first event day (``tau1 - T1``):
        the GARCH models forecast the variance of event day ``j`` ``gap + j`` steps ahead.

    Returns
    -------
    ModelFit

    Examples
    --------
    >>> import numpy as np
    >>> r = np.array([[0.01, 0.03, 0.02, 0.04, 0.0]])
    >>> fit = fit_model("constant_mean", r, r[:, :, None], r[:, :2], r[:, :2, None])
    >>> fit.params.round(3).tolist(), fit.ar.round(3).tolist()
    ([[0.02]], [[-0.01, 0.01]])
    """
    spec = model if isinstance(model, NormalModel) else get_model(model)
    return spec.fit(
        spec, r_est, z_est, r_evt, z_evt, rf_est=rf_est, rf_evt=rf_evt, min_obs=min_obs, gap=gap
    )
