"""The test battery: cross-sectional statistics from per-event pieces.

Every test is two-sided and returns a statistic, a p-value and the number of
events it used; where a statistic is undefined (one event, zero dispersion) it
is NaN and ``note`` says why. The conventions are those of METHODS.md:

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
============== =========================================================== ==============

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

Examples
--------
>>> import numpy as np
>>> z, p, n = sign_test(np.array([[0.01], [0.02], [-0.01], [0.03]]))
>>> float(z[0]), int(n[0])
(1.0, 4)
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

import numpy as np
import pandas as pd
from scipy import stats

from eventstudy._typing import FloatArray
from eventstudy.study.core import EventPieces, map_blocks, ranks

__all__ = [
    "TESTS",
    "TEST_COLUMNS",
    "kp_rbar",
    "run_tests",
    "sign_test",
    "skew_t",
    "t_cross",
    "wilcoxon_signed_rank",
]

#: Every test name, in the order of the table.
TESTS: tuple[str, ...] = (
    "t_cross",
    "brown_warner",
    "patell",
    "patell_adj",
    "bmp",
    "kp_bmp",
    "sign",
    "gen_sign",
    "corrado",
    "grank",
    "wilcoxon",
    "skew_t",
)
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
]

_N1 = "undefined for N < 2 (cross-sectional sd)"
_SD0 = "undefined: zero cross-sectional dispersion"


def _norm_p(z: FloatArray) -> FloatArray:
    return np.asarray(2.0 * stats.norm.sf(np.abs(z)), dtype=float)


def _t_p(t: FloatArray, df: FloatArray | float) -> FloatArray:
    with np.errstate(invalid="ignore"):
        return np.asarray(2.0 * stats.t.sf(np.abs(t), df), dtype=float)


#: Relative size below which a cross-sectional sd is rounding noise, not dispersion:
#: identical series (e.g. a one-member board proxy and that stock) give CARs equal up
#: to ~1e-17, whose "sd" would otherwise yield t statistics of 1e15.
_SD_RTOL = 1e-10


def _col_moments(x: FloatArray) -> tuple[FloatArray, FloatArray, FloatArray]:
    """Per-column count, mean and sd; an sd that is rounding noise is returned as 0."""
    ok = np.isfinite(x)
    n = ok.sum(axis=0).astype(float)
    x0 = np.where(ok, x, 0.0)
    with np.errstate(invalid="ignore", divide="ignore"):
        mean = x0.sum(axis=0) / n
        dev = np.where(ok, x - mean, 0.0)
        sd = np.sqrt((dev * dev).sum(axis=0) / (n - 1))
    scale = np.abs(x0).max(axis=0) if x0.size else np.zeros(x0.shape[1:])
    sd = np.where(sd <= _SD_RTOL * scale, 0.0, sd)
    return n, mean, sd


def _xs_note(n: FloatArray, sd: FloatArray) -> list[str]:
    return [_N1 if k < 2 else (_SD0 if not s > 0 else "") for k, s in zip(n, sd, strict=True)]


def t_cross(x: FloatArray) -> tuple[FloatArray, FloatArray, FloatArray, list[str]]:
    """Cross-sectional t per column: ``sqrt(N) mean / sd``, t(N-1) (Brown-Warner 1985).

    Examples
    --------
    >>> t, p, n, note = t_cross(np.array([[1.0], [2.0], [3.0]]))
    >>> round(float(t[0]), 6), int(n[0])
    (3.464102, 3)
    """
    n, mean, sd = _col_moments(x)
    ok = (n >= 2) & (sd > 0)
    with np.errstate(invalid="ignore", divide="ignore"):
        t = np.where(ok, mean / sd * np.sqrt(n), np.nan)
    return t, _t_p(t, n - 1), n, _xs_note(n, sd)


def skew_t(x: FloatArray) -> tuple[FloatArray, FloatArray, FloatArray, list[str]]:
    """Skewness-adjusted t per column (Hall 1992; Lyon, Barber and Tsai 1999).

    ``t = sqrt(N) (S + g S^2 / 3 + g / (6N))`` with ``S = mean/sd`` and
    ``g = sum (x - mean)^3 / (N sd^3)``; p-value from t(N-1).

    Examples
    --------
    >>> t, p, n, _ = skew_t(np.array([[1.0], [2.0], [4.0]]))
    >>> round(float(t[0]), 4)  # S = 1.5275, g = 0.2078: sqrt(3)(S + g S^2/3 + g/18)
    2.9457
    """
    n, mean, sd = _col_moments(x)
    ok = (n >= 2) & (sd > 0)
    with np.errstate(invalid="ignore", divide="ignore"):
        dev = np.where(np.isfinite(x), x - mean, 0.0)
        g = (dev**3).sum(axis=0) / (n * sd**3)
        s = mean / sd
        t = np.where(ok, np.sqrt(n) * (s + g * s * s / 3.0 + g / (6.0 * n)), np.nan)
    return t, _t_p(t, n - 1), n, _xs_note(n, sd)


def sign_test(x: FloatArray) -> tuple[FloatArray, FloatArray, FloatArray]:
    """Sign test per column: ``(w - N/2) / sqrt(N/4)``, w = number of positive values."""
    ok = np.isfinite(x)
    n = ok.sum(axis=0).astype(float)
    w = (np.where(ok, x, 0.0) > 0).sum(axis=0)
    with np.errstate(invalid="ignore", divide="ignore"):
        z = np.where(n > 0, (w - n / 2.0) / np.sqrt(n / 4.0), np.nan)
    return z, _norm_p(z), n


def _gen_sign(x: FloatArray, frac_pos: FloatArray) -> tuple[FloatArray, FloatArray, FloatArray]:
    ok = np.isfinite(x)
    n = ok.sum(axis=0).astype(float)
    w = (np.where(ok, x, 0.0) > 0).sum(axis=0)
    with np.errstate(invalid="ignore", divide="ignore"):
        p_hat = (ok * frac_pos[:, None]).sum(axis=0) / n
        z = (w - n * p_hat) / np.sqrt(n * p_hat * (1.0 - p_hat))
    z = np.where((n > 0) & (p_hat > 0) & (p_hat < 1), z, np.nan)
    return z, _norm_p(z), n


def _wilcoxon_exact_cdf(n: int) -> FloatArray:
    """P(W+ <= w), w = 0..n(n+1)/2, for n untied nonzero values (subset-sum counts)."""
    top = n * (n + 1) // 2
    counts = np.zeros(top + 1)
    counts[0] = 1.0
    for k in range(1, n + 1):
        counts[k:] = counts[k:] + counts[:-k].copy()
    cdf: FloatArray = np.cumsum(counts) / 2.0**n
    return cdf


def wilcoxon_signed_rank(x: FloatArray) -> tuple[float, float, int, str]:
    """Wilcoxon signed-rank test of a zero median (zeros dropped, two-sided).

    Returns ``W+`` (the sum of the ranks of the positive values), the p-value,
    the number of nonzero values and a note. Exact for ``n <= 50`` without ties,
    else the normal approximation with tie correction (no continuity correction),
    as ``scipy.stats.wilcoxon(method="auto", correction=False)``.

    Examples
    --------
    >>> w, p, n, note = wilcoxon_signed_rank(np.array([0.5, 1.0, -0.2, 2.0]))
    >>> w, round(p, 4), n, note
    (9.0, 0.25, 4, 'exact')
    """
    v = np.asarray(x, dtype=float)
    v = v[np.isfinite(v) & (v != 0)]
    n = len(v)
    if n == 0:
        return np.nan, np.nan, 0, "no nonzero values"
    a = np.abs(v)
    ranks = stats.rankdata(a)
    w_plus = float(ranks[v > 0].sum())
    _, counts = np.unique(a, return_counts=True)
    return _wilcoxon_p(w_plus, n, counts)


def _wilcoxon_p(w_plus: float, n: int, counts: np.ndarray) -> tuple[float, float, int, str]:
    """p-value of ``W+`` for ``n`` nonzero values with tie-group sizes ``counts``."""
    ties = bool((counts > 1).any())
    if n <= 50 and not ties:
        cdf = _wilcoxon_exact_cdf(n)
        w_int = round(w_plus)
        lo = cdf[w_int]
        hi = 1.0 - (cdf[w_int - 1] if w_int > 0 else 0.0)
        return w_plus, float(min(1.0, 2.0 * min(lo, hi))), n, "exact"
    mean = n * (n + 1) / 4.0
    var = n * (n + 1) * (2 * n + 1) / 24.0 - float((counts**3 - counts).sum()) / 48.0
    if var <= 0:
        return w_plus, np.nan, n, "undefined: zero variance"
    z = (w_plus - mean) / np.sqrt(var)
    return w_plus, float(2.0 * stats.norm.sf(abs(z))), n, "normal approximation"


def kp_rbar(
    resid: FloatArray, pos0: np.ndarray, lengths: Iterable[int] = ()
) -> tuple[float, FloatArray, int]:
    """Kolari-Pynnönen (2010) average residual correlation over all ``N(N-1)`` pairs.

    The variance of a sum of ``N`` standardised abnormal returns with pairwise
    correlations ``rho_ij`` is ``N (1 + (N-1) rbar)`` with
    ``rbar = sum_{i != j} rho_ij / (N (N-1))``: the average over **all** ordered
    off-diagonal pairs (Kolari and Pynnönen 2010, eq. 9-11). Residuals are serially
    uncorrelated, so two abnormal returns are correlated only when they fall on the
    same calendar day:

    - day-level tests (``AR_{i,t}``, ``AR_{j,t}``): pairs with the **same day 0**
      contribute ``rho_ij``, every other pair contributes 0;
    - a CAR window of ``L`` days: the windows of events whose day 0 differ by ``d``
      share ``max(0, L - |d|)`` calendar days, so with serially uncorrelated
      residuals ``corr(CAR_i, CAR_j) = rho_ij (L - |d|) / L``; pairs further apart
      than ``L - 1`` sessions contribute 0.

    ``rho_ij`` is estimated from the estimation residuals: each event's residuals
    are demeaned over its present days and scaled to unit norm (``z_i``, missing
    days 0); for the same day 0 ``rho_ij = z_i . z_j`` (the Pearson correlation when
    no day is missing), for day 0 ``d`` sessions apart the co-moment over the
    ``L1 - d`` common calendar days, rescaled by ``L1 / (L1 - d)``. When every event
    has the same day 0 both definitions reduce to the textbook KP ``rbar``, the mean
    off-diagonal correlation of the estimation residuals. No ``N x N`` matrix: within
    a day-0 group ``sum_{i != j} z_i . z_j = ||sum z_i||^2 - sum ||z_i||^2``
    (METHODS.md), and groups ``d`` sessions apart are matched by position (one
    vectorised pass per ``d = 1..L-1``).

    Parameters
    ----------
    resid
        ``(N, L1)`` estimation residuals (NaN where missing) on relative days.
    pos0
        ``(N,)`` calendar (session) position of each event's day 0.
    lengths
        CAR window lengths ``L`` for which to compute the window ``rbar``.

    Returns
    -------
    rbar_day, rbar_windows, pairs
        ``rbar`` for the day-level tests, ``rbar`` for each of ``lengths`` (array),
        and the number of ordered pairs with the same day 0; zeros for ``N < 2``.

    References
    ----------
    Kolari, J., Pynnönen, S. (2010). Event study testing with cross-sectional
    correlation of abnormal returns. *Review of Financial Studies* 23(11), 3996-4025.

    Examples
    --------
    >>> e = np.array([[1.0, -1.0, 2.0, -2.0], [1.0, -1.0, 2.0, -2.0], [2.0, 1.0, -1.0, -2.0]])
    >>> rbar, rw, pairs = kp_rbar(e, np.array([10, 10, 10]), [1, 3])
    >>> round(rbar, 6), rw.round(6).tolist(), pairs  # corr 1, 3/10, 3/10 over 6 pairs
    (0.533333, [0.533333, 0.533333], 6)
    >>> rbar, rw, pairs = kp_rbar(e, np.array([10, 10, 50]), [3])
    >>> round(rbar, 6), pairs  # only the pair (0, 1) shares day 0: 2 * 1 / 6
    (0.333333, 2)
    """
    lens = np.asarray(list(lengths), dtype=np.int64)
    n, l1 = resid.shape
    if n < 2:
        return 0.0, np.zeros(len(lens)), 0
    p = np.asarray(pos0, dtype=np.int64)
    # events sorted by day 0: sum the z of each day-0 group, block by block (threads)
    order = np.argsort(p, kind="stable")
    ps = p[order]
    new_group = np.r_[True, ps[1:] != ps[:-1]]
    starts = np.flatnonzero(new_group)
    gid = np.cumsum(new_group) - 1
    gpos = ps[starts]
    size = np.diff(np.r_[starts, n])

    def part(lo: int, hi: int) -> tuple[np.ndarray, FloatArray, float]:
        r = resid[order[lo:hi]]
        ok = np.isfinite(r)
        r[~ok] = 0.0
        with np.errstate(invalid="ignore", divide="ignore"):
            mu = r.sum(axis=1) / ok.sum(axis=1)
            r -= mu[:, None]
            r[~ok] = 0.0
            norm = np.sqrt(np.einsum("ij,ij->i", r, r))
            r /= norm[:, None]
        r[~(norm > 0)] = 0.0
        g = gid[lo:hi]
        local = np.flatnonzero(np.r_[True, g[1:] != g[:-1]])
        return g[local], np.add.reduceat(r, local, axis=0), float(np.einsum("ij,ij->", r, r))

    zg = np.zeros((len(starts), l1))
    own = 0.0
    for g_ids, sums, o in map_blocks(part, n, block=2048):
        zg[g_ids] += sums  # group ids are distinct within a block
        own += o
    same = float(np.einsum("ij,ij->", zg, zg)) - own
    pairs = int((size * (size - 1)).sum())
    denom = float(n) * (n - 1)
    rbar_w = np.full(len(lens), same)
    for d in range(1, min(int(lens.max(initial=1)), l1)):  # one pass per lag, not per event
        h = np.searchsorted(gpos, gpos + d)
        hit = np.flatnonzero(h < len(gpos))
        hit = hit[gpos[h[hit]] == gpos[hit] + d]
        if len(hit) == 0:
            continue
        # event i at p, event j at p + d: i's relative day k + d is j's relative day k
        cross = float(np.einsum("ij,ij->", zg[hit, d:], zg[h[hit], : l1 - d]))
        w = np.clip(lens - d, 0, None) / lens * (l1 / (l1 - d))
        rbar_w += 2.0 * cross * w
    return same / denom, rbar_w / denom, pairs


def _rows(
    test: str,
    measure: str,
    scope: str,
    keys: list[Any],
    stat: Iterable[float],
    pval: Iterable[float],
    n: Iterable[float],
    notes: Iterable[str] | str = "",
) -> list[dict[str, Any]]:
    stat, pval, n = list(stat), list(pval), list(n)
    notes = [notes] * len(keys) if isinstance(notes, str) else list(notes)
    out = []
    for i, key in enumerate(keys):
        out.append(
            {
                "test": test,
                "measure": measure,
                "scope": scope,
                "rel_day": key if scope == "day" else None,
                "window": key if scope == "window" else None,
                "statistic": float(stat[i]),
                "pvalue": float(pval[i]),
                "n": int(n[i]),
                "note": notes[i],
            }
        )
    return out


def _rank_pass(pieces: EventPieces, scar: FloatArray | None) -> dict[str, Any]:
    """One blocked pass over the events for the rank tests (ranks are never stored).

    Each block ranks its events' residuals and abnormal returns
    (:func:`eventstudy.study.engine.ranks`) and accumulates what Corrado (``tot_u``,
    ``n_t``: column sums and counts of ``U``) and, when ``scar`` (N, C) is given,
    GRANK need. GRANK (Kolari and Pynnönen 2011): ``GSAR_i = SCAR_i / sd_i(SCAR)`` on
    the (cumulated) event day, ``SAR_{i,s}`` on the estimation days; ranks run over
    the ``T_i = M_i + 1`` present values. Adding the event value to the event's own
    estimation ranks moves each of them up by ``[SAR_{i,s} > GSAR_i]``
    (``e_{i,s} > GSAR_i S_i``, compared in float64); per day the ranks are summed
    with weights ``1 / (T_i + 1)``.
    """
    n_all, l1 = pieces.resid.shape
    t_all = l1 + pieces.ar.shape[1]
    ncol = 0 if scar is None else scar.shape[1]
    info: dict[str, Any] = {}
    if scar is not None:
        use = np.isfinite(scar)
        n_use = use.sum(axis=0)
        with np.errstate(invalid="ignore", divide="ignore"):
            sd = np.array(
                [
                    np.std(scar[use[:, c], c], ddof=1) if n_use[c] > 1 else np.nan
                    for c in range(ncol)
                ]
            )
            # threshold on the residual scale: GSAR_i S_i (NaN for events not used)
            thr = np.where(use, scar / sd, np.nan) * np.sqrt(pieces.sigma2)[:, None]
        w = 1.0 / (pieces.m.astype(float) + 2.0)  # 1 / (T_i + 1) with T_i = M_i + 1
        wu = np.where(use, w[:, None], 0.0)  # (N, C)
        usef = use.astype(float)
        info.update(use=use, n_use=n_use, sd=sd, w=w, gt_n=np.zeros((n_all, ncol)))

    def part(lo: int, hi: int) -> tuple[FloatArray, ...]:
        u, rk = ranks(pieces.resid[lo:hi], pieces.ar[lo:hi])
        ok = np.isfinite(u)
        tot_u = np.add.reduce(np.where(ok, u, np.float32(0.0)), axis=0, dtype=float)
        n_t = ok.sum(axis=0).astype(float)
        if scar is None:
            return tot_u, n_t
        e = pieces.resid[lo:hi]
        valid = np.isfinite(rk)
        rk0 = np.where(valid, rk, np.float32(0.0)).astype(float)
        gt_w = np.empty((ncol, l1))
        for c in range(ncol):  # CAR windows
            gt = (e > thr[lo:hi, c, None]).astype(float)  # NaN compares False
            info["gt_n"][lo:hi, c] = np.einsum("ij->i", gt)
            gt_w[c] = np.einsum("i,ij->j", wu[lo:hi, c], gt)
        # einsum, not BLAS: OpenBLAS threads inside worker threads oversubscribe the cores
        b_s = np.einsum("ic,ij->cj", wu[lo:hi], rk0)
        n_s = np.einsum("ic,ij->cj", usef[lo:hi], valid.astype(float))
        return tot_u, n_t, gt_w, b_s, n_s

    parts = map_blocks(part, n_all, block=1024)
    shapes = [(t_all,), (t_all,)] + ([(ncol, l1)] * 3 if scar is not None else [])
    names = ["tot_u", "n_t", "gt_w", "b_s", "n_s"]
    for i, shape in enumerate(shapes):
        info[names[i]] = np.sum([q[i] for q in parts], axis=0) if parts else np.zeros(shape)
    return info


def _grank(
    pieces: EventPieces, info: dict[str, Any]
) -> tuple[FloatArray, FloatArray, FloatArray, list[str]]:
    """GRANK of Kolari and Pynnönen (2011) per CAR window from :func:`_rank_pass` sums."""
    use, n_use, sd, w, gt_n = info["use"], info["n_use"], info["sd"], info["w"], info["gt_n"]
    ncol = use.shape[1]
    out_t = np.full(ncol, np.nan)
    out_p = np.full(ncol, np.nan)
    out_n = np.zeros(ncol)
    notes = [""] * ncol
    for c in range(ncol):
        n = int(n_use[c])
        out_n[c] = n
        if n < 2:
            notes[c] = _N1
            continue
        if not sd[c] > 0:
            notes[c] = _SD0
            continue
        n_s = info["n_s"][c]
        with np.errstate(invalid="ignore", divide="ignore"):
            ubar_s = (info["b_s"][c] + info["gt_w"][c]) / n_s - 0.5
        u0 = (1.0 + pieces.m[use[:, c]] - gt_n[use[:, c], c]) * w[use[:, c]] - 0.5
        ubar0 = float(u0.mean())
        have = n_s > 0
        t_pts = int(have.sum()) + 1
        s_u = np.sqrt((np.sum(n_s[have] / n * ubar_s[have] ** 2) + ubar0**2) / t_pts)
        if not s_u > 0:
            notes[c] = _SD0
            continue
        z = ubar0 / s_u
        denom = t_pts - 1 - z * z
        if denom <= 0:
            notes[c] = "undefined: |Z| too large for the t transform"
            continue
        out_t[c] = z * np.sqrt((t_pts - 2) / denom)
        out_p[c] = float(_t_p(np.array([out_t[c]]), t_pts - 2)[0])
    return out_t, out_p, out_n, notes


def _col_sums(x: np.ndarray) -> tuple[FloatArray, FloatArray]:
    """Column sums (float64) and counts of the finite values of a tall matrix, by blocks."""

    def part(lo: int, hi: int) -> tuple[FloatArray, FloatArray]:
        b = x[lo:hi]
        ok = np.isfinite(b)
        return (
            np.add.reduce(np.where(ok, b, 0.0), axis=0, dtype=float),
            ok.sum(axis=0).astype(float),
        )

    parts = map_blocks(part, x.shape[0], block=2048)
    if not parts:
        return np.zeros(x.shape[1]), np.zeros(x.shape[1])
    return np.sum([q[0] for q in parts], axis=0), np.sum([q[1] for q in parts], axis=0)


def _wilcoxon_columns(x: FloatArray) -> list[tuple[float, float, int, str]]:
    """:func:`wilcoxon_signed_rank` of every column of ``x`` with one integer sort each.

    Keys ``|x|`` bits << 1 | (x > 0) sort by absolute value (exact: the sign bit of
    ``|x|`` is free); ties in ``|x|`` (equal keys after dropping the sign bit) get
    their average rank, exactly as ``scipy.stats.rankdata``.
    """
    out = []
    for j in range(x.shape[1]):
        v = np.ascontiguousarray(x[:, j], dtype=np.float64)
        keep = np.isfinite(v) & (v != 0)
        n = int(keep.sum())
        if n == 0:
            out.append((np.nan, np.nan, 0, "no nonzero values"))
            continue
        k = np.abs(v[keep]).view(np.uint64) << np.uint64(1)
        k |= (v[keep] > 0).astype(np.uint64)
        k.sort()
        a = k >> np.uint64(1)
        pos = (k & np.uint64(1)).astype(bool)
        start = np.flatnonzero(np.r_[True, a[1:] != a[:-1]])
        counts = np.diff(np.r_[start, n])
        if len(start) == n:  # no ties
            w_plus = float(np.flatnonzero(pos).sum() + pos.sum())
        else:
            avg = start + (counts + 1) / 2.0
            w_plus = float(np.repeat(avg, counts)[pos].sum())
        out.append(_wilcoxon_p(w_plus, n, counts))
    return out


def _lag_days(tau1: int, l2: int) -> list[int]:
    return list(range(tau1, tau1 + l2))


def run_tests(
    pieces: EventPieces,
    *,
    windows: list[tuple[int, int]],
    tau1: int,
    tests: Iterable[str] = TESTS,
) -> tuple[pd.DataFrame, dict[str, Any]]:
    """The tidy test table for all event days (AR) and windows (CAR, BHAR).

    Parameters
    ----------
    pieces
        Per-event pieces of the analysed events.
    windows
        CAR windows (relative days), in the order of ``pieces.car`` columns.
    tau1
        First event day.
    tests
        Subset of :data:`TESTS` to compute.

    Returns
    -------
    table, info
        The table (columns :data:`TEST_COLUMNS`) and a dict with ``rbar`` (day-level
        tests), ``rbar_pairs`` (ordered pairs sharing a day 0) and ``rbar_windows``
        (array, one per window); see :func:`kp_rbar`.
    """
    want = set(tests)
    n_ev, l2 = pieces.ar.shape
    l1 = pieces.resid.shape[1]
    days = _lag_days(tau1, l2)
    labels = [f"[{a},{b}]" for a, b in windows]
    wlen = np.array([b - a + 1 for a, b in windows], dtype=float)
    rows: list[dict[str, Any]] = []
    rbar, rbar_w, pairs = (0.0, np.zeros(len(windows)), 0)
    if want & {"patell_adj", "kp_bmp"}:
        rbar, rbar_w, pairs = kp_rbar(pieces.resid, pieces.pos0, wlen.astype(np.int64))
    npairs = n_ev * (n_ev - 1)
    rnote = f"rbar={rbar:.4f} ({pairs} of {npairs} pairs share day 0)"
    rnote_w = [f"rbar={r:.4f} (calendar-overlapping windows)" for r in rbar_w]
    k = pieces.k
    m = pieces.m.astype(float)
    with np.errstate(invalid="ignore", divide="ignore"):
        patell_var = (m - k) / (m - k - 2.0)

    def rows_for(test: str, measure: str, scope: str, res: tuple[Any, ...]) -> None:
        keys = days if scope == "day" else labels
        note: Any = res[3] if len(res) > 3 else ""
        rows.extend(_rows(test, measure, scope, keys, res[0], res[1], res[2], note))

    ar, sar, car, scar = pieces.ar, pieces.sar, pieces.car, pieces.scar
    rank_info: dict[str, Any] = {}
    if want & {"corrado", "grank"}:
        rank_info = _rank_pass(pieces, scar if "grank" in want else None)
    for test in TESTS:
        if test not in want:
            continue
        if test == "t_cross":
            rows_for(test, "AR", "day", t_cross(ar))
            rows_for(test, "CAR", "window", t_cross(car))
            rows_for(test, "BHAR", "window", t_cross(pieces.bhar))
        elif test == "brown_warner":
            tot, cnt = _col_sums(pieces.resid)
            aar_est = tot[cnt > 0] / cnt[cnt > 0]
            m_aar = len(aar_est)
            s_aar = float(np.std(aar_est, ddof=1)) if m_aar > 1 else np.nan
            note = f"S(AAR) from {m_aar} estimation days"
            n_d, aar, _ = _col_moments(ar)
            n_w, caar, _ = _col_moments(car)
            with np.errstate(invalid="ignore", divide="ignore"):
                t_d = aar / s_aar
                t_w = caar / (np.sqrt(wlen) * s_aar)
            rows_for(test, "AR", "day", (t_d, _t_p(t_d, m_aar - 1), n_d, note))
            rows_for(test, "CAR", "window", (t_w, _t_p(t_w, m_aar - 1), n_w, note))
        elif test in ("patell", "patell_adj"):
            ok = np.isfinite(sar)
            n_d = ok.sum(axis=0).astype(float)
            with np.errstate(invalid="ignore", divide="ignore"):
                z_d = np.where(ok, sar, 0.0).sum(axis=0) / np.sqrt(
                    (ok * patell_var[:, None]).sum(axis=0)
                )
                okw = np.isfinite(pieces.csar) & np.isfinite(patell_var)[:, None]
                term = np.where(okw, pieces.csar / np.sqrt(pieces.nwin * patell_var[:, None]), 0.0)
                n_w = okw.sum(axis=0).astype(float)
                z_w = term.sum(axis=0) / np.sqrt(n_w)
            z_d = np.where(n_d > 0, z_d, np.nan)
            z_w = np.where(n_w > 0, z_w, np.nan)
            note_d: Any = ""
            note_w: Any = ""
            if test == "patell_adj":
                with np.errstate(invalid="ignore", divide="ignore"):
                    z_d = z_d * np.sqrt(1.0 / (1.0 + (n_d - 1.0) * rbar))
                    z_w = z_w * np.sqrt(1.0 / (1.0 + (n_w - 1.0) * rbar_w))
                note_d, note_w = rnote, rnote_w
            rows_for(test, "AR", "day", (z_d, _norm_p(z_d), n_d, note_d))
            rows_for(test, "CAR", "window", (z_w, _norm_p(z_w), n_w, note_w))
        elif test in ("bmp", "kp_bmp"):
            res_d = t_cross(sar)
            res_w = t_cross(scar)
            if test == "kp_bmp":
                out = []
                for (t, _p, n, xs_note), r, rn in (
                    (res_d, rbar, [rnote] * l2),
                    (res_w, rbar_w, rnote_w),
                ):
                    with np.errstate(invalid="ignore", divide="ignore"):
                        adj = t * np.sqrt((1.0 - r) / (1.0 + (n - 1.0) * r))
                    notes = [f"{x}; {y}" if x else y for x, y in zip(xs_note, rn, strict=True)]
                    out.append((adj, _t_p(adj, n - 1), n, notes))
                res_d, res_w = out[0], out[1]
            rows_for(test, "AR", "day", res_d)
            rows_for(test, "CAR", "window", res_w)
        elif test == "sign":
            rows_for(test, "AR", "day", sign_test(ar))
            rows_for(test, "CAR", "window", sign_test(car))
            rows_for(test, "BHAR", "window", sign_test(pieces.bhar))
        elif test == "gen_sign":
            rows_for(test, "AR", "day", _gen_sign(ar, pieces.frac_pos))
            rows_for(test, "CAR", "window", _gen_sign(car, pieces.frac_pos))
        elif test == "corrado":
            n_t = rank_info["n_t"]
            with np.errstate(invalid="ignore", divide="ignore"):
                ubar = rank_info["tot_u"] / n_t
            have = n_t > 0
            s_u = np.sqrt(np.sum(n_t[have] / n_ev * ubar[have] ** 2) / max(int(have.sum()), 1))
            ub_evt = ubar[l1:]
            with np.errstate(invalid="ignore", divide="ignore"):
                z_d = ub_evt / s_u
                z_w = np.empty(len(windows))
                n_w = np.empty(len(windows))
                for j, (a, b) in enumerate(windows):
                    seg = ub_evt[a - tau1 : b - tau1 + 1]
                    seg = seg[np.isfinite(seg)]
                    z_w[j] = np.sqrt(len(seg)) * seg.mean() / s_u if len(seg) else np.nan
                    seen = np.isfinite(pieces.ar[:, a - tau1 : b - tau1 + 1])  # U finite iff AR
                    n_w[j] = int(seen.any(axis=1).sum())
            note = "" if s_u > 0 else _SD0
            rows_for(test, "AR", "day", (z_d, _norm_p(z_d), n_t[l1:], note))
            rows_for(test, "CAR", "window", (z_w, _norm_p(z_w), n_w, note))
        elif test == "grank":
            rows_for(test, "CAR", "window", _grank(pieces, rank_info))
        elif test == "wilcoxon":
            for measure, scope, mat in (
                ("AR", "day", ar),
                ("CAR", "window", car),
                ("BHAR", "window", pieces.bhar),
            ):
                res = _wilcoxon_columns(mat)
                rows_for(
                    test,
                    measure,
                    scope,
                    (
                        [r[0] for r in res],
                        [r[1] for r in res],
                        [r[2] for r in res],
                        [r[3] for r in res],
                    ),
                )
        elif test == "skew_t":
            rows_for(test, "CAR", "window", skew_t(car))
            rows_for(test, "BHAR", "window", skew_t(pieces.bhar))
    if n_ev == 1:
        dof = m[0] - k
        note = f"single event: t({int(dof)})"
        t_d = sar[0]
        t_w = scar[0]
        n_d = np.isfinite(t_d).astype(float)
        n_w = np.isfinite(t_w).astype(float)
        rows_for("t_event", "AR", "day", (t_d, _t_p(t_d, dof), n_d, note))
        rows_for("t_event", "CAR", "window", (t_w, _t_p(t_w, dof), n_w, note))
    table = pd.DataFrame(rows, columns=TEST_COLUMNS)
    table["rel_day"] = table["rel_day"].astype("Int64")
    table["window"] = table["window"].astype(object).where(table["window"].notna(), None)
    table["note"] = table["note"].astype(str)
    info: dict[str, Any] = {"rbar": rbar, "rbar_pairs": pairs, "rbar_windows": rbar_w}
    return table, info
