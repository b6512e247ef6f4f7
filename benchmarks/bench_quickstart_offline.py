"""Wall time of the README quickstart without network (run by hand; issue 13, item 14).

    python benchmarks/bench_quickstart_offline.py [--modes unreachable offline dropped]

Each mode runs the README quickstart (load the bundled posts, tags, events, the
event study against the CSI 300, summary, one test, a figure, the briefing as
HTML + CSV, the backtest with 200 placebo runs) in a fresh Python process, as
a user would, with an empty cache, and prints its wall time (imports included)
its CPU time (less sensitive to a busy machine) and the connection attempts per host:

``unreachable``
    No network and ``EVENTSTUDY_OFFLINE`` unset: name resolution answers, every
    ``connect`` fails at once with ``ENETUNREACH`` (a machine without a route).
``offline``
    ``EVENTSTUDY_OFFLINE=1`` (no socket is opened).
``dropped``
    No network, packets dropped: every ``connect`` hangs until its timeout (the
    sources' 15 s), then fails. Slow by design: one timeout per source per request.

Target (issue 13): ``unreachable`` < 30 s on this machine, like ``offline``.
The PNG export of the briefing is left out (it needs a browser, not the network).
The child imports ``eventstudy`` from the working directory first (``python -c``), then
``$PYTHONPATH``: run it from the checkout you measure.
"""

from __future__ import annotations

import argparse
import os
import resource
import subprocess
import sys
import tempfile
import time

#: The child process: blocks sockets per mode, runs the quickstart, prints the attempts.
CHILD = r"""
import collections, errno, socket, sys, time, warnings
mode = sys.argv[1]
attempts = collections.Counter()
address = {}

def getaddrinfo(host, port, *args, **kwargs):
    ip = address.setdefault(str(host), f"198.51.100.{len(address) + 1}")
    return [(socket.AF_INET, socket.SOCK_STREAM, 6, "", (ip, int(port or 443)))]

def connect(sock, addr):
    host = next((h for h, a in address.items() if a == addr[0]), addr[0])
    attempts[host] += 1
    if mode == "dropped":
        time.sleep(sock.gettimeout() or 15.0)
        raise socket.timeout("timed out")
    raise OSError(errno.ENETUNREACH, "Network is unreachable")

if mode != "offline":
    socket.getaddrinfo = getaddrinfo
    socket.socket.connect = connect

import eventstudy as es

with warnings.catch_warnings(record=True) as caught:
    warnings.simplefilter("always")
    news = es.load_news(es.datasets.sample_news_path())
    news.tags(min_score=0.6)
    events = news.to_events(kinds=["board", "stock"])
    result = es.run_event_study(events, market="000300.SH")
    str(result.summary())
    result.test("kp_bmp", window=(-1, 1)).pvalue
    result.plot("caar")
    es.briefing(result, news=news, out=sys.argv[2], formats=("html", "csv"))
    es.backtest(events, hold=5, costs_bps=10, placebo=200)
print("ATTEMPTS", dict(attempts), "WARNINGS", len(caught))
"""


def run(mode: str) -> tuple[float, float, str]:
    """Wall and CPU seconds of one quickstart in a fresh process, and its last output line."""
    with tempfile.TemporaryDirectory() as tmp:
        env = {**os.environ, "EVENTSTUDY_CACHE": os.path.join(tmp, "cache")}
        env.pop("EVENTSTUDY_OFFLINE", None)
        if mode == "offline":
            env["EVENTSTUDY_OFFLINE"] = "1"
        before = resource.getrusage(resource.RUSAGE_CHILDREN)
        t0 = time.perf_counter()
        out = subprocess.run(
            [sys.executable, "-c", CHILD, mode, os.path.join(tmp, "briefing")],
            env=env,
            capture_output=True,
            text=True,
            check=True,
        )
        seconds = time.perf_counter() - t0
        after = resource.getrusage(resource.RUSAGE_CHILDREN)
    cpu = (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)
    return seconds, cpu, out.stdout.strip().splitlines()[-1]


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument(
        "--modes", nargs="+", default=["unreachable", "offline"],
        choices=["unreachable", "offline", "dropped"],
    )  # fmt: skip
    args = ap.parse_args()
    print(f"load average {os.getloadavg()[0]:.1f} on {os.cpu_count()} cores")
    for mode in args.modes:
        seconds, cpu, last = run(mode)
        print(f"{mode:12s} wall {seconds:6.1f} s  cpu {cpu:5.1f} s   {last}")


if __name__ == "__main__":
    main()
