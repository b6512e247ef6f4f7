"""Benchmark: load + tag the bundled news posts replicated to 10,000 files.

Run by hand (not a test)::

    python benchmarks/bench_news.py [--files 10000] [--repeat 3]

Copies the 64 real posts (``data/news``) round-robin into a temporary folder
until it holds ``--files`` files, each with its own infoCode so that none is a
duplicate, then times ``load_news(folder)`` (read, decode, front matter, HTML,
quote markup, tagging with the full dictionary of the security master and its
evidence rules, de-duplication, tables) and ``News.tags()`` on one core (the
process is pinned to CPU 0 where the OS allows). The default tagger is built
before timing (once per process, cached). Prints posts per second for the best
of ``--repeat`` runs, by wall-clock time and by the CPU time of the process
(the figure to compare on a shared, busy machine), and the load average.
"""

from __future__ import annotations

import argparse
import os
import re
import tempfile
import time
from pathlib import Path

from eventstudy.datasets import sample_news_path
from eventstudy.news import load_news

_NEWS_ID = re.compile(r"(eastmoney\.com/news/\d+,)(\d+)")


def replicate(dest: Path, n: int) -> int:
    """Write ``n`` posts to ``dest``; returns the number of bytes written."""
    sources = sorted(sample_news_path().rglob("*.md"))
    texts = [p.read_text(encoding="utf-8") for p in sources]
    total = 0
    for i in range(n):
        text = texts[i % len(texts)]
        # unique title and infoCode per copy: every file is a distinct article
        text = text.replace('title: "', f'title: "{i} ', 1)
        text = text.replace("infoCode=", f"infoCode=B{i:06d}", 1)
        text = _NEWS_ID.sub(lambda m, i=i: f"{m.group(1)}{i:06d}{m.group(2)}", text, count=1)
        data = text.encode("utf-8")
        (dest / f"{i:05d}.md").write_bytes(data)
        total += len(data)
    return total


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--files", type=int, default=10_000)
    parser.add_argument("--repeat", type=int, default=3)
    args = parser.parse_args()
    if hasattr(os, "sched_setaffinity"):
        os.sched_setaffinity(0, {0})
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp)
        size = replicate(folder, args.files)
        build = time.perf_counter()
        load_news(sample_news_path())  # warm-up: imports, default Tagger (built once, cached)
        build = time.perf_counter() - build
        best = best_cpu = float("inf")
        for _ in range(args.repeat):
            start, cpu = time.perf_counter(), time.process_time()
            news = load_news(folder)
            tags = news.tags()
            best = min(best, time.perf_counter() - start)
            best_cpu = min(best_cpu, time.process_time() - cpu)
        assert len(news.articles) + len(news.skipped) + len(news.duplicates) == args.files
        print(f"files: {args.files} ({size / 1e6:.1f} MB)")
        print(f"first load_news (imports, builds the dictionary once): {build:.2f} s")
        print(
            f"articles: {len(news.articles)}, skipped: {len(news.skipped)}, "
            f"duplicates: {len(news.duplicates)}, mentions: {len(news.mentions)}, "
            f"tags: {len(tags)}, dictionary: {len(news.tagger)} keywords"
        )
        rate = args.files / best
        print(f"best of {args.repeat}: {best:.2f} s -> {rate:.0f} posts/s (wall, one core)")
        print(
            f"best of {args.repeat}: {best_cpu:.2f} s -> {args.files / best_cpu:.0f} posts/s "
            "(CPU time of the process)"
        )
        if hasattr(os, "getloadavg"):
            print("load average (1, 5, 15 min): {:.2f} {:.2f} {:.2f}".format(*os.getloadavg()))


if __name__ == "__main__":
    main()
