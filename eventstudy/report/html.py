"""The one HTML writer of the report pages: a self-contained page, its CSS, tables, figures.

Every page (the study briefing, the backtest page) is built by
:func:`page_html`: one stylesheet (:data:`CSS`, with the figures' CJK font
stack), plotly.js inlined once in the head (the page opens with no network),
the body in a ``<main>`` column. Tables go through :func:`table_html` and
figures through :func:`figure_html`; :func:`write_page` replaces a page
atomically. Text that comes from news must be escaped by the caller
(:func:`~eventstudy.plotting.escape_text`); :func:`table_html` escapes cells
by default.
"""

from __future__ import annotations

from collections.abc import Callable, Collection, Mapping
from pathlib import Path
from typing import TYPE_CHECKING, Any, get_args

from eventstudy._typing import PlotlyJs
from eventstudy.plotting.style import FONT_FAMILY, escape_text

if TYPE_CHECKING:
    import pandas as pd
    import plotly.graph_objects as go

__all__ = [
    "CSS",
    "PLOTLY_JS_FILE",
    "PLOTLY_JS_OPTIONS",
    "figure_html",
    "page_html",
    "table_html",
    "write_page",
]

#: The file a ``plotlyjs="shared"`` page loads plotly.js from (beside the page).
PLOTLY_JS_FILE = "plotly.min.js"
#: How a page carries plotly.js.
PLOTLY_JS_OPTIONS: tuple[PlotlyJs, ...] = get_args(PlotlyJs)

#: The stylesheet of every page: a white column on grey, the figures' CJK font stack,
#: summary cards in one row (``--cards``: their number; one column on a phone),
#: tables with right-aligned numbers and headers (``td.n``, ``th.n``), red up / green down
#: (``.pos``/``.neg``),
#: wide tables in a horizontally scrolling box (``.scroll``; free text in ``.wrap`` cells).
CSS = """
body{font-family:%FONT%;color:#1F2933;margin:0;background:#F5F7FA;}
main{max-width:1000px;margin:0 auto;padding:24px 28px 48px;background:white;}
h1{font-size:26px;margin:0 0 4px;} h2{font-size:19px;margin:34px 0 10px;
border-bottom:1px solid #E4E7EB;padding-bottom:4px;}
.sub{color:#52606D;font-size:13px;margin-bottom:18px;}
.cards{display:grid;grid-template-columns:repeat(var(--cards,4),minmax(0,1fr));gap:12px;
margin:16px 0;}
@media (max-width:600px){.cards{grid-template-columns:minmax(0,1fr);}}
.card{border:1px solid #E4E7EB;border-radius:6px;padding:10px 14px;}
.card .v{font-size:24px;font-weight:600;} .card .k{font-size:12px;color:#52606D;}
table{border-collapse:collapse;font-size:13px;width:100%;margin:8px 0;}
th,td{border-bottom:1px solid #E4E7EB;padding:4px 8px;text-align:left;vertical-align:top;}
th{background:#F5F7FA;font-weight:600;} td.n{text-align:right;font-variant-numeric:tabular-nums;}
th.n{text-align:right;} td.n .note{white-space:nowrap;}
.js-plotly-plot,.plotly-graph-div{max-width:100%;}
.pos{color:#D62728;} .neg{color:#2CA02C;}
.chart{margin:10px 0 26px;} .note{font-size:12px;color:#52606D;}
footer{font-size:12px;color:#52606D;margin-top:36px;border-top:1px solid #E4E7EB;padding-top:10px;}
.proxy{background:#FFF4E5;padding:1px 5px;border-radius:3px;}
.notes{background:#FFF4E5;border-radius:6px;padding:8px 14px;font-size:13px;margin:10px 0;}
.notes ul{margin:4px 0 0;padding-left:20px;} td.d{white-space:nowrap;}
.scroll{overflow-x:auto;max-width:100%;margin:8px 0}.scroll table{margin:0;width:auto}
.scroll td,.scroll th{white-space:nowrap}
.scroll td.wrap,.scroll th.wrap{white-space:normal;min-width:16em;max-width:28em}
""".replace("%FONT%", FONT_FAMILY)


def page_html(title: str, body: str, *, lang: str = "zh-CN", plotlyjs: PlotlyJs = "inline") -> str:
    """A complete page: :data:`CSS`, plotly.js, ``body`` in ``<main>``.

    Parameters
    ----------
    title
        The page title (escaped here); the body holds its own headings.
    body
        HTML of the content, escaped by the caller.
    lang
        The page's language tag.
    plotlyjs
        ``"inline"``: plotly.js in the page (self-contained, about 4.5 MB);
        ``"shared"``: a ``<script src>`` of :data:`PLOTLY_JS_FILE` beside the page
        (written by :func:`write_page`; pages in one folder share it, still offline).

    Examples
    --------
    >>> page = page_html("周报 <b>", "<h1>x</h1>")
    >>> page.startswith("<!DOCTYPE html>"), "<title>周报 &lt;b&gt;</title>" in page
    (True, True)
    >>> "Noto Sans CJK SC" in page, "<script src=" in page
    (True, False)
    >>> f'<script src="{PLOTLY_JS_FILE}">' in page_html("x", "", plotlyjs="shared")
    True
    """
    from plotly.offline import get_plotlyjs

    if plotlyjs not in PLOTLY_JS_OPTIONS:
        raise ValueError(f"plotlyjs={plotlyjs!r} is not one of {PLOTLY_JS_OPTIONS}")
    script = (
        f"<script>{get_plotlyjs()}</script>"
        if plotlyjs == "inline"
        else f'<script src="{PLOTLY_JS_FILE}"></script>'
    )
    return f"""<!DOCTYPE html>
<html lang="{escape_text(lang)}">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>{escape_text(title)}</title>
<style>{CSS}</style>
{script}
</head>
<body>
<main>
{body}
</main>
</body>
</html>
"""


def figure_html(fig: go.Figure, div_id: str) -> str:
    """A figure as a ``<div>`` for :func:`page_html` (which holds plotly.js), full width.

    Examples
    --------
    >>> from eventstudy.plotting.style import new_figure
    >>> 'id="chart-x"' in figure_html(new_figure(), "chart-x")
    True
    """
    html: str = fig.to_html(
        full_html=False,
        include_plotlyjs=False,
        div_id=div_id,
        config={"displaylogo": False, "responsive": True},
        default_width="100%",
    )
    return html


def table_html(
    frame: pd.DataFrame,
    cells: Mapping[str, Callable[[Any], str]] | None = None,
    *,
    text: Callable[[Any], str] = escape_text,
    wrap: Collection[str] = (),
    scroll: bool = False,
    labels: Mapping[str, str] | None = None,
    numeric: Collection[str] = (),
) -> str:
    """A DataFrame (its columns, not its index) as an HTML table.

    Parameters
    ----------
    frame
        The rows to show.
    cells
        Column → function of a value returning the whole cell (``<td ...>...</td>``),
        for columns formatted specially (numbers, dates, badges).
    text
        Function of a value returning the escaped text of the other cells.
    wrap
        Columns of free text that may wrap (class ``wrap``); the others keep one line
        in a scrolling table.
    scroll
        Put the table in a horizontally scrolling box (``<div class="scroll">``).
    labels
        Column → header text to show (default: the column name).
    numeric
        Columns of numbers: their headers are right-aligned over the numbers
        (class ``n``; the cells get it from ``cells``).

    Examples
    --------
    >>> import pandas as pd
    >>> frame = pd.DataFrame({"title": ["<b>白酒</b>"], "n": [3]})
    >>> table = table_html(frame, {"n": lambda v: f'<td class="n">{v}</td>'})
    >>> table.split("<tbody>")[1]
    '<tr><td>&lt;b&gt;白酒&lt;/b&gt;</td><td class="n">3</td></tr></tbody></table>'
    """
    cells = cells or {}
    cls = {c: ' class="wrap"' if c in wrap else "" for c in frame.columns}
    shown = dict(labels or {})
    th_cls = {c: ' class="n"' if c in numeric else cls[c] for c in frame.columns}
    head = "".join(f"<th{th_cls[c]}>{escape_text(shown.get(c, c))}</th>" for c in frame.columns)
    rows = []
    for values in frame.itertuples(index=False, name=None):
        row = (
            cells[c](v) if c in cells else f"<td{cls[c]}>{text(v)}</td>"
            for c, v in zip(frame.columns, values, strict=True)
        )
        rows.append("<tr>" + "".join(row) + "</tr>")
    table = f"<table><thead><tr>{head}</tr></thead><tbody>{''.join(rows)}</tbody></table>"
    return f'<div class="scroll">{table}</div>' if scroll else table


def write_page(path: Path, page: str) -> Path:
    """Write a page atomically (a temporary file renamed over ``path``), UTF-8.

    A page that loads :data:`PLOTLY_JS_FILE` (``page_html(plotlyjs="shared")``) gets
    that file beside it, written once per folder (kept when it is already there
    with the same content).

    Examples
    --------
    >>> import tempfile
    >>> p = write_page(Path(tempfile.mkdtemp()) / "x.html", "<p>x</p>")
    >>> p.read_text(encoding="utf-8")
    '<p>x</p>'
    """
    if f'<script src="{PLOTLY_JS_FILE}">' in page:
        _write_plotly_js(path.parent / PLOTLY_JS_FILE)
    tmp = path.with_suffix(path.suffix + ".tmp")
    tmp.write_text(page, encoding="utf-8")
    tmp.replace(path)
    return path


def _write_plotly_js(target: Path) -> None:
    from plotly.offline import get_plotlyjs

    text = get_plotlyjs()
    if target.is_file() and target.stat().st_size == len(text.encode("utf-8")):
        return  # already there (pages of one folder share it)
    tmp = target.with_suffix(".js.tmp")
    tmp.write_text(text, encoding="utf-8")
    tmp.replace(target)
