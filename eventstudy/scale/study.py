"""The study at scale: events partitioned by security, each partition fitted on a worker.

:func:`fit_study_dask` is ``run_event_study(..., engine="dask")``. On the client:
the events are resolved (day 0, duplicates: as locally) and cut into partitions of
whole securities (about ``partition_size`` events each; all the events of a
security are in one partition, so overlaps and same-day duplicates are counted as
locally). Each partition runs the local engine's fit (not its test battery) on a
worker:

- **prices fetched** (no ``returns=``/``prices=``): the worker loads only its
  securities and the market, over the whole study's date range (the same request
  as the local :func:`~eventstudy.study.engine.fetch_returns`, restricted to them):
  with the ``local`` warehouse source (:mod:`eventstudy.market.local`) it reads only
  their rows, so no worker holds the whole panel; the price layer's warnings of the
  fetch (:data:`~eventstudy.exceptions.PRICE_WARNINGS`: a board built as a proxy, a
  cached stand-in) are emitted on the client, each distinct one once
  (:func:`forward_warnings`);
- **a panel given** (``returns=``/``prices=``/``volumes=``): each task carries only
  its columns and the market's. ``market="ew"`` needs the whole panel: the
  equal-weighted series is computed once on the client and shipped with every
  partition; so is a volume study's market log volume when the volumes have no
  market column (the panel's mean log volume, :func:`~eventstudy.study.measures.volume_frame`).

Each worker computes its events' pieces and the sums over their estimation
residuals that the selected tests need (:class:`~eventstudy.study.sums.EstimationSums`:
residual sums per estimation day, Kolari-Pynnönen and calendar-time sums by day-0
position, Corrado's and GRANK's rank sums per day). What travels to the client: the
per-event event-window pieces (AR, SAR, CAR, SCAR, BHAR, ... without the ``(N, L1)``
estimation residuals: 736 bytes an event with the default event window, five CAR
windows and the market model, against 2,656 with the residuals: 0.7 GB instead of
2.7 GB at a million events) and each partition's sums (about ``3 L1 + 2 L2`` floats
per day-0 date of its events and a few ``L1``-long rows: some 6 kB a date), which
the client adds (:meth:`~eventstudy.study.sums.EstimationSums.merge`).
The battery then runs on them with the same code as locally, so every statistic is
the local one (to rounding: the sums are the same sums, added in another order) and
``dropped`` is identical. GRANK scales its thresholds by the sd of ``SCAR`` over all
the events: when it is selected the partitions' pieces stay on the workers (as
futures) while the client computes that sd from the per-event ``SCAR``, then each
partition returns its rank sums with it (a second, small round). What is not
distributed: ``result.placebo`` (the result carries no return panel; run it with the
local engine); ``result.subset``/``by`` of the result leave out the tests that read
the estimation residuals (it has only the sums of all its events).

Examples
--------
>>> partition_events(pd.Series(["B", "A", "B", "C", "A", "B"]), 3)
[array([1, 4]), array([0, 2, 5]), array([3])]
"""

from __future__ import annotations

import dataclasses
import warnings
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, get_args

import numpy as np
import pandas as pd

from eventstudy._typing import TestNeed
from eventstudy.events import DROPPED_COLUMNS, EventSet
from eventstudy.exceptions import PRICE_WARNINGS, ConfigError, user_stacklevel
from eventstudy.scale.cluster import (
    check_partition_size,
    chunks,
    gather_in_order,
    partition_size_for,
    resolve_client,
)
from eventstudy.study.core import EventPieces, concat_pieces
from eventstudy.study.engine import (
    event_set,
    fetch_returns,
    market_notes,
    panel_returns,
    resolve_duplicates,
)
from eventstudy.study.inference import battery_needs
from eventstudy.study.measures import (
    get_measure,
    has_market_volume,
    market_volume_line,
    volume_frame,
)
from eventstudy.study.panel import Panel, WideData, unwrap
from eventstudy.study.panel_market import check_panel_given, is_panel_market, with_panel_market
from eventstudy.study.result import EventStudyResult
from eventstudy.study.statistics import RankSums, grank_sd
from eventstudy.study.sums import RANK_NEEDS, EstimationSums, estimation_sums, without_residuals

if TYPE_CHECKING:
    from eventstudy.study.spec import EventStudy

__all__ = [
    "EW_COLUMN",
    "ShippedSource",
    "StudyPartition",
    "fit_study_dask",
    "forward_warnings",
    "partition_events",
    "partition_rank_sums",
    "summarise_partition",
]

#: Column under which the client ships a market built from the whole panel to the workers:
#: the ``market="ew"`` series, or a volume study's mean log volume (volumes without the
#: market's column).
EW_COLUMN = "__eventstudy_ew__"

_PIECE_COLUMNS = ["n_estimation", "zero_return_share"]


@dataclass(frozen=True, slots=True)
class StudyPartition:
    """A fitted partition: the analysed events' ids, ``n_overlaps`` and pieces, the
    partition's ``dropped`` rows, the provenance of its prices, the calendar source,
    the price layer's warnings of its fetch (``(category, message)``: the client
    re-emits them once); as sent to the client (:func:`summarise_partition`), the
    pieces without residuals and the partition's ``sums``."""

    event_ids: list[Any]
    n_overlaps: np.ndarray
    pieces: EventPieces
    dropped: pd.DataFrame
    provenance: pd.DataFrame
    calendar_source: str
    sums: EstimationSums | None = None
    warnings: tuple[tuple[type[Warning], str], ...] = ()


def summarise_partition(part: StudyPartition, needs: frozenset[TestNeed]) -> StudyPartition:
    """What of a fitted partition goes to the client: its pieces without the estimation
    residuals, and the :class:`~eventstudy.study.sums.EstimationSums` serving ``needs``."""
    sums = estimation_sums(part.pieces, needs)
    return dataclasses.replace(part, pieces=without_residuals(part.pieces), sums=sums)


def partition_rank_sums(
    part: StudyPartition, needs: frozenset[TestNeed], sd: np.ndarray
) -> RankSums | None:
    """The rank sums of a fitted partition, GRANK's thresholds scaled by the study's ``sd``."""
    return estimation_sums(part.pieces, needs & RANK_NEEDS, grank_sd=sd).ranks


def partition_events(symbols: pd.Series, size: int) -> list[np.ndarray]:
    """Row positions of the events, in groups of whole securities of about ``size`` events.

    Securities in sorted order; positions in each group in frame order.
    """
    codes, uniques = pd.factorize(symbols.astype(str), sort=True)
    counts = np.bincount(codes, minlength=len(uniques))
    groups = chunks(counts.tolist(), size)
    return [np.flatnonzero(np.isin(codes, g)) for g in groups]


def _outcome(res: EventStudyResult, provenance: pd.DataFrame) -> StudyPartition:
    ev = res.events
    return StudyPartition(
        event_ids=ev["event_id"].tolist(),
        n_overlaps=ev["n_overlaps"].to_numpy(),
        pieces=res.pieces,
        dropped=res.dropped,
        provenance=provenance,
        calendar_source=res.calendar_source,
    )


def fit_given(spec: EventStudy, events: EventSet, data: dict[str, Any]) -> StudyPartition:
    """Fit one partition on the columns it was given (``data``: ``returns=`` etc.)."""
    return _outcome(spec.fit(events, **data), pd.DataFrame())


def fit_fetched(
    spec: EventStudy,
    events: EventSet,
    span: tuple[pd.Timestamp, pd.Timestamp],
    source: Any,
    offline: bool | None,
    cache_dir: str | None,
) -> StudyPartition:
    """Fit one partition on the prices of its securities, fetched on the worker.

    The request is the local one restricted to the partition's securities: the same
    date range (``span``: the first and last day 0 of the whole study).
    """
    from eventstudy.market.bundled import no_price_reason

    if isinstance(source, ShippedSource):
        source = source.use()
    syms = sorted(set(events.frame["symbol"].astype(str)))
    probe = pd.DataFrame({"symbol": [*syms, syms[0]], "day0": [span[0]] * len(syms) + [span[1]]})
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        returns, provenance, failed = fetch_returns(
            spec, probe, source=source, offline=offline, cache_dir=cache_dir
        )
    said = _forwarded(caught)
    # the returns are trade to trade already when asked; fit them as they are
    res = dataclasses.replace(spec, trade_to_trade=False).fit(events, returns=returns)
    out = _outcome(res, provenance)
    dropped = out.dropped
    lost = (dropped["reason"] == "unknown_symbol") & dropped["symbol"].astype(str).isin(failed)
    for label in dropped.index[lost]:
        sym = str(dropped.at[label, "symbol"])
        dropped.loc[label, ["reason", "message"]] = no_price_reason(sym, failed[sym])
    return dataclasses.replace(out, warnings=said)


def _forwarded(caught: list[warnings.WarningMessage]) -> tuple[tuple[type[Warning], str], ...]:
    """The price warnings of a worker's fetch, to send to the client; the others are
    re-emitted on the worker (its log), as without the capture."""
    said = []
    for w in caught:
        if issubclass(w.category, PRICE_WARNINGS):
            said.append((w.category, str(w.message)))
        else:
            warnings.warn_explicit(w.message, w.category, w.filename, w.lineno)
    return tuple(said)


def forward_warnings(parts: list[StudyPartition]) -> None:
    """Emit the partitions' price warnings on the client, each distinct one once
    (a proxy market fetched by every partition is announced once, as locally)."""
    for category, message in dict.fromkeys(w for p in parts for w in p.warnings):
        warnings.warn(message, category, stacklevel=user_stacklevel())


def _wide(spec: EventStudy, returns: Any, prices: Any, volumes: Any) -> tuple[str, Any] | None:
    """The panel given, as ``(keyword, data)``; None when the prices are to be fetched."""
    if get_measure(spec.measure).data == "volume":
        return None if volumes is None else ("volumes", volumes)
    if returns is not None:
        return "returns", returns
    if prices is not None:
        return "prices", prices
    return None


@dataclass(frozen=True, slots=True)
class _Given:
    """A panel given to the study: the worker spec, the keyword, the frame, the rest."""

    spec: EventStudy
    key: str
    frame: pd.DataFrame
    provenance: pd.DataFrame
    notes: tuple[str, ...]
    extra: dict[str, Any]


def _panel_notes(spec: EventStudy, columns: pd.Index) -> tuple[str, ...]:
    """The local engine's methodology lines on a panel with these columns."""
    cols = pd.Index([str(c) for c in columns])
    return market_notes(spec, Panel(pd.DatetimeIndex([]), np.empty((0, len(cols))), cols,
                                    np.empty(0)))  # fmt: skip


def _given_volumes(
    spec: EventStudy, frame: pd.DataFrame, prov: pd.DataFrame, shares: Any
) -> _Given:
    """Volumes given: as they are when they have the market's volume; else the panel's
    mean log volume (``V_mt``) computed once here from the whole panel and shipped
    under :data:`EW_COLUMN` as a volume, ``expm1(V_mt)`` (the workers take its
    ``log1p``: the same ``V_mt`` to rounding), as the ``market="ew"`` series is."""
    extra = {"shares": shares}
    market = spec.market
    if has_market_volume(frame, market):  # as volume_frame
        return _Given(spec, "volumes", frame, prov, (market_volume_line(market, own=True),), extra)
    v_market = volume_frame(frame, market, shares)[market]
    full = frame.drop(columns=[market], errors="ignore")
    full[EW_COLUMN] = np.expm1(v_market.to_numpy(dtype=float))
    notes = _panel_notes(spec, full.columns.drop(EW_COLUMN).append(pd.Index([market])))
    notes = (*notes, market_volume_line(market, own=False))  # as the local engine's
    worker = dataclasses.replace(spec, market=EW_COLUMN)
    return _Given(worker, "volumes", full, prov, notes, extra)


def _given(spec: EventStudy, key: str, obj: Any, shares: Any) -> _Given:
    frame, prov = unwrap(obj, key)
    if key == "volumes":
        return _given_volumes(spec, frame, prov, shares)
    if not is_panel_market(spec.market):
        return _Given(spec, key, frame, prov, (), {})
    rets = frame if key == "returns" else panel_returns(spec, frame)
    full = with_panel_market(rets, spec.market)
    notes = _panel_notes(spec, full.columns)
    full = full.rename(columns={spec.market: EW_COLUMN})
    # the workers fit returns (the series is built); no trade-to-trade step is left
    worker = dataclasses.replace(spec, market=EW_COLUMN, trade_to_trade=False)
    return _Given(worker, "returns", full, prov, notes, {})


def _columns(frame: pd.DataFrame, symbols: set[str], market: str) -> pd.DataFrame:
    labels = [str(c) for c in frame.columns]
    keep = [i for i, c in enumerate(labels) if c in symbols or c == market]
    return frame.iloc[:, keep]


def _refused_locally(spec: EventStudy, returns: Any, prices: Any) -> bool:
    """Whether the local engine refuses these arguments (it then says why)."""
    if get_measure(spec.measure).data == "volume":
        return returns is not None or prices is not None
    both = returns is not None and prices is not None
    return both or (returns is not None and spec.trade_to_trade)


def _refuse(spec: EventStudy, wide: tuple[str, Any] | None) -> None:
    check_panel_given(spec.market, given=wide is not None, engine="dask")
    if wide is None and get_measure(spec.measure).data == "volume":
        raise ConfigError(
            "measure='volume' with engine='dask' needs volumes= (fetching volumes on the "
            "workers is not supported); pass them, or use engine='local'"
        )


def fit_study_dask(
    spec: EventStudy,
    events: EventSet | pd.DataFrame,
    *,
    returns: WideData | None = None,
    prices: WideData | None = None,
    volumes: WideData | None = None,
    shares: pd.Series | pd.DataFrame | None = None,
    source: Any = "auto",
    offline: bool | None = None,
    cache_dir: str | None = None,
    client: Any = None,
    partition_size: int | None = None,
) -> EventStudyResult:
    """Run ``spec`` on the workers of a Dask cluster (see the module docstring).

    Parameters
    ----------
    spec, events, returns, prices, volumes, shares, source, offline, cache_dir
        As :meth:`~eventstudy.study.spec.EventStudy.fit`. ``source`` may also be a
        price-source object. A source registered on the client under your own name
        (``register_source("lake", LocalSource("/shared/lake"))``) is sent to the
        workers with the tasks (their registries are their own); a built-in name
        (``bundled``, ``local``, ``auto``...) means the workers' own source of that name.
    client
        A ``distributed.Client`` (default: the running one).
    partition_size
        Events per partition (whole securities; default: about four partitions per
        worker, at most :data:`~eventstudy.scale.cluster.DEFAULT_PARTITION_SIZE` events).

    Returns
    -------
    EventStudyResult
        The local engine's result (no ``placebo``: it carries no return panel).

    Raises
    ------
    ConfigError
        No Dask or no client; ``market="ew"`` or ``measure="volume"`` without a panel
        given; the local engine's errors.
    """
    if partition_size is not None:
        check_partition_size(partition_size)
    dask = resolve_client(client)
    wide = _wide(spec, returns, prices, volumes)
    evset = resolve_duplicates(spec, event_set(spec, events))
    frame = evset.frame
    if frame.empty or _refused_locally(spec, returns, prices):
        # nothing to distribute, or arguments the local engine refuses (with its message)
        return spec.fit(events, returns=returns, prices=prices, source=source, offline=offline,
                        cache_dir=cache_dir, volumes=volumes, shares=shares)  # fmt: skip
    spec.check_data(volumes, shares)
    _refuse(spec, wide)
    source = _shippable(source)
    groups = partition_events(frame["symbol"], partition_size_for(partition_size, len(frame), dask))
    futures = []
    if wide is not None:
        given = _given(spec, wide[0], wide[1], shares)
        market = given.spec.market
        for rows in groups:
            part = EventSet(frame=frame.iloc[rows], rule=evset.rule, cutoff=evset.cutoff)
            cols = _columns(given.frame, set(part.frame["symbol"].astype(str)), market)
            data = {given.key: cols, **given.extra}
            futures.append(dask.submit(fit_given, given.spec, part, data, pure=False))
        notes, provenance = given.notes, given.provenance
    else:
        span = (frame["day0"].min(), frame["day0"].max())
        for rows in groups:
            part = EventSet(frame=frame.iloc[rows], rule=evset.rule, cutoff=evset.cutoff)
            futures.append(dask.submit(fit_fetched, spec, part, span, source, offline,
                                       cache_dir, pure=False))  # fmt: skip
        notes, provenance = (), None
    needs = battery_needs(get_measure(spec.measure).selected(spec.tests))
    first = needs - RANK_NEEDS if "grank_ranks" in needs else needs
    outs: list[StudyPartition] = gather_in_order(
        [dask.submit(summarise_partition, f, first, pure=False) for f in futures]
    )
    if provenance is None:
        provenance = _provenance([o.provenance for o in outs])
        forward_warnings(outs)
    merged = _merged(evset, outs)
    sums = EstimationSums.merge([o.sums for o in outs if o.sums is not None])
    if first != needs:  # GRANK: the partitions' rank sums with the sd of all the events
        sd = grank_sd(merged.pieces.scar)
        ranks = gather_in_order(
            [dask.submit(partition_rank_sums, f, needs, sd, pure=False) for f in futures]
        )
        sums = sums.with_ranks(RankSums.merge(ranks), needs & RANK_NEEDS)
    del futures  # the partitions' full pieces are released on the workers
    return EventStudyResult(
        spec=spec,
        events_frame=merged.events_frame,
        pieces=merged.pieces,
        dropped=merged.dropped,
        provenance=provenance,
        n_input=len(evset.frame) + len(evset.dropped),
        calendar_source=outs[0].calendar_source.replace(EW_COLUMN, spec.market),
        rule=evset.rule,
        cutoff=evset.cutoff,
        notes=notes,
        sums=sums,
    )


@dataclass(frozen=True, slots=True)
class ShippedSource:
    """A price source registered on the client under ``name``, sent to the workers.

    The workers' registries are their own: :meth:`use` registers ``source`` there
    under the same name (so provenance names it as locally) and returns the name.
    """

    name: str
    source: Any

    def use(self) -> str:
        from eventstudy.market.sources import register_source

        register_source(self.name, self.source, replace=True)
        return self.name


def _shippable(source: Any) -> Any:
    """What the workers fetch from: a built-in name or an object as they are, else a
    :class:`ShippedSource` (a source registered on the client under your own name)."""
    from eventstudy._typing import SourceName
    from eventstudy.market.sources import get_source

    if isinstance(source, str) and source not in get_args(SourceName):
        return ShippedSource(source, get_source(source))
    return source


@dataclass(frozen=True, slots=True)
class _Merged:
    events_frame: pd.DataFrame
    pieces: EventPieces
    dropped: pd.DataFrame


def _merged(evset: EventSet, outs: list[StudyPartition]) -> _Merged:
    """The events, pieces and ``dropped`` of the whole study, in the events' order."""
    frame = evset.frame
    pos = pd.Series(np.arange(len(frame)), index=pd.Index(frame["event_id"]))
    ids = [e for o in outs for e in o.event_ids]
    at = pos.loc[ids].to_numpy() if ids else np.zeros(0, dtype=np.int64)
    order = np.argsort(at, kind="stable")
    n_overlaps = np.concatenate([o.n_overlaps for o in outs])[order]
    events_frame = frame.iloc[at[order]].assign(n_overlaps=n_overlaps).reset_index(drop=True)
    pieces = concat_pieces([o.pieces for o in outs]).take(order)
    drops = pd.concat([o.dropped for o in outs], ignore_index=True)
    drops = drops.iloc[np.argsort(pos.loc[drops["event_id"]].to_numpy(), kind="stable")]
    dropped = pd.concat([evset.dropped, drops], ignore_index=True)
    dropped = dropped.astype({c: object for c in DROPPED_COLUMNS})
    return _Merged(events_frame, pieces, dropped)


def _provenance(parts: list[pd.DataFrame]) -> pd.DataFrame:
    """The partitions' provenance as one table (indexed by symbol, the market's row once)."""
    full = pd.concat(parts)
    if full.empty:
        return parts[0]
    out = full.loc[~full.index.duplicated(keep="first")].sort_index(kind="stable")
    out.index = out.index.astype(parts[0].index.dtype)  # concat widens str to object
    return out
