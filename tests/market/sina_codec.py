"""Encoders of Sina's compressed JS payloads, to record responses in their exact shape.

Sina serves trading calendars (``klc_td_sh.txt``) and daily klines
(``hisdata_klc2/klc_kl.js``) as ``var NAME="<payload>";`` where the payload is
a bit stream in a base-64 alphabet, read by the ``d()`` function akshare ships
as ``akshare.stock.cons.hk_js_decode`` and runs in ``py_mini_racer``. These
encoders write that stream, so akshare's own decoder (and its pandas code
after it) runs on the recorded responses of the tests:

* :func:`calendar_payload` - format 139 (the calendar: runs of trading
  weekdays between closed weekdays, run lengths in 3-bit groups);
* :func:`kline_payload` - format 3466 (klines: prices in cents as deltas from
  the previous close, volume as a running total, amount as a correction of
  average price x volume; the first record carries the previous close).

The calendar encoder was checked against a public response of 2026-09-10
(469 characters, 8796 sessions 1990-12-19 .. 2026-12-31): it reproduces it
byte for byte. Bits are read least significant first, six per character.
"""

from __future__ import annotations

import datetime as dt
import math
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

ALPHABET = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/"
#: Day 0 of both formats (their day counter starts here).
EPOCH = dt.date(1990, 12, 19)
CALENDAR_URL = "https://finance.sina.com.cn/realstock/company/klc_td_sh.txt"


class _Bits:
    def __init__(self) -> None:
        self.bits: list[int] = []

    def put(self, value: int, width: int) -> None:
        """``width`` bits of ``value`` (two's complement if negative), least significant first."""
        if width == 0:
            assert value == 0, value
            return
        assert -(1 << width) < value < (1 << width), (value, width)
        value &= (1 << width) - 1
        self.bits.extend((value >> b) & 1 for b in range(width))

    def flag(self, on: bool) -> None:
        self.bits.append(1 if on else 0)

    def gamma(self, delta: int) -> None:
        """The decoder's ``N()``: a sign bit, ``|delta| - 1`` ones, a zero."""
        assert delta != 0
        self.flag(delta > 0)
        self.bits.extend([1] * (abs(delta) - 1))
        self.flag(False)

    def text(self) -> str:
        bits = self.bits + [1] * (-len(self.bits) % 6)  # Sina pads with ones
        return "".join(
            ALPHABET[sum(bits[i + j] << j for j in range(6))] for i in range(0, len(bits), 6)
        )


def _groups(value: int, *, signed: bool) -> int:
    """The fewest 3-bit groups that hold ``value``."""
    n = 0
    while True:
        width = 3 * n
        if signed:
            if width and -(1 << (width - 1)) <= value < (1 << (width - 1)):
                return n
            if value == 0 and width == 0:
                return 0
        elif value < (1 << width):
            return n
        n += 1


def calendar_payload(sessions: Iterable[dt.date]) -> str:
    """The body of ``klc_td_sh.txt`` listing ``sessions`` (weekdays only).

    Examples
    --------
    >>> calendar_payload([dt.date(2022, 1, 4), dt.date(2022, 1, 5)])[:14]
    'var datelist="'
    """
    days = sorted(set(sessions))
    assert all(d.weekday() < 5 for d in days), "Sina lists weekdays only"
    trade = set(days)
    out = _Bits()
    out.put(139, 12)
    out.put(63, 6)  # 63 ^ version 0
    out.put((days[0] - EPOCH).days, 18)
    out.put((days[-1] - EPOCH).days, 18)
    runs = [0]
    d = days[0]
    while d <= days[-1]:
        if d.weekday() < 5:
            if d in trade:
                runs[-1] += 1
            else:
                runs.append(0)  # a closed weekday starts a new run
        d += dt.timedelta(days=1)
    groups = 0
    for run in runs:
        need = _groups(run, signed=False)
        out.flag(need != groups)
        if need != groups:
            out.gamma(need - groups)
            groups = need
        out.put(run, 3 * groups)
    return f'var datelist="{out.text()}";var KLC_TD_SH=datelist;'


@dataclass(frozen=True)
class Bar:
    """One daily bar as Sina stores it: prices in yuan, volume in shares, amount in yuan."""

    date: dt.date
    open: float
    high: float
    low: float
    close: float
    volume: int
    amount: int


def _round_half_even_cents(x: int) -> int:
    """``P(x, [2, 2], 0)`` of the decoder: ``x / 100`` rounded, ties to even."""
    q, r = divmod(x, 100)
    if r > 50 or (r == 50 and q % 2 == 1):
        return q + 1
    return q


def kline_payload(symbol: str, bars: Sequence[Bar], *, prevclose: float) -> str:
    """The body of ``{symbol}/hisdata_klc2/klc_kl.js`` holding ``bars`` (format 3466).

    Examples
    --------
    >>> bar = Bar(dt.date(2022, 1, 10), 1.0, 1.1, 0.9, 1.05, 1000, 1030)
    >>> kline_payload("sh900901", [bar], prevclose=1.0)[:21]
    'var KLC_KL_sh900901="'
    """
    cents = [
        (b, round(b.open * 100), round(b.high * 100), round(b.low * 100), round(b.close * 100))
        for b in bars
    ]
    # field values, to size the groups once: o, h, l, c (cents), v (shares), a (yuan)
    last = round(prevclose * 100)
    volume = 0
    rows = []
    for b, o, h, lo, c in cents:
        assert lo <= min(o, c), b
        assert h >= max(o, c), b
        v_o, v_h, v_l, v_c = o - last, h - o, o - lo, c - o
        v_v = b.volume - volume
        volume = b.volume
        avg = o + (v_h - v_l + v_c) / 4
        v_a = b.amount - _round_half_even_cents(math.floor(avg * volume + 0.5))
        rows.append((b.date, v_o, v_h, v_l, v_c, v_v, v_a))
        last = c
    signed = (True, False, False, True, True, True)
    widths = [max(_groups(r[1 + i], signed=s) for r in rows) or 1 for i, s in enumerate(signed)]
    widths[0] = max(widths[0], _groups(round(prevclose * 100), signed=True))
    defaults = [3, 3, 3, 3, 5, 5]  # l_o l_h l_l l_c l_v l_a of the decoder
    out = _Bits()
    out.put(3466, 12)
    out.put(63, 6)
    day = None
    for k, (date, *values) in enumerate(rows):
        steps = 0 if day is None else _weekdays_between(day, date)
        first = k == 0
        if first or steps != 1:
            out.flag(True)  # "11": a block record
            out.flag(True)
            out.flag(False)  # no settings block
            out.flag(True)  # lengths block
            for u in range(7):
                if u < 6:
                    delta = (widths[u] - defaults[u]) if first else 0
                    out.flag(delta != 0)
                    if delta:
                        out.gamma(delta)
                    continue
                out.flag(True)  # the date
                if first:
                    out.put(1, 3)  # absolute day number
                    out.put((date - EPOCH).days, 18)
                elif 2 <= steps <= 7:
                    out.put(steps, 3)
                else:
                    out.put(0, 3)
                    out.put(steps, 6)
            out.flag(first)  # previous close block
            if first:
                out.flag(False)  # its width: l_o
                out.put(round(prevclose * 100), 3 * widths[0])
        else:
            out.flag(False)  # a plain record: next weekday, same widths
        for value, width in zip(values, widths, strict=True):
            out.put(value, 3 * width)
        day = date
    for bit in (1, 1, 0, 0, 0):  # the end: a block record with no block
        out.flag(bool(bit))
    return f'var KLC_KL_{symbol}="{out.text()}";'


def _weekdays_between(a: dt.date, b: dt.date) -> int:
    """Weekday steps from ``a`` to ``b`` (1 = the next weekday)."""
    steps = 0
    d = a
    while d < b:
        d += dt.timedelta(days=1)
        if d.weekday() < 5:
            steps += 1
    return steps
