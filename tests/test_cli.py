"""The command-line composition: version, help, exit codes, and -q on either side."""

from __future__ import annotations

import pytest

from eventstudy.cli import EXIT_BAD_INPUT, build_parser, main


def test_version(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["--version"]) == 0
    assert capsys.readouterr().out.startswith("eventstudy ")


def test_no_command_prints_help_and_is_bad_input(capsys: pytest.CaptureFixture[str]) -> None:
    assert main([]) == EXIT_BAD_INPUT
    out = capsys.readouterr().out
    for command in ("news", "cache", "demo", "run", "backtest"):
        assert command in out


@pytest.mark.parametrize(
    "argv",
    [["-q", "demo"], ["demo", "-q"], ["--quiet", "run", "x.toml"], ["run", "x.toml", "--quiet"]],
)
def test_quiet_before_or_after_the_subcommand(argv: list[str]) -> None:
    assert build_parser().parse_args(argv).quiet is True


def test_not_quiet_by_default() -> None:
    assert build_parser().parse_args(["demo"]).quiet is False


def test_bad_input_exit_code(tmp_path, capsys: pytest.CaptureFixture[str]) -> None:  # type: ignore[no-untyped-def]
    assert main(["-q", "run", str(tmp_path / "missing.toml")]) == EXIT_BAD_INPUT
    assert "missing.toml" in capsys.readouterr().err
