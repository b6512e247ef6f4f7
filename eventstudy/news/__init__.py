"""News loading and tagging: every article in, every security it concerns out.

:func:`load_news` reads Eastmoney-style Jekyll posts or news tables into a
:class:`News` object with ``articles``, ``mentions`` (quote markup, codes and
names found in the text, each with its weight and the rule behind it),
``tags()`` (scored), ``skipped`` and ``duplicates``, and turns tags into
events with :meth:`News.to_events`. :class:`Tagger` is the dictionary of
every name in the security master plus the reviewed word lists of
:mod:`eventstudy.news.lexicon`; :mod:`eventstudy.news.context` and
:mod:`eventstudy.news.evidence` hold the rules that weigh a mention.

Examples
--------
>>> from eventstudy.news import load_news
>>> from eventstudy.datasets import sample_news_path
>>> news = load_news(sample_news_path())
>>> news
News(64 inputs: 60 articles, 1 skipped, 3 duplicates; ... mentions)
"""

from eventstudy.news.news import DEFAULT_MIN_SCORE, EVIDENCE_WEIGHTS, News, load_news
from eventstudy.news.tagger import Tagger

__all__ = ["DEFAULT_MIN_SCORE", "EVIDENCE_WEIGHTS", "News", "Tagger", "load_news"]
