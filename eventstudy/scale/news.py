"""News at scale: inputs parsed and tagged on the workers of a Dask cluster.

:func:`load_news_dask` is ``load_news(..., engine="dask")``. The inputs are listed
on the client (:func:`eventstudy.news.loader.resolve_inputs`: post paths, or the rows
of a table) and cut into partitions of about ``partition_size`` inputs, in order
(default: about four per worker, at most
:data:`~eventstudy.scale.cluster.DEFAULT_PARTITION_SIZE` inputs). Each partition is
parsed and tagged on a worker (the records and the mention rows of every record); the
client puts the partitions back in input order, removes the
duplicates across all of them with the local rule (the longest text wins, ties by
input order) and builds the :class:`~eventstudy.news.News` from the mention rows
the workers found. The result is the local load's: the same articles, mentions,
tags, skipped inputs and duplicates.

The tagger is built once per worker: the default tagger
(:meth:`~eventstudy.news.Tagger.default`) is the worker process's own cached
dictionary; a custom tagger is scattered to the workers once and each worker's
tasks share that one copy (its automaton is built on first use, under a lock).

Post paths are read on the workers, so they must be visible to them (a shared
file system); a table is read on the client and its rows shipped with the tasks.
Parsing is pure CPU work on text: a partition of 2,000 Eastmoney posts is a few
megabytes in and out.
"""

from __future__ import annotations

import os
import threading
from collections.abc import Callable, Sequence
from dataclasses import dataclass, replace
from pathlib import Path
from typing import TYPE_CHECKING, Any

from eventstudy._typing import ErrorPolicy
from eventstudy.news.evidence import collect_mentions
from eventstudy.news.loader import Record, TableSource, resolve_inputs
from eventstudy.news.tagger import Tagger
from eventstudy.scale.cluster import (
    check_partition_size,
    chunks,
    gather_in_order,
    partition_size_for,
    resolve_client,
)

if TYPE_CHECKING:
    from eventstudy.news.news import News, Skipped

__all__ = ["NewsPartition", "load_news_dask", "parse_partition", "partition_inputs"]

Item = Path | TableSource
#: ``read_inputs(items, errors) -> (records, skipped, n_inputs)``
#: (:func:`eventstudy.news.news.read_inputs`).
ReadFn = Callable[..., "tuple[list[Record], list[Skipped], int]"]
FinishFn = Callable[..., "News"]

_LOCK = threading.Lock()
_READY: set[int] = set()


@dataclass(frozen=True, slots=True)
class NewsPartition:
    """What a worker returns for one partition.

    ``mentions[i]`` are the mention rows of ``records[i]``; ``tagger_id`` is
    ``(process id, id of the tagger object)`` on the worker (one per worker process).
    """

    records: list[Record]
    mentions: list[list[tuple[Any, ...]]]
    skipped: list[tuple[str, str, str, str | None]]
    n_inputs: int
    tagger_id: tuple[int, int]


def _ready(tagger: Tagger) -> Tagger:
    """``tagger`` with its automaton built (once per object in this process)."""
    key = id(tagger)
    if key not in _READY:
        with _LOCK:
            if key not in _READY:
                tagger.find("")  # builds the automaton (a cached property)
                _READY.add(key)
    return tagger


def parse_partition(
    items: Sequence[Item], errors: ErrorPolicy, tagger: Tagger | None, read: ReadFn
) -> NewsPartition:
    """Parse and tag one partition on a worker (``tagger`` None: the worker's default).

    Examples
    --------
    >>> from eventstudy.datasets import sample_news_path
    >>> from eventstudy.news.news import read_inputs
    >>> posts = resolve_inputs(sample_news_path()).items[:3]
    >>> part = parse_partition(posts, "collect", None, read_inputs)
    >>> part.n_inputs, len(part.records) == len(part.mentions)
    (3, True)
    """
    tagger = _ready(tagger if tagger is not None else Tagger.default())
    records, skipped, n_inputs = read(items, errors)
    mentions = [collect_mentions(rec, tagger) for rec in records]
    return NewsPartition(records, mentions, skipped, n_inputs, (os.getpid(), id(tagger)))


def _split_table(table: TableSource, size: int) -> list[TableSource]:
    frame = table.frame
    out = []
    for lo in range(0, len(frame), size):
        part = frame.iloc[lo : lo + size]
        part.attrs = dict(frame.attrs)  # the table's decoding warning, if any
        out.append(TableSource(part, table.label, table.start + lo))
    return out or [table]


def partition_inputs(inputs: Sequence[Item], size: int) -> list[list[Item]]:
    """Consecutive partitions of about ``size`` inputs (a table is cut into row slices).

    Examples
    --------
    >>> import pandas as pd
    >>> t = TableSource(pd.DataFrame({"title": list("abcde")}), "row")
    >>> parts = partition_inputs([Path("a.md"), t], 2)
    >>> [[i.start if isinstance(i, TableSource) else str(i) for i in p] for p in parts]
    [['a.md'], [0], [2], [4]]
    """
    items: list[Item] = []
    for item in inputs:
        items += _split_table(item, size) if isinstance(item, TableSource) else [item]
    weights = [len(i.frame) if isinstance(i, TableSource) else 1 for i in items]
    return [[items[j] for j in group] for group in chunks(weights, size)]


def load_news_dask(
    source: Any,
    *,
    errors: ErrorPolicy,
    tagger: Tagger | None,
    client: Any,
    partition_size: int | None,
    read: ReadFn,
    finish: FinishFn,
) -> News:
    """``load_news(source, engine="dask", ...)``: see the module docstring.

    ``read`` and ``finish`` are :func:`eventstudy.news.news.read_inputs` and
    :func:`~eventstudy.news.news.finish_news` (passed in by ``load_news``).

    Raises
    ------
    ConfigError
        No Dask installed or no client, a bad ``partition_size``.
    NewsParseError
        With ``errors="raise"``: the first bad input in input order, as locally.
    """
    if partition_size is not None:
        check_partition_size(partition_size)
    dask = resolve_client(client)
    found = resolve_inputs(source)
    inputs = found.items
    # what a news folder held but could not be read: first, as locally (raises first too)
    _, unread, n_unread = read([], errors, found.skipped)
    total = sum(len(i.frame) if isinstance(i, TableSource) else 1 for i in inputs)
    size = partition_size_for(partition_size, total, dask)
    shipped = None if tagger is None else dask.scatter(tagger, broadcast=True, hash=False)
    futures = [
        dask.submit(parse_partition, part, errors, shipped, read, pure=False)
        for part in partition_inputs(inputs, size)
    ]
    parts: list[NewsPartition] = gather_in_order(futures)
    records = [r for p in parts for r in p.records]
    mentions = {id(r): m for p in parts for r, m in zip(p.records, p.mentions, strict=True)}
    skipped = unread + [s for p in parts for s in p.skipped]
    n_inputs = n_unread + sum(p.n_inputs for p in parts)
    news = finish(
        records,
        skipped,
        n_inputs,
        tagger if tagger is not None else Tagger.default(),
        mentions_of=lambda rec: mentions[id(rec)],
    )
    return replace(news, root=found.root)
