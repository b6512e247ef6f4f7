"""Resampling tests: the wild bootstrap of AAR/CAAR and the LBT bootstrapped skewness-adjusted t.

Both are opt-in tests of the battery (``tests=[..., "wild_bootstrap", "lbt_skew_t"]``:
they cost time), seeded and reproducible: each draws from
``numpy.random.default_rng(seed)`` and records ``seed`` and the number of
replications ``B`` in its extras.

**Wild bootstrap** (Rademacher weights; Mammen 1993, Davidson and Flachaire 2008; as
R ``EventStudy`` offers). For a column ``x`` (the SAR of a relative day, or the CAR of
a window) of ``n`` present events, the statistic is the cross-sectional t
``t = sqrt(n) mean(x) / sd(x)``. Each replication ``b`` draws ``w_i = +-1`` with
probability 1/2 for every event and recomputes the t of ``x*_i = w_i (x_i - mean(x))``
(centred, so the null holds in the bootstrap world and a symmetric, heteroskedastic
distribution of ``x`` is kept). ``p = #{|t*_b| >= |t|} / B``. The weights are drawn
once per replication and event and shared by every day and window (events in the
order of the table, missing values weighted but contributing 0):
``w = where(rng.random((B, N)) < 0.5, -1, 1)`` (drawn in blocks of rows, the same
numbers as one draw), ``B = 999`` by default.

**Lyon, Barber and Tsai (1999) bootstrapped skewness-adjusted t** for BHAR. The
statistic is the skewness-adjusted t of the sample,
``t_sa = sqrt(n) (S + g S^2/3 + g/(6n))``, ``S = mean/sd``, ``g`` the skewness (Hall
1992; :func:`~eventstudy.study.statistics.skew_t`). Its reference distribution is
bootstrapped: ``B = 1,000`` resamples of ``n_b = floor(n/4)`` events drawn with
replacement, in each ``t*_b`` is ``t_sa`` of the resample with ``S_b = (mean_b - mean)
/ sd_b`` (centred on the sample mean). Critical values are the ``alpha/2`` and
``1 - alpha/2`` quantiles of ``t*`` (``alpha = 1 - level``); the two-sided p-value is
``min(1, 2 min(#{t*_b <= t_sa}, #{t*_b >= t_sa}) / B')`` over the ``B'`` resamples
with a defined ``t*`` (a resample of one repeated event has none). Resample indices
are ``min(floor(rng.random((B, n_b)) * n), n - 1)`` into the column's present
events, column after column (windows in table order; undefined columns draw nothing).

References
----------
Mammen, E. (1993). Bootstrap and wild bootstrap for high dimensional linear models.
*Annals of Statistics* 21(1), 255-285.
Davidson, R., Flachaire, E. (2008). The wild bootstrap, tamed at last. *Journal of
Econometrics* 146(1), 162-169.
Hall, P. (1992). On the removal of skewness by transformation. *JRSS B* 54, 221-228.
Lyon, J., Barber, B., Tsai, C. (1999). Improved methods for tests of long-run abnormal
stock returns. *Journal of Finance* 54(1), 165-201.

Examples
--------
>>> x = np.array([[0.02], [0.01], [0.03], [-0.01], [0.02], [0.015]])
>>> t, p, n, notes = wild_bootstrap(x, replications=999, seed=1)
>>> round(float(t[0]), 3), int(n[0]), 0 <= float(p[0]) < 0.1
(2.557, 6, True)
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from eventstudy._typing import FloatArray
from eventstudy.exceptions import ConfigError
from eventstudy.study.statistics import column_moments, skew_t, t_cross

__all__ = [
    "DEFAULT_LBT_REPLICATIONS",
    "DEFAULT_WILD_REPLICATIONS",
    "LBT_TOO_FEW",
    "SEED_BOUND",
    "LbtResult",
    "check_seed",
    "lbt_skew_t",
    "rademacher_weights",
    "resolve_seed",
    "wild_bootstrap",
]

#: Replications of the wild bootstrap by default.
DEFAULT_WILD_REPLICATIONS = 999
#: Resamples of the Lyon-Barber-Tsai bootstrap by default.
DEFAULT_LBT_REPLICATIONS = 1000
#: Note of an LBT column with too few events to resample.
LBT_TOO_FEW = "undefined: the LBT resamples need n/4 >= 2 events (n >= 8)"
#: Random numbers drawn per block (bounds memory: 32 MiB of float64).
_BLOCK_DRAWS = 1 << 22


#: Seeds are integers in ``[0, SEED_BOUND)``: 53 bits, recorded exactly in float extras.
SEED_BOUND = 2**53


def check_seed(value: object, name: str = "seed") -> None:
    """The one validation of a seed (``EventStudy(seed=)``, ``result.placebo(seed=)``).

    None (a fresh seed, :func:`resolve_seed`) or an integer in ``[0, 2**53)``.

    Raises
    ------
    ConfigError
        Otherwise, naming the value.

    Examples
    --------
    >>> check_seed(7), check_seed(None)
    (None, None)
    >>> check_seed(2**70)
    Traceback (most recent call last):
    ...
    eventstudy.exceptions.ConfigError: seed=1180591620717411303424 must be None (a fresh seed, \
recorded in the results) or an integer in [0, 2**53) (recorded exactly in the tests' float extras)
    """
    if value is None:
        return
    if (
        isinstance(value, bool)
        or not isinstance(value, int | np.integer)
        or not 0 <= int(value) < SEED_BOUND
    ):
        raise ConfigError(
            f"{name}={value!r} must be None (a fresh seed, recorded in the results) or an "
            "integer in [0, 2**53) (recorded exactly in the tests' float extras)"
        )


def resolve_seed(seed: int | None) -> int:
    """``seed``, or a fresh 53-bit seed from the OS entropy when it is None.

    53 bits, so that the seed recorded in a test's float extras is exact.

    Examples
    --------
    >>> resolve_seed(7), 0 <= resolve_seed(None) < 2**53
    (7, True)
    """
    if seed is not None:
        return int(seed)
    state = np.random.SeedSequence().generate_state(1, np.uint64)[0]
    return int(state >> np.uint64(11))


def rademacher_weights(rng: np.random.Generator, rows: int, n: int) -> FloatArray:
    """``(rows, n)`` Rademacher weights ``+-1``: ``where(rng.random((rows, n)) < 0.5, -1, 1)``.

    Examples
    --------
    >>> rademacher_weights(np.random.default_rng(0), 2, 3).tolist()
    [[1.0, -1.0, -1.0], [-1.0, 1.0, 1.0]]
    """
    out: FloatArray = np.where(rng.random((rows, n)) < 0.5, -1.0, 1.0)
    return out


def wild_bootstrap(
    x: FloatArray, *, replications: int = DEFAULT_WILD_REPLICATIONS, seed: int
) -> tuple[FloatArray, FloatArray, FloatArray, list[str]]:
    """Wild-bootstrap p-values of the cross-sectional t of every column of ``x``.

    See the module docstring for the procedure. Because ``w_i^2 = 1``, the sum of
    squares of the centred values is the same in every replication, so a replication's
    t needs only ``sum_i w_i d_i`` (one matrix product for all columns).

    Parameters
    ----------
    x
        ``(N, C)`` values (events x days or windows), NaN where missing.
    replications
        ``B``.
    seed
        Seed of ``numpy.random.default_rng``.

    Returns
    -------
    t, p, n, notes
        Observed t, bootstrap p-value, events used and notes (per column).

    Examples
    --------
    >>> rng = np.random.default_rng(5)
    >>> t, p, n, _ = wild_bootstrap(rng.normal(0, 1, (40, 3)), replications=199, seed=2)
    >>> n.tolist(), bool(((p >= 0) & (p <= 1)).all())
    ([40.0, 40.0, 40.0], True)
    """
    t, _, n, notes = t_cross(x)
    _, mean, _ = column_moments(x)
    ok = np.isfinite(x)
    d = np.where(ok, x - np.where(np.isfinite(mean), mean, 0.0), 0.0)
    ss = np.einsum("ij,ij->j", d, d)
    rng = np.random.default_rng(seed)
    rows = max(1, _BLOCK_DRAWS // max(1, x.shape[0]))
    hits = np.zeros(x.shape[1])
    with np.errstate(invalid="ignore", divide="ignore"):
        for lo in range(0, replications, rows):
            w = rademacher_weights(rng, min(rows, replications - lo), x.shape[0])
            mean_b = (w @ d) / n
            var_b = np.maximum((ss - n * mean_b * mean_b) / (n - 1.0), 0.0)
            t_b = np.sqrt(n) * mean_b / np.sqrt(var_b)
            hits += (np.abs(t_b) >= np.abs(t)).sum(axis=0)
    p = np.where(np.isfinite(t), hits / replications, np.nan)
    return t, p, n, notes


@dataclass(frozen=True, slots=True)
class LbtResult:
    """:func:`lbt_skew_t` per column: statistic, p-value, events, notes and the bootstrap.

    Attributes
    ----------
    t, p, n, notes
        ``t_sa`` of the sample, its bootstrap p-value, events used, notes.
    crit_lo, crit_hi
        Bootstrap critical values (``alpha/2`` and ``1 - alpha/2`` quantiles of ``t*``).
    n_resample
        ``n_b = floor(n / 4)`` events per resample.
    valid
        Resamples with a defined ``t*`` (``B'``).
    """

    t: FloatArray
    p: FloatArray
    n: FloatArray
    notes: list[str]
    crit_lo: FloatArray
    crit_hi: FloatArray
    n_resample: FloatArray
    valid: FloatArray


def _lbt_draws(v: FloatArray, mean: float, nb: int, b: int, rng: np.random.Generator) -> FloatArray:
    """``t*`` of ``b`` resamples of ``nb`` values of ``v`` (blocks of rows; NaN if undefined)."""
    n = len(v)
    rows = max(1, _BLOCK_DRAWS // nb)
    out = np.empty(b)
    with np.errstate(invalid="ignore", divide="ignore"):
        for lo in range(0, b, rows):
            hi = min(b, lo + rows)
            idx = np.minimum((rng.random((hi - lo, nb)) * n).astype(np.intp), n - 1)
            s = v[idx]
            m_b = s.mean(axis=1)
            dev = s - m_b[:, None]
            sd_b = np.sqrt(np.einsum("ij,ij->i", dev, dev) / (nb - 1.0))
            g_b = (dev**3).sum(axis=1) / (nb * sd_b**3)
            s_b = (m_b - mean) / sd_b
            out[lo:hi] = np.sqrt(nb) * (s_b + g_b * s_b * s_b / 3.0 + g_b / (6.0 * nb))
    out[~(np.isfinite(out))] = np.nan
    return out


def lbt_skew_t(
    x: FloatArray,
    *,
    replications: int = DEFAULT_LBT_REPLICATIONS,
    seed: int,
    level: float = 0.95,
) -> LbtResult:
    """Lyon-Barber-Tsai (1999) bootstrapped skewness-adjusted t of every column of ``x``.

    See the module docstring for the procedure and the draws.

    Parameters
    ----------
    x
        ``(N, C)`` values (events x windows, e.g. BHAR), NaN where missing.
    replications
        ``B`` resamples.
    seed
        Seed of ``numpy.random.default_rng``.
    level
        ``1 - alpha`` of the critical values.

    Examples
    --------
    >>> rng = np.random.default_rng(3)
    >>> r = lbt_skew_t(rng.lognormal(0, 1, (80, 1)) - 1.0, replications=500, seed=1)
    >>> int(r.n_resample[0]), float(r.crit_lo[0]) < 0 < float(r.crit_hi[0])
    (20, True)
    """
    t, _, n, notes = skew_t(x)
    _, mean, _ = column_moments(x)
    ncol = x.shape[1]
    p, lo, hi = np.full(ncol, np.nan), np.full(ncol, np.nan), np.full(ncol, np.nan)
    nb_all, valid = np.floor(n / 4.0), np.zeros(ncol)
    alpha = 1.0 - level
    rng = np.random.default_rng(seed)
    notes = list(notes)
    for c in range(ncol):
        nb = int(nb_all[c])
        if not np.isfinite(t[c]):
            continue
        if nb < 2:
            notes[c] = LBT_TOO_FEW
            t[c] = np.nan
            continue
        col = x[:, c]
        draws = _lbt_draws(col[np.isfinite(col)], float(mean[c]), nb, replications, rng)
        ok = draws[np.isfinite(draws)]
        valid[c] = len(ok)
        if len(ok) == 0:
            continue
        below, above = np.mean(ok <= t[c]), np.mean(ok >= t[c])
        p[c] = min(1.0, 2.0 * min(below, above))
        lo[c], hi[c] = np.quantile(ok, [alpha / 2.0, 1.0 - alpha / 2.0])
    return LbtResult(t, p, n, notes, lo, hi, nb_all, valid)
