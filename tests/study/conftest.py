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
