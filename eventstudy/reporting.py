"""Deprecated: the briefing moved to :mod:`eventstudy.report` (``eventstudy.briefing`` stays).

Every name this module had is still here for one release, each access warning
with a :class:`DeprecationWarning` that names its new home, e.g.
``from eventstudy.reporting import briefing`` → ``from eventstudy.report import briefing``.
"""

from __future__ import annotations

import warnings
from typing import Any

from eventstudy import report as _report
from eventstudy.report import png as _png

#: The public names this module had (each now in eventstudy.report).
_OLD_NAMES = (
    "CHARTS",
    "FORMATS",
    "HEADLINE_TESTS",
    "TEST_NAMES",
    "BriefingFiles",
    "briefing",
    "duplicate_proxy_notes",
    "find_browser",
    "headline_table",
)

# old name -> (where it is now, the object)
_MOVED: dict[str, tuple[str, Any]] = {
    **{name: (f"eventstudy.report.{name}", getattr(_report, name)) for name in _OLD_NAMES},
    # patched by callers that wanted no PNG export; the export is now report.png.write_pngs
    "_write_pngs": ("eventstudy.report.png.write_pngs", _png.write_pngs),
}


def __getattr__(name: str) -> Any:
    if name in _MOVED:
        new, value = _MOVED[name]
        warnings.warn(
            f"eventstudy.reporting.{name} is deprecated; use {new}",
            DeprecationWarning,
            stacklevel=2,
        )
        return value
    raise AttributeError(f"module 'eventstudy.reporting' has no attribute {name!r}")
