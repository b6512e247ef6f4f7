"""``eventstudy demo`` and ``eventstudy run CONFIG.toml``: the main job from the command line.

``eventstudy demo [--out DIR]``
    The whole pipeline on the data that ships with the package, with no
    network: bundled posts → tags → events → bundled prices (boards as
    labelled proxies of their constituents) → market model against the CSI 300
    → briefing. Prints a summary (events analysed/dropped, CAAR per window with
    p-values) and where the files are.

``eventstudy run CONFIG.toml [--offline] [--out DIR]``
    The same on your own news and data sources, configured in TOML (see
    :mod:`eventstudy.config`; an example is ``data/example_run.toml``).

Progress bars go to stderr (``eventstudy --quiet ...`` silences them); the
summary goes to stdout. Exit codes: 0 ok, 2 bad input (invalid config - the
message names the key -, missing file), 3 data unavailable (offline and not
cached), 4 a data provider failed, 1 a bug.

Examples
--------
>>> import argparse
>>> parser = argparse.ArgumentParser(prog="eventstudy")
>>> register(parser.add_subparsers(dest="command"))
>>> parser.parse_args(["run", "my.toml", "--offline"]).offline
True
"""

from __future__ import annotations

import argparse
import sys
import time
from typing import Any, cast, get_args

from eventstudy._typing import OutputFormat

__all__ = ["register"]


def register(subparsers: Any) -> None:
    """Add the ``demo`` and ``run`` subcommands."""
    p = subparsers.add_parser(
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

    p = subparsers.add_parser(
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


def _formats(text: str | None) -> tuple[OutputFormat, ...] | None:
    if text is None:
        return None
    from eventstudy.exceptions import ConfigError

    allowed: tuple[OutputFormat, ...] = get_args(OutputFormat)
    items = tuple(f.strip() for f in text.split(",") if f.strip())
    bad = [f for f in items if f not in allowed]
    if bad:
        raise ConfigError(f"--formats: unknown {bad}; use any of {', '.join(allowed)}")
    return cast("tuple[OutputFormat, ...]", items)


def _report(run: Any, seconds: float, quiet: bool) -> None:
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
    return 0


def _run(args: argparse.Namespace) -> int:
    from eventstudy.config import load_config
    from eventstudy.pipeline import run_pipeline

    t0 = time.perf_counter()
    cfg = load_config(args.config)
    run = run_pipeline(
        cfg,
        out=args.out,
        offline=args.offline,
        formats=_formats(args.formats),
        progress=not args.quiet,
    )
    _report(run, time.perf_counter() - t0, args.quiet)
    return 0
