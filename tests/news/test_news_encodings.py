"""Mixed encodings are decoded per file (posts) and per line (tables), or skipped as
``bad_encoding``: never garbled in silence (issue 13, item 7). Real encoded bytes throughout."""

from __future__ import annotations

from pathlib import Path

import pandas as pd
import pytest

from eventstudy.datasets import sample_news_path
from eventstudy.news import load_news
from eventstudy.news.loader import common_share, decode, decode_lines

TRADITIONAL_TITLE = "台積電第三季營收創新高"
TRADITIONAL_BODY = "台積電第三季營收創新高，半導體類股走強。鴻海與聯發科同步上漲，外資連續買超。"
HEADER = "title,published_at,text\n"
ROWS = [
    ("白酒板块午后拉升", "2022-05-31 13:05", "贵州茅台涨3%，五粮液跟涨。"),
    ("银行股走强", "2022-05-31 14:00", "招商银行上涨。"),
    ("北向资金净买入", "2022-05-31 15:30", "外资加仓消费龙头。"),
]


def _line(row: tuple[str, str, str]) -> str:
    return ",".join(row) + "\n"


def test_big5_post_is_decoded_as_big5(tmp_path: Path) -> None:
    post = (
        f"---\ntitle: {TRADITIONAL_TITLE}\ndate: 2022-01-10 10:00:00 +0800\n---\n"
        f"<p>{TRADITIONAL_BODY}</p>\n"
    )
    data = post.encode("big5")
    assert data.decode("gb18030")  # the bytes are valid GB18030 too: the old reading garbled
    (tmp_path / "tw.md").write_bytes(data)
    news = load_news(tmp_path / "tw.md")
    assert news.articles["title"].tolist() == [TRADITIONAL_TITLE]
    assert news.articles["text"].iloc[0] == TRADITIONAL_BODY
    assert news.articles["warnings"].tolist() == [""]


def test_every_real_post_saved_as_gbk_or_utf8_is_unchanged() -> None:
    for path in sorted(sample_news_path().rglob("*.md")):
        text = path.read_text(encoding="utf-8")
        assert decode(text.encode("utf-8")) == (text, None), path.name
        assert decode(text.encode("gb18030")) == (text, None), path.name


def test_csv_of_utf8_rows_and_one_gbk_row(tmp_path: Path) -> None:
    data = (
        HEADER.encode()
        + _line(ROWS[0]).encode("utf-8")
        + _line(ROWS[1]).encode("gbk")  # e.g. appended by Excel on a Chinese Windows
        + _line(ROWS[2]).encode("utf-8")
    )
    with pytest.raises(UnicodeDecodeError):
        data.decode("utf-8")
    path = tmp_path / "mixed.csv"
    path.write_bytes(data)
    news = load_news(path)
    assert news.articles["title"].tolist() == [r[0] for r in ROWS]
    assert news.articles["text"].tolist() == [r[2] for r in ROWS]
    assert set(news.articles["warnings"]) == {""}
    assert news.skipped.empty


def test_gbk_csv_with_one_utf8_and_one_big5_row(tmp_path: Path) -> None:
    big5_row = (TRADITIONAL_TITLE, "2022-06-01 10:00", TRADITIONAL_BODY)
    data = (
        HEADER.encode("gbk")
        + _line(ROWS[0]).encode("gbk")
        + _line(ROWS[1]).encode("utf-8")
        + _line(big5_row).encode("big5")
        + _line(ROWS[2]).encode("gbk")
    )
    path = tmp_path / "mixed.csv"
    path.write_bytes(data)
    news = load_news(path)
    assert news.articles["title"].tolist() == [ROWS[0][0], ROWS[1][0], big5_row[0], ROWS[2][0]]
    assert news.articles["text"].tolist()[2] == TRADITIONAL_BODY


def test_jsonl_with_a_gbk_line(tmp_path: Path) -> None:
    frame = pd.DataFrame(ROWS, columns=["title", "published_at", "text"])
    lines = frame.to_json(orient="records", lines=True, force_ascii=False).splitlines()
    data = b"\n".join([lines[0].encode(), lines[1].encode("gb18030"), lines[2].encode()])
    path = tmp_path / "mixed.jsonl"
    path.write_bytes(data + b"\n")
    assert load_news(path).articles["title"].tolist() == [r[0] for r in ROWS]


def test_a_row_in_no_known_encoding_is_skipped_with_a_reason(tmp_path: Path) -> None:
    # UTF-8 text with its bytes cut in the middle of characters: valid in no encoding, and
    # GB18030 would read it as plausible-looking garbage
    damaged = "贵州茅台发布年报".encode()[1:-1]
    data = (
        HEADER.encode()
        + _line(ROWS[0]).encode()
        + damaged
        + b",2022-05-31 14:00,x\n"
        + _line(ROWS[2]).encode()
    )
    path = tmp_path / "damaged.csv"
    path.write_bytes(data)
    news = load_news(path)
    assert news.articles["title"].tolist() == [ROWS[0][0], ROWS[2][0]]
    assert news.skipped[["origin", "reason"]].values.tolist() == [[f"{path}#row1", "bad_encoding"]]
    assert "UTF-8" in news.skipped["message"].iloc[0]
    assert len(news.articles) + len(news.skipped) == news.n_inputs


def test_decode_lines_and_common_share() -> None:
    assert decode_lines(b"") == ("", 0)
    text, bad = decode_lines(b"a,b\n" + "白酒,1\n".encode("gbk") + b"\xff\xfe,2\n")
    assert text.splitlines()[:2] == ["a,b", "白酒,1"]
    assert bad == 1
    assert common_share(TRADITIONAL_BODY) == 1.0
    assert common_share(TRADITIONAL_BODY.encode("big5").decode("gb18030")) < 0.5
    assert common_share("ascii only") == 1.0
