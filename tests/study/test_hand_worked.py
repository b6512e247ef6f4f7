"""Hand-worked event studies (N = 1, 2, 3), every statistic derived on paper here.

Design (returns in percent; the data use decimals): constant-mean model (K = 1),
estimation window [-6, -2] (M = 5), event window [-1, 1], windows [-1,1], [0,0], [0,1].
All three events share day 0 (so their estimation windows are aligned in calendar
time and r̄ is the plain mean of pairwise correlations).

====== ======================== ======= ========================= ====== ===============
event  estimation returns       mean    residuals e               S^2    event AR (-1,0,1)
====== ======================== ======= ========================= ====== ===============
A      1, 2, 3, 4, 5            3       -2, -1, 0, 1, 2            10/4   0.5, 4, -2.5
B      2, -2, 4, -4, 0          0       2, -2, 4, -4, 0            40/4   1.5, -3, 5
C      0, 1, 0.5, 1.5, 2        1       -1, 0, -0.5, 0.5, 1        2.5/4  1.2, 0.1, 3
====== ======================== ======= ========================= ====== ===============

(event returns: A 3.5, 7, 0.5; B 1.5, -3, 5; C 2.2, 1.1, 4.)

Prediction-error variances (constant mean): one day S^2 (1 + 1/M) = 1.2 S^2;
a window of L days S^2 (L + L^2/M): L=2 -> 2.8 S^2, L=3 -> 4.8 S^2.
Patell: (M-K)/(M-K-2) = 4/2 = 2 for every event.
Residual correlations: corr(A,B) = -6/sqrt(10*40) = -0.3,
corr(A,C) = 4.5/sqrt(10*2.5) = 0.9, corr(B,C) = -6/sqrt(40*2.5) = -0.6, so
r̄ = (-0.3 + 0.9 - 0.6)/3 = 0 (and -0.3 for the pair A, B).
Share of positive residuals: A 2/5, B 2/5, C 2/5 -> p̂ = 0.4.
"""

from __future__ import annotations

import math

import numpy as np
import pandas as pd
import pytest
from scipy import stats

from eventstudy.study import run_event_study

EST = {"A": [1, 2, 3, 4, 5], "B": [2, -2, 4, -4, 0], "C": [0, 1, 0.5, 1.5, 2]}
EVT = {"A": [3.5, 7, 0.5], "B": [1.5, -3, 5], "C": [2.2, 1.1, 4]}
MEAN = {"A": 3.0, "B": 0.0, "C": 1.0}
S2 = {"A": 2.5, "B": 10.0, "C": 0.625}  # percent^2
AR = {"A": [0.5, 4.0, -2.5], "B": [1.5, -3.0, 5.0], "C": [1.2, 0.1, 3.0]}
WINDOWS = [(-1, 1), (0, 0), (0, 1)]
LABELS = ["[-1,1]", "[0,0]", "[0,1]"]
LEN = {"[-1,1]": 3, "[0,0]": 1, "[0,1]": 2}
SPAN = {"[-1,1]": (0, 3), "[0,0]": (1, 2), "[0,1]": (1, 3)}
RBAR = 0.0


def _data() -> pd.DataFrame:
    dates = pd.bdate_range("2024-01-01", periods=9)
    cols = {}
    for s in "ABC":
        cols[s] = np.array([np.nan, *EST[s], *EVT[s]]) / 100.0  # day 0 = dates[7]
    cols["M"] = np.full(9, 0.001)
    return pd.DataFrame(cols, index=dates)


def _run(symbols: str):
    rets = _data()
    ev = pd.DataFrame({"event_id": list(symbols), "symbol": list(symbols), "day0": rets.index[7]})
    return run_event_study(
        ev,
        returns=rets,
        market="M",
        model="constant_mean",
        estimation_window=(-6, -2),
        event_window=(-1, 1),
        car_windows=WINDOWS,
        min_estimation_obs=5,
    )


def _stat(res, test, measure, key):
    t = res.tests
    if isinstance(key, int):
        row = t[(t.test == test) & (t.measure == measure) & (t.rel_day == key)]
    else:
        row = t[(t.test == test) & (t.measure == measure) & (t.window == key)]
    assert len(row) == 1, (test, measure, key)
    return float(row.statistic.iloc[0]), float(row.pvalue.iloc[0]), int(row.n.iloc[0])


def _sd(xs):
    m = sum(xs) / len(xs)
    return math.sqrt(sum((x - m) ** 2 for x in xs) / (len(xs) - 1))


def test_model_pieces_three_events():
    res = _run("ABC")
    assert res.params["mu"].round(12).tolist() == [0.03, 0.0, 0.01]
    assert np.allclose(res.sigma**2, [S2[s] / 1e4 for s in "ABC"], rtol=1e-12)
    assert res.n_estimation.tolist() == [5, 5, 5]
    assert np.allclose(res.ar.to_numpy() * 100, [AR[s] for s in "ABC"], atol=1e-12)
    # CAR [-1,1]: A 2.0, B 3.5, C 4.3; [0,1]: A 1.5, B 2.0, C 3.1
    assert np.allclose(res.car["[-1,1]"] * 100, [2.0, 3.5, 4.3])
    assert np.allclose(res.car["[0,1]"] * 100, [1.5, 2.0, 3.1])
    # BHAR [0,1] of A: 1.07 * 1.005 - 1.03^2 = 1.07535 - 1.0609 = 0.01445
    assert res.bhar.loc["A", "[0,1]"] == pytest.approx(0.01445, abs=1e-12)
    assert res.rbar == pytest.approx(RBAR, abs=1e-12)


def test_day_statistics_three_events():
    res = _run("ABC")
    day0 = [AR[s][1] for s in "ABC"]  # 4, -3, 0.1
    # cross-sectional t: mean 1.1/3, sd of (4, -3, 0.1)
    mean = 1.1 / 3
    t = mean / _sd(day0) * math.sqrt(3)
    got = _stat(res, "t_cross", "AR", 0)
    assert got[0] == pytest.approx(t, rel=1e-10)
    assert got[1] == pytest.approx(2 * stats.t.sf(abs(t), 2), rel=1e-8)
    # Patell: SAR = AR / sqrt(1.2 S^2); z = sum SAR / sqrt(3 * 2)
    sar = [AR[s][1] / math.sqrt(1.2 * S2[s]) for s in "ABC"]
    z = sum(sar) / math.sqrt(6.0)
    assert _stat(res, "patell", "AR", 0)[0] == pytest.approx(z, rel=1e-10)
    assert _stat(res, "patell_adj", "AR", 0)[0] == pytest.approx(
        z * math.sqrt(1 / (1 + 2 * RBAR)), rel=1e-10
    )
    # BMP: t on the SARs; KP: times sqrt((1 - r)/(1 + 2 r))
    bmp = sum(sar) / 3 / _sd(sar) * math.sqrt(3)
    assert _stat(res, "bmp", "AR", 0)[0] == pytest.approx(bmp, rel=1e-10)
    kp = bmp * math.sqrt((1 - RBAR) / (1 + 2 * RBAR))
    assert _stat(res, "kp_bmp", "AR", 0)[0] == pytest.approx(kp, rel=1e-10)
    # sign: 2 positive of 3 -> (2 - 1.5)/sqrt(0.75)
    assert _stat(res, "sign", "AR", 0)[0] == pytest.approx(0.5 / math.sqrt(0.75))
    # generalized sign: p = 0.4 -> (2 - 1.2)/sqrt(3 * 0.4 * 0.6)
    assert _stat(res, "gen_sign", "AR", 0)[0] == pytest.approx(0.8 / math.sqrt(0.72))
    # Brown-Warner: AAR over estimation days = mean residual per day:
    # day -6: (-2+2-1)/3, -5: (-1-2+0)/3, -4: (0+4-0.5)/3, -3: (1-4+0.5)/3, -2: (2+0+1)/3
    aar_est = [-1 / 3, -1.0, 3.5 / 3, -2.5 / 3, 1.0]
    t_bw = mean / _sd(aar_est)
    got = _stat(res, "brown_warner", "AR", 0)
    assert got[0] == pytest.approx(t_bw, rel=1e-10)
    assert got[1] == pytest.approx(2 * stats.t.sf(abs(t_bw), 4), rel=1e-8)


def test_window_statistics_three_events():
    res = _run("ABC")
    for lab in LABELS:
        a, b = SPAN[lab]
        ell = LEN[lab]
        car = [sum(AR[s][a:b]) for s in "ABC"]
        var = {s: S2[s] * (ell + ell * ell / 5) for s in "ABC"}
        scar = [car[i] / math.sqrt(var[s]) for i, s in enumerate("ABC")]
        t = sum(car) / 3 / _sd(car) * math.sqrt(3)
        assert _stat(res, "t_cross", "CAR", lab)[0] == pytest.approx(t, rel=1e-10)
        bmp = sum(scar) / 3 / _sd(scar) * math.sqrt(3)
        assert _stat(res, "bmp", "CAR", lab)[0] == pytest.approx(bmp, rel=1e-10)
        # Patell window: CSAR_i = sum of daily SARs; z = N^-1/2 sum CSAR_i / sqrt(L * 2)
        csar = [sum(AR[s][k] / math.sqrt(1.2 * S2[s]) for k in range(a, b)) for s in "ABC"]
        z = sum(c / math.sqrt(ell * 2.0) for c in csar) / math.sqrt(3)
        assert _stat(res, "patell", "CAR", lab)[0] == pytest.approx(z, rel=1e-10)
        # Brown-Warner: CAAR / (sqrt(L) S(AAR))
        s_aar = _sd([-1 / 3, -1.0, 3.5 / 3, -2.5 / 3, 1.0])
        bw = sum(car) / 3 / (math.sqrt(ell) * s_aar)
        assert _stat(res, "brown_warner", "CAR", lab)[0] == pytest.approx(bw, rel=1e-10)
        # skewness-corrected t
        m = sum(car) / 3
        sd = _sd(car)
        g = sum((c - m) ** 3 for c in car) / (3 * sd**3)
        s_ = m / sd
        skew = math.sqrt(3) * (s_ + g * s_ * s_ / 3 + g / 18)
        assert _stat(res, "skew_t", "CAR", lab)[0] == pytest.approx(skew, rel=1e-10)


def test_corrado_three_events():
    """Ranks over the 8 values (5 residuals + 3 ARs) of each event, U = r/9 - 1/2."""
    res = _run("ABC")
    # A: values -2,-1,0,1,2 | 0.5,4,-2.5  -> ranks 2,3,4,6,7 | 5,8,1
    # B: 2,-2,4,-4,0 | 1.5,-3,5           -> ranks 6,3,7,1,4 | 5,2,8
    # C: -1,0,-0.5,0.5,1 | 1.2,0.1,3      -> ranks 1,3,2,5,6 | 7,4,8
    ranks = {
        "A": [2, 3, 4, 6, 7, 5, 8, 1],
        "B": [6, 3, 7, 1, 4, 5, 2, 8],
        "C": [1, 3, 2, 5, 6, 7, 4, 8],
    }
    u = np.array([[r / 9 - 0.5 for r in ranks[s]] for s in "ABC"])
    ubar = u.mean(axis=0)
    s_u = math.sqrt(sum(ub**2 for ub in ubar) / 8)
    assert _stat(res, "corrado", "AR", 0)[0] == pytest.approx(ubar[6] / s_u, rel=1e-6)
    z = math.sqrt(3) * ubar[5:8].mean() / s_u
    assert _stat(res, "corrado", "CAR", "[-1,1]")[0] == pytest.approx(z, rel=1e-6)


def test_grank_three_events():
    """GRANK (Kolari-Pynnönen 2011) for window [0,1], derived step by step."""
    res = _run("ABC")
    lab = "[0,1]"
    scar = {}
    for s in "ABC":
        car = sum(AR[s][1:3])
        scar[s] = car / math.sqrt(S2[s] * 2.8)
    sd = _sd(list(scar.values()))
    gsar0 = {s: scar[s] / sd for s in "ABC"}
    t_pts = 6
    u = []
    for s in "ABC":
        sar = [e / math.sqrt(S2[s]) for e in (np.array(EST[s]) - MEAN[s])]
        vals = [*sar, gsar0[s]]
        order = sorted(vals)
        u.append([(order.index(v) + 1) / 7 - 0.5 for v in vals])
    ubar = np.array(u).mean(axis=0)
    s_u = math.sqrt(sum(ub**2 for ub in ubar) / t_pts)
    z = ubar[-1] / s_u
    t = z * math.sqrt((t_pts - 2) / (t_pts - 1 - z * z))
    got = _stat(res, "grank", "CAR", lab)
    assert got[0] == pytest.approx(t, rel=1e-6)
    assert got[1] == pytest.approx(2 * stats.t.sf(abs(t), t_pts - 2), rel=1e-5)


def test_wilcoxon_three_events():
    # CAR [-1,1] = 2.0, 3.5, 4.3: all positive -> W+ = 1+2+3 = 6, exact p = 2/8
    res = _run("ABC")
    w, p, n = _stat(res, "wilcoxon", "CAR", "[-1,1]")
    assert (w, n) == (6.0, 3)
    assert p == pytest.approx(0.25)


def test_two_events():
    res = _run("AB")
    # day 0: AR 4, -3 -> mean 0.5, sd = 7/sqrt(2) -> t = 0.5 / (7/sqrt2) * sqrt2 = 1/7
    assert _stat(res, "t_cross", "AR", 0)[0] == pytest.approx(1 / 7, rel=1e-10)
    # r̄ is corr(A, B) = -0.3
    assert res.rbar == pytest.approx(-0.3, abs=1e-12)
    sar = [4 / math.sqrt(1.2 * 2.5), -3 / math.sqrt(1.2 * 10)]
    bmp = (sar[0] + sar[1]) / 2 / _sd(sar) * math.sqrt(2)
    kp = bmp * math.sqrt(1.3 / 0.7)
    assert _stat(res, "kp_bmp", "AR", 0)[0] == pytest.approx(kp, rel=1e-10)
    assert _stat(res, "sign", "AR", 0)[0] == pytest.approx(0.0)


def test_single_event():
    res = _run("A")
    tests = res.tests
    # cross-sectional statistics are NaN with a note, never an exception
    xs = tests[tests.test.isin(["t_cross", "bmp", "kp_bmp", "skew_t", "grank"])]
    assert xs.statistic.isna().all()
    assert xs.note.str.contains("N < 2").all()
    # per-event t: AR / S_{i,t} with t(M - K) = t(4) on day 0: 4 / sqrt(3)
    got = _stat(res, "t_event", "AR", 0)
    assert got[0] == pytest.approx(4 / math.sqrt(3), rel=1e-10)
    assert got[1] == pytest.approx(2 * stats.t.sf(4 / math.sqrt(3), 4), rel=1e-8)
    # CAR [-1,1] = 2 with S^2_CAR = 4.8 * 2.5 = 12
    assert _stat(res, "t_event", "CAR", "[-1,1]")[0] == pytest.approx(2 / math.sqrt(12))
    # Patell of one event: SAR / sqrt(2)
    assert _stat(res, "patell", "AR", 0)[0] == pytest.approx(4 / math.sqrt(3) / math.sqrt(2))
    assert res.caar_path["se"].isna().all()
