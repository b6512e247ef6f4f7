"""A news folder: posts and tables are read; what cannot be read is skipped with a reason and
counted; links leaving the folder are not followed (issue 13, item 9). Origins in written files
are relative to the folder (item 21)."""

from __future__ import annotations

import os
from pathlib import Path

import pandas as pd
import pytest

from eventstudy.datasets import sample_news_path
from eventstudy.exceptions import NewsParseError
from eventstudy.news import load_news
from eventstudy.news.loader import resolve_inputs

POST = "---\ntitle: {title}\ndate: 2022-01-10 10:00:00 +0800\n---\n<p>{title}，白酒股走强。</p>\n"


def _post(path: Path, title: str) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(POST.format(title=title), encoding="utf-8")
    return path


def _folder(tmp_path: Path) -> Path:
    root = tmp_path / "news"
    _post(root / "_posts" / "a.md", "白酒板块一")
    _post(root / "_posts" / "b.md", "白酒板块二")
    pd.DataFrame(
        {"title": ["表格白酒一", "表格白酒二"], "published_at": ["2022-01-11 10:00"] * 2}
    ).to_csv(root / "feed.csv", index=False)
    (root / "more.jsonl").write_text(
        '{"title": "行表白酒", "published_at": "2022-01-12 10:00"}\n', encoding="utf-8"
    )
    return root


def _check_counts(news) -> None:  # type: ignore[no-untyped-def]
    assert len(news.articles) + len(news.skipped) + len(news.duplicates) == news.n_inputs


def test_posts_and_tables_of_a_folder_are_all_read(tmp_path: Path) -> None:
    root = _folder(tmp_path)
    news = load_news(root)
    assert news.n_inputs == 5
    assert sorted(news.articles["title"]) == sorted(
        ["白酒板块一", "白酒板块二", "表格白酒一", "表格白酒二", "行表白酒"]
    )
    origins = set(news.with_relative_origins().articles["origin"])
    assert origins == {"_posts/a.md", "_posts/b.md", "feed.csv#row0", "feed.csv#row1",
                       "more.jsonl#row0"}  # fmt: skip
    _check_counts(news)


def test_a_table_that_is_not_news_is_skipped_by_name(tmp_path: Path) -> None:
    root = _folder(tmp_path)
    pd.DataFrame({"code": ["600519"], "close": [1.0]}).to_csv(root / "prices.csv", index=False)
    (root / "broken.parquet").write_bytes(b"not parquet")
    news = load_news(root)
    rel = news.with_relative_origins().skipped.set_index("origin")
    assert rel["reason"].to_dict() == {"broken.parquet": "bad_table", "prices.csv": "bad_table"}
    assert "no publication-time column" in rel.loc["prices.csv", "message"]
    assert news.n_inputs == 7
    _check_counts(news)
    with pytest.raises(NewsParseError, match=r"broken\.parquet.*bad_table"):
        load_news(root, errors="raise")


def test_a_catalogue_of_the_posts_is_not_read_as_news() -> None:
    found = resolve_inputs(sample_news_path())  # holds INDEX.tsv, a list of its posts
    assert all(isinstance(i, Path) for i in found.items)
    assert load_news(sample_news_path()).n_inputs == 64


def test_unreadable_subfolder_is_skipped_and_counted(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    root = _folder(tmp_path)
    _post(root / "locked" / "c.md", "锁住")
    real_scandir = os.scandir

    def scandir(path):  # type: ignore[no-untyped-def]
        if Path(path) == root / "locked":  # simulated: tests may run as root
            raise PermissionError(13, "Permission denied", str(path))
        return real_scandir(path)

    monkeypatch.setattr(os, "scandir", scandir)
    news = load_news(root)
    locked = news.skipped[news.skipped["reason"] == "permission_denied"]
    assert locked["origin"].tolist() == [str(root / "locked")]
    assert "Permission denied" in locked["message"].iloc[0]
    assert news.n_inputs == 6
    _check_counts(news)


def test_unreadable_post_file_is_permission_denied(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    root = _folder(tmp_path)
    real = Path.read_bytes

    def read_bytes(self: Path) -> bytes:
        if self.name == "b.md":
            raise PermissionError(13, "Permission denied", str(self))
        return real(self)

    monkeypatch.setattr(Path, "read_bytes", read_bytes)
    news = load_news(root)
    assert news.skipped[["reason"]].values.tolist() == [["permission_denied"]]
    assert news.skipped["origin"].iloc[0].endswith("b.md")
    _check_counts(news)


def test_unreadable_table_file_is_permission_denied(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    root = _folder(tmp_path)
    real = os.access

    def access(path, mode):  # type: ignore[no-untyped-def]
        return False if Path(path).name == "feed.csv" else real(path, mode)

    monkeypatch.setattr(os, "access", access)
    news = load_news(root)
    assert news.skipped["reason"].tolist() == ["permission_denied"]
    assert news.n_inputs == 4
    _check_counts(news)


def test_links_leaving_the_folder_are_not_followed(tmp_path: Path) -> None:
    root = _folder(tmp_path)
    outside = tmp_path / "private"
    _post(outside / "secret.md", "外部秘密")
    _post(outside / "deep" / "x.md", "外部深处")
    (root / "secret.md").symlink_to(outside / "secret.md")
    (root / "elsewhere").symlink_to(outside, target_is_directory=True)
    (root / "inside.md").symlink_to(root / "_posts" / "a.md")  # stays inside: read
    (root / "posts_again").symlink_to(root / "_posts", target_is_directory=True)
    news = load_news(root)
    titles = set(news.articles["title"])
    assert "外部秘密" not in titles
    assert "外部深处" not in titles
    rel = news.with_relative_origins().skipped.set_index("origin")
    assert rel["reason"].to_dict() == {"elsewhere": "outside_root", "secret.md": "outside_root"}
    assert str(outside / "secret.md") in rel.loc["secret.md", "message"]
    # the inside link is one more input (a duplicate of a.md); the inside folder link is walked
    # through its target, not twice
    assert news.n_inputs == 5 + 1 + 2
    assert news.duplicates["origin"].map(lambda o: Path(o).name).tolist() == ["inside.md"]
    _check_counts(news)


def test_broken_link_is_skipped(tmp_path: Path) -> None:
    root = _folder(tmp_path)
    (root / "gone.md").symlink_to(root / "missing.md")
    news = load_news(root)
    assert news.skipped["reason"].tolist() == ["unreadable"]
    _check_counts(news)


def test_relative_origins_of_files_and_lists(tmp_path: Path) -> None:
    root = _folder(tmp_path)
    one = load_news(root / "_posts" / "a.md").with_relative_origins()
    assert one.articles["origin"].tolist() == ["a.md"]
    both = load_news([root / "_posts" / "a.md", root / "feed.csv"]).with_relative_origins()
    assert both.articles["origin"].tolist() == ["_posts/a.md", "feed.csv#row0", "feed.csv#row1"]
    frame = load_news(pd.DataFrame({"title": ["白酒"], "published_at": ["2022-01-10"]}))
    assert frame.root is None
    assert frame.with_relative_origins().articles["origin"].tolist() == ["row 0"]


def test_a_glob_does_not_follow_links_out_of_its_folder_or_round_a_loop(tmp_path: Path) -> None:
    root = _folder(tmp_path)
    outside = tmp_path / "private"
    _post(outside / "secret.md", "外部秘密")
    _post(outside / "deep" / "x.md", "外部深处")
    (root / "_posts" / "secret.md").symlink_to(outside / "secret.md")
    (root / "_posts" / "elsewhere").symlink_to(outside, target_is_directory=True)
    (root / "_posts" / "loop").symlink_to(root, target_is_directory=True)
    news = load_news(str(root / "**" / "*.md"))
    assert set(news.articles["title"]) == {"白酒板块一", "白酒板块二"}
    assert news.skipped["reason"].tolist() == ["outside_root"]
    assert news.skipped["origin"].map(lambda o: Path(o).name).tolist() == ["secret.md"]
    assert news.duplicates.empty
    assert news.n_inputs == 3
    _post(root / "_posts" / "sub" / "c.md", "白酒板块三")
    one_level = load_news(str(root / "_posts" / "*" / "*.md"))  # through a link to outside
    assert set(one_level.articles["title"]) == {"白酒板块三"}
    assert one_level.skipped["reason"].tolist() == ["outside_root"]
    assert "secret.md" in one_level.skipped["origin"].iloc[0]
