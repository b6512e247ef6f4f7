"""Evidence: every mention of a security in one article, with its weight and the rule behind it.

:func:`collect_mentions` reads one parsed article (its title, text, quote
markup and query code) with a :class:`~eventstudy.news.Tagger` and appends one
row per piece of evidence. The weight of a mention is

``weight = max(markup weight, position weight) × factors``, or 0 when a role
rule says the name is not what the story is about.

Markup and position weights (:data:`EVIDENCE_WEIGHTS`)
------------------------------------------------------
=================== ====== =====================================================
``chart_embed``     1.0    an editor embedded the security's chart: certain
``query``           0.9    the table row was returned for this stock code
                           (akshare ``stock_news_em`` 关键词)
``code``            0.7    the text writes the code (``欧菲光(002456)``,
                           ``阿里巴巴(09988.HK)``)
``inline_link``     0.5    Eastmoney's automatic link: usually right, sometimes
                           wrong (证券 in 证券时报 → BK0473), so it is checked
                           against the text like a keyword
``quote_link``      0.4    a plain quote link (e.g. class ``infokey``)
``keyword_title``   0.6    the headline names it: enough on its own
``keyword_lead``    0.6    the lead (first sentences) names it: enough on its own
``keyword``         0.2    each mention further down the body
=================== ====== =====================================================

Factors (:data:`WEIGHT_FACTORS`), recorded in the ``rule`` column
----------------------------------------------------------------
=============== ====== =======================================================
``related``     0.5    a ``related`` board alias (购置税 → 汽车整车)
``list(n)``     0.25   one of ``n`` bare names in a long ``、`` list
``index``       0.5    an index in the body (a benchmark mentioned in passing)
``a_h_line``    0.5    Eastmoney linked an A+H company to its HK line; the A
                       share gets the evidence in full (``hk_to_a``)
``no_subject``  0.7    a board word in the lead of an article whose headline
                       names no security or board (local or general news),
                       unless it is the first name of the opening clause:
                       one passing mention (0.42) is not enough, two are (0.66)
=============== ====== =======================================================

Rules that set the weight to 0 (the ``rule`` column names them; the mention is
kept so a researcher can see why a name was not tagged): the roles of
:mod:`eventstudy.news.context` (``source``, ``attribution``, ``related_report``,
``organisation``, ``fund_product``, ``foreign_market``), plus
``inside_longer_word`` (an automatic link on a word that is part of a longer
name or blocker: 证券 in 证券时报, 新能源 in 新能源汽车) and
``link_on_common_word`` (an automatic link on an everyday word: 银行, 农产品).

Company stories: when the headline's first name is a company (``中国石化已建成…光伏发电站``),
its bare sector words describe the company's business: they count as body mentions
(rule ``title+company_story``) and so do the boards named in the lead
(``lead+company_story``); explicit board forms (:data:`BOARD_FORMS`: 光伏板块,
锂电概念股), charts and links keep their weight.

Examples
--------
>>> EVIDENCE_WEIGHTS["keyword_title"] >= 0.6 > EVIDENCE_WEIGHTS["keyword"]
True
"""

from __future__ import annotations

from bisect import bisect_right
from dataclasses import dataclass
from functools import lru_cache
from typing import Any, Final

from eventstudy.news.context import Layout, Position
from eventstudy.news.dictionary import Target
from eventstudy.news.loader import Record
from eventstudy.news.quotes import resolve
from eventstudy.news.tagger import Hit, Match, Tagger, TextScan
from eventstudy.reference.names import name_key
from eventstudy.symbols import parse_symbol, to_secid

__all__ = [
    "BOARD_FORMS",
    "EVIDENCE_WEIGHTS",
    "HOW_ORDER",
    "ROUNDUP_MIN",
    "WEIGHT_FACTORS",
    "ZERO_RULES",
    "collect_mentions",
    "mention_weight",
]

#: Weight of one mention by how and where it was found (see the module docstring).
EVIDENCE_WEIGHTS: Final[dict[str, float]] = {
    "chart_embed": 1.0,
    "query": 0.9,
    "code": 0.7,
    "inline_link": 0.5,
    "quote_link": 0.4,
    "keyword_title": 0.6,
    "keyword_lead": 0.6,
    "keyword_company": 0.6,
    "keyword": 0.2,
}
#: Multipliers of a mention's weight (see the module docstring).
WEIGHT_FACTORS: Final[dict[str, float]] = {
    "related": 0.5,
    "list": 0.25,
    "index": 0.5,
    "a_h_line": 0.5,
    "roundup": 0.5,
    "no_subject": 0.7,
}
#: An article whose text names this many companies is a roundup (picks, holdings,
#: screens): a single mention in its body is not a story about the company.
ROUNDUP_MIN: Final = 15
#: Evidence from strongest to weakest (``how`` of a tag is the first present).
HOW_ORDER: Final = ("chart_embed", "query", "code", "inline_link", "quote_link", "keyword")
#: Rules that make a mention count 0.
ZERO_RULES: Final = (
    "related_report",
    "attribution",
    "source",
    "organisation",
    "fund_product",
    "foreign_market",
    "inside_longer_word",
    "link_on_common_word",
)
_LINKS: Final = ("inline_link", "quote_link")

#: One mention: symbol, kind, how, name, keyword, field, position, secid, weight, rule.
Row = tuple[Any, ...]


@lru_cache(maxsize=8192)
def mention_weight(
    how: str,
    position: Position,
    kind: str,
    *,
    strength: float = 1.0,
    list_size: int = 0,
    role: str | None = None,
) -> tuple[float, str]:
    """The weight of one mention and the rule that gave it.

    Examples
    --------
    >>> mention_weight("keyword", "title", "stock")
    (0.6, 'title')
    >>> mention_weight("inline_link", "body", "board", list_size=7)
    (0.125, 'body+list(7)')
    >>> mention_weight("keyword", "lead", "board", strength=0.5)
    (0.3, 'lead+related')
    >>> mention_weight("keyword", "title", "stock", role="source")
    (0.0, 'source')
    """
    if role is not None:
        return 0.0, role
    if position != "body":
        weight = EVIDENCE_WEIGHTS[f"keyword_{position}"]
    elif kind in ("stock", "foreign"):
        weight = EVIDENCE_WEIGHTS["keyword_company"]
    else:
        weight = EVIDENCE_WEIGHTS["keyword"]
    if how in ("code", *_LINKS):
        weight = max(weight, EVIDENCE_WEIGHTS[how])
    parts: list[str] = [position]
    if strength < 1:
        weight *= strength
        parts.append("related")
    if list_size:
        weight *= WEIGHT_FACTORS["list"]
        parts.append(f"list({list_size})")
    if kind == "index" and position == "body":
        weight *= WEIGHT_FACTORS["index"]
        parts.append("index")
    return round(weight, 6), "+".join(parts)


@lru_cache(maxsize=65536)
def _secid(symbol: str) -> str | None:
    try:
        return to_secid(symbol)
    except ValueError:
        return None


class _Field:
    """One field (title or text) of an article as the tagger read it."""

    def __init__(self, original: str, scan: TextScan, layout: Layout, field: str) -> None:
        self.original = original
        self.scan = scan
        self.layout = layout
        self.field = field
        self.company_story = False
        #: Set when the headline names nothing: the start of the text's first name (its
        #: subject, counted in full), or -1; ``None`` when the headline names something.
        self.no_subject_except: int | None = None

    def span(self, start: int, end: int) -> tuple[int, int]:
        return self.scan.original(start, end)

    def judge(
        self, start: int, end: int, how: str, kind: str, name: str, strength: float = 1.0
    ) -> tuple[float, str]:
        position, role, size = self.layout.judge(start, end, kind, name)
        if position == "lead" and kind == "board" and self.company_story:
            weight, rule = mention_weight(how, "body", kind, strength=strength, list_size=size)
            return weight, rule.replace("body", "lead+company_story", 1)
        weight, rule = mention_weight(
            how, position, kind, strength=strength, list_size=size, role=role
        )
        if (
            position == "lead"
            and kind == "board"
            and how == "keyword"
            and weight > 0
            and self.no_subject_except not in (None, start)
        ):
            weight = round(weight * WEIGHT_FACTORS["no_subject"], 6)
            rule = f"{rule}+no_subject"
        return weight, rule


class _Article:
    """Collects the mentions of one record."""

    def __init__(self, rec: Record, tagger: Tagger) -> None:
        self.rec = rec
        self.tagger = tagger
        self.rows: list[Row] = []

    def emit(
        self,
        fld: _Field | None,
        span: tuple[int, int] | None,
        symbol: str,
        kind: str,
        how: str,
        name: str | None,
        secid: str | None,
        weight: float,
        rule: str,
        position: int = 0,
    ) -> None:
        if fld is None or span is None:
            keyword, field, pos = "", "text", position
        else:
            s, e = span if fld.scan.offsets is None else fld.scan.original(*span)
            keyword, field, pos = fld.original[s:e], fld.field, s
        self.rows.append((symbol, kind, how, name, keyword, field, pos, secid, weight, rule))

    def emit_with_a_share(
        self,
        fld: _Field | None,
        span: tuple[int, int] | None,
        target: Target,
        how: str,
        secid: str | None,
        weight: float,
        rule: str,
        *,
        explicit: bool = False,
        position: int = 0,
    ) -> None:
        """One mention, plus one for the A share when ``target`` is an A+H / ADR line."""
        a_share = self.tagger.a_share_of(target.symbol) if target.kind == "foreign" else None
        if a_share is None:
            self.emit(
                fld,
                span,
                target.symbol,
                target.kind,
                how,
                target.name,
                secid,
                weight,
                rule,
                position,
            )
            return
        line_weight, line_rule = weight, rule
        if not explicit and weight > 0:
            line_weight = round(weight * WEIGHT_FACTORS["a_h_line"], 6)
            line_rule = f"{rule}+a_h_line"
        self.emit(
            fld,
            span,
            target.symbol,
            "foreign",
            how,
            target.name,
            secid,
            line_weight,
            line_rule,
            position,
        )
        a_name = self.tagger.name_of(a_share) or target.name
        a_rule = rule if weight == 0 else f"{rule}+hk_to_a"
        self.emit(fld, span, a_share, "stock", how, a_name, secid, weight, a_rule, position)

    # --- the pieces of evidence -----------------------------------------------------------

    def queries(self) -> None:
        for sym in self.rec.query:
            kind = parse_symbol(sym).kind
            self.rows.append(
                (
                    sym,
                    kind,
                    "query",
                    self.tagger.name_of(sym),
                    self.rec.query_text,
                    "row",
                    -1,
                    _secid(sym),
                    EVIDENCE_WEIGHTS["query"],
                    "query",
                )
            )

    def charts(self) -> None:
        for mark in self.rec.marks:
            if mark.how != "chart_embed":
                continue
            s = resolve(mark.secid)
            if s is None:  # a code Eastmoney's markup gives but no known market id
                continue
            target = Target(s.canonical, s.kind, self.tagger.name_of(s.canonical) or "")
            self.emit_with_a_share(
                None,
                None,
                target,
                "chart_embed",
                mark.secid,
                EVIDENCE_WEIGHTS["chart_embed"],
                "chart_embed",
                explicit=True,
                position=mark.position,
            )

    def keywords(self, fld: _Field, matches: list[Match]) -> None:
        judge, rows, field = fld.judge, self.rows, fld.field
        offsets, original = fld.scan.offsets, fld.original
        for m in matches:
            start, end = m.start, m.end
            for t in m.targets:
                weight, rule = judge(start, end, "keyword", t.kind, t.name, t.strength)
                if t.kind == "foreign":
                    self.emit_with_a_share(
                        fld, (start, end), t, "keyword", _secid(t.symbol), weight, rule
                    )
                    continue
                s, e = (start, end) if offsets is None else fld.scan.original(start, end)
                rows.append(
                    (t.symbol, t.kind, "keyword", t.name, original[s:e], field, s,
                     _secid(t.symbol), weight, rule)
                )  # fmt: skip

    def codes(self, fld: _Field, hits: list[Hit]) -> None:
        for h in hits:
            weight, rule = fld.judge(h.start, h.end, "code", h.kind, h.name)
            target = Target(h.symbol, h.kind, h.name or self.tagger.name_of(h.symbol) or "")
            self.emit_with_a_share(
                fld,
                (h.start, h.end),
                target,
                "code",
                _secid(h.symbol),
                weight,
                rule,
                explicit=True,
            )

    def links(self, fld: _Field) -> set[int]:
        """Automatic and quote links, checked against the text; returns the matches used."""
        matches = fld.scan.matches
        starts = [m.start for m in matches]
        used: set[int] = set()
        for mark in self.rec.marks:
            if mark.how not in _LINKS:
                continue
            s = resolve(mark.secid)
            if s is None:
                continue
            anchor = mark.name or ""
            ls = fld.scan.normalised(mark.position)
            le = fld.scan.normalised(mark.position + len(anchor)) if anchor else ls
            self._link(fld, mark, s.canonical, s.kind, (ls, le), matches, starts, used)
        return used

    def _link(
        self,
        fld: _Field,
        mark: Any,
        symbol: str,
        kind: Any,
        span: tuple[int, int],
        matches: list[Match],
        starts: list[int],
        used: set[int],
    ) -> None:
        ls, le = span
        a_share = self.tagger.a_share_of(symbol)
        overlapping = []
        i = max(bisect_right(starts, ls) - 1, 0)
        while i < len(matches) and matches[i].start < max(le, ls + 1):
            if matches[i].end > ls:
                overlapping.append(i)
            i += 1
        target = Target(symbol, kind, mark.name or self.tagger.name_of(symbol) or "")
        same = [
            j for j in overlapping if any(t.symbol in (symbol, a_share) for t in matches[j].targets)
        ]
        if same:
            m = matches[same[0]]
            used.update(same)
            strength = min(t.strength for t in m.targets if t.symbol in (symbol, a_share))
            weight, rule = fld.judge(m.start, m.end, mark.how, kind, target.name, strength)
            self.emit_with_a_share(fld, (ls, le), target, mark.how, mark.secid, weight, rule)
            return
        longer = [
            j
            for j in overlapping
            if matches[j].start < ls or matches[j].end > le or not matches[j].targets
        ]
        if longer:
            weight, rule = 0.0, "inside_longer_word"
        elif name_key(mark.name or "") in self._common_words():
            weight, rule = 0.0, "link_on_common_word"
        else:
            weight, rule = fld.judge(ls, le, mark.how, kind, target.name)
        self.emit_with_a_share(fld, (ls, le), target, mark.how, mark.secid, weight, rule)

    def _common_words(self) -> frozenset[str]:
        return self.tagger.common_words

    def title(self) -> _Headline:
        """Mentions of the headline; returns what kinds of names it has."""
        text = self.rec.title
        if not text:
            return _Headline(False, False, False)
        first = len(self.rows)
        scan = self.tagger.scan(text)
        fld = _Field(text, scan, Layout(scan.text, self.tagger.rules, title=True), "title")
        self.keywords(fld, [m for m in scan.matches if m.targets])
        self.codes(fld, scan.codes)
        self.rows[first:] = rows = _company_led(self.rows[first:])
        rules = self.tagger.rules
        named = [row for row in rows if row[8] > 0]
        headline = _Headline(
            brokers=any(
                row[0] == _BROKERS_BOARD or rules.is_broker(row[4], row[3] or "") for row in named
            ),
            companies=any(row[1] in _COMPANIES for row in named),
            boards=any(
                row[1] == "board" and "related" not in row[9] and "company_story" not in row[9]
                for row in named
            ),
        )
        return headline

    def text(self, headline: _Headline) -> None:
        text = self.rec.text
        if not text:
            return
        first = len(self.rows)
        scan = self.tagger.scan(text)
        layout = Layout(scan.text, self.tagger.rules, brokers_are_news=headline.brokers)
        fld = _Field(text, scan, layout, "text")
        first_name = _first_sentence(fld)
        fld.company_story = headline.company_story(
            first_name is not None and first_name[1] in _COMPANIES
        )
        if not (headline.companies or headline.boards):
            topic = _first_sentence(fld, _CLAUSE_STOPS)
            fld.no_subject_except = -1 if topic is None else topic[0]
        used = self.links(fld)
        self.keywords(fld, [m for i, m in enumerate(scan.matches) if i not in used and m.targets])
        self.codes(fld, scan.codes)
        self.rows[first:] = _damp_roundup(self.rows[first:])


_BROKERS_BOARD: Final = "BK0473"


@dataclass(frozen=True)
class _Headline:
    """What the headline names (mentions with a weight above 0)."""

    brokers: bool
    companies: bool
    boards: bool

    def company_story(self, first_is_company: bool) -> bool:
        """A story about a company: the headline names one and no board, or (when it names
        neither) the first name in the text's first sentence is a company."""
        if self.companies or self.boards:
            return self.companies and not self.boards
        return first_is_company


def _first_sentence(fld: _Field, stops: str = "。!?\n") -> tuple[int, str] | None:
    """Start and kind of the first name (not a source) of a text's first sentence
    (or of the first stretch ending at one of ``stops``)."""
    text = fld.scan.text
    end = next((i for i, ch in enumerate(text) if ch in stops), len(text))
    lay = fld.layout
    for m in fld.scan.matches:
        if m.start >= end:
            break
        for t in m.targets:
            if lay.role(m.start, m.end, t.kind, t.name) is None:
                return m.start, t.kind
    return None


_COMPANIES: Final = ("stock", "foreign")
#: Punctuation that ends the opening clause (whose first name is the text's topic).
_CLAUSE_STOPS: Final = "，,；;：:。!?\n"
#: Endings that make a sector word an explicit board reference (白酒板块, 锂电概念, 券商股).
BOARD_FORMS: Final = ("板块", "概念", "概念股", "行业", "股")


def _company_led(rows: list[Row]) -> list[Row]:
    """Damp the bare sector words of a headline whose first name is a company.

    In ``中国石化已建成充换电站、光伏发电站各1000座`` the company is the subject and
    光伏 describes what it built: such a word counts as a body mention
    (rule ``title+company_story``) and the text is read as a company story. An
    explicit board form (白酒板块, 锂电概念股), a chart or a link keeps its weight.
    """
    named = sorted((r for r in rows if r[8] > 0), key=lambda r: r[6])
    if not named or named[0][1] not in _COMPANIES:
        return rows
    out = []
    for r in rows:
        bare = r[2] == "keyword" and not str(r[4]).endswith(BOARD_FORMS)
        if r[1] == "board" and bare and r[8] > 0:
            strength = 0.5 if "related" in str(r[9]) else 1.0
            weight, _ = mention_weight("keyword", "body", "board", strength=strength)
            r = (*r[:8], weight, str(r[9]).replace("title", "title+company_story", 1))
        out.append(r)
    return out


def _damp_roundup(rows: list[Row]) -> list[Row]:
    """Halve single body mentions of companies in an article naming many of them."""
    named = {r[0] for r in rows if r[1] in _COMPANIES and r[8] > 0}
    if len(named) < ROUNDUP_MIN:
        return rows
    factor = WEIGHT_FACTORS["roundup"]
    out = []
    for r in rows:
        if r[1] in _COMPANIES and r[8] > 0 and str(r[9]).startswith("body") and r[2] != "code":
            r = (*r[:8], round(r[8] * factor, 6), f"{r[9]}+roundup({len(named)})")
        out.append(r)
    return out


def collect_mentions(rec: Record, tagger: Tagger) -> list[Row]:
    """Every mention of a security in ``rec``, one row each.

    A row is ``(symbol, kind, how, name, keyword, field, position, secid,
    weight, rule)``: the mention columns of :class:`~eventstudy.news.News`
    after ``article_id``.

    Examples
    --------
    >>> import datetime as dt
    >>> from eventstudy.news.loader import Record
    >>> rec = Record("A", None, "中信证券：白酒板块有望反弹", dt.datetime(2022, 1, 10), None, None,
    ...              None, "", "example")
    >>> [(r[0], r[8], r[9]) for r in collect_mentions(rec, Tagger.default())]
    [('600030.SH', 0.0, 'source'), ('BK0896', 0.6, 'title')]
    """
    art = _Article(rec, tagger)
    art.queries()
    art.charts()
    art.text(art.title())
    return art.rows
