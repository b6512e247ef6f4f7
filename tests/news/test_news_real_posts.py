"""The bundled real posts: every INDEX.tsv row, the seed, duplicates, odd cases."""

from __future__ import annotations

import csv
import re
from pathlib import Path

import pandas as pd
import pytest

from eventstudy.datasets import sample_news_path
from eventstudy.news import load_news
from eventstudy.news.frontmatter import split_front_matter
from eventstudy.news.html import parse_html

ROOT = sample_news_path()
SEED = ROOT / "_posts" / "2022-01-10-NW202201102241785025.md"
INDEX = list(csv.DictReader((ROOT / "INDEX.tsv").open(encoding="utf-8"), delimiter="\t"))
#: Posts the loader must skip, with the reason (the odd cases kept in the data on purpose).
EXPECTED_SKIPS = {"_posts/-202205262391921712.md": "missing_date"}


@pytest.fixture(scope="module")
def news() -> object:
    return load_news(ROOT)


def test_index_covers_every_post() -> None:
    on_disk = sorted(p.relative_to(ROOT).as_posix() for p in ROOT.rglob("*.md"))
    assert sorted(r["path"] for r in INDEX) == on_disk
    assert len(INDEX) == 64


@pytest.mark.parametrize("row", INDEX, ids=[r["path"] for r in INDEX])
def test_each_post_yields_exactly_its_index_codes(row: dict[str, str]) -> None:
    path = ROOT / row["path"]
    expected = set(row["codes"].split())
    news = load_news(path)
    assert len(news.articles) + len(news.skipped) + len(news.duplicates) == 1
    if row["path"] in EXPECTED_SKIPS:
        assert news.skipped["reason"].tolist() == [EXPECTED_SKIPS[row["path"]]]
        assert news.mentions.empty
        # the markup is still readable: its codes are the ones INDEX.tsv lists
        _, body = split_front_matter(path.read_text(encoding="utf-8"))
        assert {m.secid for m in parse_html(body).marks} == expected
        return
    assert news.skipped.empty
    art = news.articles.iloc[0]
    assert art["title"] == row["title"]
    assert art["category"] == row["categories"]
    stamp = art["published_at"]
    assert str(stamp.tz) == "Asia/Shanghai"
    assert stamp.strftime("%Y-%m-%d %H:%M:%S") == row["date"].removesuffix(" +0800")
    markup = news.mentions[news.mentions["how"].isin(["chart_embed", "inline_link", "quote_link"])]
    assert set(markup["secid"]) == expected
    assert re.search(r"</?[A-Za-z][A-Za-z0-9]*[\s>/]", art["text"]) is None  # no markup left


def test_counts_add_up_for_the_folder(news) -> None:  # type: ignore[no-untyped-def]
    assert news.n_inputs == 64
    assert len(news.articles) + len(news.skipped) + len(news.duplicates) == 64
    assert news.articles["article_id"].is_unique


def test_seed_yields_bk0896_from_the_chart_and_keywords_for_baijiu(news) -> None:  # type: ignore[no-untyped-def]
    m = news.mentions[news.mentions["article_id"] == "NW202201102241785025"]
    bk = m[m["symbol"] == "BK0896"]
    assert set(bk["how"]) == {"chart_embed", "keyword"}
    assert (bk["how"] == "chart_embed").sum() == 1
    kw = bk[bk["how"] == "keyword"]
    assert len(kw) >= 3
    assert set(kw["name"]) == {"白酒"}
    seed = news.articles.set_index("article_id").loc["NW202201102241785025"]
    for pos, fld in zip(kw["position"], kw["field"], strict=True):
        source = seed["title"] if fld == "title" else seed["text"]
        assert source[pos : pos + 2] == "白酒"
    assert seed["publisher"] == "证券时报网"
    assert seed["url"].endswith("NewsShare.html?infoCode=NW202201102241785025")
    assert seed["origin"].endswith("_posts/2022-01-10-NW202201102241785025.md")
    assert "EM_StockImg" not in seed["text"]
    assert "display" not in seed["text"]
    assert seed["text"].startswith("工信部10日公开征求")
    tags = news.tags().set_index(["article_id", "symbol"])
    assert tags.loc[("NW202201102241785025", "BK0896"), "score"] == 1.0
    assert "BK0473" not in tags.loc["NW202201102241785025"].index  # only the short copy has it


def test_duplicates_keep_the_full_version(news) -> None:  # type: ignore[no-untyped-def]
    d = news.duplicates
    rel = {
        Path(o).relative_to(ROOT).as_posix(): (a, k)
        for o, a, k in zip(d["origin"], d["duplicate_of"], d["key"], strict=True)
    }
    assert rel == {
        "_posts/2022-01-10-202201102241785025.md": ("NW202201102241785025", "article_id"),
        "old_post/2022-01-10-NW202201102241785025.md": ("NW202201102241785025", "article_id"),
        "old_post/2021-12-08-202112082206672930.md": ("202112082206672930", "article_id"),
    }
    kept = news.articles.set_index("article_id").loc["NW202201102241785025", "origin"]
    assert Path(kept).relative_to(ROOT).as_posix() == "_posts/2022-01-10-NW202201102241785025.md"


def test_title_and_time_duplicates_across_ids(tmp_path: Path) -> None:
    text = SEED.read_text(encoding="utf-8")
    (tmp_path / "a.md").write_text(text, encoding="utf-8")
    (tmp_path / "b.md").write_text(
        text.replace("infoCode=NW202201102241785025", "infoCode=NW999"), encoding="utf-8"
    )
    news = load_news(tmp_path)
    assert len(news.articles) == 1
    assert news.duplicates["key"].tolist() == ["title_time"]


def test_naive_dates_are_beijing_time_and_crlf_post_loads(news) -> None:  # type: ignore[no-untyped-def]
    a = news.articles.set_index("article_id")
    assert str(a.loc["202112082206749391", "published_at"]) == "2021-12-08 10:45:29+08:00"
    crlf = a.loc["NW202205252390829633"]
    assert "\r" not in crlf["text"]
    assert crlf["publisher"] == "泉州晚报"


def test_encodings_bom_gb18030_crlf(tmp_path: Path) -> None:
    text = SEED.read_text(encoding="utf-8")
    (tmp_path / "bom.md").write_bytes(b"\xef\xbb\xbf" + text.encode("utf-8"))
    (tmp_path / "gbk.md").write_bytes(text.replace("\n", "\r\n").encode("gb18030"))
    (tmp_path / "plain.html").write_text(text, encoding="utf-8")
    loaded = [load_news(tmp_path / n) for n in ("bom.md", "gbk.md", "plain.html")]
    texts = {n.articles["text"].iloc[0] for n in loaded}
    titles = {n.articles["title"].iloc[0] for n in loaded}
    assert len(texts) == 1
    assert len(titles) == 1
    assert titles == {"工信部：针对年轻消费群体、国外消费群体发展多样化、低度化白酒产品"}
    for n in loaded:
        assert n.articles["warnings"].iloc[0] == ""
        assert "90.BK0896" in set(n.mentions["secid"])


def test_undecodable_bytes_are_kept_with_a_warning(tmp_path: Path) -> None:
    p = tmp_path / "bad.md"
    p.write_bytes(b"---\ntitle: x\ndate: 2022-01-10 09:00:00\n---\n<p>ok \xff\xfe\xfa\xfb</p>\n")
    news = load_news(p)
    assert news.articles["warnings"].iloc[0].startswith("invalid_encoding")


def test_folder_glob_and_list_sources_agree(news) -> None:  # type: ignore[no-untyped-def]
    by_glob = load_news(str(ROOT / "**" / "*.md"))
    by_list = load_news(sorted(ROOT.rglob("*.md")))
    for other in (by_glob, by_list):
        assert other.n_inputs == 64
        assert set(other.articles["article_id"]) == set(news.articles["article_id"])


def test_articles_table_shape(news) -> None:  # type: ignore[no-untyped-def]
    a = news.articles
    assert list(a.columns[:8]) == [
        "article_id",
        "title",
        "published_at",
        "publisher",
        "category",
        "url",
        "text",
        "origin",
    ]
    assert isinstance(a["published_at"].dtype, pd.DatetimeTZDtype)
    assert str(a["published_at"].dt.tz) == "Asia/Shanghai"
    m = news.mentions
    assert set(m["how"]) <= {"chart_embed", "inline_link", "quote_link", "keyword", "code"}
    assert set(m["kind"]) <= {"board", "stock", "index", "foreign"}
    assert set(m["article_id"]) <= set(a["article_id"])


def test_no_known_keyword_false_positives_in_the_bundled_posts(news) -> None:  # type: ignore[no-untyped-def]
    kw = news.mentions[news.mentions["how"] == "keyword"]
    seed = kw[kw["article_id"] == "NW202201102241785025"]
    assert "601939.SH" not in set(seed["symbol"])  # 建行 inside 搭建行业
    assert "601398.SH" not in set(kw["symbol"])  # 工行 inside 军工行业 (twice)
    assert "000725.SZ" not in set(kw["symbol"])  # 京东方 inside 京东方精电 (a HK stock)
    text = news.articles.set_index("article_id")["text"]
    body = kw[(kw["field"] == "text") & kw["keyword"].isin(["大盘", "券商"])]
    assert len(body) > 10  # genuine uses remain
    for aid, word, pos in zip(body["article_id"], body["keyword"], body["position"], strict=True):
        around = text[aid][max(0, pos - 2) : pos + len(word) + 2]
        assert not any(bad in around for bad in ("大盘股", "经济大盘", "券商中国")), around


def test_mentions_record_the_matched_text(news) -> None:  # type: ignore[no-untyped-def]
    m = news.mentions
    assert "keyword" in m.columns
    a = news.articles.set_index("article_id")
    kw = m[m["how"] == "keyword"]
    assert len(kw) > 100
    rows = zip(kw["article_id"], kw["keyword"], kw["position"], kw["field"], strict=True)
    for aid, word, pos, fld in rows:
        source = a.loc[aid, "title"] if fld == "title" else a.loc[aid, "text"]
        assert source[pos : pos + len(word)] == word
    links = m[m["how"].isin(["inline_link", "quote_link"])]
    assert len(links) > 0
    assert (links["keyword"] == links["name"].fillna("")).all()
    assert set(m.loc[m["how"] == "chart_embed", "keyword"]) == {""}


@pytest.mark.parametrize("row", INDEX, ids=[r["path"] for r in INDEX])
def test_depth_limit_fallback_reads_real_posts_like_lxml(row: dict[str, str]) -> None:
    """The html.parser fallback (used beyond libxml2's depth limit) gives the same text
    and marks as the lxml path on every real post body."""
    from eventstudy.news.html import _parse_stream

    _, body = split_front_matter((ROOT / row["path"]).read_text(encoding="utf-8"))
    body = body.replace("\r\n", "\n")
    doc = parse_html(body)
    assert doc.warnings == []
    assert _parse_stream(body) == (doc.text, doc.marks)
    # and nested 3000 deep (beyond libxml2's limit), the post reads the same
    deep = parse_html("<div>" * 3000 + body + "</div>" * 3000)
    assert [w.split(":")[0] for w in deep.warnings] == ["html_truncated"]
    assert deep.text == doc.text
    assert [(m.secid, m.how, m.name) for m in deep.marks] == [
        (m.secid, m.how, m.name) for m in doc.marks
    ]


def test_skipped_posts_carry_the_recoverable_article_id(news, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    s = news.skipped
    assert s["article_id"].tolist() == ["202205262391921712"]  # from the file name
    # from the share link when the file name has no id
    text = SEED.read_text(encoding="utf-8").replace("date: 2022-01-10 11:33:36 +0800", "date: ")
    (tmp_path / "undated.md").write_text(text, encoding="utf-8")
    (tmp_path / "2022-01-10-no-id-here.md").write_text("no front matter", encoding="utf-8")
    sk = load_news(tmp_path).skipped
    skipped = sk.set_index(sk["origin"].map(lambda o: Path(o).name))
    assert skipped.loc["undated.md", "article_id"] == "NW202201102241785025"
    assert pd.isna(skipped.loc["2022-01-10-no-id-here.md", "article_id"])


#: Short real posts in which a deleted byte used to make GB18030 garbage (2 and 39 positions)
SHORT_POSTS = [
    "_posts/2021-12-08-202112082206885094.md",
    "old_post/2021-12-08-202112082207150622.md",
]


@pytest.mark.parametrize("name", SHORT_POSTS)
def test_utf8_post_with_one_byte_deleted_stays_utf8(name: str) -> None:
    """Deleting any single byte of a real UTF-8 post never turns it into GB18030 garbage:
    the text keeps the post's own characters (plus U+FFFD), with a warning when bytes
    were replaced."""
    from eventstudy.news.loader import decode

    data = (ROOT / name).read_bytes()
    original = data.decode("utf-8")
    allowed = set(original) | {"\ufffd"}
    for i in range(len(data)):
        text, warning = decode(data[:i] + data[i + 1 :])
        assert set(text) <= allowed, (i, text[:80])
        assert len(original) - 1 <= len(text) <= len(original) + 1, i
        assert (warning is not None) == ("\ufffd" in text), i
        if warning is not None:
            assert warning.startswith("invalid_encoding"), i


def test_every_real_post_saved_as_gb18030_decodes_cleanly() -> None:
    from eventstudy.news.loader import decode

    for path in sorted(ROOT.rglob("*.md")):
        text = path.read_text(encoding="utf-8")
        assert decode(text.encode("gb18030")) == (text, None), path.name
        assert decode(text.encode("gbk", errors="ignore")) == (
            text.encode("gbk", errors="ignore").decode("gbk"),
            None,
        ), path.name
