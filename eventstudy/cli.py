"""The ``eventstudy`` command line: every subcommand.

``eventstudy news PATH [--out FILE] [--min-score X] [--top N] [--articles N] [--errors E]``
    Load posts or a news table, print articles, skipped inputs and the
    most-tagged securities; optionally write the tag table (CSV or Parquet).
``eventstudy feed fetch FEED [FEED ...] [--symbol S ...] [--no-archive] [--articles N]``
    Fetch live news feeds (``em_stock``, ``em_724``, ``cls``, ``cls_key``,
    ``sina_724``; :func:`eventstudy.news.feeds.fetch_news`) and append them to
    the news archive in the cache, de-duplicated, reporting coverage gaps
    (run it from cron; a failing feed does not stop the others).
``eventstudy feed ls``
    The news archive: per feed, items, first/last time, fetches and gaps.
``eventstudy cache ls [SYMBOL]``, ``eventstudy cache clear [SYMBOL] [--source S]``
    List or delete price-cache entries (``--cache-dir`` names the cache).
``eventstudy calendar [--refresh] [--cache-dir DIR]``
    Show the trading calendar's sources and horizon (the last session whose
    holidays are known); ``--refresh`` first stores Sina's list of trading days
    in the cache (:func:`eventstudy.market.refresh_calendar`; needs the network).
``eventstudy demo [--out DIR] [--formats F,...]``
    The whole pipeline on the data that ships with the package, with no
    network: bundled posts → tags → events → bundled prices (boards as
    labelled proxies of their constituents) → market model against the CSI 300
    → briefing (:func:`eventstudy.pipeline.demo`).
``eventstudy run CONFIG.toml [--offline] [--out DIR] [--formats F,...]``
    The same on your own news and data sources, configured in TOML (see
    :mod:`eventstudy.config`; an example is ``data/example_run.toml``).
``eventstudy backtest CONFIG.toml [--offline] [--out DIR]``
    A news-signal backtest configured in TOML (an example is
    ``data/example_backtest.toml``): CSV tables, ``summary.txt`` and
    ``backtest.html`` (:func:`eventstudy.pipeline.run_backtest_config`).
``eventstudy reference refresh [--what names,boards,members] [--boards BK0896,...]``
    Ask akshare for the exchanges' code lists, the board lists or board
    membership, and add dated snapshots to the reference store in the cache
    (:func:`eventstudy.market.refresh.refresh_reference`; exit 4 if a part failed).
``eventstudy reference ls``, ``eventstudy reference lookup 茅台``,
``eventstudy reference members BK0896 [--as-of DATE]``
    List the store; query the master (bundled + snapshots; exit 3 when nothing matches).

Progress bars go to stderr (``-q``/``--quiet``, before or after the
subcommand, silences them); summaries and lists of files go to stdout.

Exit codes
----------
====  ==============================================================
0     success
1     unexpected error (a bug: please report it with the traceback)
2     bad input: invalid config (the message names the key), symbol, file
      or argument
3     data unavailable (offline and not cached, or not in the snapshot)
4     a data provider failed after its retries
====  ==============================================================

Examples
--------
>>> main(["--version"])  # doctest: +ELLIPSIS
eventstudy ...
0
>>> build_parser().parse_args(["run", "my.toml", "--offline"]).offline
True
>>> from eventstudy.datasets import sample_news_path
>>> main(["news", str(sample_news_path()), "--top", "2"])  # doctest: +ELLIPSIS
64 inputs: 60 articles, 1 skipped, 3 duplicates
skipped: missing_date 1
...
0
>>> import tempfile
>>> main(["cache", "ls", "--cache-dir", tempfile.mkdtemp()])  # doctest: +ELLIPSIS
cache .../: empty
0
"""

from __future__ import annotations

import argparse
import contextlib
import io
import logging
import sys
import time
import warnings
from collections.abc import Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any, cast, get_args

from eventstudy._typing import BriefingFormat, ErrorPolicy
from eventstudy.exceptions import (
    ConfigError,
    DataUnavailableError,
    EventStudyError,
    ProviderError,
)

if TYPE_CHECKING:
    from eventstudy._typing import RefreshWhat, SymbolKind
    from eventstudy.market import PriceCache
    from eventstudy.pipeline import PipelineResult

__all__ = [
    "EXIT_BAD_INPUT",
    "EXIT_DATA_UNAVAILABLE",
    "EXIT_ERROR",
    "EXIT_OK",
    "EXIT_PROVIDER",
    "build_parser",
    "main",
]

EXIT_OK = 0
EXIT_ERROR = 1
EXIT_BAD_INPUT = 2
EXIT_DATA_UNAVAILABLE = 3
EXIT_PROVIDER = 4


# ----------------------------------------------------------------------------- news


def _add_cache_dir(parser: argparse.ArgumentParser) -> None:
    """The ``--cache-dir`` option, as every subcommand that reads the cache spells it."""
    parser.add_argument(
        "--cache-dir", default=None, help="cache folder (default: $EVENTSTUDY_CACHE or user cache)"
    )


def _add_news(sub: Any) -> None:
    p = sub.add_parser(
        "news",
        help="load news posts or a news table and tag the securities they concern",
        description=(
            "Load a folder/file/glob of Eastmoney-style posts or a CSV/Parquet/JSON-lines "
            "news table; print articles, skipped inputs and the most-tagged securities; "
            "optionally write the tag table (CSV or Parquet, by extension)."
        ),
    )
    p.add_argument("path", help="folder, post file, glob pattern, or news table")
    p.add_argument("--out", help="write the tag table to this .csv or .parquet file")
    p.add_argument(
        "--min-score",
        type=float,
        default=None,
        help="only tags with at least this score (default: all tags in --out, 0.6 in the list)",
    )
    p.add_argument("--top", type=int, default=10, help="how many top securities to print")
    p.add_argument("--articles", type=int, default=10, help="how many articles to list")
    p.add_argument(
        "--errors",
        choices=get_args(ErrorPolicy),
        default="collect",
        help="collect bad inputs in the skipped list (default) or stop at the first",
    )
    p.set_defaults(handler=_news)


def _news(args: argparse.Namespace) -> int:
    from eventstudy.news import DEFAULT_MIN_SCORE, load_news

    out = Path(args.out) if args.out else None
    if out is not None and out.suffix.lower() not in (".csv", ".parquet"):
        raise ConfigError(f"--out {args.out!r}: use a .csv or .parquet file name")
    if out is not None:  # a bad --out fails now, not after loading and tagging
        from eventstudy.report.files import output_file

        output_file(out, what="tag table")
    min_score = DEFAULT_MIN_SCORE if args.min_score is None else args.min_score
    news = load_news(args.path, errors=args.errors)
    print(news.summary(top=args.top, min_score=min_score))
    a = news.articles.sort_values("published_at", kind="stable")
    if len(a) and args.articles > 0:
        print(f"articles (first {min(args.articles, len(a))} of {len(a)} by time):")
        head = a.head(args.articles)
        whens = head["published_at"].dt.strftime("%Y-%m-%d %H:%M")
        for when, aid, pub, title in zip(
            whens, head["article_id"], head["publisher"], head["title"], strict=True
        ):
            publisher = pub if isinstance(pub, str) else "-"
            print(f"  {when}  {aid:<22} {publisher:<8} {title[:40]}")
    if len(news.skipped):
        print("skipped inputs:")
        for r in news.skipped.itertuples(index=False):
            print(f"  {r.origin}: {r.reason}: {r.message}")
    if out is not None:
        tags = news.tags(min_score=0.0 if args.min_score is None else args.min_score)
        shared = news.with_relative_origins()  # origins relative to the news folder
        art = shared.articles[["article_id", "published_at", "title", "publisher", "origin"]]
        table = tags.merge(art, on="article_id", how="left")
        _write_tags(table, out)
        print(f"wrote {len(table)} tags to {out}")
    return EXIT_OK


def _write_tags(table: Any, out: Path) -> None:
    """The tag table of ``eventstudy news --out``: CSV (formulas neutralised) or Parquet."""
    from eventstudy.report.files import output_file, output_path_error, write_csv

    if out.suffix.lower() == ".csv":
        write_csv(table, out)
        return
    output_file(out, what="Parquet file")
    try:
        table.to_parquet(out, index=False)
    except OSError as err:
        raise output_path_error(out, err, what="Parquet file") from None


# ----------------------------------------------------------------------------- cache


def _add_cache(sub: Any) -> None:
    p = sub.add_parser("cache", help="list or clear the price cache")
    actions = p.add_subparsers(dest="cache_command", metavar="ACTION")
    common = argparse.ArgumentParser(add_help=False)
    _add_cache_dir(common)
    ls = actions.add_parser("ls", parents=[common], help="list cache entries")
    ls.add_argument("symbol", nargs="?", default=None, help="only this symbol")
    ls.set_defaults(handler=_cache_ls)
    clear = actions.add_parser("clear", parents=[common], help="delete cache entries")
    clear.add_argument("symbol", nargs="?", default=None, help="only this symbol (default: all)")
    clear.add_argument("--source", default=None, help="only this source (akshare, yfinance, ...)")
    clear.set_defaults(handler=_cache_clear)

    def _help(args: argparse.Namespace) -> int:
        p.print_help()
        return EXIT_BAD_INPUT

    p.set_defaults(handler=_help)


def _price_cache(args: argparse.Namespace) -> PriceCache:
    from eventstudy.market import PriceCache

    return PriceCache(args.cache_dir)


def _cache_ls(args: argparse.Namespace) -> int:
    from eventstudy.symbols import normalize

    cache = _price_cache(args)
    table = cache.entries()
    if args.symbol:
        table = table[table["symbol"] == normalize(args.symbol)]
    if table.empty:
        print(f"cache {cache.root}/: empty")
        return EXIT_OK
    columns = ["source", "symbol", "field", "adjust", "rows", "covered", "retrieved_at", "status"]
    if "reason" in table and (table["reason"].fillna("") != "").any():
        columns.append("reason")  # why an entry is corrupt
    shown = table[columns]
    print(f"cache {cache.root}/: {len(table)} entries, {int(table['bytes'].sum())} bytes")
    print(shown.to_string(index=False))
    return EXIT_OK


def _cache_clear(args: argparse.Namespace) -> int:
    from eventstudy.symbols import normalize

    cache = _price_cache(args)
    symbol = normalize(args.symbol) if args.symbol else None
    n = cache.clear(symbol, source=args.source)
    what = symbol or "all symbols"
    print(f"removed {n} cache entr{'y' if n == 1 else 'ies'} ({what}) from {cache.root}/")
    return EXIT_OK


# ----------------------------------------------------------------------------- feed


def _add_feed(sub: Any) -> None:
    from eventstudy._typing import NewsFeed

    p = sub.add_parser(
        "feed",
        help="fetch live news feeds into the news archive, or list the archive",
        description="Fetch live news feeds through akshare (Eastmoney stock news, Eastmoney / "
        "CLS / Sina 7x24) and append them to the news archive in the cache.",
    )
    actions = p.add_subparsers(dest="feed_command", metavar="ACTION")
    common = argparse.ArgumentParser(add_help=False)
    _add_cache_dir(common)
    fetch = actions.add_parser(
        "fetch", parents=[common], help="fetch feeds and append them to the archive"
    )
    fetch.add_argument("feeds", nargs="+", choices=get_args(NewsFeed), metavar="FEED",
                       help=f"one or more of {', '.join(get_args(NewsFeed))}")  # fmt: skip
    fetch.add_argument(
        "--symbol", action="append", default=None, help="em_stock: a stock code (repeatable)"
    )
    fetch.add_argument(
        "--no-archive", action="store_true", help="only print what was fetched; archive nothing"
    )
    fetch.add_argument("--articles", type=int, default=5, help="newest titles to print per fetch")
    fetch.add_argument("--timeout", type=float, default=None, help="seconds per HTTP request")
    fetch.add_argument("--deadline", type=float, default=None, help="seconds per feed in all")
    fetch.add_argument("--offline", action="store_true", default=None, help="refuse (no network)")
    fetch.set_defaults(handler=_feed_fetch)
    ls = actions.add_parser("ls", parents=[common], help="list the news archive and its gaps")
    ls.set_defaults(handler=_feed_ls)

    def _help(args: argparse.Namespace) -> int:
        p.print_help()
        return EXIT_BAD_INPUT

    p.set_defaults(handler=_help)


def _feed_jobs(args: argparse.Namespace) -> list[tuple[Any, str | None]]:
    """(feed, symbol) pairs of ``feed fetch``: em_stock once per ``--symbol``."""
    from eventstudy.news.feeds import FEEDS

    symbols = args.symbol or []
    if symbols and not any(FEEDS[f].needs_symbol for f in args.feeds):
        raise ConfigError("--symbol applies to em_stock only; add em_stock or drop --symbol")
    jobs: list[tuple[Any, str | None]] = []
    for feed in dict.fromkeys(args.feeds):
        if FEEDS[feed].needs_symbol:
            jobs.extend((feed, s) for s in (symbols or [None]))
        else:
            jobs.append((feed, None))
    return jobs


def _exit_code(err: EventStudyError) -> int:
    if isinstance(err, DataUnavailableError):
        return EXIT_DATA_UNAVAILABLE
    return EXIT_PROVIDER if isinstance(err, ProviderError) else EXIT_BAD_INPUT


def _feed_fetch(args: argparse.Namespace) -> int:
    from eventstudy.news.archive import append_fetch
    from eventstudy.news.feeds import DEFAULT_DEADLINE, DEFAULT_TIMEOUT, fetch_feed

    worst = EXIT_OK
    for feed, symbol in _feed_jobs(args):
        what = f"{feed}{f' {symbol}' if symbol else ''}"
        try:
            got = fetch_feed(
                feed,
                symbol=symbol,
                offline=args.offline,
                timeout=DEFAULT_TIMEOUT if args.timeout is None else args.timeout,
                deadline=DEFAULT_DEADLINE if args.deadline is None else args.deadline,
            )
            if args.no_archive:
                print(f"{what}: {len(got.news.articles)} items (not archived)")
            else:
                print(append_fetch(got, cache_dir=args.cache_dir))
        except EventStudyError as err:  # report, go on with the other feeds
            print(f"eventstudy: {what}: {err}", file=sys.stderr)
            worst = max(worst, _exit_code(err))
            continue
        newest = got.news.articles.sort_values("published_at", ascending=False)
        for when, title in zip(
            newest["published_at"].head(args.articles).dt.strftime("%m-%d %H:%M"),
            newest["title"].head(args.articles),
            strict=True,
        ):
            print(f"  {when}  {title[:50]}")
    return worst


def _feed_ls(args: argparse.Namespace) -> int:
    from eventstudy.news.archive import archive_path, archive_status

    table = archive_status(cache_dir=args.cache_dir)
    folder = archive_path("cls", cache_dir=args.cache_dir).parent
    if table.empty:
        print(f"news archive {folder}/: empty (eventstudy feed fetch cls fills it)")
        return EXIT_OK
    print(f"news archive {folder}/: {int(table['articles'].sum())} items")
    shown = table[["feed", "query", "articles", "first", "last", "fetches", "last_fetch", "n_gaps"]]
    for c in ("first", "last", "last_fetch"):
        shown = shown.assign(**{c: shown[c].map(_minute)})
    print(shown.to_string(index=False))
    for row in table[table["n_gaps"] > 0].to_dict("records"):
        key = f"{row['feed']} {row['query']}".strip()
        print(f"gaps of {key}: {row['gaps']}")
    return EXIT_OK


def _minute(value: Any) -> str:
    """A timestamp as ``YYYY-MM-DD HH:MM`` (``-`` for a missing one)."""
    try:
        return str(value.strftime("%Y-%m-%d %H:%M"))
    except (AttributeError, ValueError):  # None, NaT
        return "-"


# ----------------------------------------------------------------------------- calendar


def _add_calendar(sub: Any) -> None:
    p = sub.add_parser("calendar", help="show (or --refresh) the trading calendar's horizon")
    p.add_argument("--refresh", action="store_true", help="fetch Sina's trading days first")
    _add_cache_dir(p)
    p.set_defaults(handler=_calendar)


def _calendar(args: argparse.Namespace) -> int:
    from eventstudy.calendar import default_calendar, read_stored_calendar

    if args.refresh:
        from eventstudy.market import refresh_calendar

        refresh_calendar(cache_dir=args.cache_dir)
    cal = default_calendar(args.cache_dir)
    stored = read_stored_calendar(args.cache_dir)
    print(f"sessions {cal.first.date()}..{cal.last.date()} ({len(cal)}); after "
          f"{cal.last.date()} every weekday is taken as a session (holidays unknown)")  # fmt: skip
    print(f"sources: {cal.source}")
    if stored is None:
        print("stored calendar: none (eventstudy calendar --refresh fetches Sina's list)")
    else:
        print(f"stored calendar: {stored.path} ({stored.source}, retrieved "
              f"{stored.retrieved_at:%Y-%m-%d %H:%M %Z}, to {stored.last.date()})")  # fmt: skip
    return EXIT_OK


# ----------------------------------------------------------------------------- demo and run


def _add_demo(sub: Any) -> None:
    p = sub.add_parser(
        "demo",
        help="the main job on the bundled data (no network) → a briefing",
        description="Run news → tags → events → prices → event study → briefing on the "
        "bundled posts and prices, offline.",
    )
    p.add_argument("--out", default="briefing", help="output folder (default: ./briefing)")
    p.add_argument(
        "--formats",
        default=None,
        help="comma-separated briefing formats among html,png,csv,parquet (default: all)",
    )
    p.set_defaults(handler=_demo)


def _add_run(sub: Any) -> None:
    p = sub.add_parser(
        "run",
        help="the main job on your news and data sources, configured in TOML",
        description="Run news → tags → events → prices → event study → briefing as "
        "configured in CONFIG.toml (see data/example_run.toml).",
    )
    p.add_argument("config", help="TOML configuration file")
    p.add_argument(
        "--offline",
        action="store_true",
        default=None,
        help="never use the network: cache and bundled data only",
    )
    p.add_argument("--out", default=None, help="output folder (overrides output.dir)")
    p.add_argument("--formats", default=None, help="comma-separated formats (overrides)")
    p.set_defaults(handler=_run)


def _formats(text: str | None) -> tuple[BriefingFormat, ...] | None:
    """``--formats html,csv`` as a tuple (None: the configuration's)."""
    if text is None:
        return None
    allowed: tuple[str, ...] = get_args(BriefingFormat)
    items = tuple(f.strip() for f in text.split(",") if f.strip())
    bad = [f for f in items if f not in allowed]
    if bad:
        raise ConfigError(f"--formats: unknown {bad}; use any of {', '.join(allowed)}")
    return cast("tuple[BriefingFormat, ...]", items)


def _report(run: PipelineResult, seconds: float, quiet: bool) -> None:
    print(run.summary())
    if not quiet:
        for note in run.notes:
            print(f"note: {note}", file=sys.stderr)
        if run.proxies:
            print(
                f"note: {len(run.proxies)} board series are proxies built from their "
                "constituents (details in the briefing's provenance table)",
                file=sys.stderr,
            )
    print(f"done in {seconds:.1f} s")


def _demo(args: argparse.Namespace) -> int:
    from eventstudy.pipeline import demo

    t0 = time.perf_counter()
    run = demo(out=args.out, formats=_formats(args.formats), progress=not args.quiet)
    _report(run, time.perf_counter() - t0, args.quiet)
    return EXIT_OK


def _run(args: argparse.Namespace) -> int:
    from eventstudy.pipeline import run_pipeline

    t0 = time.perf_counter()
    run = run_pipeline(
        args.config,
        out=args.out,
        offline=args.offline,
        formats=_formats(args.formats),
        progress=not args.quiet,
    )
    _report(run, time.perf_counter() - t0, args.quiet)
    return EXIT_OK


# ----------------------------------------------------------------------------- backtest


def _add_backtest(sub: Any) -> None:
    p = sub.add_parser(
        "backtest",
        help="backtest trading on news events (trades, equity curve, placebo test, HTML)",
        description=(
            "Backtest a news-signal strategy described by a TOML config: events from news "
            "or an events CSV, entry at the day-0 close or next open, A-share suspension and "
            "price-limit rules, a placebo (random dates) significance test. Writes CSV tables "
            "and a self-contained backtest.html."
        ),
    )
    p.add_argument("config", help="TOML config (see data/example_backtest.toml)")
    p.add_argument("--out", default=None, help="output folder (overrides [output] dir)")
    p.add_argument(
        "--offline", action="store_true", help="never touch the network (cache + bundled data)"
    )
    p.set_defaults(handler=_backtest)


def _backtest(args: argparse.Namespace) -> int:
    from eventstudy.pipeline import run_backtest_config

    with warnings.catch_warnings(record=True) as caught:  # said as notes, like `run`
        warnings.simplefilter("always")
        run = run_backtest_config(
            args.config, args.out, offline=True if args.offline else None, progress=not args.quiet
        )
    text = str(run.summary())
    print(text)  # the text of summary.txt: the summary and the run's notes
    if not args.quiet:
        said = {str(w.message) for w in caught if str(w.message) not in text}
        for message in sorted(said):
            print(f"note: {message}", file=sys.stderr)
    print(f"wrote {len(run.files.files)} files to {run.files.out_dir}")
    return EXIT_OK


# ----------------------------------------------------------------------------- reference


def _add_reference(sub: Any) -> None:
    from eventstudy._typing import RefreshWhat

    p = sub.add_parser(
        "reference",
        help="refresh, list and query the security master (codes, names, boards, members)",
        description=(
            "The security master is the bundled tables plus the dated snapshots that "
            "`reference refresh` writes to the cache (akshare; needs the network). Offline, "
            "the newest snapshots are used."
        ),
    )
    actions = p.add_subparsers(dest="reference_command", metavar="ACTION")
    common = argparse.ArgumentParser(add_help=False)
    _add_cache_dir(common)
    common.add_argument(
        "--quiet", "-q", action="store_true", default=argparse.SUPPRESS, help="no progress lines"
    )
    refresh = actions.add_parser(
        "refresh", parents=[common], help="ask akshare and add dated snapshots to the store"
    )
    refresh.add_argument(
        "--what",
        default=None,
        help=f"comma-separated among {','.join(get_args(RefreshWhat))} (default: names,boards; "
        "members when --boards is given)",
    )
    refresh.add_argument(
        "--boards",
        default=None,
        help="comma-separated board codes or names for --what members (default: every board)",
    )
    refresh.add_argument(
        "--deadline",
        type=float,
        default=None,
        help="seconds after which no further call starts (default: 3600)",
    )
    refresh.set_defaults(handler=_reference_refresh)
    ls = actions.add_parser("ls", parents=[common], help="list the snapshots in the store")
    ls.set_defaults(handler=_reference_ls)
    lookup = actions.add_parser(
        "lookup", parents=[common], help="find codes by name, former name, alias or code"
    )
    lookup.add_argument("query", help="a name, part of one, or a code (茅台, 600519, 白酒)")
    lookup.add_argument(
        "--kind", default=None, help="comma-separated among stock,index,board,foreign"
    )
    lookup.add_argument("--limit", type=int, default=10, help="at most this many rows")
    lookup.set_defaults(handler=_reference_lookup)
    members = actions.add_parser(
        "members", parents=[common], help="member stocks of a board on a date"
    )
    members.add_argument("board", help="board code, e.g. BK0896")
    members.add_argument("--as-of", default=None, help="date (default: the newest snapshot)")
    members.set_defaults(handler=_reference_members)

    def _help(args: argparse.Namespace) -> int:
        p.print_help()
        return EXIT_BAD_INPUT

    p.set_defaults(handler=_help)


def _split(text: str | None) -> list[str] | None:
    return None if text is None else [t.strip() for t in text.split(",") if t.strip()]


def _reference_refresh(args: argparse.Namespace) -> int:
    from eventstudy.market.refresh import DEFAULT_DEADLINE, refresh_reference

    quiet = bool(getattr(args, "quiet", False))
    with contextlib.ExitStack() as stack:
        if quiet:  # akshare draws its own progress bars on stderr
            stack.enter_context(contextlib.redirect_stderr(io.StringIO()))
        report = refresh_reference(
            cast("list[RefreshWhat] | None", _split(args.what)),
            boards=_split(args.boards),
            cache_dir=args.cache_dir,
            deadline=DEFAULT_DEADLINE if args.deadline is None else args.deadline,
            progress=None if quiet else (lambda line: print(line, file=sys.stderr)),
        )
    print(report.summary())
    for snap in report.snapshots:
        print(f"wrote {snap.rows} {snap.table} rows to {snap.path}")
    if not report.ok:
        stored = "what was fetched is stored" if report.snapshots else "nothing was stored"
        print(f"eventstudy: provider failed for part of the refresh ({stored})", file=sys.stderr)
        return EXIT_PROVIDER
    return EXIT_OK


def _reference_ls(args: argparse.Namespace) -> int:
    from eventstudy.reference.store import ReferenceStore

    store = ReferenceStore(args.cache_dir)
    table = store.listing()
    if table.empty:
        print(f"reference store {store.root}/: empty (the bundled master is used)")
        return EXIT_OK
    print(f"reference store {store.root}/: {len(table)} snapshots")
    shown = table[["table", "as_of", "what", "rows", "status", "note"]].copy()
    shown["note"] = shown["note"].str.slice(0, 40)
    print(shown.to_string(index=False))
    members = table[(table["table"] == "members") & (table["status"] == "ok")]
    if len(members):
        days = sorted(set(members["as_of"]))
        print(f"membership snapshots: {len(days)} day(s), {days[0]} .. {days[-1]}")
    return EXIT_OK


def _reference_lookup(args: argparse.Namespace) -> int:
    from eventstudy.reference.store import current_master

    kinds = cast("list[SymbolKind] | None", _split(args.kind))
    hits = current_master(args.cache_dir).lookup(args.query, kinds=kinds, limit=args.limit)
    if hits.empty:
        print(f"no code matches {args.query!r}", file=sys.stderr)
        return EXIT_DATA_UNAVAILABLE
    print(hits.to_string(index=False))
    return EXIT_OK


def _reference_members(args: argparse.Namespace) -> int:
    from eventstudy.reference.store import current_master

    table = current_master(args.cache_dir).members(args.board, as_of=args.as_of)
    snapshot = str(table["snapshot"].iloc[0].date())
    print(f"{args.board}: {len(table)} members, snapshot {snapshot} ({table['source'].iloc[0]})")
    if bool(table["look_ahead"].iloc[0]):
        print(
            f"note: the earliest snapshot ({snapshot}) is after {args.as_of}: membership "
            "observed later (look-ahead and survivorship bias)",
            file=sys.stderr,
        )
    print(table[["symbol", "name"]].to_string(index=False))
    return EXIT_OK


# ----------------------------------------------------------------------------- main


def build_parser() -> argparse.ArgumentParser:
    """The argument parser with every subcommand."""
    from eventstudy import __version__

    parser = argparse.ArgumentParser(
        prog="eventstudy",
        description="Event studies of Chinese stock, index and board prices around news.",
    )
    parser.add_argument("--version", action="store_true", help="print the version and exit")
    parser.add_argument("--quiet", "-q", action="store_true", help="no progress bars")
    sub = parser.add_subparsers(dest="command", metavar="COMMAND")
    for add in (
        _add_news,
        _add_feed,
        _add_cache,
        _add_reference,
        _add_calendar,
        _add_demo,
        _add_run,
        _add_backtest,
    ):
        add(sub)
    for sp in sub.choices.values():
        # also accept -q after the subcommand (`eventstudy demo -q`); SUPPRESS keeps the
        # value given before it when the flag is absent here
        sp.add_argument(
            "--quiet", "-q", action="store_true", default=argparse.SUPPRESS, help="no progress bars"
        )
    parser.set_defaults(version_string=f"eventstudy {__version__}")
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    """Run the command line; returns the exit code (see the module docstring)."""
    parser = build_parser()
    args = parser.parse_args(argv)
    if args.version:
        print(args.version_string)
        return EXIT_OK
    if not getattr(args, "handler", None):
        parser.print_help()
        return EXIT_BAD_INPUT
    log, level = logging.getLogger("eventstudy"), logging.getLogger("eventstudy").level
    if getattr(args, "quiet", False):  # -q: no progress lines (the price layer's too)
        log.setLevel(logging.ERROR)
    try:
        return int(args.handler(args) or EXIT_OK)
    except DataUnavailableError as err:
        print(f"eventstudy: data unavailable: {err}", file=sys.stderr)
        return EXIT_DATA_UNAVAILABLE
    except ProviderError as err:
        print(f"eventstudy: provider failed: {err}", file=sys.stderr)
        return EXIT_PROVIDER
    except (EventStudyError, FileNotFoundError, ValueError) as err:
        print(f"eventstudy: {err}", file=sys.stderr)
        return EXIT_BAD_INPUT
    except OSError as err:  # a path given on the command line: bad input, not a bug
        if err.filename is None:
            raise
        print(f"eventstudy: {_os_error(err)}", file=sys.stderr)
        return EXIT_BAD_INPUT
    finally:
        log.setLevel(level)


def _os_error(err: OSError) -> str:
    """An operating-system error on a path, in words: the path, the reason, what to do."""
    path = err.filename if err.filename2 is None else f"{err.filename} -> {err.filename2}"
    return (
        f"{path}: {err.strerror or err}; check the path and its permissions "
        "(an output folder must be a folder you can write to)"
    )


def _entry() -> None:  # pragma: no cover - console script wrapper
    sys.exit(main())


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
