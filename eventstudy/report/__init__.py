"""Reports: self-contained HTML pages, PNG charts and table files of study and backtest results.

=============================== ==============================================
module                          what
=============================== ==============================================
:mod:`~.html`                   the one HTML writer: page skeleton, CSS,
                                tables, figures, atomic writes
:mod:`~.png`                    PNG export (kaleido + a Chromium-family browser)
:mod:`~.study`                  the study briefing, :func:`briefing`
                                (``eventstudy.briefing``)
:mod:`~.backtest`               the backtest page and files, :func:`write_backtest`
=============================== ==============================================

Data flows one way: results → :mod:`eventstudy.plotting` (figures) → this
package (pages and files) → :mod:`eventstudy.pipeline` → the CLI.
"""

from __future__ import annotations

from eventstudy.report.backtest import (
    NEWS_SKIPPED_FILE,
    BacktestFiles,
    backtest_page,
    write_backtest,
)
from eventstudy.report.png import find_browser, write_pngs
from eventstudy.report.study import (
    CAAR_UNITS,
    CHARTS,
    DEFAULT_FORMATS,
    DEFAULT_PRICE_CHARTS,
    DEFAULT_TOP_EVENTS,
    FORMATS,
    HEADLINE_LABELS,
    HEADLINE_TESTS,
    PROVENANCE_LABELS,
    TEST_NAMES,
    BriefingFiles,
    briefing,
    caar_label,
    duplicate_proxy_notes,
    format_caar,
    headline_table,
    methodology_notes,
)

__all__ = [
    "CAAR_UNITS",
    "CHARTS",
    "DEFAULT_FORMATS",
    "DEFAULT_PRICE_CHARTS",
    "DEFAULT_TOP_EVENTS",
    "FORMATS",
    "HEADLINE_LABELS",
    "HEADLINE_TESTS",
    "NEWS_SKIPPED_FILE",
    "PROVENANCE_LABELS",
    "TEST_NAMES",
    "BacktestFiles",
    "BriefingFiles",
    "backtest_page",
    "briefing",
    "caar_label",
    "duplicate_proxy_notes",
    "find_browser",
    "format_caar",
    "headline_table",
    "methodology_notes",
    "write_backtest",
    "write_pngs",
]
