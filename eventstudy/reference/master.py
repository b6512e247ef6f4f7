"""The security master: every A-share, the main indices, Eastmoney boards, names and membership.

A read-only, in-memory view of the tables in ``data/reference/`` (see
:mod:`eventstudy.reference.schema` and ``data/README.md``), loaded on first
use by :func:`load_master`. Snapshots that a live refresh writes (rows of the
same tables with a newer ``as_of``) are layered on top with
:meth:`SecurityMaster.with_snapshot` or ``load_master(extra_snapshots=...)``:
the newest row of a code gives its current name, older names become former
names, and membership snapshots accumulate for point-in-time queries.

Examples
--------
>>> from eventstudy.reference import load_master
>>> master = load_master()
>>> master.lookup("茅台")[["code", "name", "kind", "match"]]
        code  name   kind     match
0  600519.SH  贵州茅台  stock  contains
>>> master.security("601127.SH").former_names
('小康股份',)
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import Final, Literal, TypeAlias, get_args

import numpy as np
import pandas as pd

from eventstudy._typing import DateLike, SymbolKind
from eventstudy.datasets import data_dir
from eventstudy.exceptions import (
    AmbiguousSymbolError,
    DataUnavailableError,
    InputDataError,
    SymbolError,
    UnknownSymbolError,
)
from eventstudy.reference.names import NAME_TYPES, base_name, name_key, name_variants
from eventstudy.reference.schema import (
    COLUMNS,
    REFERENCE_DIR,
    REFERENCE_TABLES,
    ReferenceTable,
    validate_table,
)
from eventstudy.symbols import normalize, parse_symbol

__all__ = ["MATCH_TYPES", "MatchType", "Security", "SecurityMaster", "load_master"]

#: How a :meth:`SecurityMaster.lookup` row matched, best first: the query is the
#: code, equals a name, equals a name once ST/退 markers are stripped from both,
#: starts a name, or occurs inside one.
MatchType: TypeAlias = Literal["code", "exact", "base", "prefix", "contains"]
MATCH_TYPES: Final[tuple[MatchType, ...]] = get_args(MatchType)

_KINDS: Final[tuple[SymbolKind, ...]] = get_args(SymbolKind)
_ENTITY_KIND: Final[dict[str, SymbolKind]] = {
    "stocks": "stock",
    "indices": "index",
    "boards": "board",
}
_LOOKUP_COLUMNS: Final = ["code", "name", "kind", "match", "matched", "name_type"]
_MEMBER_COLUMNS: Final = ["board", "symbol", "name", "snapshot", "look_ahead", "source"]
_BOARDS_OF_COLUMNS: Final = ["board", "name", "board_type", "snapshot", "look_ahead", "source"]


@dataclass(frozen=True, slots=True)
class Security:
    """What the master knows about one code.

    Parameters
    ----------
    code
        Canonical code: ``600519.SH``, ``000300.SH``, ``BK0896``, ``02318.HK``.
    kind
        ``stock``, ``index``, ``board`` or ``foreign``.
    name
        Current name (as the newest source writes it, e.g. ``万  科Ａ``).
    market
        ``SH``, ``SZ``, ``BJ``, ``BOARD``, ``HK`` or ``US``.
    former_names, aliases
        Other names: former official names; hand-entered aliases and news link text.
    segment, list_date, status
        Stocks only (``None`` otherwise or when not recorded); see ``data/README.md``.
    board_type
        Boards only: ``industry``, ``concept``, ``region`` or ``style``.
    as_of, source
        When and where the current name was recorded (a key of ``sources.csv``).

    Examples
    --------
    >>> from eventstudy.reference import load_master
    >>> s = load_master().security("BK0896")
    >>> s.name, s.kind, s.board_type
    ('白酒', 'board', 'concept')
    """

    code: str
    kind: SymbolKind
    name: str
    market: str
    former_names: tuple[str, ...]
    aliases: tuple[str, ...]
    segment: str | None
    board_type: str | None
    list_date: str | None
    status: str | None
    as_of: str
    source: str


def _read_table(folder: Path, table: ReferenceTable) -> pd.DataFrame:
    path = folder / f"{table}.csv"
    if not path.is_file():
        raise DataUnavailableError(
            f"security master table {path} is missing; reinstall the package or rebuild it "
            "with python data/build_reference.py"
        )
    return pd.read_csv(path, dtype=str, keep_default_na=False)


def _latest(frame: pd.DataFrame, keys: list[str]) -> pd.DataFrame:
    """The newest row per key (ties: the row added last)."""
    order = frame.reset_index(drop=True).reset_index(names="_order")
    order = order.sort_values(["as_of", "_order"], kind="stable")
    return order.drop_duplicates(keys, keep="last").drop(columns="_order")


def _session_day(value: DateLike) -> pd.Timestamp:
    try:
        stamp = pd.Timestamp(value)
    except (TypeError, ValueError) as err:
        raise InputDataError(
            f"as_of={value!r} is not a date; pass e.g. '2022-01-10' or a pandas Timestamp"
        ) from err
    if stamp is pd.NaT:
        raise InputDataError(f"as_of={value!r} is not a date; pass e.g. '2022-01-10'")
    if stamp.tzinfo is not None:
        stamp = stamp.tz_convert("Asia/Shanghai").tz_localize(None)
    return stamp.normalize()


def _with_variants(rows: pd.DataFrame) -> pd.DataFrame:
    """Add the derived variant/base rows of ``rows`` (a names table)."""
    derived = [
        {**row, "name": variant, "name_type": vtype, "source": "derived"}
        for row in rows.to_dict("records")
        for variant, vtype in name_variants(str(row["name"]))
    ]
    extra = pd.DataFrame(derived, columns=list(COLUMNS["names"]))
    return pd.concat([rows, extra], ignore_index=True) if len(extra) else rows


def _dedupe_names(names: pd.DataFrame) -> pd.DataFrame:
    """One row per (code, name): the best name type, then the newest observation."""
    rank = names["name_type"].map({t: i for i, t in enumerate(NAME_TYPES)})
    ordered = names.assign(_rank=rank).sort_values(
        ["code", "_rank", "as_of"], ascending=[True, True, False], kind="stable"
    )
    return ordered.drop_duplicates(["code", "name"]).drop(columns="_rank").reset_index(drop=True)


def _renamed(names: pd.DataFrame, entities: pd.DataFrame, kind: SymbolKind) -> pd.DataFrame:
    """Names after entity rows (all snapshots of the affected codes) were added.

    The newest row of a code gives its ``name``; every other name that was a
    ``name`` becomes ``former``; names of other types are kept.
    """
    codes = set(entities["code"])
    affected = names["code"].isin(codes)
    kept = names[affected].copy()
    kept.loc[kept["name_type"] == "name", "name_type"] = "former"
    current = _latest(entities, ["code"])
    rows = []
    for frame, name_type in ((current, "name"), (entities, "former")):
        rows.append(
            pd.DataFrame(
                {
                    "code": frame["code"],
                    "name": frame["name"],
                    "kind": kind,
                    "name_type": name_type,
                    "as_of": frame["as_of"],
                    "source": frame["source"],
                }
            )
        )
    fresh = _with_variants(pd.concat(rows, ignore_index=True))
    merged = _dedupe_names(pd.concat([fresh, kept], ignore_index=True))
    return pd.concat([names[~affected], merged], ignore_index=True)


class SecurityMaster:
    """Read-only security master: names, codes, boards, membership, cross-listings.

    Build one with :func:`load_master` (the bundled snapshot, cached) or
    :meth:`from_frames`; add a refresh snapshot with :meth:`with_snapshot`.

    Parameters
    ----------
    tables
        One validated frame per table of :data:`~eventstudy.reference.schema.REFERENCE_TABLES`.

    Examples
    --------
    >>> from eventstudy.reference import load_master
    >>> master = load_master()
    >>> master.lookup("万  科Ａ").code.iloc[0], master.lookup("小康股份").code.iloc[0]
    ('000002.SZ', '601127.SH')
    """

    def __init__(self, tables: Mapping[ReferenceTable, pd.DataFrame]) -> None:
        missing = [t for t in REFERENCE_TABLES if t not in tables]
        if missing:
            raise InputDataError(f"SecurityMaster needs every table; missing {missing}")
        self._tables: dict[ReferenceTable, pd.DataFrame] = {t: tables[t] for t in REFERENCE_TABLES}
        self._current = {
            t: _latest(self._tables[t], ["code"]).set_index("code", drop=False)
            for t in ("stocks", "indices", "boards")
        }
        self._xlist = _latest(self._tables["cross_listings"], ["code", "foreign_code"])
        names = self._tables["names"]
        self._names = names.assign(key=names["name"].map(name_key)).reset_index(drop=True)
        self._base_keys = self._names["key"].map(base_name)
        self._names["_type_rank"] = self._names["name_type"].map(
            {t: i for i, t in enumerate(NAME_TYPES)}
        )
        self._names["_kind_rank"] = self._names["kind"].map({k: i for i, k in enumerate(_KINDS)})
        self._display = self._display_names()
        members = self._tables["members"]
        self._members = members.assign(snapshot=pd.to_datetime(members["as_of"]))
        self._snapshots: dict[str, list[pd.Timestamp]] = {
            str(board): sorted(group.unique())
            for board, group in self._members.groupby("board")["snapshot"]
        }

    # --- construction -------------------------------------------------------------------

    @classmethod
    def from_frames(
        cls,
        *,
        stocks: pd.DataFrame,
        indices: pd.DataFrame,
        boards: pd.DataFrame,
        names: pd.DataFrame,
        members: pd.DataFrame,
        cross_listings: pd.DataFrame,
    ) -> SecurityMaster:
        """Build a master from frames of the documented shape (each is validated).

        This is the hook for stores other than the bundled files: a cache of
        dated snapshots, or a researcher's own tables.

        Parameters
        ----------
        stocks, indices, boards, names, members, cross_listings
            One frame per table with the columns of
            :data:`~eventstudy.reference.schema.COLUMNS`.

        Raises
        ------
        InputDataError
            If a frame fails :func:`~eventstudy.reference.schema.validate_table`.

        Examples
        --------
        >>> from eventstudy.reference import load_master
        >>> m = load_master()
        >>> copy = SecurityMaster.from_frames(**{t: m.table(t) for t in
        ...     ("stocks", "indices", "boards", "names", "members", "cross_listings")})
        >>> copy.security("600519.SH").name
        '贵州茅台'
        """
        frames: dict[ReferenceTable, pd.DataFrame] = {
            "stocks": stocks,
            "indices": indices,
            "boards": boards,
            "names": names,
            "members": members,
            "cross_listings": cross_listings,
        }
        return cls({t: validate_table(t, f) for t, f in frames.items()})

    def with_snapshot(self, table: ReferenceTable, frame: pd.DataFrame) -> SecurityMaster:
        """Return a new master with a refresh snapshot of ``table`` added.

        Rows keep their own ``as_of``. For stocks, indices and boards the newest
        row of a code becomes its current name, the names it replaces become
        ``former`` names, and variant/base spellings are derived; membership
        rows accumulate as a new dated snapshot; name rows are added with their
        variants; cross-listing rows replace older rows of the same pair.

        Parameters
        ----------
        table
            One of :data:`~eventstudy.reference.schema.REFERENCE_TABLES`.
        frame
            Rows with that table's columns.

        Raises
        ------
        InputDataError
            If the rows fail :func:`~eventstudy.reference.schema.validate_table`.

        Examples
        --------
        >>> import pandas as pd
        >>> from eventstudy.reference import load_master
        >>> snap = pd.DataFrame({"as_of": ["2026-07-31"] * 2, "board": ["BK0896"] * 2,
        ...     "symbol": ["600519.SH", "000858.SZ"], "source": ["akshare_cons"] * 2})
        >>> m = load_master().with_snapshot("members", snap)
        >>> m.members("BK0896").symbol.tolist()
        ['000858.SZ', '600519.SH']
        >>> bool(m.members("BK0896", as_of="2022-01-10").look_ahead.all())
        True
        """
        rows = validate_table(table, frame)
        tables = dict(self._tables)
        tables[table] = pd.concat([tables[table], rows], ignore_index=True)
        if table in _ENTITY_KIND:
            entities = tables[table][tables[table]["code"].isin(set(rows["code"]))]
            tables["names"] = _renamed(tables["names"], entities, _ENTITY_KIND[table])
        elif table == "names":
            tables["names"] = _dedupe_names(_with_variants(tables["names"]))
        return SecurityMaster(tables)

    # --- plain tables ---------------------------------------------------------------------

    def table(self, name: ReferenceTable) -> pd.DataFrame:
        """All rows of one table (every snapshot), as stored.

        Parameters
        ----------
        name
            One of :data:`~eventstudy.reference.schema.REFERENCE_TABLES`.

        Examples
        --------
        >>> from eventstudy.reference import load_master
        >>> load_master().table("indices").set_index("code").loc["000300.SH", "name"]
        '沪深300'
        """
        if name not in self._tables:
            raise InputDataError(f"unknown table {name!r}; use one of {REFERENCE_TABLES}")
        return self._tables[name].copy()

    def name_table(self) -> pd.DataFrame:
        """Every name, alias and spelling of every code, for a tagger's automaton.

        Columns: ``name`` (as written), ``key`` (:func:`~eventstudy.reference.names.name_key`,
        what to match on), ``code``, ``kind``, ``name_type`` (``name``, ``former``,
        ``alias``, ``markup``, ``variant``, ``base``), ``as_of``, ``source``.
        One row per (code, name); a key can name several codes (``中证500`` is an
        index and a board; A+H companies share a name with their HK line).

        Examples
        --------
        >>> from eventstudy.reference import load_master
        >>> t = load_master().name_table()
        >>> t.loc[t.key == "万科A", ["name", "code", "name_type"]].to_string(index=False)
        ' name      code name_type\\n万  科Ａ 000002.SZ      name\\n  万科A 000002.SZ   variant'
        """
        cols = ["name", "key", "code", "kind", "name_type", "as_of", "source"]
        return self._names[cols].copy()

    # --- single codes ---------------------------------------------------------------------

    def _display_names(self) -> dict[str, tuple[str, SymbolKind]]:
        out: dict[str, tuple[str, SymbolKind]] = {}
        foreign = self._names[self._names["kind"] == "foreign"]
        for code, name in zip(foreign["code"], foreign["name"], strict=True):
            out.setdefault(str(code), (str(name), "foreign"))
        for row in self._xlist.itertuples(index=False):
            out[str(row.foreign_code)] = (str(row.foreign_name), "foreign")
        for table, kind in _ENTITY_KIND.items():
            current = self._current[table]
            for code, name in zip(current["code"], current["name"], strict=True):
                out[str(code)] = (str(name), kind)
        return out

    def _canonical(self, code: object) -> str:
        try:
            return normalize(code)
        except AmbiguousSymbolError:
            raise
        except SymbolError as err:
            raise SymbolError(
                f"{code!r} is not a code; to find a code by name use "
                f"SecurityMaster.lookup({code!r}). {err}"
            ) from err

    def _unknown(self, code: str, what: str = "") -> UnknownSymbolError:
        return UnknownSymbolError(
            f"{code!r} is not in the security master{what}; check the code, or find it by "
            "name with lookup(...); codes listed after 2026-07 need a refreshed master"
        )

    def security(self, code: str) -> Security:
        """Everything the master records about one code.

        Parameters
        ----------
        code
            Any spelling :func:`eventstudy.symbols.normalize` accepts.

        Raises
        ------
        UnknownSymbolError
            If no table holds the code.
        AmbiguousSymbolError
            For a bare ``000001`` (index or Ping An Bank): add the exchange.

        Examples
        --------
        >>> from eventstudy.reference import load_master
        >>> s = load_master().security("sh601127")
        >>> s.code, s.name, s.former_names, s.segment, s.list_date
        ('601127.SH', '赛力斯', ('小康股份',), 'main', '2016-06-15')
        """
        canon = self._canonical(code)
        if canon not in self._display:
            raise self._unknown(canon)
        name, kind = self._display[canon]
        rows = self._names[self._names["code"] == canon]
        former = tuple(rows.loc[rows["name_type"] == "former", "name"].astype(str))
        aliases = tuple(rows.loc[rows["name_type"].isin(["alias", "markup"]), "name"].astype(str))
        record: dict[str, str] = {}
        for table in ("stocks", "indices", "boards"):
            if canon in self._current[table].index:
                record = {str(k): str(v) for k, v in self._current[table].loc[canon].items()}
        if not record:
            first = self._names[(self._names["code"] == canon) & (self._names["name"] == name)]
            record = {"as_of": str(first["as_of"].iloc[0]), "source": str(first["source"].iloc[0])}
        return Security(
            code=canon,
            kind=kind,
            name=name,
            market=parse_symbol(canon).market,
            former_names=former,
            aliases=aliases,
            segment=record.get("segment") or None,
            board_type=record.get("board_type") or None,
            list_date=record.get("list_date") or None,
            status=record.get("status") or None,
            as_of=record["as_of"],
            source=record["source"],
        )

    # --- name search ----------------------------------------------------------------------

    def _code_hits(self, query: str) -> list[str]:
        text = query.strip()
        candidates: list[str] = []
        try:
            candidates = [normalize(text)]
        except AmbiguousSymbolError:
            candidates = [f"{text}.SH", f"{text}.SZ"]
        except SymbolError:
            return []
        return [c for c in candidates if c in self._display]

    def lookup(
        self,
        query: str,
        *,
        kinds: Iterable[SymbolKind] | None = None,
        limit: int | None = 10,
    ) -> pd.DataFrame:
        """Find codes by name, former name, alias or spelling variant, best match first.

        Matching compares :func:`~eventstudy.reference.names.name_key` forms
        (NFKC, no spaces, upper case), so ``万  科Ａ``, ``万科A`` and ``万科a`` are
        the same. Ranking: the query is a code, equals a name, equals a name once
        ST/退 markers are stripped (``ST美丽`` finds ``*ST美丽``), starts a name,
        occurs in a name; then current names before aliases, former names,
        news link text and spellings; then stocks, indices, boards, foreign
        lines; then shorter names. One row per code.

        Parameters
        ----------
        query
            A name, part of one, or a code.
        kinds
            Keep only these kinds (``stock``, ``index``, ``board``, ``foreign``).
        limit
            At most this many rows (``None``: all).

        Returns
        -------
        pandas.DataFrame
            ``code``, ``name`` (current), ``kind``, ``match`` (a :data:`MatchType`),
            ``matched`` (the name that matched), ``name_type``; empty if nothing matches.

        Raises
        ------
        InputDataError
            If ``query`` is empty or ``kinds`` holds an unknown kind.

        Examples
        --------
        >>> from eventstudy.reference import load_master
        >>> m = load_master()
        >>> m.lookup("白酒", kinds=["board"])[["code", "name", "match"]].iloc[0].tolist()
        ['BK0896', '白酒', 'exact']
        >>> m.lookup("000001")[["code", "kind", "match"]].values.tolist()
        [['000001.SZ', 'stock', 'code'], ['000001.SH', 'index', 'code']]
        """
        if not isinstance(query, str) or not name_key(query):
            raise InputDataError(f"lookup() needs a name or code, got {query!r}")
        wanted = self._kinds(kinds)
        key = name_key(query)
        keep = self._names["kind"].isin(wanted)
        names = self._names[keep]
        keys = names["key"]
        exact = (keys == key).to_numpy()
        base_key = name_key(base_name(query))
        base = np.zeros(len(names), dtype=bool)
        if base_key != key:
            base = ((keys == base_key) | (self._base_keys[keep] == base_key)).to_numpy() & ~exact
        prefix = keys.str.startswith(key).to_numpy() & ~exact & ~base
        contains = keys.str.contains(key, regex=False).to_numpy() & ~exact & ~base & ~prefix
        tier = np.select([exact, base, prefix, contains], [1, 2, 3, 4], default=0)
        hits = names[tier > 0].assign(_tier=tier[tier > 0])
        code_rows = [
            {
                "code": c,
                "name": c,
                "kind": self._display[c][1],
                "_tier": 0,
                "_type_rank": 0,
                "_kind_rank": _KINDS.index(self._display[c][1]),
                "key": c,
            }
            for c in self._code_hits(query)
            if self._display[c][1] in wanted
        ]
        if code_rows:
            hits = pd.concat([pd.DataFrame(code_rows), hits], ignore_index=True)
        return self._rank(hits, limit)

    def _kinds(self, kinds: Iterable[SymbolKind] | None) -> list[str]:
        if kinds is None:
            return list(_KINDS)
        chosen = [kinds] if isinstance(kinds, str) else list(kinds)
        bad = [k for k in chosen if k not in _KINDS]
        if bad:
            raise InputDataError(f"kinds={bad} unknown; use some of {list(_KINDS)}")
        return [str(k) for k in chosen]

    def _rank(self, hits: pd.DataFrame, limit: int | None) -> pd.DataFrame:
        if hits.empty:
            return pd.DataFrame(columns=_LOOKUP_COLUMNS)
        hits = hits.assign(_len=hits["key"].str.len())
        hits = hits.sort_values(
            ["_tier", "_type_rank", "_kind_rank", "_len", "code"], kind="stable"
        ).drop_duplicates("code")
        if limit is not None:
            hits = hits.head(limit)
        out = pd.DataFrame(
            {
                "code": hits["code"].to_numpy(),
                "name": [self._display[c][0] for c in hits["code"]],
                "kind": hits["kind"].to_numpy(),
                "match": [MATCH_TYPES[t] for t in hits["_tier"]],
                "matched": hits["name"].to_numpy(),
                "name_type": hits["name_type"].fillna("name").to_numpy(),
            }
        )
        return out.reset_index(drop=True)

    # --- boards ---------------------------------------------------------------------------

    def _board(self, board: str) -> str:
        code = self._canonical(board)
        if parse_symbol(code).kind != "board":
            raise SymbolError(
                f"{board!r} is not an Eastmoney board code (BK + 4 digits); find a board "
                "code by name with lookup(name, kinds=['board'])"
            )
        return code

    def _pick(self, board: str, when: pd.Timestamp | None) -> tuple[pd.Timestamp, bool]:
        """The membership snapshot used for ``board`` on ``when`` and whether it is later."""
        snaps = self._snapshots[board]
        if when is None:
            return snaps[-1], False
        earlier = [s for s in snaps if s <= when]
        return (earlier[-1], False) if earlier else (snaps[0], True)

    def _no_members(self, code: str) -> DataUnavailableError | UnknownSymbolError:
        if code not in self._display:
            return self._unknown(code)
        covered = len(self._snapshots)
        return DataUnavailableError(
            f"no membership snapshot holds {code} ({self._display[code][0]}); the store has "
            f"membership of {covered} boards (the bundled sample covers the bundled stocks "
            "only); full membership is live-only: refresh the store through akshare"
        )

    def members(self, board: str, as_of: DateLike | None = None) -> pd.DataFrame:
        """Member stocks of a board on a date, from the dated membership snapshots.

        The newest snapshot on or before ``as_of`` is used. Before the earliest
        snapshot, the earliest is used and ``look_ahead`` is ``True``: that
        membership was observed after the date, so a backtest using it has
        look-ahead (and survivorship) bias.

        Parameters
        ----------
        board
            Board code, e.g. ``"BK0896"``.
        as_of
            Date of interest; ``None``: the newest snapshot.

        Returns
        -------
        pandas.DataFrame
            ``board``, ``symbol``, ``name`` (current stock name), ``snapshot``
            (date of the snapshot used), ``look_ahead``, ``source``.

        Raises
        ------
        UnknownSymbolError
            If the board is not in the master.
        DataUnavailableError
            If no snapshot holds the board's membership (live-only).

        Examples
        --------
        >>> from eventstudy.reference import load_master
        >>> m = load_master().members("BK0896", as_of="2022-01-10")
        >>> len(m), str(m.snapshot.iloc[0].date()), bool(m.look_ahead.all())
        (6, '2022-12-31', True)
        """
        code = self._board(board)
        if code not in self._snapshots:
            raise self._no_members(code)
        when = None if as_of is None else _session_day(as_of)
        snap, look_ahead = self._pick(code, when)
        rows = self._members[(self._members["board"] == code) & (self._members["snapshot"] == snap)]
        rows = rows.drop_duplicates("symbol").sort_values("symbol")
        return pd.DataFrame(
            {
                "board": code,
                "symbol": rows["symbol"].to_numpy(),
                "name": [self._display.get(s, ("", "stock"))[0] for s in rows["symbol"]],
                "snapshot": rows["snapshot"].to_numpy(),
                "look_ahead": look_ahead,
                "source": rows["source"].to_numpy(),
            },
            columns=_MEMBER_COLUMNS,
        )

    def boards_of(self, symbol: str, as_of: DateLike | None = None) -> pd.DataFrame:
        """Boards a stock belongs to on a date (same snapshot rule as :meth:`members`).

        Parameters
        ----------
        symbol
            Stock code, any spelling :func:`eventstudy.symbols.normalize` accepts.
        as_of
            Date of interest; ``None``: each board's newest snapshot.

        Returns
        -------
        pandas.DataFrame
            ``board``, ``name``, ``board_type``, ``snapshot``, ``look_ahead``, ``source``.

        Raises
        ------
        UnknownSymbolError
            If the code is not in the master.
        DataUnavailableError
            If no membership snapshot mentions the stock (membership is live-only).

        Examples
        --------
        >>> from eventstudy.reference import load_master
        >>> b = load_master().boards_of("600519.SH", as_of="2022-01-10")
        >>> b.board.tolist(), bool(b.look_ahead.all())
        (['BK0173', 'BK0477', 'BK0611', 'BK0896'], True)
        """
        code = self._canonical(symbol)
        rows = self._members[self._members["symbol"] == code]
        if rows.empty:
            raise self._no_members(code)
        when = None if as_of is None else _session_day(as_of)
        picked = {b: self._pick(b, when) for b in rows["board"].unique()}
        chosen = rows[
            [picked[b][0] == s for b, s in zip(rows["board"], rows["snapshot"], strict=True)]
        ]
        chosen = chosen.drop_duplicates("board").sort_values("board")
        boards = self._current["boards"]
        return pd.DataFrame(
            {
                "board": chosen["board"].to_numpy(),
                "name": [str(boards["name"].get(b, "")) for b in chosen["board"]],
                "board_type": [str(boards["board_type"].get(b, "")) for b in chosen["board"]],
                "snapshot": chosen["snapshot"].to_numpy(),
                "look_ahead": [picked[b][1] for b in chosen["board"]],
                "source": chosen["source"].to_numpy(),
            },
            columns=_BOARDS_OF_COLUMNS,
        )

    # --- cross-listings -------------------------------------------------------------------

    def cross_listings(self, code: str) -> pd.DataFrame:
        """A+H and A+ADR pairs of a company, asked by its A-share or its foreign code.

        The table is a reviewed seed (the largest companies and those in the
        bundled news), not the full list: an empty result means "not recorded".

        Parameters
        ----------
        code
            ``601318.SH``, ``02318.HK``, ``2318.HK``, ``LFC``, ...

        Returns
        -------
        pandas.DataFrame
            ``code`` (A share), ``name``, ``foreign_code``, ``listing`` (``HK``/``ADR``),
            ``foreign_name``, ``foreign_name_en``, ``status``, ``note``, ``as_of``, ``source``.

        Examples
        --------
        >>> from eventstudy.reference import load_master
        >>> m = load_master()
        >>> m.cross_listings("601318.SH")[["code", "foreign_code", "foreign_name"]].values.tolist()
        [['601318.SH', '02318.HK', '中国平安']]
        >>> m.cross_listings("1211.HK").code.tolist()
        ['002594.SZ']
        """
        canon = self._canonical(code)
        xl = self._xlist
        rows = xl[(xl["code"] == canon) | (xl["foreign_code"] == canon)]
        rows = rows.sort_values(["code", "listing", "foreign_code"])
        names = [self._display.get(c, ("", "stock"))[0] for c in rows["code"]]
        out = rows.assign(name=names)
        columns = ["code", "name", *[c for c in COLUMNS["cross_listings"] if c != "code"]]
        return out[columns].reset_index(drop=True)


def _bundled_tables() -> dict[ReferenceTable, pd.DataFrame]:
    folder = data_dir() / REFERENCE_DIR
    return {t: _read_table(folder, t) for t in REFERENCE_TABLES}


@lru_cache(maxsize=1)
def _bundled() -> SecurityMaster:
    return SecurityMaster(_bundled_tables())


def load_master(
    extra_snapshots: Iterable[tuple[ReferenceTable, pd.DataFrame]] | None = None,
) -> SecurityMaster:
    """The security master of the bundled snapshot, plus refresh snapshots if given.

    The bundled tables are read once per process (well under 0.3 s) and shared.
    A live refresh stores its snapshots elsewhere (e.g. in the cache) and layers
    them on with ``extra_snapshots``, applied in order with
    :meth:`SecurityMaster.with_snapshot`.

    Parameters
    ----------
    extra_snapshots
        ``(table, frame)`` pairs, oldest first.

    Raises
    ------
    DataUnavailableError
        If the bundled tables are missing (a broken install).
    InputDataError
        If a snapshot fails validation.

    Examples
    --------
    >>> import pandas as pd
    >>> from eventstudy.reference import load_master
    >>> load_master() is load_master()
    True
    >>> rename = pd.DataFrame([{"code": "600519.SH", "exchange": "SH", "kind": "stock",
    ...     "segment": "main", "name": "茅台新名", "list_date": "2001-08-27",
    ...     "list_date_source": "names_2023", "status": "listed", "same_name_code": "",
    ...     "as_of": "2027-01", "source": "akshare_names"}])
    >>> s = load_master(extra_snapshots=[("stocks", rename)]).security("600519.SH")
    >>> s.name, s.former_names
    ('茅台新名', ('贵州茅台',))
    """
    master = _bundled()
    for table, frame in extra_snapshots or ():
        master = master.with_snapshot(table, frame)
    return master
