"""The calendar-time portfolio test (Jaffe 1974; Mandelker 1974), for events that share days.

When many events share calendar days (a board story naming fifteen stocks, an
earnings season) their abnormal returns are cross-correlated and the
cross-sectional tests over-reject. The calendar-time approach forms one portfolio
per calendar day and tests the time series of portfolio abnormal returns, whose
variance already holds the cross-correlation of its members:

- for a window ``[a, b]`` (a CAR window; a relative day ``d`` is the window
  ``[d, d]``), the portfolio of calendar day ``t`` holds the events ``i`` with
  ``t - day0_i`` in ``[a, b]`` (in sessions); its abnormal return ``AR_p,t`` is the
  equal-weighted mean of the members' abnormal returns that day (members with a
  return);
- the portfolio's **own estimation variance**: the same members' estimation
  residuals are averaged by calendar day (equal weights over the members with a
  residual that day) on the ``L1 - (b - a)`` sessions ``[t - a + T0, t - b + T1]``,
  which lie in the estimation window of every event whose window covers day ``t``,
  and ``S_p,t`` is the standard deviation (``ddof = 1``) of that series: the
  variance of this portfolio's AR under the null, cross-correlation included
  (Jaffe 1974; Mandelker 1974, the "standardised portfolio residual");
- ``SAR_p,t = AR_p,t / S_p,t`` on the ``T`` portfolio days with a member and a
  defined ``S_p,t``; the statistic is ``t = sqrt(T) mean_t SAR_p,t``, from t(T-1).

Convention choices (say so when reporting): equal weights; ``S_p,t`` from residuals
averaged over the members present each estimation day (missing days reduce the
members of that day, they are not zero), without the prediction-error correction
of the event-day variance; the portfolio days of a window are every calendar day
on which some event is inside ``[a, b]``, so an event counts on ``b - a + 1`` days.
The reference t(T-1) is METHODS.md's: each ``SAR_p,t`` has about unit variance, so
the statistic is close to N(0, 1) and t(T-1) is conservative when ``T`` is small
(three portfolio days: t(2), critical value 4.30; ``benchmarks/RESULTS.md``); read
the test when there are many portfolio days (``extras["days"]``).

No event x event or day x event matrix is built: residuals and abnormal returns
are summed by day 0 (events sorted by day 0, one ``reduceat`` per block), and the
portfolio of day ``t`` is the sum of ``b - a + 1`` shifted day-0 groups (one
vectorised pass per shift).

References
----------
Jaffe, J. (1974). Special information and insider trading. *Journal of Business* 47(3),
410-428.
Mandelker, G. (1974). Risk and return: the case of merging firms. *JFE* 1(4), 303-335.

Examples
--------
>>> rng = np.random.default_rng(0)
>>> resid, ar = rng.normal(0, 0.01, (6, 60)), rng.normal(0, 0.01, (6, 3))
>>> r = calendar_time_test(ar, resid, np.array([100, 100, 100, 105, 105, 130]),
...                        [(0, 0), (-1, 1)], tau1=-1)
>>> r.days.tolist(), r.n.tolist()  # day 0 of three dates; three days around each
([3.0, 9.0], [6.0, 6.0])
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np

from eventstudy._typing import FloatArray
from eventstudy.study.core import day0_groups, map_blocks
from eventstudy.study.statistics import KP_BLOCK, t_pvalue

__all__ = [
    "CalendarGroups",
    "CalendarTimeResult",
    "add_group_sums",
    "calendar_groups",
    "calendar_time_of",
    "calendar_time_test",
    "empty_groups",
    "group_sums",
]

#: Note of a window with too few portfolio days for a t statistic.
TOO_FEW_DAYS = "undefined: fewer than 2 portfolio days"
#: Note of a window longer than the estimation window allows.
TOO_LONG = "undefined: the members' estimation windows share fewer than 2 sessions"


@dataclass(frozen=True, slots=True)
class CalendarTimeResult:
    """:func:`calendar_time_test` per window.

    Attributes
    ----------
    t, p
        The statistic ``sqrt(T) mean SAR_p`` and its two-sided p-value from t(T-1).
    n
        Events with an abnormal return in the window.
    days
        ``T``, the portfolio days used.
    mean_size
        Members per portfolio day, on average.
    notes
        Why a statistic is undefined.
    """

    t: FloatArray
    p: FloatArray
    n: FloatArray
    days: FloatArray
    mean_size: FloatArray
    notes: list[str]


@dataclass(frozen=True, slots=True)
class CalendarGroups:
    """What the calendar-time test needs of a set of events, summed by day-0 position.

    Sums over events, so the groups of disjoint sets of events (the partitions of a
    study run on several workers) merge exactly by adding them position by position
    (:meth:`merge`).

    Attributes
    ----------
    pos
        ``(G,)`` the distinct day-0 positions, increasing.
    res_sum, res_cnt
        ``(G, L1)`` sums and counts of the events' estimation residuals (relative-day
        order).
    ar_sum, ar_cnt
        ``(G, L2)`` sums and counts of their abnormal returns.

    Examples
    --------
    >>> g = calendar_groups(np.array([[1.0], [np.nan]]), np.array([[1.0, 2.0], [3.0, 4.0]]),
    ...                     np.array([7, 7]))
    >>> g.pos.tolist(), g.res_sum.tolist(), g.ar_cnt.tolist()
    ([7], [[4.0, 6.0]], [[1.0]])
    """

    pos: np.ndarray
    res_sum: FloatArray
    res_cnt: FloatArray
    ar_sum: FloatArray
    ar_cnt: FloatArray

    @staticmethod
    def merge(parts: Sequence[CalendarGroups]) -> CalendarGroups:
        """The groups of the union of disjoint sets of events (sums by position).

        Raises
        ------
        ValueError
            If there are no parts.
        """
        if not parts:
            raise ValueError("CalendarGroups.merge needs at least one part")
        pos = np.unique(np.concatenate([g.pos for g in parts]))
        out = [np.zeros((len(pos), x.shape[1])) for x in _arrays(parts[0])]
        for g in parts:
            at = np.searchsorted(pos, g.pos)
            for acc, x in zip(out, _arrays(g), strict=True):
                acc[at] += x
        return CalendarGroups(pos, *out)


def _arrays(g: CalendarGroups) -> tuple[FloatArray, FloatArray, FloatArray, FloatArray]:
    return g.res_sum, g.res_cnt, g.ar_sum, g.ar_cnt


def calendar_groups(ar: FloatArray, resid: FloatArray, pos0: np.ndarray) -> CalendarGroups:
    """The :class:`CalendarGroups` of events: residuals and ARs summed by day-0 position.

    ``ar`` ``(N, L2)``, ``resid`` ``(N, L1)`` (NaN where missing), ``pos0`` ``(N,)``;
    events sorted by day 0, one ``reduceat`` per block.
    """
    groups = day0_groups(pos0)
    out = empty_groups(groups.pos, resid.shape[1], ar.shape[1])

    def part(lo: int, hi: int) -> tuple[np.ndarray, list[FloatArray]]:
        ids, starts = groups.block(lo, hi)
        sums: list[FloatArray] = []
        for mat in (resid, ar):
            x = mat[groups.order[lo:hi]]  # a copy: zeroed where missing
            ok = np.isfinite(x)
            np.putmask(x, ~ok, 0.0)
            sums.extend(group_sums(x, ok, starts))
        return ids, sums

    for ids, sums in map_blocks(part, len(groups.order), block=KP_BLOCK):
        add_group_sums(out, ids, *sums)
    return out


def empty_groups(pos: np.ndarray, l1: int, l2: int) -> CalendarGroups:
    """:class:`CalendarGroups` of zeros at the day-0 positions ``pos``."""
    g = len(pos)
    return CalendarGroups(pos, np.zeros((g, l1)), np.zeros((g, l1)), np.zeros((g, l2)),
                          np.zeros((g, l2)))  # fmt: skip


def group_sums(x: FloatArray, ok: np.ndarray, starts: np.ndarray) -> tuple[FloatArray, FloatArray]:
    """Sums and counts of the rows of ``x`` (zeroed where not ``ok``) by group.

    The rows of a group are consecutive, the groups start at ``starts``.

    Examples
    --------
    >>> x, ok = np.array([[1.0, 0.0], [2.0, 3.0], [4.0, 5.0]]), np.array([[1, 0], [1, 1], [1, 1]])
    >>> [v.tolist() for v in group_sums(x, ok.astype(bool), np.array([0, 1]))]
    [[[1.0, 0.0], [6.0, 8.0]], [[1.0, 0.0], [2.0, 2.0]]]
    """
    cnt = np.add.reduceat(ok, starts, axis=0, dtype=np.int64).astype(float)
    return np.add.reduceat(x, starts, axis=0), cnt


def add_group_sums(
    out: CalendarGroups, ids: np.ndarray, res_sum: FloatArray, res_cnt: FloatArray,
    ar_sum: FloatArray, ar_cnt: FloatArray,
) -> None:  # fmt: skip
    """Add the sums of a block of events (groups ``ids``, distinct) to ``out`` in place."""
    out.res_sum[ids] += res_sum
    out.res_cnt[ids] += res_cnt
    out.ar_sum[ids] += ar_sum
    out.ar_cnt[ids] += ar_cnt


@dataclass(frozen=True, slots=True)
class _Groups:
    """Sums and counts of residuals (``(D, L1)``) and ARs (``(D, L2)``) by dense position."""

    res_sum: FloatArray
    res_cnt: FloatArray
    ar_sum: FloatArray
    ar_cnt: FloatArray


def _dense(grp: CalendarGroups, pad: int) -> _Groups:
    """The groups on ``D = max - min + 1`` dense positions, ``pad`` empty ones each side."""
    at = grp.pos - grp.pos[0] + pad
    d = int(grp.pos[-1] - grp.pos[0]) + 1 + 2 * pad

    def one(x: FloatArray) -> FloatArray:
        out = np.zeros((d, x.shape[1]))
        out[at] = x
        return out

    return _Groups(*(one(x) for x in _arrays(grp)))


def _portfolio_sd(res_sum: FloatArray, res_cnt: FloatArray) -> FloatArray:
    """Per portfolio day: sd (ddof 1) over the common days of the members' mean residual."""
    have = res_cnt > 0
    k = have.sum(axis=1).astype(float)
    with np.errstate(invalid="ignore", divide="ignore"):
        mean_res = np.where(have, res_sum / res_cnt, 0.0)
        mu = mean_res.sum(axis=1) / k
        dev = np.where(have, mean_res - mu[:, None], 0.0)
        sd: FloatArray = np.sqrt(np.einsum("ij,ij->i", dev, dev) / (k - 1.0))
    return np.where(k >= 2, sd, np.nan)


def _window_sd(grp: _Groups, pad: int, w: int) -> FloatArray:
    """``S_p,t`` of each portfolio day of a window of ``w`` days (the same for every
    window of that length): the members' residuals on the ``L1 - (w - 1)`` common days.

    ``grp`` is padded with ``pad >= w - 1`` empty day-0 positions on each side.
    """
    lc = grp.res_sum.shape[1] - (w - 1)
    q = grp.ar_sum.shape[0] - 2 * pad + w - 1
    res_sum, res_cnt = np.zeros((q, lc)), np.zeros((q, lc))
    for j in range(w):  # members at the window's day j: the day-0 group q - j
        r0 = pad - j
        res_sum += grp.res_sum[r0 : r0 + q, j : j + lc]  # common day o: residual j + o
        res_cnt += grp.res_cnt[r0 : r0 + q, j : j + lc]
    return _portfolio_sd(res_sum, res_cnt)


def _one_window(
    grp: _Groups, pad: int, a: int, b: int, tau1: int, sd_of: dict[int, FloatArray]
) -> tuple[float, float, float, float, str]:
    """Statistic, p-value, portfolio days, mean size and note of the window ``[a, b]``.

    ``grp`` is padded with ``pad >= b - a`` empty day-0 positions on each side;
    ``sd_of`` holds the :func:`_window_sd` of each window length met so far.
    """
    w = b - a + 1
    if grp.res_sum.shape[1] - (w - 1) < 2:
        return np.nan, np.nan, 0.0, np.nan, TOO_LONG
    q = grp.ar_sum.shape[0] - 2 * pad + w - 1
    ar_sum, ar_cnt = np.zeros(q), np.zeros(q)
    for j in range(w):  # members at relative day a + j: the day-0 group q - j
        r0 = pad - j
        ar_sum += grp.ar_sum[r0 : r0 + q, a + j - tau1]
        ar_cnt += grp.ar_cnt[r0 : r0 + q, a + j - tau1]
    if w not in sd_of:
        sd_of[w] = _window_sd(grp, pad, w)
    sd = sd_of[w]
    use = (ar_cnt > 0) & (sd > 0)
    days = int(use.sum())
    size = float(ar_cnt[use].mean()) if days else np.nan
    if days < 2:
        return np.nan, np.nan, float(days), size, TOO_FEW_DAYS
    sar = ar_sum[use] / ar_cnt[use] / sd[use]
    t = float(sar.sum() / np.sqrt(days))
    return t, float(t_pvalue(np.array([t]), days - 1)[0]), float(days), size, ""


def calendar_time_test(
    ar: FloatArray,
    resid: FloatArray,
    pos0: np.ndarray,
    windows: Sequence[tuple[int, int]],
    *,
    tau1: int,
) -> CalendarTimeResult:
    """Calendar-time portfolio test of each window (see the module docstring).

    Parameters
    ----------
    ar
        ``(N, L2)`` abnormal returns on the relative days ``tau1..tau2``.
    resid
        ``(N, L1)`` estimation residuals on the estimation days (relative-day order).
    pos0
        ``(N,)`` session position of each event's day 0 (only differences matter).
    windows
        Windows ``(a, b)`` inside ``tau1..tau2``; ``(d, d)`` for a relative day.
    tau1
        First relative day of ``ar``.

    Returns
    -------
    CalendarTimeResult

    Examples
    --------
    >>> rng = np.random.default_rng(1)
    >>> r = calendar_time_test(rng.normal(0, 1, (4, 1)), rng.normal(0, 1, (4, 30)),
    ...                        np.array([10, 10, 11, 40]), [(0, 0)], tau1=0)
    >>> r.days.tolist(), r.mean_size.round(3).tolist(), r.notes
    ([3.0], [1.333], [''])
    """
    return calendar_time_of(calendar_groups(ar, resid, pos0), ar, windows, tau1=tau1)


def calendar_time_of(
    groups: CalendarGroups,
    ar: FloatArray,
    windows: Sequence[tuple[int, int]],
    *,
    tau1: int,
) -> CalendarTimeResult:
    """:func:`calendar_time_test` from the events' :class:`CalendarGroups`.

    ``ar`` ``(N, L2)`` (the events' abnormal returns) gives only the number of events
    with a return in each window; the portfolios come from ``groups`` (of these
    events, possibly merged from partitions).

    Examples
    --------
    >>> rng = np.random.default_rng(1)
    >>> ar, resid = rng.normal(0, 1, (4, 1)), rng.normal(0, 1, (4, 30))
    >>> pos0 = np.array([10, 10, 11, 40])
    >>> parts = [calendar_groups(ar[k], resid[k], pos0[k]) for k in ([0, 3], [1, 2])]
    >>> a = calendar_time_of(CalendarGroups.merge(parts), ar, [(0, 0)], tau1=0)
    >>> b = calendar_time_test(ar, resid, pos0, [(0, 0)], tau1=0)
    >>> bool(np.isclose(a.t[0], b.t[0], rtol=0, atol=1e-12)), a.days.tolist()
    (True, [3.0])
    """
    ncol = len(windows)
    t, p = np.full(ncol, np.nan), np.full(ncol, np.nan)
    days, size = np.zeros(ncol), np.full(ncol, np.nan)
    n = np.zeros(ncol)
    notes = [TOO_FEW_DAYS] * ncol
    if len(groups.pos) == 0:
        return CalendarTimeResult(t, p, n, days, size, notes)
    pad = max(b - a for a, b in windows) if ncol else 0
    grp = _dense(groups, pad)
    present = np.isfinite(ar)
    sd_of: dict[int, FloatArray] = {}  # S_p,t depends on the window's length only
    for c, (a, b) in enumerate(windows):
        n[c] = float(present[:, a - tau1 : b - tau1 + 1].any(axis=1).sum())
        t[c], p[c], days[c], size[c], notes[c] = _one_window(grp, pad, int(a), int(b), tau1, sd_of)
    return CalendarTimeResult(t, p, n, days, size, notes)
