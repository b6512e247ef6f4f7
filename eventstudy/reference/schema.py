"""The tables of the security master: their files, columns and checks.

The bundled snapshot lives in ``data/reference/`` (inside the wheel
``eventstudy/_data/reference/``) as UTF-8 CSV files, one per table. A live
refresh adds rows of the same shape (a *snapshot*: every row carries the
``as_of`` date it was observed and the ``source`` it came from), so that
snapshots accumulate in one store; :func:`validate_table` is the check both
the bundled files and a refresh pass through.

================  =====================================================================
table             columns
================  =====================================================================
stocks            code, exchange, kind, segment, name, list_date, list_date_source,
                  status, same_name_code, as_of, source
indices           code, name, name_en, same_as, as_of, source
boards            code, name, board_type, as_of, source
names             code, name, kind, name_type, as_of, source
members           as_of, board, symbol, source
cross_listings    code, foreign_code, listing, foreign_name, foreign_name_en, status,
                  note, as_of, source
================  =====================================================================

``as_of`` is an ISO 8601 date or month (``2026-07``, ``2022-12-31``); membership
snapshots need a full date. ``source`` is a key of ``sources.csv``, which says
where the rows came from. Empty cells mean "not recorded", never zero.

Examples
--------
>>> from eventstudy.reference.schema import COLUMNS, REFERENCE_TABLES
>>> REFERENCE_TABLES
('stocks', 'indices', 'boards', 'names', 'members', 'cross_listings')
>>> COLUMNS["members"]
('as_of', 'board', 'symbol', 'source')
"""

from __future__ import annotations

import re
from typing import Final, Literal, TypeAlias, get_args

import pandas as pd

from eventstudy.exceptions import InputDataError, SymbolError
from eventstudy.reference.names import NAME_TYPES
from eventstudy.symbols import normalize

__all__ = [
    "BOARD_TYPES",
    "COLUMNS",
    "LISTING_KINDS",
    "LISTING_STATUSES",
    "REFERENCE_DIR",
    "REFERENCE_TABLES",
    "SEGMENTS",
    "STOCK_STATUSES",
    "ReferenceTable",
    "classify_stock_code",
    "validate_table",
]

#: The tables of the security master (keys of ``load_master(extra_snapshots=...)``).
ReferenceTable: TypeAlias = Literal[
    "stocks", "indices", "boards", "names", "members", "cross_listings"
]
REFERENCE_TABLES: Final[tuple[ReferenceTable, ...]] = get_args(ReferenceTable)

#: Folder of the bundled tables inside the data folder.
REFERENCE_DIR: Final = "reference"

COLUMNS: Final[dict[ReferenceTable, tuple[str, ...]]] = {
    "stocks": (
        "code",
        "exchange",
        "kind",
        "segment",
        "name",
        "list_date",
        "list_date_source",
        "status",
        "same_name_code",
        "as_of",
        "source",
    ),
    "indices": ("code", "name", "name_en", "same_as", "as_of", "source"),
    "boards": ("code", "name", "board_type", "as_of", "source"),
    "names": ("code", "name", "kind", "name_type", "as_of", "source"),
    "members": ("as_of", "board", "symbol", "source"),
    "cross_listings": (
        "code",
        "foreign_code",
        "listing",
        "foreign_name",
        "foreign_name_en",
        "status",
        "note",
        "as_of",
        "source",
    ),
}

#: ``stocks.status``: in the newest code list, absent from it, or not covered by it.
STOCK_STATUSES: Final[dict[str, str]] = {
    "listed": "in the newest code list (names_2026, 2026-07)",
    "not_listed": "not listed in 2026-07 (delisted or renamed code); delist date live-only",
    "unknown": "B share: the newest code list covers A-shares only; status live-only",
}

#: ``stocks.segment``: main board, STAR Market (688/689), ChiNext (300-302), Beijing
#: Stock Exchange, B shares (SH 900, SZ 200/201).
SEGMENTS: Final = ("main", "star", "chinext", "bse", "b_share")

#: ``boards.board_type``: Eastmoney's board families.
BOARD_TYPES: Final = ("industry", "concept", "region", "style")

#: ``cross_listings.listing``: a Hong Kong line (H share or red chip) or a US ADR.
LISTING_KINDS: Final = ("HK", "ADR")

#: ``cross_listings.status`` of the foreign line (``renamed``: a former ticker).
LISTING_STATUSES: Final = ("listed", "delisted", "renamed")

_CODE_COLUMNS: Final[dict[ReferenceTable, tuple[str, ...]]] = {
    "stocks": ("code",),
    "indices": ("code",),
    "boards": ("code",),
    "names": ("code",),
    "members": ("board", "symbol"),
    "cross_listings": ("code", "foreign_code"),
}
_AS_OF = re.compile(r"^[0-9]{4}(-[0-9]{2}(-[0-9]{2})?)?$")
_DATE = re.compile(r"^[0-9]{4}-[0-9]{2}-[0-9]{2}$")


def _fail(table: str, what: str, bad: pd.Series) -> InputDataError:
    sample = bad.astype(str).unique()[:5].tolist()
    return InputDataError(
        f"reference table {table!r}: {what} (e.g. {sample}, {len(bad)} rows); "
        "fix the rows or the snapshot that produced them"
    )


def _check_codes(table: ReferenceTable, frame: pd.DataFrame) -> None:
    for column in _CODE_COLUMNS[table]:
        values = frame[column]
        bad = []
        for value in values.unique():
            try:
                if normalize(value) != value:
                    bad.append(value)
            except SymbolError:
                bad.append(value)
        if bad:
            raise _fail(table, f"column {column!r} holds non-canonical codes", pd.Series(bad))


def _check_values(table: ReferenceTable, frame: pd.DataFrame) -> None:
    allowed: dict[str, tuple[str, ...]] = {}
    if table == "names":
        allowed["name_type"] = NAME_TYPES
    elif table == "boards":
        allowed["board_type"] = BOARD_TYPES
    elif table == "stocks":
        allowed["status"] = tuple(STOCK_STATUSES)
        allowed["segment"] = SEGMENTS
    elif table == "cross_listings":
        allowed["listing"] = LISTING_KINDS
        allowed["status"] = LISTING_STATUSES
    for column, values in allowed.items():
        bad = frame.loc[~frame[column].isin(values), column]
        if len(bad):
            raise _fail(table, f"column {column!r} must be one of {list(values)}", bad)


def classify_stock_code(code: str) -> tuple[str, str]:
    """Exchange and segment of a 6-digit stock code, by the exchanges' code rule.

    6xxxxx Shanghai (688/689 STAR); 900xxx Shanghai B; 0/3xxxxx Shenzhen
    (300-302 ChiNext); 2xxxxx Shenzhen B; 4xxxxx, 8xxxxx and 920xxx Beijing.

    Parameters
    ----------
    code
        Six digits, e.g. ``"600519"``.

    Raises
    ------
    SymbolError
        If ``code`` is not six digits or no exchange lists stocks under it.

    Examples
    --------
    >>> classify_stock_code("688981"), classify_stock_code("300750"), classify_stock_code("920799")
    (('SH', 'star'), ('SZ', 'chinext'), ('BJ', 'bse'))
    """
    if not (isinstance(code, str) and len(code) == 6 and code.isdigit() and code.isascii()):
        raise SymbolError(f"{code!r} is not a 6-digit stock code; pass e.g. '600519'")
    head = code[0]
    if head == "6":
        return "SH", "star" if code[:3] in ("688", "689") else "main"
    if code.startswith("900"):
        return "SH", "b_share"
    if head in "03":
        return "SZ", "chinext" if code[:2] == "30" else "main"
    if head == "2":
        return "SZ", "b_share"
    if head in "48" or code.startswith("920"):
        return "BJ", "bse"
    raise SymbolError(f"{code!r}: no exchange lists stocks under this code (see the rule above)")


def validate_table(table: ReferenceTable, frame: pd.DataFrame) -> pd.DataFrame:
    """Check a table (bundled or a refresh snapshot) and return it in canonical form.

    The result has exactly the table's :data:`COLUMNS`, as strings, with
    empty strings for missing values.

    Parameters
    ----------
    table
        One of :data:`REFERENCE_TABLES`.
    frame
        The rows; extra columns are dropped.

    Raises
    ------
    InputDataError
        If a column is missing, a row lacks ``as_of`` or ``source``, an
        ``as_of`` is not an ISO date or month (membership: not a full date), a
        code is not canonical, or a categorical column holds an unknown value.

    Examples
    --------
    >>> import pandas as pd
    >>> snap = pd.DataFrame({"as_of": ["2026-07-31"], "board": ["BK0896"],
    ...                      "symbol": ["600519.SH"], "source": ["akshare_cons"]})
    >>> validate_table("members", snap).columns.tolist()
    ['as_of', 'board', 'symbol', 'source']
    >>> validate_table("members", snap.assign(as_of="2026-07"))
    Traceback (most recent call last):
    ...
    eventstudy.exceptions.InputDataError: reference table 'members': as_of must be ...
    """
    if table not in COLUMNS:
        raise InputDataError(f"unknown reference table {table!r}; use one of {REFERENCE_TABLES}")
    columns = COLUMNS[table]
    missing = [c for c in columns if c not in frame.columns]
    if missing:
        raise InputDataError(
            f"reference table {table!r} lacks columns {missing}; it needs {list(columns)}"
        )
    out = frame.loc[:, list(columns)].fillna("").astype(str).reset_index(drop=True)
    for column in ("as_of", "source"):
        empty = out.loc[out[column].str.strip() == "", column]
        if len(empty):
            raise _fail(table, f"every row needs {column!r}", empty)
    pattern, what = (_DATE, "a date YYYY-MM-DD") if table == "members" else (_AS_OF, "ISO")
    bad = out.loc[~out["as_of"].str.match(pattern), "as_of"]
    if len(bad):
        raise _fail(table, f"as_of must be {what}", bad)
    _check_codes(table, out)
    _check_values(table, out)
    return out
