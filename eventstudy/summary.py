"""One ``Summary`` that renders every result as text, HTML and LaTeX.

The study result, the backtest result and the pipeline's run result all build a
:class:`Summary` from blocks, so the three look alike in a terminal (``print``),
in Jupyter (``_repr_html_``) and in a paper (``as_latex``), as arch's and
linearmodels' summaries do. A summary is data (ordered blocks of already
formatted strings), so each rendering shows the same content.

Blocks, in the order they are added:

=========  ==============================================================
``lines``  plain lines of text, kept as written (indentation included)
``pairs``  key/value rows, keys aligned in text, a two-column table in HTML
``table``  a DataFrame whose cells were formatted once, with a caption
``rule``   a horizontal rule (text: a line of ``-``; HTML ``<hr>``)
=========  ==============================================================

In text a rule is as wide as the widest line but at most :data:`RULE_WIDTH`
characters (one long note no longer draws a 700-character rule); lines and
values are kept as written, so they can be parsed line by line.

Examples
--------
>>> import pandas as pd
>>> from eventstudy.summary import Summary
>>> s = Summary("Event study")
>>> _ = s.add_pairs([("model", "market"), ("events", "25 analysed")])
>>> _ = s.add_table(
...     pd.DataFrame({"CAAR": [0.0123]}, index=["[-1,1]"]),
...     caption="CAAR by window",
...     formats={"CAAR": lambda v: f"{v:.2%}"},
... )
>>> print(s)
Event study
===========
model   market
events  25 analysed
<BLANKLINE>
CAAR by window
         CAAR
[-1,1]  1.23%
>>> "<table" in s.as_html() and "tabular" in s.as_latex()
True
"""

from __future__ import annotations

import html
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any, Literal

import pandas as pd

__all__ = ["PREVIEW_ROWS", "RULE_WIDTH", "Summary", "shorten"]

#: Widest text rule, in characters.
RULE_WIDTH = 100

#: Rows of the preview table in the HTML views (``_repr_html_``) of News and EventSet.
PREVIEW_ROWS = 5


def shorten(text: object, width: int = 60) -> str:
    """``text`` as a string of at most ``width`` characters (an ellipsis marks a cut).

    Examples
    --------
    >>> shorten("白酒板块午后拉升" * 10, width=8), shorten(None)
    ('白酒板块午后拉…', '')
    """
    s = "" if text is None or (isinstance(text, float) and text != text) else str(text)
    return s if len(s) <= width else s[: width - 1] + "…"


BlockKind = Literal["lines", "pairs", "table", "rule"]


@dataclass(frozen=True, slots=True)
class _Block:
    kind: BlockKind
    lines: tuple[str, ...] = ()
    pairs: tuple[tuple[str, str], ...] = ()
    table: pd.DataFrame | None = None
    caption: str = ""
    index: bool = True


def _cell(value: Any, fmt: Callable[[Any], str] | None) -> str:
    if fmt is not None:
        return fmt(value)
    if value is None or (not isinstance(value, str) and pd.isna(value)):
        return ""
    return str(value)


_LATEX_SPECIAL = {
    "\\": r"\textbackslash{}",
    "&": r"\&",
    "%": r"\%",
    "$": r"\$",
    "#": r"\#",
    "_": r"\_",
    "{": r"\{",
    "}": r"\}",
    "~": r"\textasciitilde{}",
    "^": r"\textasciicircum{}",
}


def _latex(text: str) -> str:
    return "".join(_LATEX_SPECIAL.get(ch, ch) for ch in text)


@dataclass
class Summary:
    """A result's summary: ordered blocks rendered as text, HTML or LaTeX.

    Parameters
    ----------
    title : str, optional
        First line (underlined with ``=`` in text, a caption in HTML).

    Examples
    --------
    >>> s = Summary("Backtest")
    >>> _ = s.add_lines(["one line", "  an indented line"])
    >>> _ = s.add_rule()
    >>> _ = s.add_pairs([("trades", "12")])
    >>> print(s.as_text())
    Backtest
    ========
    one line
      an indented line
    ------------------
    trades  12
    """

    title: str | None = None
    _blocks: list[_Block] = field(default_factory=list, repr=False)

    # ------------------------------------------------------------ building
    def add_lines(self, lines: Sequence[str]) -> Summary:
        """Add plain text lines (kept as written); returns the summary."""
        self._blocks.append(_Block("lines", lines=tuple(str(x) for x in lines)))
        return self

    def add_pairs(self, pairs: Sequence[tuple[str, str]]) -> Summary:
        """Add key/value rows (aligned keys in text); returns the summary."""
        self._blocks.append(_Block("pairs", pairs=tuple((str(k), str(v)) for k, v in pairs)))
        return self

    def add_table(
        self,
        frame: pd.DataFrame,
        *,
        caption: str = "",
        formats: Mapping[str, Callable[[Any], str]] | None = None,
        index: bool = True,
    ) -> Summary:
        """Add a table; each cell is formatted once with ``formats[column]``.

        Missing values without a formatter show as empty cells. Returns the summary.
        """
        fmts = dict(formats or {})
        unknown = set(fmts) - {str(c) for c in frame.columns}
        if unknown:
            raise ValueError(
                f"formats name columns the table does not have: {sorted(unknown)}; "
                f"columns are {[str(c) for c in frame.columns]}"
            )
        cells = pd.DataFrame(
            {
                str(c): [_cell(v, fmts.get(str(c))) for v in frame[c].tolist()]
                for c in frame.columns
            },
            index=pd.Index([str(i) for i in frame.index], name=frame.index.name),
        )
        self._blocks.append(_Block("table", table=cells, caption=caption, index=index))
        return self

    def add_rule(self) -> Summary:
        """Add a horizontal rule; returns the summary."""
        self._blocks.append(_Block("rule"))
        return self

    @property
    def tables(self) -> list[pd.DataFrame]:
        """The tables added, as formatted strings (a copy)."""
        return [b.table.copy() for b in self._blocks if b.table is not None]

    # ----------------------------------------------------------- rendering
    def _text_block(self, b: _Block) -> list[str]:
        if b.kind == "lines":
            return list(b.lines)
        if b.kind == "pairs":
            width = max((len(k) for k, _ in b.pairs), default=0)
            return [f"{k:<{width}}  {v}".rstrip() for k, v in b.pairs]
        if b.kind == "table":
            assert b.table is not None
            out = ["", b.caption] if b.caption else [""]
            if b.table.empty:
                return [*out, "(empty)"]
            body = b.table.to_string(index=b.index)
            return [*out, *body.split("\n")]
        return ["-" * min(self._width(), RULE_WIDTH)]

    def _width(self) -> int:
        lines = [self.title or ""]
        for b in self._blocks:
            if b.kind != "rule":
                lines.extend(self._text_block(b))
        return max((len(x) for x in lines), default=0)

    def as_text(self) -> str:
        """The summary as plain text (what ``print`` shows)."""
        out: list[str] = []
        if self.title:
            out += [self.title, "=" * len(self.title)]
        for b in self._blocks:
            out.extend(self._text_block(b))
        return "\n".join(out)

    def as_html(self) -> str:
        """The summary as an HTML fragment (every string escaped)."""
        esc = html.escape
        parts = ['<div class="es-summary">']
        if self.title:
            parts.append(f"<h4>{esc(self.title)}</h4>")
        for b in self._blocks:
            if b.kind == "lines":
                parts.append("<p>" + "<br>".join(esc(x.strip()) for x in b.lines) + "</p>")
            elif b.kind == "pairs":
                rows = "".join(
                    f"<tr><th style='text-align:left'>{esc(k)}</th>"
                    f"<td style='text-align:left'>{esc(v)}</td></tr>"
                    for k, v in b.pairs
                )
                parts.append(f"<table>{rows}</table>")
            elif b.kind == "table":
                assert b.table is not None
                table = b.table.to_html(escape=True, index=b.index, border=0)
                cap = f"<p><b>{esc(b.caption)}</b></p>" if b.caption else ""
                parts.append(cap + table)
            else:
                parts.append("<hr>")
        parts.append("</div>")
        return "".join(parts)

    def as_latex(self) -> str:
        """The summary as LaTeX (``tabular`` tables, special characters escaped)."""
        out: list[str] = []
        if self.title:
            out.append(rf"\textbf{{{_latex(self.title)}}}\\")
        for b in self._blocks:
            if b.kind == "lines":
                out.extend(rf"{_latex(x.strip())}\\" for x in b.lines)
            elif b.kind == "pairs":
                out.append(r"\begin{tabular}{ll}")
                out.extend(rf"{_latex(k)} & {_latex(v)} \\" for k, v in b.pairs)
                out.append(r"\end{tabular}\\")
            elif b.kind == "table":
                assert b.table is not None
                t = b.table
                cols = [_latex(str(c)) for c in t.columns]
                head = ([""] if b.index else []) + cols
                align = ("l" if b.index else "") + "r" * len(cols)
                if b.caption:
                    out.append(rf"\textit{{{_latex(b.caption)}}}\\")
                out.append(rf"\begin{{tabular}}{{{align}}}")
                out.append(r"\hline")
                out.append(" & ".join(head) + r" \\")
                out.append(r"\hline")
                for idx, row in t.iterrows():
                    cells = ([_latex(str(idx))] if b.index else []) + [
                        _latex(str(v)) for v in row.tolist()
                    ]
                    out.append(" & ".join(cells) + r" \\")
                out.append(r"\hline")
                out.append(r"\end{tabular}\\")
            else:
                out.append(r"\hrule")
        return "\n".join(out)

    def __str__(self) -> str:
        return self.as_text()

    def __repr__(self) -> str:
        return self.as_text()

    def _repr_html_(self) -> str:
        return self.as_html()
