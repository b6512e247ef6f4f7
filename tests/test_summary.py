"""The one Summary class: text, HTML and LaTeX renderings of the same blocks."""

import pandas as pd
import pytest

from eventstudy.summary import Summary


def _example() -> Summary:
    s = Summary("Run <1> & co")
    s.add_lines(["events: 3 in", "  indented"])
    s.add_pairs([("model", "market"), ("a_key", "50% & <b>")])
    s.add_table(
        pd.DataFrame({"caar": [0.01, float("nan")], "n": [3, 2]}, index=["[-1,1]", "[0,5]"]),
        caption="CAAR_by window",
        formats={"caar": lambda v: "n/a" if pd.isna(v) else f"{v:.2%}"},
    )
    s.add_rule()
    return s


def test_text_keeps_lines_aligns_pairs_and_formats_cells_once():
    text = _example().as_text()
    lines = text.split("\n")
    assert lines[0] == "Run <1> & co"
    assert lines[1] == "=" * len(lines[0])
    assert "  indented" in lines
    assert "model  market" in lines  # keys padded to the longest key ("a_key")
    assert "1.00%" in text
    assert "n/a" in text
    assert lines[-1] == "-" * max(len(x) for x in lines[:-1])
    assert str(_example()) == text == repr(_example())


def test_html_escapes_every_string():
    out = _example().as_html()
    assert "<1>" not in out
    assert "&lt;1&gt;" in out
    assert "&lt;b&gt;" in out
    assert "<b>" not in out.replace("<b>CAAR_by window</b>", "")
    assert out == _example()._repr_html_()


def test_latex_escapes_special_characters():
    out = _example().as_latex()
    assert r"50\% \& <b>" in out
    assert r"CAAR\_by window" in out
    assert r"\begin{tabular}{lrr}" in out


def test_formats_for_unknown_columns_are_refused_with_the_columns_named():
    with pytest.raises(ValueError, match=r"\['nope'\].*\['x'\]"):
        Summary().add_table(pd.DataFrame({"x": [1]}), formats={"nope": str})


def test_tables_are_returned_as_formatted_copies():
    s = _example()
    t = s.tables[0]
    assert t.loc["[-1,1]", "caar"] == "1.00%"
    t.loc["[-1,1]", "caar"] = "changed"
    assert s.tables[0].loc["[-1,1]", "caar"] == "1.00%"
