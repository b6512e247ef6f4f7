"""The labelled development set (tests/data/labels*.csv) is well-formed and matches the news."""

from __future__ import annotations

import csv
import hashlib
import importlib.util
import re
import sys
from collections import Counter
from pathlib import Path
from types import ModuleType

import pandas as pd
import pytest

import eventstudy
from eventstudy.datasets import sample_news_path

REPO = Path(__file__).resolve().parents[1]
DATA = Path(__file__).resolve().parent / "data"
SPLIT_COLUMNS = ["article_id", "path", "split"]
LABEL_COLUMNS = ["article_id", "path", "code", "name", "kind", "role", "reason"]
KINDS = {"board", "stock", "index", "hk", "us"}
ROLES = {"core", "secondary"}
SEED = "eventstudy-tagging-split-v1"
N_TEST = 24
N_TUNE = 37


def _read(name: str) -> tuple[list[str], list[dict[str, str]]]:
    with (DATA / name).open(encoding="utf-8", newline="") as f:
        reader = csv.DictReader(f)
        return list(reader.fieldnames or []), list(reader)


@pytest.fixture(scope="module")
def split_rows() -> list[dict[str, str]]:
    columns, rows = _read("labels_split.csv")
    assert columns == SPLIT_COLUMNS
    return rows


@pytest.fixture(scope="module")
def label_rows() -> list[dict[str, str]]:
    columns, rows = _read("labels.csv")
    assert columns == LABEL_COLUMNS
    return rows


@pytest.fixture(scope="module")
def news() -> eventstudy.News:
    return eventstudy.load_news(sample_news_path())


def _relative(origin: object) -> str:
    return Path(str(origin)).resolve().relative_to(sample_news_path().resolve()).as_posix()


def _path_to_id(frame: pd.DataFrame) -> dict[str, str]:
    """Post path -> article id of a table with ``article_id`` and ``origin`` columns."""
    return {_relative(o): str(a) for a, o in zip(frame.article_id, frame.origin, strict=True)}


def _input_groups(news: eventstudy.News) -> dict[str, set[str]]:
    """Loaded article id -> the post paths of all its inputs (kept copy and duplicates)."""
    groups = {a: {p} for p, a in _path_to_id(news.articles).items()}
    for row in news.duplicates.to_dict("records"):
        groups[str(row["duplicate_of"])].add(_relative(row["origin"]))
    return groups


def test_split_is_the_frozen_seeded_rule(split_rows: list[dict[str, str]]) -> None:
    paths = [r["path"] for r in split_rows]
    assert len(set(paths)) == len(paths)
    assert len({r["article_id"] for r in split_rows}) == len(split_rows)
    ranked = sorted(paths, key=lambda p: hashlib.sha256(f"{SEED}|{p}".encode()).hexdigest())
    expected = {p: ("test" if i < N_TEST else "tune") for i, p in enumerate(ranked)}
    assert {r["path"]: r["split"] for r in split_rows} == expected
    assert Counter(r["split"] for r in split_rows) == {"test": N_TEST, "tune": N_TUNE}
    for path in paths:
        assert (sample_news_path() / path).is_file(), path


def test_every_article_is_in_the_split_exactly_once(
    split_rows: list[dict[str, str]], news: eventstudy.News
) -> None:
    split_paths = {r["path"] for r in split_rows}
    covered: set[str] = set()
    for article_id, inputs in _input_groups(news).items():
        hits = inputs & split_paths
        assert len(hits) == 1, (article_id, sorted(hits))
        covered |= hits
    skipped = {_relative(o) for o in news.skipped.origin}
    # every split row is a loaded article or an input the loader skips (no date)
    assert split_paths - covered == skipped & split_paths
    assert split_paths <= covered | skipped


def test_split_ids_are_the_loaders_ids(
    split_rows: list[dict[str, str]], news: eventstudy.News
) -> None:
    id_of_path = _path_to_id(news.articles) | _path_to_id(news.skipped)
    for row in split_rows:
        assert id_of_path.get(row["path"]) == row["article_id"], row


def test_label_rows_are_well_formed(
    label_rows: list[dict[str, str]], split_rows: list[dict[str, str]]
) -> None:
    id_of_path = {r["path"]: r["article_id"] for r in split_rows}
    keys = Counter((r["path"], r["code"] or "?" + r["name"]) for r in label_rows)
    assert [k for k, n in keys.items() if n > 1] == []
    for row in label_rows:
        assert id_of_path.get(row["path"]) == row["article_id"], row
        assert row["kind"] in KINDS, row
        assert row["role"] in ROLES, row
        assert row["name"].strip() == row["name"] != "", row
        assert row["reason"].strip(), row
        assert "\n" not in row["reason"], row
        if not row["code"]:
            assert row["kind"] == "board", row  # only a board may lack a code
            continue
        assert eventstudy.normalize(row["code"]) == row["code"], row
        kind: str = eventstudy.parse_symbol(row["code"]).kind
        if kind == "foreign":
            kind = "hk" if row["code"].endswith(".HK") else "us"
        assert kind == row["kind"], row


def test_labelled_articles_exist_in_the_loaded_news(
    label_rows: list[dict[str, str]], news: eventstudy.News
) -> None:
    loaded = {str(a) for a in news.articles.article_id}
    skipped = {str(a) for a in news.skipped.article_id}
    labelled = {r["article_id"] for r in label_rows}
    assert labelled <= loaded | skipped
    assert len(labelled & loaded) >= 40  # most articles are about something tradable


def _news_board_pairs() -> set[tuple[str, str]]:
    """(code, name) pairs that the bundled news markup links (``data-code="90,BK0493">新能源``)."""
    pattern = re.compile(r'data-code="90,(BK\d{4})"[^>]*>([^<]+)<')
    pairs: set[tuple[str, str]] = set()
    for post in sample_news_path().rglob("*.md"):
        pairs |= set(pattern.findall(post.read_text(encoding="utf-8")))
    return pairs


def test_board_codes_come_from_the_board_table_or_the_news(
    label_rows: list[dict[str, str]],
) -> None:
    with (REPO / "data" / "boards.csv").open(encoding="utf-8", newline="") as f:
        table = {r["code"]: r["name"] for r in csv.DictReader(f)}
    linked = _news_board_pairs()
    boards = [r for r in label_rows if r["kind"] == "board" and r["code"]]
    assert boards
    for row in boards:
        pair = (row["code"], row["name"])
        assert table.get(row["code"]) == row["name"] or pair in linked, row
    # a board without code is one the table and the news do not know by that name
    for row in label_rows:
        if row["kind"] == "board" and not row["code"]:
            assert row["name"] not in table.values(), row
            assert row["name"] not in {name for _, name in linked}, row


def _eval_module() -> ModuleType:
    """``benchmarks/tagging_eval.py`` imported as a module (benchmarks is not a package)."""
    name = "_benchmarks_tagging_eval"
    if name not in sys.modules:
        path = REPO / "benchmarks" / "tagging_eval.py"
        spec = importlib.util.spec_from_file_location(name, path)
        assert spec is not None
        assert spec.loader is not None
        module = importlib.util.module_from_spec(spec)
        sys.modules[name] = module  # dataclasses resolve annotations through sys.modules
        spec.loader.exec_module(module)
    return sys.modules[name]


def test_evaluation_scores_the_labels_themselves_as_perfect(
    label_rows: list[dict[str, str]],
) -> None:
    ev = _eval_module()
    loaded = ev.load()
    truth = ev.truth_for(loaded)
    # predictions = the labels with a code, on their kept articles, and one event that is wrong
    id_of = {p: a for a, p in truth.path_of_id.items()}
    loaded.events = [
        (id_of[r["path"]], r["code"], r["name"])
        for r in label_rows
        if r["code"] and r["path"] in id_of
    ]
    some_article = next(iter(id_of.values()))
    loaded.events.append((some_article, "BK9999", "not a label"))
    scores, unknown = ev.score(loaded, truth)
    assert unknown == []
    for group in ("board", "stock", "foreign"):
        sc = scores[("all", group)]
        tp = len(sc.predicted & sc.truth)
        assert tp == len(sc.truth) - sc.no_code
        assert sc.core <= sc.truth
    boards = scores[("all", "board")]
    assert len(boards.predicted) == len(boards.predicted & boards.truth) + 1
    assert sum(scores[("tune", g)].no_code + scores[("test", g)].no_code for g in ev.GROUPS) == sum(
        scores[("all", g)].no_code for g in ev.GROUPS
    )


def test_evaluation_maps_a_duplicate_input_to_its_kept_article(
    label_rows: list[dict[str, str]], news: eventstudy.News
) -> None:
    ev = _eval_module()
    loaded = ev.load()
    truth = ev.truth_for(loaded)
    labelled = {r["article_id"]: r["code"] for r in label_rows if r["code"]}
    dups = [
        (str(d["article_id"]), str(d["duplicate_of"]))
        for d in news.duplicates.to_dict("records")
        if str(d["article_id"]) != str(d["duplicate_of"]) and str(d["duplicate_of"]) in labelled
    ]
    assert dups, "the bundled news has a labelled article re-posted under another id"
    dup_id, kept_id = dups[0]
    loaded.events = [(dup_id, labelled[kept_id], "")]
    scores, unknown = ev.score(loaded, truth)
    assert unknown == []
    hits = sum(len(sc.predicted & sc.truth) for (split, _), sc in scores.items() if split == "all")
    assert hits == 1


@pytest.mark.slow
def test_the_demo_briefings_top_events_are_core_subjects(tmp_path: Path) -> None:
    """Issue 11: the briefing's top 10 events are all labelled core in the development set."""
    import warnings

    from eventstudy.pipeline import demo
    from eventstudy.report.study import _top_events

    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        run = demo(out=tmp_path, formats=())
    top = _top_events(run.result, "[-1,1]", 10)
    labels = pd.read_csv(DATA / "labels.csv", dtype=str)
    core = set(
        zip(
            labels.loc[labels.role == "core", "article_id"],
            labels.loc[labels.role == "core", "code"],
            strict=True,
        )
    )
    found = list(zip(top["article_id"].astype(str), top["symbol"].astype(str), strict=True))
    assert len(found) == 10
    assert [f for f in found if f not in core] == []
