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

References
----------
Patell, J. (1976). Corporate forecasts of earnings per share and stock price behavior.
*Journal of Accounting Research* 14(2), 246-276.
Mikkelson, W., Partch, M. (1988). Withdrawn security offerings. *JFQA* 23(2), 119-133.
MacKinlay, A. C. (1997). Event studies in economics and finance. *JEL* 35(1), 13-39.
Fama, E., French, K. (1993). Common risk factors in the returns on stocks and bonds.
*JFE* 33, 3-56. Carhart, M. (1997). On persistence in mutual fund performance. *JF* 52, 57-82.

Examples
--------
>>> import numpy as np
>>> rng = np.random.default_rng(0)
>>> m = rng.normal(0, 0.01, (2, 120))
>>> r = 0.001 + 1.5 * m + rng.normal(0, 0.002, (2, 120))
>>> fit = fit_model("market", r, m[:, :, None], r[:, :5], m[:, :5, None])
>>> np.round(fit.params[:, 1], 1).tolist()
[1.5, 1.5]
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from eventstudy._typing import FloatArray, ModelName

__all__ = ["FACTOR_COLUMNS", "MODELS", "MODEL_K", "ModelFit", "fit_model", "param_names"]

MODELS: tuple[ModelName, ...] = (
    "raw",
    "constant_mean",
    "market_adjusted",
    "market",
    "ff3",
    "carhart",
)

#: K used in ``S_i^2 = sum AR^2 / (M - K)`` and in Patell's ``(M - K)/(M - K - 2)``.
MODEL_K: dict[str, int] = {
    "raw": 1,
    "market_adjusted": 1,
    "constant_mean": 1,
    "market": 2,
    "ff3": 4,
    "carhart": 5,
}

#: Columns a factor DataFrame must have (``rf`` is optional, 0 when absent).
FACTOR_COLUMNS: dict[str, tuple[str, ...]] = {
    "ff3": ("mkt_rf", "smb", "hml"),
    "carhart": ("mkt_rf", "smb", "hml", "mom"),
}

#: Status codes of :attr:`ModelFit.status`.
OK, INSUFFICIENT, CONSTANT = 0, 1, 2


def param_names(model: str) -> list[str]:
    """Names of the estimated parameters of ``model`` (columns of ``result.params``).

    Examples
    --------
    >>> param_names("market"), param_names("raw")
    (['alpha', 'beta'], [])
    """
    if model == "constant_mean":
        return ["mu"]
    if model == "market":
        return ["alpha", "beta"]
    if model in FACTOR_COLUMNS:
        return ["alpha", *[f"b_{c}" for c in FACTOR_COLUMNS[model]]]
    return []


def n_regressors(model: str) -> int:
    """Number of regressors besides the intercept (``F``)."""
    if model == "market":
        return 1
    return len(FACTOR_COLUMNS.get(model, ()))


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
        ``(N,)`` 0 ok, 1 too few observations, 2 constant returns / singular regressors.
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


def _masked_mean(x: FloatArray, valid: np.ndarray, m: np.ndarray) -> FloatArray:
    with np.errstate(invalid="ignore", divide="ignore"):
        return np.where(valid, x, 0.0).sum(axis=1) / m


def _fit_market(
    y: FloatArray, z: FloatArray, r_evt: FloatArray, z_evt: FloatArray, *, min_obs: int
) -> ModelFit:
    """Market model by closed-form OLS, with few full-size temporaries (the hot path).

    ``beta = S_zy / S_zz``, ``alpha = ybar - beta zbar`` and
    ``SSR = S_yy - beta S_zy`` from row sums over the present days.
    """
    n = y.shape[0]
    valid = np.isfinite(y) & np.isfinite(z)
    m = valid.sum(axis=1)
    y0 = np.where(valid, y, 0.0)
    z0 = np.where(valid, z, 0.0)
    with np.errstate(invalid="ignore", divide="ignore"):
        ybar = y0.sum(axis=1) / m
        zbar = z0.sum(axis=1) / m
        syy = np.einsum("ij,ij->i", y0, y0)
        szz = np.einsum("ij,ij->i", z0, z0)
        szy = np.einsum("ij,ij->i", z0, y0)
        ss_y = syy - m * ybar * ybar
        ss_z = szz - m * zbar * zbar
        sp = szy - m * zbar * ybar
        beta = sp / ss_z
        alpha = ybar - beta * zbar
        ssr = np.maximum(ss_y - beta * sp, 0.0)
    status = np.zeros(n, dtype=np.int8)
    status[m < max(min_obs, 5)] = INSUFFICIENT
    const = ~(ss_y > 1e-12 * syy) | ~(ss_z > 1e-12 * szz)
    status[(status == OK) & const] = CONSTANT
    resid = z * (-beta[:, None])
    resid += y
    resid -= alpha[:, None]
    resid[~valid] = np.nan
    expected = alpha[:, None] + beta[:, None] * z_evt
    dof = m - 2
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
        zc=(z_evt - zbar[:, None])[:, :, None],
        ginv=ginv,
        estimated=True,
        status=status,
    )


def fit_model(
    model: str,
    r_est: FloatArray,
    z_est: FloatArray,
    r_evt: FloatArray,
    z_evt: FloatArray,
    *,
    rf_est: FloatArray | None = None,
    rf_evt: FloatArray | None = None,
    min_obs: int = 3,
) -> ModelFit:
    """Fit ``model`` for every event at once (no loop over events).

    Parameters
    ----------
    model
        One of :data:`MODELS`.
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

    Returns
    -------
    ModelFit
    """
    n = r_est.shape[0]
    f = n_regressors(model)
    if model == "market":
        return _fit_market(r_est, z_est[:, :, 0], r_evt, z_evt[:, :, 0], min_obs=min_obs)
    k = MODEL_K[model]
    y_est = r_est
    if model in FACTOR_COLUMNS:
        if rf_est is None or rf_evt is None:
            raise ValueError(f"model={model!r} needs rf_est and rf_evt")
        y_est = r_est - rf_est
    uses_z = model in ("market", "market_adjusted", "ff3", "carhart")
    valid = np.isfinite(y_est)
    if uses_z:
        valid &= np.isfinite(z_est).all(axis=2)
    m = valid.sum(axis=1)
    status = np.zeros(n, dtype=np.int8)
    status[m < max(min_obs, k + 3)] = INSUFFICIENT
    ybar = _masked_mean(y_est, valid, m)
    with np.errstate(invalid="ignore", divide="ignore"):
        yc = np.where(valid, y_est - ybar[:, None], 0.0)
        ss_y = (yc * yc).sum(axis=1)
    status[(status == OK) & ~(ss_y > 0)] = CONSTANT
    zc = np.zeros((n, r_evt.shape[1], f))
    ginv = np.zeros((n, f, f))
    if model == "raw":
        params = np.empty((n, 0))
        exp_est, exp_evt = np.zeros_like(r_est), np.zeros_like(r_evt)
    elif model == "market_adjusted":
        params = np.empty((n, 0))
        exp_est, exp_evt = z_est[:, :, 0], z_evt[:, :, 0]
    elif model == "constant_mean":
        params = ybar[:, None]
        exp_est = np.broadcast_to(ybar[:, None], r_est.shape)
        exp_evt = np.broadcast_to(ybar[:, None], r_evt.shape)
    else:
        with np.errstate(invalid="ignore", divide="ignore"):
            zbar = np.where(valid[:, :, None], z_est, 0.0).sum(axis=1) / m[:, None]
            zc_est = np.where(valid[:, :, None], z_est - zbar[:, None, :], 0.0)
        if f == 1:
            # closed-form OLS on centred data (numerically the two-pass formula)
            z0 = zc_est[:, :, 0]
            ss_z = (z0 * z0).sum(axis=1)
            sing = ~(ss_z > 0)
            with np.errstate(invalid="ignore", divide="ignore"):
                beta = ((z0 * yc).sum(axis=1) / ss_z)[:, None]
                ginv[:, 0, 0] = 1.0 / ss_z
        else:
            g = np.einsum("ntf,ntg->nfg", zc_est, zc_est)
            zy = np.einsum("ntf,nt->nf", zc_est, yc)
            det = np.linalg.det(g)
            scale = np.prod(np.einsum("nff->nf", g), axis=1)
            sing = ~(np.abs(det) > 1e-12 * np.abs(scale))
            g_safe = g.copy()
            g_safe[sing] = np.eye(f)
            ginv = np.linalg.inv(g_safe)
            beta = np.einsum("nfg,ng->nf", ginv, zy)
            beta[sing] = np.nan
            ginv[sing] = np.nan
        status[(status == OK) & sing] = CONSTANT
        alpha = ybar - (zbar * beta).sum(axis=1)
        params = np.column_stack([alpha, beta])
        exp_est = alpha[:, None] + np.einsum("ntf,nf->nt", z_est, beta)
        exp_evt = alpha[:, None] + np.einsum("ntf,nf->nt", z_evt, beta)
        zc = z_evt - zbar[:, None, :]
        if model in FACTOR_COLUMNS:
            assert rf_est is not None  # checked above
            assert rf_evt is not None
            exp_est = exp_est + rf_est
            exp_evt = exp_evt + rf_evt
    resid = np.where(valid, r_est - exp_est, np.nan)
    ar = r_evt - exp_evt
    dof = m - k
    with np.errstate(invalid="ignore", divide="ignore"):
        sigma2 = np.where(valid, resid * resid, 0.0).sum(axis=1) / dof
    sigma2 = np.where(dof > 0, sigma2, np.nan)
    return ModelFit(
        params=np.asarray(params, dtype=float),
        m=m,
        sigma2=sigma2,
        resid=resid,
        ar=ar,
        expected=np.asarray(exp_evt, dtype=float),
        zc=zc,
        ginv=ginv,
        estimated=model not in ("raw", "market_adjusted"),
        status=status,
    )
