"""What the test battery needs of the estimation residuals, as sums that merge exactly.

Six tests read the ``(N, L1)`` estimation residuals of the events, never one event's
residuals on their own but sums over events: Brown-Warner the residual sums and
counts per estimation day, Kolari-Pynnönen's ``rbar`` (``patell_adj``, ``kp_bmp``)
the unit-norm residuals summed by day-0 position (:class:`KPGroups`), Corrado and
GRANK the rank sums per day (:class:`RankSums`), the calendar-time test residuals
and abnormal returns summed by day-0 position (:class:`CalendarGroups`).
:class:`EstimationSums` holds those a selection of tests needs
(:data:`~eventstudy._typing.TestNeed`); :func:`estimation_sums` computes them from
the events' pieces and :meth:`EstimationSums.merge` adds those of disjoint sets of
events. The battery (:class:`~eventstudy.study.inference.BatteryInputs`) reads only
these sums, so the local engine (sums of all the events) and the Dask engine (sums
of each partition, computed on its worker and merged on the client:
:mod:`eventstudy.scale.study`) run the same code, and the client never holds the
residuals.

GRANK's thresholds are scaled by the cross-sectional sd of ``SCAR`` over **all** the
events (:func:`~eventstudy.study.statistics.grank_sd`): a partition's GRANK sums are
computed with the sd of the whole study (``grank_sd=``), known once the per-event
``SCAR`` of every partition is on the client.

Examples
--------
>>> from eventstudy.study.core import event_pieces
>>> from eventstudy.study.models import fit_model
>>> rng = np.random.default_rng(0)
>>> r = rng.normal(0, 0.01, (6, 60))
>>> fit = fit_model("constant_mean", r[:, :50], r[:, :50, None], r[:, 50:], r[:, 50:, None])
>>> p = event_pieces(fit, r[:, 50:], windows=[(0, 1)], tau1=-5, k=1)
>>> whole = estimation_sums(p, ["residual_day_sums", "rbar"])
>>> parts = [estimation_sums(p.take(np.arange(k, 6, 2)), ["residual_day_sums", "rbar"])
...          for k in (0, 1)]
>>> merged = EstimationSums.merge(parts)
>>> bool(np.allclose(merged.day_total, whole.day_total, rtol=0, atol=1e-15)), merged.n
(True, 6)
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass, replace
from typing import get_args

import numpy as np

from eventstudy._typing import FloatArray, TestNeed
from eventstudy.exceptions import ConfigError
from eventstudy.study.calendar_time import (
    CalendarGroups,
    add_group_sums,
    calendar_groups,
    empty_groups,
    group_sums,
)
from eventstudy.study.core import EventPieces, day0_groups, map_blocks, scratch
from eventstudy.study.statistics import (
    KP_BLOCK,
    KPGroups,
    RankSums,
    column_sums,
    kp_groups,
    merge_kp_groups,
    rank_sums,
    unit_residuals,
)

__all__ = [
    "RANK_NEEDS",
    "SUM_NEEDS",
    "EstimationSums",
    "day0_sums",
    "estimation_sums",
    "without_residuals",
]

#: Every need of the battery: each is a part of :class:`EstimationSums`.
SUM_NEEDS: frozenset[TestNeed] = frozenset(get_args(TestNeed))

#: The needs served by the one rank pass (:func:`~eventstudy.study.statistics.rank_sums`).
RANK_NEEDS: frozenset[TestNeed] = frozenset({"corrado_ranks", "grank_ranks"})


@dataclass(frozen=True, slots=True)
class EstimationSums:
    """The sums over events that the battery reads instead of the estimation residuals.

    Attributes
    ----------
    l1
        Estimation days ``L1``.
    n
        Events summed.
    needs
        The needs these sums serve (the parts below that are not None).
    day_total, day_count
        ``(L1,)`` sums and counts of the residuals per estimation day (Brown-Warner;
        need ``residual_day_sums``).
    kp
        Kolari-Pynnönen's :class:`~eventstudy.study.statistics.KPGroups` (need
        ``rbar``).
    ranks
        The rank sums: Corrado's, with GRANK's when ``grank_ranks`` is a need.
    calendar
        The calendar-time test's :class:`~eventstudy.study.calendar_time.CalendarGroups`
        (need ``calendar_groups``).
    """

    l1: int
    n: int
    needs: frozenset[TestNeed]
    day_total: FloatArray | None = None
    day_count: FloatArray | None = None
    kp: KPGroups | None = None
    ranks: RankSums | None = None
    calendar: CalendarGroups | None = None

    @staticmethod
    def merge(parts: Sequence[EstimationSums]) -> EstimationSums:
        """The sums of the union of disjoint sets of events (the parts serve the same needs).

        Raises
        ------
        ValueError
            If there are no parts, or they differ in ``L1`` or needs.
        """
        if not parts:
            raise ValueError("EstimationSums.merge needs at least one part")
        first = parts[0]
        if any(q.l1 != first.l1 or q.needs != first.needs for q in parts):
            raise ValueError(
                "EstimationSums of different L1 or needs cannot merge: "
                f"{sorted({(q.l1, tuple(sorted(q.needs))) for q in parts})}"
            )

        def total(name: str) -> FloatArray | None:
            vals = [getattr(q, name) for q in parts]
            return None if vals[0] is None else np.sum(vals, axis=0)

        kps = [q.kp for q in parts if q.kp is not None]
        ranks = [q.ranks for q in parts if q.ranks is not None]
        cals = [q.calendar for q in parts if q.calendar is not None]
        return EstimationSums(
            l1=first.l1,
            n=sum(q.n for q in parts),
            needs=first.needs,
            day_total=total("day_total"),
            day_count=total("day_count"),
            kp=merge_kp_groups(kps) if kps else None,
            ranks=RankSums.merge(ranks) if ranks else None,
            calendar=CalendarGroups.merge(cals) if cals else None,
        )

    def with_ranks(self, ranks: RankSums, needs: Iterable[TestNeed]) -> EstimationSums:
        """These sums with the rank sums ``ranks`` added (serving ``needs`` too)."""
        return replace(self, ranks=ranks, needs=self.needs | frozenset(needs))

    def need(self, need: TestNeed) -> None:
        """Check that these sums serve ``need``.

        Raises
        ------
        ConfigError
            If they do not (compute them with it: :func:`estimation_sums`).
        """
        if need not in self.needs:
            raise ConfigError(
                f"these estimation sums serve {sorted(self.needs)}, not {need!r}: compute "
                "them with that need (estimation_sums(pieces, needs))"
            )


def estimation_sums(
    pieces: EventPieces,
    needs: Iterable[TestNeed],
    *,
    grank_sd: FloatArray | None = None,
) -> EstimationSums:
    """The :class:`EstimationSums` of ``pieces`` that serve ``needs``.

    Parameters
    ----------
    pieces
        The events' pieces, with their estimation residuals.
    needs
        Of :data:`SUM_NEEDS`: which sums to compute.
    grank_sd
        ``(C,)`` the cross-sectional sd of ``SCAR`` of the whole study, when
        ``pieces`` are a part of it (default:
        :func:`~eventstudy.study.statistics.grank_sd` of ``pieces.scar``).

    Raises
    ------
    ConfigError
        For an unknown need, or pieces that carry no residuals (the pieces of a
        result of ``engine="dask"``: its sums were merged from the workers).
    """
    want = frozenset(needs)
    unknown = sorted(want - SUM_NEEDS)
    if unknown:
        raise ConfigError(f"unknown need(s) {unknown}; choose from {sorted(SUM_NEEDS)}")
    n, l1 = pieces.resid.shape
    if want and l1 == 0:
        raise ConfigError(
            f"these pieces carry no estimation residuals, so the sums {sorted(want)} cannot "
            "be computed from them (a result of engine='dask' keeps only the sums of all "
            "its events); fit these events as a study of their own"
        )
    out = EstimationSums(l1=l1, n=n, needs=want)
    if want & RANK_NEEDS:
        scar = pieces.scar if "grank_ranks" in want else None
        out = replace(out, ranks=rank_sums(pieces, scar, sd=grank_sd))
    if {"rbar", "calendar_groups"} <= want:  # one pass in day-0 order serves both
        kp, calendar = day0_sums(pieces.resid, pieces.ar, pieces.pos0)
        out = replace(out, kp=kp, calendar=calendar)
    elif "rbar" in want:
        out = replace(out, kp=kp_groups(pieces.resid, pieces.pos0))
    elif "calendar_groups" in want:
        out = replace(out, calendar=calendar_groups(pieces.ar, pieces.resid, pieces.pos0))
    if "residual_day_sums" in want:
        if out.calendar is not None:  # the day-0 groups' sums, summed over the groups
            total, count = out.calendar.res_sum.sum(axis=0), out.calendar.res_cnt.sum(axis=0)
        else:
            total, count = column_sums(pieces.resid)
        out = replace(out, day_total=total, day_count=count)
    return out


def day0_sums(
    resid: FloatArray, ar: FloatArray, pos0: np.ndarray
) -> tuple[KPGroups, CalendarGroups]:
    """:func:`~eventstudy.study.statistics.kp_groups` and
    :func:`~eventstudy.study.calendar_time.calendar_groups` in one pass.

    Both sum over the events grouped by day 0: the residuals are gathered in day-0
    order once (block by block, on threads) and each block serves both; the sums are
    those of the two functions, bit for bit.

    Examples
    --------
    >>> rng = np.random.default_rng(3)
    >>> resid, ar, pos0 = rng.normal(size=(9, 20)), rng.normal(size=(9, 3)), rng.integers(0, 4, 9)
    >>> resid[0, 2] = np.nan
    >>> kp, cal = day0_sums(resid, ar, pos0)
    >>> bool((kp.z == kp_groups(resid, pos0).z).all())
    True
    >>> bool((cal.res_sum == calendar_groups(ar, resid, pos0).res_sum).all())
    True
    """
    groups = day0_groups(pos0)
    n, l1 = resid.shape
    cal = empty_groups(groups.pos, l1, ar.shape[1])
    zg = np.zeros((len(groups.pos), l1))

    def part(lo: int, hi: int) -> tuple[np.ndarray, list[FloatArray], FloatArray, float]:
        ids, starts = groups.block(lo, hi)
        at = groups.order[lo:hi]
        # copies (zeroed where missing) into this thread's work arrays: no fresh pages
        buf = scratch("day0_r", (hi - lo, l1), np.float64)
        r = np.take(resid, at, axis=0, out=buf, mode="clip")  # "raise" copies via a buffer
        a = ar[at]
        ok = np.isfinite(r, out=scratch("day0_ok", r.shape, np.bool_))
        ok_a = np.isfinite(a)
        np.copyto(r, 0.0, where=~ok)  # (faster than putmask)
        np.copyto(a, 0.0, where=~ok_a)
        sums = [*group_sums(r, ok, starts), *group_sums(a, ok_a, starts)]
        own = unit_residuals(r, ok)  # r becomes the z of Kolari-Pynnönen
        return ids, sums, np.add.reduceat(r, starts, axis=0), own

    own = 0.0
    for ids, sums, z, o in map_blocks(part, n, block=KP_BLOCK):
        add_group_sums(cal, ids, *sums)
        zg[ids] += z  # group ids are distinct within a block
        own += o
    return KPGroups(groups.pos, zg, groups.size, own), cal


def without_residuals(pieces: EventPieces) -> EventPieces:
    """The pieces with ``resid`` of shape ``(N, 0)``: what a Dask partition sends back.

    Examples
    --------
    >>> from eventstudy.study.core import EventPieces
    >>> without_residuals(EventPieces.empty(l1=240, l2=11, n_windows=5, k=2)).resid.shape
    (0, 0)
    """
    return replace(pieces, resid=np.empty((pieces.n, 0)))
