"""The notebooks in notebooks/ run end to end offline, and are committed without outputs.

Each notebook is executed with nbclient in the kernel named ``python3`` (the kernelspec
of the current environment; jupyter_client replaces its ``python`` command with
``sys.executable``, checked below), with a temporary working directory so that files a
notebook writes never land in the repository, and with ``EVENTSTUDY_OFFLINE=1`` and a
temporary cache so that no notebook can reach the network or a user's cache.
"""

from __future__ import annotations

import sys
from pathlib import Path

import nbformat
import pytest
from nbclient import NotebookClient
from nbformat.v4 import new_code_cell, new_notebook

NOTEBOOK_DIR = Path(__file__).resolve().parents[1] / "notebooks"
NOTEBOOKS = sorted(NOTEBOOK_DIR.glob("*.ipynb"))
EXPECTED = ["01_quickstart.ipynb", "02_liquor_policy_case.ipynb", "03_news_backtest.ipynb"]
CELL_TIMEOUT = 300
#: Text each notebook prints in its generated conclusion (the verdicts are code, not markdown).
GENERATED = {
    "01_quickstart": "events can be studied offline",
    "02_liquor_policy_case": "Day 0 is ",
    "03_news_backtest": "Main test, net return in excess of",
}


@pytest.fixture
def offline_env(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """A scratch working directory, offline mode and an empty cache for the kernel."""
    work = tmp_path / "work"
    work.mkdir()
    monkeypatch.setenv("EVENTSTUDY_OFFLINE", "1")
    monkeypatch.setenv("EVENTSTUDY_CACHE", str(tmp_path / "cache"))
    return work


def _execute(nb: nbformat.NotebookNode, cwd: Path) -> nbformat.NotebookNode:
    client = NotebookClient(
        nb,
        kernel_name="python3",
        timeout=CELL_TIMEOUT,
        resources={"metadata": {"path": str(cwd)}},
        allow_errors=False,
    )
    client.execute()
    return nb


def test_expected_notebooks_present() -> None:
    assert [p.name for p in NOTEBOOKS] == EXPECTED


@pytest.mark.parametrize("path", NOTEBOOKS, ids=[p.stem for p in NOTEBOOKS])
def test_committed_without_outputs(path: Path) -> None:
    nb = nbformat.read(path, as_version=4)
    nbformat.validate(nb)
    code = [c for c in nb.cells if c.cell_type == "code"]
    assert code, f"{path.name} has no code cells"
    dirty = [
        i for i, c in enumerate(code) if c.get("outputs") or c.get("execution_count") is not None
    ]
    assert dirty == [], f"{path.name}: code cells {dirty} have outputs or an execution count"
    assert nb.metadata.get("kernelspec", {}).get("name") == "python3"
    ids = [c.get("id") for c in nb.cells]
    prefix = path.name[:2] + "-"
    assert all(isinstance(i, str) and i.startswith(prefix) for i in ids), ids
    assert len(set(ids)) == len(ids)


@pytest.mark.slow
def test_kernel_is_this_interpreter(offline_env: Path) -> None:
    nb = new_notebook(
        cells=[new_code_cell("import os, sys\nprint(sys.executable)\nprint(os.getcwd())")]
    )
    out = _execute(nb, offline_env).cells[0].outputs[0]["text"].splitlines()
    assert Path(out[0]).resolve() == Path(sys.executable).resolve()
    assert Path(out[1]).resolve() == offline_env.resolve()


@pytest.mark.slow
@pytest.mark.parametrize("path", NOTEBOOKS, ids=[p.stem for p in NOTEBOOKS])
def test_notebook_runs(path: Path, offline_env: Path) -> None:
    nb = nbformat.read(path, as_version=4)
    executed = _execute(nb, offline_env)  # raises CellExecutionError on any error
    errors = [
        o
        for c in executed.cells
        if c.cell_type == "code"
        for o in c.get("outputs", [])
        if o.get("output_type") == "error"
    ]
    assert errors == []
    printed = "".join(
        o.get("text", "")
        for c in executed.cells
        if c.cell_type == "code"
        for o in c.get("outputs", [])
        if o.get("output_type") == "stream" and o.get("name") == "stdout"
    )
    assert GENERATED[path.stem] in printed
    # the repository copy is untouched (still stripped)
    assert all(not c.get("outputs") for c in nbformat.read(path, as_version=4).cells)
