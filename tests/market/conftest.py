"""Shared fixtures of the market tests: a fresh registry, no sleeping, a temp cache."""

from __future__ import annotations

import socket
from collections.abc import Iterator

import pytest

from eventstudy.market import sources
from eventstudy.market.policy import forget_unreachable


@pytest.fixture(autouse=True)
def _fresh_registry(monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    monkeypatch.delenv("EVENTSTUDY_OFFLINE", raising=False)
    monkeypatch.delenv("EVENTSTUDY_CACHE", raising=False)
    sources._reset_defaults()
    forget_unreachable()
    yield
    sources._reset_defaults()
    forget_unreachable()


@pytest.fixture
def cache_dir(tmp_path):  # type: ignore[no-untyped-def]
    return tmp_path / "cache"


@pytest.fixture
def no_network(monkeypatch: pytest.MonkeyPatch) -> list[str]:
    """Make every socket use fail loudly; returns the list of attempts."""
    import pyarrow.parquet  # noqa: F401  # imports ssl, whose SSLSocket subclasses socket.socket

    attempts: list[str] = []

    def refuse(*args: object, **kwargs: object) -> None:
        attempts.append(repr(args))
        raise AssertionError(f"network use attempted: {args!r}")

    monkeypatch.setattr(socket, "socket", refuse)
    monkeypatch.setattr(socket, "create_connection", refuse)
    monkeypatch.setattr(socket, "getaddrinfo", refuse)
    return attempts
