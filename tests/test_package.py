"""Package hygiene: import cost, lazy heavy dependencies, public API, metadata files."""

from __future__ import annotations

import subprocess
import sys
import tomllib
from pathlib import Path

import pytest
import yaml

import eventstudy

ROOT = Path(__file__).resolve().parents[1]


def test_import_is_fast_and_light() -> None:
    code = (
        "import sys, time; t = time.perf_counter(); import eventstudy; "
        "dt = time.perf_counter() - t; "
        "heavy = sorted({m.split('.')[0] for m in sys.modules} & {'yfinance', 'akshare', "
        "'plotly', 'exchange_calendars', 'statsmodels', 'lxml', 'pandas', 'arch'}); "
        "print(dt, ','.join(heavy) or '-')"
    )
    times = []
    for _ in range(3):  # best of three: the first run may pay for a cold disk cache
        res = subprocess.run(
            [sys.executable, "-c", code], capture_output=True, text=True, check=True
        )
        seconds, heavy = res.stdout.split()
        assert heavy == "-", f"import eventstudy pulled in {heavy}"
        times.append(float(seconds))
    assert min(times) < 0.5, times


def test_lazy_public_names_resolve() -> None:
    assert eventstudy.normalize("sh600519") == "600519.SH"
    assert "load_news" in dir(eventstudy)
    with pytest.raises(AttributeError, match="no_such_name"):
        eventstudy.no_such_name  # noqa: B018


def _requirement_name(req: str) -> str:
    for sep in "<>=!~[; ":
        req = req.split(sep)[0]
    return req.strip().lower().replace("_", "-")


def test_environment_yml_lists_every_runtime_dependency() -> None:
    project = tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]
    runtime = {_requirement_name(r) for r in project["dependencies"]}
    env = yaml.safe_load((ROOT / "environment.yml").read_text())
    listed: set[str] = set()
    for dep in env["dependencies"]:
        if isinstance(dep, str):
            listed.add(_requirement_name(dep))
        else:
            listed |= {_requirement_name(p) for p in dep.get("pip", []) if not p.startswith("-e")}
    assert "conda-forge" in env["channels"]
    assert any(
        isinstance(d, dict) and any(p.startswith("-e") for p in d.get("pip", []))
        for d in env["dependencies"]
    )
    missing = sorted(runtime - listed)
    assert not missing, f"environment.yml lacks runtime dependencies {missing}"


def test_pyproject_metadata() -> None:
    meta = tomllib.loads((ROOT / "pyproject.toml").read_text())
    assert meta["project"]["name"] == "eventstudy-cn"
    assert meta["project"]["requires-python"] == ">=3.11"
    assert meta["project"]["scripts"]["eventstudy"].startswith("eventstudy.cli:")
    assert {"test", "png"} <= set(meta["project"]["optional-dependencies"])
    assert (ROOT / "eventstudy" / "py.typed").is_file()
