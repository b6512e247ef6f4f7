"""Canonical symbols: forgiving input, strict rejection, lossless round trips."""

from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from eventstudy import datasets
from eventstudy.exceptions import AmbiguousSymbolError, SymbolError
from eventstudy.symbols import (
    KNOWN_INDICES,
    classify_symbols,
    from_akshare,
    from_filename,
    from_secid,
    from_yahoo,
    normalize,
    parse_symbol,
    symbol_kind,
    to_akshare,
    to_filename,
    to_secid,
    to_yahoo,
)

BUNDLED = datasets.sample_symbols()
BOARDS = datasets.board_table()["code"].tolist()


@pytest.mark.parametrize(
    ("typed", "canonical"),
    [
        ("600519.SH", "600519.SH"),
        ("600519.sh", "600519.SH"),
        ("sh600519", "600519.SH"),
        ("SH600519", "600519.SH"),
        ("600519", "600519.SH"),
        (" 600519.ss ", "600519.SH"),
        ("000858", "000858.SZ"),
        ("sz000858", "000858.SZ"),
        ("000858.SZ", "000858.SZ"),
        ("300750", "300750.SZ"),
        ("688981", "688981.SH"),
        ("830799", "830799.BJ"),
        ("920001", "920001.BJ"),  # Beijing's new codes, not Shanghai
        ("430047", "430047.BJ"),
        ("510300", "510300.SH"),  # Shanghai ETF
        ("588000", "588000.SH"),
        ("159915", "159915.SZ"),  # Shenzhen ETF
        ("900901", "900901.SH"),  # Shanghai B share
        ("200002", "200002.SZ"),  # Shenzhen B share
        ("1.900901", "900901.SH"),
        ("0.920001", "920001.BJ"),
        ("sh510300", "510300.SH"),
        ("bk0896", "BK0896"),
        ("1.600519", "600519.SH"),
        ("0.000858", "000858.SZ"),
        ("90.BK0896", "BK0896"),
        ("106.NIO", "NIO"),
        ("116.00700", "00700.HK"),
        ("0700.HK", "00700.HK"),
        ("2.930050", "930050.CSI"),
        ("^gspc", "^GSPC"),
        ("aapl", "AAPL"),
        ("BK.US", "BK"),
        ("7203.T", "7203.T"),
    ],
)
def test_forgiving_input(typed: str, canonical: str) -> None:
    assert normalize(typed) == canonical


def test_sse_composite_and_ping_an_never_confused() -> None:
    assert symbol_kind("000001.SH") == "index"
    assert symbol_kind("000001.SZ") == "stock"
    assert to_secid("000001.SH") == "1.000001"
    assert to_secid("000001.SZ") == "0.000001"
    assert normalize("1.000001") == "000001.SH"
    assert normalize("0.000001") == "000001.SZ"
    assert str(from_yahoo("000001.SS")) == "000001.SH"
    assert to_yahoo("000001.SZ") == "000001.SZ"
    assert str(from_filename("sh000001.csv")) == "000001.SH"
    assert str(from_filename("000001.csv", kind="stock")) == "000001.SZ"
    assert str(from_akshare("000001", kind="index")) == "000001.SH"


@pytest.mark.parametrize("bare", ["000001", "000300", "000905"])
def test_bare_index_code_is_ambiguous(bare: str) -> None:
    with pytest.raises(AmbiguousSymbolError, match=rf"{bare}\.SH.*{bare}\.SZ"):
        normalize(bare)


@pytest.mark.parametrize(
    ("bad", "why"),
    [
        ("", "empty"),
        ("   ", "empty"),
        ("600519.XX", "unknown exchange suffix"),
        ("600519.SZ", "not used on exchange SZ"),
        ("300750.SH", "not used on exchange SH"),
        ("920001.SH", "92xxxx codes are Beijing stocks: '920001.BJ'"),
        ("900901.SZ", "not used on exchange SZ"),
        ("510300.SZ", "not used on exchange SZ"),
        ("159915.SH", "not used on exchange SH"),
        ("930050", "'.CSI' for a CSI index"),
        ("1.920001", "not used on exchange SH"),
        ("6005191", "6 digits"),
        ("60051", "6 digits"),
        ("BK", "BK' followed by 4 digits"),
        ("BK08", "BK' followed by 4 digits"),
        ("６００５１９", "non-ASCII"),
        ("600519．SH", "non-ASCII"),
        ("99.600519", "unknown Eastmoney market id"),
        ("1.BK0896", "6-digit"),
        ("hello world", "unrecognised"),
        (None, "expected a string"),
        (600519, "expected a string"),
    ],
)
def test_malformed_input_rejected_with_accepted_forms(bad: object, why: str) -> None:
    with pytest.raises(SymbolError) as info:
        parse_symbol(bad)
    message = str(info.value)
    assert why in message
    assert repr(bad) in message
    assert "accepted forms" in message


def test_errors_are_value_errors() -> None:
    with pytest.raises(ValueError, match="BK"):
        normalize("BK")


@pytest.mark.parametrize("symbol", BUNDLED)
def test_round_trips_on_every_bundled_symbol(symbol: str) -> None:
    s = parse_symbol(symbol)
    assert s.canonical == symbol
    assert normalize(symbol.lower()) == symbol
    assert str(from_secid(to_secid(symbol))) == symbol
    assert str(from_yahoo(to_yahoo(symbol))) == symbol
    assert str(from_akshare(to_akshare(symbol, style="prefixed"))) == symbol
    assert str(from_akshare(to_akshare(symbol), kind=s.kind)) == symbol  # type: ignore[arg-type]
    assert str(from_filename(to_filename(symbol) + ".parquet")) == symbol


@pytest.mark.parametrize("board", BOARDS)
def test_round_trips_on_every_bundled_board(board: str) -> None:
    assert symbol_kind(board) == "board"
    assert to_secid(board) == f"90.{board}"
    assert str(from_secid(to_secid(board))) == board
    assert str(from_akshare(to_akshare(board))) == board
    with pytest.raises(SymbolError, match="not carried by Yahoo"):
        to_yahoo(board)


@pytest.mark.parametrize("secid", ["106.NIO", "105.TSLA", "116.00700", "2.930050", "90.BK0493"])
def test_secid_round_trip_foreign(secid: str) -> None:
    assert to_secid(from_secid(secid)) == secid


def test_unknown_us_venue_needs_market() -> None:
    with pytest.raises(SymbolError, match="us_market"):
        to_secid("ZZZZ")
    assert to_secid("ZZZZ", us_market=106) == "106.ZZZZ"


def test_filename_is_reversible_for_yahoo_indices() -> None:
    assert to_filename("^GSPC") == "%5EGSPC"
    assert str(from_filename("%5EGSPC.parquet")) == "^GSPC"


codes = st.from_regex(r"\A[0-9]{6}\Z")


@settings(max_examples=200, deadline=None)
@given(code=codes, exchange=st.sampled_from(["SH", "SZ", "BJ"]))
def test_any_valid_a_share_round_trips(code: str, exchange: str) -> None:
    valid = (
        (exchange == "SH" and (code.startswith(("000", "900")) or code[0] in "65"))
        or (exchange == "SZ" and (code.startswith("399") or code[0] in "0123"))
        or (exchange == "BJ" and (code[0] in "48" or code.startswith(("92", "899"))))
    )
    if not valid:
        with pytest.raises(SymbolError, match="not used on exchange"):
            parse_symbol(f"{code}.{exchange}")
        return
    s = parse_symbol(f"{code}.{exchange}")
    assert str(from_secid(to_secid(s))) == s.canonical
    assert str(from_yahoo(to_yahoo(s))) == s.canonical
    assert normalize(f"{exchange.lower()}{code}") == s.canonical


@settings(max_examples=300, deadline=None)
@given(text=st.text(max_size=12))
def test_arbitrary_text_parses_or_raises_symbol_error(text: str) -> None:
    try:
        s = parse_symbol(text)
    except SymbolError:
        return
    assert normalize(s.canonical) == s.canonical


@pytest.mark.parametrize(
    ("symbol", "kind", "instrument", "secid", "yahoo", "prefixed"),
    [
        ("600519.SH", "stock", "stock", "1.600519", "600519.SS", "sh600519"),
        ("000858.SZ", "stock", "stock", "0.000858", "000858.SZ", "sz000858"),
        ("510300.SH", "stock", "fund", "1.510300", "510300.SS", "sh510300"),
        ("159915.SZ", "stock", "fund", "0.159915", "159915.SZ", "sz159915"),
        ("900901.SH", "stock", "b_share", "1.900901", "900901.SS", "sh900901"),
        ("200002.SZ", "stock", "b_share", "0.200002", "200002.SZ", "sz200002"),
        ("920001.BJ", "stock", "stock", "0.920001", "920001.BJ", "bj920001"),
        ("830799.BJ", "stock", "stock", "0.830799", "830799.BJ", "bj830799"),
        ("430047.BJ", "stock", "stock", "0.430047", "430047.BJ", "bj430047"),
        ("000300.SH", "index", "index", "1.000300", "000300.SS", "sh000300"),
        ("399001.SZ", "index", "index", "0.399001", "399001.SZ", "sz399001"),
        ("899050.BJ", "index", "index", "0.899050", "899050.BJ", "bj899050"),
    ],
)
def test_instruments_and_their_round_trips(
    symbol: str, kind: str, instrument: str, secid: str, yahoo: str, prefixed: str
) -> None:
    """Issue 12: each instrument's converters (secid, akshare code, Yahoo) round-trip."""
    s = parse_symbol(symbol)
    assert (s.kind, s.instrument) == (kind, instrument)
    assert to_secid(s) == secid
    assert str(from_secid(secid)) == symbol
    assert to_yahoo(s) == yahoo
    assert str(from_yahoo(yahoo)) == symbol
    assert to_akshare(s, style="prefixed") == prefixed
    assert str(from_akshare(prefixed)) == symbol
    bare = to_akshare(s)
    assert bare == s.code
    assert str(from_akshare(bare, kind=s.kind)) == symbol  # type: ignore[arg-type]


def test_instrument_of_non_exchange_symbols() -> None:
    assert parse_symbol("930050.CSI").instrument == "index"
    assert parse_symbol("BK0896").instrument == "board"
    assert parse_symbol("NIO").instrument == "foreign"
    assert parse_symbol("00700.HK").instrument == "foreign"


def test_reference_master_codes_follow_the_rules() -> None:
    """Every exchange-listed code of the bundled security master parses to itself."""
    from eventstudy.reference import load_master

    table = load_master().table("stocks")
    codes = set(table["code"])
    assert {"900901.SH", "200002.SZ"} <= codes
    assert any(c.startswith("92") and c.endswith(".BJ") for c in codes)
    b_shares = set(table.loc[table["segment"] == "b_share", "code"])
    for symbol in sorted(codes):
        assert normalize(symbol) == symbol
        assert (parse_symbol(symbol).instrument == "b_share") == (symbol in b_shares)
        bare = symbol.split(".")[0]
        if bare not in {k.split(".")[0] for k in KNOWN_INDICES}:
            assert normalize(bare) == symbol  # the bare code lands on the same exchange


@pytest.mark.parametrize("code", ["920001", "921000", "929999"])
def test_every_92_code_is_beijing(code: str) -> None:
    """Found by hypothesis under the lower bounds: 92xxxx is Beijing's segment, bare or not."""
    assert normalize(code) == f"{code}.BJ"
    assert normalize(f"{code}.BJ") == f"{code}.BJ"
    with pytest.raises(SymbolError, match="Beijing"):
        normalize(f"{code}.SH")


def _parsed_one_by_one(values: list[object]) -> tuple[list[str], list[str]]:
    canonical, kind = [], []
    for v in values:
        try:
            sym = parse_symbol(v)
        except SymbolError:
            canonical.append("")
            kind.append("")
        else:
            canonical.append(sym.canonical)
            kind.append(sym.kind)
    return canonical, kind


def test_classify_symbols_equals_parse_symbol_on_each() -> None:
    # the canonical 6-digit form is classified by code prefix, the rest parsed: both
    # must agree with parse_symbol, codes an exchange does not use included
    values: list[object] = [
        "600519.SH", "000300.SH", "000001.SZ", "399006.SZ", "300750.SZ", "688981.SH",
        "920001.BJ", "830799.BJ", "899050.BJ", "510300.SH", "159915.SZ", "900901.SH",
        "200002.SZ", "920001.SH", "100000.SH", "700000.SZ", "999999.BJ", "12345A.SH",
        "600519.XX", "600519,SH", "600519.sh", " 600519.SH", "600519.SH ", "sz000858",
        "600519", "000001", "BK0896", "BK08", "00700.HK", "930050.CSI", "1.600519",
        "AAPL", "^GSPC", "my col", "", "６００５１９.SH", "600519.ＳＨ", None, 600519,
        float("nan"), "ew",
    ]  # fmt: skip
    values += [f"{p:03d}{i:03d}.{ex}" for p in range(1000) for i in (1, 999)
               for ex in ("SH", "SZ", "BJ")]  # fmt: skip
    canonical, kind = classify_symbols(values)
    want_canonical, want_kind = _parsed_one_by_one(values)
    assert canonical.tolist() == want_canonical
    assert kind.tolist() == want_kind
    assert {"stock", "index", "board", "foreign", ""} <= set(kind.tolist())


@settings(max_examples=200, deadline=None)
@given(st.lists(st.text(max_size=10) | st.from_regex(r"[0-9]{6}\.(SH|SZ|BJ|SS)", fullmatch=True)))
def test_classify_symbols_on_arbitrary_text(values: list[str]) -> None:
    canonical, kind = classify_symbols(values)
    assert (canonical.tolist(), kind.tolist()) == _parsed_one_by_one(list(values))


def test_classify_symbols_of_nothing_and_of_an_index() -> None:
    import pandas as pd

    canonical, kind = classify_symbols([])
    assert canonical.shape == kind.shape == (0,)
    canonical, kind = classify_symbols(pd.Index(["600519.SH", "M"]))
    assert canonical.tolist() == ["600519.SH", "M"]
    assert kind.tolist() == ["stock", "foreign"]


def test_a_code_with_a_trailing_nul_is_no_symbol() -> None:
    # numpy strings drop trailing NULs: the fast path must not see "600519.SH\x00" as canonical
    import pandas as pd
    import pytest

    from eventstudy.backtesting.limits import price_limit
    from eventstudy.exceptions import SymbolError

    canonical, kind = classify_symbols(["600519.SH\x00", "600519.SH"])
    assert canonical.tolist() == ["", "600519.SH"]
    assert kind.tolist() == ["", "stock"]
    with pytest.raises(SymbolError):
        parse_symbol("600519.SH\x00")
    with pytest.raises(SymbolError):
        price_limit(["600519.SH\x00"], pd.DatetimeIndex(["2024-01-02"]))
