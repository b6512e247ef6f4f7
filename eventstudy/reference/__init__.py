"""Reference data: the security master and the full-market price extract.

A read-only base layer (it imports only :mod:`eventstudy.symbols`,
:mod:`eventstudy.datasets`, :mod:`eventstudy.exceptions`, pandas and pyarrow,
and never the network):

- :func:`load_master` / :class:`SecurityMaster`: every A-share code of the 2023
  and 2026 code lists with exchange, segment, list date and status; the main
  indices; Eastmoney boards with their type; names, former names, aliases and
  spelling variants; dated board membership; reviewed A+H / ADR pairs. Bundled
  in ``data/reference/``; refresh snapshots are layered on with
  ``load_master(extra_snapshots=...)``.
- :func:`current_master` / :class:`ReferenceStore` (:mod:`eventstudy.reference.store`):
  the master the package uses, the bundled tables plus the dated snapshots that
  ``eventstudy reference refresh`` wrote to the cache (read offline, never refreshed).
- :func:`load_extract`: daily open, high, low, close and volume of every stock
  of the full-market file from 2021-07-27 to 2022-12-31.

Sources, columns and what is live-only: ``data/README.md``.

Examples
--------
>>> from eventstudy.reference import load_master
>>> m = load_master()
>>> m.lookup("赛力斯").code.iloc[0], m.lookup("小康股份").code.iloc[0]
('601127.SH', '601127.SH')
"""

from __future__ import annotations

from eventstudy.reference.extract import (
    EXTRACT_FIELDS,
    EXTRACT_FILE,
    extract_info,
    extract_symbols,
    load_extract,
)
from eventstudy.reference.master import (
    MATCH_TYPES,
    MatchType,
    Security,
    SecurityMaster,
    load_master,
)
from eventstudy.reference.names import NameType, base_name, clean_name, name_key, name_variants
from eventstudy.reference.schema import (
    COLUMNS,
    REFERENCE_TABLES,
    ReferenceTable,
    validate_table,
)
from eventstudy.reference.store import ReferenceStore, current_master

__all__ = [
    "COLUMNS",
    "EXTRACT_FIELDS",
    "EXTRACT_FILE",
    "MATCH_TYPES",
    "REFERENCE_TABLES",
    "MatchType",
    "NameType",
    "ReferenceStore",
    "ReferenceTable",
    "Security",
    "SecurityMaster",
    "base_name",
    "clean_name",
    "current_master",
    "extract_info",
    "extract_symbols",
    "load_extract",
    "load_master",
    "name_key",
    "name_variants",
    "validate_table",
]
