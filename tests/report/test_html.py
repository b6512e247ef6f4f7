"""The one HTML writer: both pages share its skeleton and CSS; tables escape; writes are atomic."""

from __future__ import annotations

import re

import pandas as pd
import pytest

from eventstudy.plotting import FONT_FAMILY
from eventstudy.report import briefing, write_backtest
from eventstudy.report.html import CSS, page_html, table_html, write_page


def _style(page: str) -> str:
    blocks = re.findall(r"<style>(.*?)</style>", page, flags=re.S)
    assert len(blocks) == 1
    return blocks[0]


def test_study_and_backtest_pages_share_one_css(tmp_path, example_result, example_backtest) -> None:  # type: ignore[no-untyped-def]
    study = briefing(example_result, out=tmp_path / "s", formats=("html",), charts=("caar",))
    assert study.html is not None
    bt = write_backtest(example_backtest, tmp_path / "b")
    pages = [study.html.read_text("utf-8"), bt.files["backtest.html"].read_text("utf-8")]
    assert [_style(p) for p in pages] == [CSS, CSS]
    for page in pages:
        assert FONT_FAMILY in page
        assert page.count("<script>") >= 1  # plotly.js inline, once, in the head
        head = page.split("</head>")[0]
        assert "Plotly" in head
        assert not re.search(r"<script[^>]+src=", page)
        assert "<main>" in page


def test_page_escapes_its_title_and_sets_the_language() -> None:
    page = page_html("<script>x</script>", "<p>body</p>", lang="en")
    assert '<html lang="en">' in page
    assert "<title>&lt;script&gt;x&lt;/script&gt;</title>" in page
    assert "<main>\n<p>body</p>\n</main>" in page


def test_table_cells_escape_format_wrap_and_scroll() -> None:
    frame = pd.DataFrame(
        {"title": ["<b>a & b</b>", None], "n": [1, 2], "note": ["x", float("nan")]}
    )
    plain = table_html(frame)
    assert "<td>&lt;b&gt;a &amp; b&lt;/b&gt;</td>" in plain
    assert "<td></td>" in plain  # None and NaN show as empty cells
    assert "<b>" not in plain
    boxed = table_html(
        frame, {"n": lambda v: f'<td class="n">{v * 10}</td>'}, wrap=("title",), scroll=True
    )
    assert boxed.startswith('<div class="scroll"><table>')
    assert '<th class="wrap">title</th>' in boxed
    assert '<td class="wrap">&lt;b&gt;a &amp; b&lt;/b&gt;</td>' in boxed
    assert '<td class="n">20</td>' in boxed
    custom = table_html(frame, text=lambda v: "?" if pd.isna(v) else str(v))
    assert "<td>?</td>" in custom


def test_css_keeps_wide_tables_in_a_scrolling_box() -> None:
    assert re.search(r"\.scroll\{[^}]*overflow-x:auto", CSS)
    assert re.search(r"\.scroll td,\.scroll th\{[^}]*white-space:nowrap", CSS)
    assert "%" not in CSS.replace("100%", "")  # no unfilled placeholder


def test_write_page_replaces_atomically(tmp_path) -> None:  # type: ignore[no-untyped-def]
    target = tmp_path / "p.html"
    target.write_text("old", encoding="utf-8")
    assert write_page(target, "新") == target
    assert target.read_text(encoding="utf-8") == "新"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["p.html"]  # no temporary left


def test_write_page_failure_leaves_the_old_page(tmp_path, monkeypatch) -> None:  # type: ignore[no-untyped-def]
    from pathlib import Path

    target = tmp_path / "p.html"
    target.write_text("old", encoding="utf-8")

    def boom(self, other):  # type: ignore[no-untyped-def]
        raise OSError("disk full")

    monkeypatch.setattr(Path, "replace", boom)
    with pytest.raises(OSError, match="disk full"):
        write_page(target, "new")
    assert target.read_text(encoding="utf-8") == "old"
