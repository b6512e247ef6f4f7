"""PNG export of figures: kaleido driving a Chromium-family browser.

PNGs are drawn by kaleido (≥ 1.0; ``pip install 'eventstudy-cn[png]'``), which
drives a Chromium-family browser through ``choreographer``. The browser is
found, in order: the ``BROWSER_PATH`` environment variable; the executables
``chrome``/``chromium``/``chromium-browser``/``msedge``/``brave`` ... on
``PATH`` (Debian's ``/usr/bin/chromium``, package ``chromium``, is found this
way and works offline); the usual install locations; a browser downloaded by
``plotly_get_chrome`` / ``kaleido_get_chrome`` (needs a network once). When
none is found, or kaleido is missing, :func:`write_pngs` writes nothing and
says why and what to do (a briefing then still has its HTML and tables).
Chinese labels need a CJK font installed for the browser (Debian
``fonts-noto-cjk``; the figures ask for "Noto Sans CJK SC" first, see
:data:`eventstudy.plotting.FONT_FAMILY`); without one they render as boxes.
"""

from __future__ import annotations

import logging
from collections.abc import Iterator, Mapping, Sequence
from contextlib import contextmanager
from pathlib import Path
from typing import TYPE_CHECKING

from eventstudy.plotting.style import FIGURE_WIDTH

if TYPE_CHECKING:
    import plotly.graph_objects as go

__all__ = ["find_browser", "write_pngs"]


def find_browser() -> str | None:
    """The Chromium-family browser kaleido would use, or ``None`` (see the module docstring).

    Examples
    --------
    >>> isinstance(find_browser(), (str, type(None)))
    True
    """
    try:
        from choreographer.browsers.chromium import Chromium
    except ImportError:  # kaleido < 1 or not installed: nothing to drive a browser with
        return None
    try:
        path = Chromium.find_browser(skip_local=False)
    except Exception:
        return None
    return str(path) if path and Path(path).is_file() else None


_NO_KALEIDO = (
    "PNG charts skipped: kaleido >= 1.0 is not installed; install it with "
    "`pip install 'eventstudy-cn[png]'` (it also needs a Chromium-family browser)"
)
_NO_BROWSER = (
    "PNG charts skipped: no Chromium-family browser found for kaleido; install one "
    "(Debian/Ubuntu: `apt install chromium`), or point BROWSER_PATH at a Chrome/Chromium "
    "executable, or run `plotly_get_chrome` once with a network; the HTML page and "
    "tables were written"
)


#: Loggers of the PNG machinery (kaleido drives Chromium through choreographer, logging with
#: logistro): their chatter ("JSONError decoding message. Ignoring" + a traceback) is not the
#: user's business; failures still surface as exceptions and end in ``problems``.
_EXPORT_LOGGERS = ("choreographer", "kaleido", "chrome_wrapper", "logistro")


@contextmanager
def _quiet_loggers(names: Sequence[str] = _EXPORT_LOGGERS) -> Iterator[None]:
    """Disable the named loggers and their children for the block, then restore them."""
    manager = logging.Logger.manager
    for name in names:
        logging.getLogger(name)  # the parents exist, so children created later inherit quiet
    saved: list[tuple[logging.Logger, bool, int]] = []
    for name in list(manager.loggerDict):
        if any(name == n or name.startswith(f"{n}.") for n in names):
            lg = logging.getLogger(name)
            saved.append((lg, lg.disabled, lg.level))
            lg.disabled = True
            if name in names:
                lg.setLevel(logging.CRITICAL + 1)
    try:
        yield
    finally:
        for lg, disabled, level in saved:
            lg.disabled = disabled
            lg.setLevel(level)


def write_pngs(figures: Mapping[str, go.Figure], folder: Path) -> tuple[list[Path], list[str]]:
    """Write ``folder/<stem>.png`` for each figure (2x its layout size); never raises.

    Parameters
    ----------
    figures
        File stem → figure, e.g. ``{"caar": result.plot("caar")}``.
    folder
        Created when there is something to write.

    Returns
    -------
    tuple of (list of Path, list of str)
        The PNGs written, and the problems (kaleido or the browser missing, or
        the browser failing), each a sentence saying what to do.

    Examples
    --------
    >>> import tempfile
    >>> paths, problems = write_pngs({}, Path(tempfile.mkdtemp()))
    >>> paths
    []
    """
    if not figures:
        return [], []
    try:
        import kaleido  # noqa: F401 - presence check
        import plotly.io as pio
    except ImportError:
        return [], [_NO_KALEIDO]
    if not hasattr(pio, "write_images"):
        return [], [_NO_KALEIDO]
    if find_browser() is None:
        return [], [_NO_BROWSER]
    folder.mkdir(parents=True, exist_ok=True)
    figs = list(figures.values())
    paths = [folder / f"{stem}.png" for stem in figures]
    widths = [int(f.layout.width or FIGURE_WIDTH) for f in figs]
    heights = [int(f.layout.height or 520) for f in figs]
    try:
        with _quiet_loggers():
            pio.write_images(figs, paths, format="png", width=widths, height=heights, scale=2)
    except Exception as err:
        first = str(err).strip().splitlines()[0] if str(err).strip() else type(err).__name__
        return [p for p in paths if p.is_file()], [
            f"PNG charts not written: the browser used by kaleido failed ({first}); "
            "check that Chromium starts (`chromium --headless --no-sandbox about:blank`) or set "
            "BROWSER_PATH; the HTML page and tables were written"
        ]
    return paths, []
