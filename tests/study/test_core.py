"""The numerical core: ranks, empty pieces, and the names that moved here from engine."""

from __future__ import annotations

import numpy as np
import pytest
from scipy import stats

from eventstudy.study import core


def test_ranks_ordinal_ties_by_position():
    ranks = core.ranks
    # estimation residuals then event-day ARs; ties (0.0 and -0.0, two 0.5) rank by
    # position, the earlier day lower; NaN is not ranked (T = 6 present values)
    resid = np.array([[0.5, np.nan, 0.0, -1.0, 2.0]])
    ar = np.array([[-0.0, 0.5]])
    u, rank_est = ranks(resid, ar)
    rank = np.array([4, np.nan, 2, 1, 6, 3, 5])
    np.testing.assert_allclose(u[0], rank / 7 - 0.5, rtol=1e-6)  # float32
    np.testing.assert_array_equal(rank_est[0], [3, np.nan, 2, 1, 4])
    # without ties: scipy's ordinal ranks
    rng = np.random.default_rng(0)
    x = rng.standard_normal((50, 30))
    u, rank_est = ranks(x[:, :25], x[:, 25:])
    expected = stats.rankdata(x, axis=1, method="ordinal")
    np.testing.assert_allclose(u, expected / 31 - 0.5, rtol=1e-6)
    np.testing.assert_array_equal(rank_est, stats.rankdata(x[:, :25], axis=1))


def test_empty_pieces_have_the_shapes_of_no_event():
    p = core.EventPieces.empty(l1=240, l2=11, n_windows=5, k=2)
    assert p.n == 0
    assert p.ar.shape == (0, 11)
    assert p.resid.shape == (0, 240)
    assert p.car.shape == p.bhar.shape == (0, 5)
    assert p.k == 2


def test_engine_still_serves_the_moved_names_with_a_warning():
    import eventstudy.study.engine as engine

    with pytest.warns(DeprecationWarning, match=r"eventstudy\.study\.core\.ranks"):
        moved = engine.ranks
    assert moved is core.ranks
    with pytest.raises(AttributeError, match="no_such_name"):
        engine.no_such_name  # noqa: B018
