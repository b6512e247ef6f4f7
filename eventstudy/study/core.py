"""The numerical core: (a chunk of events, the returns it needs) -> per-event pieces.

Everything here is a pure function of NumPy arrays shaped events x relative days;
there is no loop over events. :func:`event_pieces` turns the gathered returns
of a chunk of events into :class:`EventPieces` (abnormal returns, their
standardised versions, CAR/BHAR per window, residuals, ...). Pieces of several
chunks concatenate (:func:`concat_pieces`; the block scheduler of
:mod:`eventstudy.study.engine` writes blocks into preallocated arrays instead) and
the cross-sectional statistics
(:mod:`eventstudy.study.inference`) are computed from them, so the same code
can be mapped over partitions of events by a distributed engine. The Corrado and
GRANK ranks (:func:`ranks`) are per-event functions of the residuals and abnormal
returns: they are computed block by block when the rank tests run, never stored.

Conventions (METHODS.md):

- a missing return is missing: it reduces ``M_i`` in estimation; in the event
  window CAR, CSAR and BHAR sum/compound over the *present* days of the window
  and ``L`` is the number of present days (an event with no present day has NaN);
- ``S^2_{CAR}`` is the Mikkelson-Partch (1988) variance (:mod:`.models`), or the sum
  of the event days' variances when the model gives them (``ModelFit.var_evt``: the
  GARCH models' conditional-variance forecasts);
- Corrado ranks are ordinal ranks of each event's abnormal returns over its
  estimation + event days (ties - values equal to about 1e-13 relative - broken by
  position, the earlier day lower; with continuous returns ties have probability
  zero), ``U = rank/(T_i + 1) - 1/2`` with ``T_i`` the number of present days
  (Corrado and Zivney 1992).

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

import os
import threading
from collections.abc import Callable, Iterator
from concurrent.futures import Executor, Future, ThreadPoolExecutor
from contextlib import contextmanager
from dataclasses import dataclass, fields
from functools import lru_cache
from typing import Any, TypeVar

import numpy as np

from eventstudy._typing import FloatArray
from eventstudy.study.models import ModelFit, count_rows

__all__ = [
    "BLOCK",
    "SCRATCH_MAX_BYTES",
    "THREADS",
    "Day0Groups",
    "EventPieces",
    "SortedRows",
    "background",
    "concat_pieces",
    "day0_groups",
    "event_pieces",
    "map_blocks",
    "ranks",
    "scratch",
    "sort_rows",
    "window_sums",
]

#: Events per block: a block's temporaries stay in the CPU cache.
BLOCK = 1024

#: Worker threads mapping work over blocks of events (NumPy releases the GIL).
THREADS = max(1, min(4, os.cpu_count() or 1))

_T = TypeVar("_T")


def map_blocks(fn: Callable[[int, int], _T], n: int, block: int = BLOCK) -> list[_T]:
    """``[fn(lo, hi) for each block lo:hi of range(n)]``, on :data:`THREADS` threads.

    Examples
    --------
    >>> map_blocks(lambda lo, hi: hi - lo, 2500, block=1000)
    [1000, 1000, 500]
    """
    starts = list(range(0, n, block))
    if THREADS > 1 and len(starts) > 1:
        with ThreadPoolExecutor(THREADS) as pool:
            return list(pool.map(lambda lo: fn(lo, min(lo + block, n)), starts))
    return [fn(lo, min(lo + block, n)) for lo in starts]


@dataclass(frozen=True, slots=True)
class Day0Groups:
    """Events grouped by the session of their day 0 (for sums by day-0 position).

    Attributes
    ----------
    order
        ``(N,)`` the events sorted by day 0 (stable: ties keep their order).
    gid
        ``(N,)`` the group of each event of ``order`` (``0..G-1``, increasing).
    pos
        ``(G,)`` the distinct day-0 positions, increasing.
    size
        ``(G,)`` events per group.
    """

    order: np.ndarray
    gid: np.ndarray
    pos: np.ndarray
    size: np.ndarray

    def block(self, lo: int, hi: int) -> tuple[np.ndarray, np.ndarray]:
        """The groups met in the block ``order[lo:hi]`` and where each starts in it.

        For ``np.add.reduceat(x[order[lo:hi]], starts, axis=0)``: one row per group.
        """
        gb = self.gid[lo:hi]
        starts = np.flatnonzero(np.r_[True, gb[1:] != gb[:-1]])
        return gb[starts], starts


def day0_groups(pos0: np.ndarray) -> Day0Groups:
    """The :class:`Day0Groups` of events with day-0 positions ``pos0``.

    Examples
    --------
    >>> g = day0_groups(np.array([7, 3, 7, 5]))
    >>> g.order.tolist(), g.gid.tolist(), g.pos.tolist(), g.size.tolist()
    ([1, 3, 0, 2], [0, 1, 2, 2], [3, 5, 7], [1, 1, 2])
    """
    p = np.asarray(pos0, dtype=np.int64)
    n = len(p)
    order = np.argsort(p, kind="stable")
    ps = p[order]
    new_group = np.r_[True, ps[1:] != ps[:-1]] if n else np.zeros(0, dtype=bool)
    starts = np.flatnonzero(new_group)
    gid = np.cumsum(new_group) - 1
    size = np.diff(np.r_[starts, n]).astype(np.int64)
    return Day0Groups(order, gid, ps[starts], size)


@contextmanager
def background() -> Iterator[Executor]:
    """One worker thread for work that can overlap the caller's (none: :data:`THREADS` = 1).

    With one thread each task runs when it is submitted. An exception of a task is
    raised by its future's ``result()``; leaving the block waits for the worker.

    Examples
    --------
    >>> with background() as pool:
    ...     later = pool.submit(sum, [1, 2, 3])
    ...     now = 10
    >>> later.result() + now
    16
    """
    pool: Executor = ThreadPoolExecutor(1) if THREADS > 1 else _Inline()
    try:
        yield pool
    finally:
        pool.shutdown(wait=True)


class _Inline(Executor):
    """An executor that runs each task when it is submitted (no thread)."""

    def submit(self, fn: Callable[..., _T], /, *args: Any, **kwargs: Any) -> Future[_T]:
        out: Future[_T] = Future()
        try:
            out.set_result(fn(*args, **kwargs))
        except BaseException as err:  # handed to whoever asks for the result
            out.set_exception(err)
        return out


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
    zero_share: FloatArray
    pos0: np.ndarray

    @property
    def n(self) -> int:
        """Number of events."""
        return int(self.ar.shape[0])

    @classmethod
    def empty(cls, *, l1: int, l2: int, n_windows: int, k: int, n_params: int = 0) -> EventPieces:
        """The pieces of no event (``L1`` estimation days, ``L2`` event days, ``W`` windows).

        Examples
        --------
        >>> p = EventPieces.empty(l1=240, l2=11, n_windows=5, k=2, n_params=2)
        >>> p.car.shape, p.params.shape
        ((0, 5), (0, 2))
        """

        def e(*shape: int) -> FloatArray:
            return np.empty((0, *shape))

        w = n_windows
        return cls(
            params=e(n_params), m=np.empty(0, dtype=np.int64), sigma2=e(), k=k, ar=e(l2),
            sar=e(l2), var_ar=e(l2), ret=e(l2), expected=e(l2), car=e(w), var_car=e(w),
            scar=e(w), csar=e(w), nwin=e(w), bhar=e(w), resid=e(l1), frac_pos=e(),
            zero_share=e(), pos0=np.empty(0, dtype=np.int64),
        )  # fmt: skip

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


_SIGN = np.uint64(1 << 63)
_ALL = np.uint64(0xFFFF_FFFF_FFFF_FFFF)
_SCRATCH = threading.local()

#: Largest work array a thread keeps for reuse (:func:`scratch`): 8 MB, a block of events.
SCRATCH_MAX_BYTES = 8 * 2**20


def scratch(name: str, shape: tuple[int, ...], dtype: type[np.generic]) -> np.ndarray:
    """A work array of this thread, reused from call to call (its contents are undefined).

    Blocks of events reuse the same memory instead of allocating fresh temporaries:
    on a virtual machine the first touch of fresh pages (glibc returns freed blocks
    to the system) costs about as much as the arithmetic. The array stays valid
    until the next call with the same ``name`` on the same thread; each thread
    keeps at most one array per name (a few MB for a block of events), and none
    larger than :data:`SCRATCH_MAX_BYTES` (a larger request gets a fresh array).

    Examples
    --------
    >>> a = scratch("doc", (2, 3), np.float64)
    >>> b = scratch("doc", (3, 2), np.float64)
    >>> a.shape, b.shape, bool(np.shares_memory(a, b))
    ((2, 3), (3, 2), True)
    """
    size = int(np.prod(shape))
    if size * np.dtype(dtype).itemsize > SCRATCH_MAX_BYTES:  # not kept: a one-off array
        return np.empty(shape, dtype=dtype)
    bufs: dict[str, np.ndarray] = _SCRATCH.__dict__.setdefault("bufs", {})
    buf = bufs.get(name)
    if buf is None or buf.size < size or buf.dtype != dtype:
        buf = np.empty(size, dtype=dtype)
        bufs[name] = buf
    return buf[:size].reshape(shape)


def _fill_sort_keys(x: FloatArray, keys: np.ndarray) -> int:
    """Write order-preserving ``uint64`` keys of the rows of ``x`` into ``keys``; the shift.

    The float64 bit pattern is mapped to an unsigned integer that sorts like the value
    (NaN last); its lowest ``b = bit_length(T - 1)`` bits are replaced by the column
    index, so a plain (SIMD) ``np.sort`` of the keys gives each row's order and the
    position of every value. Values equal in their first ``64 - b`` bits (equal to about
    ``2**-(52-b)`` relative, i.e. ``1e-13`` for ``T = 261``) are ties, broken by column.
    ``x`` must be C-contiguous float64 without ``-0.0``.
    """
    t = x.shape[1]
    shift = max(1, int(t - 1).bit_length())
    np.right_shift(x.view(np.int64), 63, out=keys.view(np.int64))  # all ones if negative
    keys |= _SIGN
    keys ^= x.view(np.uint64)
    np.copyto(keys, _ALL, where=np.isnan(x))  # (faster than putmask)
    keys &= ~np.uint64((1 << shift) - 1)
    keys |= np.arange(t, dtype=np.uint64)
    return shift


@lru_cache(maxsize=8)
def _u_table(t: int) -> FloatArray:
    """``(t + 1, t)``: row ``T`` holds Corrado's ``U = q / (T + 1) - 1/2`` (float32
    arithmetic) for ``q = 1..t``, 0 for ``q > T`` (the missing values, sorted last)."""
    q = np.arange(1, t + 1, dtype=np.float32)
    t_i = np.arange(t + 1)
    u32 = q / (t_i[:, None] + 1.0).astype(np.float32)
    u32 -= np.float32(0.5)
    np.putmask(u32, q > t_i[:, None], np.float32(0.0))
    table = u32.astype(np.float64)
    table.flags.writeable = False
    return table


@dataclass(frozen=True, slots=True)
class SortedRows:
    """Each event's estimation residuals and abnormal returns in sorted order.

    Attributes
    ----------
    col
        ``(n, T)`` column (``0..L1-1`` estimation days, then the event days) of the
        ``q``-th smallest value of each row; missing values come last.
    present
        ``(n, T)`` whether each value (in column order) is present.
    t_i
        ``(n,)`` number of present values ``T_i``.
    l1
        Number of estimation columns.
    """

    col: np.ndarray
    present: np.ndarray
    t_i: np.ndarray
    l1: int

    def flat_index(self) -> np.ndarray:
        """``(n, T)`` flat position (``row * T + col``) of the ``q``-th value of each row."""
        n, t = self.col.shape
        flat = scratch("flat", (n, t), np.intp)
        np.add(self.col, (np.arange(n, dtype=np.intp) * t)[:, None], out=flat)
        return flat

    def u_sorted(self) -> FloatArray:
        """Corrado's ``U = q / (T_i + 1) - 1/2`` of the ``q``-th value of each row.

        Float32 arithmetic (as before: ``U`` to float32 precision), returned as
        float64; 0 for the missing values.
        """
        n, t = self.col.shape
        u = scratch("u64", (n, t), np.float64)
        np.take(_u_table(t), self.t_i, axis=0, out=u)  # one row per T_i: a copy, no arithmetic
        return u

    def est_rank_sorted(self) -> np.ndarray:
        """``(n, T)`` int32 running count of estimation values up to the ``q``-th value.

        For an estimation value, its rank among the estimation days.
        """
        n, t = self.col.shape
        cum = scratch("cum", (n, t), np.int32)
        np.cumsum(self.col < self.l1, axis=1, dtype=np.int32, out=cum)
        return cum


def sort_rows(resid: FloatArray, ar: FloatArray) -> SortedRows:
    """One sort of each row of ``resid`` then ``ar`` (integer keys, :func:`_fill_sort_keys`).

    The arrays of the result are work arrays of this thread (:func:`scratch`): use them
    before the next call. Ties (values equal to about 1e-13 relative) are broken by
    position, the earlier day first; ``-0.0`` and ``0.0`` are equal.

    Examples
    --------
    >>> s = sort_rows(np.array([[0.3, np.nan, -1.0]]), np.array([[0.0]]))
    >>> s.col.tolist(), s.t_i.tolist()
    ([[2, 3, 0, 1]], [3])
    """
    n, l1 = resid.shape
    t = l1 + ar.shape[1]
    both = scratch("both", (n, t), np.float64)
    np.add(resid, 0.0, out=both[:, :l1])  # copied with -0.0 -> +0.0 (one pass)
    np.add(ar, 0.0, out=both[:, l1:])
    present = scratch("present", (n, t), np.bool_)
    np.isfinite(both, out=present)
    keys = scratch("keys", (n, t), np.uint64)
    shift = _fill_sort_keys(both, keys)
    keys.sort(axis=1)
    keys &= np.uint64((1 << shift) - 1)
    return SortedRows(keys.view(np.intp), present, count_rows(present), l1)


def ranks(resid: FloatArray, ar: FloatArray) -> tuple[np.ndarray, np.ndarray]:
    """Corrado ``U`` over estimation + event days and ranks among the estimation days.

    Ordinal ranks of each row (``resid`` then ``ar``; NaN not ranked): ties (values
    equal to about 1e-13 relative, see :func:`_fill_sort_keys`) are broken by
    position, the earlier day ranking lower. One sort of integer keys per row
    (:func:`sort_rows`); the rank among the estimation columns is the running count
    of estimation entries in sorted order. Both come back as float32 (exact integers
    / ``U`` to float32 precision), NaN where the value is missing.
    """
    l1 = resid.shape[1]
    s = sort_rows(resid, ar)
    n, t = s.col.shape
    flat = s.flat_index().ravel()
    u = np.empty(n * t, dtype=np.float32)
    u[flat] = s.u_sorted().ravel()
    u = u.reshape(n, t)
    u[~s.present] = np.nan
    rank_est = np.empty(n * t, dtype=np.float32)
    rank_est[flat] = s.est_rank_sorted().ravel()
    rank_est = rank_est.reshape(n, t)[:, :l1].copy()
    rank_est[~s.present[:, :l1]] = np.nan
    return u, rank_est


def _day_variance(fit: ModelFit) -> FloatArray:
    """``S_{i,t}^2``: the model's own variances, or the prediction-error variance (Patell 1976)."""
    if fit.var_evt is not None:
        return fit.var_evt
    n = fit.ar.shape[0]
    if fit.estimated:
        q = 1.0 / fit.m.astype(float)[:, None]
        if fit.zc.shape[2]:
            q = q + np.einsum("ntf,nfg,ntg->nt", fit.zc, fit.ginv, fit.zc)
    else:
        q = np.zeros((n, 1))
    out: FloatArray = fit.sigma2[:, None] * (1.0 + q)
    return out


def _window_variance(
    fit: ModelFit, present: np.ndarray, nwin: FloatArray, windows: list[tuple[int, int]], tau1: int
) -> FloatArray:
    """``S^2_{CAR}``: the sum of the model's own variances, or Mikkelson-Partch (1988)."""
    if fit.var_evt is not None:
        return window_sums(np.where(present, fit.var_evt, 0.0), windows, tau1)
    if fit.estimated:
        quad = nwin**2 / fit.m.astype(float)[:, None]
        if fit.zc.shape[2]:
            zc_p = np.where(present[:, :, None], fit.zc, 0.0)
            d = window_sums(zc_p, windows, tau1)
            quad = quad + np.einsum("nwf,nfg,nwg->nw", d, fit.ginv, d)
    else:
        quad = np.zeros_like(nwin)
    out: FloatArray = fit.sigma2[:, None] * (nwin + quad)
    return out


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
    s2 = fit.sigma2
    ar = fit.ar
    present = np.isfinite(ar)
    with np.errstate(invalid="ignore", divide="ignore"):
        var_ar = _day_variance(fit)
        sar = ar / np.sqrt(var_ar)
        nwin = window_sums(present.astype(float), windows, tau1)
        car = np.where(nwin > 0, window_sums(ar, windows, tau1), np.nan)
        var_car = _window_variance(fit, present, nwin, windows, tau1)
        scar = car / np.sqrt(var_car)
        csar = np.where(nwin > 0, window_sums(sar, windows, tau1), np.nan)
        # buy-and-hold (simple returns, compounded over the present days)
        ok = present & np.isfinite(r_evt)
        lr = window_sums(np.where(ok, np.log1p(r_evt), 0.0), windows, tau1)
        le = window_sums(np.where(ok, np.log1p(fit.expected), 0.0), windows, tau1)
        bhar = np.where(nwin > 0, np.exp(lr) - np.exp(le), np.nan)
        resid = fit.resid
        frac_pos = count_rows(resid > 0) / fit.m.astype(float)
        if r_est is not None:
            zero_share = count_rows(r_est == 0) / count_rows(np.isfinite(r_est))
        else:
            zero_share = np.full(n, np.nan)
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
