"""Build the tagger's dictionary from the security master and the reviewed word lists.

:func:`build_dictionary` turns :meth:`SecurityMaster.name_table` and the
lexicon (:mod:`eventstudy.news.lexicon`) into ``{keyword: (Target, ...)}``;
:meth:`eventstudy.news.Tagger.from_master` wraps the result. The rules are in
the :mod:`eventstudy.news.tagger` docstring.

Examples
--------
>>> from eventstudy.reference import load_master
>>> from eventstudy.news.lexicon import load_lexicon
>>> d = build_dictionary(load_master(), load_lexicon())
>>> [t.symbol for t in d.entries["军工板块"]], [t.symbol for t in d.entries["上证50"]]
(['BK0480'], ['000016.SH'])
>>> "银行" in d.entries, "银行股" in d.entries
(False, True)
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from typing import TYPE_CHECKING, Final

from eventstudy._typing import SymbolKind
from eventstudy.exceptions import ConfigError
from eventstudy.news.lexicon import Lexicon
from eventstudy.reference.names import clean_name, name_key

if TYPE_CHECKING:
    from eventstudy.reference import SecurityMaster

__all__ = ["MIN_BASE_CHARS", "Dictionary", "Target", "board_words", "build_dictionary"]

#: Base names (ST/退 markers stripped) shorter than this are not matched (美丽 of *ST美丽).
MIN_BASE_CHARS: Final = 3

_SUFFIXES: Final = ("板块", "概念", "股")
_REGION_SUFFIXES: Final = ("板块", "股", "本地股", "概念股")
_TYPE_RANK: Final = {"name": 0, "alias": 1, "short_name": 1, "former": 2, "markup": 3}
_STATUS_RANK: Final = {"listed": 0, "unknown": 1, "not_listed": 2}


@dataclass(frozen=True, slots=True)
class Target:
    """What a dictionary name points to.

    ``origin`` says which row of the dictionary it came from (``name``,
    ``former``, ``alias``, ``markup``, ``variant``, ``base``: the master's name
    table; ``board_name``, ``board_alias``, ``short_name``: the board table and
    the lexicon; ``keyword``: added by the user; ``code``: an explicit code);
    ``strength`` is 0.5 for a ``related`` board alias, else 1.
    """

    symbol: str
    kind: SymbolKind
    name: str
    origin: str = "keyword"
    strength: float = 1.0


@dataclass(frozen=True)
class Dictionary:
    """What :func:`build_dictionary` returns (the arguments of a :class:`Tagger`)."""

    entries: dict[str, tuple[Target, ...]]
    names: dict[str, str]
    blockers: frozenset[str]
    codes: dict[str, tuple[str, ...]]
    cross_listings: dict[str, str]
    lexicon: Lexicon


def _ok(word: str) -> bool:
    return len(word) >= 2 and not (word.isascii() and len(word) < 3)


def board_words(name: str, board_type: str, common: Iterable[str] = ()) -> list[str]:
    """Keywords of a board: its name, stem and 板块/概念/股 variants (see the tagger docstring).

    Parameters
    ----------
    name
        Board name as the board table writes it (``酿酒行业``, ``黑龙江``, ``上证50_``).
    board_type
        ``industry``, ``concept``, ``region`` or ``style``.
    common
        Everyday words: not keywords on their own (their variants are).

    Examples
    --------
    >>> board_words("酿酒行业", "industry")
    ['酿酒行业', '酿酒', '酿酒板块', '酿酒概念', '酿酒股']
    >>> board_words("证券", "industry", common=["证券"])
    ['证券板块', '证券概念', '证券股', '证券行业']
    >>> board_words("黑龙江", "region")
    ['黑龙江板块', '黑龙江股', '黑龙江本地股', '黑龙江概念股']
    """
    common = set(common)
    base = name_key(name).rstrip("_")
    if board_type == "region":
        place = base.removesuffix("板块")
        return [w for w in (place + s for s in _REGION_SUFFIXES) if _ok(w)]
    words: list[str] = []
    if base not in common:
        words.append(base)
    if board_type in ("industry", "concept"):
        stem = base[:-2] if base.endswith("行业") and len(base) > 3 else base
        if stem != base and stem not in common and base not in common:
            words.append(stem)
        words += [stem + s for s in _SUFFIXES if not stem.endswith(s)]
        if not base.endswith("行业"):
            words.append(base + "行业")
    return [w for w in dict.fromkeys(words) if _ok(w)]


def _alias_words(alias: str, direct: bool) -> list[str]:
    key = name_key(alias)
    if not direct:
        return [key]
    words = [key] + [key + s for s in _SUFFIXES if not key.endswith(s)]
    if not key.endswith(("行业", "板块", "股", "概念")):
        words.append(key + "行业")
    return [w for w in dict.fromkeys(words) if _ok(w)]


class _Builder:
    def __init__(self, master: SecurityMaster, lexicon: Lexicon) -> None:
        self.master = master
        self.lexicon = lexicon
        self.common = {name_key(w) for w in lexicon.words("common_words")}
        self.entries: dict[str, dict[str, Target]] = {}
        self.names: dict[str, str] = {}

    def add(self, key: str, target: Target) -> None:
        if not _ok(key):
            return
        self.entries.setdefault(key, {}).setdefault(target.symbol, target)

    def boards(self) -> None:
        boards = self.master.table("boards").sort_values("as_of", kind="stable")
        current = boards.drop_duplicates("code", keep="last")
        types = dict(zip(current["code"], current["board_type"], strict=True))
        for code, name in zip(current["code"], current["name"], strict=True):
            self.names[code] = clean_name(name).rstrip("_")
        names = self.master.name_table()
        names = names[names["kind"] == "board"]
        for code, name in zip(names["code"], names["name"], strict=True):
            for word in board_words(str(name), types.get(code, "concept"), self.common):
                self.add(word, Target(code, "board", self.names.get(code, name), "board_name"))
        aliases = self.lexicon.table("board_aliases")
        for code, alias, strength in zip(
            aliases["code"], aliases["alias"], aliases["strength"], strict=True
        ):
            if code not in types:
                raise ConfigError(
                    f"board alias {alias!r} names {code!r}, which the security master does "
                    "not know; aliases may only name existing boards"
                )
            weight = 1.0 if strength == "direct" else 0.5
            for word in _alias_words(alias, strength == "direct"):
                self.add(word, Target(code, "board", self.names[code], "board_alias", weight))

    def securities(self) -> None:
        names = self.master.name_table()
        names = names[names["kind"].isin(["stock", "index"])]
        status = self._stock_status()
        ranked = names.assign(
            _type=names["name_type"].map(_TYPE_RANK).fillna(4),
            _status=names["code"].map(status).fillna(1),
        ).sort_values(["_type", "_status", "code"], kind="stable")
        for row in ranked.itertuples(index=False):
            key, code, kind = str(row.key), str(row.code), str(row.kind)
            if row.name_type == "name" and code not in self.names:
                self.names[code] = clean_name(str(row.name))
            if key in self.common or (row.name_type == "base" and len(key) < MIN_BASE_CHARS):
                continue
            self._add_security(key, code, kind, str(row.name_type))
        short = self.lexicon.table("short_names")
        for code, alias in zip(short["code"], short["alias"], strict=True):
            kind = "index" if code in self._index_codes() else "stock"
            self._add_security(name_key(alias), code, kind, "short_name")

    def _index_codes(self) -> set[str]:
        return set(self.master.table("indices")["code"])

    def _stock_status(self) -> dict[str, int]:
        stocks = self.master.table("stocks").sort_values("as_of", kind="stable")
        current = stocks.drop_duplicates("code", keep="last")
        return {
            c: _STATUS_RANK.get(s, 1)
            for c, s in zip(current["code"], current["status"], strict=True)
        }

    def _add_security(self, key: str, code: str, kind: str, origin: str) -> None:
        held = self.entries.get(key, {})
        if kind == "stock" and any(t.kind == "stock" for t in held.values()):
            return  # a name held by several codes: the best-ranked one (sorted) keeps it
        name = self.names.get(code, "")
        self.add(key, Target(code, kind, name, origin))  # type: ignore[arg-type]

    def foreign(self, cross: dict[str, str]) -> None:
        names = self.master.name_table()
        names = names[names["kind"] == "foreign"]
        for key, code, name_type, name in zip(
            names["key"], names["code"], names["name_type"], names["name"], strict=True
        ):
            a_share = cross.get(code)
            held = self.entries.get(key, {})
            if a_share is not None and (a_share in held or name_type == "alias"):
                # the A share's own name (长城汽车), or an English company name: the A share
                target = Target(a_share, "stock", self.names.get(a_share, ""), "alias")
                self.add(key, target)
                if " " in str(name).strip():  # CHINA VANKE as written, besides CHINAVANKE
                    self.add(" ".join(str(name).upper().split()), target)
                continue
            if any(t.kind == "stock" for t in held.values()):
                continue  # a US ADR named like its A share (中国铝业 ACH)
            self.names.setdefault(code, clean_name(str(name)))
            kind: SymbolKind = "foreign"
            self.add(key, Target(code, kind, self.names[code], str(name_type)))

    def resolve_conflicts(self) -> dict[str, tuple[Target, ...]]:
        out: dict[str, tuple[Target, ...]] = {}
        for key, held in self.entries.items():
            targets = list(held.values())
            if any(t.kind == "index" for t in targets):  # 上证50: the index, not the style board
                targets = [t for t in targets if t.kind != "board"]
            out[key] = tuple(targets)
        return out


def _cross_listings(master: SecurityMaster) -> dict[str, str]:
    xl = master.table("cross_listings")
    return dict(zip(xl["foreign_code"], xl["code"], strict=True))


def _codes(master: SecurityMaster) -> dict[str, tuple[str, ...]]:
    codes: dict[str, list[str]] = {}
    for code in master.table("stocks")["code"].drop_duplicates():
        codes.setdefault(code.split(".")[0], []).append(code)
    for code in master.table("indices")["code"]:
        codes.setdefault(code.split(".")[0], []).append(code)
    return {digits: tuple(dict.fromkeys(c)) for digits, c in codes.items()}


def build_dictionary(master: SecurityMaster, lexicon: Lexicon) -> Dictionary:
    """The keywords, display names, blockers, code table and A+H pairs of a tagger.

    Raises
    ------
    ConfigError
        If a board alias names a code the master does not know.

    Examples
    --------
    >>> from eventstudy.reference import load_master
    >>> from eventstudy.news.lexicon import load_lexicon
    >>> d = build_dictionary(load_master(), load_lexicon())
    >>> [t.symbol for t in d.entries["长城汽车"]], d.cross_listings["02333.HK"]
    (['601633.SH'], '601633.SH')
    """
    builder = _Builder(master, lexicon)
    builder.boards()
    builder.securities()
    cross = _cross_listings(master)
    builder.foreign(cross)
    entries = builder.resolve_conflicts()
    blockers = frozenset(name_key(w) for w in lexicon.words("blockers")) - entries.keys()
    return Dictionary(entries, builder.names, blockers, _codes(master), cross, lexicon)
