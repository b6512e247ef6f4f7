"""Type aliases and ``Literal`` option types shared across the package."""

from __future__ import annotations

import datetime as dt
from typing import Literal, TypeAlias

import numpy as np
import numpy.typing as npt
import pandas as pd

#: Anything that names one instant or day.
DateLike: TypeAlias = str | dt.date | dt.datetime | pd.Timestamp | np.datetime64

#: Kind of security a canonical symbol names.
SymbolKind: TypeAlias = Literal["stock", "index", "board", "foreign"]

#: How a publication time maps to a trading session (METHODS.md "Day 0").
SessionRule: TypeAlias = Literal["next", "previous", "strict"]

#: Normal-return models.
ModelName: TypeAlias = Literal[
    "raw",
    "constant_mean",
    "market_adjusted",
    "market",
    "ff3",
    "carhart",
    # engine II: models/measures
    "factors",
    "scholes_williams",
    "dimson",
    "garch",
    "gjr",
    "egarch",
]

#: Error policy of loaders: collect bad inputs in ``skipped`` or raise.
ErrorPolicy: TypeAlias = Literal["collect", "raise"]

#: Price adjustment: forward (qfq), backward (hfq) or none.
Adjust: TypeAlias = Literal["qfq", "hfq", "none"]

#: Price field.
PriceField: TypeAlias = Literal["open", "high", "low", "close", "volume", "amount"]

#: Return type.
ReturnKind: TypeAlias = Literal["simple", "log"]

#: Float array.
FloatArray: TypeAlias = npt.NDArray[np.float64]

# plotting
#: Figures of an event-study result (``EventStudyResult.plot(kind)``).
StudyPlotKind: TypeAlias = Literal["caar", "aar", "car_dist", "heatmap"]

#: Figures of a backtest result (``BacktestResult.plot(kind)``).
BacktestPlotKind: TypeAlias = Literal["equity", "placebo"]

#: Per-event measure of a CAR-distribution figure: cumulative or buy-and-hold abnormal returns.
CarMeasure: TypeAlias = Literal["car", "bhar"]

#: Files a briefing can write (:func:`eventstudy.briefing`).
BriefingFormat: TypeAlias = Literal["html", "png", "csv", "parquet"]

#: Charts a briefing can hold.
BriefingChart: TypeAlias = Literal["caar", "aar", "car_dist", "heatmap", "event_price"]

# config/cli
#: Kind of TOML configuration: ``eventstudy run`` or ``eventstudy backtest``.
ConfigKind: TypeAlias = Literal["run", "backtest"]

#: Names of the built-in price sources (``market.source``; ``eventstudy.market.register_source``
#: adds more).
SourceName: TypeAlias = Literal["auto", "bundled", "local", "akshare", "yfinance", "tencent"]

# study
#: Tests of the event-study battery, in the order of ``EventStudyResult.tests``
#: (``t_event``, the single-event test, is added by itself when ``N = 1``).
TestName: TypeAlias = Literal[
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
]

#: What a test row is about: abnormal returns of a day, CAR or BHAR of a window.
TestMeasure: TypeAlias = Literal["AR", "CAR", "BHAR"]

#: Rows of the test table are per relative day or per CAR window.
TestScope: TypeAlias = Literal["day", "window"]

#: Sums over events a test needs computed before it runs (one pass for all tests; each a
#: part of ``eventstudy.study.sums.EstimationSums``).
TestNeed: TypeAlias = Literal[
    "rbar", "corrado_ranks", "grank_ranks", "residual_day_sums", "calendar_groups"
]

#: Per-event measures of ``EventStudyResult.to_frame``.
EventMeasure: TypeAlias = Literal["AR", "SAR", "CAR", "SCAR", "BHAR"]

#: Regressors of a normal-return model: none, the market return, or factor returns.
ModelRegressors: TypeAlias = Literal["none", "market", "factors"]

#: Covariance of the cross-sectional CAR regression.
RegressionCov: TypeAlias = Literal["HC1", "cluster"]

# market

#: Weighting of a board proxy built from its members.
ProxyWeights: TypeAlias = Literal["equal", "value", "amount"]

#: Why a requested symbol is listed in ``PriceFrame.failures``.
FailureReason: TypeAlias = Literal["unavailable", "partial", "provider_failed"]

#: Unit of ``成交量`` in local price files with akshare's Chinese headers.
VolumeUnit: TypeAlias = Literal["lots", "shares"]

#: Eastmoney board lists.
BoardListKind: TypeAlias = Literal["concept", "industry"]

# news feeds
#: Live news feeds of :func:`eventstudy.news.feeds.fetch_news` (akshare endpoints):
#: Eastmoney stock news search, Eastmoney 7x24, CLS telegraph (all / 重点) and Sina 7x24.
NewsFeed: TypeAlias = Literal["em_stock", "em_724", "cls", "cls_key", "sina_724"]

# engine II: models/measures

#: What an event study measures: abnormal returns, abnormal (log) volume, abnormal volatility.
StudyMeasure: TypeAlias = Literal["return", "volume", "volatility"]

#: Conditional-variance equations of the GARCH market models (``model="garch"`` etc.).
GarchKind: TypeAlias = Literal["garch", "gjr", "egarch"]

# engine II: inference/events
#: Tests of the calendar-time portfolio, run with ``tests="all"`` after ``TestName``'s.
CalendarTestName: TypeAlias = Literal["calendar_time"]

#: Resampling tests: opt-in (not in ``tests="all"``), they cost time.
BootstrapTestName: TypeAlias = Literal["wild_bootstrap", "lbt_skew_t"]

#: Multiple-testing adjustments of ``result.tests`` (columns ``pvalue_<method>``).
PAdjustMethod: TypeAlias = Literal["holm", "bh"]

#: Several events naming one security on one day 0: keep all, collapse into one, keep the first.
DuplicatePolicy: TypeAlias = Literal["keep", "collapse", "first"]

#: Events with another event of the same security in their estimation or event window.
OverlapPolicy: TypeAlias = Literal["keep", "drop"]

#: Benchmarks built from the returns panel itself (``market="ew"``: equal-weighted).
PanelMarket: TypeAlias = Literal["ew"]

#: Layout of a ``local`` price source: per-symbol files, or one long-format Parquet
#: warehouse (a file or a partitioned folder); ``auto`` tells them apart.
LocalLayout: TypeAlias = Literal["auto", "files", "warehouse"]

#: What ``eventstudy reference refresh`` asks akshare for: the exchanges' code lists and
#: SZSE renames, the concept/industry board lists, board membership, or a point-in-time
#: list (:data:`ListTable`).
RefreshWhat: TypeAlias = Literal["names", "boards", "members", "st", "suspensions", "delisted"]

#: What a canonical symbol names, finer than its kind: the routing of live price calls.
Instrument: TypeAlias = Literal["stock", "b_share", "fund", "index", "board", "foreign"]

#: Point-in-time lists kept as dated snapshots in the reference store: the ST/*ST list
#: (risk-warning board), the suspensions of a day, the delisted companies.
ListTable: TypeAlias = Literal["st", "suspensions", "delisted"]

# ---- report pages (issue 13) ----
#: How a report page carries plotly.js: in the page, or one shared file beside the pages.
PlotlyJs: TypeAlias = Literal["inline", "shared"]

# scale-out
#: Where a load or a study runs: this process, or the workers of a Dask cluster
#: (:mod:`eventstudy.scale`; ``pip install "eventstudy-cn[dask]"``).
Engine: TypeAlias = Literal["local", "dask"]
