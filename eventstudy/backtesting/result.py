"""``BacktestResult``: the read-only outcome of :func:`eventstudy.backtesting.backtest`.

One tidy table is the source of truth, :meth:`BacktestResult.to_frame`: one
row per input event (trades and skipped events alike). ``trades`` and
``skipped`` are views of it; the daily portfolio table comes from the engine.

Statistics (conventions):

* trade returns are ``net`` (after round-trip costs); hit rate = share > 0;
  t = mean / (sd / √N), sd with N − 1, p-value two-sided from Student t(N − 1).
* daily statistics on the calendar-time portfolio's net returns between the first
  and the last session with an open trade (cash sessions inside count as 0):
  annualised return = equity_end^(252/T) − 1, volatility = sd·√252,
  Sharpe = mean/sd·√252 (zero risk-free rate), maximum drawdown on the equity
  curve starting at 1, turnover = mean daily traded notional × 252.
* placebo statistic: the *weighted* mean (by the trades' ``weight``) of the net
  trade return (``"raw"``) or of ``return_excess`` (``"excess"``);
  :meth:`BacktestResult.summary` marks which row it is. ``mean_return`` and its
  t-stat are unweighted.
* placebo p-value = (1 + #{placebo ≥ real}) / (1 + runs) (Phipson & Smyth 2010);
  ``share_beating`` = #{placebo > real} / runs.
"""

from __future__ import annotations

import math
from collections.abc import Callable
from dataclasses import dataclass, field
from functools import cached_property
from typing import TYPE_CHECKING, Any

import numpy as np
import pandas as pd

from eventstudy.events import DROPPED_COLUMNS
from eventstudy.exceptions import ConfigError
from eventstudy.summary import Summary

if TYPE_CHECKING:
    import plotly.graph_objects as go

    from eventstudy._typing import BacktestPlotKind

__all__ = [
    "MIN_SESSIONS_IN_MARKET",
    "MIN_TRADES_ANNUALISED",
    "TOO_LITTLE_DATA",
    "TRADING_DAYS",
    "BacktestResult",
    "PlaceboTest",
]

#: Sessions per year used to annualise.
TRADING_DAYS = 252

#: Fewest sessions in the market for the summary to show annualised figures.
MIN_SESSIONS_IN_MARKET = 60

#: Fewest trades for the summary to show annualised figures.
MIN_TRADES_ANNUALISED = 20

#: What the summary shows instead of an annualised figure from too little data.
TOO_LITTLE_DATA = "n/a: too little data"

#: Words for each placebo statistic (summary rows, figure titles).
_STAT_LABEL = {
    "raw": "weighted mean net trade return",
    "excess": "weighted mean net excess return over the benchmark",
}


def _wmean(values: pd.Series, weight: pd.Series) -> float:
    v = values.to_numpy(dtype=float)
    w = weight.to_numpy(dtype=float)
    ok = ~np.isnan(v) & ~np.isnan(w)
    s = float(w[ok].sum())
    return float((v[ok] * w[ok]).sum() / s) if s > 0 else math.nan


@dataclass(frozen=True, slots=True)
class PlaceboTest:
    """Randomisation test: the same strategy on random dates of the same symbols.

    The design (one placebo session per distinct real day 0, drawn within the
    span of the real day 0s) is described in :mod:`eventstudy.backtesting.placebo`.

    Attributes
    ----------
    statistic
        The real run's statistic: the weighted mean net trade return
        (``statistic_name="raw"``) or the weighted mean net return in excess of
        the benchmark (``"excess"``).
    values
        The statistic of each placebo run (NaN when a run filled no trade).
    runs, seed, window
        Number of runs, the seed, sessions added on each side of the real day-0 span.
    share_beating
        Share of placebo runs with a statistic above the real one.
    pvalue
        (1 + #{placebo ≥ real}) / (1 + valid runs).
    mean_filled
        Average number of filled trades per placebo run.
    statistic_name
        ``"raw"`` or ``"excess"``.
    days
        Placebo sessions, shape ``(runs, len(real_days))``: in run ``r`` every
        event of ``real_days[j]`` was moved to ``days[r, j]``.
    real_days
        The distinct real day 0s of the traded events.
    first_day, last_day, pool_sessions
        The span the placebo sessions were drawn from, and its number of sessions.
    """

    statistic: float
    values: np.ndarray
    runs: int
    seed: int | None
    window: int
    share_beating: float
    pvalue: float
    mean_filled: float
    statistic_name: str = "raw"
    days: np.ndarray = field(default_factory=lambda: np.empty((0, 0), "datetime64[ns]"))
    real_days: np.ndarray = field(default_factory=lambda: np.empty(0, "datetime64[ns]"))
    first_day: pd.Timestamp | None = None
    last_day: pd.Timestamp | None = None
    pool_sessions: int = 0

    @property
    def statistic_label(self) -> str:
        """The statistic in words, e.g. ``"weighted mean net trade return"``.

        Examples
        --------
        >>> example_backtest().placebo.statistic_label
        'weighted mean net trade return'
        """
        return _STAT_LABEL[self.statistic_name]


@dataclass(frozen=True)
class BacktestResult:
    """Outcome of a news-signal backtest (build it with :func:`~eventstudy.backtest`).

    Attributes
    ----------
    ledger
        One row per input event (see :meth:`to_frame`).
    daily
        Per session: ``n_open, gross, turnover, cost, net, benchmark``.
    params
        The strategy parameters.
    placebo
        The randomisation test, or None when ``placebo=0``.
    provenance
        Where the prices came from.
    """

    ledger: pd.DataFrame
    daily: pd.DataFrame
    params: dict[str, Any]
    placebo: PlaceboTest | None = None
    provenance: str = "given"
    notes: tuple[str, ...] = field(default_factory=tuple)

    # ---- tables ------------------------------------------------------------------
    def to_frame(self) -> pd.DataFrame:
        """One row per input event, status ``filled``, ``exit_delayed`` or ``skipped``.

        ============== ===========================================================
        column         meaning
        ============== ===========================================================
        event_id       the event's key
        symbol         canonical symbol
        published_at   publication time (Asia/Shanghai; NaT if only day0 given)
        day0           resolved session
        direction      +1 long, -1 short (0 when no signal)
        weight         relative capital weight
        status         ``filled``, ``exit_delayed`` or ``skipped``
        reason         skip reason code (empty for trades)
        message        what happened, in words
        entry_date     entry session; entry_time is its close (15:00) or open
        entry_price    fill price
        exit_date      exit session (after any delay)
        exit_price
        exit_delay     sessions the exit was delayed (suspension, limit lock)
        stale_days     held sessions without a price (suspended)
        return_gross   direction × (exit / entry − 1)
        return_net     return_gross − 2 × costs_bps / 10 000
        proxy          True if the price series is a proxy (a board built from members)
        ...            attributes carried from the events (score, title, ...)
        ============== ===========================================================
        """
        return self.ledger.copy()

    @cached_property
    def trades(self) -> pd.DataFrame:
        """The completed trades (one row per traded event)."""
        return self.ledger[self.ledger["status"] != "skipped"].reset_index(drop=True)

    @cached_property
    def skipped(self) -> pd.DataFrame:
        """Events that did not trade: ``event_id, symbol, reason, message, day0``."""
        s = self.ledger[self.ledger["status"] == "skipped"]
        return s[[*DROPPED_COLUMNS, "day0"]].reset_index(drop=True)

    @cached_property
    def skip_counts(self) -> pd.Series:
        """Number of skipped events per reason code."""
        return self.skipped["reason"].value_counts().rename("count")

    @cached_property
    def daily_returns(self) -> pd.Series:
        """Net daily returns of the portfolio."""
        return self.daily["net"].rename("strategy")

    @cached_property
    def equity(self) -> pd.DataFrame:
        """Equity curves starting at 1: ``strategy`` and ``benchmark``.

        The benchmark curve is its price level relative to the session before
        the first portfolio session (missing prices carry the last level).
        """
        if self.daily.empty:
            return pd.DataFrame({"strategy": [], "benchmark": []}, dtype="float64")
        strat = (1.0 + self.daily["net"]).cumprod()
        b = self.daily["benchmark"]
        growth = (1.0 + b).where(b.notna())
        level = growth.cumprod(skipna=True)
        level = level.where(b.notna()).ffill()  # carry the level, not a zero return
        return pd.DataFrame({"strategy": strat, "benchmark": level})

    # ---- trade statistics --------------------------------------------------------
    @cached_property
    def n_trades(self) -> int:
        """Number of completed trades."""
        return len(self.trades)

    @cached_property
    def hit_rate(self) -> float:
        """Share of trades with a positive net return."""
        r = self.trades["return_net"].to_numpy(dtype=float)
        return float(np.mean(r > 0)) if len(r) else math.nan

    @cached_property
    def mean_return(self) -> float:
        """Mean net trade return."""
        r = self.trades["return_net"].to_numpy(dtype=float)
        return float(r.mean()) if len(r) else math.nan

    @cached_property
    def weighted_mean_return(self) -> float:
        """Mean net trade return weighted by the trades' weights (the raw placebo statistic).

        Equal to :attr:`mean_return` with ``weights="equal"``.
        """
        return _wmean(self.trades["return_net"], self.trades["weight"])

    @cached_property
    def weighted_mean_excess_return(self) -> float:
        """Weighted mean of ``return_excess`` (the ``"excess"`` placebo statistic)."""
        return _wmean(self.trades["return_excess"], self.trades["weight"])

    @cached_property
    def tstat(self) -> float:
        """t statistic of the mean net trade return (sd with N − 1)."""
        r = self.trades["return_net"].to_numpy(dtype=float)
        if len(r) < 2:
            return math.nan
        sd = float(r.std(ddof=1))
        return float(r.mean() / (sd / math.sqrt(len(r)))) if sd > 0 else math.nan

    @cached_property
    def pvalue(self) -> float:
        """Two-sided p-value of :attr:`tstat` (Student t, N − 1 df)."""
        t = self.tstat
        if math.isnan(t):
            return math.nan
        from scipy import stats  # deferred: slow import

        return float(2 * stats.t.sf(abs(t), df=self.n_trades - 1))

    # ---- portfolio statistics ----------------------------------------------------
    @cached_property
    def sessions_in_market(self) -> int:
        """Sessions of the portfolio period with at least one open trade."""
        return int((self.daily["n_open"] > 0).sum()) if not self.daily.empty else 0

    @cached_property
    def exposure(self) -> float:
        """Share of the portfolio period's sessions in the market (NaN without sessions).

        Examples
        --------
        >>> r = example_backtest()
        >>> r.exposure == r.sessions_in_market / len(r.daily)
        True
        """
        n = len(self.daily)
        return self.sessions_in_market / n if n else math.nan

    @cached_property
    def annualisable(self) -> bool:
        """Whether there is enough data for annualised figures in the summary.

        True when the portfolio was in the market at least
        :data:`MIN_SESSIONS_IN_MARKET` sessions and made at least
        :data:`MIN_TRADES_ANNUALISED` trades.

        Examples
        --------
        >>> example_backtest().annualisable  # two trades
        False
        """
        return (
            self.sessions_in_market >= MIN_SESSIONS_IN_MARKET
            and self.n_trades >= MIN_TRADES_ANNUALISED
        )

    @cached_property
    def annual_return(self) -> float:
        """Compound annual net return of the portfolio."""
        r = self.daily["net"]
        if r.empty:
            return math.nan
        growth = float(np.prod(1.0 + r.to_numpy(dtype=float)))
        return growth ** (TRADING_DAYS / len(r)) - 1.0

    @cached_property
    def annual_volatility(self) -> float:
        """Annualised volatility of the daily net returns."""
        r = self.daily["net"]
        return float(r.std(ddof=1) * math.sqrt(TRADING_DAYS)) if len(r) > 1 else math.nan

    @cached_property
    def sharpe(self) -> float:
        """Annualised Sharpe ratio (zero risk-free rate)."""
        r = self.daily["net"]
        if len(r) < 2:
            return math.nan
        sd = float(r.std(ddof=1))
        return float(r.mean() / sd * math.sqrt(TRADING_DAYS)) if sd > 0 else math.nan

    @cached_property
    def max_drawdown(self) -> float:
        """Largest peak-to-trough loss of the equity curve (a negative fraction)."""
        if self.daily.empty:
            return math.nan
        eq = np.concatenate([[1.0], self.equity["strategy"].to_numpy()])
        return float(np.min(eq / np.maximum.accumulate(eq) - 1.0))

    @cached_property
    def turnover(self) -> float:
        """Annualised turnover: mean daily traded notional (fraction of capital) × 252."""
        t = self.daily["turnover"]
        return float(t.mean() * TRADING_DAYS) if len(t) else math.nan

    @cached_property
    def benchmark_return(self) -> float:
        """Total benchmark return over the portfolio's sessions."""
        if self.daily.empty:
            return math.nan
        eq = self.equity["benchmark"].dropna()  # leading sessions without a level
        return float(eq.iloc[-1] - 1.0) if len(eq) else math.nan

    @cached_property
    def total_return(self) -> float:
        """Total net return of the portfolio."""
        if self.daily.empty:
            return math.nan
        return float(self.equity["strategy"].iloc[-1] - 1.0)

    # ---- rendering ---------------------------------------------------------------
    def summary_rows(self) -> list[tuple[str, str]]:
        """The summary as ``(label, value)`` rows, values formatted (percent, 3 decimals).

        The same rows make the text summary and the backtest page's summary table.

        Examples
        --------
        >>> rows = dict(example_backtest().summary_rows())
        >>> rows["Events"]
        '2 (2 traded; skipped: none)'
        """
        p = self.params

        def f(x: float, pct: bool = False, nd: int = 3) -> str:
            if x is None or (isinstance(x, float) and math.isnan(x)):
                return "n/a"
            return f"{x:.2%}" if pct else f"{x:.{nd}f}"

        skipped = ", ".join(f"{k} {v}" for k, v in self.skip_counts.items()) or "none"
        rows = [
            (
                "Strategy",
                f"entry={p['entry']}, hold={p['hold']}, direction={p['direction']}, "
                f"weights={p['weights']}, costs={p['costs_bps']} bps/side",
            ),
            ("Events", f"{len(self.ledger)} ({self.n_trades} traded; skipped: {skipped})"),
            (
                "Exit delays",
                f"{int((self.trades['exit_delay'] > 0).sum())} trades "
                f"({int(self.trades['exit_delay'].sum())} sessions; suspension or limit lock); "
                f"{int(self.trades['stale_days'].sum())} held sessions without a price",
            ),
        ]
        if not self.daily.empty:
            d = self.daily.index
            rows.append(("Period", f"{d[0].date()} .. {d[-1].date()} ({len(d)} sessions)"))
            rows.append(
                (
                    "Exposure",
                    f"{self.sessions_in_market} of {len(d)} sessions in the market "
                    f"({self.exposure:.0%}); {self.n_trades} trades",
                )
            )
        equal = p["weights"] == "equal"
        stat = self.placebo.statistic_name if self.placebo is not None else None
        mark = "  <- placebo statistic"
        rows += [
            ("Hit rate", f(self.hit_rate, pct=True)),
            (
                "Mean trade return (net)" if equal else "Mean trade return (net, unweighted)",
                f(self.mean_return, pct=True) + (mark if equal and stat == "raw" else ""),
            ),
            ("t-stat of the mean (p-value)", f"{f(self.tstat, nd=2)} ({f(self.pvalue)})"),
        ]
        if not equal:
            rows.append(
                (
                    "Weighted mean trade return (net)",
                    f"{f(self.weighted_mean_return, pct=True)} (weights={p['weights']})"
                    + (mark if stat == "raw" else ""),
                )
            )
        if stat == "excess":
            rows.append(
                (
                    f"{'Mean' if equal else 'Weighted mean'} excess return vs {p['benchmark']}",
                    f(self.weighted_mean_excess_return, pct=True) + " (net)" + mark,
                )
            )
        rows += [
            ("Total return", f(self.total_return, pct=True)),
            (f"Benchmark {p['benchmark']}", f(self.benchmark_return, pct=True)),
            *self._annualised_rows(f),
            ("Max drawdown", f(self.max_drawdown, pct=True)),
            ("Turnover", f"{f(self.turnover, nd=1)} × capital per year (buys + sells)"),
        ]
        if self.placebo is not None:
            pl = self.placebo
            rows.append(
                (
                    "Placebo",
                    f"{pl.runs} runs (seed {pl.seed}); statistic: "
                    f"{pl.statistic_label} = {f(pl.statistic, pct=True)}; "
                    f"{f(pl.share_beating, pct=True)} of runs beat it, p = {f(pl.pvalue)}",
                )
            )
            if pl.first_day is not None and pl.last_day is not None:
                rows.append(
                    (
                        "Placebo dates",
                        f"one per real day 0 ({len(pl.real_days)} days; all its events move "
                        f"together), drawn from {pl.first_day.date()} .. {pl.last_day.date()} "
                        f"({pl.pool_sessions} sessions; window {pl.window}); "
                        f"{pl.mean_filled:.1f} trades filled per run",
                    )
                )
        rows.append(("Prices", self.provenance))
        rows.extend(("Note", n) for n in self.notes)
        return rows

    def _annualised_rows(self, f: Callable[..., str]) -> list[tuple[str, str]]:
        """Annual return, volatility and Sharpe, or why they are not shown."""
        labels = ("Annual return", "Annual volatility", "Sharpe")
        if not self.annualisable:
            why = (
                f"{TOO_LITTLE_DATA} ({self.sessions_in_market} sessions in the market, "
                f"{self.n_trades} trades; needs {MIN_SESSIONS_IN_MARKET} and "
                f"{MIN_TRADES_ANNUALISED})"
            )
            return [(labels[0], why), (labels[1], TOO_LITTLE_DATA), (labels[2], TOO_LITTLE_DATA)]
        return [
            (labels[0], f(self.annual_return, pct=True)),
            (labels[1], f(self.annual_volatility, pct=True)),
            (labels[2], f(self.sharpe, nd=2)),
        ]

    def summary(self) -> Summary:
        """The summary: strategy, trades, portfolio statistics, placebo test and rules.

        A :class:`~eventstudy.summary.Summary` (title, key/value rows, a rule, the
        trading rules): ``print`` it for text, or use ``as_text()``, ``as_html()``,
        ``as_latex()``.
        """
        rules = [
            "Rules: calendar-time portfolio, capital split over open trades by weight each",
            "session; entry skipped if suspended or limit-locked; exit delayed until fillable.",
        ]
        return (
            Summary(title="Backtest of news signals")
            .add_pairs(self.summary_rows())
            .add_rule()
            .add_lines(rules)
        )

    def __str__(self) -> str:
        return self.summary().as_text()

    def __repr__(self) -> str:
        return self.summary().as_text()

    def _repr_html_(self) -> str:
        return self.summary().as_html()

    def plot(self, kind: BacktestPlotKind = "equity") -> go.Figure:
        """A plotly figure of the backtest (not shown), drawn by :mod:`eventstudy.plotting`.

        Parameters
        ----------
        kind
            ``"equity"``: equity curves (growth of 1) of the strategy and the
            benchmark (:func:`~eventstudy.plotting.plot_equity`); ``"placebo"``:
            histogram of the placebo runs' statistic (percent axis) with the real
            value marked (:func:`~eventstudy.plotting.plot_placebo`).

        Raises
        ------
        ConfigError
            For an unknown ``kind``, or ``"placebo"`` without a placebo test.

        Examples
        --------
        >>> [t.name for t in example_backtest().plot("equity").data]
        ['strategy (net)', 'benchmark 000300.SH']
        """
        from eventstudy.plotting import BACKTEST_FIGURES  # deferred: plotting sits above

        if kind not in BACKTEST_FIGURES:
            raise ConfigError(f"kind={kind!r} is not one of {list(BACKTEST_FIGURES)}")
        return BACKTEST_FIGURES[kind](self)
