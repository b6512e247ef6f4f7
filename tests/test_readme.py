"""README.md's Python quickstart runs as written (offline, on the bundled data)."""

from __future__ import annotations

import re
import warnings
from pathlib import Path

import pytest

README = Path(__file__).resolve().parents[1] / "README.md"


def _python_blocks() -> list[str]:
    return re.findall(r"```python\n(.*?)```", README.read_text(encoding="utf-8"), flags=re.S)


def test_readme_has_the_two_commands() -> None:
    text = README.read_text(encoding="utf-8")
    assert "python -m pip install -e . && eventstudy demo" in text
    assert 'python -m pip install -e ".[test,png]" && python -m pytest' in text


@pytest.mark.slow
def test_quickstart_runs(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    blocks = _python_blocks()
    assert blocks, "README.md has no python block"
    monkeypatch.setenv("EVENTSTUDY_OFFLINE", "1")
    monkeypatch.setenv("EVENTSTUDY_CACHE", str(tmp_path / "cache"))
    monkeypatch.chdir(tmp_path)
    namespace: dict[str, object] = {}
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # proxy and fallback warnings are expected here
        exec(compile(blocks[0], str(README), "exec"), namespace)
    result = namespace["result"]
    assert len(result.events) > 10  # type: ignore[attr-defined]
    assert (tmp_path / "briefing" / "briefing.html").is_file()


def test_readme_says_where_the_resampling_seed_is() -> None:
    """README's seed sentence names where the seed really is (not a column of result.tests)."""
    from eventstudy.study import run_event_study
    from tests.study.conftest import make_events, synthetic

    text = " ".join(README.read_text(encoding="utf-8").split())
    assert "the seed is in each row's" not in text
    said = 'result.test("wild_bootstrap", window=(-1, 1)).extras'
    assert said in text
    rets = synthetic(400, 6, 1)
    result = run_event_study(make_events(rets), returns=rets, market="M", seed=7, bootstrap=99,
                             tests=["wild_bootstrap"], car_windows=[(-1, 1)])  # fmt: skip
    assert "extras" not in result.tests.columns
    assert result.seed == 7
    assert eval(said, {"result": result})["seed"] == 7
