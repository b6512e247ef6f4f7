"""The study page: a briefing of an event study (HTML page, PNG charts, CSV/Parquet tables).

:func:`briefing` turns an :class:`~eventstudy.study.EventStudyResult` into the
files a researcher shows the desk:

=================== ===========================================================
file                content
=================== ===========================================================
``briefing.html``   headline numbers, the charts (plotly.js inlined: opens with
                    no network), the tests table, the top events with their
                    titles, and a methodology footnote (model, windows,
                    conventions, data provenance: proxy or real series)
``charts/*.png``    one PNG per chart, for slides (format ``"png"``)
``tables/*.csv``    events (with their CARs), tests, CAAR path, AAR, dropped
``tables/*.parquet`` events, provenance, the tidy ``to_frame()``; with ``news``
                    also the articles, the skipped inputs and the duplicates
                    (``news_*``, origins relative to the news folder) (format
                    ``"parquet"``: the same tables, typed)
=================== ===========================================================

Everything that comes from news text (titles, publishers, names, URLs) is
HTML-escaped; a title containing ``<script>`` shows as text. Links to articles
are kept only for ``http``/``https`` URLs.

PNGs are drawn by kaleido driving a Chromium-family browser
(:mod:`eventstudy.report.png`); when either is missing, the HTML and the tables
are still written, the PNGs are skipped, and :attr:`BriefingFiles.problems`
(and an :class:`~eventstudy.exceptions.EventStudyWarning`) says why and what to do.

Examples
--------
>>> import tempfile
>>> files = briefing(example_result(), out=tempfile.mkdtemp(), formats=("html", "csv"))
>>> files.html.name, "tests.csv" in files.tables, files.problems
('briefing.html', True, ())
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import html
import shutil
import warnings
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any, get_args

import numpy as np
import pandas as pd

from eventstudy import plotting
from eventstudy._typing import BriefingChart, BriefingFormat, PlotlyJs, SessionRule
from eventstudy.exceptions import EventStudyWarning
from eventstudy.plotting import (
    DEFAULT_CUTOFF,
    escape_text,
    event_proxy,
    pick_window,
    proxy_info,
    proxy_label,
    significance_stars,
)
from eventstudy.report import png
from eventstudy.report.files import output_dir, write_csv
from eventstudy.report.html import figure_html, page_html, table_html, write_page

if TYPE_CHECKING:
    import plotly.graph_objects as go

    from eventstudy.news import News
    from eventstudy.study import EventStudyResult

__all__ = [
    "CAAR_UNITS",
    "CHARTS",
    "DEFAULT_FORMATS",
    "DEFAULT_PRICE_CHARTS",
    "DEFAULT_TOP_EVENTS",
    "FORMATS",
    "HEADLINE_LABELS",
    "HEADLINE_TESTS",
    "PROVENANCE_LABELS",
    "TEST_NAMES",
    "BriefingFiles",
    "briefing",
    "caar_label",
    "duplicate_proxy_notes",
    "format_caar",
    "headline_table",
    "methodology_notes",
]

#: Output formats :func:`briefing` understands.
FORMATS: tuple[BriefingFormat, ...] = get_args(BriefingFormat)
#: What :func:`briefing` writes by default.
DEFAULT_FORMATS: tuple[BriefingFormat, ...] = ("html", "png", "csv")
#: Charts a briefing can hold (all drawn by default).
CHARTS: tuple[BriefingChart, ...] = get_args(BriefingChart)
#: Events listed in the briefing's top-events table by default (highest tag score, then
#: largest |CAR| first: see ``_top_events``).
DEFAULT_TOP_EVENTS = 10
#: Price-around-event charts drawn by default (the first of the top events).
DEFAULT_PRICE_CHARTS = 3
#: Tests shown in the headline table (p-values), in order: the cross-sectional t and
#: the headline tests (:data:`eventstudy.study.headline.HEADLINE_TESTS`: kp_bmp against
#: the equal-weighted market, corrado against an index).
HEADLINE_TESTS = ("t_cross", "kp_bmp", "corrado")
#: Display labels of the headline table's columns (:func:`headline_table`).
HEADLINE_LABELS = {
    "window": "Window",
    "caar": "CAAR",
    "n": "N",
    "p_t_cross": "p (t)",
    "p_kp_bmp": "p (KP-BMP)",
    "p_corrado": "p (Corrado)",
}
#: What a CAR of each measure is, when it is not a return in percent (the console and
#: the briefing label the CAAR with it).
CAAR_UNITS = {"volume": "abnormal log volume", "volatility": "abnormal variance U - 1"}
#: Display labels of the provenance table's columns (the methodology footnote).
PROVENANCE_LABELS = {
    "symbol": "Series",
    "source": "Source",
    "adjust": "Adjust",
    "field": "Field",
    "retrieved_at": "Retrieved",
    "is_proxy": "Kind",
    "proxy_members": "Members",
    "note": "Note",
    "first": "First",
    "last": "Last",
}
#: Test names and references for the methodology footnote.
TEST_NAMES = {
    "t_cross": "cross-sectional t (Brown–Warner 1985)",
    "brown_warner": "crude dependence adjustment (Brown–Warner 1980/1985)",
    "patell": "Patell Z (1976)",
    "patell_adj": "adjusted Patell Z (Kolari–Pynnönen 2010)",
    "bmp": "standardized cross-sectional BMP (Boehmer–Musumeci–Poulsen 1991)",
    "kp_bmp": "BMP adjusted for cross-correlation (Kolari–Pynnönen 2010)",
    "sign": "sign test",
    "gen_sign": "generalized sign (Cowan 1992)",
    "corrado": "Corrado rank (1989; Corrado–Zivney 1992)",
    "grank": "GRANK (Kolari–Pynnönen 2011)",
    "wilcoxon": "Wilcoxon signed-rank",
    "skew_t": "skewness-corrected t (Hall 1992; Lyon–Barber–Tsai 1999)",
    "t_event": "per-event t (MacKinlay 1997), N = 1",
    "calendar_time": "calendar-time portfolio t (Jaffe 1974; Mandelker 1974)",
    "wild_bootstrap": "wild bootstrap, Rademacher weights (Mammen 1993; as R EventStudy)",
    "lbt_skew_t": "bootstrapped skewness-adjusted t of BHAR (Lyon–Barber–Tsai 1999)",
}


@dataclass(frozen=True)
class BriefingFiles:
    """What :func:`briefing` wrote.

    Attributes
    ----------
    out
        The output folder.
    html
        The HTML page, or ``None`` when ``"html"`` was not requested.
    png
        One PNG per chart (empty when skipped: see ``problems``).
    tables
        Table files by file name (``"tests.csv"`` → path).
    problems
        Human-readable reasons for anything requested but not written.
    """

    out: Path
    html: Path | None = None
    png: tuple[Path, ...] = ()
    tables: dict[str, Path] = field(default_factory=dict)
    problems: tuple[str, ...] = ()

    def __str__(self) -> str:
        lines = [f"briefing in {self.out}"]
        if self.html:
            lines.append(f"  page:   {self.html}")
        if self.png:
            lines.append(f"  charts: {len(self.png)} PNG in {self.png[0].parent}")
        if self.tables:
            first = next(iter(self.tables.values()))
            lines.append(f"  tables: {len(self.tables)} files in {first.parent}")
        lines.extend(f"  note:   {p}" for p in self.problems)
        return "\n".join(lines)


# ----------------------------------------------------------------------------- helpers


def _pv(result: EventStudyResult, test: str, label: str, measure: str = "CAR") -> tuple[float, int]:
    t = result.tests
    rows = t[(t["test"] == test) & (t["window"].astype(str) == label) & (t["measure"] == measure)]
    if rows.empty:
        return float("nan"), 0
    n = rows["n"].iloc[0]
    return float(rows["pvalue"].iloc[0]), int(n) if pd.notna(n) else 0


def _fmt_pct(x: float, digits: int = 2) -> str:
    return f"{x:+.{digits}%}" if np.isfinite(x) else "n/a"


def format_caar(value: float, measure: str = "return") -> str:
    """A CAR or CAAR as text: in percent for returns, as the number for other measures.

    Abnormal log volume and abnormal variance (``U - 1``) are not percentages
    (:data:`CAAR_UNITS`).

    Examples
    --------
    >>> format_caar(0.0123), format_caar(0.4374, "volume"), format_caar(float("nan"))
    ('+1.23%', '+0.4374', 'n/a')
    """
    if measure not in CAAR_UNITS:
        return _fmt_pct(value)
    return f"{value:+.4f}" if np.isfinite(value) else "n/a"


def caar_label(measure: str = "return") -> str:
    """The CAAR column's label: ``"CAAR"``, or with the measure's unit.

    Examples
    --------
    >>> caar_label(), caar_label("volume")
    ('CAAR', 'CAAR (abnormal log volume)')
    """
    unit = CAAR_UNITS.get(measure)
    return f"CAAR ({unit})" if unit else "CAAR"


def _fmt_p(p: float) -> str:
    if not np.isfinite(p):
        return "n/a"
    return "&lt;0.001" if p < 0.001 else f"{p:.3f}"


def headline_table(result: EventStudyResult) -> pd.DataFrame:
    """CAAR per window with the headline tests' p-values: the numbers the CLI prints.

    Columns: ``window``, ``caar``, ``n``, then ``p_<test>`` for each of
    :data:`HEADLINE_TESTS` that ran and applies (has a p-value in ``result.tests``
    for some window): no column of "n/a" for a test not selected or left out.
    """
    labels = [str(c) for c in result.car.columns]
    shown = [t for t in HEADLINE_TESTS if _has_pvalue(result, t)]
    rows = []
    for label in labels:
        row: dict[str, Any] = {
            "window": label,
            "caar": float(result.caar[label]),
            "n": int(result.car[label].notna().sum()),
        }
        for test in shown:
            row[f"p_{test}"] = _pv(result, test, label)[0]
        rows.append(row)
    return pd.DataFrame(rows, columns=["window", "caar", "n", *(f"p_{t}" for t in shown)])


def _has_pvalue(result: EventStudyResult, test: str, measure: str = "CAR") -> bool:
    """Whether ``result.tests`` has a finite p-value of ``test`` (it ran and applies)."""
    t = result.tests
    rows = t[(t["test"] == test) & (t["measure"] == measure)]
    return bool(np.isfinite(rows["pvalue"].to_numpy(dtype=float)).any())


def _with_proxy_columns(frame: pd.DataFrame, result: EventStudyResult) -> pd.DataFrame:
    """``frame`` (with ``event_id``) plus ``is_proxy`` and ``proxy_members`` of each event."""
    flags = event_proxy(result)
    ids = frame["event_id"].astype(str)
    out = frame.copy()
    out["is_proxy"] = flags["is_proxy"].reindex(ids.to_numpy(), fill_value=False).to_numpy()
    out["proxy_members"] = pd.array(
        flags["proxy_members"].reindex(ids.to_numpy()).to_numpy(), dtype="Int64"
    )
    return out


def _events_table(result: EventStudyResult) -> pd.DataFrame:
    ev = result.events.copy()
    if "event_id" in ev.columns:
        ev = _with_proxy_columns(ev, result)
    ids = ev["event_id"].astype(str) if "event_id" in ev.columns else ev.index.astype(str)
    car = result.car.copy()
    car.index = car.index.astype(str)
    for c in car.columns:
        ev[f"car_{c}"] = car[c].reindex(ids.to_numpy()).to_numpy()
    if getattr(result, "bhar", None) is not None:
        bhar = result.bhar.copy()
        bhar.index = bhar.index.astype(str)
        for c in bhar.columns:
            ev[f"bhar_{c}"] = bhar[c].reindex(ids.to_numpy()).to_numpy()
    return ev


def _articles_table(news: News) -> pd.DataFrame:
    art = news.articles.copy()
    # the article text is the publishers' copyright and large: the briefing keeps metadata only
    return art.drop(columns=[c for c in ("text",) if c in art.columns])


def _all_dropped(result: EventStudyResult, dropped: pd.DataFrame | None) -> pd.DataFrame:
    """The one table of inputs not in the result: ``dropped`` if given, else ``result.dropped``.

    ``result.dropped`` already holds the drops of the EventSet the study was run on
    (the events stage) followed by the study's own; a pipeline's table adds a
    ``stage`` column. Nothing is counted twice.
    """
    if dropped is not None:
        return dropped
    return result.dropped


def _tables(
    result: EventStudyResult,
    news: News | None,
    extra: Mapping[str, pd.DataFrame] | None,
    dropped: pd.DataFrame | None = None,
) -> dict[str, pd.DataFrame]:
    tables: dict[str, pd.DataFrame] = {
        "events": _events_table(result),
        "tests": result.tests,
        "caar_path": result.caar_path.reset_index(),
        "aar": result.aar.rename("aar").rename_axis("rel_day").reset_index(),
        "caar": headline_table(result),
        "dropped": _all_dropped(result, dropped),
        "provenance": _provenance(result),
        "results": _results_table(result),
    }
    if news is not None:
        shared = news.with_relative_origins()  # no /home/... paths in shared files
        tables["news_articles"] = _articles_table(shared)
        tables["news_skipped"] = shared.skipped
        tables["news_duplicates"] = shared.duplicates
    for name, frame in (extra or {}).items():
        tables[name] = frame
    return tables


def _results_table(result: EventStudyResult) -> pd.DataFrame:
    frame = result.to_frame()
    return _with_proxy_columns(frame, result) if "event_id" in frame.columns else frame


def _estimation_note(result: EventStudyResult) -> str | None:
    """The estimation window and minimum sample of the result's spec, in words."""
    from eventstudy.study.spec import DEFAULT_ESTIMATION_WINDOW, DEFAULT_MIN_ESTIMATION_OBS

    spec = getattr(result, "spec", None)
    window = getattr(spec, "estimation_window", None)
    min_obs = getattr(spec, "min_estimation_obs", None)
    if window is None or min_obs is None:
        return None
    t0, t1 = (int(x) for x in window)
    text = (
        f"Estimation window ({t0}, {t1}) relative to day 0 ({t1 - t0 + 1} sessions); an event "
        f"needs at least {int(min_obs)} returns in it, else it is dropped "
        "(insufficient_estimation)."
    )
    if (t0, t1) != tuple(DEFAULT_ESTIMATION_WINDOW) or min_obs != DEFAULT_MIN_ESTIMATION_OBS:
        d0, d1 = DEFAULT_ESTIMATION_WINDOW
        text += (
            f" The package default is ({d0}, {d1}) with {DEFAULT_MIN_ESTIMATION_OBS}; WRDS's "
            "event-study default is 100 returns with a minimum of 70."
        )
    return text


def _data_notes(result: EventStudyResult) -> list[str]:
    """Which bundled dataset served which series, and the extract's start."""
    from eventstudy.calendar import shanghai_sessions
    from eventstudy.market.bundled import bundled_datasets, datasets_served

    prov = getattr(result, "provenance", None)
    served = datasets_served(prov) if isinstance(prov, pd.DataFrame) else {}
    if not served:
        return []
    sets = bundled_datasets()
    label = {"history": "the long history", "extract": "the whole-market extract"}
    parts = [
        f"{len(served[name])} series from {label[name]} ({sets[name].file}: "
        f"{sets[name].description})"
        for name in ("history", "extract")
        if name in served
    ]
    notes = [
        f"{_data_of(result)} from the bundled snapshot: "
        + "; ".join(parts)
        + ". Each series comes from "
        "one dataset only (their forward-adjustment bases differ), never spliced."
    ]
    ev = result.events
    if "extract" in served and len(ev) and {"symbol", "day0"} <= set(ev.columns):
        first = sets["extract"].first
        on_extract = ev[ev["symbol"].astype(str).isin(served["extract"])]
        if len(on_extract):
            day0 = pd.Timestamp(on_extract["day0"].min())
            n = len(shanghai_sessions(first, day0)) - 1
            notes.append(
                f"The extract starts on {first.date()}, {n} sessions before the earliest day 0 "
                f"of an event it prices ({day0.date()}): estimation windows cannot reach "
                "further back."
            )
    return notes


def methodology_notes(result: EventStudyResult, dropped: pd.DataFrame | None = None) -> list[str]:
    """Plain-text methodology sentences on the estimation window, the data and survivorship.

    The briefing's methodology footnote and the pipeline's summary both state
    them: the estimation window and minimum number of returns; which bundled
    dataset served how many series (when prices came from the bundled
    snapshot) and where the whole-market extract starts; and the survivorship
    of the bundled universe, with the number of events dropped as
    ``delisted_no_prices``.

    Parameters
    ----------
    result
        The event study.
    dropped
        Every dropped input (e.g. a pipeline's ``dropped``); default ``result.dropped``.

    Examples
    --------
    >>> methodology_notes(example_result())[0][:34]
    'Estimation window (-250, -11) rela'
    """
    from eventstudy.market.bundled import DELISTED_NO_PRICES, SURVIVORSHIP

    notes = [n for n in [_estimation_note(result)] if n]
    data = _data_notes(result)
    notes += data
    table = _all_dropped(result, dropped)
    reasons = table["reason"].astype(str) if "reason" in table.columns else pd.Series(dtype=str)
    delisted = int((reasons == DELISTED_NO_PRICES).sum())
    if data or delisted:
        notes.append(SURVIVORSHIP + (f" Here: {delisted} event(s)." if delisted else ""))
    return notes


def duplicate_proxy_notes(result: EventStudyResult) -> list[str]:
    """Warnings about board events of one article whose proxy series are identical.

    Two boards proxied by the same constituents (e.g. BK0477 酿酒行业 and BK0896
    白酒, both the six bundled liquor makers) have the same series: the study
    counts them as separate events, which the reader should know. Events are
    not dropped. Identical series are recognised by their data: proxy events of
    one article (so one day 0) with the same abnormal returns, day by day.

    Examples
    --------
    >>> duplicate_proxy_notes(example_result())  # no board proxies
    []
    """
    ev = result.events
    if not {"event_id", "symbol"} <= set(ev.columns) or len(ev) == 0:
        return []
    ids = ev["event_id"].astype(str)
    flags = event_proxy(result).reindex(ids.to_numpy())
    article = (
        ev["article_id"].astype(str) if "article_id" in ev.columns else ids.str.split(":").str[0]
    )
    frame = ev.assign(
        _article=article.to_numpy(),
        _series=_ar_keys(result.ar.reindex(ids.to_numpy()).to_numpy(dtype=float)),
        _m=flags["proxy_members"].to_numpy(),
    )
    frame = frame[flags["is_proxy"].eq(True).to_numpy() & (frame["_series"] != b"").to_numpy()]
    notes = []
    for (art, _series), grp in frame.groupby(["_article", "_series"], sort=False):
        if grp["symbol"].nunique() > 1:
            notes.append(_identical_proxies_note(str(art), grp))
    return notes


def _ar_keys(ar: np.ndarray) -> list[bytes]:
    """One key per row of abnormal returns: equal keys for equal rows (to 1e-10); b"" if none."""
    keys = []
    for row in ar:
        finite = np.isfinite(row)
        # missing days as +inf and -0.0 as 0.0, so that equal rows have equal bytes
        keys.append(
            np.where(finite, np.round(row, 10) + 0.0, np.inf).tobytes() if finite.any() else b""
        )
    return keys


def _identical_proxies_note(article: str, grp: pd.DataFrame) -> str:
    syms = list(dict.fromkeys(grp["symbol"].astype(str)))
    names = grp.drop_duplicates("symbol")
    labels = [
        f"{s} {n}" if isinstance(n, str) and n else s
        for s, n in zip(
            names["symbol"].astype(str),
            names["name"] if "name" in names.columns else [""] * len(names),
            strict=True,
        )
    ]
    title = grp["title"].iloc[0] if "title" in grp.columns else ""
    about = f"“{title}” ({article})" if isinstance(title, str) and title else article
    m = grp["_m"].iloc[0]
    count = f" (the same {int(m)} member{'s' if int(m) != 1 else ''})" if pd.notna(m) else ""
    return (
        f"article {about}: board events {', '.join(labels)} have identical proxy "
        f"series{count}; they are counted as {len(syms)} separate events, not dropped - "
        "read them as one observation"
    )


def _data_of(result: EventStudyResult) -> str:
    """What the study read from the market data: ``"Volumes"`` (a volume study) or ``"Prices"``."""
    return "Volumes" if str(getattr(result, "measure", "return")) == "volume" else "Prices"


def _page_notes(result: EventStudyResult, notes: Sequence[str]) -> list[str]:
    """The notes on the data under the headline numbers: the caller's, then the result's."""
    volume = getattr(result, "market_volume", None)  # a volume study's market volume source
    extra = [
        *([volume] if volume else []),
        *_same_day_note(result),
        *duplicate_proxy_notes(result),
        *_one_member_note(result),
    ]
    return [*notes, *extra]


def _same_day_note(result: EventStudyResult) -> list[str]:
    """With ``duplicates="keep"``: how many events share their security and day 0."""
    ev = result.events
    spec = getattr(result, "spec", None)
    if getattr(spec, "duplicates", "keep") != "keep" or "n_same_day" not in ev.columns:
        return []
    n = int((ev["n_same_day"] > 1).sum())
    if not n:
        return []
    days = len(ev.loc[ev["n_same_day"] > 1, ["symbol", "day0"]].drop_duplicates())
    return [
        f"{n} events name the same security on the same day 0 as another event ({days} "
        "security-days): several articles on one day, kept as separate events "
        "(duplicates='keep'; 'collapse' or 'first' count each security-day once)"
    ]


def _one_member_note(result: EventStudyResult) -> list[str]:
    if "event_id" not in result.events.columns:
        return []
    flags = _with_proxy_columns(result.events, result)
    one = flags[flags["is_proxy"] & (flags["proxy_members"] == 1).fillna(False)]
    if one.empty:
        return []
    syms = ", ".join(dict.fromkeys(one["symbol"].astype(str)))
    return [
        f"{len(one)} board event(s) use a 1-member proxy ({syms}): in the bundled sample "
        "the price of one member stock stands for the board"
    ]


def _provenance(result: EventStudyResult) -> pd.DataFrame:
    prov = getattr(result, "provenance", None)
    if prov is None:
        return pd.DataFrame(columns=["symbol"])
    if isinstance(prov, pd.DataFrame):
        # proxy_of repeats the board code of the row (the symbol column says it)
        out = prov.drop(columns=["proxy_of"], errors="ignore")
        if "symbol" not in out.columns:
            out = out.rename_axis("symbol").reset_index()
        if "is_proxy" in out.columns:
            members = proxy_info(result)["proxy_members"]
            values = pd.Series(
                members.reindex(out["symbol"].astype(str)).to_numpy(),
                index=out.index,
                dtype="Int64",
            )
            if "proxy_members" in out.columns:  # <NA> for real series
                out["proxy_members"] = values
            else:
                out.insert(list(out.columns).index("is_proxy") + 1, "proxy_members", values)
        return out
    if isinstance(prov, Mapping):
        rows = []
        for sym, info in prov.items():
            row = {"symbol": sym}
            if dataclasses.is_dataclass(info) and not isinstance(info, type):
                row.update(dataclasses.asdict(info))
            elif isinstance(info, Mapping):
                row.update(info)
            else:
                row["detail"] = str(info)
            rows.append(row)
        return pd.DataFrame(rows)
    return pd.DataFrame({"detail": [str(prov)]})


def _write_table(frame: pd.DataFrame, path: Path) -> None:
    if path.suffix == ".csv":
        write_csv(frame, path)
        return
    try:
        frame.to_parquet(path, index=False)
    except (ValueError, TypeError, ImportError) as err:
        # object columns holding mixed python values: store them as text rather than fail
        fixed = frame.copy()
        for c in fixed.columns:
            if fixed[c].dtype == object:
                fixed[c] = fixed[c].map(lambda v: None if v is None else str(v))
        try:
            fixed.to_parquet(path, index=False)
        except Exception:
            raise OSError(f"could not write {path.name}: {err}") from err


# ----------------------------------------------------------------------------- charts


def _charts(
    result: EventStudyResult,
    *,
    charts: Sequence[BriefingChart],
    main: str,
    prices: Any,
    price_charts: int,
    benchmark: str | None,
    rule: SessionRule | None = None,
    cutoff: str | None = None,
) -> list[tuple[str, str, go.Figure]]:
    """(file stem, heading, figure) for every chart that applies to this result."""
    out: list[tuple[str, str, go.Figure]] = []
    if len(result.car) == 0:
        return out
    if "caar" in charts:
        out.append(("caar", "CAAR over the event window", plotting.plot_caar(result)))
        kinds = result.events["kind"] if "kind" in result.events.columns else None
        if kinds is not None and kinds.nunique() > 1:
            heading = "CAAR by kind of security"
            out.append(
                ("caar_by_kind", heading, plotting.plot_caar(result.by("kind"), title=heading))
            )
    if "aar" in charts:
        out.append(("aar", "Average abnormal return by day", plotting.plot_aar(result)))
    if "car_dist" in charts:
        heading = f"Per-event CAR over {main}"
        out.append(("car_dist", heading, plotting.plot_car_dist(result, window=main)))
    if "heatmap" in charts:
        by = "name" if "name" in result.events.columns else "symbol"
        if result.events[by].nunique() > 1:
            heading = f"CAAR by {plotting.GROUP_LABELS.get(by, by).lower()} and window"
            out.append(("heatmap", heading, plotting.plot_heatmap(result, by=by)))
    if "event_price" in charts and prices is not None and price_charts > 0:
        out.extend(
            _price_charts(
                result,
                prices,
                main=main,
                k=price_charts,
                benchmark=benchmark,
                rule=rule,
                cutoff=cutoff,
            )
        )
    return out


def _price_charts(
    result: EventStudyResult,
    prices: Any,
    *,
    main: str,
    k: int,
    benchmark: str | None,
    rule: SessionRule | None,
    cutoff: str | None,
) -> list[tuple[str, str, go.Figure]]:
    """Price charts of the first ``k`` top events (``_top_events``) with prices around day 0."""
    # the events' day-0 rule and cutoff when given, else plot_event_price's defaults
    day0: dict[str, Any] = {"benchmark": benchmark}
    if rule is not None:
        day0["rule"] = rule
    if cutoff is not None:
        day0["cutoff"] = cutoff
    out: list[tuple[str, str, go.Figure]] = []
    for row in _top_events(result, main, len(result.car)).itertuples():
        if len(out) >= k:
            break
        try:
            fig = plotting.plot_event_price(
                prices,
                str(row.symbol),
                _when(row),
                title=getattr(row, "title", None),
                publisher=getattr(row, "publisher", None),
                proxy=_is_proxy(result, str(row.symbol)),
                symbol_label=_label(row),
                **day0,
            )
        except (ValueError, LookupError):  # no prices around this event: next one
            continue
        out.append((f"price_{len(out) + 1}", f"Price around event: {_label(row)}", fig))
    return out


def _when(row: Any) -> Any:
    published: Any = row.published_at
    return published if pd.notna(published) else row.day0


def _label(row: Any) -> str:
    name = getattr(row, "name", None)
    sym = str(row.symbol)
    return f"{sym} {name}" if isinstance(name, str) and name and name != sym else sym


def _is_proxy(result: EventStudyResult, symbol: str) -> bool:
    prov = _provenance(result)
    if "is_proxy" not in prov.columns or "symbol" not in prov.columns:
        return False
    hit = prov.loc[prov["symbol"].astype(str) == symbol, "is_proxy"]
    return bool(hit.any()) if len(hit) else False


def _top_events(result: EventStudyResult, main: str, k: int) -> pd.DataFrame:
    """The ``k`` events the news is most clearly about, largest |CAR| first among equals.

    Ranked by the tag ``score`` (highest first: a chart embed or a title subject before a
    name in a list), then by |CAR| of the main window; events without a score (given by
    hand) rank by |CAR| alone. A top-movers list by |CAR| only would put incidental names
    with large moves ahead of the stories' subjects.
    """
    ev = _events_table(result)
    col = f"car_{main}"
    ev = ev.assign(_abs=ev[col].abs())
    keys, order = ["_abs"], [False]
    if "score" in ev.columns:
        ev = ev.assign(_score=pd.to_numeric(ev["score"], errors="coerce").fillna(0.0))
        keys, order = ["_score", "_abs"], [False, False]
    ev = ev.sort_values(keys, ascending=order, na_position="last", kind="stable")
    ev = ev[ev[col].notna()].drop(columns=[c for c in ("_score",) if c in ev.columns])
    if "published_at" not in ev.columns:
        ev["published_at"] = pd.NaT
    return ev.drop(columns="_abs").head(k)


def _td_num(text: str, value: float | None = None) -> str:
    cls = "n"
    if value is not None and np.isfinite(value) and value != 0:
        cls += " pos" if value > 0 else " neg"
    return f'<td class="{cls}">{text}</td>'


def _safe_url(url: object) -> str | None:
    if not isinstance(url, str):
        return None
    u = url.strip()
    return u if u.lower().startswith(("http://", "https://")) else None


def _tests_html(result: EventStudyResult) -> str:
    t = result.tests
    t = t[t["scope"] == "window"] if "scope" in t.columns else t[t["window"].notna()]
    if t.empty:
        return "<p>No window tests.</p>"
    windows = [str(c) for c in result.car.columns]
    head = "".join(f'<th class="n">{escape_text(w)}</th>' for w in windows)
    rows = []
    order = list(TEST_NAMES)
    keys = t[["test", "measure"]].drop_duplicates()
    keys = keys.assign(
        _o=keys["test"].map(lambda x: order.index(x) if x in order else 99)
    ).sort_values(["measure", "_o"])
    for test, measure in keys[["test", "measure"]].itertuples(index=False):
        sub = t[(t["test"] == test) & (t["measure"] == measure)]
        by_w = {str(w): r for w, r in zip(sub["window"], sub.itertuples(), strict=True)}
        cells = []
        for w in windows:
            r = by_w.get(w)
            if r is None or not np.isfinite(float(r.statistic)):
                note = escape_text(getattr(r, "note", "")) if r is not None else ""
                cells.append(f'<td class="n" title="{note}">n/a</td>')
                continue
            p = float(r.pvalue)
            cells.append(
                f'<td class="n">{float(r.statistic):.2f}{significance_stars(p)}<br>'
                f'<span class="note">p {_fmt_p(p)} · N {int(r.n)}</span></td>'
            )
        label = escape_text(TEST_NAMES.get(str(test), str(test)))
        rows.append(f"<tr><td>{escape_text(measure)}</td><td>{label}</td>{''.join(cells)}</tr>")
    return (
        f"<table><thead><tr><th>Measure</th><th>Test</th>{head}</tr></thead>"
        f"<tbody>{''.join(rows)}</tbody></table>"
        '<p class="note">Statistic with stars (* p &lt; 0.10, ** p &lt; 0.05, *** p &lt; 0.01), '
        "two-sided p-value and the number of events used. Per-day tests are in "
        "<code>tables/tests.csv</code>.</p>"
    )


def _spec_items(result: EventStudyResult) -> list[tuple[str, str]]:
    spec = getattr(result, "spec", None)
    items: list[tuple[str, str]] = []
    if spec is not None and dataclasses.is_dataclass(spec) and not isinstance(spec, type):
        for f in dataclasses.fields(spec):
            v = getattr(spec, f.name)
            if isinstance(v, pd.DataFrame | pd.Series):
                v = f"{type(v).__name__} {v.shape}"
            items.append((f.name, str(v)))
    elif spec is not None:
        items.append(("spec", str(spec)))
    return items


def _day0_text(rule: str | None, cutoff: str | None) -> str:
    """How day 0 was set, from the rule and cutoff the events were built with."""
    cut = escape_text(cutoff or DEFAULT_CUTOFF)
    if rule == "next":
        return (
            f"day 0 is the first session at or after publication (Asia/Shanghai; rule "
            f"<code>next</code>): published on a trading day before the {cut} cutoff → that "
            f"session; at/after {cut} or on a non-trading day → the next session."
        )
    if rule == "previous":
        return (
            "day 0 is the last session on or before the publication date (Asia/Shanghai; rule "
            "<code>previous</code>): published on a non-trading day → the session before; the "
            f"time of day, and so the {cut} cutoff, is not used by this rule."
        )
    if rule == "strict":
        return (
            "day 0 is the session of publication (Asia/Shanghai; rule <code>strict</code>): only "
            f"publications on a trading day before the {cut} cutoff have one; the others are "
            "dropped (no session)."
        )
    return (
        "day 0 is as supplied with the events (the day-0 rule and cutoff were not given to the "
        "briefing; see METHODS.md for the package's conventions)."
    )


def _variance_text(model: str, measure: str = "return", left_out: str = "") -> str:
    """The CAR-variance sentence for the model (METHODS.md, eventstudy.study.models).

    For a measure other than returns, a sentence on the measure and the tests it left out.
    """
    from eventstudy.study.measures import MEASURES, get_measure
    from eventstudy.study.models import MODELS, get_model

    if model == "market":
        text = (
            "CAR variance with the market model's prediction-error correction, "
            "S²<sub>i</sub>[L₂ + L₂²/M<sub>i</sub> + (Σ(R<sub>m,t</sub> − R̄<sub>m</sub>))²/"
            "SS<sub>m</sub>] (Mikkelson–Partch 1988)."
        )
    elif model == "constant_mean":
        text = (
            "CAR variance with the estimation error of the mean, "
            "S²<sub>i</sub>(L₂ + L₂²/M<sub>i</sub>) (Mikkelson–Partch 1988)."
        )
    elif model in ("ff3", "carhart", "factors"):
        text = (
            "CAR variance with the factor model's prediction-error correction, "
            "S²<sub>i</sub>(L₂ + L₂²/M<sub>i</sub> + d′(Z′Z)⁻¹d), d the summed centred "
            "factor returns of the window."
        )
    elif model in MODELS and get_model(model).estimated:  # thin trading, GARCH
        text = f"{escape_text(get_model(model).methodology)}."
    else:
        text = (
            f"The {escape_text(model)} model estimates no parameter (K = 1 by convention), so "
            "the CAR variance is L₂·S²<sub>i</sub> with no prediction-error term."
        )
    if measure == "return" or measure not in MEASURES:
        return text
    m = get_measure(measure)
    note = f" {escape_text(left_out)}." if left_out else ""
    return (
        f"{text} <b>Measure:</b> {escape_text(m.method)} ({escape_text(m.reference)}); "
        f"AR and CAR are {escape_text(m.quantity)}.{note}"
    )


def _date_cell(value: Any) -> str:
    ts = pd.Timestamp(value) if value is not None and not pd.isna(value) else None
    text = ts.date() if ts is not None else "—"
    return f'<td class="d">{text}</td>'


def _stamp(value: Any, bundled: bool) -> str:
    """A retrieval time as text: the time, or "bundled snapshot" / "—" when there is none."""
    if value is not None and not pd.isna(value):
        return pd.Timestamp(value).strftime("%Y-%m-%d %H:%M %Z").strip()
    return "bundled snapshot" if bundled else "—"


def _methodology_html(
    result: EventStudyResult,
    news: News | None,
    rule: str | None,
    cutoff: str | None,
    dropped: pd.DataFrame | None = None,
) -> str:
    path = result.caar_path
    level = path.attrs.get("level")
    variance = path.attrs.get("variance", "")
    spec = dict(_spec_items(result))
    spec["day0 rule"] = rule if rule is not None else "not given (day 0 as supplied)"
    spec["day0 cutoff"] = cutoff if cutoff is not None else "not given"
    model = str(getattr(result, "model", spec.get("model", "")))
    left_out = str(result.tests.attrs.get("left_out", ""))
    parts = [
        f"<p><b>Model:</b> {escape_text(getattr(result, 'model', spec.get('model', '')))} "
        f"against <b>{escape_text(getattr(result, 'market', spec.get('market', '')))}</b>. "
        f"CAR windows: {escape_text(', '.join(str(c) for c in result.car.columns))} "
        "(relative days count sessions of the market's trading calendar).</p>",
        f"<p><b>Conventions:</b> {_day0_text(rule, cutoff)} Missing returns are missing "
        "(never zero) and reduce the estimation sample M<sub>i</sub>; events that cannot be "
        "estimated are listed with a reason code under Dropped. Residual variance "
        f"S²<sub>i</sub> = ΣAR²/(M<sub>i</sub> − K). "
        f"{_variance_text(model, str(getattr(result, 'measure', 'return')), left_out)} "
        "BHAR uses simple returns.</p>",
    ]
    extra = methodology_notes(result, dropped)
    if extra:
        parts.append(
            "<p><b>Estimation and data:</b> " + " ".join(escape_text(n) for n in extra) + "</p>"
        )
    if level is not None:
        parts.append(f"<p><b>Confidence band:</b> {float(level):.0%}; {escape_text(variance)}</p>")
    if spec:
        body = "".join(
            f"<tr><td>{escape_text(k)}</td><td>{escape_text(v)}</td></tr>" for k, v in spec.items()
        )
        parts.append(f"<details><summary>Specification</summary><table>{body}</table></details>")
    prov = _provenance(result)
    if len(prov):
        parts.append("<p><b>Data provenance</b> (per series):</p>")
        fmt: dict[str, Callable[[Any], str]] = {
            "first": _date_cell,
            "last": _date_cell,
            "note": lambda v: f"<td>{escape_text(v)}</td>",
        }
        if "retrieved_at" in prov.columns:
            bundled = (
                prov["source"].astype(str).str.contains("bundled")
                if "source" in prov.columns
                else pd.Series(False, index=prov.index)
            )
            prov = prov.assign(
                retrieved_at=[
                    _stamp(v, bool(b)) for v, b in zip(prov["retrieved_at"], bundled, strict=True)
                ]
            )
        if "proxy_members" in prov.columns:
            fmt["proxy_members"] = lambda v: f'<td class="n">{"" if pd.isna(v) else int(v)}</td>'
        if "is_proxy" in prov.columns:
            fmt["is_proxy"] = lambda v: (
                '<td><span class="proxy">proxy: built from constituents</span></td>'
                if bool(v)
                else "<td>real series</td>"
            )
        prov, listed = _numbered_notes(prov)
        parts.append(table_html(prov, fmt, labels=PROVENANCE_LABELS, numeric=["proxy_members"]))
        parts.append(listed)
    tests = sorted(set(result.tests["test"].astype(str)))
    refs = "; ".join(escape_text(TEST_NAMES.get(t, t)) for t in tests)
    parts.append(f"<p><b>Tests:</b> {refs}.</p>")
    headline = getattr(result, "headline", None)  # the result's line (study.headline)
    if headline:
        parts.append(f"<p><b>Which test to read:</b> {escape_text(headline)}.</p>")
    more = getattr(result, "methodology", None)
    if callable(more):
        items = "".join(f"<li>{escape_text(line)}</li>" for line in more())
        parts.append(f"<p><b>Inference and event handling:</b></p><ul>{items}</ul>")
    if news is not None:
        parts.append(
            f"<p><b>News:</b> {news.n_inputs} inputs: {len(news.articles)} articles loaded, "
            f"{len(news.skipped)} skipped (listed in <code>tables/news_skipped.csv</code> with "
            f"reasons), {len(news.duplicates)} duplicates of a kept article (listed in "
            "<code>tables/news_duplicates.csv</code>).</p>"
        )
    return "".join(parts)


def _numbered_notes(prov: pd.DataFrame) -> tuple[pd.DataFrame, str]:
    """Each distinct provenance note once, numbered below the table; rows cite its number."""
    if "note" not in prov.columns:
        return prov, ""
    notes = list(dict.fromkeys(str(n) for n in prov["note"] if isinstance(n, str) and n))
    if not notes:
        return prov, ""
    ref = {n: i for i, n in enumerate(notes, 1)}
    cited = [f"[{ref[n]}]" if isinstance(n, str) and n in ref else "" for n in prov["note"]]
    items = "".join(f"<li>{escape_text(n)}</li>" for n in notes)
    return prov.assign(note=cited), f'<ol class="note">{items}</ol>'


def _dropped_html(dropped: pd.DataFrame) -> str:
    """Counts by stage (when the table has one) and reason of the single dropped table."""
    if dropped.empty:
        return "<p>No event was dropped.</p>"
    keys = ["stage", "reason"] if "stage" in dropped.columns else ["reason"]
    counts = (
        dropped[keys].astype(str).value_counts(sort=False).rename("n").reset_index()
    )  # first-seen order within the table: events → prices → study
    rows = []
    for rec in counts.to_dict("records"):
        cells = "".join(f"<td>{escape_text(rec[k])}</td>" for k in keys)
        rows.append(f'<tr>{cells}<td class="n">{int(rec["n"])}</td></tr>')
    head = "".join(f"<th>{k.capitalize()}</th>" for k in keys)
    return (
        f'<table><thead><tr>{head}<th class="n">Events</th></tr></thead>'
        f"<tbody>{''.join(rows)}</tbody></table>"
        f'<p class="note">{len(dropped)} events in all; each, with its message, is in '
        "<code>tables/dropped.csv</code>.</p>"
    )


def _top_events_html(result: EventStudyResult, main: str, k: int, news: News | None) -> str:
    if k <= 0:
        return ""
    top = _top_events(result, main, k)
    if top.empty:
        return "<p>No event has a CAR over this window.</p>"
    urls: dict[str, str] = {}
    if news is not None and {"article_id", "url"} <= set(news.articles.columns):
        urls = dict(
            zip(
                news.articles["article_id"].astype(str),
                news.articles["url"].astype(object),
                strict=True,
            )
        )
    info = proxy_info(result)
    proxy_tags = {
        str(s): proxy_label(bool(p), m)
        for s, p, m in zip(info.index, info["is_proxy"], info["proxy_members"], strict=True)
    }
    rows = []
    measure = str(getattr(result, "measure", "return"))
    cars = top[f"car_{main}"].astype(float)
    for i, r in enumerate(top.itertuples(), 1):
        title = escape_text(getattr(r, "title", "")) or "(no title)"
        url = _safe_url(urls.get(str(getattr(r, "article_id", ""))))
        if url:
            title = (
                f'<a href="{html.escape(url, quote=True)}" rel="noopener noreferrer">{title}</a>'
            )
        car = float(cars.iloc[i - 1])
        d0: Any = r.day0
        day0 = pd.Timestamp(d0).date() if pd.notna(d0) else ""
        tag = proxy_tags.get(str(r.symbol), "")
        proxy = f' <span class="proxy">{escape_text(tag)}</span>' if tag else ""
        rows.append(
            f'<tr><td class="n">{i}</td><td class="d">{escape_text(day0)}</td>'
            f"<td>{escape_text(_label(r))}{proxy}</td><td>{title}</td>"
            f"<td>{escape_text(getattr(r, 'publisher', ''))}</td>"
            f"{_td_num(format_caar(car, measure), car)}</tr>"
        )
    return (
        f'<table><thead><tr><th class="n">#</th><th>Day 0</th><th>Security</th><th>Title</th>'
        f'<th>Publisher</th><th class="n">CAR {escape_text(main)}</th></tr></thead>'
        f"<tbody>{''.join(rows)}</tbody></table>"
    )


def _notes_html(notes: Sequence[str]) -> str:
    if not notes:
        return ""
    items = "".join(f"<li>{escape_text(n)}</li>" for n in dict.fromkeys(notes))
    return f'<div class="notes"><b>Notes on the data</b><ul>{items}</ul></div>'


def _cards_html(result: EventStudyResult, main: str, dropped: pd.DataFrame) -> str:
    n = len(result.car)
    caar = float(result.caar[main]) if n else float("nan")
    measure = str(getattr(result, "measure", "return"))
    cards = [
        (f"{n}", "events analysed"),
        (f"{len(dropped)}", "events dropped (reasons below)"),
        (format_caar(caar, measure), f"{caar_label(measure)} {main}"),
    ]
    # the lead p-value: the headline test (study.headline's one rule), none without a line
    head = getattr(result, "headline_test", None)
    if head is not None:
        cards.append(
            (_fmt_p(_pv(result, head, main)[0]), f"p-value {main}, {TEST_NAMES.get(head, head)}")
        )
    if head != "t_cross" and _has_pvalue(result, "t_cross"):
        cards.append(
            (_fmt_p(_pv(result, "t_cross", main)[0]), f"p-value {main}, cross-sectional t")
        )
    inner = "".join(
        f'<div class="card"><div class="v">{v}</div><div class="k">{escape_text(k)}</div></div>'
        for v, k in cards
    )
    return f'<div class="cards" style="--cards:{len(cards)}">{inner}</div>'


def _headline_html(result: EventStudyResult) -> str:
    head = headline_table(result)
    measure = str(getattr(result, "measure", "return"))

    def p_cell(v: Any) -> str:
        return f'<td class="n">{_fmt_p(float(v))}{significance_stars(float(v))}</td>'

    cells: dict[str, Callable[[Any], str]] = {
        "caar": lambda v: _td_num(format_caar(float(v), measure), float(v)),
        "n": lambda v: f'<td class="n">{int(v)}</td>',
    }
    cells.update({c: p_cell for c in head.columns if c.startswith("p_")})
    numbers = [c for c in head.columns if c != "window"]
    labels = {**HEADLINE_LABELS, "caar": caar_label(measure)}
    return table_html(head, cells, labels=labels, numeric=numbers)


#: What each p-value column of the headline table is (the briefing's note under it).
_P_LEGEND = {
    "p_t_cross": "p (t): cross-sectional t; ",
    "p_kp_bmp": "p (KP-BMP): the BMP test adjusted for cross-correlation (Kolari–Pynnönen); ",
    "p_corrado": "p (Corrado): the rank test (Corrado 1989); ",
}


def _p_legend(result: EventStudyResult) -> str:
    """The note's legend of the p-value columns the headline table has."""
    return "".join(_P_LEGEND[c] for c in headline_table(result).columns if c in _P_LEGEND)


def _charts_html(figs: Sequence[tuple[str, str, go.Figure]]) -> str:
    sections = [
        f'<section class="chart" id="sec-{i}"><h3>{escape_text(heading)}</h3>'
        f"{figure_html(fig, f'chart-{stem}')}</section>"
        for i, (stem, heading, fig) in enumerate(figs)
    ]
    return "".join(sections) or "<p>No chart: no event could be analysed.</p>"


def _page(
    result: EventStudyResult,
    *,
    title: str,
    main: str,
    figs: Sequence[tuple[str, str, go.Figure]],
    news: News | None,
    dropped: pd.DataFrame,
    top_events: int,
    rule: SessionRule | None,
    cutoff: str | None,
    notes: Sequence[str] = (),
    plotlyjs: PlotlyJs = "inline",
) -> str:
    from eventstudy import __version__

    n = len(result.car)
    day0 = pd.to_datetime(result.events["day0"]) if n else pd.Series(dtype="datetime64[ns]")
    period = f"{day0.min().date()} – {day0.max().date()}" if n else "no events"
    generated = dt.datetime.now(dt.UTC).astimezone().strftime("%Y-%m-%d %H:%M %Z")
    body = f"""<h1>{escape_text(title)}</h1>
<div class="sub">Event study of {n} (article, security) events, day 0 {escape_text(period)};
measure {escape_text(getattr(result, "measure", "return"))},
model {escape_text(getattr(result, "model", ""))} against
{escape_text(getattr(result, "market", ""))}. Generated {escape_text(generated)}
by eventstudy {escape_text(__version__)}.</div>
{_cards_html(result, main, dropped)}
{_notes_html(_page_notes(result, notes))}
<h2>CAAR by window</h2>
{_headline_html(result)}
<p class="note">{_p_legend(result)}two-sided; * p &lt; 0.10, ** p &lt; 0.05,
*** p &lt; 0.01.</p>
<h2>Charts</h2>
{_charts_html(figs)}
<h2>Tests</h2>
{_tests_html(result)}
<h2>Top events: the news's clearest subjects, by |CAR {escape_text(main)}|</h2>
{_top_events_html(result, main, top_events, news)}
<h2>Dropped</h2>
{_dropped_html(dropped)}
<footer>
<h2>Methodology</h2>
{_methodology_html(result, news, rule, cutoff, dropped)}
</footer>"""
    return page_html(title, body, plotlyjs=plotlyjs)


# ----------------------------------------------------------------------------- entry point


def briefing(
    result: EventStudyResult,
    *,
    news: News | None = None,
    out: str | Path = "briefing/",
    formats: Sequence[BriefingFormat] = DEFAULT_FORMATS,
    title: str | None = None,
    window: tuple[int, int] | str | None = None,
    prices: Any = None,
    benchmark: str | None = None,
    charts: Sequence[BriefingChart] = CHARTS,
    top_events: int = DEFAULT_TOP_EVENTS,
    price_charts: int = DEFAULT_PRICE_CHARTS,
    extra_tables: Mapping[str, pd.DataFrame] | None = None,
    dropped: pd.DataFrame | None = None,
    rule: SessionRule | None = None,
    cutoff: str | None = None,
    notes: Sequence[str] = (),
    progress: Callable[[str], None] | None = None,
    plotlyjs: PlotlyJs = "inline",
) -> BriefingFiles:
    """Write a briefing of an event study: HTML page, PNG charts, CSV/Parquet tables.

    Parameters
    ----------
    result
        The :class:`~eventstudy.study.EventStudyResult`.
    news
        The :class:`~eventstudy.news.News` the events came from: adds article
        links, the article and skipped tables and the news counts.
    out
        Output folder (created). Existing files of the same names are replaced.
    formats
        Any of ``"html"``, ``"png"``, ``"csv"``, ``"parquet"``.
    title
        Page title (escaped).
    window
        The main CAR window (headline, CAR distribution, top events); default:
        the first of ``result.car.columns``.
    prices
        Prices for the price-around-event charts (long OHLC as
        :func:`eventstudy.datasets.sample_prices` returns, a wide close panel,
        or a ``PriceFrame``); ``None``: no price charts.
    benchmark
        Benchmark on the price charts' second axis (default ``result.market``).
    charts
        Which of :data:`CHARTS` to draw.
    top_events, price_charts
        How many events to list, and to draw price charts for (highest tag score, then
        largest |CAR| first).
    extra_tables
        More tables to write (file stem → table).
    dropped
        Every input that is not in ``result``, e.g. the pipeline's
        :attr:`~eventstudy.pipeline.PipelineResult.dropped` with its ``stage``
        column: when given, the single source of the dropped count, of the
        Dropped section and of ``tables/dropped.csv``. Default:
        ``result.dropped`` (the study's drops plus those of the EventSet it ran on).
    rule, cutoff
        The day-0 rule (``"next"``, ``"previous"``, ``"strict"``) and cutoff the
        events were built with (``EventSet.rule``/``.cutoff``); the methodology
        footnote and the Specification table state them, and the price charts
        place day 0 with them. ``None``: day 0 is described as supplied.
    notes
        Remarks on the data shown under the headline numbers (e.g. the
        pipeline's fallbacks); board events of one article with identical proxy
        series, and 1-member proxies, are noted there too.
    progress
        Called with ``"exporting PNG charts"`` when the (slow, several seconds)
        PNG export starts, e.g. to move a progress bar on.
    plotlyjs
        ``"inline"`` (default): plotly.js inside ``briefing.html``, one self-contained
        file of about 5 MB; ``"shared"``: a lighter page that loads ``plotly.min.js``,
        written once beside it (pages written to one folder share it; still offline).

    Returns
    -------
    BriefingFiles
        The paths written, and any problem (e.g. PNGs skipped for want of a browser).

    Raises
    ------
    ValueError
        For an unknown format or chart name, or a window not in the result.
    """
    _check_options(formats, charts)
    folder = output_dir(out)
    main = pick_window(result, window) if len(result.car.columns) else ""
    bench = benchmark if benchmark is not None else getattr(result, "market", None)

    figs: list[tuple[str, str, go.Figure]] = []
    if {"html", "png"} & set(formats) and main:
        figs = _charts(
            result,
            charts=charts,
            main=main,
            prices=prices,
            price_charts=price_charts,
            benchmark=bench,
            rule=rule,
            cutoff=cutoff,
        )

    page: Path | None = None
    if "html" in formats:
        text = _page(
            result,
            title=title or "Event study briefing",
            main=main,
            figs=figs,
            news=news,
            dropped=_all_dropped(result, dropped),
            top_events=top_events,
            rule=rule,
            cutoff=cutoff,
            notes=notes,
            plotlyjs=plotlyjs,
        )
        page = write_page(folder / "briefing.html", text)

    wants_tables = {"csv", "parquet"} & set(formats)
    tables = _tables(result, news, extra_tables, dropped) if wants_tables else {}
    written, problems = _write_tables(tables, folder / "tables", formats)
    pngs: list[Path] = []
    if "png" in formats:
        pngs, msgs = _write_charts(figs, folder / "charts", progress)
        problems.extend(msgs)
    for msg in problems:
        warnings.warn(msg, EventStudyWarning, stacklevel=2)
    return BriefingFiles(
        out=folder, html=page, png=tuple(pngs), tables=written, problems=tuple(problems)
    )


def _check_options(formats: Sequence[str], charts: Sequence[str]) -> None:
    bad = [f for f in formats if f not in FORMATS]
    if bad:
        raise ValueError(f"unknown briefing format(s) {bad}; use any of {list(FORMATS)}")
    bad = [c for c in charts if c not in CHARTS]
    if bad:
        raise ValueError(f"unknown chart(s) {bad}; use any of {list(CHARTS)}")


def _write_tables(
    tables: Mapping[str, pd.DataFrame], folder: Path, formats: Sequence[str]
) -> tuple[dict[str, Path], list[str]]:
    """Each table in each requested table format (CSV, Parquet); the files and the problems."""
    written: dict[str, Path] = {}
    problems: list[str] = []
    table_formats = [f for f in ("csv", "parquet") if f in formats]
    if table_formats:
        folder.mkdir(exist_ok=True)
    for name, frame in tables.items():
        for fmt in table_formats:
            p = folder / f"{name}.{fmt}"
            try:
                _write_table(frame, p)
            except OSError as err:
                problems.append(str(err))
                continue
            written[p.name] = p
    return written, problems


def _write_charts(
    figs: Sequence[tuple[str, str, go.Figure]],
    folder: Path,
    progress: Callable[[str], None] | None,
) -> tuple[list[Path], list[str]]:
    if folder.is_dir():  # stale charts from an earlier run would mislead
        shutil.rmtree(folder)
    if not figs:
        return [], []
    if progress is not None:
        progress("exporting PNG charts")
    return png.write_pngs({stem: fig for stem, _, fig in figs}, folder)
