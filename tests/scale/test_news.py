"""load_news(engine="dask") returns the local load's News (tests/scale/conftest.py: 2 workers)."""

from __future__ import annotations

import shutil
import subprocess
import sys

import pandas as pd
import pytest

from eventstudy.datasets import sample_news_path
from eventstudy.exceptions import ConfigError, NewsParseError
from eventstudy.news import News, Tagger, load_news

TABLES = ("articles", "mentions", "skipped", "duplicates")


def assert_same_news(a: News, b: News) -> None:
    for name in TABLES:
        pd.testing.assert_frame_equal(getattr(a, name), getattr(b, name), check_exact=True)
    pd.testing.assert_frame_equal(a.tags(), b.tags(), check_exact=True)
    assert a.n_inputs == b.n_inputs


def test_import_eventstudy_imports_no_dask() -> None:
    code = (
        "import sys, eventstudy, eventstudy.news, eventstudy.study, eventstudy.scale; "
        "print(sorted(m for m in sys.modules if m.split('.')[0] in ('dask', 'distributed')))"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "[]"


@pytest.mark.parametrize("size", [1, 7, 1000])
def test_bundled_posts_same_news_however_partitioned(client, size) -> None:
    local = load_news(sample_news_path())
    remote = load_news(sample_news_path(), engine="dask", client=client, partition_size=size)
    assert len(local.duplicates) > 0  # the sample has duplicates
    assert len(local.skipped) > 0  # and a skipped post
    assert_same_news(local, remote)


def test_duplicates_resolved_across_partitions(client, tmp_path) -> None:
    """The longer copy of a story wins wherever it is; ties keep the first input."""
    rows = pd.DataFrame(
        {
            "article_id": ["A1", "B1", "A1", "C1", "B1", "A1"],
            "title": ["白酒板块走强", "银行股", "白酒板块走强", "茅台", "银行股", "白酒板块走强"],
            "published_at": ["2022-05-31 13:05"] * 6,
            "text": ["短", "招商银行涨", "贵州茅台涨3%，五粮液涨2%", "", "招商银行涨", "中"],
        }
    )
    local = load_news(rows)
    remote = load_news(rows, engine="dask", client=client, partition_size=2)
    assert local.duplicates["duplicate_origin"].tolist() == ["row 2", "row 1", "row 2"]
    assert_same_news(local, remote)


def test_table_file_and_posts_mixed_keep_origins(client, tmp_path) -> None:
    posts = sorted((sample_news_path() / "_posts").glob("*.md"))[:5]
    table = tmp_path / "t.csv"
    pd.DataFrame(
        {"title": ["贵州茅台", "", "五粮液"], "published_at": ["2022-01-10", "2022-01-11", ""]}
    ).to_csv(table, index=False)
    source = [*posts, table, *posts[:2]]
    local = load_news(source)
    remote = load_news(source, engine="dask", client=client, partition_size=2)
    assert remote.skipped["origin"].str.contains("t.csv#row").any()
    assert_same_news(local, remote)


def test_custom_tagger_shipped_once_per_worker(client) -> None:
    tagger = Tagger.default().with_keywords({"BK0896": ["次高端"]})
    local = load_news(sample_news_path(), tagger=tagger)
    remote = load_news(
        sample_news_path(), tagger=tagger, engine="dask", client=client, partition_size=4
    )
    assert_same_news(local, remote)
    assert remote.tagger is tagger


def test_tagger_built_once_per_worker(client) -> None:
    from eventstudy.news.loader import resolve_source
    from eventstudy.news.news import read_inputs
    from eventstudy.scale.news import parse_partition

    items = resolve_source(sample_news_path())
    tagger = client.scatter(Tagger.default().with_exclusions(["茅台镇"]), broadcast=True)
    futures = [
        client.submit(parse_partition, [item], "collect", tagger, read_inputs, pure=False)
        for item in items[:16]
    ]
    ids = {f.result().tagger_id for f in futures}
    pids = {pid for pid, _ in ids}
    assert len(ids) == len(pids)  # one tagger object per worker process
    assert 1 <= len(pids) <= 2


def test_errors_raise_names_the_first_bad_input_in_order(client, tmp_path) -> None:
    folder = tmp_path / "posts"
    shutil.copytree(sample_news_path(), folder)
    (folder / "_posts" / "2022-01-01-bad.md").write_text("no front matter", encoding="utf-8")
    with pytest.raises(NewsParseError) as local:
        load_news(folder, errors="raise")
    with pytest.raises(NewsParseError) as remote:
        load_news(folder, errors="raise", engine="dask", client=client, partition_size=3)
    assert str(remote.value) == str(local.value)


def test_bad_engine_and_partition_size_are_refused(client) -> None:
    with pytest.raises(ConfigError, match="engine='spark' must be one of"):
        load_news(sample_news_path(), engine="spark")  # type: ignore[arg-type]
    with pytest.raises(ConfigError, match="partition_size=0 must be a positive integer"):
        load_news(sample_news_path(), engine="dask", client=client, partition_size=0)
    with pytest.raises(ConfigError, match=r"client must be a distributed\.Client"):
        load_news(sample_news_path(), engine="dask", client="tcp://x:8786")


@pytest.mark.parametrize("given", [{"partition_size": 5}, {"client": "tcp://x:8786"}])
def test_dask_options_with_the_local_engine_are_refused(given) -> None:
    """Audit 4 item 10: partition_size=/client= with engine='local' would be ignored."""
    name = next(iter(given))
    with pytest.raises(ConfigError, match=rf"{name}=.* is given with engine='local', which "
                       r"does not use it \(only engine='dask' does\)"):  # fmt: skip
        load_news(sample_news_path(), **given)
