"""``eventstudy backtest CONFIG.toml [--out DIR]``: a news-signal backtest from a TOML file.

The config format is documented in :mod:`eventstudy.backtesting.config`; the files
written in :mod:`eventstudy.backtesting.report`. An example ships as
``data/example_backtest.toml``.

Progress bars (loading news, fetching prices, placebo runs) go to stderr;
``-q``/``--quiet`` silences them only, as for ``demo`` and ``run``. The summary
and the list of files go to stdout.
"""

from __future__ import annotations

import argparse
from typing import Any

__all__ = ["register"]


def register(subparsers: Any) -> None:
    """Add the ``backtest`` subcommand to the ``eventstudy`` parser."""
    p = subparsers.add_parser(
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
    p.set_defaults(handler=_run)


def _run(args: argparse.Namespace) -> int:
    from eventstudy.pipeline import run_backtest_config

    run = run_backtest_config(
        args.config, args.out, offline=True if args.offline else None, progress=not args.quiet
    )
    print(run.summary())  # the text of summary.txt: the summary and the run's notes
    print(f"wrote {len(run.files.files)} files to {run.files.out_dir}")
    return 0
