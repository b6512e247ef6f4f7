"""Build the security master's bundled tables in data/reference/ from the raw files.

    python data/build_reference.py [SHARED_DATA_DIR]

SHARED_DATA_DIR (default: ../shared/data next to the repository) holds
``market_full/names_2023.csv``, ``market_full/names_2026.csv``,
``market_full/a_shares_daily.parquet`` and ``boards/em_boards.csv`` (see its
README). The bundled posts (data/news) give the code-name pairs of news markup,
data/board_members.csv the membership sample. The hand-maintained, reviewed
tables in data/reference/ (indices.csv, aliases.csv, cross_listings.csv,
sources.csv) are read and checked, not written.

Written (generated; do not edit by hand): stocks.csv, boards.csv, names.csv,
members.csv. The package reads only data/ at run time, never SHARED_DATA_DIR.
The output is deterministic: running the script twice gives identical files.
"""

from __future__ import annotations

import re
import sys
from pathlib import Path

import lxml.html
import pandas as pd
import pyarrow.compute as pc
import pyarrow.dataset as ds

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE.parent))

from eventstudy.reference.names import NAME_TYPES, name_key, name_variants  # noqa: E402
from eventstudy.reference.schema import (  # noqa: E402
    COLUMNS,
    REFERENCE_DIR,
    classify_stock_code,
    validate_table,
)
from eventstudy.symbols import from_secid  # noqa: E402

OUT = HERE / REFERENCE_DIR
AS_OF_2026 = "2026-07"
AS_OF_2023 = "2023-10"
BOARDS_AS_OF = "2026-07"
MEMBERS_AS_OF = "2022-12-31"
EXTRACT_START = pd.Timestamp("2021-07-27")
_INFOCODE_DATE = re.compile(r"(20[0-9]{6})[0-9]+\.md$")


def read_names(shared: Path) -> tuple[pd.DataFrame, pd.DataFrame]:
    """The two code lists, as (code, name[, list_date]) with raw names kept."""
    old = pd.read_csv(
        shared / "market_full" / "names_2023.csv", dtype=str, keep_default_na=False
    ).rename(columns={"stock_code": "code", "short_name": "name", "list_date2": "list_date"})
    new = pd.read_csv(
        shared / "market_full" / "names_2026.csv",
        dtype=str,
        keep_default_na=False,
        encoding="utf-8-sig",
    ).rename(columns={"代码": "code", "名称": "name"})
    for frame in (old, new):
        assert frame["code"].is_unique, "duplicated codes in a code list"
        assert frame["code"].str.fullmatch(r"[0-9]{6}").all()
    old = undo_ex_rights_names(old, new)
    return old, undo_ex_rights_names(new, old)


#: Eastmoney shows ``XD`` (ex-dividend), ``XR`` (ex-rights) or ``DR`` (both) before a
#: name on the day it goes ex, cut to four characters: ``XD华润双`` is 华润双鹤.
_EX_MARKER = re.compile(r"^(?:XD|XR|DR)(?=[\u4e00-\u9fff])")


def undo_ex_rights_names(names_list: pd.DataFrame, other: pd.DataFrame) -> pd.DataFrame:
    """A code list with ex-day display names replaced by the company's name.

    The full name is the other list's name when it starts with what is left after the
    marker (华润双 → 华润双鹤); otherwise the marker alone is dropped.
    """
    before = dict(zip(other["code"], other["name"], strict=True))
    names = []
    fixed = 0
    for code, name in zip(names_list["code"], names_list["name"], strict=True):
        rest = _EX_MARKER.sub("", name)
        if rest != name:
            fixed += 1
            full = before.get(code, "")
            name = full if full.startswith(rest) else rest
        names.append(name)
    print(f"ex-day display names (XD/XR/DR) replaced: {fixed}")
    return names_list.assign(name=names)


def first_sessions(shared: Path) -> dict[str, str]:
    """First session of every symbol in the daily price file (ISO dates)."""
    table = ds.dataset(shared / "market_full" / "a_shares_daily.parquet").to_table(
        columns=["symbol", "date"]
    )
    grouped = table.group_by("symbol").aggregate([("date", "min")])
    dates = pc.strftime(grouped["date_min"], format="%Y-%m-%d").to_pylist()
    return dict(zip(grouped["symbol"].to_pylist(), dates, strict=True))


def build_stocks(old: pd.DataFrame, new: pd.DataFrame, first: dict[str, str]) -> pd.DataFrame:
    """One row per code in either list: the newest name, list date, status."""
    merged = old.merge(new, on="code", how="outer", suffixes=("_2023", "_2026"))
    merged = merged.fillna("")
    rows = []
    codes_by_key: dict[str, set[str]] = {}
    canonical: dict[str, str] = {}
    for r in merged.itertuples(index=False):
        exchange, segment = classify_stock_code(r.code)
        canonical[r.code] = f"{r.code}.{exchange}"
        for name in (r.name_2023, r.name_2026):
            if name:
                codes_by_key.setdefault(name_key(name), set()).add(f"{r.code}.{exchange}")
    agree = disagree = 0
    for r in merged.itertuples(index=False):
        exchange, segment = classify_stock_code(r.code)
        code = canonical[r.code]
        in_2026 = bool(r.name_2026)
        if in_2026:
            status = "listed"
        elif segment == "b_share":
            status = "unknown"
        else:
            status = "not_listed"
        list_date, list_source = r.list_date, "names_2023" if r.list_date else ""
        session = first.get(code, "")
        if session and pd.Timestamp(session) > EXTRACT_START:
            if not r.name_2023:  # listed after the 2023 list: first session = listing
                list_date, list_source = session, "first_session"
            elif list_date:
                agree += list_date == session
                disagree += list_date != session
        same = set()
        for name in (r.name_2023, r.name_2026):
            if name:
                same |= codes_by_key[name_key(name)] - {code}
        rows.append(
            {
                "code": code,
                "exchange": exchange,
                "kind": "stock",
                "segment": segment,
                "name": r.name_2026 or r.name_2023,
                "list_date": list_date,
                "list_date_source": list_source,
                "status": status,
                "same_name_code": "|".join(sorted(same)),
                "as_of": AS_OF_2026 if in_2026 else AS_OF_2023,
                "source": "names_2026" if in_2026 else "names_2023",
            }
        )
    print(
        f"list dates: names_2023 and first session agree for {agree} codes first traded "
        f"after {EXTRACT_START.date()}, differ for {disagree} (suspended when the price "
        "file starts): first sessions are used only for codes missing from names_2023"
    )
    return pd.DataFrame(rows, columns=COLUMNS["stocks"]).sort_values("code")


def _post_date(path: Path, text: str) -> str:
    m = re.search(r"^date:\s*([0-9]{4}-[0-9]{2}-[0-9]{2})", text, flags=re.MULTILINE)
    if m:
        return m.group(1)
    m = _INFOCODE_DATE.search(path.name)
    if not m:
        raise ValueError(f"{path}: no date in the front matter or the file name")
    d = m.group(1)
    return f"{d[:4]}-{d[4:6]}-{d[6:]}"


def markup_pairs(news: Path) -> pd.DataFrame:
    """(code, text, first post date) of every quote link with text in the bundled posts."""
    seen: dict[tuple[str, str], str] = {}
    for path in sorted(news.rglob("*.md")):
        text = path.read_text(encoding="utf-8")
        body = text.split("\n---", 2)[-1] if text.startswith("---") else text
        if "data-code" not in body:
            continue
        root = lxml.html.fromstring(f"<div>{body}</div>")
        date = _post_date(path, text)
        for el in root.xpath("//*[@data-code]"):
            secid = el.get("data-code", "")
            label = " ".join(el.text_content().split())
            if "," not in secid or not label:
                continue  # chart embeds (CODE|MARKET|TYPE) carry no name
            code = from_secid(secid.replace(",", ".", 1).strip()).canonical
            key = (code, label)
            if key not in seen or date < seen[key]:
                seen[key] = date
    return pd.DataFrame(
        [(c, n, d) for (c, n), d in sorted(seen.items())], columns=["code", "name", "as_of"]
    )


def build_boards(shared: Path, markup: pd.DataFrame) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Board table (em_boards + boards only news markup names) and board markup pairs."""
    boards = pd.read_csv(shared / "boards" / "em_boards.csv", dtype=str, keep_default_na=False)
    boards = boards.assign(as_of=BOARDS_AS_OF, source="em_boards")
    board_markup = markup[markup["code"].str.startswith("BK")]
    known = set(boards["code"])
    extra = (
        board_markup[~board_markup["code"].isin(known)]
        .sort_values(["code", "as_of"])
        .drop_duplicates("code")
        .assign(board_type="concept", source="news_markup")
    )
    out = pd.concat([boards, extra], ignore_index=True)[list(COLUMNS["boards"])]
    return out.sort_values("code").reset_index(drop=True), board_markup


def _name_rows(entities: pd.DataFrame, kind: str, name_type: str) -> list[dict[str, str]]:
    return [
        {
            "code": r.code,
            "name": r.name,
            "kind": kind,
            "name_type": name_type,
            "as_of": r.as_of,
            "source": r.source,
        }
        for r in entities.itertuples(index=False)
        if r.name
    ]


def build_names(
    stocks: pd.DataFrame,
    old: pd.DataFrame,
    indices: pd.DataFrame,
    boards: pd.DataFrame,
    aliases: pd.DataFrame,
    xlist: pd.DataFrame,
    markup: pd.DataFrame,
) -> pd.DataFrame:
    """Every name of every code, one row per (code, key), best name type kept."""
    rows = _name_rows(stocks, "stock", "name")
    current = dict(zip(stocks["code"], stocks["name"], strict=True))
    exchange = dict(zip(stocks["code"].str[:6], stocks["code"], strict=True))
    for r in old.itertuples(index=False):
        code = exchange[r.code]
        if name_key(r.name) != name_key(current[code]):
            rows.append(
                {
                    "code": code,
                    "name": r.name,
                    "kind": "stock",
                    "name_type": "former",
                    "as_of": AS_OF_2023,
                    "source": "names_2023",
                }
            )
    rows += _name_rows(indices[indices["same_as"] == ""], "index", "name")
    rows += _name_rows(boards, "board", "name")
    rows += aliases.to_dict("records")
    for r in xlist.itertuples(index=False):
        for name, name_type in ((r.foreign_name, "name"), (r.foreign_name_en, "alias")):
            if name:
                rows.append(
                    {
                        "code": r.foreign_code,
                        "name": name,
                        "kind": "foreign",
                        "name_type": name_type,
                        "as_of": r.as_of,
                        "source": r.source,
                    }
                )
    kinds = {**dict.fromkeys(stocks["code"], "stock"), **dict.fromkeys(boards["code"], "board")}
    kinds |= dict.fromkeys(indices["code"], "index")
    for r in markup.itertuples(index=False):
        rows.append(
            {
                "code": r.code,
                "name": r.name,
                "kind": kinds.get(r.code, "foreign"),
                "name_type": "markup",
                "as_of": r.as_of,
                "source": "news_markup",
            }
        )
    base = pd.DataFrame(rows, columns=COLUMNS["names"])
    derived = [
        {**row, "name": variant, "name_type": vtype, "source": "derived"}
        for row in base.to_dict("records")
        for variant, vtype in name_variants(row["name"])
    ]
    names = pd.concat([base, pd.DataFrame(derived, columns=COLUMNS["names"])], ignore_index=True)
    names["_key"] = names["name"].map(name_key)
    names["_rank"] = names["name_type"].map({t: i for i, t in enumerate(NAME_TYPES)})
    names = names.sort_values(["code", "_rank", "as_of"], ascending=[True, True, False])
    names = names.drop_duplicates(["code", "name"]).drop(columns=["_key", "_rank"])
    return names.sort_values(["code", "name_type", "name"]).reset_index(drop=True)


def build_members(sample: Path) -> pd.DataFrame:
    members = pd.read_csv(sample, dtype=str, keep_default_na=False)
    out = pd.DataFrame(
        {
            "as_of": MEMBERS_AS_OF,
            "board": members["board_code"],
            "symbol": members["symbol"],
            "source": "members_sample",
        }
    )
    return out.sort_values(["board", "symbol"]).reset_index(drop=True)


def _check_hand_tables(
    stocks: pd.DataFrame, indices: pd.DataFrame, xlist: pd.DataFrame, aliases: pd.DataFrame
) -> None:
    known = set(stocks["code"]) | set(indices["code"]) | set(xlist["foreign_code"])
    unknown = sorted(set(aliases["code"]) - known)
    assert not unknown, f"aliases.csv names codes that are in no table: {unknown}"
    missing = sorted(set(xlist["code"]) - set(stocks.loc[stocks.status == "listed", "code"]))
    assert not missing, f"cross_listings.csv A-share codes not listed in 2026-07: {missing}"
    sources = pd.read_csv(OUT / "sources.csv", dtype=str)["source"]
    assert sources.is_unique


def write(frame: pd.DataFrame, name: str) -> None:
    path = OUT / f"{name}.csv"
    frame.to_csv(path, index=False, lineterminator="\n", encoding="utf-8")
    print(f"{path.relative_to(HERE.parent)}: {len(frame)} rows, {path.stat().st_size} bytes")


def main(shared: Path) -> None:
    old, new = read_names(shared)
    stocks = validate_table("stocks", build_stocks(old, new, first_sessions(shared)))
    hand = {
        name: pd.read_csv(OUT / f"{name}.csv", dtype=str, keep_default_na=False)
        for name in ("indices", "aliases", "cross_listings")
    }
    indices = validate_table("indices", hand["indices"])
    xlist = validate_table("cross_listings", hand["cross_listings"])
    aliases = validate_table("names", hand["aliases"])
    _check_hand_tables(stocks, indices, xlist, aliases)
    markup = markup_pairs(HERE / "news")
    boards, _ = build_boards(shared, markup)
    boards = validate_table("boards", boards)
    names = validate_table(
        "names", build_names(stocks, old, indices, boards, aliases, xlist, markup)
    )
    members = validate_table("members", build_members(HERE / "board_members.csv"))
    used = set(stocks["source"]) | set(boards["source"]) | set(names["source"])
    used |= set(members["source"]) | set(indices["source"]) | set(xlist["source"])
    used |= set(stocks["list_date_source"]) - {""}
    declared = set(pd.read_csv(OUT / "sources.csv", dtype=str)["source"])
    assert used <= declared, f"sources not described in sources.csv: {sorted(used - declared)}"
    for frame, name in ((stocks, "stocks"), (boards, "boards"), (names, "names")):
        write(frame, name)
    write(members, "members")
    print("status:", stocks["status"].value_counts().to_dict())
    print("name types:", names["name_type"].value_counts().to_dict())
    print(
        "markup pairs:",
        len(markup),
        "boards from markup only:",
        (boards.source == "news_markup").sum(),
    )


def default_shared() -> Path:
    """``../shared/data`` beside the repository (or beside its worktree folder)."""
    for root in (HERE.parent.parent, HERE.parent.parent.parent):
        if (root / "shared" / "data" / "market_full").is_dir():
            return root / "shared" / "data"
    raise SystemExit("pass the shared data folder: python data/build_reference.py SHARED_DATA_DIR")


if __name__ == "__main__":
    main(Path(sys.argv[1]) if len(sys.argv) > 1 else default_shared())
