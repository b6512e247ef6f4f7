"""CAR windows: their labels and their validation.

A window is a pair of relative days ``(a, b)``, ``a <= b``, both ends included;
its label (the column of ``result.car``, the ``window`` of ``result.tests``) is
``"[a,b]"``.

Examples
--------
>>> window_label((-1, 1)), parse_window("[0,5]"), parse_window((0, 5))
('[-1,1]', (0, 5), (0, 5))
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from typing import TypeAlias

from eventstudy.exceptions import ConfigError

__all__ = ["MAX_RELATIVE_DAY", "Window", "check_window", "parse_window", "window_label"]

#: Relative days ``(a, b)`` of a window, both included.
Window: TypeAlias = tuple[int, int]

_LABEL = re.compile(r"^\[\s*(-?\d+)\s*,\s*(-?\d+)\s*\]$")


def window_label(window: Window | str) -> str:
    """The label of a CAR window; a label is returned as it is.

    Examples
    --------
    >>> window_label((-1, 1)), window_label("[0,5]")
    ('[-1,1]', '[0,5]')
    """
    if isinstance(window, str):
        return window
    a, b = window
    return f"[{int(a)},{int(b)}]"


#: Relative days of a window are within ±this many sessions (about 40 years of trading).
MAX_RELATIVE_DAY = 10_000


def check_window(value: object, name: str) -> Window:
    """A validated window ``(a, b)`` of integers with ``a <= b``.

    Raises
    ------
    ConfigError
        If ``value`` is not a pair of integers, its start is after its end, or a
        day is beyond :data:`MAX_RELATIVE_DAY`.

    Examples
    --------
    >>> check_window([-5, 5], "event_window")
    (-5, 5)
    >>> check_window((3, 1), "event_window")
    Traceback (most recent call last):
    ...
    eventstudy.exceptions.ConfigError: event_window=(3, 1): start 3 is after end 1
    """
    try:
        if not isinstance(value, Iterable) or isinstance(value, str):
            raise TypeError
        a, b = (int(v) for v in value)
    except (TypeError, ValueError):
        raise ConfigError(f"{name}={value!r} must be a pair of integers (start, end)") from None
    if a > b:
        raise ConfigError(f"{name}={value!r}: start {a} is after end {b}")
    if max(abs(a), abs(b)) > MAX_RELATIVE_DAY:
        raise ConfigError(
            f"{name}={value!r}: relative days beyond ±{MAX_RELATIVE_DAY} sessions (about 40 "
            "years) cannot be on the calendar; give sessions relative to day 0, e.g. (-250, -11)"
        )
    return a, b


def parse_window(window: Window | str) -> Window:
    """A window from a pair or from its label ``"[a,b]"``.

    Raises
    ------
    ConfigError
        If the label is not of the form ``"[a,b]"`` or the pair is invalid.

    Examples
    --------
    >>> parse_window("[-1, 1]")
    (-1, 1)
    """
    if isinstance(window, str):
        match = _LABEL.match(window.strip())
        if match is None:
            raise ConfigError(f"window {window!r} is not a label like '[-1,1]' nor a pair (a, b)")
        return check_window((match.group(1), match.group(2)), "window")
    return check_window(window, "window")
