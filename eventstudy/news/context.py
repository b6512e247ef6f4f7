"""Where a name stands in an article, and what the words around it say about it.

The tagger finds names; this module reads their surroundings. Everything runs on
text normalised by :func:`normalise_text` (the same NFKC form the dictionary's
names are kept in). The words it looks for come from the reviewed
``context_words.csv`` and ``source_names.csv`` (:mod:`eventstudy.news.lexicon`);
the rules are these:

Position (:meth:`Layout.position`)
    ``title``; ``lead`` (the sentences of the first paragraph that start within
    its first :data:`LEAD_CHARS` characters); ``body``.
Lists (:meth:`Layout.list_size`)
    A name in a clause of at least :data:`LIST_MIN` ``、``-separated items, nearly
    all short (at most :data:`LIST_ITEM_CHARS` characters: bare names such as a
    holdings list), is one of many and counts less.
Roles (:meth:`Layout.role`): reasons a name is *not* what the story is about
    - ``related_report``: after a ``相关报道``-type heading line (appended
      headlines or an embedded other story);
    - ``attribution``: in a ``文章来源：``-type line, or in a short parenthesis
      that closes a paragraph (``（证券时报）``);
    - ``source``: a broker, medium or data vendor (:class:`SourceNames`) followed
      by ``：`` or, within :data:`SPEECH_WINDOW` characters of its clause, by a
      speech word (认为, 表示, 研报, 推荐, ...), or preceded by ``据``; any name
      followed by a research suffix (研究院, 研究中心, ...);
    - ``organisation``: a name followed by 协会, 大学, ... (中国银行业协会);
    - ``fund_product``: a board or index name followed by ETF, LOF, 基金, ...
      (沪深300ETF is a fund, not the index);
    - ``foreign_market``: a board name with a foreign-market word (港股, 美股,
      恒生, ...) before it in its clause, within :data:`MARKET_WINDOW` characters
      and not cancelled by ``A股`` in between (港股半导体板块 is not the A-share
      board).

Examples
--------
>>> rules = ContextRules.default()
>>> text, _ = normalise_text("中信证券认为，白酒板块有望反弹。")
>>> lay = Layout(text, rules)
>>> lay.role(0, 4, "stock", "中信证券"), lay.role(7, 11, "board", "白酒")
('source', None)
>>> lay.position(7)
'lead'
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterable
from dataclasses import dataclass
from functools import cached_property, lru_cache
from typing import Any, Final, Literal, TypeAlias

from eventstudy.news.lexicon import Lexicon, load_lexicon

__all__ = [
    "LEAD_CHARS",
    "LIST_ITEM_CHARS",
    "LIST_MIN",
    "MARKET_WINDOW",
    "ROLES",
    "SPEECH_WINDOW",
    "ContextRules",
    "Layout",
    "Position",
    "Role",
    "normalise_text",
    "normalised_units",
]

#: The lead: sentences of the first paragraph that start within this many characters.
LEAD_CHARS: Final = 120
#: A list counts from this many ``、``-separated items ...
LIST_MIN: Final = 5
#: ... nearly all (all but one) of at most this many characters.
LIST_ITEM_CHARS: Final = 8
#: A speech word this many characters after a source name (same clause) makes it the source.
SPEECH_WINDOW: Final = 10
#: A market word this many characters before a board name (same clause) makes it foreign.
MARKET_WINDOW: Final = 12

Position: TypeAlias = Literal["title", "lead", "body"]
Role: TypeAlias = Literal[
    "related_report", "attribution", "source", "organisation", "fund_product", "foreign_market"
]
#: Roles that make a mention no evidence that the story is about the name.
ROLES: Final[tuple[Role, ...]] = (
    "related_report",
    "attribution",
    "source",
    "organisation",
    "fund_product",
    "foreign_market",
)

# Characters that end a clause (after normalisation: full-width ，：；！？（） are ASCII).
_CLAUSE = re.compile(r"[,.;:!?()\[\]\n。“”\"'【】《》「」 \u3000…—]")
_SENTENCE = re.compile(r"[。!?\n]")
# Spaces Eastmoney and others put between CJK characters (万  科A): removed before matching
# (after NFKC, the ideographic and no-break spaces are plain spaces).
_CJK_SPACE = re.compile(r"(?<=[\u3400-\u9fff]) +(?=[\u3400-\u9fff])")
_ASTRAL = re.compile("[\U00010000-\U0010ffff]")


@lru_cache(maxsize=1)
def _translation() -> dict[int, str]:
    """One-to-one replacements of the BMP: NFKC, then upper case."""
    table: dict[int, str] = {}
    for cp in range(0x10000):
        if 0xD800 <= cp <= 0xDFFF:
            continue
        ch = chr(cp)
        norm = unicodedata.normalize("NFKC", ch).upper()
        if norm != ch and len(norm) == 1 and norm <= "\uffff":
            table[cp] = norm
    return table


@lru_cache(maxsize=1)
def _unit_table() -> Any:
    import numpy as np

    table = np.arange(0x10000, dtype=">u2")  # big-endian: the result is UTF-16-BE as is
    for cp, ch in _translation().items():
        table[cp] = ord(ch)
    return table


def normalised_units(text: str) -> tuple[str, list[int] | None, str]:
    """:func:`normalise_text` plus the result as UTF-16 code units (two Latin-1
    characters each), the form the tagger's automaton reads.

    Examples
    --------
    >>> text, offsets, units = normalised_units("ＡＢ白酒")
    >>> text, offsets, units == "AB白酒".encode("utf-16-be").decode("latin-1")
    ('AB白酒', None, True)
    """
    import numpy as np

    data = text.encode("utf-16-be", "surrogatepass")
    if len(data) != 2 * len(text):  # characters outside the BMP: one U+FFFD each
        text = _ASTRAL.sub("\ufffd", text)
        data = text.encode("utf-16-be", "surrogatepass")
    units = _unit_table()[np.frombuffer(data, dtype=">u2")].tobytes()
    out = units.decode("utf-16-be")
    if " " not in out or not _CJK_SPACE.search(out):
        return out, None, units.decode("latin-1")
    keep: list[int] = []
    pieces: list[str] = []
    last = 0
    for m in _CJK_SPACE.finditer(out):
        keep.extend(range(last, m.start()))
        pieces.append(out[last : m.start()])
        last = m.end()
    keep.extend(range(last, len(out)))
    pieces.append(out[last:])
    out = "".join(pieces)
    return out, keep, out.encode("utf-16-be").decode("latin-1")


def normalise_text(text: str) -> tuple[str, list[int] | None]:
    """Text in the form names are matched in, and where its characters came from.

    Each character is replaced by its NFKC form, upper-cased, when that is one
    character (full-width letters, digits and punctuation become ASCII; ``…``
    stays), characters outside the Basic Multilingual Plane (emoji) become
    U+FFFD, and white space between two CJK characters is removed (``万  科Ａ``
    → ``万科A``): the same normalisation as
    :func:`eventstudy.reference.names.name_key` applies to names, done so that
    every character keeps its offset.

    Returns
    -------
    (str, list of int or None)
        The normalised text and, when characters were removed, the offset in
        ``text`` of each of its characters (``None``: offsets are unchanged).

    Examples
    --------
    >>> normalise_text("万  科Ａ（000002）")
    ('万科A(000002)', [0, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12])
    >>> normalise_text("tcl科技…")
    ('TCL科技…', None)
    """
    out, offsets, _ = normalised_units(text)
    return out, offsets


def _alternation(words: Iterable[str]) -> re.Pattern[str] | None:
    ordered = sorted({w for w in words if w}, key=len, reverse=True)
    return re.compile("|".join(map(re.escape, ordered))) if ordered else None


@dataclass(frozen=True)
class ContextRules:
    """The context words and source names, compiled for :class:`Layout`.

    Build it with :meth:`from_lexicon` (or :meth:`default` for the bundled lists).
    """

    speech: re.Pattern[str] | None
    source_prefixes: tuple[str, ...]
    attribution: re.Pattern[str] | None
    market: re.Pattern[str] | None
    market_override: re.Pattern[str] | None
    related_heading: re.Pattern[str] | None
    products: tuple[str, ...]
    organisations: tuple[str, ...]
    source_suffixes: tuple[str, ...]
    source_names: frozenset[str]
    brokers: frozenset[str]

    @classmethod
    def from_lexicon(cls, lexicon: Lexicon) -> ContextRules:
        """Compile the context words and source names of ``lexicon``.

        Examples
        --------
        >>> from eventstudy.news.lexicon import load_lexicon
        >>> rules = ContextRules.from_lexicon(load_lexicon())
        >>> rules.speech.search("中信证券认为") is not None, "ETF" in rules.products
        (True, True)
        """

        def words(kind: str) -> list[str]:
            return [normalise_text(w)[0] for w in lexicon.words("context_words", type=kind)]

        attribution = words("attribution")
        headings = words("related_heading")
        return cls(
            speech=_alternation(words("speech")),
            source_prefixes=tuple(words("source_prefix")),
            attribution=(
                re.compile(r"(?:" + "|".join(map(re.escape, attribution)) + r")\s*:")
                if attribution
                else None
            ),
            market=_alternation(words("market")),
            market_override=_alternation(words("market_override")),
            related_heading=(
                re.compile(r"^\s*(?:" + "|".join(map(re.escape, headings)) + r")\s*[:]?\s*$", re.M)
                if headings
                else None
            ),
            products=tuple(words("product")),
            organisations=tuple(words("organisation")),
            source_suffixes=tuple(words("source_suffix")),
            source_names=frozenset(normalise_text(n)[0] for n in lexicon.words("source_names")),
            brokers=frozenset(
                normalise_text(n)[0] for n in lexicon.words("source_names", role="broker")
            ),
        )

    @classmethod
    def default(cls) -> ContextRules:
        """The rules of the bundled word lists (cached).

        Examples
        --------
        >>> ContextRules.default() is ContextRules.default()
        True
        """
        return _default_rules()

    def is_source_name(self, keyword: str, name: str) -> bool:
        """Whether a name can be the source of a story: a listed source name, or a broker
        (a name ending in 证券).

        Examples
        --------
        >>> r = ContextRules.default()
        >>> r.is_source_name("华泰证券", "华泰证券"), r.is_source_name("茅台", "贵州茅台")
        (True, False)
        """
        return (
            keyword in self.source_names
            or name in self.source_names
            or self.is_broker(keyword, name)
        )

    def is_broker(self, keyword: str, name: str) -> bool:
        """Whether a name is a broker: a listed broker name, or a name ending in 证券.

        Examples
        --------
        >>> r = ContextRules.default()
        >>> r.is_broker("中金公司", "中金公司"), r.is_broker("东方财富", "东方财富")
        (True, False)
        """
        return (
            keyword in self.brokers
            or name in self.brokers
            or keyword.endswith("证券")
            or name.endswith("证券")
        )


@lru_cache(maxsize=1)
def _default_rules() -> ContextRules:
    return ContextRules.from_lexicon(load_lexicon())


class Layout:
    """The structure of one normalised text: lead, clauses, related-report section.

    Parameters
    ----------
    text
        Normalised text (:func:`normalise_text`).
    rules
        The context words.
    title
        ``True`` for a headline: every position is ``title``.
    brokers_are_news
        ``False``: every broker named in the text is a source (the headline is
        not about brokers); ``True``: only a broker that is quoted is.
    """

    def __init__(
        self, text: str, rules: ContextRules, *, title: bool = False, brokers_are_news: bool = True
    ) -> None:
        self.text = text
        self._rules = rules
        self._title = title
        self._brokers_are_news = brokers_are_news

    @cached_property
    def lead_end(self) -> int:
        """End offset of the lead (see :data:`LEAD_CHARS`)."""
        text = self.text
        para = text.find("\n")
        para = len(text) if para < 0 else para
        end = 0
        for m in _SENTENCE.finditer(text, 0, para):
            if end >= LEAD_CHARS:
                return end
            end = m.end()
        return end if end >= LEAD_CHARS else para

    @cached_property
    def related_start(self) -> int:
        """Offset of the first related-reports heading line (``len(text)`` if none)."""
        pattern = self._rules.related_heading
        m = pattern.search(self.text) if pattern is not None and not self._title else None
        return m.start() if m else len(self.text)

    @cached_property
    def _reversed(self) -> str:
        return self.text[::-1]

    def clause(self, start: int, end: int) -> tuple[int, int]:
        """The clause around ``[start, end)``: between the nearest clause punctuation.

        Examples
        --------
        >>> text, _ = normalise_text("据悉，白酒板块走强。")  # ， becomes ,
        >>> Layout(text, ContextRules.default()).clause(3, 5)
        (3, 9)
        """
        n = len(self.text)
        after = _CLAUSE.search(self.text, end)
        before = _CLAUSE.search(self._reversed, n - start)  # the nearest one before start
        return (n - before.start() if before else 0), (after.start() if after else n)

    def position(self, start: int) -> Position:
        """``title``, ``lead`` or ``body``."""
        if self._title:
            return "title"
        return "lead" if start < self.lead_end else "body"

    def list_size(self, start: int, end: int) -> int:
        """Items of the long list the name stands in (0 when it is not in one).

        Examples
        --------
        >>> text = "其中，腾讯控股、美的集团、阿里巴巴、宁德时代、贵州茅台、美团等均被持有"
        >>> Layout(text, ContextRules.default()).list_size(3, 7)
        6
        """
        return self._list_size(*self.clause(start, end))

    def _list_size(self, cs: int, ce: int) -> int:
        text = self.text
        n = text.count("、", cs, ce) + 1
        if n < LIST_MIN:
            return 0
        short = sum(len(item) <= LIST_ITEM_CHARS for item in text[cs:ce].split("、"))
        return n if short >= n - 1 else 0

    def role(self, start: int, end: int, kind: str, name: str) -> Role | None:
        """Why the name at ``[start, end)`` is not what the story is about, if it is not.

        Parameters
        ----------
        start, end
            The name's span in the normalised text.
        kind
            ``stock``, ``index``, ``board`` or ``foreign``.
        name
            The security's display name (to recognise brokers: ``...证券``).
        """
        return self.judge(start, end, kind, name)[1]

    def judge(
        self, start: int, end: int, kind: str, name: str
    ) -> tuple[Position, Role | None, int]:
        """Position, role and long-list size of the name at ``[start, end)`` (one pass).

        Examples
        --------
        >>> text, _ = normalise_text("华泰证券认为，港股半导体板块走强")
        >>> lay = Layout(text, ContextRules.default())
        >>> lay.judge(0, 4, "stock", "华泰证券"), lay.judge(9, 14, "board", "半导体")
        (('lead', 'source', 0), ('lead', 'foreign_market', 0))
        """
        position: Position = (
            "title" if self._title else ("lead" if start < self.lead_end else "body")
        )
        if start >= self.related_start:
            return position, "related_report", 0
        cs, ce = self.clause(start, end)
        role = self._role(start, end, cs, ce, kind, name)
        if role is not None:
            return position, role, 0
        return position, None, self._list_size(cs, ce)

    def _role(self, start: int, end: int, cs: int, ce: int, kind: str, name: str) -> Role | None:
        text = self.text
        rules = self._rules
        if self._attributed(start, cs, ce):
            return "attribution"
        if rules.source_suffixes and text.startswith(rules.source_suffixes, end):
            return "source"
        keyword = text[start:end]
        if rules.is_source_name(keyword, name) and (
            self._quoted(start, end, cs, ce)
            or (
                not self._brokers_are_news
                and kind in ("stock", "foreign")
                and rules.is_broker(keyword, name)
            )
        ):
            return "source"
        if rules.organisations and text.startswith(rules.organisations, end):
            return "organisation"
        if kind in ("board", "index") and rules.products and text.startswith(rules.products, end):
            return "fund_product"
        if kind == "board" and self._foreign_market(start, cs):
            return "foreign_market"
        return None

    @cached_property
    def _attribution_lines(self) -> list[tuple[int, int]]:
        pattern = self._rules.attribution
        if pattern is None or self._title:
            return []
        text = self.text
        out = []
        for m in pattern.finditer(text):  # a label at the start of a line, maybe after "("
            line = text.rfind("\n", 0, m.start()) + 1
            if text[line : m.start()].strip(" (") == "":
                stop = text.find("\n", m.end())
                out.append((m.start(), len(text) if stop < 0 else stop))
        return out

    def _attributed(self, start: int, cs: int, ce: int) -> bool:
        text = self.text
        for lo, hi in self._attribution_lines:
            if lo <= start < hi:
                return True
        # a short parenthesis closing a paragraph: (证券时报) / (东方财富Choice数据)
        return (
            cs > 0
            and text[cs - 1] == "("
            and ce < len(text)
            and text[ce] == ")"
            and ce - cs <= 20
            and (ce + 1 == len(text) or text[ce + 1] == "\n")
        )

    def _quoted(self, start: int, end: int, cs: int, ce: int) -> bool:
        text = self.text
        rules = self._rules
        if end < len(text) and text[end] == ":":
            return True
        before = text[max(cs, start - 2) : start]
        if any(p in before for p in rules.source_prefixes):
            return True
        speech = rules.speech
        return (
            speech is not None
            and speech.search(text, end, min(ce, end + SPEECH_WINDOW)) is not None
        )

    def _foreign_market(self, start: int, cs: int) -> bool:
        market = self._rules.market
        if market is None:
            return False
        lo = max(cs, start - MARKET_WINDOW)
        found = market.search(self.text, lo, start)
        if found is None:
            return False
        for m in market.finditer(self.text, found.end(), start):  # the last one before the name
            found = m
        override = self._rules.market_override
        return override is None or override.search(self.text, found.end(), start) is None
