"""Holm and Benjamini-Hochberg adjusted p-values, checked against statsmodels."""

from __future__ import annotations

import numpy as np
import pytest
from statsmodels.stats.multitest import multipletests

from eventstudy.exceptions import ConfigError
from eventstudy.study import run_event_study
from eventstudy.study.statistics import adjust_pvalues
from tests.study.conftest import make_events

METHODS = {"holm": "holm", "bh": "fdr_bh"}


@pytest.mark.parametrize("method", list(METHODS))
def test_adjust_pvalues_is_statsmodels(method):
    rng = np.random.default_rng(8)
    for _ in range(100):
        p = rng.uniform(0, 1, int(rng.integers(1, 40))) ** 3
        p[rng.random(len(p)) < 0.1] = np.nan
        p[rng.random(len(p)) < 0.1] = 0.01  # ties
        got = adjust_pvalues(p, method)
        ok = np.isfinite(p)
        assert np.isnan(got[~ok]).all()
        if ok.any():
            want = multipletests(p[ok], method=METHODS[method])[1]
            np.testing.assert_allclose(got[ok], want, rtol=0, atol=1e-15)


def test_unknown_method():
    with pytest.raises(ConfigError, match=r"method='bonferroni' is not one of \('holm', 'bh'\)"):
        adjust_pvalues([0.1], "bonferroni")  # type: ignore[arg-type]


def test_the_family_is_one_tests_rows(rets):
    res = run_event_study(make_events(rets), returns=rets, market="M")
    t = res.tests
    for name, rows in t.groupby("test", sort=False):
        ok = rows.pvalue.notna()
        for method, sm in METHODS.items():
            col = rows[f"pvalue_{method}"]
            assert col[~ok].isna().all(), name
            if ok.any():
                want = multipletests(rows.pvalue[ok].to_numpy(), method=sm)[1]
                np.testing.assert_allclose(col[ok].to_numpy(), want, rtol=0, atol=1e-15)
    # never across tests: pooling every row would give other values
    pooled = adjust_pvalues(t.pvalue.to_numpy(), "bh")
    assert not np.allclose(pooled, t.pvalue_bh.to_numpy(), equal_nan=True)
    # the records carry them too
    rec = res.test("t_cross", window=(-1, 1))
    row = t[(t.test == "t_cross") & (t.window == "[-1,1]") & (t.measure == "CAR")].iloc[0]
    assert rec.pvalue_holm == row.pvalue_holm
    assert rec.pvalue_bh == row.pvalue_bh
    assert (t.pvalue_holm.dropna() >= t.pvalue[t.pvalue_holm.notna()] - 1e-15).all()
