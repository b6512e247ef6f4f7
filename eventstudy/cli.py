"""The ``eventstudy`` command line.

Each feature module owns its subcommands in a private ``_cli`` module with a
``register(subparsers)`` function; this module only composes them and maps
errors to exit codes.

Exit codes
----------
====  ==============================================================
0     success
1     unexpected error (a bug: please report it with the traceback)
2     bad input: invalid config, symbol, file or argument
3     data unavailable (offline and not cached, or not in the snapshot)
4     a data provider failed after its retries
====  ==============================================================

Examples
--------
>>> main(["--version"])  # doctest: +ELLIPSIS
eventstudy ...
0
"""

from __future__ import annotations

import argparse
import importlib
import sys
from collections.abc import Sequence

from eventstudy.exceptions import (
    DataUnavailableError,
    EventStudyError,
    ProviderError,
)

__all__ = ["EXIT_BAD_INPUT", "EXIT_DATA_UNAVAILABLE", "EXIT_OK", "EXIT_PROVIDER", "main"]

EXIT_OK = 0
EXIT_ERROR = 1
EXIT_BAD_INPUT = 2
EXIT_DATA_UNAVAILABLE = 3
EXIT_PROVIDER = 4

#: Modules that contribute subcommands (each has ``register(subparsers)``).
_COMMAND_MODULES = (
    "eventstudy.news._cli",
    "eventstudy.market._cli",
    "eventstudy.study._cli",
    "eventstudy._cli_pipeline",
    "eventstudy._cli_backtest",
)


def build_parser() -> argparse.ArgumentParser:
    """The argument parser with every available subcommand registered."""
    from eventstudy import __version__

    parser = argparse.ArgumentParser(
        prog="eventstudy",
        description="Event studies of Chinese stock, index and board prices around news.",
    )
    parser.add_argument("--version", action="store_true", help="print the version and exit")
    parser.add_argument("--quiet", "-q", action="store_true", help="no progress bars")
    sub = parser.add_subparsers(dest="command", metavar="COMMAND")
    for name in _COMMAND_MODULES:
        try:
            module = importlib.import_module(name)
        except ModuleNotFoundError as err:
            if err.name and (name == err.name or name.startswith(err.name + ".")):
                # that feature is not part of this build
                continue
            raise
        module.register(sub)
    for sp in sub.choices.values():
        # also accept -q after the subcommand (`eventstudy demo -q`); SUPPRESS keeps the
        # value given before it when the flag is absent here
        sp.add_argument(
            "--quiet", "-q", action="store_true", default=argparse.SUPPRESS, help="no progress bars"
        )
    parser.set_defaults(version_string=f"eventstudy {__version__}")
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    """Run the command line; returns the exit code."""
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
