"""The ``akshare`` source: daily klines of A-shares, B shares, ETFs, indices and boards.

akshare is imported only by the adapter modules of :mod:`eventstudy.market` (this
one, :mod:`~eventstudy.market.tencent_source` and
:mod:`~eventstudy.market.akshare_news`), each on first use. Chinese column names
are translated here, and Eastmoney's volume is
converted from lots (手, 100 shares) to shares.

Routing by instrument (:attr:`eventstudy.symbols.Symbol.instrument`):

================== ================================= ================ =================
instrument         akshare function                  symbol passed    Eastmoney market
================== ================================= ================ =================
stock (SH, SZ, BJ) ``stock_zh_a_hist``               ``600519``,      1 for ``6xxxxx``,
                                                     ``920001``       else 0 (SZ, BJ)
fund (ETF, LOF)    ``fund_etf_hist_em``              ``510300``,      1 for ``5xxxxx``,
                                                     ``159915``       0 for ``1xxxxx``
B share            ``stock_zh_b_daily`` (Sina)       ``sh900901``,    (Sina prefix)
                                                     ``sz200002``
index              ``stock_zh_index_daily_em``       ``sh000300``,    sh 1, sz 0, bj 0,
                                                     ``sz399001``,    csi 2
                                                     ``bj899050``,
                                                     ``csi930050``
concept board      ``stock_board_concept_hist_em``   ``BK0896`` (the  90
industry/region/   ``stock_board_industry_hist_em``  code, not the
style board                                          name: names
                                                     drift)
================== ================================= ================ =================

``stock_zh_a_hist`` builds the market id from the first digit (``6`` →
Shanghai), so Shanghai ETFs (``5xxxxx``) and B shares (``900xxx``) cannot go
through it; ``fund_etf_hist_em`` picks 1 for ``5``/``6`` and 0 otherwise.
Sina's B-share volumes are in shares (not lots) and it has no traded amount.
``fund_etf_hist_em`` sets its own 15 s timeout on each request.

Board lists and current members: :meth:`AkshareSource.board_list`
(``stock_board_concept_name_em`` / ``stock_board_industry_name_em``) and
:meth:`AkshareSource.board_constituents` (``*_cons_em``).

Timeouts without global patching: akshare's own ``timeout`` parameter is
passed where a function has one; for the others, :func:`scoped_requests` gives
the HTTP requests *of the calling thread* a timeout for the duration of the
call (other threads' ``requests`` traffic is untouched).

Testing: pass ``fetcher=`` (a callable ``(function_name, kwargs) -> DataFrame``
returning frames in akshare's layout), or stub the HTTP calls (``responses``)
and keep the default fetcher so akshare's own parsing runs.

Empty answers: Eastmoney says ``data: null`` (or ``rc != 0``) for a code it does
not know - refused at once, not retried (:class:`UnknownCodeError`); it answers
``data`` with the code but no ``klines`` when the security did not trade in the
range (e.g. suspended all along) - that is an empty result, cached as covered,
and ``get_prices`` shows the sessions as NaN. akshare returns an empty frame in
both cases, so the default fetcher reads Eastmoney's answer itself and marks
the frame (``frame.attrs[VERDICT]``: ``"unknown"`` / ``"no_trading"``); an
injected fetcher may do the same. An unmarked empty frame is retried.

Examples
--------
>>> import pandas as pd
>>> def fake(name, kwargs):
...     return pd.DataFrame({"日期": ["2022-01-10"], "开盘": [1.0], "收盘": [2.0], "最高": [2.0],
...                          "最低": [1.0], "成交量": [10.0], "成交额": [20.0]})
>>> src = AkshareSource(fetcher=fake)
>>> bars = src.fetch("600519.SH", pd.Timestamp("2022-01-10"), pd.Timestamp("2022-01-10"),
...                  adjust="qfq")
>>> bars[["close", "volume"]].to_dict("records")
[{'close': 2.0, 'volume': 1000.0}]
"""

from __future__ import annotations

import contextlib
import inspect
import random
import threading
import time
from collections.abc import Callable, Iterator
from typing import Any, NamedTuple, TypeVar, get_args

import numpy as np
import pandas as pd

from eventstudy._typing import Adjust, BoardListKind
from eventstudy.exceptions import DataUnavailableError, ProviderError
from eventstudy.market._clean import FIELDS, empty_bars
from eventstudy.market._net import (
    EASTMONEY_LIMITER,
    EmptyResponseError,
    HttpTimeout,
    RateLimiter,
    RetryPolicy,
    call_with_retry,
)
from eventstudy.symbols import from_akshare, normalize, parse_symbol, to_akshare

__all__ = [
    "COLUMN_MAP",
    "STOCK_LISTS",
    "VERDICT",
    "AkshareReference",
    "AkshareSource",
    "Call",
    "DeadlineExceeded",
    "UnknownCodeError",
    "clear_akshare_cache",
    "scoped_requests",
    "translate",
]

T = TypeVar("T")

#: Chinese akshare column → English field.
COLUMN_MAP = {
    "日期": "date",
    "开盘": "open",
    "收盘": "close",
    "最高": "high",
    "最低": "low",
    "成交量": "volume",
    "成交额": "amount",
    "股票代码": "code",
    "振幅": "amplitude",
    "涨跌幅": "pct_change",
    "涨跌额": "change",
    "换手率": "turnover",
}
#: Eastmoney kline volumes are in lots (手) of 100 shares.
SHARES_PER_LOT = 100.0

Fetcher = Callable[[str, dict[str, Any]], pd.DataFrame]


class Call(NamedTuple):
    """One planned akshare call: function name, keyword arguments, volume unit.

    ``lots``: the function reports volume in lots of 100 shares (Eastmoney); Sina's
    ``stock_zh_b_daily`` reports shares.
    """

    name: str
    kwargs: dict[str, Any]
    lots: bool = True


#: ``frame.attrs[VERDICT]`` on what a fetcher returns: what Eastmoney said about the code.
#: ``"no_trading"``: the code is known (``data`` has it) but ``klines`` is empty - e.g. a
#: stock suspended for the whole range; ``"unknown"``: ``data: null`` or ``rc != 0``.
VERDICT = "eastmoney"


class UnknownCodeError(EmptyResponseError):
    """Eastmoney answered ``data: null`` / ``rc != 0``: it does not know the code (permanent)."""


class _Scope(threading.local):
    """Per-thread state of :func:`scoped_requests` (inactive in every other thread)."""

    def __init__(self) -> None:
        self.timeout: HttpTimeout | None = None
        self.seen: list[Any] | None = None


_SCOPE = _Scope()
_HOOK_LOCK = threading.Lock()
_HOOK: dict[str, Any] = {"users": 0, "original": None, "dispatcher": None}
_MARK = "_eventstudy_thread_scoped"


def _dispatcher(original: Callable[..., Any]) -> Callable[..., Any]:
    """``Session.request`` that applies the calling thread's scope, if it has one."""

    def request(self: Any, method: Any, url: Any, *args: Any, **kwargs: Any) -> Any:
        seen = _SCOPE.seen
        if seen is None:  # not inside scoped_requests on this thread: untouched
            return original(self, method, url, *args, **kwargs)
        if kwargs.get("timeout") is None:
            kwargs["timeout"] = _SCOPE.timeout
        response = original(self, method, url, *args, **kwargs)
        if "/kline/get" in str(url):
            seen.append(response)
        return response

    setattr(request, _MARK, True)
    return request


def _hook(requests_session: Any, *, install: bool) -> None:
    """Count the threads inside :func:`scoped_requests`; the dispatcher is in place while any is."""
    with _HOOK_LOCK:
        if install:
            _HOOK["users"] += 1
            current = requests_session.request
            if _HOOK["users"] == 1 and not getattr(current, _MARK, False):
                _HOOK["original"], _HOOK["dispatcher"] = current, _dispatcher(current)
                setattr(requests_session, "request", _HOOK["dispatcher"])  # noqa: B010
            return
        _HOOK["users"] -= 1
        if _HOOK["users"] == 0 and requests_session.request is _HOOK["dispatcher"]:
            # (if someone patched over it meanwhile, the dispatcher stays in their chain,
            # passing every call through unchanged)
            setattr(requests_session, "request", _HOOK["original"])  # noqa: B010


@contextlib.contextmanager
def scoped_requests(timeout: HttpTimeout) -> Iterator[list[Any]]:
    """Give this thread's ``requests`` calls a timeout and collect its kline responses.

    Inside the block, every ``requests`` call *made by the calling thread*
    without a timeout gets ``timeout``, and the responses of Eastmoney kline
    requests (``/kline/get``) are appended to the list yielded - so that an
    empty akshare answer can be told apart (unknown code or no trading, see
    :func:`_kline_verdict`). Calls of other threads (the user's own, yfinance
    without curl_cffi) pass through unchanged: no timeout added, nothing
    collected. ``requests.Session.request`` is wrapped by a thread-aware
    dispatcher only while some thread is inside the block.

    Examples
    --------
    >>> with scoped_requests(5.0) as seen:
    ...     pass  # akshare.stock_zh_index_daily_em(...) here
    >>> seen
    []
    """
    import requests

    session = requests.sessions.Session
    outer = (_SCOPE.timeout, _SCOPE.seen)
    seen: list[Any] = []
    _hook(session, install=True)
    _SCOPE.timeout, _SCOPE.seen = timeout, seen
    try:
        yield seen
    finally:
        _SCOPE.timeout, _SCOPE.seen = outer
        _hook(session, install=False)


def _kline_verdict(responses: list[Any]) -> str | None:
    """``no_trading`` / ``unknown`` from the last kline response, None if it says neither.

    Examples
    --------
    >>> class R:
    ...     def __init__(self, payload): self.payload = payload
    ...     def json(self): return self.payload
    >>> _kline_verdict([R({"rc": 0, "data": {"code": "000002", "klines": []}})])
    'no_trading'
    >>> _kline_verdict([R({"rc": 102, "data": None})])
    'unknown'
    """
    if not responses:
        return None
    try:
        payload = responses[-1].json()
    except ValueError:
        return None
    if not isinstance(payload, dict):
        return None
    data = payload.get("data")
    if payload.get("rc", 0) not in (0, None) or data is None:
        return "unknown"
    if isinstance(data, dict) and data.get("code") and not data.get("klines"):
        return "no_trading"
    return None


def _akshare_call(name: str, kwargs: dict[str, Any], timeout: HttpTimeout) -> pd.DataFrame:
    """Call ``akshare.<name>(**kwargs)`` with ``timeout`` on its HTTP requests.

    akshare's own ``timeout`` parameter is used where the function has one; the
    requests of the others get it from :func:`scoped_requests`, which also
    collects the kline responses for :func:`_kline_verdict`.
    """
    import akshare  # deferred: heavy, and only this module may import it

    func = getattr(akshare, name)
    if "timeout" in inspect.signature(func).parameters and kwargs.get("timeout") is None:
        kwargs = {**kwargs, "timeout": timeout}
    with scoped_requests(timeout) as seen:
        try:
            result = func(**kwargs)
        except Exception:
            # akshare trips over some answers (data: null, empty klines) with its own errors
            if _kline_verdict(seen) is None:
                raise
            result = pd.DataFrame()
    if not isinstance(result, pd.DataFrame):
        raise TypeError(f"akshare.{name} returned {type(result).__name__}, not a DataFrame")
    if len(result) == 0:
        verdict = _kline_verdict(seen)
        if verdict is not None:
            result = pd.DataFrame()
            result.attrs[VERDICT] = verdict
    return result


def translate(frame: pd.DataFrame, *, lots: bool = True) -> pd.DataFrame:
    """akshare kline frame → bars (``date`` + English fields, volume in shares).

    Examples
    --------
    >>> raw = pd.DataFrame({"日期": ["2022-01-10"], "收盘": ["1739.49"], "成交量": [25212]})
    >>> translate(raw).to_dict("records")
    [{'date': Timestamp('2022-01-10 00:00:00'), 'close': 1739.49, 'volume': 2521200.0}]
    """
    df = frame.rename(columns=COLUMN_MAP)
    if "date" not in df.columns:
        raise ValueError(f"akshare frame without a date column: {list(frame.columns)}")
    out = pd.DataFrame({"date": pd.to_datetime(df["date"].astype(str), errors="coerce")})
    for f in FIELDS:
        if f in df.columns:
            out[f] = pd.to_numeric(df[f], errors="coerce").to_numpy(dtype=np.float64)
    if lots and "volume" in out.columns:
        out["volume"] = out["volume"] * SHARES_PER_LOT
    bad = out["date"].isna()
    if bad.any():
        raise ValueError(f"{int(bad.sum())} kline row(s) with an unparseable date")
    return out


class AkshareSource:
    """Eastmoney prices through akshare, with timeouts, retries and a rate limit.

    Parameters
    ----------
    fetcher
        ``(akshare_function_name, kwargs) -> DataFrame``; default calls akshare
        with a timeout on every HTTP request.
    policy
        Retry/timeout policy.
    sleep, rng
        Injected into the retry loop (tests pass a no-op sleep).
    limiter
        Rate limiter shared by Eastmoney calls.
    """

    name = "akshare"
    network = True

    def __init__(
        self,
        *,
        fetcher: Fetcher | None = None,
        policy: RetryPolicy | None = None,
        sleep: Callable[[float], object] = time.sleep,
        rng: random.Random | None = None,
        limiter: RateLimiter | None = EASTMONEY_LIMITER,
    ) -> None:
        self.policy = policy or RetryPolicy()
        self._fetcher = fetcher
        self.sleep = sleep
        self.rng = rng
        self.limiter = limiter

    def _call(self, name: str, kwargs: dict[str, Any]) -> pd.DataFrame:
        if self._fetcher is not None:
            return self._fetcher(name, kwargs)
        return _akshare_call(name, kwargs, self.policy.http_timeout())

    def _permanent(self) -> tuple[type[BaseException], ...]:
        perm: tuple[type[BaseException], ...] = (DataUnavailableError, UnknownCodeError)
        if self._fetcher is None:
            from akshare.exceptions import InvalidParameterError

            perm = (*perm, InvalidParameterError)
        return perm

    def _retry(
        self,
        func: Callable[[], T],
        symbol: str | None,
        *,
        permanent: tuple[type[BaseException], ...] = (),
        limited: bool = True,
    ) -> T:
        """:func:`call_with_retry` with this source's policy, sleep, random state and
        (``limited``) rate limiter."""
        return call_with_retry(
            func,
            policy=self.policy,
            symbol=symbol,
            source=self.name,
            sleep=self.sleep,
            rng=self.rng,
            permanent=permanent,
            limiter=self.limiter if limited else None,
        )

    def has(self, symbol: str) -> bool:
        """A-shares, B shares, listed funds, Chinese indices and boards (by their codes)."""
        sym = parse_symbol(symbol)
        return sym.kind in ("index", "board") or (
            sym.kind == "stock" and sym.market in ("SH", "SZ", "BJ")
        )

    def served_adjust(self, symbol: str, adjust: Adjust) -> str:
        """Stocks, B shares and funds as asked; indices and boards are unadjusted (``none``)."""
        return adjust if parse_symbol(symbol).kind == "stock" else "none"

    def _plan(
        self, symbol: str, start: pd.Timestamp, end: pd.Timestamp, adjust: Adjust
    ) -> list[Call]:
        """The akshare calls that may serve ``symbol``, tried in order (see the module table)."""
        sym = parse_symbol(symbol)
        beg, fin = start.strftime("%Y%m%d"), end.strftime("%Y%m%d")
        dates = {"start_date": beg, "end_date": fin}
        ak_adjust = {"qfq": "qfq", "hfq": "hfq", "none": ""}[adjust]
        if sym.kind == "stock" and sym.market in ("SH", "SZ", "BJ"):
            if sym.instrument == "b_share":
                prefixed = to_akshare(sym, style="prefixed")
                args = {"symbol": prefixed, **dates, "adjust": ak_adjust}
                return [Call("stock_zh_b_daily", args, lots=False)]
            name = "fund_etf_hist_em" if sym.instrument == "fund" else "stock_zh_a_hist"
            return [Call(name, {"symbol": sym.code, "period": "daily", **dates,
                                "adjust": ak_adjust})]  # fmt: skip
        if sym.kind == "index":
            code = f"csi{sym.code}" if sym.market == "CSI" else to_akshare(symbol, style="prefixed")
            return [Call("stock_zh_index_daily_em", {"symbol": code, **dates})]
        if sym.kind == "board":
            concept = Call(
                "stock_board_concept_hist_em",
                {"symbol": sym.code, "period": "daily", **dates, "adjust": ""},
            )
            industry = Call(
                "stock_board_industry_hist_em",
                {"symbol": sym.code, "period": "日k", **dates, "adjust": ""},
            )
            kind = _board_type(sym.code)
            if kind == "concept":
                return [concept]
            if kind is None:
                return [concept, industry]
            return [industry]
        raise DataUnavailableError(
            f"{symbol} ({sym.kind}) is not served by the akshare source; use yfinance"
        )

    def fetch(
        self, symbol: str, start: pd.Timestamp, end: pd.Timestamp, *, adjust: Adjust
    ) -> pd.DataFrame:
        """Bars of one symbol (see :class:`~eventstudy.market.sources.PriceSource`)."""
        plan = self._plan(symbol, start, end, adjust)
        last_error: Exception | None = None
        for name, kwargs, lots in plan:

            def once(
                name: str = name, kwargs: dict[str, Any] = kwargs, lots: bool = lots
            ) -> pd.DataFrame:
                raw = self._call(name, kwargs)
                if raw is None or len(raw) == 0:
                    verdict = None if raw is None else raw.attrs.get(VERDICT)
                    if verdict == "no_trading":  # known code, suspended all along: no bars
                        return empty_bars().reset_index()
                    if verdict == "unknown":
                        raise UnknownCodeError(
                            f"Eastmoney does not know {symbol} (akshare.{name}"
                            f"({kwargs.get('symbol')!r}): data: null / rc != 0): unknown code"
                        )
                    raise EmptyResponseError(
                        f"akshare.{name}({kwargs.get('symbol')!r}) returned no rows"
                    )
                return translate(raw, lots=lots)

            try:
                bars = self._retry(
                    once,
                    symbol,
                    permanent=self._permanent(),
                )
            except Exception as err:  # try the next function of the plan (boards)
                last_error = err
                continue
            bars = bars.set_index("date")
            bars.index.name = "date"
            out = bars[(bars.index >= start) & (bars.index <= end)]  # index may be unsorted
            out.attrs["notes"] = [f"akshare.{name}"]
            if len(bars) == 0:
                out.attrs["notes"].append(
                    f"no trading {start.date()}..{end.date()} (Eastmoney knows the code; "
                    "suspended?)"
                )
            return out
        assert last_error is not None
        raise last_error

    # -- the trading calendar ------------------------------------------------------------

    def trade_dates(self) -> pd.DatetimeIndex:
        """Shanghai's trading days as Sina lists them (``tool_trade_date_hist_sina``).

        Sina's list starts on 1990-12-19 and runs to the end of the last year whose
        holidays the exchange has published (the next year appears in December).
        Timed out and retried like the price calls;
        :func:`eventstudy.market.refresh_calendar` stores the result.

        Examples
        --------
        With an injected fetcher returning akshare's layout:

        >>> import datetime as dt
        >>> def fake(name, kwargs):
        ...     return pd.DataFrame({"trade_date": [dt.date(2027, 1, 4), dt.date(2027, 1, 5)]})
        >>> AkshareSource(fetcher=fake, limiter=None).trade_dates().strftime("%Y-%m-%d").tolist()
        ['2027-01-04', '2027-01-05']
        """

        def once() -> pd.DatetimeIndex:
            raw = self._call("tool_trade_date_hist_sina", {})
            if raw is None or len(raw) == 0 or "trade_date" not in raw.columns:
                raise EmptyResponseError("akshare.tool_trade_date_hist_sina returned no dates")
            days = pd.DatetimeIndex(pd.to_datetime(raw["trade_date"].astype(str)))
            return days.normalize().unique().sort_values().rename("session")

        return self._retry(
            once,
            None,
            permanent=self._permanent(),
            limited=False,
        )

    # -- boards ------------------------------------------------------------------------

    def board_list(self, kind: BoardListKind = "concept") -> pd.DataFrame:
        """Current Eastmoney boards: ``code``, ``name``, ``board_type``, ``as_of``.

        Parameters
        ----------
        kind
            ``concept`` (``stock_board_concept_name_em``) or ``industry``
            (``stock_board_industry_name_em``).

        Examples
        --------
        With an injected fetcher returning akshare's layout:

        >>> def fake(name, kwargs):
        ...     return pd.DataFrame({"排名": [1], "板块名称": ["白酒"], "板块代码": ["BK0896"]})
        >>> AkshareSource(fetcher=fake, limiter=None).board_list("concept")[["code", "name"]]
             code name
        0  BK0896   白酒
        """
        if kind not in get_args(BoardListKind):
            raise ValueError(f"kind={kind!r}; choose one of {list(get_args(BoardListKind))}")
        name = f"stock_board_{kind}_name_em"
        raw = self._retry(
            lambda: self._call(name, {}),
            None,
        )
        today = pd.Timestamp.now(tz="Asia/Shanghai").date().isoformat()
        return pd.DataFrame(
            {
                "code": raw["板块代码"].astype(str).to_numpy(),
                "name": raw["板块名称"].astype(str).to_numpy(),
                "board_type": kind,
                "as_of": today,
            }
        )

    def board_constituents(self, code: str) -> pd.DataFrame:
        """Current members of a board: ``board_code``, ``symbol``, ``name``, ``as_of``.

        Today's membership only: using it for past dates ignores stocks that
        left the board (survivorship). akshare drops Eastmoney's market field
        (``f13``), so each code is placed on its exchange by the code rules of
        :data:`eventstudy.symbols.CODE_RULES` (``920xxx`` → Beijing).

        Examples
        --------
        With an injected fetcher returning akshare's layout (a bare ``000001``
        member is the stock 平安银行, ``000001.SZ``):

        >>> def fake(name, kwargs):
        ...     return pd.DataFrame({"序号": [1, 2, 3], "代码": ["000001", "600036", "920001"],
        ...                          "名称": ["平安银行", "招商银行", "纬达光电"]})
        >>> members = AkshareSource(fetcher=fake, limiter=None).board_constituents("BK0475")
        >>> members["symbol"].tolist()
        ['000001.SZ', '600036.SH', '920001.BJ']
        """
        board = normalize(code)
        kind = _board_type(board)
        name = (
            "stock_board_industry_cons_em"
            if kind not in (None, "concept")
            else ("stock_board_concept_cons_em")
        )
        raw = self._retry(
            lambda: self._call(name, {"symbol": board}),
            board,
        )
        symbols: list[str | None] = []
        for c in raw["代码"].astype(str):
            try:  # members are stocks: a bare 000001 is Ping An Bank (000001.SZ), not the index
                symbols.append(from_akshare(c, kind="stock").canonical)
            except ValueError:  # a code the symbol table does not know: kept as None
                symbols.append(None)
        today = pd.Timestamp.now(tz="Asia/Shanghai").date().isoformat()
        return pd.DataFrame(
            {
                "board_code": board,
                "symbol": symbols,
                "name": raw["名称"].astype(str).to_numpy(),
                "as_of": today,
            }
        )


def _board_type(code: str) -> str | None:
    from eventstudy.datasets import board_table

    table = board_table()
    hit = table.loc[table["code"] == code, "board_type"]
    return str(hit.iloc[0]) if len(hit) else None


# -- reference lists for the security master (eventstudy.market.refresh) -----------------------

#: The A-share code lists of the exchanges: ``segment -> (akshare function, kwargs, code column,
#: name column, list-date column)``. ``stock_info_a_code_name`` is the concatenation of these
#: four calls without the list dates, so the refresh calls them one by one (one exchange can
#: fail alone).
STOCK_LISTS: dict[str, tuple[str, dict[str, Any], str, str, str]] = {
    "sh_main": (
        "stock_info_sh_name_code",
        {"symbol": "主板A股"},
        "证券代码",
        "证券简称",
        "上市日期",
    ),
    "sh_star": (
        "stock_info_sh_name_code",
        {"symbol": "科创板"},
        "证券代码",
        "证券简称",
        "上市日期",
    ),
    "sz": ("stock_info_sz_name_code", {"symbol": "A股列表"}, "A股代码", "A股简称", "A股上市日期"),
    "bj": ("stock_info_bj_name_code", {}, "证券代码", "证券简称", "上市日期"),
}


class DeadlineExceeded(Exception):
    """The refresh ran out of its time budget before this call (not retried)."""


def clear_akshare_cache(name: str) -> int:
    """Forget what akshare has cached for ``akshare.<name>``; returns the caches cleared.

    Several akshare list functions are wrapped in :func:`functools.lru_cache`
    (``stock_info_sh_name_code``, ``stock_info_a_code_name``, and the private
    helper behind ``stock_board_concept_name_em``): a second call in the same
    process returns the first answer. Clearing every ``lru_cache`` of the
    function's module (the function itself and the helpers it calls) makes the
    next call ask the server again.

    Parameters
    ----------
    name
        An akshare function name.

    Examples
    --------
    >>> clear_akshare_cache("stock_board_concept_name_em") >= 1
    True
    """
    import sys

    import akshare  # deferred: heavy, and only this module may import it

    func = getattr(akshare, name)
    module = sys.modules.get(getattr(func, "__module__", ""), None)
    cached = [func, *(vars(module).values() if module is not None else ())]
    cleared = 0
    for obj in {id(o): o for o in cached}.values():
        if callable(getattr(obj, "cache_clear", None)):
            obj.cache_clear()
            cleared += 1
    return cleared


def _iso_dates(values: pd.Series) -> list[str]:
    """``YYYY-MM-DD`` of each value (dates, timestamps, ``19910403``), ``""`` if none."""
    text = values.astype(str).str.strip().str.replace(r"\.0$", "", regex=True)
    compact = text.str.fullmatch(r"\d{8}")
    stamps = pd.to_datetime(text.where(~compact), errors="coerce", format="mixed")
    stamps = stamps.fillna(pd.to_datetime(text.where(compact), errors="coerce", format="%Y%m%d"))
    return ["" if pd.isna(s) else s.date().isoformat() for s in stamps]


def _codes(values: pd.Series) -> list[str]:
    """Six-digit codes of a code column (``1`` read from Excel becomes ``000001``)."""
    text = values.astype(str).str.strip().str.replace(r"\.0$", "", regex=True)
    return text.str.zfill(6).tolist()


class AkshareReference(AkshareSource):
    """Code lists, board lists, board members and renames through akshare, asked fresh.

    Every call clears akshare's own caches first (:func:`clear_akshare_cache`),
    has a timeout on its HTTP requests, is retried with backoff like the price
    calls and waits on the shared Eastmoney rate limit; ``deadline`` (a
    ``time.monotonic()`` value) stops a long refresh: a call that would start
    after it raises :class:`DeadlineExceeded` (wrapped in
    :class:`~eventstudy.exceptions.ProviderError`) without touching the network.

    Parameters
    ----------
    deadline
        Monotonic time after which no call starts (None: no deadline).
    clock
        The monotonic clock (tests pass a fake).
    fetcher, policy, sleep, rng, limiter
        As for :class:`AkshareSource`.

    Examples
    --------
    With an injected fetcher returning akshare's layout:

    >>> def fake(name, kwargs):
    ...     return pd.DataFrame({"证券代码": ["600519"], "证券简称": ["贵州茅台"],
    ...                          "上市日期": [pd.Timestamp("2001-08-27").date()]})
    >>> AkshareReference(fetcher=fake, limiter=None).stock_list("sh_main")
         code  name   list_date
    0  600519  贵州茅台  2001-08-27
    """

    def __init__(
        self,
        *,
        deadline: float | None = None,
        clock: Callable[[], float] = time.monotonic,
        fetcher: Fetcher | None = None,
        policy: RetryPolicy | None = None,
        sleep: Callable[[float], object] = time.sleep,
        rng: random.Random | None = None,
        limiter: RateLimiter | None = EASTMONEY_LIMITER,
    ) -> None:
        super().__init__(fetcher=fetcher, policy=policy, sleep=sleep, rng=rng, limiter=limiter)
        self.deadline = deadline
        self.clock = clock

    def _call(self, name: str, kwargs: dict[str, Any]) -> pd.DataFrame:
        if self.deadline is not None and self.clock() >= self.deadline:
            raise DeadlineExceeded(f"akshare.{name}: the refresh deadline has passed")
        if self._fetcher is not None:
            return self._fetcher(name, kwargs)
        clear_akshare_cache(name)
        return _akshare_call(name, kwargs, self.policy.http_timeout())

    def _ask(
        self,
        name: str,
        kwargs: dict[str, Any],
        parse: Callable[[pd.DataFrame], pd.DataFrame],
        what: str,
        permanent: tuple[type[BaseException], ...] = (),
    ) -> pd.DataFrame:
        def once() -> pd.DataFrame:
            raw = self._call(name, dict(kwargs))
            if raw is None or len(raw) == 0:
                raise EmptyResponseError(f"akshare.{name}({kwargs}) returned no rows")
            return parse(raw)

        return self._retry(
            once,
            what,
            permanent=(*self._permanent(), DeadlineExceeded, *permanent),
        )

    def stock_list(self, segment: str) -> pd.DataFrame:
        """One exchange list of :data:`STOCK_LISTS`: ``code`` (6 digits), ``name``, ``list_date``.

        Raises
        ------
        ProviderError
            After the retries (a list without rows or without its columns is a failure).

        Examples
        --------
        See the class example.
        """
        if segment not in STOCK_LISTS:
            raise ValueError(f"segment={segment!r}; choose one of {list(STOCK_LISTS)}")
        name, kwargs, code, short, listed = STOCK_LISTS[segment]

        def parse(raw: pd.DataFrame) -> pd.DataFrame:
            missing = [c for c in (code, short, listed) if c not in raw.columns]
            if missing:
                raise EmptyResponseError(
                    f"akshare.{name}: no columns {missing} in {list(raw.columns)[:10]}"
                )
            rows = raw[raw[code].notna() & raw[short].notna()]
            return pd.DataFrame(
                {
                    "code": _codes(rows[code]),
                    "name": rows[short].astype(str).str.strip().to_numpy(),
                    "list_date": _iso_dates(rows[listed]),
                }
            )

        return self._ask(name, kwargs, parse, f"{segment} code list")

    def board_names(self, kind: BoardListKind) -> pd.DataFrame:
        """Eastmoney's concept or industry boards now: ``code``, ``name``.

        Raises
        ------
        ProviderError
            After the retries (an empty list is a failure: there are always boards).

        Examples
        --------
        >>> def fake(name, kwargs):
        ...     return pd.DataFrame({"排名": [1], "板块名称": ["白酒"], "板块代码": ["BK0896"]})
        >>> AkshareReference(fetcher=fake, limiter=None).board_names("concept")
             code name
        0  BK0896   白酒
        """
        if kind not in get_args(BoardListKind):
            raise ValueError(f"kind={kind!r}; choose one of {list(get_args(BoardListKind))}")
        name = f"stock_board_{kind}_name_em"

        def parse(raw: pd.DataFrame) -> pd.DataFrame:
            rows = raw[raw["板块代码"].astype(str).str.fullmatch(r"BK\d{4}")]
            if rows.empty:
                raise EmptyResponseError(f"akshare.{name}: no BKxxxx board codes")
            return pd.DataFrame(
                {
                    "code": rows["板块代码"].astype(str).to_numpy(),
                    "name": rows["板块名称"].astype(str).str.strip().to_numpy(),
                }
            )

        return self._ask(name, {}, parse, f"{kind} board list")

    def board_members(self, code: str, kind: str | None) -> pd.DataFrame:
        """Members of a board now: ``code`` (6 digits), ``name``; empty if Eastmoney has none.

        Eastmoney answers ``data: null`` (akshare then fails with a ``TypeError``)
        or an empty list (``ZeroDivisionError``) for a board it lists no member
        of, or does not know: that answer is final, not retried, and gives an
        empty frame.

        Parameters
        ----------
        code
            The board code, ``BK0896``.
        kind
            ``concept`` uses ``stock_board_concept_cons_em``, anything else
            ``stock_board_industry_cons_em`` (both ask for ``b:BKxxxx``).

        Raises
        ------
        ProviderError
            After the retries of any other failure.

        Examples
        --------
        >>> def fake(name, kwargs):
        ...     return pd.DataFrame({"序号": [1], "代码": ["600519"], "名称": ["贵州茅台"]})
        >>> AkshareReference(fetcher=fake, limiter=None).board_members("BK0896", "concept")
             code  name
        0  600519  贵州茅台
        """
        board = normalize(code)
        name = f"stock_board_{'concept' if kind == 'concept' else 'industry'}_cons_em"

        class _NoMembers(Exception):
            pass

        def parse(raw: pd.DataFrame) -> pd.DataFrame:
            rows = raw[raw["代码"].notna()]
            return pd.DataFrame(
                {"code": _codes(rows["代码"]), "name": rows["名称"].astype(str).to_numpy()}
            )

        def ask() -> pd.DataFrame:
            try:
                return self._call(name, {"symbol": board})
            except (TypeError, ZeroDivisionError) as err:  # data: null / diff: []
                raise _NoMembers(str(err)) from err

        try:
            raw = self._retry(
                ask,
                board,
                permanent=(*self._permanent(), DeadlineExceeded, _NoMembers),
            )
        except ProviderError as err:
            if isinstance(err.cause, _NoMembers):
                return pd.DataFrame({"code": pd.Series(dtype=str), "name": pd.Series(dtype=str)})
            raise
        if raw is None or len(raw) == 0:
            return pd.DataFrame({"code": pd.Series(dtype=str), "name": pd.Series(dtype=str)})
        return parse(raw)

    def renames(self) -> pd.DataFrame:
        """Short-name changes of Shenzhen stocks (SZSE): ``code``, ``date``, ``before``, ``after``.

        ``stock_info_sz_change_name("简称变更")``; Shanghai publishes no such list
        that akshare reads (Sina's per-stock ``stock_info_change_name`` has no dates).

        Raises
        ------
        ProviderError
            After the retries.

        Examples
        --------
        >>> def fake(name, kwargs):
        ...     return pd.DataFrame({"变更日期": [pd.Timestamp("2022-03-01").date()],
        ...                          "证券代码": ["000002"], "证券简称": ["万  科Ａ"],
        ...                          "变更前简称": ["万科A"], "变更后简称": ["万  科Ａ"]})
        >>> AkshareReference(fetcher=fake, limiter=None).renames().values.tolist()
        [['000002', '2022-03-01', '万科A', '万  科Ａ']]
        """
        name = "stock_info_sz_change_name"

        def parse(raw: pd.DataFrame) -> pd.DataFrame:
            need = ["变更日期", "证券代码", "变更前简称", "变更后简称"]
            missing = [c for c in need if c not in raw.columns]
            if missing:
                raise EmptyResponseError(f"akshare.{name}: no columns {missing}")
            rows = raw.dropna(subset=need)
            return pd.DataFrame(
                {
                    "code": _codes(rows["证券代码"]),
                    "date": _iso_dates(rows["变更日期"]),
                    "before": rows["变更前简称"].astype(str).str.strip().to_numpy(),
                    "after": rows["变更后简称"].astype(str).str.strip().to_numpy(),
                }
            )

        return self._ask(name, {"symbol": "简称变更"}, parse, "SZSE rename list")

    # -- point-in-time lists ---------------------------------------------------------------

    def st_list(self) -> pd.DataFrame:
        """Eastmoney's risk-warning board now (ST, \\*ST): ``code`` (6 digits), ``name``.

        ``stock_zh_a_st_em`` (``clist/get``, ``fs=m:0 f:4,m:1 f:4``).

        Raises
        ------
        ProviderError
            After the retries (an empty board is a failure: there are always ST names).

        Examples
        --------
        >>> def fake(name, kwargs):
        ...     return pd.DataFrame({"序号": [1], "代码": ["600200"], "名称": ["*ST江苏"]})
        >>> AkshareReference(fetcher=fake, limiter=None).st_list()
             code   name
        0  600200  *ST江苏
        """
        name = "stock_zh_a_st_em"

        def parse(raw: pd.DataFrame) -> pd.DataFrame:
            rows = raw[raw["代码"].notna() & raw["名称"].notna()]
            if rows.empty:
                raise EmptyResponseError(f"akshare.{name}: no codes")
            return pd.DataFrame(
                {"code": _codes(rows["代码"]), "name": rows["名称"].astype(str).str.strip()}
            ).reset_index(drop=True)

        return self._ask(name, {}, parse, "ST list")

    def suspensions(self, date: str) -> pd.DataFrame:
        """Suspensions in force on ``date`` (Eastmoney 停复牌).

        ``stock_tfp_em(date="YYYYMMDD")``. Columns: ``code`` (6 digits), ``name``,
        ``start``, ``end`` (``YYYY-MM-DD``; ``""`` when open-ended), ``reason``.

        Parameters
        ----------
        date
            The day, ``YYYY-MM-DD`` or ``YYYYMMDD``.

        Raises
        ------
        ProviderError
            After the retries (a day without rows, answered ``result: null`` by
            Eastmoney, is a failure: nothing is stored for it).

        Examples
        --------
        >>> import datetime as dt
        >>> def fake(name, kwargs):
        ...     return pd.DataFrame({"序号": [1], "代码": ["000004"], "名称": ["国华网安"],
        ...                          "停牌时间": [dt.date(2026, 7, 30)], "停牌截止时间": [None],
        ...                          "停牌期限": ["连续停牌"], "停牌原因": ["刊登重要公告"]})
        >>> AkshareReference(fetcher=fake, limiter=None).suspensions("2026-07-31").values.tolist()
        [['000004', '国华网安', '2026-07-30', '', '刊登重要公告']]
        """
        name = "stock_tfp_em"
        day = pd.Timestamp(date).strftime("%Y%m%d")

        def parse(raw: pd.DataFrame) -> pd.DataFrame:
            rows = raw[raw["代码"].notna()]
            return pd.DataFrame(
                {
                    "code": _codes(rows["代码"]),
                    "name": rows["名称"].astype(str).str.strip().to_numpy(),
                    "start": _iso_dates(rows["停牌时间"]),
                    "end": _iso_dates(rows["停牌截止时间"]),
                    "reason": rows["停牌原因"].fillna("").astype(str).to_numpy(),
                }
            )

        def ask() -> pd.DataFrame:
            try:
                raw = self._call(name, {"date": day})
            except TypeError as err:  # "result": null -> akshare subscripts None
                raise EmptyResponseError(f"akshare.{name}({day}): no data ({err})") from err
            if raw is None or len(raw) == 0:
                raise EmptyResponseError(f"akshare.{name}({day}) returned no rows")
            return parse(raw)

        return self._retry(
            ask,
            f"suspensions {day}",
            permanent=(*self._permanent(), DeadlineExceeded),
        )

    def delisted(self, exchange: str) -> pd.DataFrame:
        """Delisted companies of one exchange: ``code``, ``name``, ``list_date``, ``delist_date``.

        ``SH``: ``stock_info_sh_delist("全部")`` (SSE; 暂停上市日期 is its delisting
        date); ``SZ``: ``stock_info_sz_delist("终止上市公司")`` (SZSE).

        Parameters
        ----------
        exchange
            ``SH`` or ``SZ``.

        Raises
        ------
        ProviderError
            After the retries (an empty list is a failure).

        Examples
        --------
        >>> import datetime as dt
        >>> def fake(name, kwargs):
        ...     return pd.DataFrame({"证券代码": ["000003"], "证券简称": ["PT金田A"],
        ...                          "上市日期": [dt.date(1991, 7, 3)],
        ...                          "终止上市日期": [dt.date(2002, 6, 14)]})
        >>> AkshareReference(fetcher=fake, limiter=None).delisted("SZ").values.tolist()
        [['000003', 'PT金田A', '1991-07-03', '2002-06-14']]
        """
        calls = {
            "SH": ("stock_info_sh_delist", {"symbol": "全部"}, "公司代码", "公司简称",
                   "暂停上市日期"),
            "SZ": ("stock_info_sz_delist", {"symbol": "终止上市公司"}, "证券代码", "证券简称",
                   "终止上市日期"),
        }  # fmt: skip
        if exchange not in calls:
            raise ValueError(f"exchange={exchange!r}; choose one of {list(calls)}")
        name, kwargs, code, short, delist = calls[exchange]

        def parse(raw: pd.DataFrame) -> pd.DataFrame:
            missing = [c for c in (code, short, "上市日期", delist) if c not in raw.columns]
            if missing:
                raise EmptyResponseError(f"akshare.{name}: no columns {missing}")
            rows = raw[raw[code].notna()]
            return pd.DataFrame(
                {
                    "code": _codes(rows[code]),
                    "name": rows[short].astype(str).str.strip().to_numpy(),
                    "list_date": _iso_dates(rows["上市日期"]),
                    "delist_date": _iso_dates(rows[delist]),
                }
            )

        return self._ask(name, kwargs, parse, f"{exchange} delisting list")
