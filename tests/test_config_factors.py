"""``[study] factors = "file"``: TOML runs of the factor models read a CSV or Parquet file."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from eventstudy.config import load_config, parse_config
from eventstudy.exceptions import ConfigError
from eventstudy.study import run_event_study
from tests.study.conftest import make_events, synthetic


def _factors(rets: pd.DataFrame) -> pd.DataFrame:
    return pd.DataFrame(
        {
            "date": rets.index,
            "mkt_rf": rets["M"].to_numpy() - 0.0001,
            "smb": (rets["S4"] - rets["M"]).to_numpy(),
            "hml": (rets["S5"] - rets["M"]).to_numpy(),
            "rmw": rets["S3"].to_numpy(),
            "rf": 0.0001,
        }
    )


def _write_config(folder: Path, study: str) -> Path:
    path = folder / "run.toml"
    path.write_text(f'[news]\npath = "bundled"\n\n[study]\n{study}\n', encoding="utf-8")
    return path


@pytest.mark.parametrize("suffix", [".csv", ".parquet"])
def test_a_factor_file_feeds_the_factors_model(tmp_path, suffix):
    rets = synthetic(400, 6, 4)
    table = _factors(rets)
    sub = tmp_path / "data"
    sub.mkdir()
    if suffix == ".csv":
        table.to_csv(sub / f"ff{suffix}", index=False)
    else:
        table.set_index("date").to_parquet(sub / f"ff{suffix}")  # the date as the index
    cfg = load_config(_write_config(tmp_path, f'model = "factors"\nfactors = "data/ff{suffix}"'))
    spec = cfg.study
    assert spec.normal_model.params == ("alpha", "b_mkt_rf", "b_smb", "b_hml", "b_rmw")
    assert list(spec.factors.columns) == ["mkt_rf", "smb", "hml", "rmw", "rf"]
    ev = make_events(rets)
    got = spec.__class__(**{**spec.__dict__, "market": "M"}).fit(ev, returns=rets)
    ref = run_event_study(ev, returns=rets, market="M", model="factors",
                          factors=table.set_index("date"))  # fmt: skip
    # CSV text may round the last bit of a float (pandas < 3 parses with "high" precision)
    np.testing.assert_allclose(got.params.to_numpy(), ref.params.to_numpy(), atol=1e-12)
    np.testing.assert_allclose(got.car.to_numpy(), ref.car.to_numpy(), atol=1e-12)


def test_named_factor_models_check_their_columns(tmp_path):
    rets = synthetic(50, 6, 1)
    _factors(rets).drop(columns="hml").to_csv(tmp_path / "f.csv", index=False)
    with pytest.raises(ConfigError, match=r"study\.factors: .*lacks column\(s\) \['hml'\]"):
        load_config(_write_config(tmp_path, 'model = "ff3"\nfactors = "f.csv"'))
    with pytest.raises(ConfigError, match=r"study\.model: 'carhart' needs factor returns"):
        parse_config({"news": {"path": "x"}, "study": {"model": "carhart"}})
    ok = load_config(_write_config(tmp_path, 'model = "market"\nfactors = "f.csv"'))
    assert ok.study.model == "market"  # a factor file with a market model is simply unused


@pytest.mark.parametrize(
    ("content", "name", "reason"),
    [
        (None, "missing.csv", "does not exist"),
        ("date,a\n2024-01-02,0.1\n", "f.txt", "must be a .csv or .parquet file"),
        ("day,a\n2024-01-02,0.1\n", "f.csv", "no 'date' column"),
        ("date,a\nnot-a-date,0.1\n", "f.csv", "bad dates"),
        ("date,a\n2024-01-02,0.1\n2024-01-02,0.2\n", "f.csv", "repeats dates"),
        ("date,a\n2024-01-02,x\n", "f.csv", "column 'a' is not numeric"),
        ("date,rf\n2024-01-02,0.1\n", "f.csv", "no factor column"),
    ],
)
def test_bad_factor_files_name_the_key(tmp_path, content, name, reason):
    if content is not None:
        (tmp_path / name).write_text(content, encoding="utf-8")
    with pytest.raises(ConfigError, match=r"run\.toml: study\.factors: ") as info:
        load_config(_write_config(tmp_path, f'model = "factors"\nfactors = "{name}"'))
    assert reason in str(info.value)
