"""The numerical core: (a chunk of events, the returns it needs) -> per-event pieces.

Everything here is a pure function of NumPy arrays shaped events x relative days;
there is no loop over events. :func:`event_pieces` turns the gathered returns
of a chunk of events into :class:`EventPieces` (abnormal returns, their
standardised versions, CAR/BHAR per window, ranks, ...). Pieces of several
chunks concatenate (:func:`concat_pieces`) and the cross-sectional statistics
(:mod:`eventstudy.study.inference`) are computed from them, so the same code
can be mapped over partitions of events by a distributed engine.

Conventions (METHODS.md):

- a missing return is missing: it reduces ``M_i`` in estimation; in the event
  window CAR, CSAR and BHAR sum/compound over the *present* days of the window
  and ``L`` is the number of present days (an event with no present day has NaN);
- ``S^2_{CAR}`` is the Mikkelson-Partch (1988) variance (:mod:`.models`);
- Corrado ranks are ordinal ranks of each event's abnormal returns over its
  estimation + event days (ties broken by position; with continuous returns ties
  have probability zero), ``U = rank/(T_i + 1) - 1/2`` with ``T_i`` the number of
  present days (Corrado and Zivney 1992).

Examples
--------
>>> import numpy as np
>>> from eventstudy.study.models import fit_model
>>> rng = np.random.default_rng(1)
>>> m = rng.normal(0, 0.01, (3, 130))
>>> r = 1.2 * m + rng.normal(0, 0.01, (3, 130))
>>> fit = fit_model("market", r[:, :120], m[:, :120, None], r[:, 120:], m[:, 120:, None])
>>> p = event_pieces(fit, r[:, 120:], windows=[(-1, 1), (-5, 4)], tau1=-5, k=2)
>>> bool(np.allclose(p.car[:, 1], p.ar.sum(axis=1)))
True
"""

from __future__ import annotations

from dataclasses import dataclass, fields
from typing import Any

import numpy as np

from eventstudy._typing import FloatArray
from eventstudy.study.models import ModelFit

__all__ = ["EventPieces", "concat_pieces", "event_pieces", "window_sums"]


@dataclass(frozen=True)
class EventPieces:
    """Per-event quantities of ``N`` events (all arrays have ``N`` rows).

    Attributes
    ----------
    params, m, sigma2
        Model parameters ``(N, P)``, ``M_i``, ``S_i^2``.
    k
        The model's ``K``.
    ar, sar, var_ar
        ``(N, L2)`` abnormal returns, standardised ``AR / S_{i,t}`` and ``S_{i,t}^2``.
    ret, expected
        ``(N, L2)`` security returns and expected returns on the event days.
    car, var_car, scar, csar, nwin, bhar
        ``(N, W)`` per window: CAR, ``S^2_{CAR}``, ``CAR/S_CAR``, sum of SAR,
        number of present days ``L``, buy-and-hold abnormal return.
    resid
        ``(N, L1)`` estimation residuals.
    frac_pos
        ``(N,)`` share of positive estimation residuals (Cowan 1992's ``p_i``).
    u
        ``(N, L1 + L2)`` Corrado ``U`` over estimation then event days (float32;
        reductions accumulate in float64).
    rank_est
        ``(N, L1)`` ordinal rank of each residual among the event's own residuals
        (float32, exact integers).
    zero_share
        ``(N,)`` share of estimation days with a return of exactly zero.
    pos0
        ``(N,)`` index of day 0 in the session calendar (for calendar overlap).
    """

    params: FloatArray
    m: np.ndarray
    sigma2: FloatArray
    k: int
    ar: FloatArray
    sar: FloatArray
    var_ar: FloatArray
    ret: FloatArray
    expected: FloatArray
    car: FloatArray
    var_car: FloatArray
    scar: FloatArray
    csar: FloatArray
    nwin: np.ndarray
    bhar: FloatArray
    resid: FloatArray
    frac_pos: FloatArray
    u: FloatArray
    rank_est: FloatArray
    zero_share: FloatArray
    pos0: np.ndarray

    @property
    def n(self) -> int:
        """Number of events."""
        return int(self.ar.shape[0])

    def take(self, idx: np.ndarray) -> EventPieces:
        """The pieces of a subset of events (``idx``: integer positions or a mask)."""
        kw: dict[str, Any] = {}
        for f in fields(self):
            v = getattr(self, f.name)
            kw[f.name] = v if f.name == "k" else v[idx]
        return EventPieces(**kw)


def window_sums(x: FloatArray, windows: list[tuple[int, int]], tau1: int) -> FloatArray:
    """Sums of ``x`` (``(N, L2)`` or ``(N, L2, F)``) over each window, NaN counted as 0.

    Examples
    --------
    >>> import numpy as np
    >>> window_sums(np.array([[1.0, np.nan, 3.0]]), [(-1, 0), (-1, 1)], tau1=-1).tolist()
    [[1.0, 4.0]]
    """
    x0 = np.where(np.isnan(x), 0.0, x)
    pad = np.zeros((x0.shape[0], 1, *x0.shape[2:]))
    cs = np.concatenate([pad, np.cumsum(x0, axis=1)], axis=1)
    lo = np.array([a - tau1 for a, _ in windows], dtype=np.intp)
    hi = np.array([b - tau1 + 1 for _, b in windows], dtype=np.intp)
    out: FloatArray = cs[:, hi] - cs[:, lo]
    return out


def _ranks(both: FloatArray, l1: int) -> tuple[np.ndarray, np.ndarray]:
    """Corrado ``U`` over all columns and ranks among the first ``l1`` columns only.

    One argsort per row (NaN sorts last, so the present values are the first ``T_i``
    sorted positions); the rank among the estimation columns is the running count of
    estimation entries in sorted order.
    """
    n, t = both.shape
    order = np.argsort(both, axis=1)
    t_i = np.isfinite(both).sum(axis=1)
    pos = np.arange(t, dtype=np.int32)[None, :]
    present_sorted = pos < t_i[:, None]
    u_sorted = (pos + 1).astype(np.float32) / (t_i[:, None] + 1.0).astype(np.float32) - 0.5
    u_sorted[~present_sorted] = np.nan
    u = np.empty((n, t), dtype=np.float32)
    np.put_along_axis(u, order, u_sorted, axis=1)
    est_sorted = (order < l1) & present_sorted
    cum = np.cumsum(est_sorted, axis=1, dtype=np.int16).astype(np.float32)
    cum[~est_sorted] = np.nan
    rank_all = np.empty((n, t), dtype=np.float32)
    np.put_along_axis(rank_all, order, cum, axis=1)
    return u, rank_all[:, :l1].copy()


def event_pieces(
    fit: ModelFit,
    r_evt: FloatArray,
    *,
    windows: list[tuple[int, int]],
    tau1: int,
    k: int,
    r_est: FloatArray | None = None,
    pos0: np.ndarray | None = None,
) -> EventPieces:
    """Per-event quantities from a fitted model (the pure core; no loop over events).

    Parameters
    ----------
    fit
        :func:`eventstudy.study.models.fit_model` output for ``N`` events.
    r_evt
        ``(N, L2)`` security returns on the event days ``tau1..tau2``.
    windows
        CAR windows ``(a, b)`` in relative days, inside ``tau1..tau2``.
    tau1
        First relative day of the event window.
    k
        The model's ``K``.
    r_est
        ``(N, L1)`` estimation returns (only for the zero-return share).
    pos0
        ``(N,)`` calendar index of each event's day 0.
    """
    n = r_evt.shape[0]
    l1 = fit.resid.shape[1]
    m = fit.m.astype(float)
    s2 = fit.sigma2
    ar = fit.ar
    present = np.isfinite(ar)
    f = fit.zc.shape[2]
    with np.errstate(invalid="ignore", divide="ignore"):
        # one-day prediction-error variance (Patell 1976)
        if fit.estimated:
            q = 1.0 / m[:, None]
            if f:
                q = q + np.einsum("ntf,nfg,ntg->nt", fit.zc, fit.ginv, fit.zc)
        else:
            q = np.zeros((n, 1))
        var_ar = s2[:, None] * (1.0 + q)
        sar = ar / np.sqrt(var_ar)
        # windows (Mikkelson-Partch 1988)
        nwin = window_sums(present.astype(float), windows, tau1)
        car = np.where(nwin > 0, window_sums(ar, windows, tau1), np.nan)
        if fit.estimated:
            quad = nwin**2 / m[:, None]
            if f:
                zc_p = np.where(present[:, :, None], fit.zc, 0.0)
                d = window_sums(zc_p, windows, tau1)
                quad = quad + np.einsum("nwf,nfg,nwg->nw", d, fit.ginv, d)
        else:
            quad = np.zeros_like(nwin)
        var_car = s2[:, None] * (nwin + quad)
        scar = car / np.sqrt(var_car)
        csar = np.where(nwin > 0, window_sums(sar, windows, tau1), np.nan)
        # buy-and-hold (simple returns, compounded over the present days)
        ok = present & np.isfinite(r_evt)
        lr = window_sums(np.where(ok, np.log1p(r_evt), 0.0), windows, tau1)
        le = window_sums(np.where(ok, np.log1p(fit.expected), 0.0), windows, tau1)
        bhar = np.where(nwin > 0, np.exp(lr) - np.exp(le), np.nan)
        resid = fit.resid
        frac_pos = (resid > 0).sum(axis=1) / m
        if r_est is not None:
            zero_share = (r_est == 0).sum(axis=1) / np.isfinite(r_est).sum(axis=1)
        else:
            zero_share = np.full(n, np.nan)
    # Corrado (1989) ranks over estimation + event days, Corrado-Zivney (1992) U
    u, rank_est = _ranks(np.concatenate([resid, ar], axis=1), l1)
    return EventPieces(
        params=fit.params,
        m=fit.m,
        sigma2=s2,
        k=k,
        ar=ar,
        sar=sar,
        var_ar=var_ar,
        ret=r_evt,
        expected=fit.expected,
        car=car,
        var_car=var_car,
        scar=scar,
        csar=csar,
        nwin=nwin,
        bhar=bhar,
        resid=resid,
        frac_pos=frac_pos,
        u=u,
        rank_est=rank_est,
        zero_share=zero_share,
        pos0=np.zeros(n, dtype=np.int64) if pos0 is None else np.asarray(pos0),
    )


def concat_pieces(parts: list[EventPieces]) -> EventPieces:
    """Concatenate the pieces of several chunks of events (in order)."""
    if len(parts) == 1:
        return parts[0]
    kw: dict[str, Any] = {}
    for f in fields(EventPieces):
        if f.name == "k":
            kw["k"] = parts[0].k
        else:
            kw[f.name] = np.concatenate([getattr(p, f.name) for p in parts], axis=0)
    return EventPieces(**kw)
