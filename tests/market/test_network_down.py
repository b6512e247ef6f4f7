"""The README quickstart without network and without ``EVENTSTUDY_OFFLINE`` (issue 13, 14-15).

Sockets are blocked below every HTTP library: name resolution answers a
documentation address (TEST-NET-2) per host, or fails; every ``connect``
raises. Attempts are counted per host and per price request
(:func:`eventstudy.market.prices._run`: one ``load_panel``/``get_prices`` call).
"""

from __future__ import annotations

import collections
import errno
import logging
import socket
import warnings
from typing import Any

import pytest

import eventstudy as es
from eventstudy.exceptions import OfflineFallbackWarning, ProxyWarning
from eventstudy.market import prices


class _Blocked:
    """Counts connection attempts per host; every one fails like a machine without network."""

    def __init__(self, mode: str) -> None:
        self.mode = mode
        self.by_host: collections.Counter[str] = collections.Counter()
        self.address: dict[str, str] = {}

    def getaddrinfo(self, host: Any, port: Any, *args: Any, **kwargs: Any) -> list[Any]:
        name = str(host)
        if self.mode == "dns":
            self.by_host[name] += 1
            raise socket.gaierror(socket.EAI_NONAME, "Name or service not known")
        ip = self.address.setdefault(name, f"198.51.100.{len(self.address) + 1}")
        return [(socket.AF_INET, socket.SOCK_STREAM, 6, "", (ip, int(port or 443)))]

    def host_of(self, address: Any) -> str:
        ip = address[0] if isinstance(address, tuple) else str(address)
        return next((h for h, a in self.address.items() if a == ip), ip)

    def connect(self, sock: socket.socket, address: Any) -> None:
        self.by_host[self.host_of(address)] += 1
        raise OSError(errno.ENETUNREACH, "Network is unreachable")

    def create_connection(self, address: Any, *args: Any, **kwargs: Any) -> socket.socket:
        self.by_host[self.host_of(address)] += 1
        raise OSError(errno.ENETUNREACH, "Network is unreachable")


@pytest.fixture(params=["dns", "connect"])
def blocked(request, monkeypatch, tmp_path):  # type: ignore[no-untyped-def]
    net = _Blocked(request.param)
    monkeypatch.setenv("EVENTSTUDY_CACHE", str(tmp_path / "cache"))
    monkeypatch.setattr(socket, "getaddrinfo", net.getaddrinfo)
    monkeypatch.setattr(socket.socket, "connect", lambda s, a: net.connect(s, a))
    monkeypatch.setattr(socket, "create_connection", net.create_connection)
    return net


@pytest.fixture
def per_request(blocked, monkeypatch):  # type: ignore[no-untyped-def]
    """The attempts per host of each price request, in order."""
    seen: list[collections.Counter[str]] = []
    run = prices._run

    def counted(*args: Any, **kwargs: Any) -> Any:
        before = collections.Counter(blocked.by_host)
        try:
            return run(*args, **kwargs)
        finally:
            seen.append(blocked.by_host - before)

    monkeypatch.setattr(prices, "_run", counted)
    return seen


def _quickstart(out: str) -> None:
    """The README quickstart, line by line (briefing without PNG: no browser here)."""
    news = es.load_news(es.datasets.sample_news_path())
    news.tags(min_score=0.6)
    events = news.to_events(kinds=["board", "stock"])
    result = es.run_event_study(events, market="000300.SH")
    str(result.summary())
    result.test("kp_bmp", window=(-1, 1))
    result.plot("caar")
    es.briefing(result, news=news, out=out, formats=("html", "csv"))
    es.backtest(events, hold=5, costs_bps=10, placebo=200)


def test_quickstart_without_network_one_attempt_per_source_few_warnings(
    per_request, blocked, tmp_path, caplog
) -> None:  # type: ignore[no-untyped-def]
    with warnings.catch_warnings(record=True) as caught, caplog.at_level(logging.WARNING):
        warnings.simplefilter("always")
        _quickstart(str(tmp_path / "briefing"))
    tried = [c for c in per_request if c]
    assert tried, "no request tried the network: the test would prove nothing"
    for counts in per_request:
        assert all(n <= 1 for n in counts.values()), per_request  # one attempt per source
    hosts = set().union(*tried)
    assert len(hosts) == 2, hosts  # Eastmoney (akshare) and Tencent, once each per request
    # unreachable: not tried again by the next requests (the backtest after the study)
    assert len(per_request) >= 2
    assert dict(blocked.by_host) == dict.fromkeys(hosts, 1)
    assert len(caught) <= 5, [f"{w.category.__name__}: {w.message}" for w in caught]
    fallbacks = [w for w in caught if issubclass(w.category, OfflineFallbackWarning)]
    assert len(fallbacks) <= len(per_request)  # one per request at most
    for w in fallbacks:
        text = str(w.message)
        assert w.filename == __file__  # the user's line, not market/ or study/
        assert "http" not in text, text  # short: no URLs, no resolver text
        assert len(text) < 700, text
        assert "000300.SH" in text
        assert "akshare failed" in text
    assert not [w for w in caught if issubclass(w.category, ProxyWarning)]  # said in the one
    assert fallbacks  # the fallback is said
    # progress: a source found down is said as it happens, once per source and request
    down = [r.getMessage() for r in caplog.records if "could not be reached" in r.getMessage()]
    assert len(down) == 2  # akshare, tencent: said once, when found unreachable


def test_offline_quickstart_warns_nothing_about_the_snapshot(tmp_path, monkeypatch) -> None:  # type: ignore[no-untyped-def]
    monkeypatch.setenv("EVENTSTUDY_OFFLINE", "1")
    monkeypatch.setenv("EVENTSTUDY_CACHE", str(tmp_path / "cache"))
    news = es.load_news(es.datasets.sample_news_path())
    events = news.to_events(kinds=["board", "stock"])
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        result = es.run_event_study(events, market="000300.SH")
    assert not [w for w in caught if issubclass(w.category, OfflineFallbackWarning)]
    proxy = [w for w in caught if issubclass(w.category, ProxyWarning)]
    assert len(proxy) == 1  # one, naming the boards
    boards = result.provenance.index[result.provenance["is_proxy"].astype(bool)]
    text = str(proxy[0].message)
    assert text.startswith(f"{len(boards)} series are proxies")
    assert boards[0] in text
    assert proxy[0].filename == __file__


def test_an_unreachable_host_is_not_retried() -> None:
    from eventstudy.exceptions import ProviderError
    from eventstudy.market._net import RetryPolicy, call_with_retry

    calls: list[int] = []

    def down() -> None:
        calls.append(1)
        raise ConnectionError("pool") from socket.gaierror(socket.EAI_NONAME, "no name")

    def flaky() -> None:
        calls.append(1)
        raise TimeoutError("read timed out")  # a slow answer: worth a retry

    with pytest.raises(ProviderError) as info:
        call_with_retry(down, policy=RetryPolicy(), symbol="X", source="s", sleep=lambda s: None)
    assert (len(calls), info.value.attempts) == (1, 1)
    calls.clear()
    with pytest.raises(ProviderError):
        call_with_retry(flaky, policy=RetryPolicy(), symbol="X", source="s", sleep=lambda s: None)
    assert len(calls) == 3


def test_an_unreachable_source_is_tried_again_after_a_while(
    per_request, blocked, monkeypatch
) -> None:  # type: ignore[no-untyped-def]
    from eventstudy.market import get_prices, policy

    def request() -> None:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            get_prices("600519.SH", "2022-01-04", "2022-01-10")

    request()
    request()  # within UNREACHABLE_FOR: no attempt
    assert [sum(c.values()) for c in per_request] == [2, 0]
    monkeypatch.setattr(policy, "UNREACHABLE_FOR", 0.0)
    request()  # the memory has expired: one attempt per source again
    assert sum(per_request[-1].values()) == 2
    policy.forget_unreachable()
