"""How security and board names are spelled, normalised and reduced to a base name.

Eastmoney writes short names with full-width letters and padding (``万  科Ａ``),
and marks special treatment, delisting and share classes in the name itself
(``*ST美丽``, ``ST海王``, ``圣莱退``, ``退市银鸽``, ``大普微-UW``). The functions here
are the one definition of how such spellings are compared: the build script
``data/build_reference.py`` uses them to write the name variants into the
bundled name table, and :class:`~eventstudy.reference.SecurityMaster` uses
them to normalise queries.

Examples
--------
>>> from eventstudy.reference.names import name_key, clean_name, base_name
>>> clean_name("万  科Ａ"), name_key("tcl科技"), base_name("*ST美丽")
('万科A', 'TCL科技', '美丽')
"""

from __future__ import annotations

import re
import unicodedata
from typing import Final, Literal, TypeAlias

__all__ = [
    "NAME_TYPES",
    "NameType",
    "base_name",
    "clean_name",
    "name_key",
    "name_variants",
]

#: What a row of the name table is: the current ``name`` of a code, a ``former`` name,
#: a hand-entered ``alias``, link text from news ``markup``, a normalised spelling
#: (``variant``) or the name without ST/delisting/share-class markers (``base``).
NameType: TypeAlias = Literal["name", "former", "alias", "markup", "variant", "base"]

#: Name types in order of preference (a lookup ranks earlier types first).
NAME_TYPES: Final[tuple[NameType, ...]] = (
    "name",
    "alias",
    "former",
    "markup",
    "variant",
    "base",
)

_SPACE = re.compile(r"\s+")
# Status markers Eastmoney puts in front of a name: (*)ST special treatment, S (share
# reform not completed) and PT (particular transfer) in older names, 退市 delisting.
_PREFIX = re.compile(r"^(?:S\*ST|\*ST|SST|ST|PT|S(?=[\u4e00-\u9fff])|退市)")
# ... and after it: 退 (delisting period), STAR-market -U/-W/-D share-class suffixes,
# and the (已合并) note of merged companies.
_SUFFIX = re.compile(r"(?:退|-[UWD]{1,3}|\(已合并\))$")
_MIN_BASE = 2


def clean_name(name: str) -> str:
    """Return ``name`` in NFKC form with all white space removed (case kept).

    This is how a name is written in the name table's ``variant`` rows:
    full-width letters and digits become ASCII, Eastmoney's padding goes.

    Parameters
    ----------
    name
        A name as a source writes it.

    Examples
    --------
    >>> clean_name("万  科Ａ"), clean_name("ST富润  "), clean_name("贵州茅台")
    ('万科A', 'ST富润', '贵州茅台')
    """
    # NFKC again after removing spaces: a compatibility character such as a spacing
    # macron decomposes to a space plus a combining mark, which then composes anew.
    return unicodedata.normalize("NFKC", _SPACE.sub("", unicodedata.normalize("NFKC", name)))


def name_key(name: str) -> str:
    """Return the key names are compared by: :func:`clean_name`, upper-cased.

    Two spellings name the same thing when their keys are equal.

    Parameters
    ----------
    name
        A name or a query.

    Examples
    --------
    >>> name_key("万  科Ａ") == name_key("万科a")
    True
    """
    return unicodedata.normalize("NFKC", clean_name(name).upper())


def base_name(name: str) -> str:
    """Strip status markers from a name: ``*ST``, ``ST``, ``S``, ``PT``, ``退市``, ``退``, ``-U``.

    Returns the :func:`clean_name` form when nothing is stripped, and when
    stripping would leave fewer than two characters.

    Parameters
    ----------
    name
        A short name such as ``*ST美丽`` or ``圣莱退``.

    Examples
    --------
    >>> base_name("*ST美丽"), base_name("圣莱退"), base_name("退市银鸽"), base_name("大普微-UW")
    ('美丽', '圣莱', '银鸽', '大普微')
    >>> base_name("S*ST托普"), base_name("贵州茅台")
    ('托普', '贵州茅台')
    """
    text = clean_name(name)
    stripped = _SUFFIX.sub("", _PREFIX.sub("", text))
    return stripped if len(stripped) >= _MIN_BASE else text


def name_variants(name: str) -> list[tuple[str, NameType]]:
    """The extra spellings the name table lists for ``name``, with their type.

    A ``variant`` row when :func:`clean_name` differs from ``name``, and a
    ``base`` row when :func:`base_name` differs from the clean form.

    Parameters
    ----------
    name
        A name as a source writes it.

    Examples
    --------
    >>> name_variants("万  科Ａ")
    [('万科A', 'variant')]
    >>> name_variants("*ST康佳A")
    [('康佳A', 'base')]
    >>> name_variants("贵州茅台")
    []
    """
    out: list[tuple[str, NameType]] = []
    clean = clean_name(name)
    if clean != name:
        out.append((clean, "variant"))
    base = base_name(clean)
    if base != clean:
        out.append((base, "base"))
    return out
