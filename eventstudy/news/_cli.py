"""``eventstudy news PATH [--out FILE]``: load posts, print a summary, write the tag table.

Examples
--------
>>> import argparse
>>> from eventstudy.datasets import sample_news_path
>>> parser = argparse.ArgumentParser(prog="eventstudy")
>>> register(parser.add_subparsers())
>>> args = parser.parse_args(["news", str(sample_news_path()), "--top", "2"])
>>> args.handler(args)  # doctest: +ELLIPSIS
64 inputs: 60 articles, 1 skipped, 3 duplicates
skipped: missing_date 1
...
0
"""

from __future__ import annotations

import argparse
from pathlib import Path
from typing import Any

from eventstudy.exceptions import ConfigError

__all__ = ["register", "run"]


def register(subparsers: Any) -> None:
    """Add the ``news`` subcommand to an ``argparse`` subparsers object."""
    p = subparsers.add_parser(
        "news",
        help="load news posts or a news table and tag the securities they concern",
        description=(
            "Load a folder/file/glob of Eastmoney-style posts or a CSV/Parquet/JSON-lines "
            "news table; print articles, skipped inputs and the most-tagged securities; "
            "optionally write the tag table (CSV or Parquet, by extension)."
        ),
    )
    p.add_argument("path", help="folder, post file, glob pattern, or news table")
    p.add_argument("--out", help="write the tag table to this .csv or .parquet file")
    p.add_argument(
        "--min-score",
        type=float,
        default=None,
        help="only tags with at least this score (default: all tags in --out, 0.6 in the list)",
    )
    p.add_argument("--top", type=int, default=10, help="how many top securities to print")
    p.add_argument("--articles", type=int, default=10, help="how many articles to list")
    p.add_argument(
        "--errors",
        choices=["collect", "raise"],
        default="collect",
        help="collect bad inputs in the skipped list (default) or stop at the first",
    )
    p.set_defaults(handler=run)


def run(args: argparse.Namespace) -> int:
    """Handler of ``eventstudy news``; returns the exit code."""
    from eventstudy.news.news import DEFAULT_MIN_SCORE, load_news

    out = Path(args.out) if args.out else None
    if out is not None and out.suffix.lower() not in (".csv", ".parquet"):
        raise ConfigError(f"--out {args.out!r}: use a .csv or .parquet file name")
    min_score = DEFAULT_MIN_SCORE if args.min_score is None else args.min_score
    news = load_news(args.path, errors=args.errors)
    print(news.summary(top=args.top, min_score=min_score))
    a = news.articles.sort_values("published_at", kind="stable")
    if len(a) and args.articles > 0:
        print(f"articles (first {min(args.articles, len(a))} of {len(a)} by time):")
        head = a.head(args.articles)
        whens = head["published_at"].dt.strftime("%Y-%m-%d %H:%M")
        for when, aid, pub, title in zip(
            whens, head["article_id"], head["publisher"], head["title"], strict=True
        ):
            publisher = pub if isinstance(pub, str) else "-"
            print(f"  {when}  {aid:<22} {publisher:<8} {title[:40]}")
    if len(news.skipped):
        print("skipped inputs:")
        for r in news.skipped.itertuples(index=False):
            print(f"  {r.origin}: {r.reason}: {r.message}")
    if out is not None:
        tags = news.tags(min_score=0.0 if args.min_score is None else args.min_score)
        art = news.articles[["article_id", "published_at", "title", "publisher", "origin"]]
        table = tags.merge(art, on="article_id", how="left")
        if out.suffix.lower() == ".csv":
            table.to_csv(out, index=False)
        else:
            table.to_parquet(out, index=False)
        print(f"wrote {len(table)} tags to {out}")
    return 0
