"""The study on a warehouse read by the workers; a worker killed mid-run (its own cluster)."""

from __future__ import annotations

import os
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import cloudpickle
import numpy as np
import pandas as pd
import pytest

from eventstudy.datasets import sample_prices
from eventstudy.market import LocalSource, register_source, sources
from eventstudy.reference import extract_symbols, load_extract
from eventstudy.scale.study import fit_study_dask
from eventstudy.study import EventStudy, run_event_study

MARKET = "000300.SH"

# the workers unpickle this module's source class by value (it is not importable there)
cloudpickle.register_pickle_by_value(sys.modules[__name__])


class DiesOnce(LocalSource):
    """A warehouse whose first read anywhere kills the worker process reading it."""

    def __init__(self, root: Path, marker: Path) -> None:
        super().__init__(root)
        self.marker = marker

    def _die_once(self) -> None:
        try:
            fd = os.open(self.marker, os.O_CREAT | os.O_EXCL | os.O_WRONLY)
        except FileExistsError:
            return
        os.close(fd)
        os._exit(1)  # the worker process dies mid-task, as on a lost machine

    def panel(self, *args: Any, **kwargs: Any) -> Any:
        self._die_once()
        return super().panel(*args, **kwargs)

    def fetch(self, *args: Any, **kwargs: Any) -> Any:
        self._die_once()
        return super().fetch(*args, **kwargs)

    def fetch_many(self, *args: Any, **kwargs: Any) -> Any:  # how load_panel reads a warehouse
        self._die_once()
        return super().fetch_many(*args, **kwargs)


@pytest.fixture(scope="module")
def lake(tmp_path_factory) -> tuple[Path, pd.DataFrame]:
    """A long-format Parquet warehouse: 40 stocks of the whole-market extract and the CSI 300."""
    rng = np.random.default_rng(7)
    symbols = sorted(rng.choice(extract_symbols(), 40, replace=False).tolist())
    stocks = load_extract(symbols, start="2021-07-27", end="2022-12-31", fields=["close"])
    mkt = sample_prices([MARKET])[["date", "symbol", "close"]]
    mkt = mkt[(mkt["date"] >= "2021-07-27") & (mkt["date"] <= "2022-12-31")]
    long = pd.concat([stocks, mkt], ignore_index=True).astype({"symbol": str})
    path = tmp_path_factory.mktemp("lake") / "daily.parquet"
    long.to_parquet(path, index=False)
    days = pd.bdate_range("2022-04-01", "2022-11-30")
    ev = pd.DataFrame(
        {
            "event_id": [f"e{i}" for i in range(60)],
            "symbol": [*symbols, *symbols[:20]],
            "day0": rng.choice(days, 60).astype("datetime64[ns]"),
        }
    )
    return path, ev


@pytest.fixture
def registered(lake) -> Iterator[str]:
    """The warehouse registered on the client as ``test_lake`` (removed afterwards)."""
    register_source("test_lake", LocalSource(lake[0]))
    yield "test_lake"
    sources._reset_defaults()


def test_warehouse_source_read_by_the_workers(client, lake, registered) -> None:
    _, ev = lake
    local = run_event_study(ev, source=registered)
    remote = fit_study_dask(EventStudy(), ev, source=registered, client=client, partition_size=20)
    assert local.n_events > 50
    pd.testing.assert_frame_equal(local.tests, remote.tests, check_exact=False, rtol=0, atol=1e-10)
    pd.testing.assert_frame_equal(local.car, remote.car, check_exact=False, rtol=0, atol=1e-10)
    pd.testing.assert_frame_equal(local.dropped, remote.dropped, check_exact=True)
    pd.testing.assert_frame_equal(local.provenance, remote.provenance, check_exact=True)


def test_worker_killed_mid_run_task_retried_same_result(client, lake, tmp_path) -> None:
    path, ev = lake
    marker = tmp_path / "killed"
    local = run_event_study(ev, source=LocalSource(path))
    before = set(client.scheduler_info()["workers"])
    remote = fit_study_dask(
        EventStudy(), ev, source=DiesOnce(path, marker), client=client, partition_size=10
    )
    assert marker.exists()  # a worker did die inside a task
    client.wait_for_workers(2, timeout=60)
    assert set(client.scheduler_info()["workers"]) != before  # the nanny restarted it
    pd.testing.assert_frame_equal(local.tests, remote.tests, check_exact=False, rtol=0, atol=1e-10)
    pd.testing.assert_frame_equal(local.ar, remote.ar, check_exact=False, rtol=0, atol=1e-10)
    pd.testing.assert_frame_equal(local.events, remote.events, check_exact=True)
    pd.testing.assert_frame_equal(local.dropped, remote.dropped, check_exact=True)
