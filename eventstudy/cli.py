"""The ``eventstudy`` command line: every subcommand.

``eventstudy news PATH [--out FILE] [--min-score X] [--top N] [--articles N] [--errors E]``
    Load posts or a news table, print articles, skipped inputs and the
    most-tagged securities; optionally write the tag table (CSV or Parquet).
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
import sys
import time
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
        art = news.articles[["article_id", "published_at", "title", "publisher", "origin"]]
        table = tags.merge(art, on="article_id", how="left")
        if out.suffix.lower() == ".csv":
            table.to_csv(out, index=False)
        else:
            table.to_parquet(out, index=False)
        print(f"wrote {len(table)} tags to {out}")
    return EXIT_OK


# ----------------------------------------------------------------------------- cache


def _add_cache(sub: Any) -> None:
    p = sub.add_parser("cache", help="list or clear the price cache")
    actions = p.add_subparsers(dest="cache_command", metavar="ACTION")
    common = argparse.ArgumentParser(add_help=False)
    common.add_argument(
        "--cache-dir", default=None, help="cache folder (default: $EVENTSTUDY_CACHE or user cache)"
    )
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
    shown = table[
        ["source", "symbol", "field", "adjust", "rows", "covered", "retrieved_at", "status"]
    ]
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


# ----------------------------------------------------------------------------- calendar


def _add_calendar(sub: Any) -> None:
    p = sub.add_parser("calendar", help="show (or --refresh) the trading calendar's horizon")
    p.add_argument("--refresh", action="store_true", help="fetch Sina's trading days first")
    p.add_argument(
        "--cache-dir", default=None, help="cache folder (default: $EVENTSTUDY_CACHE or user cache)"
    )
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

    run = run_backtest_config(
        args.config, args.out, offline=True if args.offline else None, progress=not args.quiet
    )
    print(run.summary())  # the text of summary.txt: the summary and the run's notes
    print(f"wrote {len(run.files.files)} files to {run.files.out_dir}")
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
    for add in (_add_news, _add_cache, _add_calendar, _add_demo, _add_run, _add_backtest):
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


def _entry() -> None:  # pragma: no cover - console script wrapper
    sys.exit(main())


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
