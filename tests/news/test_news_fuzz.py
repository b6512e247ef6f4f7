"""Fuzzing: mangled posts and rows never raise anything but the package's own errors
under errors="raise", and articles + skipped + duplicates always equals the inputs."""

from __future__ import annotations

import tempfile
from pathlib import Path

import pandas as pd
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from eventstudy.datasets import sample_news_path
from eventstudy.exceptions import EventStudyError, NewsParseError
from eventstudy.news import load_news

SEED = sample_news_path() / "_posts" / "2022-01-10-NW202201102241785025.md"

HTML_TOKENS = [
    "<p>",
    "</p>",
    "<div>",
    "</div>",
    "<span>",
    "<b>",
    "<br/>",
    "<!--",
    "-->",
    "<![CDATA[",
    "]]>",
    "<!-- EM_StockImg_Start -->",
    "<!-- EM_StockImg_End -->",
    '<a href="http://quote.eastmoney.com/unify/r/90.BK0896" data-code="BK0896|90|1">',
    '<img src="x?nid=90.BK0896&imageType=k" data-code="K BK0896|90|1">',
    '<a href="http://quote.eastmoney.com/unify/r/1.600519" class="keytip" data-code="1,600519">',
    '<span class="em_stock_key_common" data-code="116,00700">',
    '<a data-code="999,???">',
    '<a href="http://quote.eastmoney.com/sh600519.html">',
    '<a href="quote.eastmoney.com/bk/">',
    '<a href="javascript:alert(1)">',
    "<script>alert('x')</script>",
    "<script>",
    "<style>",
    '<p style="display:none">',
    "<iframe src=http://evil>",
    "</a>",
    "</span>",
    "&amp;",
    "&#0;",
    "&#x110000;",
    "&bogus;",
    "<",
    ">",
    "\x00",
    "\x0b",
    "\ud800",
    "\r\n",
    "\n\n",
    "白酒",
    "贵州茅台",
    "证券时报网",
    "（文章来源：财联社）",
    "<http://x/NewsShare.html?infoCode=NW123456789>",
    "[返回](//x)",
    "> 摘要",
    "<>",
]
FRONT_LINES = [
    "---",
    "...",
    "title: 白酒",
    'title: ""',
    "title: [a, b]",
    "title: {a: 1}",
    "title: &a x",
    "title: *a",
    "date: 2022-01-10 11:33:36 +0800",
    "date: +0800",
    "date: ",
    "date: 2022-02-30",
    "date: 99999-01-01",
    "date: 1800-01-01 00:00:00",
    "date: [1, 2]",
    "date: 昨天",
    "categories: emnews",
    "tags: [x, [y]]",
    "- item",
    ": :",
    "\t",
    "%YAML 1.1",
    "!!python/object:os.system",
    "key: !!binary aGVsbG8=",
    "a: b: c",
]

html_body = st.lists(
    st.one_of(st.sampled_from(HTML_TOKENS), st.text(max_size=20)), max_size=40
).map("".join)
front = st.lists(st.sampled_from(FRONT_LINES), max_size=8).map("\n".join)
post_text = st.builds(
    lambda f, b, lead: lead + f + "\n" + b,
    front,
    html_body,
    st.sampled_from(["", "---\n", "\ufeff---\n", "\n\n---\n"]),
)


def to_bytes(text: str, enc: str, junk: bytes) -> bytes:
    raw = text.encode(enc, errors="surrogatepass" if enc == "utf-8" else "replace")
    return raw + junk


post_bytes = st.builds(
    to_bytes,
    post_text,
    st.sampled_from(["utf-8", "gb18030", "utf-16"]),
    st.sampled_from([b"", b"\xff\xfe\xfa", b"\x80\x81", b"\xef\xbb\xbf", b"\x00\x00"]),
)


def check_both_policies(folder: Path, n: int) -> None:
    news = load_news(folder)
    assert news.n_inputs == n
    assert len(news.articles) + len(news.skipped) + len(news.duplicates) == n
    assert news.articles["article_id"].is_unique
    assert set(news.mentions["article_id"]) <= set(news.articles["article_id"])
    for text in news.articles["text"]:
        assert "<script" not in text.lower()
        assert "alert(" not in text
    tags = news.tags()
    assert ((tags["score"] >= 0) & (tags["score"] <= 1)).all()
    events = news.to_events(min_score=0.0)
    assert len(events.frame) + len(events.dropped) == len(tags)
    try:
        strict = load_news(folder, errors="raise")
    except NewsParseError:
        assert len(news.skipped) > 0
    else:
        assert len(news.skipped) == 0
        assert len(strict.articles) == len(news.articles)


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.lists(post_bytes, min_size=1, max_size=5))
def test_fuzzed_posts(posts: list[bytes]) -> None:
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp)
        for i, data in enumerate(posts):
            (folder / f"p{i}.md").write_bytes(data)
        check_both_policies(folder, len(posts))


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    st.lists(st.integers(0, len(SEED.read_bytes()) - 1), min_size=1, max_size=6),
    st.sampled_from([b"", b"\x00", b"<", b"---\n", b"\xff", b"<div>" * 50]),
)
def test_mangled_real_post(cuts: list[int], insert: bytes) -> None:
    data = SEED.read_bytes()
    for c in sorted(cuts, reverse=True):
        data = data[:c] + insert + data[c + 7 :]
    with tempfile.TemporaryDirectory() as tmp:
        (Path(tmp) / "seed.md").write_bytes(data)
        (Path(tmp) / "copy.md").write_bytes(SEED.read_bytes())
        check_both_policies(Path(tmp), 2)


cell = st.one_of(
    st.none(),
    st.text(max_size=30),
    st.integers(),
    st.floats(allow_nan=True),
    st.sampled_from(
        [
            "2022-01-10 11:33:36",
            "2022-01-10T11:33:36+08:00",
            "+0800",
            "",
            "600519",
            "000001",
            "BK0896",
            "<p>贵州茅台</p>" + HTML_TOKENS[12],
            "\x00白酒",
        ]
    ),
    st.datetimes().map(pd.Timestamp),
)


@settings(max_examples=60, deadline=None)
@given(st.lists(st.tuples(cell, cell, cell, cell, cell), max_size=8))
def test_fuzzed_table_rows(rows: list[tuple[object, ...]]) -> None:
    frame = pd.DataFrame(rows, columns=["关键词", "新闻标题", "新闻内容", "发布时间", "新闻链接"])
    news = load_news(frame)
    assert len(news.articles) + len(news.skipped) + len(news.duplicates) == len(rows)
    try:
        load_news(frame, errors="raise")
    except EventStudyError:
        assert len(news.skipped) > 0


def test_deep_nesting_20mb_body_nul_bytes(tmp_path: Path) -> None:
    def head(title: str) -> str:
        return f"---\ntitle: {title}\ndate: 2022-01-10 11:33:36 +0800\n---\n"

    deep = "<div>" * 10_000 + "白酒" + "</div>" * 10_000
    (tmp_path / "deep.md").write_text(head("深") + deep, encoding="utf-8")
    paragraph = "<p>白酒板块走强，贵州茅台上涨。<script>alert(1)</script></p>\n"
    big = head("大") + paragraph * (20_000_000 // len(paragraph.encode()))
    (tmp_path / "big.md").write_text(big, encoding="utf-8")
    (tmp_path / "nul.md").write_bytes(head("零").encode() + b"<p>a\x00b\x00\xff\xfe</p>")
    news = load_news(tmp_path, errors="raise")
    assert len(news.articles) == 3
    a = news.articles.set_index(news.articles["origin"].map(lambda o: Path(o).name))
    assert a.loc["deep.md", "warnings"].startswith("html_truncated")
    assert a.loc["deep.md", "text"] == "白酒"  # read beyond libxml2's depth limit
    assert "alert" not in a.loc["big.md", "text"]
    assert a.loc["big.md", "text"].count("\n") > 100_000
    assert "\x00" not in a.loc["nul.md", "text"]
    tags = news.tags().set_index(["article_id", "symbol"])
    big_id = a.loc["big.md", "article_id"]
    assert tags.loc[(big_id, "BK0896"), "score"] == pytest.approx(1.0)


yaml_text = st.text(alphabet=list("ab :\"'#-\\\n[]{}|>*&!%@`,?~\t中.0"), max_size=12)


@settings(max_examples=400, deadline=None)
@given(st.lists(st.tuples(yaml_text, yaml_text), max_size=4))
def test_simple_front_matter_reads_like_pyyaml(lines: list[tuple[str, str]]) -> None:
    """The fast path reads a header exactly as PyYAML's base loader, or leaves it to PyYAML."""
    import yaml

    from eventstudy.news.frontmatter import simple_mapping

    loader = getattr(yaml, "CBaseLoader", yaml.BaseLoader)
    header = "\n".join(f"{k}: {v}" for k, v in lines)
    fast = simple_mapping(header)
    if fast is None:
        return
    assert fast == (yaml.load(header, Loader=loader) or {})


def test_simple_front_matter_of_every_bundled_post() -> None:
    import re

    import yaml

    from eventstudy.news.frontmatter import simple_mapping

    loader = getattr(yaml, "CBaseLoader", yaml.BaseLoader)
    close = re.compile(r"^(?:---|\.\.\.)[ \t]*$", re.MULTILINE)
    fast_posts = 0
    for path in sorted(sample_news_path().rglob("*.md")):
        text = path.read_text(encoding="utf-8").replace("\r\n", "\n").lstrip("\ufeff \n")
        first = text.find("\n")
        header = text[first + 1 : close.search(text, first + 1).start()]  # type: ignore[union-attr]
        fast = simple_mapping(header)
        if fast is not None:
            fast_posts += 1
            assert fast == yaml.load(header, Loader=loader)
    assert fast_posts >= 60  # the fast path is the common one
