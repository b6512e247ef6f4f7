"""Tagging quality of ``News.to_events()`` on the labelled development set.

Run by hand (not a test; about 2 s)::

    python benchmarks/tagging_eval.py [--details] [--min-score X]

Loads the bundled posts (``data/news``) with the package, makes the events that
``News.to_events()`` makes with its defaults (``--min-score`` only to explore),
and compares them with the hand labels in ``tests/data/labels.csv`` (what each
article is materially about; rules and the frozen tune/test split in
``tests/data/LABELS.md``). Matching is by (article, code); an event on a duplicate
input counts for its kept article, and a label follows its post to whatever
article id the loader gives it today. Truth is ``core`` and ``secondary``
together; core-only recall is printed too.

Figures for three groups: boards (``BK....``), stocks and indices (A-share
codes), and HK/US lines. Labels of a sector with no known board code can never
be matched: they are counted as misses and their number is printed. Events the
package made but dropped (calendar) still count as predictions of the tagger.

Reads only the repository (the package's bundled news and ``tests/data``). Uses
only the public API: ``load_news``, ``News.articles`` (``article_id``,
``origin``), ``News.duplicates`` and ``News.skipped`` if present, and
``to_events()``.
"""

from __future__ import annotations

import argparse
import csv
import sys
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import eventstudy

ROOT = Path(__file__).resolve().parents[1]
LABELS = ROOT / "tests" / "data" / "labels.csv"
SPLIT = ROOT / "tests" / "data" / "labels_split.csv"
SPLITS = ("tune", "test", "all")
GROUPS = {"board": "boards", "stock": "stocks+indices", "foreign": "HK/US lines"}
Key = tuple[str, str]  # (article key = post path, code or "?name" for a board without code)


def code_group(code: str) -> str:
    """``board``, ``stock`` (A-share stock or index) or ``foreign`` (HK, US)."""
    if code.startswith("?") or code.startswith("BK"):
        return "board"
    if code.rsplit(".", 1)[-1] in {"SH", "SZ", "BJ", "CSI"}:
        return "stock"
    return "foreign"


def canonical(code: str) -> str:
    """The package's canonical spelling of ``code`` (unchanged if it cannot parse it)."""
    try:
        return str(eventstudy.normalize(code))
    except (ValueError, TypeError):
        return code


def read_csv(path: Path) -> list[dict[str, str]]:
    with path.open(encoding="utf-8", newline="") as f:
        return list(csv.DictReader(f))


def _frame(obj: Any) -> Any:
    """A DataFrame from a DataFrame or an object holding one (``.frame``/``to_frame()``)."""
    if obj is None or hasattr(obj, "columns"):
        return obj
    if hasattr(obj, "frame"):
        return obj.frame
    return obj.to_frame()


def _relative(origin: object, root: Path) -> str | None:
    try:
        return Path(str(origin)).resolve().relative_to(root.resolve()).as_posix()
    except ValueError:
        return None


@dataclass
class Loaded:
    """What the package loaded: article ids by post path, titles, events."""

    id_of_path: dict[str, str] = field(default_factory=dict)
    kept_of_id: dict[str, str] = field(default_factory=dict)  # any input id -> kept article id
    titles: dict[str, str] = field(default_factory=dict)
    events: list[tuple[str, str, str]] = field(default_factory=list)  # (article id, code, name)
    n_dropped: int = 0


def _map_inputs(news: Any, root: Path, out: Loaded) -> None:
    articles = _frame(news.articles)
    for aid, origin, title in zip(
        articles["article_id"], articles["origin"], articles["title"], strict=True
    ):
        out.kept_of_id[str(aid)] = str(aid)
        out.titles[str(aid)] = str(title)
        path = _relative(origin, root)
        if path is not None:
            out.id_of_path[path] = str(aid)
    dups = _frame(getattr(news, "duplicates", None))
    if dups is None or "duplicate_of" not in dups.columns:
        return
    for row in dups.to_dict("records"):
        kept = str(row["duplicate_of"])
        if "article_id" in row:
            out.kept_of_id.setdefault(str(row["article_id"]), kept)
        path = _relative(row.get("origin", ""), root)
        if path is not None:
            out.id_of_path.setdefault(path, kept)


def _event_rows(events: Any) -> Iterable[tuple[str, str, str]]:
    frame = _frame(events)
    for row in frame.to_dict("records"):
        event_id = str(row.get("event_id", ""))
        aid = row.get("article_id")
        if aid is None or aid != aid:  # missing or NaN: parse "{article_id}:{symbol}"
            aid = event_id.rsplit(":", 1)[0]
        symbol = row.get("symbol") or event_id.rsplit(":", 1)[-1]
        yield str(aid), canonical(str(symbol)), str(row.get("name", "") or "")


def load(min_score: float | None = None) -> Loaded:
    """Load the bundled news and make its events (package defaults unless ``min_score``)."""
    root = Path(eventstudy.datasets.sample_news_path())
    news = eventstudy.load_news(root)
    out = Loaded()
    _map_inputs(news, root, out)
    events = news.to_events() if min_score is None else news.to_events(min_score=min_score)
    out.events = list(_event_rows(events))
    dropped = _frame(getattr(events, "dropped", None))
    if dropped is not None and len(dropped):
        out.n_dropped = len(dropped)
        out.events += [(a, c, "(dropped)") for a, c, _ in _event_rows(dropped)]
    return out


@dataclass
class Truth:
    """Labels keyed by post path, plus where each post stands."""

    split_of: dict[str, str]  # post path -> tune/test
    labels: dict[Key, dict[str, str]]  # (path, code) -> label row
    path_of_id: dict[str, str]  # today's article id -> post path
    not_loaded: list[str]  # labelled-split posts the loader does not give today


def truth_for(loaded: Loaded) -> Truth:
    split_rows = read_csv(SPLIT)
    split_of = {r["path"]: r["split"] for r in split_rows}
    path_of_id: dict[str, str] = {}
    not_loaded = []
    for r in split_rows:
        aid = loaded.id_of_path.get(r["path"]) or loaded.kept_of_id.get(r["article_id"])
        if aid is None:
            not_loaded.append(r["path"])
        else:
            path_of_id[aid] = r["path"]
    labels = {}
    for r in read_csv(LABELS):
        code = canonical(r["code"]) if r["code"] else "?" + r["name"]
        labels[(r["path"], code)] = r
    return Truth(split_of, labels, path_of_id, not_loaded)


@dataclass
class Score:
    """Counts for one split and group."""

    predicted: set[Key] = field(default_factory=set)
    truth: set[Key] = field(default_factory=set)
    core: set[Key] = field(default_factory=set)
    no_code: int = 0

    def line(self) -> str:
        tp = len(self.predicted & self.truth)
        core_tp = len(self.predicted & self.core)
        return (
            f"{_ratio(tp, len(self.predicted))}  {_ratio(tp, len(self.truth))}  "
            f"{_ratio(core_tp, len(self.core))}  {len(self.predicted):5d} {len(self.truth):5d} "
            f"{len(self.core):5d} {tp:4d} {self.no_code:7d}"
        )


def _ratio(num: int, den: int) -> str:
    return f"{num / den:6.2f} ({num:3d}/{den:3d})" if den else f"{'n/a':>6} {'':9}"


def score(loaded: Loaded, truth: Truth) -> tuple[dict[tuple[str, str], Score], list[str]]:
    """Scores by (split, group); also the events on articles outside the split file."""
    scores = {(s, g): Score() for s in SPLITS for g in GROUPS}
    scored_paths = set(truth.path_of_id.values())
    for (path, code), row in truth.labels.items():
        if path not in scored_paths:
            continue
        for split in (truth.split_of[path], "all"):
            sc = scores[(split, code_group(code))]
            sc.truth.add((path, code))
            sc.no_code += code.startswith("?")
            if row["role"] == "core":
                sc.core.add((path, code))
    unknown: list[str] = []
    for aid, code, _name in loaded.events:
        kept = truth.path_of_id.get(loaded.kept_of_id.get(aid, aid))
        if kept is None:
            unknown.append(f"{aid}:{code}")
            continue
        for split in (truth.split_of[kept], "all"):
            scores[(split, code_group(code))].predicted.add((kept, code))
    return scores, unknown


def report(loaded: Loaded, truth: Truth, scores: Mapping[tuple[str, str], Score]) -> None:
    n = {s: sum(1 for p in truth.path_of_id.values() if truth.split_of[p] == s) for s in SPLITS}
    n["all"] = len(truth.path_of_id)
    print(f"articles scored: tune {n['tune']}, test {n['test']}, all {n['all']}")
    for path in truth.not_loaded:
        k = sum(1 for p, _ in truth.labels if p == path)
        print(f"not loaded today (not scored): {path} [{truth.split_of[path]}], {k} labels")
    print(f"events: {len(loaded.events)} ({loaded.n_dropped} of them dropped by to_events)")
    head = "precision (tp/pred)  recall (tp/truth)   core recall"
    head += "         pred truth  core   tp no_code"
    for group, title in GROUPS.items():
        print(f"\n{title}\n  {'split':6}{head}")
        for split in SPLITS:
            print(f"  {split:6}{scores[(split, group)].line()}")


def details(loaded: Loaded, truth: Truth, scores: Mapping[tuple[str, str], Score]) -> None:
    names = {(truth.path_of_id.get(loaded.kept_of_id.get(a, a)), c): n for a, c, n in loaded.events}
    title_of = {p: loaded.titles.get(a, "") for a, p in truth.path_of_id.items()}
    for split in ("tune", "test"):
        for group, gtitle in GROUPS.items():
            sc = scores[(split, group)]
            fps = sorted(sc.predicted - sc.truth)
            misses = sorted(sc.truth - sc.predicted)
            print(f"\n== {split} / {gtitle}: {len(fps)} false positives, {len(misses)} misses")
            for key in fps:
                print(f"  FP   {key[1]:10} {names.get(key, ''):8} | {title_of[key[0]][:40]}")
            for key in misses:
                row = truth.labels[key]
                print(
                    f"  MISS {row['code'] or '-':10} {row['name']:8} {row['role']:9}"
                    f" | {title_of[key[0]][:40]} | {row['reason']}"
                )


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--details", action="store_true", help="list false positives and misses")
    parser.add_argument(
        "--min-score", type=float, default=None, help="explore another threshold (default: none)"
    )
    args = parser.parse_args(argv)
    loaded = load(args.min_score)
    truth = truth_for(loaded)
    scores, unknown = score(loaded, truth)
    threshold = "default" if args.min_score is None else f"min_score={args.min_score}"
    print(f"eventstudy {eventstudy.__version__}: News.to_events() ({threshold}) vs hand labels")
    report(loaded, truth, scores)
    if unknown:
        print(f"\nevents on articles not in the split file (not scored): {', '.join(unknown)}")
    if args.details:
        details(loaded, truth, scores)
    return 0


if __name__ == "__main__":
    sys.exit(main())
