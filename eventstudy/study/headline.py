"""The headline test: which test of the battery the study summary tells users to read.

The battery reports a dozen tests; a reader needs one to read first. The choice is
made once, by a rule (:data:`HEADLINE_RULE`) applied to the size-and-power tables
of ``benchmarks/simulate_market_size_power.py`` (the Brown-Warner design on the whole
A-share market, 5,202 stocks 2021-2026, random and clustered event dates; tables in
``benchmarks/RESULTS.md``, "Size and power on the whole market"). The rule as code is
:func:`pick_headline`; the script applies it and checks that it still picks
:data:`HEADLINE_TEST`, and that the test's size with 5,000 random-date samples is
within two simulation standard errors of 5 %.

The summary of every return study with the test in its battery has one line
(:data:`HEADLINE_LINE`) naming the test and the reason.

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

import numpy as np
import pandas as pd

from eventstudy._typing import TestName

__all__ = ["HEADLINE_LINE", "HEADLINE_RULE", "HEADLINE_TEST", "pick_headline", "size_band"]

#: The rule that chooses the headline test, applied to the whole-market tables.
HEADLINE_RULE = (
    "of the tests whose day-0 size is within two simulation standard errors of 5 % in "
    "every random-date and clustered-date cell (N = 30 and 100, equal-weighted market, "
    "market model), the one with the highest mean day-0 power at +1 % abnormal return; "
    "if none is within the band everywhere, the one with the smallest largest size error"
)

#: The test the rule picked on the whole A-share market (benchmarks/RESULTS.md).
HEADLINE_TEST: TestName = "kp_bmp"

#: The summary's line: which test to read and why.
HEADLINE_LINE = (
    f"read {HEADLINE_TEST} first: on the whole A-share market (random and clustered event "
    "dates, N = 30 and 100) it is the most powerful test whose size stays within 2 "
    "simulation SE of 5 % (rule in eventstudy.study.headline; tables in benchmarks/RESULTS.md)"
)


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
