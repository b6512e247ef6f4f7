"""The reference store: dated snapshots of the security master, accumulated in the cache.

A live refresh (:func:`eventstudy.market.refresh.refresh_reference`, ``eventstudy
reference refresh``) writes what it observed as *snapshots*: rows of the
security-master tables (:data:`~eventstudy.reference.schema.COLUMNS`), each
with the ``as_of`` date it was observed and its ``source``. Snapshots are never
overwritten: every refresh adds files, so board membership accumulates into a
point-in-time history (``members("BK0896", as_of=...)`` picks the newest
snapshot on or before the date).

Layout: ``<cache>/reference/<table>/<as_of>T<HHMMSS>-<what>[-<part>].parquet``
(the cache folder of :func:`~eventstudy.paths.resolve_cache_dir`), one
Parquet file per snapshot with the table's columns as strings and a manifest in
its key-value metadata (key ``eventstudy_reference``)::

    {"version": 1, "table": "members", "as_of": "2026-07-31",
     "retrieved_at": "2026-07-31T15:30:02+08:00", "what": "members",
     "rows": 1234, "note": "BK0896, BK0477"}

Files are written atomically (:func:`~eventstudy.paths.write_parquet_atomic`).
Reading never touches the network. Of two snapshots of the same board on the
same day, the one retrieved later wins; a file that cannot be read is skipped
with a warning and listed as ``corrupt``.

:func:`current_master` is the master the package uses: the bundled tables of
:func:`eventstudy.reference.load_master` plus every snapshot of the store.

Point-in-time lists (:data:`LIST_TABLES`: ``st``, ``suspensions``, ``delisted``) are
stored the same way, one dated snapshot per refresh, with the columns of
:data:`LIST_COLUMNS`; they are not master tables. :meth:`ReferenceStore.list_history`
reads them back (the backtester uses the ST and suspension lists by default).

Examples
--------
>>> import pandas as pd, tempfile
>>> store = ReferenceStore(tempfile.mkdtemp())
>>> rows = pd.DataFrame({"as_of": "2026-07-31", "board": "BK0896",
...                      "symbol": ["600519.SH", "000858.SZ"], "source": "akshare_em_members"})
>>> snap = store.write("members", rows, what="members",
...                    retrieved_at=pd.Timestamp("2026-07-31 15:30", tz="Asia/Shanghai"))
>>> snap.path.relative_to(store.root).as_posix()
'members/2026-07-31T153000-members.parquet'
>>> store.master().members("BK0896").symbol.tolist()
['000858.SZ', '600519.SH']
"""

from __future__ import annotations

import json
import os
import threading
import warnings
from dataclasses import dataclass
from pathlib import Path
from typing import Final, get_args

import pandas as pd

from eventstudy._typing import ListTable
from eventstudy.exceptions import EventStudyWarning, InputDataError
from eventstudy.paths import resolve_cache_dir, write_parquet_atomic
from eventstudy.reference.master import SecurityMaster, load_master
from eventstudy.reference.schema import REFERENCE_TABLES, ReferenceTable, validate_table

__all__ = [
    "LIST_COLUMNS",
    "LIST_TABLES",
    "REFRESH_SOURCES",
    "STORE_DIR",
    "STORE_LISTING_COLUMNS",
    "ReferenceStore",
    "Snapshot",
    "current_master",
    "validate_list",
]

#: Folder of the store inside the cache folder.
STORE_DIR: Final = "reference"
#: Where refreshed rows come from: the ``source`` keys a refresh writes (the bundled keys
#: are in ``data/reference/sources.csv``).
REFRESH_SOURCES: Final[dict[str, str]] = {
    "akshare_sse": "SSE A-share code lists (主板A股, 科创板) through akshare "
    "stock_info_sh_name_code: codes, short names, list dates",
    "akshare_szse": "SZSE A-share code list (A股列表) through akshare stock_info_sz_name_code: "
    "codes, short names, list dates",
    "akshare_bse": "BSE code list through akshare stock_info_bj_name_code: codes, short names, "
    "list dates",
    "akshare_szse_renames": "SZSE short-name changes (简称变更) through akshare "
    "stock_info_sz_change_name: former names, dated the day before the change",
    "akshare_em_boards": "Eastmoney concept and industry board lists through akshare "
    "stock_board_concept_name_em / stock_board_industry_name_em",
    "akshare_em_members": "Eastmoney board members on the refresh day through akshare "
    "stock_board_concept_cons_em / stock_board_industry_cons_em",
    "akshare_em_st": "Eastmoney risk-warning board (ST, *ST) on the refresh day through akshare "
    "stock_zh_a_st_em",
    "akshare_em_suspensions": "Eastmoney suspensions (停复牌) of one day through akshare "
    "stock_tfp_em(date=...)",
    "akshare_sse_delist": "SSE delisted companies through akshare stock_info_sh_delist",
    "akshare_szse_delist": "SZSE delisted companies (终止上市公司) through akshare "
    "stock_info_sz_delist",
}
#: The point-in-time lists of the store (not master tables).
LIST_TABLES: Final[tuple[ListTable, ...]] = get_args(ListTable)
#: Columns of each point-in-time list (strings; ``""`` where unknown). ``symbol`` is
#: canonical (``600519.SH``); dates are ``YYYY-MM-DD``. Suspensions: ``start``/``end`` of
#: the suspension as Eastmoney gives them (``end`` empty: open-ended). Delisted:
#: ``delist_date`` as the exchange gives it.
LIST_COLUMNS: Final[dict[ListTable, list[str]]] = {
    "st": ["as_of", "symbol", "name", "source"],
    "suspensions": ["as_of", "symbol", "name", "start", "end", "reason", "source"],
    "delisted": ["as_of", "symbol", "name", "list_date", "delist_date", "source"],
}
#: Columns of :meth:`ReferenceStore.listing`.
STORE_LISTING_COLUMNS: Final = [
    "table",
    "as_of",
    "retrieved_at",
    "what",
    "rows",
    "note",
    "status",
    "path",
]

_META_KEY: Final = b"eventstudy_reference"
_VERSION: Final = 1
_ENTITIES: Final = ("stocks", "indices", "boards")


@dataclass(frozen=True)
class Snapshot:
    """One snapshot file of the store.

    Attributes
    ----------
    table
        The master table (or point-in-time list) its rows belong to.
    as_of
        The day the rows were observed (``YYYY-MM-DD``).
    retrieved_at
        When they were retrieved (Asia/Shanghai).
    what
        What the refresh asked for (``names``, ``renames``, ``boards``, ``members``).
    rows
        Number of rows.
    note
        Free text (for membership: the boards it covers).
    path
        The file.
    """

    table: ReferenceTable | ListTable
    as_of: str
    retrieved_at: pd.Timestamp
    what: str
    rows: int
    note: str
    path: Path


class ReferenceStore:
    """The snapshot store in a cache folder (created on first write).

    Parameters
    ----------
    cache_dir
        The cache folder (default: ``$EVENTSTUDY_CACHE``, else the user cache
        folder); the store is its ``reference/`` subfolder.

    Examples
    --------
    >>> import tempfile
    >>> store = ReferenceStore(tempfile.mkdtemp())
    >>> store.listing().empty, store.root.name
    (True, 'reference')
    """

    def __init__(self, cache_dir: str | os.PathLike[str] | None = None) -> None:
        self.root = resolve_cache_dir(cache_dir) / STORE_DIR

    def __repr__(self) -> str:
        return f"ReferenceStore({str(self.root)!r})"

    # -- writing -------------------------------------------------------------------------

    def write(
        self,
        table: ReferenceTable | ListTable,
        frame: pd.DataFrame,
        *,
        what: str,
        retrieved_at: pd.Timestamp,
        part: int | None = None,
        note: str = "",
    ) -> Snapshot:
        """Add one snapshot of ``table`` (validated first); never replaces a file.

        Parameters
        ----------
        table
            One of :data:`~eventstudy.reference.schema.REFERENCE_TABLES` or of
            :data:`LIST_TABLES`.
        frame
            Rows with that table's columns (:data:`LIST_COLUMNS` for a list); every
            ``as_of`` must be the same day.
        what
            What was refreshed (goes into the file name and the manifest).
        retrieved_at
            When the rows were retrieved (a timezone-aware timestamp).
        part
            Part number, for a refresh written in chunks.
        note
            Free text kept in the manifest.

        Raises
        ------
        InputDataError
            If the rows fail validation, are empty, or span several days.
        CacheError
            If the folder cannot be written.

        Examples
        --------
        >>> import pandas as pd, tempfile
        >>> store = ReferenceStore(tempfile.mkdtemp())
        >>> rows = pd.DataFrame({"code": ["BK0896"], "name": ["白酒"], "board_type": ["concept"],
        ...                      "as_of": ["2026-07-31"], "source": ["akshare_em_boards"]})
        >>> stamp = pd.Timestamp("2026-07-31 09:00", tz="Asia/Shanghai")
        >>> a = store.write("boards", rows, what="boards", retrieved_at=stamp)
        >>> b = store.write("boards", rows, what="boards", retrieved_at=stamp)
        >>> a.path.name, b.path.name
        ('2026-07-31T090000-boards.parquet', '2026-07-31T090000-boards-1.parquet')
        """
        import pyarrow as pa

        rows = _validate(table, frame)
        days = sorted(set(rows["as_of"]))
        if not days or len(days) > 1:
            raise InputDataError(
                f"a {table} snapshot needs rows observed on one day; got as_of {days[:5]}"
            )
        stamp = pd.Timestamp(retrieved_at).tz_convert("Asia/Shanghai")
        meta = {
            "version": _VERSION,
            "table": table,
            "as_of": days[0],
            "retrieved_at": stamp.isoformat(),
            "what": what,
            "rows": len(rows),
            "note": note,
        }
        stem = f"{days[0]}T{stamp:%H%M%S}-{what}" + (f"-{part:03d}" if part is not None else "")
        folder = self.root / table
        path = folder / f"{stem}.parquet"
        n = 0
        while path.exists():
            n += 1
            path = folder / f"{stem}-{n}.parquet"
        arrow = pa.Table.from_pandas(rows, preserve_index=False)
        arrow = arrow.replace_schema_metadata({_META_KEY: json.dumps(meta).encode()})
        write_parquet_atomic(path, arrow, what="reference snapshot")
        return Snapshot(table, days[0], stamp, what, len(rows), note, path)

    # -- reading -------------------------------------------------------------------------

    def _files(self, tables: tuple[str, ...] = REFERENCE_TABLES) -> list[Path]:
        if not self.root.is_dir():
            return []
        return sorted(p for t in tables for p in (self.root / t).glob("*.parquet") if p.is_file())

    @staticmethod
    def _read(path: Path) -> tuple[Snapshot, pd.DataFrame]:
        import pyarrow.parquet as pq

        table = pq.read_table(path)
        meta = json.loads((table.schema.metadata or {})[_META_KEY])
        if meta.get("version") != _VERSION or int(meta["rows"]) != table.num_rows:
            raise ValueError(f"manifest {meta} does not match the file ({table.num_rows} rows)")
        frame = _validate(meta["table"], table.to_pandas())
        snap = Snapshot(
            table=meta["table"],
            as_of=str(meta["as_of"]),
            retrieved_at=pd.Timestamp(meta["retrieved_at"]),
            what=str(meta["what"]),
            rows=int(meta["rows"]),
            note=str(meta.get("note", "")),
            path=path,
        )
        return snap, frame

    def snapshots(
        self, tables: tuple[str, ...] = REFERENCE_TABLES
    ) -> list[tuple[Snapshot, pd.DataFrame]]:
        """Every readable snapshot with its rows, oldest retrieval first.

        A file that cannot be read (torn, tampered, not a snapshot) is skipped
        with an :class:`~eventstudy.exceptions.EventStudyWarning`.

        Parameters
        ----------
        tables
            Which tables (default: the master tables; :data:`LIST_TABLES` for the lists).

        Examples
        --------
        >>> import tempfile
        >>> ReferenceStore(tempfile.mkdtemp()).snapshots()
        []
        """
        out = []
        for path in self._files(tables):
            try:
                out.append(self._read(path))
            except Exception as err:  # pyarrow/JSON/validation errors: never fatal here
                warnings.warn(
                    f"reference snapshot {path} skipped: it cannot be read ({err}); delete it "
                    "or refresh again",
                    EventStudyWarning,
                    stacklevel=2,
                )
        out.sort(key=lambda pair: (pair[0].retrieved_at, pair[0].path.name))
        return out

    def listing(self) -> pd.DataFrame:
        """One row per file: the columns of :data:`STORE_LISTING_COLUMNS`.

        ``status`` is ``ok`` or ``corrupt`` (unreadable files are listed, not raised).

        Examples
        --------
        >>> import tempfile
        >>> ReferenceStore(tempfile.mkdtemp()).listing().columns.tolist()[:4]
        ['table', 'as_of', 'retrieved_at', 'what']
        """
        rows = []
        for path in self._files((*REFERENCE_TABLES, *LIST_TABLES)):
            try:
                snap, _ = self._read(path)
            except Exception:  # listed as corrupt, never raised
                rows.append([path.parent.name, "", pd.NaT, "", 0, "", "corrupt", str(path)])
                continue
            rows.append(
                [
                    snap.table,
                    snap.as_of,
                    snap.retrieved_at,
                    snap.what,
                    snap.rows,
                    snap.note,
                    "ok",
                    str(path),
                ]
            )
        frame = pd.DataFrame(rows, columns=STORE_LISTING_COLUMNS)
        return frame.sort_values(["table", "as_of", "path"], kind="stable").reset_index(drop=True)

    def list_history(self, table: ListTable) -> pd.DataFrame:
        """Every stored snapshot of a point-in-time list, one observation day each.

        Of several snapshots of one day, the one retrieved last is kept whole.
        Reading never touches the network.

        Parameters
        ----------
        table
            One of :data:`LIST_TABLES`.

        Returns
        -------
        pandas.DataFrame
            The columns of :data:`LIST_COLUMNS`, sorted by ``as_of`` then ``symbol``;
            empty (with those columns) when the store has no such snapshot.

        Raises
        ------
        ValueError
            For a table that is not a list.

        Examples
        --------
        >>> import pandas as pd, tempfile
        >>> store = ReferenceStore(tempfile.mkdtemp())
        >>> rows = pd.DataFrame({"as_of": "2026-07-31", "symbol": ["600200.SH"],
        ...                      "name": ["*ST江苏"], "source": "akshare_em_st"})
        >>> _ = store.write("st", rows, what="st",
        ...                 retrieved_at=pd.Timestamp("2026-07-31 16:00", tz="Asia/Shanghai"))
        >>> store.list_history("st")[["as_of", "symbol"]].values.tolist()
        [['2026-07-31', '600200.SH']]
        """
        if table not in LIST_TABLES:
            raise ValueError(f"table={table!r}; choose one of {list(LIST_TABLES)}")
        newest: dict[str, pd.DataFrame] = {}
        for snap, frame in self.snapshots((table,)):  # oldest retrieval first: last one wins
            newest[snap.as_of] = frame
        if not newest:
            return pd.DataFrame({c: pd.Series(dtype=str) for c in LIST_COLUMNS[table]})
        rows = pd.concat(list(newest.values()), ignore_index=True)
        return rows.sort_values(["as_of", "symbol"], kind="stable").reset_index(drop=True)

    def tables(self) -> list[tuple[ReferenceTable, pd.DataFrame]]:
        """The snapshots as ``(table, rows)`` pairs for ``load_master(extra_snapshots=...)``.

        One pair per table that has snapshots, in the order of
        :data:`~eventstudy.reference.schema.REFERENCE_TABLES`, rows oldest
        first. Membership: of several snapshots of a board on one day, only
        the one retrieved last is kept. Stocks, indices and boards: for each
        code, the first observation, every change of name, and the newest
        observation (unchanged repeats carry no information).

        Examples
        --------
        >>> import pandas as pd, tempfile
        >>> store = ReferenceStore(tempfile.mkdtemp())
        >>> rows = pd.DataFrame({"as_of": "2026-07-31", "board": "BK0896",
        ...                      "symbol": ["600519.SH"], "source": "akshare_em_members"})
        >>> _ = store.write("members", rows, what="members",
        ...                 retrieved_at=pd.Timestamp("2026-07-31 15:00", tz="Asia/Shanghai"))
        >>> [(table, len(frame)) for table, frame in store.tables()]
        [('members', 1)]
        """
        by_table: dict[str, list[pd.DataFrame]] = {}
        for rank, (snap, frame) in enumerate(self.snapshots()):
            by_table.setdefault(snap.table, []).append(frame.assign(_rank=rank))
        out: list[tuple[ReferenceTable, pd.DataFrame]] = []
        for table in REFERENCE_TABLES:
            if table not in by_table:
                continue
            rows = pd.concat(by_table[table], ignore_index=True)
            if table == "members":
                newest = rows.groupby(["board", "as_of"])["_rank"].transform("max")
                rows = rows[rows["_rank"] == newest]
            elif table in _ENTITIES:
                rows = _changes(rows)
            out.append((table, rows.drop(columns="_rank").reset_index(drop=True)))
        return out

    def master(self) -> SecurityMaster:
        """The bundled master plus every snapshot of this store (no network).

        Examples
        --------
        >>> import tempfile
        >>> from eventstudy.reference import load_master
        >>> ReferenceStore(tempfile.mkdtemp()).master() is load_master()
        True
        """
        tables = self.tables()
        return load_master(extra_snapshots=tables) if tables else load_master()

    def signature(self) -> tuple[tuple[str, int, int], ...]:
        """Names, sizes and modification times of the files (what :func:`current_master`
        remembers)."""
        out = []
        for path in self._files():
            try:
                st = path.stat()
            except OSError:
                continue
            out.append((str(path), st.st_size, st.st_mtime_ns))
        return tuple(out)


def validate_list(table: ListTable, frame: pd.DataFrame) -> pd.DataFrame:
    """Check the rows of a point-in-time list and return them in canonical form.

    Parameters
    ----------
    table
        One of :data:`LIST_TABLES`.
    frame
        The rows, with the columns of :data:`LIST_COLUMNS` (extra columns are dropped).

    Returns
    -------
    pandas.DataFrame
        Exactly the list's columns, as strings (``""`` for missing values).

    Raises
    ------
    InputDataError
        If a column is missing, a symbol is not canonical (``600519.SH``), an
        ``as_of`` is not an ISO date, or a row has no ``source``.

    Examples
    --------
    >>> rows = pd.DataFrame({"as_of": ["2026-07-31"], "symbol": ["600200"], "name": ["*ST江苏"],
    ...                      "source": ["akshare_em_st"]})
    >>> validate_list("st", rows)
    Traceback (most recent call last):
    ...
    eventstudy.exceptions.InputDataError: list 'st': symbols must be canonical ...
    """
    if table not in LIST_TABLES:
        raise InputDataError(f"table={table!r} is not a list; choose one of {list(LIST_TABLES)}")
    columns = LIST_COLUMNS[table]
    missing = [c for c in columns if c not in frame.columns]
    if missing:
        raise InputDataError(
            f"list {table!r}: columns {missing} are missing (have {list(frame.columns)})"
        )
    rows = frame[columns].fillna("").astype(str).reset_index(drop=True)
    bad = rows.loc[~rows["symbol"].str.fullmatch(r"\d{6}\.(SH|SZ|BJ)"), "symbol"]
    if len(bad):
        raise InputDataError(
            f"list {table!r}: symbols must be canonical (600519.SH); got {bad.tolist()[:5]}"
        )
    bad = rows.loc[~rows["as_of"].str.fullmatch(r"\d{4}-\d{2}-\d{2}"), "as_of"]
    if len(bad):
        raise InputDataError(
            f"list {table!r}: as_of must be an ISO date (2026-07-31); got {bad.tolist()[:5]}"
        )
    if rows["source"].eq("").any():
        raise InputDataError(f"list {table!r}: every row needs a source")
    return rows


def _validate(table: str, frame: pd.DataFrame) -> pd.DataFrame:
    """A master table through ``validate_table``, a list through :func:`validate_list`."""
    if table in LIST_TABLES:
        return validate_list(table, frame)
    return validate_table(table, frame)  # type: ignore[arg-type]


def _changes(rows: pd.DataFrame) -> pd.DataFrame:
    """Per code: the first row, rows whose name differs from the code's previous row, the last."""
    ordered = rows.sort_values(["code", "as_of", "_rank"], kind="stable")
    same_code = ordered["code"].eq(ordered["code"].shift())
    changed = ~same_code | ordered["name"].ne(ordered["name"].shift())
    last = ~ordered["code"].eq(ordered["code"].shift(-1))
    kept = ordered[changed | last]
    return kept.sort_values("_rank", kind="stable")


_MEMO: dict[str, tuple[tuple[tuple[str, int, int], ...], SecurityMaster]] = {}
_MEMO_LOCK = threading.Lock()


def current_master(cache_dir: str | os.PathLike[str] | None = None) -> SecurityMaster:
    """The security master the package uses: bundled tables plus the store's snapshots.

    Offline by construction: the store is read, never refreshed. The result is
    remembered per store until a snapshot is added or removed.

    Parameters
    ----------
    cache_dir
        The cache folder of the store (default: ``$EVENTSTUDY_CACHE``, else the
        user cache folder).

    Examples
    --------
    >>> import tempfile
    >>> m = current_master(tempfile.mkdtemp())
    >>> m.lookup("茅台").code.iloc[0]
    '600519.SH'
    """
    store = ReferenceStore(cache_dir)
    signature = store.signature()
    key = str(store.root)
    with _MEMO_LOCK:
        hit = _MEMO.get(key)
        if hit is not None and hit[0] == signature:
            return hit[1]
    master = store.master()
    with _MEMO_LOCK:
        _MEMO[key] = (signature, master)
    return master
