"""Tagging: which boards, stocks and indices an article's words name.

A :class:`Tagger` is an immutable dictionary of names (name → securities)
matched in one pass over a text with an Aho–Corasick automaton
(``pyahocorasick``, built once and cached): the cost does not grow with the
number of names.

The default dictionary (:meth:`Tagger.default`, built by :meth:`Tagger.from_master`)
holds every name in the security master (:func:`eventstudy.reference.current_master`:
the bundled tables plus any snapshots a live refresh stored in the cache;
about 5,400 listed and 700 former A-shares with their former names and spelling
variants, the main indices, the Eastmoney boards, the distinct names of A+H and
ADR lines) plus the reviewed word lists of :mod:`eventstudy.news.lexicon`:

- **board aliases** (``board_aliases.csv``): old and new industry names,
  concept → board, common sector words (军工 → 航天航空, 乘用车 → 汽车整车,
  苹果概念 → 消费电子); ``direct`` aliases also match with 板块/概念/股/行业,
  ``related`` ones (购置税, 生猪) count half;
- **board variants**: industry and concept boards with 板块/概念/股 (白酒板块),
  the stem of ``...行业`` names (酿酒); region boards only as ``X板块``,
  ``X股``, ``X本地股``, ``X概念股`` (黑龙江板块, not the province);
- **short names** (``short_names.csv``): 茅台, 招行, 沪指 ...

Names and text are normalised the same way (NFKC, ASCII upper case, no spaces
between CJK characters: :func:`eventstudy.news.context.normalise_text` and
:func:`eventstudy.reference.names.name_key`).

Avoiding false hits
-------------------
- **Longest match wins, no overlaps**: in 招商银行 only the stock matches, not
  the board 银行; in 贵州茅台 not the region 贵州.
- **Blockers** (``blockers.csv``): longer words that contain a name but do not
  name it (证券时报, 中国人民银行, 比亚迪电子, 整车物流, 大盘股). They are patterns
  of the same automaton that name no security: being longer, they win the
  longest match and the name inside them is not reported. Extend them with
  :meth:`Tagger.with_exclusions`.
- **Everyday words** (``common_words.csv``): names that are ordinary words
  (证券, 银行, 电池, 农产品, 太阳能) are not matched alone; their variants
  (证券板块, 银行股) and aliases (券商) are.
- **Short names**: base names (ST/退 stripped) shorter than 3 characters are not
  matched (美丽 of ``*ST美丽``); keywords have at least 2 characters, 3 when pure
  ASCII, and ASCII keywords must stand alone (not inside a longer Latin word
  or number).
- **One line per name**: a name shared by an A share and its HK line (长城汽车)
  tags the A share; a name shared by an index and a style board (上证50) tags
  the index; a stock name held by several codes tags the one currently
  listed under that name.

What the words around a name say (source roles, lists, foreign markets, lead
and title) is read by :mod:`eventstudy.news.context`; explicit codes in text
(``600519.SH``, ``(002456)``, ``09988.HK``) are found by :meth:`Tagger.find_codes`.

Examples
--------
>>> t = Tagger.default()
>>> [(h.keyword, h.symbol) for h in t.find("贵州茅台领涨白酒板块，招商银行走弱")]
[('贵州茅台', '600519.SH'), ('白酒板块', 'BK0896'), ('招商银行', '600036.SH')]
>>> t2 = t.with_keywords({"BK0896": ["次高端"]})
>>> [h.symbol for h in t2.find("次高端")], [h.symbol for h in t.find("次高端")]
(['BK0896'], [])
"""

from __future__ import annotations

import re
import warnings
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from functools import cached_property, lru_cache
from typing import TYPE_CHECKING, Any, Final, NamedTuple

import pandas as pd

from eventstudy._typing import SymbolKind
from eventstudy.exceptions import AmbiguousSymbolError, ConfigError, SymbolError
from eventstudy.news.context import ContextRules, normalise_text, normalised_units
from eventstudy.news.dictionary import MIN_BASE_CHARS, Target, build_dictionary
from eventstudy.news.lexicon import Lexicon, load_lexicon
from eventstudy.reference.names import name_key
from eventstudy.symbols import parse_symbol

if TYPE_CHECKING:
    from eventstudy.reference import SecurityMaster

__all__ = ["MIN_BASE_CHARS", "Hit", "Match", "Tagger", "Target", "TextScan"]

# Codes as news writes them. Every alternative starts with a digit, S/B, ( or 代, so the
# regex engine skips other characters fast; the character before a match is checked after.
_CODE = re.compile(
    r"(?=[\d(SB代])(?:"
    r"(?P<a>\d{6})\.(?P<ax>SH|SZ|BJ|SS)(?![A-Z])"
    r"|(?P<hk>\d{4,5})\.HK(?![A-Z])"
    r"|(?P<px>SH|SZ|BJ)(?P<p>\d{6})(?!\d)"
    r"|\((?:(?P<b>\d{6})(?=[),、])|(?P<h5>\d{5})(?=\)))"
    r"|代码(?::|为|是)?\s*(?P<c>\d{6})(?!\d)"
    r"|\((?:NASDAQ|NYSE|AMEX|纳斯达克|纽交所)\s*:?\s*(?P<us>[A-Z]{1,5})\)"
    r")"
)
_CODE_HINT = re.compile(r"\d{4}|\((?:NASDAQ|NYSE|AMEX|纳斯达克|纽交所)")
_CODE_BEFORE: Final = frozenset("0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZ.")
_CJK = re.compile(r"[\u3400-\u9fff]")


@dataclass(frozen=True, slots=True)
class Hit:
    """One occurrence: ``keyword`` (the text as it stands), ``symbol``, ``kind``, ``name``,
    ``start``, ``end`` (offsets in the text searched), ``origin`` and ``strength``
    (see :class:`Target`)."""

    keyword: str
    symbol: str
    kind: SymbolKind
    name: str
    start: int
    end: int
    origin: str = "keyword"
    strength: float = 1.0


class Match(NamedTuple):
    """A span of the normalised text the automaton matched; no targets for a blocker."""

    start: int
    end: int
    key: str
    targets: tuple[Target, ...]


@dataclass(frozen=True)
class TextScan:
    """A text as the tagger read it: normalised ``text``, its ``offsets`` in the
    original (``None``: unchanged), every automaton ``matches`` (blockers
    included) and the explicit ``codes`` (hits in normalised offsets)."""

    text: str
    offsets: list[int] | None
    matches: list[Match]
    codes: list[Hit]

    def original(self, start: int, end: int) -> tuple[int, int]:
        """The span ``[start, end)`` of the normalised text in the original text."""
        if self.offsets is None:
            return start, end
        return self.offsets[start], self.offsets[end - 1] + 1

    def normalised(self, start: int) -> int:
        """The offset in the normalised text of original offset ``start``."""
        if self.offsets is None:
            return start
        from bisect import bisect_left

        return bisect_left(self.offsets, start)


def _check_keyword(word: object) -> str:
    if not isinstance(word, str):
        raise ConfigError(f"keyword {word!r} is a {type(word).__name__}; keywords are strings")
    w = " ".join(normalise_text(word.strip())[0].split())  # Latin words keep one space
    if len(w) < 2 or (w.isascii() and len(w) < 3):
        raise ConfigError(
            f"keyword {word!r} is too short (minimum 2 characters, 3 for ASCII-only words): "
            "short keywords match inside unrelated words"
        )
    return w


@lru_cache(maxsize=4096)
def _kind(symbol: str) -> SymbolKind:
    return parse_symbol(symbol).kind


class Tagger:
    """A dictionary of names that finds the securities a text names.

    Build it with :meth:`default`, :meth:`from_master` or :meth:`from_keywords`;
    extend it with :meth:`with_keywords` and :meth:`with_exclusions` (which
    return a new ``Tagger``).

    Parameters
    ----------
    entries
        ``{keyword: [symbol or Target, ...]}`` with canonical symbols.
    names
        ``{symbol: display name}`` (board or stock name, e.g. ``BK0896 → 白酒``).
    exclusions
        Blockers: words that contain a keyword but name no security; a word that
        is also a keyword stays a keyword.
    rules
        Context words (:class:`~eventstudy.news.context.ContextRules`); default:
        the bundled word lists.
    codes
        ``{6-digit code: (canonical symbol, ...)}`` for codes written in text
        (first = preferred); default: read any 6-digit code by the exchange rule.
    cross_listings
        ``{HK or US line: A share}`` (an HK line found in text also tags its A share).
    common_words
        Everyday words (not keywords; automatic links on them are no evidence);
        default: the bundled ``common_words.csv``.

    Examples
    --------
    >>> t = Tagger.from_keywords({"BK0896": ["白酒"]}, names={"BK0896": "白酒"})
    >>> t.find("低度化白酒产品")  # doctest: +NORMALIZE_WHITESPACE
    [Hit(keyword='白酒', symbol='BK0896', kind='board', name='白酒', start=3, end=5,
         origin='keyword', strength=1.0)]
    """

    def __init__(
        self,
        entries: Mapping[str, Iterable[str | Target]],
        names: Mapping[str, str] | None = None,
        exclusions: Iterable[str] = (),
        *,
        rules: ContextRules | None = None,
        codes: Mapping[str, tuple[str, ...]] | None = None,
        cross_listings: Mapping[str, str] | None = None,
        common_words: Iterable[str] | None = None,
    ) -> None:
        self._names = dict(names or {})
        clean: dict[str, tuple[Target, ...]] = {}
        for word, targets in entries.items():
            out: dict[str, Target] = {}
            for t in targets:
                target = t if isinstance(t, Target) else self._target(t)
                out.setdefault(target.symbol, target)
            if out:
                key = _check_keyword(word)
                merged = {t.symbol: t for t in clean.get(key, ())}
                for symbol, target in out.items():
                    merged.setdefault(symbol, target)
                clean[key] = tuple(merged.values())
        self._entries = clean
        if isinstance(exclusions, str):
            exclusions = [exclusions]
        self._exclusions = frozenset(_check_keyword(w) for w in exclusions) - clean.keys()
        self._rules = rules if rules is not None else ContextRules.default()
        self._codes = dict(codes or {})
        self._cross = dict(cross_listings or {})
        if common_words is None:
            common_words = load_lexicon().words("common_words")
        self._common = frozenset(name_key(w) for w in common_words)

    def _target(self, symbol: str) -> Target:
        return Target(symbol, _kind(symbol), self._names.get(symbol, ""), "keyword", 1.0)

    def _clone(
        self, entries: Mapping[str, Iterable[str | Target]], exclusions: Iterable[str]
    ) -> Tagger:
        return Tagger(
            entries,
            self._names,
            exclusions,
            rules=self._rules,
            codes=self._codes,
            cross_listings=self._cross,
            common_words=self._common,
        )

    def __repr__(self) -> str:
        return f"Tagger({len(self._entries)} keywords, {len(self.symbols)} securities)"

    def __len__(self) -> int:
        return len(self._entries)

    @property
    def rules(self) -> ContextRules:
        """The context words the evidence rules read (:mod:`eventstudy.news.context`)."""
        return self._rules

    @property
    def common_words(self) -> frozenset[str]:
        """Names that are everyday words: not matched alone, and Eastmoney's automatic
        links on them are no evidence (``common_words.csv``)."""
        return self._common

    @property
    def exclusions(self) -> frozenset[str]:
        """Blockers: words matched but ignored (they contain a keyword without naming it)."""
        return self._exclusions

    @property
    def symbols(self) -> list[str]:
        """The securities the dictionary can tag, sorted."""
        return sorted({t.symbol for targets in self._entries.values() for t in targets})

    def name_of(self, symbol: str) -> str | None:
        """Display name of a symbol (``BK0896`` → ``白酒``), if known.

        Examples
        --------
        >>> Tagger.default().name_of("BK0896")
        '白酒'
        """
        return self._names.get(symbol)

    def a_share_of(self, symbol: str) -> str | None:
        """The A share of an HK or US line of an A+H / ADR company, if recorded.

        Examples
        --------
        >>> Tagger.default().a_share_of("02333.HK")
        '601633.SH'
        """
        return self._cross.get(symbol)

    @property
    def keywords(self) -> pd.DataFrame:
        """The dictionary as a table: ``keyword``, ``symbol``, ``kind``, ``name``,
        ``origin``, ``strength``.

        Examples
        --------
        >>> kw = Tagger.default().keywords
        >>> sorted(kw[kw.symbol == "600519.SH"].keyword)
        ['茅台', '贵州茅台', '贵州茅台酒']
        """
        rows = [
            (w, t.symbol, t.kind, t.name, t.origin, t.strength)
            for w, targets in self._entries.items()
            for t in targets
        ]
        return pd.DataFrame(
            rows, columns=["keyword", "symbol", "kind", "name", "origin", "strength"]
        )

    # --- construction ---------------------------------------------------------------------

    @classmethod
    def from_keywords(
        cls, keywords: Mapping[str, Iterable[str]], *, names: Mapping[str, str] | None = None
    ) -> Tagger:
        """Build a tagger from ``{symbol: [keyword, ...]}``.

        Symbols may be in any spelling :func:`eventstudy.symbols.normalize` accepts.

        Raises
        ------
        SymbolError
            For an invalid symbol.
        ConfigError
            For a keyword that is too short or not a string.

        Examples
        --------
        >>> Tagger.from_keywords({"sh600519": ["茅台"]}).find("茅台")[0].symbol
        '600519.SH'
        """
        return cls({}, names).with_keywords(keywords)

    @classmethod
    def from_master(
        cls, master: SecurityMaster | None = None, lexicon: Lexicon | None = None
    ) -> Tagger:
        """Build the full dictionary from a security master and the reviewed word lists.

        Parameters
        ----------
        master
            Default :func:`eventstudy.reference.current_master`: the bundled tables plus
            the snapshots ``eventstudy reference refresh`` stored in the cache.
        lexicon
            Default :func:`eventstudy.news.lexicon.load_lexicon` (the bundled lists);
            pass ``load_lexicon().with_rows(...)`` to try new aliases or blockers.

        Raises
        ------
        ConfigError
            If an alias names a code the master does not know.

        Examples
        --------
        >>> from eventstudy.news.lexicon import load_lexicon
        >>> lex = load_lexicon().with_rows("board_aliases", [{"code": "BK0896",
        ...     "alias": "次高端", "strength": "direct", "source": "my review"}])
        >>> [h.symbol for h in Tagger.from_master(lexicon=lex).find("次高端产品")]
        ['BK0896']
        """
        from eventstudy.reference import current_master

        built = build_dictionary(
            master if master is not None else current_master(),
            lexicon if lexicon is not None else load_lexicon(),
        )
        return cls(
            built.entries,
            built.names,
            built.blockers,
            rules=ContextRules.from_lexicon(built.lexicon),
            codes=built.codes,
            cross_listings=built.cross_listings,
            common_words=built.lexicon.words("common_words"),
        )

    @classmethod
    def default(cls) -> Tagger:
        """The dictionary of the current security master and word lists (built once, cached).

        The master is :func:`eventstudy.reference.current_master`: after ``eventstudy
        reference refresh`` stored newer names, the next call builds a new dictionary
        with them (offline; the store is only read).

        Examples
        --------
        >>> t = Tagger.default()
        >>> [h.symbol for h in t.find("白酒")], t.name_of("600519.SH")
        (['BK0896'], '贵州茅台')
        """
        return _default_tagger()

    def with_exclusions(self, words: Iterable[str]) -> Tagger:
        """A new tagger that also blocks ``words`` (longer words containing a keyword).

        Examples
        --------
        >>> t = Tagger.default().with_exclusions(["茅台镇"])
        >>> [h.keyword for h in t.find("茅台镇的茅台酒")]
        ['茅台']
        """
        if isinstance(words, str):
            words = [words]
        return self._clone(self._entries, self._exclusions | set(words))

    def with_keywords(self, keywords: Mapping[str, Iterable[str] | str]) -> Tagger:
        """A new tagger with more keywords (``{symbol: [keyword, ...]}``).

        A keyword already in the dictionary is mapped to the new symbol too.

        Examples
        --------
        >>> t = Tagger.default().with_keywords({"BK0896": ["次高端"]})
        >>> [h.keyword for h in t.find("酱香酒与次高端白酒")]
        ['酱香', '次高端', '白酒']
        """
        if not isinstance(keywords, Mapping):
            raise ConfigError(
                "keywords must be a mapping {symbol: [keyword, ...]}, "
                f"got {type(keywords).__name__}"
            )
        entries: dict[str, list[str | Target]] = {w: list(t) for w, t in self._entries.items()}
        for symbol, words in keywords.items():
            try:
                canon = parse_symbol(symbol).canonical
            except SymbolError as err:
                raise SymbolError(f"with_keywords: {err}") from None
            target = Target(canon, _kind(canon), self._names.get(canon, ""), "keyword", 1.0)
            for word in [words] if isinstance(words, str) else words:
                entries.setdefault(_check_keyword(word), []).append(target)
        return self._clone(entries, self._exclusions)

    # --- matching -------------------------------------------------------------------------

    @cached_property
    def _automaton(self) -> Any:
        # Keys and text are matched as UTF-16 code units spelled as Latin-1 pairs: the
        # automaton's nodes then have at most 256 children each (not one per CJK character),
        # which makes a pass several times faster; matches at odd offsets are dropped.
        import ahocorasick

        auto = ahocorasick.Automaton()
        for word, targets in self._entries.items():
            auto.add_word(_units(word), (word, targets, word.isascii(), 2 * len(word)))
        for word in self._exclusions:  # no securities: found, and then ignored
            auto.add_word(_units(word), (word, (), word.isascii(), 2 * len(word)))
        if len(auto):
            auto.make_automaton()
        return auto

    def _matches(self, text: str, units: str | None = None) -> list[Match]:
        """Longest leftmost non-overlapping matches in normalised ``text`` (``units``:
        the same as :func:`~eventstudy.news.context.normalised_units` gives it)."""
        auto = self._automaton
        if not text or not len(auto):
            return []
        found = []
        for end, value in auto.iter(units if units is not None else _units(text)):
            start = end + 1 - value[3]
            if not start & 1:
                found.append((start >> 1, -value[3], value))
        found.sort(key=lambda f: (f[0], f[1]))
        out: list[Match] = []
        pos = 0
        n = len(text)
        for start, neg, (word, targets, ascii_word, _) in found:
            end = start - neg // 2
            if start < pos:
                continue
            if ascii_word and (
                (start > 0 and text[start - 1].isascii() and text[start - 1].isalnum())
                or (end < n and text[end].isascii() and text[end].isalnum())
            ):
                continue
            out.append(Match(start, end, word, targets))
            pos = end
        return out

    def scan(self, text: str) -> TextScan:
        """Normalise ``text`` and find every name, blocker and explicit code in it.

        The lower-level form of :meth:`find` and :meth:`find_codes` (offsets are
        in the normalised text; :meth:`TextScan.original` maps them back).

        Examples
        --------
        >>> s = Tagger.default().scan("证券时报：贵州茅台(600519)")
        >>> [(m.key, [t.symbol for t in m.targets]) for m in s.matches]
        [('证券时报', []), ('贵州茅台', ['600519.SH'])]
        >>> [(h.keyword, h.symbol) for h in s.codes]
        [('600519', '600519.SH')]
        """
        norm, offsets, units = normalised_units(text) if text else ("", None, "")
        matches = self._matches(norm, units)
        codes = self._code_hits(norm, matches) if norm else []
        return TextScan(norm, offsets, matches, codes)

    def find(self, text: str) -> list[Hit]:
        """All name occurrences in ``text``: longest leftmost, non-overlapping.

        Parameters
        ----------
        text
            Any text.

        Returns
        -------
        list of Hit
            In text order; a keyword naming several securities gives one hit each;
            offsets and ``keyword`` refer to ``text`` as given.

        Examples
        --------
        >>> [(h.keyword, h.start) for h in Tagger.default().find("中国人民银行与招商银行")]
        [('招商银行', 7)]
        >>> [(h.keyword, h.symbol) for h in Tagger.default().find("万  科Ａ涨停")]
        [('万  科Ａ', '000002.SZ')]
        """
        scan = self.scan(text)
        out: list[Hit] = []
        for m in scan.matches:
            start, end = scan.original(m.start, m.end)
            for t in m.targets:
                out.append(
                    Hit(text[start:end], t.symbol, t.kind, t.name, start, end, t.origin, t.strength)
                )
        return out

    def find_codes(self, text: str) -> list[Hit]:
        """Securities written as codes in ``text``: ``600519.SH``, ``SZ000858``,
        ``09988.HK``, ``(002456)``, ``代码600519``, ``(00700)``, ``(NASDAQ: NIO)``.

        A bare 6-digit code counts only in parentheses or after 代码, and only when
        the dictionary knows it (``000001`` after 上证指数 is the index, else the stock);
        a bare 5-digit code only in parentheses right after a name.

        Examples
        --------
        >>> t = Tagger.default()
        >>> [(h.keyword, h.symbol) for h in t.find_codes("欧菲光（002456）与阿里巴巴(9988.HK)")]
        [('002456', '002456.SZ'), ('9988.HK', '09988.HK')]
        """
        scan = self.scan(text)
        out: list[Hit] = []
        for h in scan.codes:
            start, end = scan.original(h.start, h.end)
            out.append(Hit(text[start:end], h.symbol, h.kind, h.name, start, end, "code", 1.0))
        return out

    def _code_hits(self, text: str, matches: list[Match]) -> list[Hit]:
        out: list[Hit] = []
        if _CODE_HINT.search(text) is None:
            return out
        ends: dict[int, Match] | None = None
        for m in _CODE.finditer(text):
            before = text[m.start() - 1] if m.start() else ""
            if before and before in _CODE_BEFORE:
                continue  # inside a longer number or word (12600519.SH, X.600519)
            group = m.lastgroup if m.lastgroup not in ("ax", "px") else None
            group = group or next(g for g in ("a", "p") if m.group(g))
            if group == "p" and not m.group("p"):
                continue
            if ends is None:
                ends = {x.end: x for x in matches}
            symbol = self._resolve_code(text, m, group, ends)
            if symbol is None:
                continue
            s, e = _code_span(m, group)
            out.append(
                Hit(text[s:e], symbol, _kind(symbol), self._names.get(symbol, ""), s, e, "code")
            )
        return out

    def _resolve_code(
        self, text: str, m: re.Match[str], group: str, ends: Mapping[int, Match]
    ) -> str | None:
        digits = m.group(group)
        if group in ("a", "p"):
            exchange = (m.group("ax") or m.group("px")).replace("SS", "SH")
            return _canonical(f"{digits}.{exchange}")
        if group == "hk":
            return f"{digits.zfill(5)}.HK"
        if group == "us":
            return _canonical(digits)
        if group == "h5":
            paren = m.start(group) - 1
            return f"{digits}.HK" if paren > 0 and _CJK.match(text, paren - 1) else None
        # a bare 6-digit code: the name right before it decides between an index and a stock
        candidates = self._codes.get(digits)
        if candidates is None:
            if self._codes:
                return None
            return _canonical(digits)
        name_before = ends.get(m.start(group) - 1)
        if name_before is not None:
            for t in name_before.targets:
                if t.symbol in candidates:
                    return t.symbol
        return candidates[0]


def _units(text: str) -> str:
    """``text`` as UTF-16 (big-endian) code units, two Latin-1 characters each."""
    return text.encode("utf-16-be", "surrogatepass").decode("latin-1")


def _code_span(m: re.Match[str], group: str) -> tuple[int, int]:
    """The span of the whole code as written (digits with their exchange)."""
    if group == "a":
        return m.start("a"), m.end("ax")
    if group == "p":
        return m.start("px"), m.end("p")
    if group == "hk":
        return m.start("hk"), m.end("hk") + 3
    return m.span(group)


def _canonical(code: str) -> str | None:
    try:
        return parse_symbol(code).canonical
    except (SymbolError, AmbiguousSymbolError):
        return None


_DEFAULT_TAGGERS: dict[int, tuple[SecurityMaster, Tagger]] = {}


def _default_tagger() -> Tagger:
    from eventstudy.reference.store import current_master

    master = current_master()
    hit = _DEFAULT_TAGGERS.get(id(master))
    if hit is None or hit[0] is not master:
        if len(_DEFAULT_TAGGERS) >= 4:
            _DEFAULT_TAGGERS.clear()
        hit = _DEFAULT_TAGGERS[id(master)] = (master, Tagger.from_master(master))
    return hit[1]


_DEPRECATED: Final = {
    "STOP_WORDS": "eventstudy.news.lexicon.load_lexicon().words('common_words')",
    "SYNONYMS": "eventstudy.news.lexicon.load_lexicon().table('board_aliases') and "
    "table('short_names')",
    "EXCLUSIONS": "eventstudy.news.lexicon.load_lexicon().words('blockers')",
}


def __getattr__(name: str) -> Any:
    """Deprecated module constants of tagger v1 (the word lists are data files now)."""
    if name not in _DEPRECATED:
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
    warnings.warn(
        f"eventstudy.news.tagger.{name} is deprecated and will be removed in the next "
        f"release: the word lists are reviewed data files; use {_DEPRECATED[name]}",
        DeprecationWarning,
        stacklevel=2,
    )
    lex = load_lexicon()
    if name == "STOP_WORDS":
        return frozenset(lex.words("common_words"))
    if name == "EXCLUSIONS":
        return frozenset(lex.words("blockers"))
    synonyms: dict[str, tuple[str, ...]] = {}
    for table in ("board_aliases", "short_names"):
        frame = lex.table(table)
        for code, alias in zip(frame["code"], frame["alias"], strict=True):
            synonyms[code] = (*synonyms.get(code, ()), alias)
    return synonyms
