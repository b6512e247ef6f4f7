"""Cross-sectional regressions of CAR on event characteristics (statsmodels).

The data frame behind the formula is :attr:`EventStudyResult.events` plus

- ``car``, ``scar``, ``bhar``: the chosen window's CAR, standardised CAR and BHAR;
- ``car_<a>_<b>`` for every window (``m`` for a minus sign: ``car_m1_1`` is ``[-1,1]``).

Standard errors: ``cov="HC1"`` (White heteroskedasticity-robust, MacKinnon and White
1985) or ``cov="cluster"`` (clustered by event date ``day0``: events on the same day
share market-wide news; Petersen 2009).

References
----------
MacKinnon, J., White, H. (1985). *J. Econometrics* 29, 305-325.
Petersen, M. (2009). Estimating standard errors in finance panel data sets. *RFS* 22, 435-480.

Examples
--------
>>> import numpy as np, pandas as pd
>>> from eventstudy.study import run_event_study
>>> rng = np.random.default_rng(5)
>>> dates = pd.bdate_range("2021-01-04", periods=220)
>>> mkt = rng.normal(0, 0.01, 220)
>>> cols = {f"S{i}": mkt + rng.normal(0, 0.01, 220) for i in range(12)}
>>> rets = pd.DataFrame({"M": mkt, **cols}, index=dates)
>>> ev = pd.DataFrame({"event_id": range(12), "symbol": list(cols),
...                    "day0": [dates[200 + i % 3] for i in range(12)],
...                    "score": np.linspace(0, 1, 12)})
>>> res = run_event_study(ev, returns=rets, market="M", estimation_window=(-150, -11))
>>> fit = res.regress("car ~ score", cov="cluster")
>>> fit.params.index.tolist(), int(fit.nobs)
(['Intercept', 'score'], 12)
"""

from __future__ import annotations

from typing import TYPE_CHECKING, get_args

import pandas as pd

from eventstudy._typing import RegressionCov
from eventstudy.exceptions import ConfigError
from eventstudy.study.windows import Window, window_label

if TYPE_CHECKING:
    from statsmodels.regression.linear_model import RegressionResultsWrapper

    from eventstudy.study.result import EventStudyResult

__all__ = ["regress_car", "regression_frame"]


def _colname(label: str) -> str:
    a, b = label.strip("[]").split(",")
    return f"car_{a.replace('-', 'm')}_{b.replace('-', 'm')}"


def regression_frame(result: EventStudyResult, window: Window | str | None = None) -> pd.DataFrame:
    """The data behind :func:`regress_car` (events + ``car``, ``scar``, ``bhar``, ``car_a_b``)."""
    labels = list(result.car.columns)
    label = labels[0] if window is None else window_label(window)
    if label not in labels:
        raise ConfigError(f"window {label!r} is not one of the CAR windows {labels}")
    j = labels.index(label)
    data = result.events.reset_index(drop=True).copy()
    data["car"] = result.pieces.car[:, j]
    data["scar"] = result.pieces.scar[:, j]
    data["bhar"] = result.pieces.bhar[:, j]
    for k, lab in enumerate(labels):
        data[_colname(lab)] = result.pieces.car[:, k]
    return data


def regress_car(
    result: EventStudyResult,
    formula: str,
    *,
    cov: RegressionCov = "HC1",
    window: Window | str | None = None,
) -> RegressionResultsWrapper:
    """OLS of a CAR measure on event characteristics with robust or date-clustered SEs.

    Parameters
    ----------
    result
        An event-study result.
    formula
        A patsy formula, e.g. ``"car ~ score + C(publisher)"``.
    cov
        ``"HC1"`` (heteroskedasticity-robust) or ``"cluster"`` (clustered on ``day0``).
        Inference uses t distributions: t(N - K) for HC1 and t(G - 1) for G date
        clusters (statsmodels' small-sample corrected cluster covariance), since news
        samples often have few distinct dates and normal p-values would be too small.
    window
        The window behind ``car``/``scar``/``bhar`` (default: the first CAR window).

    Returns
    -------
    statsmodels.regression.linear_model.RegressionResultsWrapper
    """
    import statsmodels.formula.api as smf

    if cov not in get_args(RegressionCov):
        raise ConfigError(f"cov={cov!r} is not one of {get_args(RegressionCov)}")
    data = regression_frame(result, window)
    if len(data) < 2:
        raise ConfigError(f"a regression needs at least 2 events, have {len(data)}")
    model = smf.ols(formula, data=data, missing="drop")
    if cov == "HC1":
        return model.fit(cov_type="HC1", use_t=True)
    rows = model.data.row_labels
    groups = pd.factorize(data.loc[rows, "day0"])[0]
    return model.fit(
        cov_type="cluster", cov_kwds={"groups": groups, "use_correction": True}, use_t=True
    )
