"""Progress bars of a backtest: tqdm on stderr, or nothing.

Examples
--------
>>> with Progress(3, "placebo runs", enabled=False) as bar:
...     bar.update(3)
>>> bar.n
3
"""

from __future__ import annotations

import importlib
import sys
from types import TracebackType
from typing import Any

__all__ = ["Progress"]


class Progress:
    """A tqdm bar written to stderr (``enabled=False``: counts silently)."""

    def __init__(self, total: int, desc: str, *, enabled: bool, unit: str = "it") -> None:
        self.n = 0
        self._bar: Any = None
        if enabled:
            tqdm = importlib.import_module("tqdm").tqdm  # no type stubs needed for one call
            self._bar = tqdm(total=total, desc=desc, file=sys.stderr, unit=unit, leave=False)

    def update(self, n: int = 1) -> None:
        """Advance by ``n``."""
        self.n += n
        if self._bar is not None:
            self._bar.update(n)

    def close(self) -> None:
        """Remove the bar."""
        if self._bar is not None:
            self._bar.close()
            self._bar = None

    def __enter__(self) -> Progress:
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.close()
