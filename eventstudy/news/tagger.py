"""Keyword tagging: which boards, stocks and indices an article's words name.

A :class:`Tagger` is an immutable keyword dictionary (keyword → securities)
matched in one pass over a text with an Aho–Corasick automaton
(``pyahocorasick``): the cost does not grow with the number of keywords.

The default dictionary (:meth:`Tagger.default`) is built from

- the board table (:func:`eventstudy.datasets.board_table`): each board's name
  (style-board suffixes such as ``_`` removed), with ``板块``/``概念``/``股``
  variants for industry and concept boards;
- the membership table (:func:`eventstudy.datasets.board_members`): stock
  names → stock symbols, plus curated short names (茅台 → 600519.SH);
- the index names of :data:`eventstudy.symbols.KNOWN_INDICES` plus common
  short forms (沪指, 深成指, 创业板指);
- curated synonyms for the boards the bundled data covers (:data:`SYNONYMS`).

Avoiding false hits
-------------------
- **Longest match wins, no overlaps**: in 招商银行 only the stock matches, not
  the board 银行; in 贵州茅台 not the region 贵州.
- **Minimum length**: keywords have at least 2 characters, and at least 3 when
  they are pure ASCII (``ETF``); ASCII keywords must stand alone (not inside a
  longer Latin word or number).
- **Stop list** (:data:`STOP_WORDS`): board names that are everyday words in
  financial news (证券 in 证券时报, 银行 in 中国人民银行, 保险, 教育, 电池, ...)
  are not used on their own; their unambiguous variants (证券板块, 券商股, ...)
  still are. Region boards match only with ``板块`` (黑龙江板块, not the province).
- **Exclusions** (:data:`EXCLUSIONS`): longer common words that contain a
  keyword but do not name its security (建行 in 搭建行业, 大盘 in 大盘股, 券商 in
  the newspaper 券商中国). They are patterns of the same automaton that name no
  security: being longer (or further left), they win the longest-leftmost match
  and the keyword inside them is not reported. Extend them with
  :meth:`Tagger.with_exclusions`.
- **No short synonyms that are parts of everyday words**: 美的 (完美的), 海天
  (上海天然气), 中建 (其中建设), 中车 (其中车企) and 免税 (减免税) are not in the
  default dictionary; the full names (美的集团, 海天味业, ...) are.

Examples
--------
>>> t = Tagger.default()
>>> [(h.keyword, h.symbol) for h in t.find("贵州茅台领涨白酒板块，招商银行走弱")]
[('贵州茅台', '600519.SH'), ('白酒板块', 'BK0896'), ('招商银行', '600036.SH')]
>>> t2 = t.with_keywords({"BK0896": ["酱香"]})
>>> [h.symbol for h in t2.find("酱香型")], [h.symbol for h in t.find("酱香型")]
(['BK0896'], [])
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from functools import cached_property, lru_cache
from typing import Any, Final

import pandas as pd

from eventstudy._typing import SymbolKind
from eventstudy.exceptions import ConfigError, SymbolError
from eventstudy.symbols import KNOWN_INDICES, parse_symbol

__all__ = ["EXCLUSIONS", "STOP_WORDS", "SYNONYMS", "Hit", "Tagger"]

#: Board names too common in news to be evidence on their own.
STOP_WORDS: Final = frozenset(
    [
        "证券",
        "保险",
        "银行",
        "教育",
        "燃气",
        "电池",
        "游戏",
        "电机",
        "中药",
        "养老金",
        "综合行业",
        "贸易行业",
        "公用事业",
        "环保",
        "物流",
        "专业服务",
        "多元金融",
        "小金属",
        "GDR",
        "B股",
        "AB股",
        "AH股",
        "ST股",
        "中特估",
        "破净股",
        "标准普尔",
        "富时罗素",
        "MSCI中国",
        "转债标的",
        "融资融券",
        "社保重仓",
        "基金重仓",
        "机构重仓",
        "QFII重仓",
        "证金持股",
        "沪股通",
        "深股通",
        "中字头",
        "创业成份",
        "深成500",
        "上证380",
        "HS300",
        "央视50",
        "上证50",
        "上证180",
        "中证500",
        "深证100R",
        "宁组合",
        "茅指数",
    ]
)

#: Curated synonyms for the boards, stocks and indices the bundled data covers.
SYNONYMS: Final[dict[str, tuple[str, ...]]] = {
    "BK0896": ("白酒股", "白酒板块", "白酒概念", "白酒行业", "酱香型白酒", "浓香型白酒"),
    "BK0477": ("酿酒", "酿酒板块", "酿酒股", "酒企"),
    "BK0475": ("银行股", "银行板块", "银行业"),
    "BK0474": ("保险股", "保险板块", "险企", "保险业"),
    "BK0473": ("券商", "券商股", "券商板块", "证券板块", "证券股"),
    "BK0456": ("家电", "家电股", "家电板块", "白电"),
    "BK0438": ("食品饮料板块",),
    "BK1033": ("锂电池", "动力电池", "电池板块", "锂电"),
    "BK1031": ("光伏", "光伏板块"),
    "BK0451": ("房地产", "地产股", "房企", "房地产板块"),
    "BK0464": ("石油板块", "石油股"),
    "BK0437": ("煤炭", "煤炭股", "煤炭板块"),
    "BK0428": ("电力股", "电力板块"),
    "BK0727": ("CXO",),
    "BK1040": ("中药板块", "中药股", "中医药"),
    "BK1044": ("疫苗",),
    "BK1029": ("整车", "车企", "汽车整车板块"),
    "BK0425": ("基建",),
    "BK0424": ("水泥", "水泥股"),
    "BK0478": ("有色", "有色板块"),
    "BK0732": ("黄金股", "贵金属板块"),
    "BK0737": ("软件股",),
    "BK0485": ("免税店", "免税板块", "免税概念", "离岛免税", "旅游股"),
    "BK1036": ("芯片", "半导体板块"),
    "600519.SH": ("茅台", "贵州茅台酒"),
    "000858.SZ": ("五粮液",),
    "000568.SZ": ("老窖",),
    "000596.SZ": ("古井贡",),
    "002304.SZ": ("洋河",),
    "600809.SH": ("汾酒",),
    "600036.SH": ("招行",),
    "601398.SH": ("工行", "工行业务"),
    "601939.SH": ("建行", "建行业务"),
    "601288.SH": ("农行", "农行业务"),
    "000002.SZ": ("万科",),
    "000725.SZ": ("京东方",),
    "000651.SZ": ("格力",),
    "600690.SH": ("海尔",),
    "600887.SH": ("伊利",),
    "601012.SH": ("隆基", "隆基股份"),
    "600438.SH": ("通威",),
    "600276.SH": ("恒瑞",),
    "600104.SH": ("上汽",),
    "600585.SH": ("海螺",),
    "600309.SH": ("万华",),
    "603993.SH": ("洛钼",),
    "002415.SZ": ("海康",),
    "601888.SH": ("中免",),
    "600028.SH": ("中石化",),
    "601857.SH": ("中石油",),
    "000001.SH": ("沪指", "上证综指", "大盘"),
    "399001.SZ": ("深成指", "深证成指"),
    "399006.SZ": ("创业板指", "创业板指数"),
    "000300.SH": ("沪深300指数",),
}

#: Common words that contain a keyword but do not name its security; matched in the
#: same pass as the keywords and ignored (see "Avoiding false hits" above).
EXCLUSIONS: Final = frozenset(
    [
        "建行业",  # 搭建行业, 组建行业, ... (建行业务 is a keyword of 601939.SH)
        "工行业",  # 军工行业, 化工行业, 加工行业, ... (工行业务: 601398.SH)
        "农行业",  # 涉农行业, 务农行业 (农行业务: 601288.SH)
        "大盘股",
        "大盘蓝筹",
        "大盘成长",
        "大盘价值",
        "超大盘",
        "经济大盘",  # 稳住经济大盘: the economy, not the SSE Composite
        "券商中国",  # a newspaper (文章来源：券商中国), not the brokers board
        "京东方精电",  # a Hong Kong stock (00710.HK), not 000725.SZ
        "伊利诺",  # 伊利诺伊州 (Illinois), not 600887.SH
    ]
)

_VARIANT_KINDS: Final = frozenset({"industry", "concept"})


@dataclass(frozen=True, slots=True)
class Hit:
    """One keyword occurrence: ``keyword``, ``symbol``, ``kind``, ``name``, ``start``, ``end``."""

    keyword: str
    symbol: str
    kind: SymbolKind
    name: str
    start: int
    end: int


def _check_keyword(word: object) -> str:
    if not isinstance(word, str):
        raise ConfigError(f"keyword {word!r} is a {type(word).__name__}; keywords are strings")
    w = word.strip()
    if len(w) < 2 or (w.isascii() and len(w) < 3):
        raise ConfigError(
            f"keyword {word!r} is too short (minimum 2 characters, 3 for ASCII-only words): "
            "short keywords match inside unrelated words"
        )
    return w


class Tagger:
    """A keyword dictionary that finds securities named in text.

    Build it with :meth:`default` or :meth:`from_keywords`; extend it with
    :meth:`with_keywords` (which returns a new ``Tagger``).

    Parameters
    ----------
    entries
        ``{keyword: [symbol, ...]}`` with canonical symbols.
    names
        ``{symbol: display name}`` (board or stock name, e.g. ``BK0896 → 白酒``).
    exclusions
        Words that contain a keyword but name no security (see :data:`EXCLUSIONS`);
        a word that is also a keyword stays a keyword.

    Examples
    --------
    >>> t = Tagger.from_keywords({"BK0896": ["白酒"]}, names={"BK0896": "白酒"})
    >>> t.find("低度化白酒产品")
    [Hit(keyword='白酒', symbol='BK0896', kind='board', name='白酒', start=3, end=5)]
    """

    def __init__(
        self,
        entries: Mapping[str, Iterable[str]],
        names: Mapping[str, str] | None = None,
        exclusions: Iterable[str] = (),
    ) -> None:
        clean: dict[str, tuple[str, ...]] = {}
        for word, symbols in entries.items():
            syms = tuple(dict.fromkeys(symbols))
            if syms:
                clean[_check_keyword(word)] = syms
        self._entries = clean
        self._names = dict(names or {})
        if isinstance(exclusions, str):
            exclusions = [exclusions]
        self._exclusions = frozenset(_check_keyword(w) for w in exclusions) - clean.keys()

    def __repr__(self) -> str:
        return f"Tagger({len(self._entries)} keywords, {len(self.symbols)} securities)"

    def __len__(self) -> int:
        return len(self._entries)

    @property
    def exclusions(self) -> frozenset[str]:
        """Words matched but ignored: they contain a keyword without naming its security."""
        return self._exclusions

    @property
    def symbols(self) -> list[str]:
        """The securities the dictionary can tag, sorted."""
        return sorted({s for syms in self._entries.values() for s in syms})

    def name_of(self, symbol: str) -> str | None:
        """Display name of a symbol (``BK0896`` → ``白酒``), if known.

        Examples
        --------
        >>> Tagger.default().name_of("BK0896")
        '白酒'
        """
        return self._names.get(symbol)

    @property
    def keywords(self) -> pd.DataFrame:
        """The dictionary as a table: ``keyword``, ``symbol``, ``kind``, ``name``.

        Examples
        --------
        >>> kw = Tagger.default().keywords
        >>> sorted(kw[kw.symbol == "600519.SH"].keyword)
        ['茅台', '贵州茅台', '贵州茅台酒']
        """
        rows = [
            (w, s, _kind(s), self._names.get(s, ""))
            for w, syms in self._entries.items()
            for s in syms
        ]
        return pd.DataFrame(rows, columns=["keyword", "symbol", "kind", "name"])

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

    def with_exclusions(self, words: Iterable[str]) -> Tagger:
        """A new tagger that also ignores ``words`` (longer words containing a keyword).

        Examples
        --------
        >>> t = Tagger.default().with_exclusions(["茅台镇"])
        >>> [h.keyword for h in t.find("茅台镇的茅台酒")]
        ['茅台']
        """
        if isinstance(words, str):
            words = [words]
        return Tagger(self._entries, self._names, self._exclusions | set(words))

    def with_keywords(self, keywords: Mapping[str, Iterable[str] | str]) -> Tagger:
        """A new tagger with more keywords (``{symbol: [keyword, ...]}``).

        A keyword already in the dictionary is mapped to the new symbol too.

        Examples
        --------
        >>> t = Tagger.default().with_keywords({"BK0896": ["酱香", "次高端"]})
        >>> [h.keyword for h in t.find("酱香酒与次高端白酒")]
        ['酱香', '次高端', '白酒']
        """
        entries = {w: list(s) for w, s in self._entries.items()}
        if not isinstance(keywords, Mapping):
            raise ConfigError(
                "keywords must be a mapping {symbol: [keyword, ...]}, "
                f"got {type(keywords).__name__}"
            )
        for symbol, words in keywords.items():
            try:
                canon = parse_symbol(symbol).canonical
            except SymbolError as err:
                raise SymbolError(f"with_keywords: {err}") from None
            for word in [words] if isinstance(words, str) else words:
                w = _check_keyword(word)
                entries.setdefault(w, [])
                if canon not in entries[w]:
                    entries[w].append(canon)
        return Tagger(entries, self._names, self._exclusions)

    @classmethod
    def default(cls) -> Tagger:
        """The dictionary built from the bundled board and membership tables (cached).

        Examples
        --------
        >>> t = Tagger.default()
        >>> [h.symbol for h in t.find("白酒")], t.name_of("600519.SH")
        (['BK0896'], '贵州茅台')
        """
        return _default_tagger()

    @cached_property
    def _automaton(self) -> Any:
        import ahocorasick

        auto = ahocorasick.Automaton()
        for word, syms in self._entries.items():
            hits = tuple((s, _kind(s), self._names.get(s, word)) for s in syms)
            auto.add_word(word, (word, hits, word.isascii()))
        for word in self._exclusions:  # no securities: found, and then ignored
            auto.add_word(word, (word, (), word.isascii()))
        if len(auto):
            auto.make_automaton()
        return auto

    def find(self, text: str) -> list[Hit]:
        """All keyword occurrences in ``text``: longest leftmost, non-overlapping.

        Parameters
        ----------
        text
            Any text.

        Returns
        -------
        list of Hit
            In text order; a keyword naming several securities gives one hit each.

        Examples
        --------
        >>> [(h.keyword, h.start) for h in Tagger.default().find("中国人民银行与招商银行")]
        [('招商银行', 7)]
        """
        auto = self._automaton
        if not text or not len(auto):
            return []
        out: list[Hit] = []
        for end, (word, hits, ascii_word) in auto.iter_long(text):
            start = end - len(word) + 1
            if ascii_word and (
                (start > 0 and text[start - 1].isascii() and text[start - 1].isalnum())
                or (end + 1 < len(text) and text[end + 1].isascii() and text[end + 1].isalnum())
            ):
                continue
            for symbol, kind, name in hits:
                out.append(Hit(word, symbol, kind, name, start, end + 1))
        return out


@lru_cache(maxsize=4096)
def _kind(symbol: str) -> SymbolKind:
    return parse_symbol(symbol).kind


def _board_words(name: str, board_type: str) -> list[str]:
    base = name.rstrip("_")
    if board_type == "region" and not base.endswith("板块"):
        base += "板块"  # 黑龙江板块, not every mention of the province
    words: list[str] = []
    if base not in STOP_WORDS:
        words.append(base)
    if board_type in _VARIANT_KINDS:
        stem = base[:-2] if base.endswith("行业") and len(base) > 3 else base
        if stem != base and stem not in STOP_WORDS and base not in STOP_WORDS:
            words.append(stem)
        words += [stem + "板块", stem + "概念", stem + "股"]
    return [w for w in words if len(w) >= 2 and not (w.isascii() and len(w) < 3)]


@lru_cache(maxsize=1)
def _default_tagger() -> Tagger:
    from eventstudy.datasets import board_members, board_table

    entries: dict[str, list[str]] = {}
    names: dict[str, str] = {}

    def add(word: str, symbol: str) -> None:
        if len(word) < 2 or (word.isascii() and len(word) < 3):
            return
        entries.setdefault(word, [])
        if symbol not in entries[word]:
            entries[word].append(symbol)

    for code, name, board_type in board_table()[["code", "name", "board_type"]].itertuples(
        index=False
    ):
        names[code] = name
        for word in _board_words(str(name), str(board_type)):
            add(word, code)
    members = board_members().drop_duplicates("symbol")
    for symbol, name in members[["symbol", "name"]].itertuples(index=False):
        names[symbol] = name
        add(str(name), str(symbol))
    for symbol, name in KNOWN_INDICES.items():
        if name in entries:  # 沪深300 is listed for both exchanges: keep the first
            continue
        names.setdefault(symbol, name)
        add(name, symbol)
    for symbol, words in SYNONYMS.items():
        for word in words:
            add(word, symbol)
    return Tagger(entries, names, EXCLUSIONS)
