"""The :class:`News` result and :func:`load_news`.

Tables of a :class:`News` object
--------------------------------

``articles`` (one row per article kept):

============ ================= ===============================================
column       dtype             meaning
============ ================= ===============================================
article_id   str               Eastmoney infoCode (or the id in the article
                               URL) when present, else ``h`` + 16 hex digits
                               of a SHA-1 of title, time and text
title        str               headline ("" when the post has none)
published_at datetime64[tz]    publication time, Asia/Shanghai
publisher    str               e.g. 证券时报网 (文章来源 line, summary, or tags)
category     str               Jekyll ``categories`` (e.g. ``emnews``)
url          str               share link / article link
text         str               plain text, paragraphs joined by ``"\\n"``
origin       str               file path, or ``row <i>`` of a table
warnings     str               parser warnings joined by ``"; "`` ("" if none)
============ ================= ===============================================

``mentions`` (one row per piece of evidence): ``article_id``, ``symbol``
(canonical), ``kind`` (board/stock/index/foreign), ``how`` (``chart_embed``,
``query``, ``code``, ``inline_link``, ``quote_link``, ``keyword``), ``name``
(anchor text, else the dictionary name), ``keyword`` (the text that matched:
the keyword or code as it stands in the title/text, the anchor text of a link,
the 关键词 of a ``query`` row; ``""`` for chart embeds), ``field``
(``title``/``text``/``row``), ``position`` (offset in that field, so that
``text[position:position + len(keyword)] == keyword`` for keyword and code
hits), ``secid`` (Eastmoney secid as written in the markup; for keywords and
codes the symbol's secid where it has one; an A share found through its HK
line keeps the HK line's), ``weight``, ``rule`` (the rule that gave the
weight: ``title``, ``lead``, ``body``, ``body+list(7)``, ``source``, ... see
:mod:`eventstudy.news.evidence`). A mention a rule discounts to 0 (a broker quoted as the source, an
automatic link inside 证券时报, a fund named after an index) is kept with
weight 0, so the table shows why a name was not tagged.

``skipped`` (one row per input that did not become an article): ``origin``,
``reason`` (a code such as ``missing_date``, ``no_front_matter``,
``empty_row``, ``bad_date``, ``bad_encoding`` (a table row in no known
encoding); for the files of a folder ``permission_denied``,
``outside_root``, ``bad_table``), ``message`` and ``article_id`` (the id when it can still be
recovered: a post's share link or file name, a row's ``article_id`` or URL;
missing otherwise). ``duplicates``: ``origin``, ``article_id``, ``title``,
``published_at``, ``duplicate_of`` (the kept article), ``duplicate_origin``
and ``key`` (``article_id`` or ``title_time``).

Scoring
-------
Each mention has a weight by how and where it was found, with the rule that
gave it (:func:`eventstudy.news.evidence.mention_weight`; tables in
:mod:`eventstudy.news.evidence`): a chart embed 1.0, a ``query`` row 0.9, a
code written in the text 0.7, a name in the headline or the lead 0.6, a
company anywhere in the text 0.6, a board or index further down the body 0.2
(an index 0.1), each scaled down for a ``related`` alias, a long list, a
roundup of many companies, and set to 0 by the role rules.

The score of (article, symbol) combines its mentions as independent pieces
of evidence (noisy-or): ``score = 1 - prod(1 - weight)``.
:data:`DEFAULT_MIN_SCORE` = 0.6 is the default threshold of
:meth:`News.to_events`:

============================================== ===== =================
evidence                                       score passes 0.6?
============================================== ===== =================
one chart embed                                1.0   yes
a headline or lead name                        0.6   yes
a company named once in the body               0.6   yes
a board named once further down the body       0.2   no
a board named five times further down          0.67  yes
an automatic link on a board, body             0.5   no
a broker quoted as the source (X证券认为)      0     no
============================================== ===== =================

Examples
--------
>>> from eventstudy.datasets import sample_news_path
>>> news = load_news(sample_news_path())
>>> len(news.articles) + len(news.skipped) + len(news.duplicates) == news.n_inputs
True
>>> seed = news.tags().query("article_id == 'NW202201102241785025' and symbol == 'BK0896'")
>>> seed[["symbol", "name", "how", "score"]].to_dict("records")
[{'symbol': 'BK0896', 'name': '白酒', 'how': 'chart_embed', 'score': 1.0}]
"""

from __future__ import annotations

import datetime as dt
import os
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, replace
from pathlib import Path
from typing import TYPE_CHECKING, Any, Final

import numpy as np
import pandas as pd

from eventstudy._typing import Engine, ErrorPolicy, SessionRule, SymbolKind
from eventstudy.exceptions import ConfigError, NewsParseError
from eventstudy.news.evidence import EVIDENCE_WEIGHTS, HOW_ORDER, collect_mentions
from eventstudy.news.frontmatter import PostProblem
from eventstudy.news.loader import (
    TABLE_BAD_ROWS,
    Record,
    SkippedInput,
    TableSource,
    canonical_columns,
    parse_row,
    read_post,
    resolve_inputs,
)
from eventstudy.news.tagger import Tagger
from eventstudy.scale.cluster import check_engine_options
from eventstudy.symbols import normalize

if TYPE_CHECKING:
    from eventstudy.calendar import TradingCalendar
    from eventstudy.events import EventSet

__all__ = [
    "ARTICLE_COLUMNS",
    "DEFAULT_MIN_SCORE",
    "DUPLICATE_COLUMNS",
    "EVIDENCE_WEIGHTS",
    "HOW_ORDER",
    "MENTION_COLUMNS",
    "SKIPPED_COLUMNS",
    "TAG_COLUMNS",
    "News",
    "Skipped",
    "finish_news",
    "load_news",
    "read_inputs",
]

TZ: Final = "Asia/Shanghai"
#: Default ``min_score`` of :meth:`News.to_events`.
DEFAULT_MIN_SCORE: Final = 0.6
#: Characters of text on each side of a mention in the ``evidence`` of a tag.
EVIDENCE_CHARS: Final = 12

ARTICLE_COLUMNS: Final = [
    "article_id",
    "title",
    "published_at",
    "publisher",
    "category",
    "url",
    "text",
    "origin",
    "warnings",
]
MENTION_COLUMNS: Final = [
    "article_id",
    "symbol",
    "kind",
    "how",
    "name",
    "keyword",
    "field",
    "position",
    "secid",
    "weight",
    "rule",
]
TAG_COLUMNS: Final = [
    "article_id",
    "symbol",
    "kind",
    "score",
    "n_mentions",
    "how",
    "hows",
    "name",
    "rule",
    "evidence",
]
SKIPPED_COLUMNS: Final = ["origin", "reason", "message", "article_id"]
DUPLICATE_COLUMNS: Final = [
    "origin",
    "article_id",
    "title",
    "published_at",
    "duplicate_of",
    "duplicate_origin",
    "key",
]
#: Text columns: pandas 3's "str" dtype keeps missing values missing; on pandas 2,
#: astype("str") would turn None into the text 'None', so use the nullable "string" there.
_STR: Any = "str" if int(pd.__version__.split(".")[0]) >= 3 else "string"


def _published(values: Sequence[dt.datetime]) -> pd.Series:
    micros = np.array([int(v.timestamp() * 1_000_000) for v in values], dtype="int64")
    dtype: Any = f"datetime64[ns, {TZ}]"
    return pd.Series(pd.to_datetime(micros, unit="us", utc=True).tz_convert(TZ)).astype(dtype)


def _frame(columns: dict[str, Any], order: list[str]) -> pd.DataFrame:
    return pd.DataFrame({c: columns[c] for c in order})


@dataclass(frozen=True, eq=False)
class News:
    """Loaded news: articles, their security mentions, and what was left out.

    Build it with :func:`load_news`. See the module docstring for the columns
    and the scoring.

    Attributes
    ----------
    articles, mentions, skipped, duplicates
        Tables (see :mod:`eventstudy.news.news`).
    n_inputs
        Number of inputs read; always
        ``len(articles) + len(skipped) + len(duplicates) == n_inputs``.
    tagger
        The keyword dictionary used.
    root
        The folder the inputs were read from (the folder given, or the common
        folder of the files given; ``None`` for a DataFrame): files the package
        writes give ``origin`` relative to it (:meth:`with_relative_origins`).

    Examples
    --------
    >>> import pandas as pd
    >>> rows = pd.DataFrame({
    ...     "article_id": ["A1", "A2", "A2"],
    ...     "title": ["白酒板块午后拉升", "大盘股走强", "大盘股走强"],
    ...     "published_at": ["2022-05-31 13:05", "2022-05-31 16:00", "2022-05-31 16:00"],
    ...     "text": ["白酒股走强，贵州茅台涨3%。", "", ""]})
    >>> news = load_news(rows)
    >>> news
    News(3 inputs: 2 articles, 0 skipped, 1 duplicates; 3 mentions)
    >>> news.mentions[["article_id", "symbol", "keyword", "weight", "rule"]].values.tolist()
    [['A1', 'BK0896', '白酒板块', 0.6, 'title'], ['A1', 'BK0896', '白酒股', 0.6, 'lead'],
     ['A1', '600519.SH', '贵州茅台', 0.6, 'lead']]
    >>> news.tags()[["article_id", "symbol", "score", "rule"]].values.tolist()
    [['A1', 'BK0896', 0.84, 'title'], ['A1', '600519.SH', 0.6, 'lead']]
    >>> ev = news.to_events()  # default min_score 0.6
    >>> ev.frame[["event_id", "day0"]].astype(str).values.tolist()
    [['A1:BK0896', '2022-05-31'], ['A1:600519.SH', '2022-05-31']]
    """

    articles: pd.DataFrame
    mentions: pd.DataFrame
    skipped: pd.DataFrame
    duplicates: pd.DataFrame
    n_inputs: int
    tagger: Tagger
    root: Path | None = None

    def __len__(self) -> int:
        return len(self.articles)

    def __repr__(self) -> str:
        return (
            f"News({self.n_inputs} inputs: {len(self.articles)} articles, "
            f"{len(self.skipped)} skipped, {len(self.duplicates)} duplicates; "
            f"{len(self.mentions)} mentions)"
        )

    def with_relative_origins(self) -> News:
        """The same news with ``origin`` and ``duplicate_origin`` relative to :attr:`root`.

        What the package writes to files others read (the briefing's and the
        backtest's tables, ``eventstudy news --out``): ``_posts/2022-01-10-NW....md``
        and ``news.csv#row3`` rather than ``/home/me/...``. A path outside
        :attr:`root` is written relative to it with ``..``.

        Examples
        --------
        >>> from eventstudy.datasets import sample_news_path
        >>> rel = load_news(sample_news_path()).with_relative_origins()
        >>> rel.skipped["origin"].tolist()
        ['_posts/-202205262391921712.md']
        """
        if self.root is None:
            return self
        root = os.path.abspath(self.root)

        def relative(origin: Any) -> Any:
            if not isinstance(origin, str) or not origin:
                return origin
            path, sep, row = origin.partition("#row")
            if not os.path.isabs(path) and not os.path.exists(path):
                return origin  # not a path (``row 3``)
            rel = Path(os.path.relpath(os.path.abspath(path), root)).as_posix()
            return f"{rel}{sep}{row}"

        def fix(frame: pd.DataFrame, columns: tuple[str, ...]) -> pd.DataFrame:
            out = frame.copy()
            for c in columns:
                out[c] = out[c].map(relative).astype(frame[c].dtype)
            return out

        return replace(
            self,
            articles=fix(self.articles, ("origin",)),
            skipped=fix(self.skipped, ("origin",)),
            duplicates=fix(self.duplicates, ("origin", "duplicate_origin")),
        )

    def _repr_html_(self) -> str:
        """Jupyter: counts (inputs, articles, skipped by reason, duplicates, mentions) and
        the first articles, every string escaped."""
        from eventstudy.summary import PREVIEW_ROWS, Summary, shorten  # deferred: rendering

        reasons = self.skipped["reason"].value_counts() if len(self.skipped) else None
        why = (
            ""
            if reasons is None
            else " (" + ", ".join(f"{r} {n}" for r, n in reasons.items()) + ")"
        )
        out = Summary("News").add_pairs(
            [
                ("inputs", str(self.n_inputs)),
                ("articles", str(len(self.articles))),
                ("skipped", f"{len(self.skipped)}{why}"),
                ("duplicates", str(len(self.duplicates))),
                ("mentions", str(len(self.mentions))),
            ]
        )
        head = self.articles[["published_at", "title", "publisher"]].head(PREVIEW_ROWS)
        if len(head):
            out.add_table(
                head.assign(title=head["title"].map(shorten)),
                caption=f"first {len(head)} of {len(self.articles)} articles",
                formats={"published_at": lambda v: "" if pd.isna(v) else f"{v:%Y-%m-%d %H:%M}"},
                index=False,
            )
        return out.as_html()

    def summary(self, *, top: int = 10, min_score: float = DEFAULT_MIN_SCORE) -> str:
        """A short text report: counts, skip reasons and the most-tagged securities.

        Examples
        --------
        >>> from eventstudy.datasets import sample_news_path
        >>> print(load_news(sample_news_path()).summary(top=1))  # doctest: +ELLIPSIS
        64 inputs: 60 articles, 1 skipped, 3 duplicates
        skipped: missing_date 1
        top tags (score >= 0.6):
          ...
        """
        lines = [
            f"{self.n_inputs} inputs: {len(self.articles)} articles, {len(self.skipped)} "
            f"skipped, {len(self.duplicates)} duplicates"
        ]
        if len(self.skipped):
            counts = self.skipped["reason"].value_counts()
            lines.append("skipped: " + ", ".join(f"{r} {n}" for r, n in counts.items()))
        tags = self.tags(min_score=min_score)
        lines.append(f"top tags (score >= {min_score}):")
        if tags.empty:
            lines.append("  (none)")
        else:
            top_tags = (
                tags.groupby(["symbol", "kind"], sort=False)
                .agg(name=("name", "first"), articles=("article_id", "nunique"))
                .reset_index()
                .sort_values(["articles", "symbol"], ascending=[False, True])
                .head(top)
            )
            for r in top_tags.itertuples(index=False):
                name = r.name if isinstance(r.name, str) else ""
                noun = "article " if r.articles == 1 else "articles"
                lines.append(f"  {r.symbol:<10} {r.kind:<7} {r.articles:>4} {noun}  {name}")
        return "\n".join(lines)

    def tags(self, min_score: float = 0.0) -> pd.DataFrame:
        """One row per (article, security) with its combined score.

        Columns: ``article_id``, ``symbol``, ``kind``, ``score`` (noisy-or of the
        mention weights, rounded to 6 decimals), ``n_mentions``, ``how`` (the
        strongest kind of evidence with a weight above 0), ``hows`` (all such
        kinds, strongest first, comma-separated), ``name`` (anchor text or
        dictionary name), ``rule`` (the rule of the heaviest mention, see
        :mod:`eventstudy.news.evidence`) and ``evidence`` (its words with
        :data:`EVIDENCE_CHARS` characters on each side; the headline for a
        headline mention). Tags whose mentions a rule all set to 0 (a broker
        quoted as the source...) are not listed: see :attr:`mentions`.

        Parameters
        ----------
        min_score
            Keep tags with ``score >= min_score``.

        Examples
        --------
        >>> from eventstudy.datasets import sample_news_path
        >>> seed = sample_news_path() / "_posts" / "2022-01-10-NW202201102241785025.md"
        >>> t = load_news(seed).tags()
        >>> t[["symbol", "how", "hows", "n_mentions", "score"]].head(1).to_dict("records")
        [{'symbol': 'BK0896', 'how': 'chart_embed', 'hows': 'chart_embed,keyword', 'n_mentions': 6,
          'score': 1.0}]
        """
        if not isinstance(min_score, int | float) or not 0 <= float(min_score) <= 1:
            raise ConfigError(f"min_score={min_score!r} must be a number between 0 and 1")
        m = self.mentions
        if m.empty:
            return pd.DataFrame({c: pd.Series(dtype=_dtype_of(c)) for c in TAG_COLUMNS})
        rank = m["how"].map({h: i for i, h in enumerate(HOW_ORDER)}).astype("int64")
        # evidence that a rule discounted to 0 is listed in mentions, not counted as a "how"
        rank = rank.where(m["weight"] > 0, len(HOW_ORDER))
        with np.errstate(divide="ignore"):
            log_miss = np.log1p(-m["weight"].to_numpy(dtype="float64"))
        columns: dict[str, Any] = {
            "article_id": m["article_id"],
            "symbol": m["symbol"],
            "kind": m["kind"],
            "rank": rank,
            "log_miss": log_miss,
            "name": m["name"],
            "weight": m["weight"],
        }
        flags = [f"_h{i}" for i in range(len(HOW_ORDER))]
        for i, flag in enumerate(flags):
            columns[flag] = (rank == i).to_numpy()
        work = pd.DataFrame(columns)
        g = work.groupby(["article_id", "symbol"], sort=False)
        out = g.agg(
            kind=("kind", "first"),
            log_miss=("log_miss", "sum"),
            n_mentions=("rank", "size"),
            best=("rank", "min"),
            name=("name", "first"),
            top=("weight", "idxmax"),  # the strongest mention (first of equals)
            **{f: (f, "max") for f in flags},
        ).reset_index()
        out["score"] = np.round(1.0 - np.exp(out["log_miss"].to_numpy()), 6)
        out["n_mentions"] = out["n_mentions"].astype("int64")
        out = out[(out["score"] > 0) & (out["score"] >= float(min_score))].copy()
        out["how"] = [HOW_ORDER[i] for i in out["best"]]
        present = out[flags].to_numpy(dtype=bool)
        out["hows"] = [
            ",".join(h for h, on in zip(HOW_ORDER, row, strict=True) if on) for row in present
        ]
        top = out["top"].to_numpy(dtype="int64")
        out["rule"] = m["rule"].to_numpy()[top]
        out["evidence"] = self._evidence(m, top)
        order = {a: i for i, a in enumerate(self.articles["article_id"])}
        out = out.assign(_a=out["article_id"].map(order)).sort_values(
            ["_a", "score", "best", "n_mentions", "symbol"],
            ascending=[True, False, True, False, True],
        )
        return out[TAG_COLUMNS].reset_index(drop=True)

    def _evidence(self, m: pd.DataFrame, rows: np.ndarray) -> list[str]:
        """The text around mentions ``rows`` (the headline for a title mention)."""
        texts = dict(zip(self.articles["article_id"], self.articles["text"], strict=True))
        titles = dict(zip(self.articles["article_id"], self.articles["title"], strict=True))
        out = []
        cols = m[["article_id", "field", "position", "keyword"]].to_numpy()[rows]
        for aid, fld, pos, keyword in cols:
            if fld == "title":
                out.append(str(titles.get(aid, "")))
            elif fld == "row" or pos < 0:
                out.append(str(keyword))
            else:
                text = str(texts.get(aid, ""))
                lo, hi = max(0, pos - EVIDENCE_CHARS), pos + len(keyword) + EVIDENCE_CHARS
                out.append(text[lo:hi].replace("\n", " "))
        return out

    def to_events(
        self,
        *,
        symbols: Iterable[str] | None = None,
        kinds: Iterable[SymbolKind] | None = None,
        min_score: float = DEFAULT_MIN_SCORE,
        calendar: TradingCalendar | None = None,
        rule: SessionRule = "next",
        cutoff: str | dt.time = "15:00",
    ) -> EventSet:
        """One event per (article, security) tag with ``score >= min_score``.

        ``event_id`` is ``"{article_id}:{symbol}"``; day 0 is resolved from
        ``published_at`` by :meth:`eventstudy.events.EventSet.from_frame`
        (before ``cutoff`` on a session → that session; at/after it, or on a
        non-trading day → the next one, for ``rule="next"``). Events carry
        ``article_id``, ``title``, ``publisher``, ``category``, ``kind``,
        ``score``, ``how`` (strongest evidence) and ``name``.

        Parameters
        ----------
        symbols
            Keep only these securities (any spelling).
        kinds
            Keep only these kinds (``board``, ``stock``, ``index``, ``foreign``).
        min_score
            Score threshold (default :data:`DEFAULT_MIN_SCORE`).
        calendar, rule, cutoff
            Passed to :meth:`~eventstudy.events.EventSet.from_frame`.

        Examples
        --------
        >>> from eventstudy.datasets import sample_news_path
        >>> ev = load_news(sample_news_path()).to_events(symbols=["BK0896"])
        >>> ev.frame[["event_id", "day0", "name", "how"]].astype(str).values.tolist()
        [['NW202201102241785025:BK0896', '2022-01-10', '白酒', 'chart_embed']]
        """
        from eventstudy.events import EventSet

        tags = self.tags(min_score=min_score)
        unmentioned: list[str] = []
        if symbols is not None:
            items = [symbols] if isinstance(symbols, str) else list(symbols)
            wanted = {normalize(s) for s in items}
            tags = tags[tags["symbol"].isin(wanted)]
            unmentioned = sorted(wanted - set(tags["symbol"]))
        if kinds is not None:
            kind_set = {kinds} if isinstance(kinds, str) else set(kinds)
            bad = kind_set - {"board", "stock", "index", "foreign"}
            if bad:
                raise ConfigError(
                    f"kinds {sorted(bad)} unknown; use 'board', 'stock', 'index', 'foreign'"
                )
            tags = tags[tags["kind"].isin(kind_set)]
        art = self.articles[["article_id", "published_at", "title", "publisher", "category"]]
        frame = tags.merge(art, on="article_id", how="left", validate="many_to_one")
        frame.insert(0, "event_id", frame["article_id"] + ":" + frame["symbol"])
        cols = [
            "event_id",
            "symbol",
            "published_at",
            "article_id",
            "title",
            "publisher",
            "category",
            "kind",
            "score",
            "how",
            "name",
        ]
        events = EventSet.from_frame(
            frame[cols].reset_index(drop=True), calendar=calendar, rule=rule, cutoff=cutoff
        )
        if not unmentioned:
            return events
        note = (
            f"no article mentions {', '.join(unmentioned)} with a score >= {min_score} "
            "(news.tags(min_score=0) lists every mention; check the code and its spelling)"
        )
        return replace(events, notes=(*events.notes, note))


def _dtype_of(column: str) -> str:
    if column in ("score", "weight"):
        return "float64"
    if column in ("n_mentions", "position"):
        return "int64"
    return _STR


def _dedupe(
    records: list[Record],
) -> tuple[list[Record], list[tuple[Record, Record, str]]]:
    """Keep one record per story: same id key, or same non-empty title and time.

    Within a group the record with the longest text is kept (ties: input order),
    so the full publisher version wins over a short feed summary.
    """
    order = sorted(range(len(records)), key=lambda i: (-len(records[i].text), i))
    owner: dict[tuple[str, Any], Record] = {}
    kept_ids: set[int] = set()
    dups: list[tuple[Record, Record, str]] = []
    for i in order:
        rec = records[i]
        keys: list[tuple[str, Any]] = []
        if rec.id_key is not None:
            keys.append(("article_id", rec.id_key))
        else:
            keys.append(("article_id", rec.article_id))
        if rec.title:
            keys.append(("title_time", (rec.title, rec.published_at)))
        match = next(((k, owner[k]) for k in keys if k in owner), None)
        if match is None:
            kept_ids.add(i)
            target = rec
        else:
            target = match[1]
            dups.append((rec, target, match[0][0]))
        for k in keys:
            owner.setdefault(k, target)
    kept = [records[i] for i in sorted(kept_ids)]
    # a kept article whose id another kept one already uses (different story) gets a suffix
    seen: dict[str, int] = {}
    for rec in kept:
        n = seen.get(rec.article_id, 0)
        seen[rec.article_id] = n + 1
        if n:
            rec.article_id = f"{rec.article_id}-{n + 1}"
    return kept, dups


def load_news(
    source: Any,
    *,
    errors: ErrorPolicy = "collect",
    tagger: Tagger | None = None,
    engine: Engine = "local",
    client: Any = None,
    partition_size: int | None = None,
) -> News:
    """Load news posts or a news table, tag the securities each article concerns.

    Parameters
    ----------
    source
        A folder (searched recursively for ``.md``, ``.markdown``, ``.txt``,
        ``.html``, ``.htm`` posts and for tables; a subfolder or file it
        cannot read is skipped as ``permission_denied``, a link leading out
        of the folder as ``outside_root``, a table that is not news as
        ``bad_table``: see :func:`eventstudy.news.loader.resolve_inputs`),
        one post file, a glob pattern of posts, a list of files
        (each read as a table or a post by its extension), a
        CSV/TSV/Parquet/JSON-lines file, or a DataFrame. Tables
        may use English columns (``title``, ``published_at``, ``text``,
        ``publisher``, ``url``, ``article_id``, ``category``) or the columns of
        akshare's ``stock_news_em`` (关键词, 新闻标题, 新闻内容, 发布时间,
        文章来源, 新闻链接); a 关键词 stock code becomes a ``query`` mention
        (integer-like values are zero-padded: ``858`` → ``000858.SZ``).
    errors
        ``"collect"`` (default): inputs that cannot be read go to
        :attr:`News.skipped` with a reason code. ``"raise"``: raise
        :class:`~eventstudy.exceptions.NewsParseError` naming the first bad input.
    tagger
        Keyword dictionary; default :meth:`Tagger.default`.
    engine, client, partition_size
        ``"local"`` (default): in this process. ``"dask"``: the inputs are parsed and
        tagged in partitions of ``partition_size`` inputs (default: about four per
        worker, at most :data:`eventstudy.scale.cluster.DEFAULT_PARTITION_SIZE`) on the
        workers of ``client`` (default: the running Dask client); the same ``News`` as
        the local load (:func:`eventstudy.scale.news.load_news_dask`). ``client`` or
        ``partition_size`` with ``engine="local"`` is an error (they would be ignored).

    Returns
    -------
    News

    Raises
    ------
    InputDataError
        If ``source`` does not exist, has an unsupported type, or is a table
        without a publication-time column.
    NewsParseError
        With ``errors="raise"``, for the first input that cannot be parsed.

    Examples
    --------
    >>> import pandas as pd
    >>> url = "http://finance.eastmoney.com/a/202205252390829633.html"
    >>> rows = pd.DataFrame({"关键词": ["600519"], "新闻标题": ["茅台拍出天价"],
    ...                      "新闻内容": ["一瓶茅台酒拍出高价。"],
    ...                      "发布时间": ["2022-05-25 09:10:20"],
    ...                      "文章来源": ["泉州晚报"], "新闻链接": [url]})
    >>> news = load_news(rows)
    >>> news.articles[["article_id", "publisher"]].values.tolist()
    [['202205252390829633', '泉州晚报']]
    >>> news.mentions[["how", "keyword", "field", "position", "weight"]].values.tolist()
    [['query', '600519', 'row', -1, 0.9], ['keyword', '茅台', 'title', 0, 0.6],
     ['keyword', '茅台', 'text', 2, 0.6]]
    >>> news.tags()[["symbol", "how", "score"]].values.tolist()
    [['600519.SH', 'query', 0.984]]
    """
    if errors not in ("collect", "raise"):
        raise ConfigError(f"errors={errors!r} must be 'collect' or 'raise'")
    if tagger is not None and not isinstance(tagger, Tagger):
        raise ConfigError(f"tagger must be a Tagger, got {type(tagger).__name__}")
    if check_engine_options(engine, client=client, partition_size=partition_size) == "dask":
        from eventstudy.scale.news import load_news_dask

        return load_news_dask(
            source, errors=errors, tagger=tagger, client=client,
            partition_size=partition_size, read=read_inputs, finish=finish_news,
        )  # fmt: skip
    tagger = tagger if tagger is not None else Tagger.default()
    found = resolve_inputs(source)
    records, skipped, n_inputs = read_inputs(found.items, errors, found.skipped)
    return replace(finish_news(records, skipped, n_inputs, tagger), root=found.root)


#: An input that did not become an article: ``(origin, reason, message, article_id)``.
Skipped = tuple[str, str, str, str | None]


def read_inputs(
    inputs: Sequence[Path | TableSource],
    errors: ErrorPolicy,
    unreadable: Sequence[SkippedInput] = (),
) -> tuple[list[Record], list[Skipped], int]:
    """Parse ``inputs`` (from :func:`~eventstudy.news.loader.resolve_inputs`) in order.

    Returns the records, the skipped inputs and the number of inputs read (a table
    counts its rows); ``unreadable`` (what a news folder held but could not be read:
    ``resolve_inputs(...).skipped``) comes first in the skipped list and the count.

    Raises
    ------
    NewsParseError
        With ``errors="raise"``, for the first input that cannot be parsed.
    """
    records: list[Record] = []
    skipped: list[Skipped] = []

    def problem(origin: str, err: PostProblem) -> None:
        if errors == "raise":
            raise NewsParseError(f"{origin}: {err.message} (reason: {err.reason})") from None
        skipped.append((origin, err.reason, err.message, err.article_id))

    n_inputs = len(unreadable)
    for entry in unreadable:  # files and folders of a news folder that could not be read
        problem(entry.origin, PostProblem(entry.reason, entry.message))
    for item in inputs:
        if isinstance(item, TableSource):
            n_inputs += len(item.frame)
            _read_rows(item, records, problem)
            continue
        n_inputs += 1
        try:
            records.append(read_post(item))
        except PostProblem as err:
            problem(str(item), err)
    return records, skipped, n_inputs


def finish_news(
    records: list[Record],
    skipped: list[Skipped],
    n_inputs: int,
    tagger: Tagger,
    mentions_of: Callable[[Record], list[tuple[Any, ...]]] | None = None,
) -> News:
    """The :class:`News` of parsed ``records``: duplicates removed, mentions collected.

    ``mentions_of(record)`` gives a record's mention rows; default
    :func:`~eventstudy.news.evidence.collect_mentions` with ``tagger`` (the Dask engine
    passes the rows its workers found).
    """
    kept, dups = _dedupe(records)
    return _build(kept, dups, skipped, n_inputs, tagger, mentions_of)


_BAD_ENCODING: Final = (
    "the row holds bytes that are neither UTF-8 nor GB18030/GBK nor Big5 text: not read "
    "rather than garbled; save the file as UTF-8"
)


def _read_rows(
    table: TableSource, records: list[Record], problem: Callable[[str, PostProblem], None]
) -> None:
    """Parse each row of a table into ``records`` (problems go to ``problem``)."""
    frame = table.frame
    bad_rows = set(frame.attrs.get(TABLE_BAD_ROWS, ()))
    cols = canonical_columns(frame)
    sub = frame[list(cols.values())].copy()
    sub.columns = list(cols.keys())
    prefix = "row " if table.label == "row" else f"{table.label}#row"
    for i, raw_row in enumerate(sub.to_dict("records"), start=table.start):
        row = {str(k): v for k, v in raw_row.items()}
        origin = f"{prefix}{i}"
        if i in bad_rows:
            problem(origin, PostProblem("bad_encoding", _BAD_ENCODING))
            continue
        try:
            rec = parse_row(row, origin=origin)
        except PostProblem as err:
            problem(origin, err)
            continue
        records.append(rec)


def _build(
    kept: list[Record],
    dups: list[tuple[Record, Record, str]],
    skipped: list[tuple[str, str, str, str | None]],
    n_inputs: int,
    tagger: Tagger,
    mentions_of: Callable[[Record], list[tuple[Any, ...]]] | None = None,
) -> News:
    found_in = mentions_of or (lambda rec: collect_mentions(rec, tagger))
    articles = _frame(
        {
            "article_id": [r.article_id for r in kept],
            "title": [r.title for r in kept],
            "published_at": _published([r.published_at for r in kept]),
            "publisher": [r.publisher for r in kept],
            "category": [r.category for r in kept],
            "url": [r.url for r in kept],
            "text": [r.text for r in kept],
            "origin": [r.origin for r in kept],
            "warnings": ["; ".join(r.warnings) for r in kept],
        },
        ARTICLE_COLUMNS,
    )
    for c in ARTICLE_COLUMNS:
        if c != "published_at":
            articles[c] = articles[c].astype(_STR)
    ids: list[str] = []
    rows: list[tuple[Any, ...]] = []
    for rec in kept:
        found = found_in(rec)
        ids += [rec.article_id] * len(found)
        rows += found
    columns = list(zip(*rows, strict=True)) if rows else [()] * (len(MENTION_COLUMNS) - 1)
    mentions = pd.DataFrame(
        {c: list(v) for c, v in zip(MENTION_COLUMNS, [ids, *columns], strict=True)},
        columns=MENTION_COLUMNS,
    )
    mentions = mentions.astype({c: _dtype_of(c) for c in MENTION_COLUMNS})
    skipped_df = pd.DataFrame(skipped, columns=SKIPPED_COLUMNS).astype(_STR)
    dup_df = _frame(
        {
            "origin": [d.origin for d, _, _ in dups],
            "article_id": [d.article_id for d, _, _ in dups],
            "title": [d.title for d, _, _ in dups],
            "published_at": _published([d.published_at for d, _, _ in dups]),
            "duplicate_of": [k.article_id for _, k, _ in dups],
            "duplicate_origin": [k.origin for _, k, _ in dups],
            "key": [key for _, _, key in dups],
        },
        DUPLICATE_COLUMNS,
    )
    for c in DUPLICATE_COLUMNS:
        if c != "published_at":
            dup_df[c] = dup_df[c].astype(_STR)
    dup_df = dup_df.sort_values("origin", kind="stable").reset_index(drop=True)
    return News(articles, mentions, skipped_df, dup_df, n_inputs, tagger)
