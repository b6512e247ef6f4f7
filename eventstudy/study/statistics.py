"""Cross-sectional statistics of the test battery: pure functions over arrays.

Each function takes a matrix ``x`` (events x columns; a column is a relative day
or a CAR window, NaN where an event has no value) and returns one statistic per
column, its two-sided p-value and the number of events used. The tests of
:mod:`eventstudy.study.inference` are built from these; the formulas and
references are given there and in each docstring.

Examples
--------
>>> import numpy as np
>>> z, p, n = sign_test(np.array([[0.01], [0.02], [-0.01], [0.03]]))
>>> float(z[0]), int(n[0])
(1.0, 4)
"""

from __future__ import annotations

import warnings
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from typing import get_args

import numpy as np
from scipy import stats

from eventstudy._typing import FloatArray, PAdjustMethod
from eventstudy.exceptions import ConfigError
from eventstudy.study.core import (
    EventPieces,
    SortedRows,
    day0_groups,
    map_blocks,
    scratch,
    sort_rows,
)
from eventstudy.study.models import count_rows

__all__ = [
    "COLUMN_BLOCK",
    "KP_BLOCK",
    "P_ADJUST_METHODS",
    "RANK_BLOCK",
    "UNDEFINED_N1",
    "UNDEFINED_SD0",
    "GrankSums",
    "KPGroups",
    "RankSums",
    "adjust_pvalues",
    "column_counts",
    "column_moments",
    "column_sums",
    "generalized_sign",
    "grank",
    "grank_sd",
    "kp_groups",
    "kp_rbar",
    "kp_rbar_of",
    "merge_kp_groups",
    "norm_pvalue",
    "rank_sums",
    "sign_test",
    "skew_t",
    "t_cross",
    "t_from_moments",
    "t_pvalue",
    "unit_residuals",
    "wilcoxon_columns",
    "wilcoxon_signed_rank",
]

#: Note of a cross-sectional statistic with fewer than two events.
UNDEFINED_N1 = "undefined for N < 2 (cross-sectional sd)"
#: Note of a cross-sectional statistic whose values do not vary.
UNDEFINED_SD0 = "undefined: zero cross-sectional dispersion"


#: Multiple-testing adjustments (:func:`adjust_pvalues`), in the order of the table's columns.
P_ADJUST_METHODS: tuple[PAdjustMethod, ...] = get_args(PAdjustMethod)


def adjust_pvalues(pvalues: FloatArray | list[float], method: PAdjustMethod) -> FloatArray:
    """Multiple-testing adjusted p-values of one family (NaN p-values left out of it).

    With the ``m`` finite p-values sorted, ``p_(1) <= ... <= p_(m)``:

    - ``"holm"`` (Holm 1979, step-down, controls the family-wise error rate):
      ``p~_(i) = max_{j <= i} min(1, (m - j + 1) p_(j))``;
    - ``"bh"`` (Benjamini and Hochberg 1995, step-up, controls the false discovery
      rate): ``p~_(i) = min_{j >= i} min(1, m p_(j) / j)``.

    These are ``statsmodels.stats.multitest.multipletests(p, method="holm")`` and
    ``method="fdr_bh"``. NaN p-values (undefined statistics) stay NaN and do not count
    in ``m``.

    References
    ----------
    Holm, S. (1979). A simple sequentially rejective multiple test procedure.
    *Scandinavian Journal of Statistics* 6(2), 65-70.
    Benjamini, Y., Hochberg, Y. (1995). Controlling the false discovery rate. *JRSS B*
    57(1), 289-300.

    Raises
    ------
    ConfigError
        For a method other than ``"holm"`` and ``"bh"``.

    Examples
    --------
    >>> adjust_pvalues([0.01, 0.04, np.nan, 0.03], "holm").round(4).tolist()
    [0.03, 0.06, nan, 0.06]
    >>> adjust_pvalues([0.01, 0.04, np.nan, 0.03], "bh").round(4).tolist()
    [0.03, 0.04, nan, 0.04]
    """
    p = np.asarray(pvalues, dtype=float)
    out = np.full(p.shape, np.nan)
    ok = np.isfinite(p)
    m = int(ok.sum())
    if method not in P_ADJUST_METHODS:
        raise ConfigError(f"method={method!r} is not one of {P_ADJUST_METHODS}")
    if m == 0:
        return out
    order = np.argsort(p[ok], kind="stable")
    s = p[ok][order]
    i = np.arange(1, m + 1)
    if method == "holm":
        adj = np.maximum.accumulate(np.minimum(1.0, (m - i + 1) * s))
    else:
        adj = np.minimum(1.0, np.minimum.accumulate((m * s / i)[::-1])[::-1])
    sorted_back = np.empty(m)
    sorted_back[order] = adj
    out[ok] = sorted_back
    return out


def norm_pvalue(z: FloatArray) -> FloatArray:
    """Two-sided p-values of standard normal statistics.

    Examples
    --------
    >>> norm_pvalue(np.array([1.959964])).round(4).tolist()
    [0.05]
    """
    return np.asarray(2.0 * stats.norm.sf(np.abs(z)), dtype=float)


def t_pvalue(t: FloatArray, df: FloatArray | float) -> FloatArray:
    """Two-sided p-values of Student t statistics with ``df`` degrees of freedom.

    Examples
    --------
    >>> t_pvalue(np.array([2.0639]), 24).round(4).tolist()
    [0.05]
    """
    with np.errstate(invalid="ignore"):
        return np.asarray(2.0 * stats.t.sf(np.abs(t), df), dtype=float)


#: Relative size below which a cross-sectional sd is rounding noise, not dispersion:
#: identical series (e.g. a one-member board proxy and that stock) give CARs equal up
#: to ~1e-17, whose "sd" would otherwise yield t statistics of 1e15.
_SD_RTOL = 1e-10


#: Rows per block of :func:`column_moments`: a block's work arrays stay in the CPU cache
#: and are reused.
COLUMN_BLOCK = 4096


def _column_sums(
    x: FloatArray, width: int, fill: Callable[[int, int, FloatArray], None]
) -> FloatArray:
    """Column sums of the values ``fill(lo, hi, out)`` writes for the rows ``lo:hi`` of ``x``.

    Block by block (``out`` is ``(hi - lo, width)``), each block's sum starting from the
    sum of the rows before it: for ``width >= 2`` the float additions are those of one
    ``sum(axis=0)`` of all the values (a C-ordered reduction along the rows adds them
    one by one; a single column would be summed pairwise).
    """
    acc: FloatArray = np.zeros(width)
    for lo in range(0, x.shape[0], COLUMN_BLOCK):
        hi = min(lo + COLUMN_BLOCK, x.shape[0])
        buf = scratch("column_sums", (hi - lo + 1, width), np.float64)
        fill(lo, hi, buf[1:])
        buf[0] = acc
        acc = np.add.reduce(buf if lo else buf[1:], axis=0)
    return acc


def column_moments(x: FloatArray) -> tuple[FloatArray, FloatArray, FloatArray]:
    """Per-column count, mean and sd; an sd that is rounding noise is returned as 0.

    Sums in row order, block by block (:data:`COLUMN_BLOCK` rows), in float64: for a
    C-ordered float64 matrix of two columns or more, the same float sums as
    ``sum(axis=0)`` of the whole matrix, without its full-size temporaries. Where NumPy
    would sum pairwise (one column, an F-ordered matrix: a reduction along contiguous
    memory) or in float32, the sums are the same to rounding (~1e-16 relative) and do not
    depend on the memory layout.

    Examples
    --------
    >>> n, mean, sd = column_moments(np.array([[1.0], [3.0], [np.nan]]))
    >>> n.tolist(), mean.tolist(), sd.round(4).tolist()
    ([2.0], [2.0], [1.4142])
    """
    x = np.asarray(x)
    ncol = x.shape[1]
    scale = np.zeros(ncol)

    def first(lo: int, hi: int, out: FloatArray) -> None:  # x zeroed where missing | present
        rows, x0 = x[lo:hi], out[:, :ncol]
        ok = np.isfinite(rows)
        np.copyto(x0, rows)
        np.copyto(x0, 0.0, where=~ok)
        out[:, ncol:] = ok
        if hi > lo:  # max |x0| per column, on the transposed block (a max down the rows is slow)
            tr = scratch("column_abs", (ncol, hi - lo), np.float64)
            np.copyto(tr, x0.T)
            np.maximum(scale, np.abs(tr, out=tr).max(axis=1), out=scale)

    def second(lo: int, hi: int, out: FloatArray) -> None:  # squared deviations
        rows = x[lo:hi]
        np.subtract(rows, mean, out=out)
        np.copyto(out, 0.0, where=~np.isfinite(rows))
        np.multiply(out, out, out=out)

    with np.errstate(invalid="ignore", divide="ignore"):
        sums = _column_sums(x, 2 * ncol, first)
        n = sums[ncol:]
        mean = sums[:ncol] / n
        sd = np.sqrt(_column_sums(x, ncol, second) / (n - 1))
    sd = np.where(sd <= _SD_RTOL * scale, 0.0, sd)
    return n, mean, sd


def _xs_note(n: FloatArray, sd: FloatArray) -> list[str]:
    return [
        UNDEFINED_N1 if k < 2 else (UNDEFINED_SD0 if not s > 0 else "")
        for k, s in zip(n, sd, strict=True)
    ]


def t_cross(x: FloatArray) -> tuple[FloatArray, FloatArray, FloatArray, list[str]]:
    """Cross-sectional t per column: ``sqrt(N) mean / sd``, t(N-1) (Brown-Warner 1985).

    Examples
    --------
    >>> t, p, n, note = t_cross(np.array([[1.0], [2.0], [3.0]]))
    >>> round(float(t[0]), 6), int(n[0])
    (3.464102, 3)
    """
    return t_from_moments(*column_moments(x))


def t_from_moments(
    n: FloatArray, mean: FloatArray, sd: FloatArray
) -> tuple[FloatArray, FloatArray, FloatArray, list[str]]:
    """:func:`t_cross` from the :func:`column_moments` of ``x`` (to reuse them).

    Examples
    --------
    >>> t, p, n, note = t_from_moments(*column_moments(np.array([[1.0], [2.0], [3.0]])))
    >>> round(float(t[0]), 6), note
    (3.464102, [''])
    """
    ok = (n >= 2) & (sd > 0)
    with np.errstate(invalid="ignore", divide="ignore"):
        t = np.where(ok, mean / sd * np.sqrt(n), np.nan)
    return t, t_pvalue(t, n - 1), n, _xs_note(n, sd)


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
    n, mean, sd = column_moments(x)
    ok = (n >= 2) & (sd > 0)
    with np.errstate(invalid="ignore", divide="ignore"):
        dev = np.where(np.isfinite(x), x - mean, 0.0)
        g = (dev * dev * dev).sum(axis=0) / (n * sd**3)  # not dev**3: pow is 20x slower
        s = mean / sd
        t = np.where(ok, np.sqrt(n) * (s + g * s * s / 3.0 + g / (6.0 * n)), np.nan)
    return t, t_pvalue(t, n - 1), n, _xs_note(n, sd)


def sign_test(x: FloatArray) -> tuple[FloatArray, FloatArray, FloatArray]:
    """Sign test per column: ``(w - N/2) / sqrt(N/4)``, w = number of positive values.

    Examples
    --------
    >>> z, p, n = sign_test(np.array([[0.01, -0.02], [0.02, -0.01], [-0.01, np.nan]]))
    >>> z.round(4).tolist(), n.tolist()
    ([0.5774, -1.4142], [3.0, 2.0])
    """
    ok = np.isfinite(x)
    n = ok.sum(axis=0).astype(float)
    w = (np.where(ok, x, 0.0) > 0).sum(axis=0)
    with np.errstate(invalid="ignore", divide="ignore"):
        z = np.where(n > 0, (w - n / 2.0) / np.sqrt(n / 4.0), np.nan)
    return z, norm_pvalue(z), n


def generalized_sign(
    x: FloatArray, frac_pos: FloatArray
) -> tuple[FloatArray, FloatArray, FloatArray, FloatArray]:
    """Generalized sign test per column (Cowan 1992): ``(w - N p) / sqrt(N p (1-p))``.

    ``w`` is the number of positive values, ``p`` the mean over the column's events
    of ``frac_pos`` (each event's share of positive estimation residuals). Returns
    the statistic, its N(0,1) p-value, ``N`` and ``p``.

    Examples
    --------
    >>> z, p, n, p_hat = generalized_sign(np.array([[0.1], [0.2], [-0.1], [0.3]]),
    ...                                   np.full(4, 0.5))
    >>> float(z[0]), float(p_hat[0])
    (1.0, 0.5)
    """
    ok = np.isfinite(x)
    n = ok.sum(axis=0).astype(float)
    w = (np.where(ok, x, 0.0) > 0).sum(axis=0)
    with np.errstate(invalid="ignore", divide="ignore"):
        p_hat = (ok * frac_pos[:, None]).sum(axis=0) / n
        z = (w - n * p_hat) / np.sqrt(n * p_hat * (1.0 - p_hat))
    z = np.where((n > 0) & (p_hat > 0) & (p_hat < 1), z, np.nan)
    return z, norm_pvalue(z), n, p_hat


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
    return kp_rbar_of(kp_groups(resid, pos0), lengths)


@dataclass(frozen=True, slots=True)
class KPGroups:
    """What :func:`kp_rbar` needs of a set of events, summed by day-0 position.

    Every sum is over events, so the groups of disjoint sets of events (e.g. the
    partitions of a study run on several workers) merge exactly by adding them
    position by position (:func:`merge_kp_groups`); :func:`kp_rbar_of` then gives
    the ``rbar`` of all the events.

    Attributes
    ----------
    pos
        ``(G,)`` the distinct day-0 positions, increasing.
    z
        ``(G, L1)`` per position, the sum of the events' demeaned, unit-norm
        residuals ``z_i`` (missing days 0).
    size
        ``(G,)`` events per position.
    own
        ``sum_i ||z_i||^2`` (1 per event with residuals that vary, else 0).
    """

    pos: np.ndarray
    z: FloatArray
    size: np.ndarray
    own: float


def kp_groups(resid: FloatArray, pos0: np.ndarray) -> KPGroups:
    """The :class:`KPGroups` of events with residuals ``resid`` ``(N, L1)`` and day 0s ``pos0``.

    Examples
    --------
    >>> g = kp_groups(np.array([[1.0, -1.0], [2.0, -2.0], [1.0, 1.0]]), np.array([5, 5, 9]))
    >>> g.pos.tolist(), g.size.tolist(), g.z.round(4).tolist(), round(g.own, 12)
    ([5, 9], [2, 1], [[1.4142, -1.4142], [0.0, 0.0]], 2.0)
    """
    n, l1 = resid.shape
    # events sorted by day 0: sum the z of each day-0 group, block by block (threads)
    groups = day0_groups(pos0)

    def part(lo: int, hi: int) -> tuple[np.ndarray, FloatArray, float]:
        r = resid[groups.order[lo:hi]]
        ok = np.isfinite(r)
        r[~ok] = 0.0
        own = unit_residuals(r, ok)
        ids, starts = groups.block(lo, hi)
        return ids, np.add.reduceat(r, starts, axis=0), own

    zg = np.zeros((len(groups.pos), l1))
    own = 0.0
    if n:
        for g_ids, sums, o in map_blocks(part, n, block=KP_BLOCK):
            zg[g_ids] += sums  # group ids are distinct within a block
            own += o
    return KPGroups(groups.pos, zg, groups.size, own)


#: Events per block of the passes in day-0 order (:func:`kp_groups`, calendar groups).
KP_BLOCK = 2048


def unit_residuals(r: FloatArray, ok: np.ndarray) -> float:
    """Kolari-Pynnönen's ``z_i`` in place: each row demeaned over ``ok``, unit norm.

    ``r`` ``(n, L1)`` holds the residuals with the missing ones (``~ok``) set to 0;
    afterwards it holds ``z_i`` (missing days and rows without variation 0). Returns
    ``sum_i ||z_i||^2``.

    Examples
    --------
    >>> r = np.array([[1.0, 3.0, 0.0], [2.0, 2.0, 2.0]])
    >>> own = unit_residuals(r, np.array([[True, True, False], [True, True, True]]))
    >>> r.round(4).tolist(), round(own, 12)
    ([[-0.7071, 0.7071, 0.0], [0.0, 0.0, 0.0]], 1.0)
    """
    with np.errstate(invalid="ignore", divide="ignore"):
        count = count_rows(ok)
        mu = r.sum(axis=1) / count
        r -= mu[:, None]
        gaps = np.flatnonzero(count < r.shape[1])  # the missing days back to 0
        r[gaps] = np.where(ok[gaps], r[gaps], 0.0)
        norm = np.sqrt(np.einsum("ij,ij->i", r, r))
        r /= norm[:, None]
    r[~(norm > 0)] = 0.0
    return float(np.einsum("ij,ij->", r, r))


def merge_kp_groups(parts: Iterable[KPGroups]) -> KPGroups:
    """The :class:`KPGroups` of the union of disjoint sets of events (sums by position).

    Examples
    --------
    >>> e, p = np.array([[1.0, -1.0, 2.0], [2.0, 1.0, -1.0], [0.5, 1.0, 3.0]]), np.array([4, 4, 6])
    >>> whole = kp_groups(e, p)
    >>> merged = merge_kp_groups([kp_groups(e[[0, 2]], p[[0, 2]]), kp_groups(e[[1]], p[[1]])])
    >>> merged.pos.tolist() == whole.pos.tolist(), bool(np.allclose(merged.z, whole.z))
    (True, True)
    """
    parts = list(parts)
    l1 = parts[0].z.shape[1] if parts else 0
    pos = np.unique(np.concatenate([g.pos for g in parts])) if parts else np.zeros(0, np.int64)
    z = np.zeros((len(pos), l1))
    size = np.zeros(len(pos), dtype=np.int64)
    for g in parts:
        at = np.searchsorted(pos, g.pos)
        z[at] += g.z
        size[at] += g.size
    return KPGroups(pos, z, size, float(sum(g.own for g in parts)))


def kp_rbar_of(groups: KPGroups, lengths: Iterable[int] = ()) -> tuple[float, FloatArray, int]:
    """:func:`kp_rbar` from the :class:`KPGroups` of the events (see there)."""
    lens = np.asarray(list(lengths), dtype=np.int64)
    n = int(groups.size.sum())
    if n < 2:
        return 0.0, np.zeros(len(lens)), 0
    zg, gpos, l1 = groups.z, groups.pos, groups.z.shape[1]
    same = float(np.einsum("ij,ij->", zg, zg)) - groups.own
    pairs = int((groups.size * (groups.size - 1)).sum())
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


@dataclass(frozen=True, slots=True)
class GrankSums:
    """What GRANK needs from the rank pass, per CAR window ``c`` (see :func:`rank_sums`).

    Every field but ``sd`` is a sum over events, so the sums of disjoint sets of events
    ranked with the same ``sd`` (the partitions of a study run on several workers, given
    the ``sd`` of all the events) merge exactly by adding them (:meth:`merge`).

    Attributes
    ----------
    n_use
        ``(C,)`` events with a finite ``SCAR``.
    sd
        ``(C,)`` cross-sectional sd of ``SCAR`` over all the events
        (:func:`grank_sd`).
    u0_sum
        ``(C,)`` sum over the used events of the demeaned rank of the cumulated event
        day, ``(1 + M_i - #{SAR_{i,s} > GSAR_i}) / (T_i + 1) - 1/2``.
    gt_w, b_s, n_s
        ``(C, L1)`` per estimation day: weighted count of threshold exceedances,
        weighted rank sums and number of used events present.
    """

    n_use: FloatArray
    sd: FloatArray
    u0_sum: FloatArray
    gt_w: FloatArray
    b_s: FloatArray
    n_s: FloatArray

    @staticmethod
    def merge(parts: Iterable[GrankSums]) -> GrankSums:
        """The sums of the union of disjoint sets of events ranked with the same ``sd``.

        Raises
        ------
        ValueError
            If there are no parts or their ``sd`` differ (each must be ranked with the
            ``sd`` of all the events).
        """
        parts = list(parts)
        if not parts:
            raise ValueError("GrankSums.merge needs at least one part")
        sd = parts[0].sd
        if any(not np.array_equal(q.sd, sd, equal_nan=True) for q in parts):
            raise ValueError("GrankSums of different sd cannot merge: rank every part with "
                             "grank_sd of all the events")  # fmt: skip
        return GrankSums(
            n_use=np.sum([q.n_use for q in parts], axis=0),
            sd=sd,
            u0_sum=np.sum([q.u0_sum for q in parts], axis=0),
            gt_w=np.sum([q.gt_w for q in parts], axis=0),
            b_s=np.sum([q.b_s for q in parts], axis=0),
            n_s=np.sum([q.n_s for q in parts], axis=0),
        )


@dataclass(frozen=True, slots=True)
class RankSums:
    """Sums of one pass of ranks over the events (see :func:`rank_sums`).

    Sums over events: those of disjoint sets of events merge by adding them
    (:meth:`merge`).

    Attributes
    ----------
    tot_u, n_t
        ``(L1 + L2,)`` column sums and counts of Corrado's ``U`` on the estimation
        and event days.
    grank
        The GRANK sums, when asked for.
    """

    tot_u: FloatArray
    n_t: FloatArray
    grank: GrankSums | None = None

    @staticmethod
    def merge(parts: Iterable[RankSums]) -> RankSums:
        """The sums of the union of disjoint sets of events (GRANK's when every part has them).

        Examples
        --------
        >>> a = RankSums(np.array([1.0, 2.0]), np.array([1.0, 1.0]))
        >>> RankSums.merge([a, a]).tot_u.tolist()
        [2.0, 4.0]
        """
        parts = list(parts)
        if not parts:
            raise ValueError("RankSums.merge needs at least one part")
        granks = [q.grank for q in parts if q.grank is not None]
        return RankSums(
            tot_u=np.sum([q.tot_u for q in parts], axis=0),
            n_t=np.sum([q.n_t for q in parts], axis=0),
            grank=GrankSums.merge(granks) if len(granks) == len(parts) else None,
        )


def grank_sd(scar: FloatArray) -> FloatArray:
    """GRANK's cross-sectional sd of ``SCAR`` per window (``ddof = 1``; NaN below 2 events).

    It scales every event's threshold, so the GRANK sums of the partitions of a study
    are computed with the ``sd`` of all its events (:func:`rank_sums`' ``sd``).

    Examples
    --------
    >>> grank_sd(np.array([[1.0, np.nan], [3.0, 2.0]])).tolist()
    [1.4142135623730951, nan]
    """
    use = np.isfinite(scar)
    n_use = use.sum(axis=0)
    with np.errstate(invalid="ignore", divide="ignore"):
        return np.array(
            [
                np.std(scar[use[:, c], c], ddof=1) if n_use[c] > 1 else np.nan
                for c in range(scar.shape[1])
            ]
        )


#: Events per block of the rank pass (:func:`rank_sums`).
RANK_BLOCK = 1024


@dataclass(frozen=True, slots=True)
class _GrankSetup:
    use: np.ndarray
    n_use: np.ndarray
    sd: FloatArray
    w: FloatArray
    thr: FloatArray
    wu: FloatArray


def _grank_setup(pieces: EventPieces, scar: FloatArray, sd: FloatArray | None) -> _GrankSetup:
    use = np.isfinite(scar)
    n_use = use.sum(axis=0)
    sd = grank_sd(scar) if sd is None else np.asarray(sd, dtype=float)
    with np.errstate(invalid="ignore", divide="ignore"):
        # threshold on the residual scale: GSAR_i S_i (NaN for events not used)
        thr = np.where(use, scar / sd, np.nan) * np.sqrt(pieces.sigma2)[:, None]
    w = 1.0 / (pieces.m.astype(float) + 2.0)  # 1 / (T_i + 1) with T_i = M_i + 1
    wu = np.where(use, w[:, None], 0.0)  # (N, C)
    return _GrankSetup(use, n_use, sd, w, thr, wu)


def _est_rank_sums(
    s: SortedRows, w: FloatArray, use: np.ndarray, n_est: FloatArray
) -> tuple[FloatArray, FloatArray]:
    """GRANK's ``b_s`` and ``n_s`` of a block, ``(C, L1)`` each, from the sorted order.

    ``b_s[c, j] = sum_i use_ic w_i rank_ij`` (``rank_ij`` the rank of the estimation
    residual ``j`` among event ``i``'s present estimation residuals) and
    ``n_s[c, j] = sum_i use_ic [e_ij present]``. Every event is summed once
    (``bincount`` over the sorted order: no scatter back to column order); the few
    events not used in some window (no SCAR there) are then taken out. ``n_est``
    ``(L1,)``: the present estimation residuals of the block per day.
    """
    n, t = s.col.shape
    l1, ncol = s.l1, use.shape[1]
    cum = s.est_rank_sorted()
    wts = scratch("rank_w", (n, t), np.float64)
    np.multiply(cum, w[:, None], out=wts)
    # the missing values (sorted last: only in the rows with some) weigh 0; the event
    # days' weights land in the bins l1.. that are dropped
    gaps = np.flatnonzero(s.t_i < t)
    if len(gaps):
        wts[gaps] = np.where(np.arange(1, t + 1) > s.t_i[gaps, None], 0.0, wts[gaps])
    total = np.asarray(np.bincount(s.col.ravel(), weights=wts.ravel(), minlength=t), dtype=float)[
        :l1
    ]
    valid = s.present[:, :l1]
    b_s = np.tile(total, (ncol, 1))
    n_s = np.tile(n_est, (ncol, 1))
    rows = np.flatnonzero(~use.all(axis=1))
    if len(rows):
        rk = np.zeros((len(rows), t))
        keep = (s.col[rows] < l1) & (np.arange(1, t + 1) <= s.t_i[rows, None])  # present est.
        np.put_along_axis(rk, s.col[rows], np.where(keep, cum[rows], 0), axis=1)
        drop = (~use[rows]).astype(float)
        # einsum, not BLAS: OpenBLAS threads inside worker threads oversubscribe the cores
        b_s -= np.einsum("rc,r,rj->cj", drop, w[rows], rk[:, :l1])
        n_s -= np.einsum("rc,rj->cj", drop, valid[rows].astype(float))
    return b_s, n_s


def rank_sums(
    pieces: EventPieces, scar: FloatArray | None, *, sd: FloatArray | None = None
) -> RankSums:
    """One blocked pass over the events for the rank tests (ranks are never stored).

    Each block sorts its events' residuals and abnormal returns, one sort per row
    (:func:`eventstudy.study.core.sort_rows`), and accumulates what Corrado needs
    (``tot_u``, ``n_t``: column sums and counts of ``U``, summed straight from the
    sorted order) and, when ``scar`` (N, C) is given, what GRANK needs. GRANK
    (Kolari and Pynnönen 2011): ``GSAR_i = SCAR_i / sd_i(SCAR)`` on the (cumulated)
    event day, ``SAR_{i,s}`` on the estimation days; ranks run over the
    ``T_i = M_i + 1`` present values. Adding the event value to the event's own
    estimation ranks moves each of them up by ``[SAR_{i,s} > GSAR_i]``
    (``e_{i,s} > GSAR_i S_i``, compared in float64); per day the ranks are summed
    with weights ``1 / (T_i + 1)``. ``sd`` (C,) is the cross-sectional sd of ``SCAR``
    that scales the thresholds (default: :func:`grank_sd` of ``scar``); a partition
    of a study is ranked with the ``sd`` of all the study's events, so that its sums
    merge (:meth:`RankSums.merge`).

    Examples
    --------
    >>> from eventstudy.study.core import event_pieces
    >>> from eventstudy.study.models import fit_model
    >>> rng = np.random.default_rng(0)
    >>> r = rng.normal(0, 0.01, (6, 60))
    >>> fit = fit_model("constant_mean", r[:, :50], r[:, :50, None], r[:, 50:], r[:, 50:, None])
    >>> p = event_pieces(fit, r[:, 50:], windows=[(0, 0), (-2, 2)], tau1=-5, k=1)
    >>> sums = rank_sums(p, p.scar)
    >>> sums.n_t.tolist()[:3], sums.grank is not None
    ([6.0, 6.0, 6.0], True)
    >>> t, pv, n, notes, df = grank(sums.grank)
    >>> n.tolist(), df.tolist()
    ([6.0, 6.0], [49.0, 49.0])
    """
    n_all, l1 = pieces.resid.shape
    t_all = l1 + pieces.ar.shape[1]
    ncol = 0 if scar is None else scar.shape[1]
    g = None if scar is None else _grank_setup(pieces, scar, sd)
    gt_n = np.zeros((n_all, ncol))

    def part(lo: int, hi: int) -> tuple[FloatArray, ...]:
        s = sort_rows(pieces.resid[lo:hi], pieces.ar[lo:hi])
        col = s.col.ravel()
        tot_u = np.asarray(
            np.bincount(col, weights=s.u_sorted().ravel(), minlength=t_all), dtype=float
        )
        n_t = column_counts(s.present)
        if g is None:
            return tot_u, n_t
        b_s, n_s = _est_rank_sums(s, g.w[lo:hi], g.use[lo:hi], n_t[:l1])
        e = pieces.resid[lo:hi]
        gt_w = np.empty((ncol, l1))
        gt = scratch("gt", (hi - lo, l1), np.float64)
        for c in range(ncol):  # CAR windows
            np.greater(e, g.thr[lo:hi, c, None], out=gt, casting="unsafe")  # NaN: False
            gt_n[lo:hi, c] = np.einsum("ij->i", gt)
            gt_w[c] = np.einsum("i,ij->j", g.wu[lo:hi, c], gt)
        return tot_u, n_t, gt_w, b_s, n_s

    parts = map_blocks(part, n_all, block=RANK_BLOCK)
    shapes = [(t_all,), (t_all,)] + ([(ncol, l1)] * 3 if g is not None else [])
    sums = [
        np.sum([q[i] for q in parts], axis=0) if parts else np.zeros(shape)
        for i, shape in enumerate(shapes)
    ]
    if g is None:
        return RankSums(tot_u=sums[0], n_t=sums[1])
    # the demeaned rank of the cumulated event day, summed over the used events
    with np.errstate(invalid="ignore"):
        u0 = (1.0 + pieces.m.astype(float)[:, None] - gt_n) * g.w[:, None] - 0.5
    u0_sum = np.where(g.use, u0, 0.0).sum(axis=0)
    n_use = g.n_use.astype(float)
    gs = GrankSums(n_use, g.sd, u0_sum, sums[2], sums[3], sums[4])
    return RankSums(tot_u=sums[0], n_t=sums[1], grank=gs)


def grank(
    sums: GrankSums | EventPieces, legacy: GrankSums | None = None
) -> tuple[FloatArray, FloatArray, FloatArray, list[str], FloatArray]:
    """GRANK of Kolari and Pynnönen (2011) per CAR window from :func:`rank_sums` sums.

    ``Z = Ubar_0 / S_U`` (``Ubar_0`` the mean demeaned rank of the cumulated event
    day, ``S_U`` over the ``T`` estimation days plus the event day), then
    ``t = Z sqrt((T-2)/(T-1-Z^2))``, t(T-2). Returns ``t``, p-values, ``N``, notes
    and the degrees of freedom ``T - 2`` (NaN where undefined). Everything comes
    from the sums (merged sums of several partitions give the statistic of all
    their events); ``grank(pieces, sums)`` is deprecated (the pieces are not read).
    """
    if legacy is not None:
        warnings.warn(
            "grank(pieces, sums) is deprecated: call grank(sums) (the sums hold all it "
            "needs); the two-argument form goes in the next release",
            DeprecationWarning,
            stacklevel=2,
        )
        sums = legacy
    if not isinstance(sums, GrankSums):
        raise TypeError(f"grank needs the GrankSums of rank_sums, got {type(sums).__name__}")
    ncol = len(sums.n_use)
    out_t = np.full(ncol, np.nan)
    out_p = np.full(ncol, np.nan)
    out_df = np.full(ncol, np.nan)
    out_n = np.zeros(ncol)
    notes = [""] * ncol
    for c in range(ncol):
        out_t[c], out_p[c], out_df[c], notes[c] = _grank_column(sums, c)
        out_n[c] = int(sums.n_use[c])
    return out_t, out_p, out_n, notes, out_df


def _grank_column(sums: GrankSums, c: int) -> tuple[float, float, float, str]:
    """GRANK's ``t``, p-value, degrees of freedom and note of the window ``c``."""
    n = int(sums.n_use[c])
    if n < 2:
        return np.nan, np.nan, np.nan, UNDEFINED_N1
    if not sums.sd[c] > 0:
        return np.nan, np.nan, np.nan, UNDEFINED_SD0
    n_s = sums.n_s[c]
    with np.errstate(invalid="ignore", divide="ignore"):
        ubar_s = (sums.b_s[c] + sums.gt_w[c]) / n_s - 0.5
    ubar0 = float(sums.u0_sum[c]) / n
    have = n_s > 0
    t_pts = int(have.sum()) + 1
    df = float(t_pts - 2)
    s_u = np.sqrt((np.sum(n_s[have] / n * ubar_s[have] ** 2) + ubar0**2) / t_pts)
    if not s_u > 0:
        return np.nan, np.nan, df, UNDEFINED_SD0
    z = ubar0 / s_u
    denom = t_pts - 1 - z * z
    if denom <= 0:
        return np.nan, np.nan, df, "undefined: |Z| too large for the t transform"
    t = z * np.sqrt((t_pts - 2) / denom)
    return t, float(t_pvalue(np.array([t]), t_pts - 2)[0]), df, ""


def column_sums(x: np.ndarray) -> tuple[FloatArray, FloatArray]:
    """Column sums (float64) and counts of the finite values of a tall matrix, by blocks.

    Examples
    --------
    >>> [v.tolist() for v in column_sums(np.array([[1.0, np.nan], [2.0, 3.0]]))]
    [[3.0, 3.0], [2.0, 1.0]]
    """

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


def column_counts(mask: np.ndarray) -> FloatArray:
    """``mask.sum(axis=0)`` of a 2-d boolean array as float, counted as bytes (faster).

    Examples
    --------
    >>> column_counts(np.array([[True, False], [True, True]])).tolist()
    [2.0, 1.0]
    """
    wide = mask.shape[0] >= np.iinfo(np.int32).max
    counts = mask.view(np.uint8).sum(axis=0, dtype=np.int64 if wide else np.int32)
    return np.asarray(counts, dtype=float)


#: Rows from which :func:`wilcoxon_columns` sorts its columns on threads.
_PARALLEL_ROWS = 20_000


def wilcoxon_columns(x: FloatArray) -> list[tuple[float, float, int, str]]:
    """:func:`wilcoxon_signed_rank` of every column of ``x`` with one integer sort each.

    Keys ``|x|`` bits << 1 | (x > 0) sort by absolute value (exact: the sign bit of
    ``|x|`` is free); ties in ``|x|`` (equal keys after dropping the sign bit) get
    their average rank, exactly as ``scipy.stats.rankdata``.

    Examples
    --------
    >>> wilcoxon_columns(np.array([[0.5], [1.0], [-0.2], [2.0]]))
    [(9.0, 0.25, 4, 'exact')]
    """
    cols = np.ascontiguousarray(np.asarray(x, dtype=np.float64).T)  # one pass: rows now
    if x.shape[0] < _PARALLEL_ROWS:  # small: threads would cost more than they save
        return [_wilcoxon_column(cols[j]) for j in range(x.shape[1])]
    # one column per task: the sorts release the GIL, so columns run side by side
    return map_blocks(lambda j, _: _wilcoxon_column(cols[j]), x.shape[1], block=1)


def _wilcoxon_column(v: FloatArray) -> tuple[float, float, int, str]:
    """:func:`wilcoxon_signed_rank` of one contiguous column by one integer sort (see the
    caller)."""
    nz = v[np.isfinite(v) & (v != 0)]
    n = len(nz)
    if n == 0:
        return np.nan, np.nan, 0, "no nonzero values"
    k = np.abs(nz).view(np.uint64)
    k <<= np.uint64(1)
    k |= nz > 0
    k.sort()
    pos = (k & np.uint64(1)).astype(bool)
    k >>= np.uint64(1)  # |x|
    new = np.empty(n, dtype=bool)
    new[0] = True
    np.not_equal(k[1:], k[:-1], out=new[1:])
    start = np.flatnonzero(new)
    counts = np.diff(start, append=n)
    if len(start) == n:  # no ties
        w_plus = float(np.flatnonzero(pos).sum() + pos.sum())
    else:  # average ranks s + (c + 1) / 2 of each tie group: 2 W+ is an integer (exact)
        n_pos = np.add.reduceat(pos, start, dtype=np.int64)
        w_plus = float(np.dot(n_pos, 2 * start + counts + 1)) / 2.0
    return _wilcoxon_p(w_plus, n, counts)
