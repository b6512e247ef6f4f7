"""Normal-return models: the registry records and each model's mean equation."""

from __future__ import annotations

from typing import get_args

import numpy as np
import pandas as pd
import pytest

from eventstudy._typing import ModelName
from eventstudy.exceptions import ConfigError
from eventstudy.study import models, run_event_study
from tests.study.conftest import make_events


def test_all_models_run(rets):
    f = pd.DataFrame(
        {"mkt_rf": rets.M, "smb": rets.S4 - rets.M, "hml": rets.S5 - rets.M, "mom": rets.S3},
        index=rets.index,
    )
    for model in ("raw", "constant_mean", "market_adjusted", "market", "ff3", "carhart"):
        given = f if model in ("ff3", "carhart") else None  # the others read no factors
        res = run_event_study(make_events(rets), returns=rets, market="M", model=model,
                              factors=given)  # fmt: skip
        assert len(res.events) == 4
        assert res.tests.statistic.notna().any()
    raw = run_event_study(make_events(rets), returns=rets, market="M", model="raw")
    np.testing.assert_allclose(raw.ar.loc["e0"].to_numpy(), rets.S0.iloc[295:306].to_numpy())


REGRESSORS = {
    "raw": "none",
    "constant_mean": "none",
    "market_adjusted": "market",
    "market": "market",
    "ff3": "factors",
    "carhart": "factors",
    "factors": "factors",
    "scholes_williams": "market",
    "dimson": "market",
    "garch": "market",
    "gjr": "market",
    "egarch": "market",
}
#: Models whose K counts only the mean equation's parameters (the variance equation's
#: are estimated too, but S_i^2 and Patell's variance are those of the mean equation).
MEAN_EQUATION_K = {"garch": 2, "gjr": 2, "egarch": 2}


def test_registry_records_are_the_one_source_of_model_facts():
    assert models.MODELS == get_args(ModelName) == tuple(models.MODEL_REGISTRY)
    for name, m in models.MODEL_REGISTRY.items():
        assert m.name == name
        assert models.get_model(name) is m
        assert models.MODEL_K[name] == m.k
        assert models.param_names(name) == list(m.params)
        assert (name in models.FACTOR_COLUMNS) == bool(m.factors)
        assert m.regressors == REGRESSORS[name]
        # the factor models with fixed columns; "factors" takes the columns of the frame
        assert (name in models.FACTOR_COLUMNS) == (m.regressors == "factors" != name)
        assert m.variance
        assert m.methodology.startswith("E[R_it] = ")
        if name in MEAN_EQUATION_K:
            assert m.k == MEAN_EQUATION_K[name] < len(m.params)
            assert m.params[:2] == ("alpha", "beta")
        elif m.estimated:
            assert m.k == len(m.params)  # every estimated parameter counts
        else:
            assert m.k == 1
            assert m.params == ()
    assert models.get_model("carhart").factors == ("mkt_rf", "smb", "hml", "mom")
    assert models.get_model("ff3").n_regressors == 3
    assert models.get_model("market").n_regressors == 1
    with pytest.raises(ConfigError, match=r"model='capm' is not one of \('raw'"):
        models.get_model("capm")


def test_mean_equations_by_hand():
    r = np.array([[0.01, 0.03, 0.02, 0.04, 0.0, 0.05, -0.01]])
    mkt = np.array([[0.02, 0.01, 0.0, 0.01, 0.01, 0.02, 0.0]])
    est, evt = slice(0, 5), slice(5, 7)
    z = mkt[:, :, None]
    raw = models.fit_model("raw", r[:, est], z[:, est], r[:, evt], z[:, evt])
    np.testing.assert_array_equal(raw.ar, r[:, evt])
    assert raw.params.shape == (1, 0)
    assert not raw.estimated
    assert raw.sigma2[0] == pytest.approx(np.sum(r[0, est] ** 2) / 4)  # M - K = 5 - 1
    adj = models.fit_model("market_adjusted", r[:, est], z[:, est], r[:, evt], z[:, evt])
    np.testing.assert_allclose(adj.ar, r[:, evt] - mkt[:, evt])
    cm = models.fit_model("constant_mean", r[:, est], z[:, est], r[:, evt], z[:, evt])
    assert cm.params[0, 0] == pytest.approx(0.02)
    np.testing.assert_allclose(cm.ar, r[:, evt] - 0.02)
    assert cm.sigma2[0] == pytest.approx(np.sum((r[0, est] - 0.02) ** 2) / 4)
    assert cm.estimated
    assert cm.zc.shape == (1, 2, 0)


def test_too_few_observations_and_constant_returns_get_a_status():
    rng = np.random.default_rng(0)
    r = rng.normal(0, 0.01, (3, 12))
    r[1, :10] = 0.0  # constant over the estimation days
    r[2, 2:10] = np.nan  # 2 estimation observations
    z = rng.normal(0, 0.01, (3, 12, 1))
    for name in ("constant_mean", "market"):
        fit = models.fit_model(name, r[:, :10], z[:, :10], r[:, 10:], z[:, 10:], min_obs=5)
        assert fit.status.tolist() == [models.OK, models.CONSTANT, models.INSUFFICIENT], name


@pytest.mark.parametrize("shape", [(0, 5), (7, 240), (3, 70_000), (5, 0)])
def test_count_rows_equals_the_boolean_sum(shape):
    from eventstudy.study.models import count_rows

    mask = np.random.default_rng(1).random(shape) < 0.97  # wide rows overflow a uint16 less 1
    got = count_rows(mask)
    assert got.dtype == np.int64
    np.testing.assert_array_equal(got, mask.sum(axis=1))
    np.testing.assert_array_equal(count_rows(mask[:, ::2]), mask[:, ::2].sum(axis=1))
