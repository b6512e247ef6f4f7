"""The tagger's reviewed word lists: aliases, blockers, everyday words and context words.

The security master (:mod:`eventstudy.reference`) gives every name of every
stock, index and board. What a name *means in a sentence* is kept here, as
reviewed data in ``data/reference/`` (one row per entry, each with a
``source`` saying where it comes from and a ``note`` saying why), never in code:

=================== =========================================== ==========================
file                one row per                                 columns
=================== =========================================== ==========================
board_aliases.csv   another way news names a board: old and     code, alias, strength,
                    new industry names, concept → board,        source, note
                    common sector words (军工 → BK0480)
short_names.csv     a short form of a stock or index name       code, alias, source, note
                    (茅台 → 600519.SH, 大盘 → 000001.SH)
blockers.csv        a longer word that contains a name but      word, contains, source,
                    does not name it (证券时报, 比亚迪电子)     note
common_words.csv    a name that is an everyday word and is      name, source, note
                    not matched alone (银行, 农产品)
source_names.csv    a broker, medium or data vendor that is     name, role, source, note
                    usually the *source* of a story
context_words.csv   a word that changes what a nearby name      word, type, source, note
                    means (认为, 港股, ETF, 相关报道)
=================== =========================================== ==========================

``strength`` of a board alias is ``direct`` (another name of the board: 军工,
券商, 光伏) or ``related`` (a word about the sector's business: 购置税, 生猪,
纯碱), which counts half. ``type`` of a context word is one of
:data:`CONTEXT_TYPES` (see :mod:`eventstudy.news.context` for the rules).

Examples
--------
>>> lex = load_lexicon()
>>> lex.table("board_aliases").set_index("alias").loc["军工", "code"]
'BK0480'
>>> "证券时报" in set(lex.table("blockers")["word"])
True
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import Final, Literal, TypeAlias, get_args

import pandas as pd

from eventstudy.datasets import data_dir
from eventstudy.exceptions import DataUnavailableError, InputDataError, SymbolError
from eventstudy.symbols import parse_symbol

__all__ = [
    "ALIAS_STRENGTHS",
    "CONTEXT_TYPES",
    "LEXICON_COLUMNS",
    "LEXICON_TABLES",
    "SOURCE_ROLES",
    "AliasStrength",
    "ContextType",
    "Lexicon",
    "LexiconTable",
    "SourceRole",
    "load_lexicon",
]

LexiconTable: TypeAlias = Literal[
    "board_aliases", "short_names", "blockers", "common_words", "source_names", "context_words"
]
#: The tables of a :class:`Lexicon` (file ``data/reference/<table>.csv``).
LEXICON_TABLES: Final[tuple[LexiconTable, ...]] = get_args(LexiconTable)
#: Columns of each table, in file order.
LEXICON_COLUMNS: Final[dict[LexiconTable, tuple[str, ...]]] = {
    "board_aliases": ("code", "alias", "strength", "source", "note"),
    "short_names": ("code", "alias", "source", "note"),
    "blockers": ("word", "contains", "source", "note"),
    "common_words": ("name", "source", "note"),
    "source_names": ("name", "role", "source", "note"),
    "context_words": ("word", "type", "source", "note"),
}

AliasStrength: TypeAlias = Literal["direct", "related"]
#: ``direct``: another name of the board; ``related``: a word about its business (counts half).
ALIAS_STRENGTHS: Final[tuple[AliasStrength, ...]] = get_args(AliasStrength)

SourceRole: TypeAlias = Literal["broker", "media", "data"]
#: What a source name is: a broker (its research is quoted), a medium, a data vendor.
SOURCE_ROLES: Final[tuple[SourceRole, ...]] = get_args(SourceRole)

ContextType: TypeAlias = Literal[
    "speech",
    "source_prefix",
    "attribution",
    "market",
    "market_override",
    "related_heading",
    "product",
    "organisation",
    "source_suffix",
]
#: Types of context words (what each does: :mod:`eventstudy.news.context`).
CONTEXT_TYPES: Final[tuple[ContextType, ...]] = get_args(ContextType)

_ALLOWED: Final[dict[tuple[LexiconTable, str], tuple[str, ...]]] = {
    ("board_aliases", "strength"): ALIAS_STRENGTHS,
    ("source_names", "role"): SOURCE_ROLES,
    ("context_words", "type"): CONTEXT_TYPES,
}
#: The column holding the word of each table (non-empty, unique with its code/type).
_WORD: Final[dict[LexiconTable, str]] = {
    "board_aliases": "alias",
    "short_names": "alias",
    "blockers": "word",
    "common_words": "name",
    "source_names": "name",
    "context_words": "word",
}


def _check_codes(name: LexiconTable, frame: pd.DataFrame) -> None:
    for i, code in enumerate(frame["code"]):
        try:
            canon = parse_symbol(code).canonical
        except SymbolError as err:
            raise InputDataError(f"{name} row {i}: code {code!r} is not a symbol ({err})") from None
        if canon != code:
            raise InputDataError(f"{name} row {i}: write the code {code!r} as {canon!r}")
        if name == "board_aliases" and not code.startswith("BK"):
            raise InputDataError(f"board_aliases row {i}: {code!r} is not a board code (BKxxxx)")


def _check_values(name: LexiconTable, out: pd.DataFrame) -> None:
    """Every row has a word and a source; listed columns hold allowed values."""
    for col in (_WORD[name], "source"):
        empty = out.index[out[col] == ""]
        if len(empty):
            raise InputDataError(f"{name} row {empty[0]}: empty {col}; every row needs one")
    for (table, col), allowed in _ALLOWED.items():
        if table == name:
            bad = out.index[~out[col].isin(allowed)]
            if len(bad):
                value = out.loc[bad[0], col]
                raise InputDataError(
                    f"{name} row {bad[0]}: {col} {value!r} must be one of {allowed}"
                )


def validate_lexicon_table(name: LexiconTable, frame: pd.DataFrame) -> pd.DataFrame:
    """Check one lexicon table and return it with string columns, stripped.

    Raises
    ------
    InputDataError
        Naming the table, the row and what is wrong: a missing column, an empty
        word or source, a value outside the allowed list, a code that is not
        canonical, a blocker that does not contain its name, a duplicate row.

    Examples
    --------
    >>> row = pd.DataFrame([{"code": "BK0480", "alias": "军工", "strength": "strong",
    ...                      "source": "x", "note": ""}])
    >>> validate_lexicon_table("board_aliases", row)  # doctest: +ELLIPSIS
    Traceback (most recent call last):
    ...
    eventstudy.exceptions.InputDataError: board_aliases row 0: strength 'strong' must be one of ...
    """
    if name not in LEXICON_COLUMNS:
        raise InputDataError(f"unknown lexicon table {name!r}; use one of {LEXICON_TABLES}")
    columns = LEXICON_COLUMNS[name]
    missing = [c for c in columns if c not in frame.columns]
    if missing:
        raise InputDataError(f"{name}: missing columns {missing}; the columns are {columns}")
    out = frame[list(columns)].fillna("").astype(str).apply(lambda s: s.str.strip())
    word = _WORD[name]
    _check_values(name, out)
    if "code" in out.columns:
        _check_codes(name, out)
    if name == "blockers":
        for i, (w, inner) in enumerate(zip(out["word"], out["contains"], strict=True)):
            if not inner or inner not in w or inner == w:
                raise InputDataError(
                    f"blockers row {i}: {w!r} must contain the shorter name {inner!r}"
                )
    keys = [c for c in ("code", word, "type") if c in out.columns]
    dup = out.index[out.duplicated(keys)]
    if len(dup):
        raise InputDataError(f"{name} row {dup[0]}: duplicate of an earlier row ({keys})")
    return out.reset_index(drop=True)


@dataclass(frozen=True)
class Lexicon:
    """The reviewed word lists a :class:`~eventstudy.news.Tagger` is built from.

    Build it with :func:`load_lexicon`; add rows with :meth:`with_rows` (which
    returns a new ``Lexicon``).

    Examples
    --------
    >>> lex = load_lexicon()
    >>> more = lex.with_rows("board_aliases", [{"code": "BK0896", "alias": "次高端",
    ...                       "strength": "direct", "source": "my review", "note": ""}])
    >>> len(more.table("board_aliases")) - len(lex.table("board_aliases"))
    1
    """

    tables: Mapping[LexiconTable, pd.DataFrame]

    def table(self, name: LexiconTable) -> pd.DataFrame:
        """A copy of one table (columns: :data:`LEXICON_COLUMNS`).

        Examples
        --------
        >>> load_lexicon().table("blockers").columns.tolist()
        ['word', 'contains', 'source', 'note']
        """
        if name not in self.tables:
            raise InputDataError(f"unknown lexicon table {name!r}; use one of {LEXICON_TABLES}")
        return self.tables[name].copy()

    def with_rows(self, name: LexiconTable, rows: pd.DataFrame | list[dict[str, str]]) -> Lexicon:
        """A new lexicon with ``rows`` appended to table ``name`` (validated).

        ``note`` may be left out; every other column is required.

        Raises
        ------
        InputDataError
            If the table with the new rows fails :func:`validate_lexicon_table`.

        Examples
        --------
        >>> lex = load_lexicon().with_rows("blockers", [{"word": "茅台镇", "contains": "茅台",
        ...                                             "source": "my review"}])
        >>> "茅台镇" in lex.words("blockers"), "茅台镇" in load_lexicon().words("blockers")
        (True, False)
        """
        frame = pd.DataFrame(rows)
        if "note" not in frame.columns:
            frame = frame.assign(note="")
        both = pd.concat([self.tables[name], frame], ignore_index=True)
        tables = dict(self.tables)
        tables[name] = validate_lexicon_table(name, both)
        return Lexicon(tables)

    def words(self, name: LexiconTable, **where: str) -> list[str]:
        """The word column of table ``name``, filtered by ``column=value`` pairs.

        Examples
        --------
        >>> load_lexicon().words("context_words", type="market")[:3]
        ['港股', '美股', '港美']
        """
        frame = self.tables[name]
        for col, value in where.items():
            frame = frame[frame[col] == value]
        return frame[_WORD[name]].tolist()


def read_lexicon(folder: Path) -> Lexicon:
    """Read and validate the six tables from ``folder`` (``<table>.csv`` each).

    Raises
    ------
    DataUnavailableError
        If a file is missing.
    InputDataError
        If a table fails :func:`validate_lexicon_table`.

    Examples
    --------
    >>> from eventstudy.datasets import data_dir
    >>> len(read_lexicon(data_dir() / "reference").table("short_names")) > 30
    True
    """
    tables: dict[LexiconTable, pd.DataFrame] = {}
    for name in LEXICON_TABLES:
        path = folder / f"{name}.csv"
        if not path.is_file():
            raise DataUnavailableError(
                f"tagger word list {path} is missing; reinstall the package or restore the file"
            )
        raw = pd.read_csv(path, dtype=str, keep_default_na=False, encoding="utf-8")
        try:
            tables[name] = validate_lexicon_table(name, raw)
        except InputDataError as err:
            raise InputDataError(f"{path}: {err}") from None
    return Lexicon(tables)


@lru_cache(maxsize=1)
def _bundled() -> Lexicon:
    return read_lexicon(data_dir() / "reference")


def load_lexicon(folder: str | Path | None = None) -> Lexicon:
    """The tagger's word lists: the bundled ones (cached), or those in ``folder``.

    Parameters
    ----------
    folder
        A folder with the six ``<table>.csv`` files (:data:`LEXICON_TABLES`);
        default: the bundled ``data/reference``.

    Examples
    --------
    >>> lex = load_lexicon()
    >>> sorted(lex.tables) == sorted(LEXICON_TABLES)
    True
    >>> load_lexicon() is lex
    True
    """
    if folder is None:
        return _bundled()
    return read_lexicon(Path(folder))
