"""``eventstudy cache ls`` and ``eventstudy cache clear [SYMBOL]``.

Examples
--------
>>> import argparse, tempfile
>>> parser = argparse.ArgumentParser(prog="eventstudy")
>>> register(parser.add_subparsers(dest="command"))
>>> args = parser.parse_args(["cache", "ls", "--cache-dir", tempfile.mkdtemp()])
>>> args.quiet = False
>>> args.handler(args)  # doctest: +ELLIPSIS
cache .../: empty
0
"""

from __future__ import annotations

import argparse
from typing import Any

from eventstudy.market.cache import PriceCache
from eventstudy.symbols import normalize

__all__ = ["register"]


def _cache(args: argparse.Namespace) -> PriceCache:
    return PriceCache(args.cache_dir)


def _ls(args: argparse.Namespace) -> int:
    cache = _cache(args)
    table = cache.entries()
    if args.symbol:
        table = table[table["symbol"] == normalize(args.symbol)]
    if table.empty:
        print(f"cache {cache.root}/: empty")
        return 0
    shown = table[
        ["source", "symbol", "field", "adjust", "rows", "covered", "retrieved_at", "status"]
    ]
    print(f"cache {cache.root}/: {len(table)} entries, {int(table['bytes'].sum())} bytes")
    print(shown.to_string(index=False))
    return 0


def _clear(args: argparse.Namespace) -> int:
    cache = _cache(args)
    symbol = normalize(args.symbol) if args.symbol else None
    n = cache.clear(symbol, source=args.source)
    what = symbol or "all symbols"
    print(f"removed {n} cache entr{'y' if n == 1 else 'ies'} ({what}) from {cache.root}/")
    return 0


def register(subparsers: Any) -> None:
    """Add the ``cache`` command with ``ls`` and ``clear``."""
    p = subparsers.add_parser("cache", help="list or clear the price cache")
    sub = p.add_subparsers(dest="cache_command", metavar="ACTION")
    common = argparse.ArgumentParser(add_help=False)
    common.add_argument(
        "--cache-dir", default=None, help="cache folder (default: $EVENTSTUDY_CACHE or user cache)"
    )
    ls = sub.add_parser("ls", parents=[common], help="list cache entries")
    ls.add_argument("symbol", nargs="?", default=None, help="only this symbol")
    ls.set_defaults(handler=_ls)
    clear = sub.add_parser("clear", parents=[common], help="delete cache entries")
    clear.add_argument("symbol", nargs="?", default=None, help="only this symbol (default: all)")
    clear.add_argument("--source", default=None, help="only this source (akshare, yfinance, ...)")
    clear.set_defaults(handler=_clear)

    def _help(args: argparse.Namespace) -> int:
        p.print_help()
        return 2

    p.set_defaults(handler=_help)
