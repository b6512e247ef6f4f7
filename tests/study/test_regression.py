"""Cross-sectional regressions of CAR on event characteristics (statsmodels)."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from eventstudy.exceptions import ConfigError
from eventstudy.study import run_event_study
from tests.study.conftest import make_events


def test_regress_hc1_and_cluster(rets):
    res = run_event_study(make_events(rets), returns=rets, market="M")
    fit = res.regress("car ~ score", cov="HC1")
    assert fit.cov_type == "HC1"
    assert int(fit.nobs) == 4
    fit = res.regress("car_m5_5 ~ score", cov="cluster")
    assert fit.cov_type == "cluster"
    with pytest.raises(ConfigError, match=r"cov='HC3' is not one of \('HC1', 'cluster'\)"):
        res.regress("car ~ score", cov="HC3")  # type: ignore[arg-type]
    with pytest.raises(ConfigError, match="not one of the CAR windows"):
        res.regress("car ~ score", window=(-2, 2))


def test_clustered_regression_uses_t_with_clusters_minus_one_df():
    from scipy import stats as st

    rng = np.random.default_rng(3)
    n = 60
    sessions = pd.bdate_range("2020-01-01", periods=400)
    m = rng.normal(0, 0.01, len(sessions))
    data = {"M": m}
    for i in range(n):
        data[f"S{i}"] = 0.001 + 0.9 * m + rng.normal(0, 0.01, len(sessions))
    rets = pd.DataFrame(data, index=sessions)
    day0 = [sessions[300 + (i % 4) * 5] for i in range(n)]  # 4 distinct dates
    ev = pd.DataFrame(
        {"event_id": [f"e{i}" for i in range(n)], "symbol": [f"S{i}" for i in range(n)],
         "day0": day0, "score": rng.uniform(0, 1, n)}
    )  # fmt: skip
    res = run_event_study(ev, returns=rets, market="M")
    fit = res.regress("car ~ score", cov="cluster")
    t = fit.tvalues["score"]
    assert fit.use_t
    assert fit.pvalues["score"] == pytest.approx(2 * st.t.sf(abs(t), 4 - 1))
    hc = res.regress("car ~ score")
    assert hc.pvalues["score"] == pytest.approx(2 * st.t.sf(abs(hc.tvalues["score"]), n - 2))
