"""CAR window labels and validation."""

from __future__ import annotations

import pytest

from eventstudy.exceptions import ConfigError
from eventstudy.study.windows import check_window, parse_window, window_label


def test_label_and_parse_round_trip():
    for w in [(-1, 1), (0, 0), (-10, 25)]:
        assert parse_window(window_label(w)) == w
    assert window_label("[0,5]") == "[0,5]"
    assert parse_window(" [ -2 , 3 ] ") == (-2, 3)
    assert parse_window([0, 1]) == (0, 1)


def test_bad_windows_are_config_errors():
    with pytest.raises(ConfigError, match="not a label like"):
        parse_window("(-1, 1)")
    with pytest.raises(ConfigError, match="start 1 is after end -1"):
        parse_window("[1,-1]")
    with pytest.raises(ConfigError, match="must be a pair of integers"):
        check_window((1, 2, 3), "car_windows item")
    with pytest.raises(ConfigError, match="must be a pair of integers"):
        check_window(None, "event_window")


def test_window_label_is_exported_once():
    from eventstudy import study
    from eventstudy.study import result, windows

    assert study.window_label is windows.window_label is result.window_label
