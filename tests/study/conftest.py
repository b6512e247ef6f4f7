from __future__ import annotations

import numpy as np
import pandas as pd
import pytest


@pytest.fixture(scope="session")
def sample_close() -> pd.DataFrame:
    from eventstudy.datasets import sample_prices

    return sample_prices().pivot(index="date", columns="symbol", values="close")


def synthetic(n_days: int = 400, n_stocks: int = 6, seed: int = 0) -> pd.DataFrame:
    rng = np.random.default_rng(seed)
    dates = pd.bdate_range("2020-01-02", periods=n_days)
    mkt = rng.normal(0.0003, 0.01, n_days)
    data = {f"S{i}": 0.9 * mkt + rng.normal(0, 0.015, n_days) for i in range(n_stocks)}
    data["M"] = mkt
    return pd.DataFrame(data, index=dates)


@pytest.fixture
def rets() -> pd.DataFrame:
    """Six stocks S0..S5 and the market M over 400 business days."""
    return synthetic(400, 6, 1)


def make_events(rets, days=(300, 310, 300, 320), syms=("S0", "S1", "S2", "S3"), **attrs):
    """Events on ``rets``: day 0 at the given positions (e0 and e2 share a day 0)."""
    n = len(days)
    data = {
        "event_id": [f"e{i}" for i in range(n)],
        "symbol": list(syms)[:n],
        "day0": rets.index[list(days)],
        "publisher": ["p1", "p2", "p1", "p2"][:n],
        "score": np.linspace(0.1, 0.9, n),
    }
    data.update(attrs)
    return pd.DataFrame(data)
