"""PNG export: the browser lookup, the messages when kaleido or a browser is missing, quiet logs."""

from __future__ import annotations

import importlib
import logging
import sys

import pytest

from eventstudy.plotting.style import new_figure

png_mod = importlib.import_module("eventstudy.report.png")


def _figures():  # type: ignore[no-untyped-def]
    small = new_figure()
    small.update_layout(width=300, height=200)
    return {"caar": new_figure(), "aar": small}


def test_find_browser_honours_browser_path(tmp_path, monkeypatch) -> None:  # type: ignore[no-untyped-def]
    fake = tmp_path / "my-chrome"
    fake.write_text("#!/bin/sh\n")
    fake.chmod(0o755)
    monkeypatch.setenv("BROWSER_PATH", str(fake))
    assert png_mod.find_browser() == str(fake)


def test_no_browser_is_a_message_saying_what_to_do(tmp_path, monkeypatch) -> None:  # type: ignore[no-untyped-def]
    monkeypatch.setattr(png_mod, "find_browser", lambda: None)
    paths, problems = png_mod.write_pngs(_figures(), tmp_path / "charts")
    assert paths == []
    assert "no Chromium-family browser" in problems[0]
    assert "BROWSER_PATH" in problems[0]
    assert not (tmp_path / "charts").exists()


def test_no_kaleido_is_a_message_saying_what_to_install(tmp_path, monkeypatch) -> None:  # type: ignore[no-untyped-def]
    monkeypatch.setitem(sys.modules, "kaleido", None)  # import kaleido raises ImportError
    paths, problems = png_mod.write_pngs(_figures(), tmp_path)
    assert paths == []
    assert "pip install 'eventstudy-cn[png]'" in problems[0]


def test_nothing_to_export_starts_no_browser(tmp_path, monkeypatch) -> None:  # type: ignore[no-untyped-def]
    def fail() -> None:
        raise AssertionError("looked for a browser")

    monkeypatch.setattr(png_mod, "find_browser", fail)
    assert png_mod.write_pngs({}, tmp_path) == ([], [])


def test_png_export_silences_the_browser_loggers(tmp_path, monkeypatch, capsys, caplog) -> None:  # type: ignore[no-untyped-def]
    """choreographer's 'JSONError decoding message. Ignoring' + traceback stays out of stderr."""
    import plotly.io as pio

    pipe = logging.getLogger("choreographer.channels.pipe")
    before = (pipe.disabled, pipe.level, logging.getLogger("choreographer").level)
    seen = []

    def fake_write_images(figs, paths, **kw):  # type: ignore[no-untyped-def]
        try:
            raise ValueError("Expecting value: line 1 column 1 (char 0)")
        except ValueError:
            pipe.exception("JSONError decoding message. Ignoring")
        logging.getLogger("kaleido.later").error("kaleido chatter")  # a logger made mid-export
        seen.append((len(figs), kw["width"], kw["height"], kw["scale"]))
        for p in paths:
            p.write_bytes(b"\x89PNG\r\n\x1a\n")

    monkeypatch.setattr(png_mod, "find_browser", lambda: "/usr/bin/chromium")
    monkeypatch.setattr(pio, "write_images", fake_write_images)
    caplog.set_level(logging.DEBUG)
    paths, problems = png_mod.write_pngs(_figures(), tmp_path / "charts")
    assert seen == [(2, [900, 300], [520, 200], 2)]  # the layout's size, at scale 2
    assert problems == []
    assert [p.name for p in paths] == ["caar.png", "aar.png"]
    err = capsys.readouterr().err
    assert "JSONError" not in err
    assert "kaleido chatter" not in err
    assert not [r for r in caplog.records if "JSONError" in r.getMessage()]
    assert not [r for r in caplog.records if "chatter" in r.getMessage()]
    # the loggers are restored afterwards
    assert (pipe.disabled, pipe.level, logging.getLogger("choreographer").level) == before
    pipe.error("after the export")
    assert [r for r in caplog.records if "after the export" in r.getMessage()]


def test_a_failing_browser_is_a_message_not_a_traceback(tmp_path, monkeypatch) -> None:  # type: ignore[no-untyped-def]
    import plotly.io as pio

    def broken(figs, paths, **kw):  # type: ignore[no-untyped-def]
        raise RuntimeError("Chromium crashed\nmore lines")

    monkeypatch.setattr(png_mod, "find_browser", lambda: "/usr/bin/chromium")
    monkeypatch.setattr(pio, "write_images", broken)
    paths, problems = png_mod.write_pngs(_figures(), tmp_path)
    assert paths == []
    assert "(Chromium crashed)" in problems[0]
    assert "chromium --headless" in problems[0]


@pytest.mark.parametrize("name", ["find_browser", "write_pngs"])
def test_public_names_of_the_report_package(name: str) -> None:
    import eventstudy.report

    assert getattr(eventstudy.report, name) is getattr(png_mod, name)
