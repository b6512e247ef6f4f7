"""The briefing in a real browser: headless Debian Chromium renders every chart, logs no error,
makes no network request, does not run markup from news titles, has the CJK font; a
screenshot is saved (``$EVENTSTUDY_SCREENSHOT_DIR``, else the test's tmp folder).

The driver below starts ``chromium`` (or ``$EVENTSTUDY_CHROMIUM`` / ``$BROWSER_PATH``) headless
with a fresh profile and every background-network feature off, on an ephemeral loopback
DevTools port (``--remote-debugging-port=0``), and talks to it with the synchronous
``websockets`` client (test dependency). It records console errors, uncaught exceptions,
error-level log entries and every request the page makes.
"""

from __future__ import annotations

import base64
import contextlib
import itertools
import json
import os
import queue
import re
import shutil
import subprocess
import threading
import time
from pathlib import Path
from typing import Any

import pytest

FLAGS = (
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--disable-default-apps",
    "--disable-extensions",
    "--hide-scrollbars",
    "--mute-audio",
    "--remote-debugging-port=0",
    "--remote-allow-origins=*",
)


def find_chromium() -> str | None:
    """Path of a Chromium-family browser, or None."""
    for env in ("EVENTSTUDY_CHROMIUM", "BROWSER_PATH"):
        p = os.environ.get(env)
        if p and Path(p).is_file():
            return p
    for name in ("chromium", "chromium-browser", "google-chrome", "google-chrome-stable"):
        p = shutil.which(name)
        if p:
            return p
    return None


class Chromium:
    """One headless browser with one page, driven over the DevTools protocol."""

    def __init__(self, binary: str, profile: Path, *, width: int = 1280, height: int = 900):
        from websockets.sync.client import connect

        self.log_path = profile.parent / "chromium-stderr.log"
        self._log = self.log_path.open("w", encoding="utf-8")
        self.proc = subprocess.Popen(
            [binary, *FLAGS, f"--user-data-dir={profile}", f"--window-size={width},{height}"],
            stdin=subprocess.DEVNULL,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.PIPE,
            text=True,
            encoding="utf-8",
            errors="replace",
        )
        found: queue.Queue[str] = queue.Queue()

        def pump() -> None:
            assert self.proc.stderr is not None
            for line in self.proc.stderr:
                self._log.write(line)
                m = re.search(r"DevTools listening on (ws://\S+)", line)
                if m:
                    found.put(m.group(1))

        self._pump = threading.Thread(target=pump, daemon=True)
        self._pump.start()
        try:
            url = found.get(timeout=30)
        except queue.Empty:
            self.close()
            raise RuntimeError(f"chromium did not start; see {self.log_path}") from None
        self._conn = connect(url, max_size=None, open_timeout=15)
        self.ws = self._conn.__enter__()
        self._ids = itertools.count(1)
        self.events: list[dict[str, Any]] = []
        target = self.call("Target.createTarget", {"url": "about:blank"})["targetId"]
        self.session = self.call("Target.attachToTarget", {"targetId": target, "flatten": True})[
            "sessionId"
        ]
        for domain in ("Page", "Runtime", "Log", "Network"):
            self.call(f"{domain}.enable", session=True)
        self.call(
            "Emulation.setDeviceMetricsOverride",
            {"width": width, "height": height, "deviceScaleFactor": 1, "mobile": False},
            session=True,
        )

    # -- protocol
    def call(
        self,
        method: str,
        params: dict[str, Any] | None = None,
        *,
        session: bool = False,
        timeout: float = 30,
    ) -> dict[str, Any]:
        msg_id = next(self._ids)
        msg: dict[str, Any] = {"id": msg_id, "method": method, "params": params or {}}
        if session:
            msg["sessionId"] = self.session
        self.ws.send(json.dumps(msg))
        deadline = time.monotonic() + timeout
        while True:
            left = deadline - time.monotonic()
            if left <= 0:
                raise TimeoutError(f"no answer to {method} within {timeout} s")
            reply = json.loads(self.ws.recv(timeout=left))
            if reply.get("id") == msg_id:
                if "error" in reply:
                    raise RuntimeError(f"{method}: {reply['error']}")
                return dict(reply.get("result", {}))
            if "method" in reply:
                self.events.append(reply)

    def pump_events(self, seconds: float) -> None:
        """Collect events for a while."""
        deadline = time.monotonic() + seconds
        while (left := deadline - time.monotonic()) > 0:
            try:
                reply = json.loads(self.ws.recv(timeout=left))
            except TimeoutError:
                return
            if "method" in reply:
                self.events.append(reply)

    def wait_event(self, method: str, timeout: float = 30) -> dict[str, Any]:
        seen = len(self.events)
        for e in self.events:
            if e["method"] == method:
                return e
        deadline = time.monotonic() + timeout
        while (left := deadline - time.monotonic()) > 0:
            try:
                reply = json.loads(self.ws.recv(timeout=left))
            except TimeoutError:
                break
            if "method" in reply:
                self.events.append(reply)
                if reply["method"] == method:
                    return reply
        raise TimeoutError(
            f"{method} not seen within {timeout} s ({len(self.events) - seen} events)"
        )

    # -- page helpers
    def navigate(self, url: str, timeout: float = 60) -> None:
        self.events.clear()
        self.call("Page.navigate", {"url": url}, session=True)
        self.wait_event("Page.loadEventFired", timeout)

    def evaluate(self, expression: str) -> Any:
        res = self.call(
            "Runtime.evaluate",
            {"expression": expression, "returnByValue": True, "awaitPromise": True},
            session=True,
        )
        if "exceptionDetails" in res:
            raise RuntimeError(f"evaluating {expression!r}: {res['exceptionDetails']}")
        return res["result"].get("value")

    def wait_for(self, expression: str, timeout: float = 60, interval: float = 0.25) -> Any:
        deadline = time.monotonic() + timeout
        value = None
        while time.monotonic() < deadline:
            value = self.evaluate(expression)
            if value:
                return value
            self.pump_events(interval)
        raise TimeoutError(f"{expression!r} still falsy after {timeout} s (last: {value!r})")

    def screenshot(self, path: Path, *, full_page: bool = True) -> Path:
        if full_page:
            height = int(self.evaluate("document.documentElement.scrollHeight"))
            width = int(self.evaluate("document.documentElement.scrollWidth"))
            self.call(
                "Emulation.setDeviceMetricsOverride",
                {"width": width, "height": height, "deviceScaleFactor": 1, "mobile": False},
                session=True,
            )
            self.pump_events(0.5)
        data = self.call("Page.captureScreenshot", {"format": "png"}, session=True, timeout=60)
        path.write_bytes(base64.b64decode(data["data"]))
        return path

    # -- what went wrong
    def errors(self) -> list[str]:
        """Console errors, uncaught exceptions and error-level log entries, as text."""
        out = []
        for e in self.events:
            p = e.get("params", {})
            if e["method"] == "Runtime.exceptionThrown":
                d = p.get("exceptionDetails", {})
                out.append(
                    f"exception: {d.get('text')} {d.get('exception', {}).get('description')}"
                )
            elif e["method"] == "Runtime.consoleAPICalled" and p.get("type") in ("error", "assert"):
                args = " ".join(
                    str(a.get("value", a.get("description"))) for a in p.get("args", [])
                )
                out.append(f"console.{p.get('type')}: {args}")
            elif e["method"] == "Log.entryAdded" and p.get("entry", {}).get("level") == "error":
                entry = p["entry"]
                out.append(f"log: {entry.get('text')} {entry.get('url', '')}")
        return out

    def requests(self) -> list[str]:
        """URLs of every request the page made."""
        return [
            e["params"]["request"]["url"]
            for e in self.events
            if e["method"] == "Network.requestWillBeSent"
        ]

    def close(self) -> None:
        with contextlib.suppress(Exception):
            self.ws.close()
        if self.proc.poll() is None:
            self.proc.terminate()
            try:
                self.proc.wait(timeout=10)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait(timeout=10)
        self._pump.join(timeout=5)
        self._log.close()

    def __enter__(self) -> Chromium:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()


# ----------------------------------------------------------------------------- the tests

CHROMIUM = find_chromium()
pytestmark = [
    pytest.mark.browser,
    pytest.mark.skipif(
        CHROMIUM is None and not os.environ.get("CI"),  # in CI (.ci/run installs it) never skip
        reason="no Chromium on this machine (Debian: apt install chromium)",
    ),
]

EVIL = "<script>window.__pwned=1</script>白酒 <img src=x onerror=window.__pwned=2>"
ALL_CHARTS_DRAWN = (
    "(() => { const d = [...document.querySelectorAll('.js-plotly-plot')];"
    " return d.length > 0 && d.every(x => x.querySelector('.main-svg') && x._fullLayout)"
    " ? d.length : 0; })()"
)


@pytest.fixture(scope="module")
def page(tmp_path_factory):  # type: ignore[no-untyped-def]
    """The demo briefing, plus an event whose title is hostile markup."""
    import warnings

    import pandas as pd

    from eventstudy.datasets import sample_prices
    from eventstudy.pipeline import demo
    from eventstudy.report import briefing

    out = tmp_path_factory.mktemp("browser")
    run = demo(out=out / "demo", formats=("csv",))
    result = run.result
    ev = run.events.frame[run.events.frame["event_id"].isin(result.car.index)].copy()
    ev.loc[ev.index[0], "title"] = EVIL
    from eventstudy.study import run_event_study

    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        hostile = run_event_study(
            ev,
            prices=run.prices,
            market="000300.SH",
            car_windows=[(-1, 1), (0, 0), (0, 5)],
            estimation_window=run.config.study.estimation_window,  # what the demo's prices cover
            min_estimation_obs=run.config.study.min_estimation_obs,
        )
    prices = sample_prices()
    files = briefing(
        hostile,
        news=run.news,
        out=out / "briefing",
        formats=("html",),
        title="新闻事件研究 · briefing <b>test</b>",
        prices=prices[prices["symbol"].isin([*ev["symbol"], "000300.SH"])],
        price_charts=2,
        top_events=len(ev),  # list every event, the hostile title among them
    )
    assert files.html is not None
    assert not pd.isna(hostile.caar.iloc[0])
    return files.html


def test_briefing_renders_in_headless_chromium(page, tmp_path) -> None:  # type: ignore[no-untyped-def]
    assert CHROMIUM is not None
    with Chromium(CHROMIUM, tmp_path / "profile", width=1200, height=900) as browser:
        browser.navigate(page.as_uri())
        drawn = browser.wait_for(ALL_CHARTS_DRAWN, timeout=90)
        expected = page.read_text(encoding="utf-8").count('class="plotly-graph-div"')
        assert drawn == expected >= 6
        # every trace of every chart was drawn (plotly attaches calcdata per trace)
        assert browser.evaluate(
            "[...document.querySelectorAll('.js-plotly-plot')]"
            ".every(d => d.data.length > 0 && d.calcdata && d.calcdata.length === d.data.length)"
        )
        # no markup from the news ran, and it shows as text
        assert browser.evaluate("typeof window.__pwned") == "undefined"
        body = browser.evaluate("document.body.innerText")
        assert "<script>window.__pwned=1</script>白酒" in body
        assert "<b>test</b>" in body  # the page title is text too
        # the CJK font the template asks for is there (else Chinese renders as boxes)
        assert browser.evaluate("document.fonts.check('16px \"Noto Sans CJK SC\"', '白酒')")
        browser.pump_events(1.0)
        assert browser.errors() == []
        others = [u for u in browser.requests() if not u.startswith(("file:", "data:", "blob:"))]
        assert others == [], "the briefing must open with no network"
        target = Path(os.environ.get("EVENTSTUDY_SCREENSHOT_DIR") or tmp_path)
        target.mkdir(parents=True, exist_ok=True)
        shot = browser.screenshot(target / "briefing-screenshot.png")
    data = shot.read_bytes()
    assert data[:8] == b"\x89PNG\r\n\x1a\n"
    assert int.from_bytes(data[20:24], "big") > 3000  # the whole page, not one screen
    print(f"screenshot: {shot}")


LEGEND_PROBLEMS = """(() => {
  const out = [];
  for (const d of document.querySelectorAll('.js-plotly-plot')) {
    const f = d.getBoundingClientRect();
    const title = d.querySelector('.gtitle');
    const t = title ? title.getBoundingClientRect() : null;
    for (const l of d.querySelectorAll('g.legend')) {
      const r = l.getBoundingClientRect();
      const wide = r.right > f.right + 1 || r.left < f.left - 1;
      if (wide) out.push(d.id + ': legend wider than figure');
      if (t && r.top < t.bottom - 1) out.push(d.id + ': legend over the title');
    }
  }
  return out;
})()"""


@pytest.mark.parametrize("width", [800, 1400])
def test_legends_fit_the_figure_and_leave_the_title_clear(page, tmp_path, width) -> None:  # type: ignore[no-untyped-def]
    assert CHROMIUM is not None
    with Chromium(CHROMIUM, tmp_path / "profile", width=width, height=900) as browser:
        browser.navigate(page.as_uri())
        assert browser.wait_for(ALL_CHARTS_DRAWN, timeout=90) >= 6
        assert browser.evaluate(LEGEND_PROBLEMS) == []
        # nothing wider than the window (the figures fill the page's column)
        assert int(browser.evaluate("document.documentElement.scrollWidth")) <= width


def test_driver_reports_console_errors(tmp_path) -> None:  # type: ignore[no-untyped-def]
    """The error check can fail: a page that throws and logs an error is caught."""
    assert CHROMIUM is not None
    bad = tmp_path / "bad.html"
    bad.write_text(
        "<html><body><script>console.error('boom');"
        "setTimeout(() => { throw new Error('kaput'); }, 0);</script></body></html>",
        encoding="utf-8",
    )
    with Chromium(CHROMIUM, tmp_path / "profile") as browser:
        browser.navigate(bad.as_uri())
        browser.pump_events(1.0)
        errors = " ".join(browser.errors())
    assert "boom" in errors
    assert "kaput" in errors
