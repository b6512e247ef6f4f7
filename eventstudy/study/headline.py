"""The headline test: which test of the battery the study summary tells users to read.

The battery reports a dozen tests; a reader needs one to read first. The choice is
made once, by a rule (:data:`HEADLINE_RULE`) applied to the size-and-power tables
of ``benchmarks/simulate_market_size_power.py`` (the Brown-Warner design on the whole
A-share market, 5,202 stocks 2021-2026, random and clustered event dates; tables in
``benchmarks/RESULTS.md``, "Size and power on the whole market"). The rule as code is
:func:`pick_headline`; the script applies it and checks that it still picks
:data:`HEADLINE_TEST`, and that the test's size with 5,000 random-date samples is
within two simulation standard errors of 5 % (``--part headline-ew`` / ``headline-index`` run
that check alone for each benchmark's pick: kp_bmp 4.80/4.94 %, corrado 5.00/5.38 %).

The rule is applied per kind of benchmark (:data:`HEADLINE_TESTS`): against the
equal-weighted market (``market="ew"``, the four EW day-0 tables) it picks ``kp_bmp``;
against an index (the "CSI 300 as the market" table, the only index simulated) it picks
``corrado``. Both are in the summary table of every return study.

:func:`headline_line` is the one source of the line every summary prints (the
result's ``summary()``, the ``eventstudy run`` console, the briefing): it names the
benchmark's headline test and the reason; no line for volume or volatility studies
(the rule was chosen on abnormal returns), for models not in :data:`HEADLINE_MODELS`
(the rule was chosen on market-model simulations), nor when none of the sized tests was
selected; and, from :data:`LARGE_N` events on, a pointer to ``result.placebo()``
(alpha drift: RESULTS.md, "N = 1,000 random dates").

Examples
--------
>>> import pandas as pd
>>> size = pd.DataFrame({"random N=30": [0.05, 0.09, 0.052],
...                      "clustered N=30": [0.049, 0.05, 0.051]},
...                     index=["a", "b", "c"])
>>> power = pd.DataFrame({"random N=30": [0.60, 0.90, 0.70],
...                       "clustered N=30": [0.50, 0.80, 0.40]}, index=["a", "b", "c"])
>>> pick_headline(size, power, reps=1000)  # b is too large (9 %); a has more power than c
'a'
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from types import MappingProxyType
from typing import get_args

import numpy as np
import pandas as pd

from eventstudy._typing import ModelName, PanelMarket, TestName

__all__ = [
    "HEADLINE_LINE",
    "HEADLINE_MODELS",
    "HEADLINE_RULE",
    "HEADLINE_TEST",
    "HEADLINE_TESTS",
    "LARGE_N",
    "SIZED_TESTS",
    "benchmark_kind",
    "headline_choice",
    "headline_line",
    "headline_test",
    "pick_headline",
    "size_band",
]

#: The rule that chooses the headline test, applied to the whole-market tables.
HEADLINE_RULE = (
    "of the tests whose day-0 size is within two simulation standard errors of 5 % in "
    "every random-date and clustered-date cell (N = 30 and 100, equal-weighted market, "
    "market model), the one with the highest mean day-0 power at +1 % abnormal return; "
    "if none is within the band everywhere, the one with the smallest largest size error"
)

#: The tests inside the size band in all four day-0 cells, most powerful first (the
#: rule's ranking), per kind of benchmark (:func:`benchmark_kind`). ``"ew"``: RESULTS.md
#: "Day 0, EW market, random dates" and "clustered dates" (kp_bmp 81.6 %, t_cross 77.9 %
#: mean power at +1 %); ``"index"``: "Day 0, CSI 300 as the market" (corrado 4.6/4.7/5.1/
#: 5.4 % size, 52.0 % mean power; kp_bmp 5.1/4.6/5.7/4.6 %, 44.9 %; every other test is
#: outside the band in some cell). A summary whose headline test was not selected names
#: the next of these that was.
SIZED_TESTS: Mapping[str, tuple[TestName, ...]] = MappingProxyType(
    {"ew": ("kp_bmp", "t_cross"), "index": ("corrado", "kp_bmp")}
)

#: The headline test per kind of benchmark: the rule's pick on that benchmark's tables.
HEADLINE_TESTS: Mapping[str, TestName] = MappingProxyType(
    {kind: tests[0] for kind, tests in SIZED_TESTS.items()}
)

#: The test the rule picked against the equal-weighted whole market (benchmarks/RESULTS.md).
HEADLINE_TEST: TestName = HEADLINE_TESTS["ew"]

#: The models the headline applies to: the one the size-and-power tables were simulated
#: with (the market model, benchmarks/simulate_market_size_power.py). The thin-trading
#: variants (scholes_williams, dimson), the GARCH family, the factor models and the
#: models without the market (raw, constant_mean, market_adjusted) were not simulated:
#: their summaries print no headline line.
HEADLINE_MODELS: tuple[ModelName, ...] = ("market",)

#: From this many analysed events on, the headline line also points to
#: ``result.placebo()``. RESULTS.md, "N = 1,000 random dates": the market model's day-0
#: AR drifts (-1.5 bp against the EW market, -5.4 bp against the CSI 300), invisible at
#: N <= 100 (the size tables) and at N = 1,000 three fifths of the standard error of the
#: mean AR against the CSI 300 (t_cross 8.7 % day 0, 15.0 % CAR [-1,1]; corrado 8.3 /
#: 15.3 %), while the placebo p-value stays at 2.7-4.0 %. The drift in standard errors
#: grows with sqrt(N): 0.59 SE at N = 1,000 is 0.35 SE at N = 350, where a 5 % test's
#: size reaches 6.4 %, the tables' 2-SE band; rounded down to 300.
LARGE_N = 300

#: Where each kind of benchmark's tables come from (the headline line cites it).
_DESIGN = {"ew": "the equal-weighted market", "index": "an index (the CSI 300 simulated)"}

#: The summary's line against the equal-weighted market: which test to read and why.
HEADLINE_LINE = (
    f"read {HEADLINE_TEST} first: against {_DESIGN['ew']} on the whole A-share market "
    "(random and clustered event dates, N = 30 and 100) it is the most powerful test whose "
    "size stays within 2 simulation SE of 5 % (rule in eventstudy.study.headline; tables in "
    "benchmarks/RESULTS.md)"
)


def benchmark_kind(market: str) -> str:
    """``"ew"`` for the panel-built equal-weighted market, else ``"index"``.

    Examples
    --------
    >>> benchmark_kind("ew"), benchmark_kind("000300.SH")
    ('ew', 'index')
    """
    return "ew" if market in get_args(PanelMarket) else "index"


def headline_test(market: str) -> TestName:
    """The headline test against ``market`` (:data:`HEADLINE_TESTS`).

    Examples
    --------
    >>> headline_test("ew"), headline_test("000300.SH")
    ('kp_bmp', 'corrado')
    """
    return HEADLINE_TESTS[benchmark_kind(market)]


def headline_choice(
    *, market: str, tests: Iterable[str], measure: str = "return", model: str = "market"
) -> TestName | None:
    """The test the headline line names (read first), or None (no headline).

    The one rule every summary (the result's, the console's, the briefing's lead
    p-value) follows: a return study (``measure="return"``) of a model in
    :data:`HEADLINE_MODELS`, and the first of the benchmark's :data:`SIZED_TESTS`
    that ran.

    Examples
    --------
    >>> headline_choice(market="ew", tests=["t_cross", "kp_bmp"])
    'kp_bmp'
    >>> headline_choice(market="000300.SH", tests=["kp_bmp", "corrado"])
    'corrado'
    >>> headline_choice(market="ew", tests=["kp_bmp"], measure="volume") is None
    True
    >>> headline_choice(market="ew", tests=["kp_bmp"], model="raw") is None
    True
    """
    if measure != "return" or model not in HEADLINE_MODELS:
        return None
    ran = set(tests)
    return next((t for t in SIZED_TESTS[benchmark_kind(market)] if t in ran), None)


def headline_line(
    *,
    market: str,
    tests: Iterable[str],
    measure: str = "return",
    n_events: int = 0,
    model: str = "market",
) -> str | None:
    """The summary's line on which test to read, or None (no line).

    Parameters
    ----------
    market
        The benchmark (``"ew"`` or an index symbol).
    tests
        The tests the study ran.
    measure
        The study's measure: only ``"return"`` gets a line (the rule was chosen on
        abnormal returns; METHODS.md).
    n_events
        Analysed events: from :data:`LARGE_N` on the line adds ``result.placebo()``.
    model
        The normal-return model: only :data:`HEADLINE_MODELS` get a line (the rule
        was chosen on market-model simulations).

    Returns
    -------
    str or None
        The line; None when :func:`headline_choice` is None (other measures or
        models, or no test of :data:`SIZED_TESTS` for this benchmark ran).

    Examples
    --------
    >>> headline_line(market="ew", tests=["t_cross", "kp_bmp"]) == HEADLINE_LINE
    True
    >>> print(headline_line(market="ew", tests=["t_cross", "corrado"]))  # doctest: +ELLIPSIS
    read t_cross first (the headline test kp_bmp was not selected): ...
    >>> headline_line(market="ew", tests=["t_cross"], measure="volume") is None
    True
    >>> headline_line(market="ew", tests=["kp_bmp"], model="garch") is None
    True
    >>> headline_line(market="000300.SH", tests=["patell"]) is None
    True
    >>> "result.placebo()" in headline_line(market="ew", tests=["kp_bmp"], n_events=LARGE_N)
    True
    """
    chosen = headline_choice(market=market, tests=tests, measure=measure, model=model)
    if chosen is None:
        return None
    kind = benchmark_kind(market)
    best = HEADLINE_TESTS[kind]
    why = (
        f"against {_DESIGN[kind]} on the whole A-share market (random and clustered event "
        "dates, N = 30 and 100) it is the most powerful test whose size stays within 2 "
        "simulation SE of 5 % (rule in eventstudy.study.headline; tables in "
        "benchmarks/RESULTS.md)"
    )
    if chosen != best:
        why = (
            f"of the selected tests it is the most powerful whose size stays within 2 "
            f"simulation SE of 5 % against {_DESIGN[kind]} (rule in eventstudy.study.headline; "
            "tables in benchmarks/RESULTS.md)"
        )
    head = f"read {chosen} first" + (
        "" if chosen == best else f" (the headline test {best} was not selected)"
    )
    line = f"{head}: {why}"
    if n_events >= LARGE_N:
        line += (
            f"; with {n_events:,} events (>= {LARGE_N}) read result.placebo() beside it: the "
            "model's day-0 alpha drift makes the tests of the mean over-reject at large N, "
            "the placebo p-value is centred on it (benchmarks/RESULTS.md, N = 1,000)"
        )
    return line


def size_band(reps: int, alpha: float = 0.05) -> float:
    """Two simulation standard errors of a rejection rate ``alpha`` over ``reps`` samples.

    Examples
    --------
    >>> round(size_band(1000), 4), round(size_band(5000), 4)
    (0.0138, 0.0062)
    """
    return float(2 * np.sqrt(alpha * (1 - alpha) / reps))


def pick_headline(size: pd.DataFrame, power: pd.DataFrame, *, reps: int) -> str:
    """Apply :data:`HEADLINE_RULE` to size and power tables.

    Parameters
    ----------
    size, power
        Rejection rates at 5 %: one row per test, one column per design cell
        (e.g. ``"random N=30"``), under no abnormal return (``size``) and with +1 %
        on day 0 (``power``). A NaN size (statistic undefined in that design) fails
        the band.
    reps
        Samples per cell (the band is :func:`size_band` of it).

    Returns
    -------
    str
        The chosen test's name.

    Raises
    ------
    ValueError
        If the tables have no common test.
    """
    tests = size.index.intersection(power.index)
    if tests.empty:
        raise ValueError("size and power tables share no test; pass tables of the same tests")
    err = (size.loc[tests] - 0.05).abs().max(axis=1, skipna=False).fillna(np.inf)
    inside = err[err <= size_band(reps)].index
    if inside.empty:
        return str(err.idxmin())
    return str(power.loc[inside].mean(axis=1).idxmax())
