"""run_event_study(engine="dask") returns the local result (tests/scale/conftest.py: 2 workers).

Every statistic of every test to 1e-10 (the per-event pieces are the same numbers, the
sums over the estimation residuals are merged from the partitions, and the tests run
on them with the same code), ``dropped`` and ``events`` identical; the client never
holds the estimation residuals.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from eventstudy.datasets import sample_prices
from eventstudy.exceptions import ConfigError, ProxyWarning
from eventstudy.reference import extract_symbols, load_extract
from eventstudy.scale.study import (
    fit_given,
    fit_study_dask,
    partition_events,
    partition_rank_sums,
    summarise_partition,
)
from eventstudy.study import EventStudy, EventStudyResult, run_event_study
from eventstudy.study import result as result_module
from eventstudy.study.engine import event_set, resolve_duplicates
from eventstudy.study.inference import TESTS, battery_needs
from eventstudy.study.statistics import grank_sd
from eventstudy.study.sums import RANK_NEEDS, estimation_sums

TOL = {"check_exact": False, "rtol": 0.0, "atol": 1e-10}
MARKET = "000300.SH"


def assert_same_result(a: EventStudyResult, b: EventStudyResult) -> None:
    for name in ("ar", "car", "bhar", "params", "tests"):
        pd.testing.assert_frame_equal(getattr(a, name), getattr(b, name), **TOL)
    assert a.rbar == pytest.approx(b.rbar, abs=1e-10)
    for name in ("aar", "caar", "abhar", "sigma", "n_estimation", "rbar_windows"):
        pd.testing.assert_series_equal(getattr(a, name), getattr(b, name), **TOL)
    pd.testing.assert_frame_equal(a.events, b.events, check_exact=True)
    pd.testing.assert_frame_equal(a.dropped, b.dropped, check_exact=True)
    pd.testing.assert_frame_equal(a.provenance, b.provenance, check_exact=True)
    assert (a.n_input, a.n_events, a.calendar_source) == (b.n_input, b.n_events, b.calendar_source)
    assert str(a.summary()) == str(b.summary())


@pytest.fixture(scope="module")
def extract_events() -> pd.DataFrame:
    """120 events on 60 stocks of the whole-market extract, and four that cannot be studied."""
    rng = np.random.default_rng(15)
    symbols = rng.choice(extract_symbols(), 60, replace=False).tolist()
    days = pd.bdate_range("2022-03-01", "2022-11-30")
    ev = pd.DataFrame(
        {
            "symbol": [*symbols, *symbols],
            "day0": rng.choice(days, 120).astype("datetime64[ns]"),
        }
    )
    bad = pd.DataFrame(
        {
            "symbol": ["688999.SH", symbols[0], symbols[1], symbols[1]],
            "day0": pd.to_datetime(["2022-06-01", "2021-01-05", "2022-06-06", "2022-06-06"]),
        }
    )
    ev = pd.concat([ev, bad], ignore_index=True)
    return ev.assign(event_id=[f"e{i}" for i in range(len(ev))])


@pytest.fixture(scope="module")
def extract_prices(extract_events) -> pd.DataFrame:
    """Closes of the events' stocks (extract) and of the CSI 300, wide."""
    syms = sorted(set(extract_events["symbol"]) - {"688999.SH"})
    long = load_extract(syms, start="2021-07-27", end="2022-12-31", fields=["close"])
    px = long.pivot(index="date", columns="symbol", values="close")
    mkt = sample_prices([MARKET]).set_index("date")["close"].rename(MARKET)
    return px.join(mkt, how="outer").loc["2021-07-27":"2022-12-31"]


def test_partitions_hold_whole_securities() -> None:
    groups = partition_events(pd.Series(["B", "A", "B", "C", "A", "B"]), 2)
    assert [g.tolist() for g in groups] == [[1, 4], [0, 2, 5], [3]]


def test_bundled_prices_given(client) -> None:
    syms = ["600519.SH", "000858.SZ", "600036.SH", "601398.SH", "000002.SZ"]
    px = sample_prices([*syms, MARKET]).pivot(index="date", columns="symbol", values="close")
    ev = pd.DataFrame(
        {
            "event_id": list("abcdefg"),
            "symbol": [*syms, "600519.SH", "999999.SZ"],
            "day0": ["2022-01-10", "2022-01-10", "2022-05-31", "2022-05-31", "2016-03-01",
                     "2022-01-11", "2022-01-10"],
        }
    )  # fmt: skip
    local = run_event_study(ev, prices=px, market=MARKET)
    remote = run_event_study(ev, prices=px, market=MARKET, engine="dask", client=client)
    assert local.dropped["event_id"].tolist() == ["g", "e"]  # invalid symbol; no day-0 price
    assert_same_result(local, remote)


@pytest.mark.parametrize("size", [10, 1000])
def test_extract_fetched_from_bundled_source(client, extract_events, size) -> None:
    spec = EventStudy(market=MARKET)
    local = spec.fit(extract_events, source="bundled", offline=True)
    remote = fit_study_dask(
        spec, extract_events, source="bundled", offline=True, client=client, partition_size=size
    )
    assert "no_price_data" in set(local.dropped["reason"])
    assert local.n_events > 100
    assert_same_result(local, remote)


def test_run_event_study_passes_partition_size_to_dask(client, extract_events, extract_prices):
    """``run_event_study(engine="dask", partition_size=)`` (README, RESULTS) reaches the engine;
    refused with the local engine, which would ignore it."""
    kw = {"prices": extract_prices, "market": MARKET}
    local = run_event_study(extract_events, **kw)
    remote = run_event_study(extract_events, **kw, engine="dask", client=client, partition_size=7)
    assert_same_result(local, remote)
    with pytest.raises(ConfigError, match=r"partition_size=0 must be a positive integer"):
        run_event_study(extract_events, **kw, engine="dask", client=client, partition_size=0)
    with pytest.raises(ConfigError, match=r"partition_size=7 is given with engine='local'"):
        run_event_study(extract_events, **kw, partition_size=7)


def test_placebo_of_a_dask_result_says_to_fit_with_the_local_engine(client) -> None:
    """The Dask result keeps no return panel: its ``placebo`` names the local engine."""
    px = sample_prices(["600519.SH", "600036.SH", MARKET]).pivot(
        index="date", columns="symbol", values="close"
    )
    ev = pd.DataFrame(
        {"event_id": ["a", "b"], "symbol": ["600519.SH", "600036.SH"], "day0": ["2022-01-10"] * 2}
    )
    remote = run_event_study(ev, prices=px, market=MARKET, engine="dask", client=client)
    with pytest.raises(ConfigError, match=r"fitted with engine='dask'.*engine='local'"):
        remote.placebo(n=5)
    with pytest.raises(ConfigError, match=r"fitted with engine='dask'.*engine='local'"):
        remote.subset(remote.events["event_id"] == "a").placebo(n=5)
    local = run_event_study(ev, prices=px, market=MARKET)
    assert local.placebo(n=5, seed=1, window=20).values.shape[0] == 5  # the local one runs


def test_extract_equal_weighted_market_scattered_once(client, extract_events, extract_prices):
    kw = {"prices": extract_prices.drop(columns=MARKET), "market": "ew", "duplicates": "collapse"}
    local = run_event_study(extract_events, **kw)
    remote = run_event_study(extract_events, **kw, engine="dask", client=client)
    assert_same_result(local, remote)


def test_extract_returns_given_trade_to_trade_and_model(client, extract_events, extract_prices):
    kw = {"market": MARKET, "trade_to_trade": True, "model": "market_adjusted", "overlap": "drop"}
    local = run_event_study(extract_events, prices=extract_prices, **kw)
    remote = run_event_study(extract_events, prices=extract_prices, **kw, engine="dask",
                             client=client)  # fmt: skip
    assert "overlap" in set(local.dropped["reason"])
    assert_same_result(local, remote)


def test_partition_with_no_valid_event(client, extract_events) -> None:
    """Each security its own partition: those whose events are all dropped still merge."""
    ev = extract_events[extract_events["symbol"].isin(extract_events["symbol"].iloc[[0, 1, -4]])]
    spec = EventStudy(market=MARKET)
    local = spec.fit(ev, source="bundled", offline=True)
    remote = fit_study_dask(spec, ev, source="bundled", offline=True, client=client,
                            partition_size=1)  # fmt: skip
    assert "688999.SH" in set(local.dropped["symbol"])
    assert_same_result(local, remote)


def test_all_events_dropped(client) -> None:
    ev = pd.DataFrame({"event_id": ["x"], "symbol": ["600519.SH"], "day0": ["2030-01-10"]})
    px = sample_prices(["600519.SH", MARKET]).pivot(index="date", columns="symbol",
                                                    values="close")  # fmt: skip
    local = run_event_study(ev, prices=px)
    remote = run_event_study(ev, prices=px, engine="dask", client=client)
    assert local.n_events == 0
    assert_same_result(local, remote)


def test_ew_without_a_panel_is_refused(client, extract_events) -> None:
    with pytest.raises(
        ConfigError, match=r"market='ew' is built from the returns panel.*engine='dask'"
    ):
        run_event_study(extract_events, market="ew", engine="dask", client=client)


def test_arguments_the_local_engine_refuses_are_refused_alike(client) -> None:
    px = sample_prices(["600519.SH", MARKET]).pivot(index="date", columns="symbol",
                                                    values="close")  # fmt: skip
    ev = pd.DataFrame({"event_id": ["x"], "symbol": ["600519.SH"], "day0": ["2022-01-10"]})
    with pytest.raises(ConfigError, match="pass returns= or prices=, not both"):
        run_event_study(ev, prices=px, returns=px, engine="dask", client=client)


@pytest.fixture(scope="module")
def extract_volumes(extract_events) -> pd.DataFrame:
    """Volumes of the events' stocks (extract) and of the CSI 300, wide."""
    syms = sorted(set(extract_events["symbol"]) - {"688999.SH"})
    long = load_extract(syms, start="2021-07-27", end="2022-12-31", fields=["volume"])
    vol = long.pivot(index="date", columns="symbol", values="volume")
    mkt = sample_prices([MARKET]).set_index("date")["volume"].rename(MARKET)
    return vol.join(mkt, how="outer").loc["2021-07-27":"2022-12-31"]


def test_every_test_merged_and_no_residuals_on_the_client(client, extract_events, extract_prices):
    spec = EventStudy(market=MARKET)
    local = spec.fit(extract_events, prices=extract_prices)
    remote = fit_study_dask(spec, extract_events, prices=extract_prices, client=client,
                            partition_size=15)  # fmt: skip
    assert_same_result(local, remote)
    t = remote.tests
    assert {"brown_warner", "patell_adj", "kp_bmp", "corrado", "grank", "calendar_time"} <= set(
        t.loc[t["statistic"].notna(), "test"]
    )
    assert local.pieces.resid.shape == (local.n_events, 240)
    assert remote.pieces.resid.shape == (remote.n_events, 0)  # only event-window pieces came


@pytest.mark.parametrize("measure", ["volatility", "volume"])
def test_measures_merge_alike(client, extract_events, extract_prices, extract_volumes, measure):
    data = {"volumes": extract_volumes} if measure == "volume" else {"prices": extract_prices}
    spec = EventStudy(market=MARKET, measure=measure)
    local = spec.fit(extract_events, **data)
    remote = fit_study_dask(spec, extract_events, **data, client=client, partition_size=20)
    assert local.n_events > 100
    assert local.tests["statistic"].notna().sum() > 20
    assert_same_result(local, remote)
    if measure == "volume":  # the index's own volume was used, and both engines say so
        said = f"market volume '{MARKET}': its own log volume"
        assert said in str(local.summary())
        assert said in str(remote.summary())


@pytest.mark.parametrize("market", [MARKET, "ew"])
def test_volume_market_from_the_whole_panel(client, extract_events, extract_volumes, market):
    """Audit 4 item 4: volumes without the market's column: the market log volume is the
    mean over the whole panel (computed once on the client), not over a partition's."""
    data = {"volumes": extract_volumes.drop(columns=MARKET)}
    spec = EventStudy(market=market, measure="volume")
    local = spec.fit(extract_events, **data)
    remote = fit_study_dask(spec, extract_events, **data, client=client, partition_size=20)
    assert local.n_events > 100
    for res in (local, remote):  # the mean was used, and both engines say so
        text = " ".join(str(res.summary()).split())
        assert f"market volume '{market}': each session the mean log volume" in text
        assert "its own log volume" not in text
    assert_same_result(local, remote)
    assert remote.calendar_source == local.calendar_source


def test_fetched_proxy_warnings_are_forwarded_once(client) -> None:
    """Audit 4 item 11: the workers' ProxyWarning (a board built from its members) reaches
    the client once, as the local engine emits it."""
    ev = pd.DataFrame(
        {"event_id": ["a", "b", "c"], "symbol": ["BK0896", "600519.SH", "000858.SZ"],
         "day0": ["2022-01-10", "2022-03-10", "2022-05-10"]}
    )  # fmt: skip
    kw = {"source": "bundled", "offline": True}
    with pytest.warns(ProxyWarning) as local_said:
        local = run_event_study(ev, **kw)
    with pytest.warns(ProxyWarning) as remote_said:
        remote = run_event_study(ev, **kw, engine="dask", client=client)
    pd.testing.assert_series_equal(local.caar, remote.caar, **TOL)
    pd.testing.assert_frame_equal(local.provenance, remote.provenance, check_exact=True)
    assert bool(remote.provenance.loc["BK0896", "is_proxy"])

    def said(record):
        return [str(w.message) for w in record if w.category is ProxyWarning]

    assert said(remote_said) == said(local_said)
    assert len(said(local_said)) == 1
    assert "BK0896" in said(local_said)[0]


def test_a_subset_of_the_dask_result_leaves_out_the_residual_tests(
    client, extract_events, extract_prices
) -> None:
    kw = {"prices": extract_prices, "market": MARKET, "tests": ["t_cross", "grank", "kp_bmp"]}
    local = run_event_study(extract_events, **kw)
    remote = run_event_study(extract_events, **kw, engine="dask", client=client)
    mask = (local.events["symbol"] < "3").to_numpy()
    sub_local, sub_remote = local.subset(mask), remote.subset(mask)
    assert set(sub_local.tests["test"]) == {"t_cross", "grank", "kp_bmp"}
    assert set(sub_remote.tests["test"]) == {"t_cross"}
    assert "left out: grank, kp_bmp" in sub_remote.tests.attrs["left_out"]
    assert "left out: grank, kp_bmp" in str(sub_remote.summary())
    assert "Kolari-Pynnönen rbar" in str(sub_local.summary())
    keep = sub_local.tests["test"] == "t_cross"
    pd.testing.assert_frame_equal(
        sub_local.tests[keep].reset_index(drop=True), sub_remote.tests, **TOL
    )


def test_a_partition_sends_pieces_without_residuals_and_its_sums(
    monkeypatch, extract_events, extract_prices
) -> None:
    """In process: the worker's steps run no battery; 736 bytes an event go to the client."""

    def battery(*args, **kwargs):
        raise AssertionError("the battery ran on a partition")

    monkeypatch.setattr(result_module, "run_battery", battery)
    spec = EventStudy(market=MARKET)
    part = fit_given(spec, resolve_duplicates(spec, event_set(spec, extract_events)),
                     {"prices": extract_prices})  # fmt: skip
    needs = battery_needs(TESTS)
    sent = summarise_partition(part, needs - RANK_NEEDS)
    p, n = sent.pieces, part.pieces.n
    assert n > 100
    assert p.resid.shape == (n, 0)
    assert (sent.sums.n, sent.sums.l1, sent.sums.needs) == (n, 240, needs - RANK_NEEDS)
    l2, w, k = p.ar.shape[1], p.car.shape[1], p.params.shape[1]
    per_event = sum(getattr(p, f).nbytes for f in p.__dataclass_fields__ if f != "k") / n
    assert per_event == 8 * (5 * l2 + 6 * w + k + 5) == 736  # the docs' figure
    ranks = partition_rank_sums(part, needs, grank_sd(part.pieces.scar))
    want = estimation_sums(part.pieces, RANK_NEEDS).ranks
    np.testing.assert_array_equal(ranks.grank.b_s, want.grank.b_s)


@pytest.mark.parametrize("model", ["garch", "egarch"])
def test_garch_fits_on_workers_equal_local(client, model) -> None:
    """The workers run BLAS on one thread (Dask's default), the local process on all cores:
    the fits run on one BLAS thread either way (they differed by up to 3e-4 in the
    statistics, and EGARCH dropped other events)."""
    syms = ["600519.SH", "000858.SZ", "600036.SH", "601398.SH", "000002.SZ", "300750.SZ"]
    px = sample_prices([*syms, MARKET]).pivot(index="date", columns="symbol", values="close")
    ev = pd.DataFrame(
        {
            "event_id": list("abcdefg"),
            "symbol": [*syms, "600519.SH"],
            "day0": ["2022-01-10", "2022-01-10", "2022-05-31", "2022-05-31", "2016-03-01",
                     "2023-08-01", "2019-06-03"],
        }
    )  # fmt: skip
    local = run_event_study(ev, prices=px, market=MARKET, model=model)
    remote = run_event_study(
        ev, prices=px, market=MARKET, model=model, engine="dask", client=client
    )
    assert local.n_events >= 4
    assert_same_result(local, remote)
