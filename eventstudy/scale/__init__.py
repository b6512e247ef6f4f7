"""Scale-out: the same load and study on the workers of a Dask cluster.

``engine="dask"`` in :func:`eventstudy.news.load_news` and
:func:`eventstudy.study.run_event_study` runs them on the workers of a
``distributed.Client`` (the ``client=`` given, else the running one) and returns
the same result as the local engine. Install the extra:
``pip install "eventstudy-cn[dask]"``. Nothing here imports Dask until it runs.

- :mod:`~eventstudy.scale.cluster`: the client, the engines, the partitioning;
- :mod:`~eventstudy.scale.news`: news parsed and tagged in partitions of inputs;
- :mod:`~eventstudy.scale.study`: events partitioned by security, each partition
  fitted on a worker that reads only its securities' prices.
"""

from eventstudy.scale.cluster import DEFAULT_PARTITION_SIZE, ENGINES, check_engine

__all__ = ["DEFAULT_PARTITION_SIZE", "ENGINES", "check_engine"]
