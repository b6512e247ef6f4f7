"""Live refresh of the security master through akshare, into the reference store.

:func:`refresh_reference` asks akshare (:class:`~eventstudy.market.akshare_source.
AkshareReference`) for what it has and writes it to the
:class:`~eventstudy.reference.store.ReferenceStore` as dated snapshots:

========  ====================================================  =================
what      akshare functions                                     snapshot tables
========  ====================================================  =================
names     ``stock_info_sh_name_code`` (主板A股, 科创板),          stocks, names
          ``stock_info_sz_name_code`` (A股列表),
          ``stock_info_bj_name_code``; ``stock_info_sz_change_name``
          (简称变更: dated former names of Shenzhen stocks)
boards    ``stock_board_concept_name_em``,                      boards
          ``stock_board_industry_name_em``
members   ``stock_board_concept_cons_em`` /                     members
          ``stock_board_industry_cons_em``, one call per board
st        ``stock_zh_a_st_em`` (risk-warning board: ST, *ST)    st
suspen-   ``stock_tfp_em(date=...)``, one call per day           suspensions
sions     (default: the refresh day)
delisted  ``stock_info_sh_delist`` (全部),                        delisted
          ``stock_info_sz_delist`` (终止上市公司)
========  ====================================================  =================

The three lists (``st``, ``suspensions``, ``delisted``) are point-in-time lists,
not master tables (:data:`~eventstudy.reference.store.LIST_TABLES`): each refresh
adds a dated snapshot, and the backtester reads the ST and suspension snapshots
by default (:func:`eventstudy.backtesting.backtest`). The ST list is the board
on the refresh day: refresh it regularly (e.g. daily) to build its history;
suspensions can be asked for past days (``suspension_dates``).

akshare has no list of region or style boards: they stay as bundled (a board
the bundled table types ``region`` or ``style`` keeps that type when it shows up
in a refreshed list). ``stock_info_a_code_name`` is the four exchange lists
without their list dates, so the exchanges are asked one by one: one can fail
alone. akshare caches several of these lists for the life of the process; every
call clears those caches first, so a second refresh in the same process asks
again instead of stamping yesterday's list with today's date.

Every call has a timeout, bounded retries with backoff and the Eastmoney rate
limit (:mod:`eventstudy.market._net`); the whole refresh has a ``deadline``
after which no call starts. A part that fails is reported, the others are still
written (a refresh never writes an empty list). Offline
(``EVENTSTUDY_OFFLINE``), refreshing is refused: the package then uses the newest
snapshots already in the store (:func:`~eventstudy.reference.store.current_master`),
never the network.

Membership is written in chunks of :data:`MEMBER_CHUNK` boards, so that a long
refresh that is interrupted keeps what it fetched.

Examples
--------
With a stand-in for akshare (tests use recorded HTTP answers instead):

>>> import pandas as pd, tempfile
>>> from eventstudy.market.akshare_source import AkshareReference
>>> def fake(name, kwargs):
...     return pd.DataFrame({"板块代码": ["BK0896", "BK0477"], "板块名称": ["白酒", "酿酒行业"]})
>>> report = refresh_reference("boards", cache_dir=tempfile.mkdtemp(),
...                            source=AkshareReference(fetcher=fake, limiter=None))
>>> report.rows, report.ok
({'boards': 2}, True)
"""

from __future__ import annotations

import os
import time
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from typing import Final, get_args

import pandas as pd

from eventstudy._typing import BoardListKind, RefreshWhat
from eventstudy.exceptions import (
    AmbiguousSymbolError,
    ConfigError,
    DataUnavailableError,
    ProviderError,
    SymbolError,
)
from eventstudy.market.akshare_source import STOCK_LISTS, AkshareReference, DeadlineExceeded
from eventstudy.market.request import resolve_offline
from eventstudy.reference import SecurityMaster
from eventstudy.reference.schema import classify_stock_code
from eventstudy.reference.store import ReferenceStore, Snapshot, current_master
from eventstudy.symbols import parse_symbol

__all__ = [
    "DEFAULT_DEADLINE",
    "FAILURE_COLUMNS",
    "MEMBER_CHUNK",
    "REFRESH_WHAT",
    "RefreshReport",
    "refresh_reference",
]

#: What can be refreshed (``names``, ``boards``, ``members``, ``st``, ``suspensions``,
#: ``delisted``).
REFRESH_WHAT: Final[tuple[RefreshWhat, ...]] = get_args(RefreshWhat)
#: Seconds a refresh may run before no further call starts.
DEFAULT_DEADLINE: Final = 3600.0
#: Boards per membership snapshot file.
MEMBER_CHUNK: Final = 100
#: Columns of :attr:`RefreshReport.failures`.
FAILURE_COLUMNS: Final = ["what", "item", "reason", "message"]

_SEGMENT_SOURCE: Final = {
    "sh_main": "akshare_sse",
    "sh_star": "akshare_sse",
    "sz": "akshare_szse",
    "bj": "akshare_bse",
}
_SEGMENT_EXCHANGE: Final = {"sh_main": "SH", "sh_star": "SH", "sz": "SZ", "bj": "BJ"}
_KEPT_TYPES: Final = ("region", "style")


@dataclass
class RefreshReport:
    """What one refresh wrote and what failed.

    Attributes
    ----------
    as_of
        The day the rows were observed (Asia/Shanghai).
    snapshots
        The files written.
    rows
        Rows written per table.
    failures
        ``what``, ``item`` (an exchange list, a board list, a board code),
        ``reason`` (``provider_failed``, ``deadline``, ``bad_rows``), ``message``.
    empty
        Boards for which Eastmoney lists no member (nothing written for them).
    """

    as_of: str
    snapshots: list[Snapshot] = field(default_factory=list)
    rows: dict[str, int] = field(default_factory=dict)
    failures: pd.DataFrame = field(default_factory=lambda: pd.DataFrame(columns=FAILURE_COLUMNS))
    empty: list[str] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        """Whether every part was refreshed."""
        return self.failures.empty

    def _fail(self, what: str, item: str, reason: str, message: str) -> None:
        row = pd.DataFrame([[what, item, reason, message]], columns=FAILURE_COLUMNS)
        self.failures = row if self.failures.empty else pd.concat([self.failures, row])
        self.failures = self.failures.reset_index(drop=True)

    def _wrote(self, snap: Snapshot) -> None:
        self.snapshots.append(snap)
        self.rows[snap.table] = self.rows.get(snap.table, 0) + snap.rows

    def summary(self) -> str:
        """A few lines for a terminal.

        Examples
        --------
        >>> print(RefreshReport(as_of="2026-07-31").summary())
        refresh 2026-07-31: nothing written
        """
        wrote = ", ".join(f"{n} {t} rows" for t, n in self.rows.items()) or "nothing written"
        lines = [f"refresh {self.as_of}: {wrote}"]
        if self.empty:
            lines.append(f"boards without members at Eastmoney: {', '.join(self.empty[:20])}")
        for row in self.failures.itertuples(index=False):
            lines.append(f"FAILED {row.what} {row.item} ({row.reason}): {row.message}")
        return "\n".join(lines)


def _whats(what: RefreshWhat | Iterable[RefreshWhat] | None, boards: object) -> list[RefreshWhat]:
    if what is None:
        return ["members"] if boards is not None else ["names", "boards"]
    items = [what] if isinstance(what, str) else list(what)
    bad = [w for w in items if w not in REFRESH_WHAT]
    if bad or not items:
        raise ConfigError(f"what={what!r}; choose some of {list(REFRESH_WHAT)}")
    return list(dict.fromkeys(items))


def _board_codes(boards: Iterable[str] | str, master: SecurityMaster) -> list[str]:
    """Board codes from codes or names (``BK0896``, ``白酒``)."""
    items = [b.strip() for b in ([boards] if isinstance(boards, str) else boards) if b.strip()]
    codes: list[str] = []
    for item in items:
        try:
            sym = parse_symbol(item)
        except (SymbolError, AmbiguousSymbolError):
            sym = None
        if sym is not None and sym.kind == "board":
            codes.append(sym.canonical)
            continue
        hits = master.lookup(item, kinds=["board"], limit=1)
        if hits.empty or hits["match"].iloc[0] not in ("code", "exact", "base"):
            raise ConfigError(
                f"--boards: {item!r} is neither a board code (BK + 4 digits) nor a board name "
                "of the master; find one with `eventstudy reference lookup NAME`"
            )
        codes.append(str(hits["code"].iloc[0]))
    if not codes:
        raise ConfigError("boards is empty; pass board codes such as BK0896")
    return list(dict.fromkeys(codes))


class _Run:
    """One refresh: the source, the store, the day, the report."""

    def __init__(
        self,
        source: AkshareReference,
        store: ReferenceStore,
        master: SecurityMaster,
        now: pd.Timestamp,
        progress: Callable[[str], object] | None,
    ) -> None:
        self.source = source
        self.store = store
        self.master = master
        self.now = now
        self.as_of = now.date().isoformat()
        self.report = RefreshReport(as_of=self.as_of)
        self.progress = progress or (lambda message: None)

    def failed(self, what: str, item: str, err: ProviderError) -> None:
        reason = "deadline" if isinstance(err.cause, DeadlineExceeded) else "provider_failed"
        self.report._fail(what, item, reason, str(err))
        self.progress(f"  {item}: FAILED ({reason})")

    def write(self, table: str, rows: pd.DataFrame, what: str, **kw: object) -> None:
        snap = self.store.write(table, rows, what=what, retrieved_at=self.now, **kw)  # type: ignore[arg-type]
        self.report._wrote(snap)

    # -- names -----------------------------------------------------------------------------

    def names(self) -> None:
        parts = []
        for segment in STOCK_LISTS:
            self.progress(f"code list {segment} ...")
            try:
                listed = self.source.stock_list(segment)
            except ProviderError as err:
                self.failed("names", f"{segment} code list", err)
                continue
            parts.append(self._stock_rows(segment, listed))
        fresh: set[str] = set()
        if parts:
            rows = pd.concat(parts, ignore_index=True).drop_duplicates("code", keep="first")
            self.write("stocks", rows, "names")
            fresh = set(rows["code"])
        self.progress("SZSE renames ...")
        try:
            renames = self.source.renames()
        except ProviderError as err:
            self.failed("names", "SZSE renames", err)
            return
        names = self._rename_rows(renames, fresh)
        if len(names):
            self.write("names", names, "renames")

    def _stock_rows(self, segment: str, listed: pd.DataFrame) -> pd.DataFrame:
        """Stocks-table rows of one exchange list; carries what the list does not say."""
        current = self.master.table("stocks").drop_duplicates("code", keep="last")
        current = current.set_index("code")
        source = _SEGMENT_SOURCE[segment]
        records, bad = [], []
        for code6, name, list_date in listed[["code", "name", "list_date"]].itertuples(index=False):
            try:
                exchange, seg = classify_stock_code(str(code6))
            except SymbolError:
                bad.append(str(code6))
                continue
            if exchange != _SEGMENT_EXCHANGE[segment] or not str(name):
                bad.append(str(code6))
                continue
            code = f"{code6}.{exchange}"
            old = current.loc[code] if code in current.index else None
            records.append(
                {
                    "code": code,
                    "exchange": exchange,
                    "kind": "stock",
                    "segment": seg,
                    "name": str(name),
                    "list_date": list_date or (old["list_date"] if old is not None else ""),
                    "list_date_source": source
                    if list_date
                    else (old["list_date_source"] if old is not None else ""),
                    "status": "listed",
                    "same_name_code": old["same_name_code"] if old is not None else "",
                    "as_of": self.as_of,
                    "source": source,
                }
            )
        if bad:
            self.report._fail(
                "names",
                f"{segment} code list",
                "bad_rows",
                f"{len(bad)} code(s) not of this exchange or without a name, left out: {bad[:10]}",
            )
        return pd.DataFrame(records)

    def _rename_rows(self, renames: pd.DataFrame, fresh: set[str]) -> pd.DataFrame:
        """Former names of known Shenzhen stocks (both sides of each change).

        The rows are one day's observation of the rename list (``as_of`` = today);
        the newest stock row keeps giving the current name.
        """
        known = fresh | set(self.master.table("stocks")["code"])
        codes = renames["code"].astype(str) + ".SZ"
        pairs = pd.concat(
            [
                pd.DataFrame({"code": codes, "name": renames["before"]}),
                pd.DataFrame({"code": codes, "name": renames["after"]}),
            ],
            ignore_index=True,
        )
        pairs = pairs[pairs["code"].isin(known) & pairs["name"].str.len().gt(0)]
        return pairs.drop_duplicates().assign(
            kind="stock", name_type="former", as_of=self.as_of, source="akshare_szse_renames"
        )

    # -- boards ----------------------------------------------------------------------------

    def boards(self) -> None:
        kept = self.master.table("boards").drop_duplicates("code", keep="last")
        kept_type = dict(zip(kept["code"], kept["board_type"], strict=True))
        parts = []
        kinds: tuple[BoardListKind, ...] = get_args(BoardListKind)
        for kind in kinds:
            self.progress(f"{kind} board list ...")
            try:
                listed = self.source.board_names(kind)
            except ProviderError as err:
                self.failed("boards", f"{kind} board list", err)
                continue
            types = [
                kept_type[c] if kept_type.get(c) in _KEPT_TYPES else kind for c in listed["code"]
            ]
            parts.append(
                listed.assign(board_type=types, as_of=self.as_of, source="akshare_em_boards")
            )
        if parts:
            rows = pd.concat(parts, ignore_index=True).drop_duplicates("code", keep="first")
            self.write("boards", rows, "boards")

    # -- members ---------------------------------------------------------------------------

    def members(self, codes: list[str]) -> None:
        boards = self.master.table("boards").drop_duplicates("code", keep="last")
        kind_of = dict(zip(boards["code"], boards["board_type"], strict=True))
        chunk: list[pd.DataFrame] = []
        covered: list[str] = []
        part = 0
        for i, code in enumerate(codes):
            self.progress(f"members {code} ({i + 1}/{len(codes)}) ...")
            try:
                listed = self.source.board_members(code, kind_of.get(code))
            except ProviderError as err:
                self.failed("members", code, err)
                if isinstance(err.cause, DeadlineExceeded):
                    for later in codes[i + 1 :]:
                        self.report._fail("members", later, "deadline", "not asked: deadline")
                    break
                continue
            rows = self._member_rows(code, listed)
            if rows.empty:
                self.report.empty.append(code)
                continue
            chunk.append(rows)
            covered.append(code)
            if len(covered) >= MEMBER_CHUNK:
                part = self._flush(chunk, covered, part)
                chunk, covered = [], []
        if covered:
            self._flush(chunk, covered, part)

    def _member_rows(self, board: str, listed: pd.DataFrame) -> pd.DataFrame:
        symbols = []
        for code6 in listed["code"]:
            try:
                exchange, _ = classify_stock_code(str(code6))
            except SymbolError:
                continue  # not a stock code (Eastmoney lists only stocks)
            symbols.append(f"{code6}.{exchange}")
        return pd.DataFrame(
            {
                "as_of": self.as_of,
                "board": board,
                "symbol": sorted(set(symbols)),
                "source": "akshare_em_members",
            }
        )

    def _flush(self, chunk: list[pd.DataFrame], covered: list[str], part: int) -> int:
        rows = pd.concat(chunk, ignore_index=True)
        self.write("members", rows, "members", part=part, note=", ".join(covered))
        return part + 1

    # -- point-in-time lists ---------------------------------------------------------------

    def _symbols(self, what: str, item: str, listed: pd.DataFrame) -> pd.DataFrame:
        """``listed`` with a canonical ``symbol``; codes that are not A-shares left out."""
        symbols, keep, bad = [], [], []
        for i, code6 in enumerate(listed["code"]):
            try:
                exchange, _ = classify_stock_code(str(code6))
            except SymbolError:
                bad.append(str(code6))
                continue
            symbols.append(f"{code6}.{exchange}")
            keep.append(i)
        if bad:
            self.report._fail(
                what,
                item,
                "bad_rows",
                f"{len(bad)} code(s) not A-share codes, left out: {bad[:10]}",
            )
        return listed.iloc[keep].assign(symbol=symbols).reset_index(drop=True)

    def st(self) -> None:
        self.progress("ST list ...")
        try:
            listed = self.source.st_list()
        except ProviderError as err:
            self.failed("st", "ST list", err)
            return
        rows = self._symbols("st", "ST list", listed).assign(
            as_of=self.as_of, source="akshare_em_st"
        )
        if len(rows):
            self.write("st", rows.drop_duplicates("symbol"), "st")

    def suspensions(self, days: list[str]) -> None:
        for day in days:
            self.progress(f"suspensions {day} ...")
            try:
                listed = self.source.suspensions(day)
            except ProviderError as err:
                self.failed("suspensions", day, err)
                if isinstance(err.cause, DeadlineExceeded):
                    return
                continue
            rows = self._symbols("suspensions", day, listed).assign(
                as_of=day, source="akshare_em_suspensions"
            )
            if len(rows):
                self.write("suspensions", rows.drop_duplicates("symbol"), "suspensions")

    def delisted(self) -> None:
        parts = []
        for exchange, source in (("SH", "akshare_sse_delist"), ("SZ", "akshare_szse_delist")):
            self.progress(f"{exchange} delisting list ...")
            try:
                listed = self.source.delisted(exchange)
            except ProviderError as err:
                self.failed("delisted", f"{exchange} delisting list", err)
                continue
            item = f"{exchange} delisting list"
            parts.append(self._symbols("delisted", item, listed).assign(source=source))
        if parts:
            rows = pd.concat(parts, ignore_index=True).drop_duplicates("symbol")
            if len(rows):
                self.write("delisted", rows.assign(as_of=self.as_of), "delisted")


def refresh_reference(
    what: RefreshWhat | Iterable[RefreshWhat] | None = None,
    *,
    boards: Iterable[str] | str | None = None,
    cache_dir: str | os.PathLike[str] | None = None,
    offline: bool | None = None,
    deadline: float | None = DEFAULT_DEADLINE,
    source: AkshareReference | None = None,
    now: pd.Timestamp | None = None,
    progress: Callable[[str], object] | None = None,
    suspension_dates: Iterable[str | pd.Timestamp] | None = None,
) -> RefreshReport:
    """Refresh the security master from akshare into the reference store.

    Parameters
    ----------
    what
        ``names`` (exchange code lists + SZSE renames), ``boards`` (concept and
        industry board lists), ``members`` (board membership), the point-in-time
        lists ``st`` (ST and ``*ST`` now), ``suspensions`` (suspensions of a day),
        ``delisted`` (SSE and SZSE delisted companies), or several.
        Default: ``members`` when ``boards`` is given, else ``names`` and ``boards``.
    boards
        Membership of these boards only (codes ``BK0896`` or exact names
        ``白酒``); default for ``members``: every board of the master.
    cache_dir
        Cache folder of the store (default ``$EVENTSTUDY_CACHE``, else the user
        cache folder).
    offline
        ``None`` reads ``$EVENTSTUDY_OFFLINE``; offline, nothing is refreshed.
    deadline
        Seconds after which no further call starts (None: none); the parts not
        asked are reported with reason ``deadline``. It sets the deadline of the
        default adapter; an injected ``source`` keeps its own.
    source
        The akshare adapter (tests inject one with a fetcher or a fake clock).
    now
        The time of the refresh (default: now, Asia/Shanghai); its date is the
        snapshots' ``as_of``.
    progress
        Called with a line of text before each call (the CLI prints it to stderr).
    suspension_dates
        Days whose suspensions ``suspensions`` asks for, one call and one snapshot
        (``as_of`` = that day) each; default: the day of ``now``.

    Returns
    -------
    RefreshReport
        What was written (``snapshots``, ``rows``) and what failed (``failures``).

    Raises
    ------
    DataUnavailableError
        When offline.
    ConfigError
        For an unknown ``what`` or a board that is neither a code nor a name.

    Examples
    --------
    >>> import tempfile, os
    >>> os.environ["EVENTSTUDY_OFFLINE"] = "1"
    >>> refresh_reference(cache_dir=tempfile.mkdtemp())
    Traceback (most recent call last):
    ...
    eventstudy.exceptions.DataUnavailableError: offline: the reference refresh needs ...
    >>> del os.environ["EVENTSTUDY_OFFLINE"]
    """
    whats = _whats(what, boards)
    if resolve_offline(offline):
        raise DataUnavailableError(
            "offline: the reference refresh needs the network (akshare); the package uses the "
            "snapshots already stored (eventstudy reference ls lists them)"
        )
    stamp = pd.Timestamp.now(tz="Asia/Shanghai") if now is None else pd.Timestamp(now)
    if stamp.tzinfo is None:
        stamp = stamp.tz_localize("Asia/Shanghai")
    stamp = stamp.tz_convert("Asia/Shanghai").floor("s")
    master = current_master(cache_dir)
    codes = _board_codes(boards, master) if boards is not None else None
    if source is None:
        source = AkshareReference(
            deadline=None if deadline is None else time.monotonic() + deadline
        )
    run = _Run(source, ReferenceStore(cache_dir), master, stamp, progress)
    if "names" in whats:
        run.names()
    if "boards" in whats:
        run.boards()
    if "members" in whats:
        if codes is None:  # every board the master knows, with the boards just refreshed
            codes = sorted(set(current_master(cache_dir).table("boards")["code"]))
        run.master = current_master(cache_dir)
        run.members(codes)
    _lists(run, whats, suspension_dates)
    return run.report


def _lists(run: _Run, whats: list[RefreshWhat], days: Iterable[str | pd.Timestamp] | None) -> None:
    """The point-in-time lists asked for."""
    if "st" in whats:
        run.st()
    if "suspensions" in whats:
        asked = [run.as_of] if days is None else [pd.Timestamp(d).date().isoformat() for d in days]
        run.suspensions(list(dict.fromkeys(asked)))
    if "delisted" in whats:
        run.delisted()
