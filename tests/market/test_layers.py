"""The market package imports one way: no cycle, no private name across modules."""

from __future__ import annotations

import ast
from pathlib import Path

import eventstudy

PACKAGE = Path(eventstudy.__file__).parent


def _module(path: Path) -> str:
    rel = path.relative_to(PACKAGE.parent).with_suffix("")
    parts = list(rel.parts)
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


def _imports(path: Path) -> list[tuple[str, list[str]]]:
    """``(module, names)`` of every ``from eventstudy... import`` (function-level ones too),
    leaving out those under ``if TYPE_CHECKING:``."""
    tree = ast.parse(path.read_text(encoding="utf-8"))
    skip: set[int] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.If) and "TYPE_CHECKING" in ast.unparse(node.test):
            skip |= {id(n) for child in node.body for n in ast.walk(child)}
    out = []
    for node in ast.walk(tree):
        if id(node) in skip:
            continue
        if isinstance(node, ast.ImportFrom) and (node.module or "").startswith("eventstudy"):
            out.append((str(node.module), [a.name for a in node.names]))
        elif isinstance(node, ast.Import):
            out += [(a.name, []) for a in node.names if a.name.startswith("eventstudy")]
    return out


FILES = [*sorted((PACKAGE / "market").glob("*.py")), PACKAGE / "calendar.py"]


def test_no_import_cycle_in_the_market_layer() -> None:
    graph = {_module(p): {m for m, _ in _imports(p)} for p in FILES}
    graph = {k: {m for m in v if m in graph and m != k} for k, v in graph.items()}
    seen: dict[str, int] = {}  # 1: on the stack, 2: done

    def visit(node: str, stack: list[str]) -> None:
        seen[node] = 1
        for nxt in sorted(graph[node]):
            assert seen.get(nxt) != 1, f"import cycle: {' -> '.join([*stack, node, nxt])}"
            if nxt not in seen:
                visit(nxt, [*stack, node])
        seen[node] = 2

    for node in sorted(graph):
        if node not in seen:
            visit(node, [])


def test_no_private_name_imported_across_modules() -> None:
    for path in FILES:
        for module, names in _imports(path):
            private = [n for n in names if n.startswith("_") and not n.startswith("__")]
            assert not private, f"{_module(path)} imports {private} from {module}"


def test_the_calendar_is_a_base_module() -> None:
    """eventstudy.calendar imports only base modules (never the market layer)."""
    used = {m for m, _ in _imports(PACKAGE / "calendar.py")}
    assert used <= {"eventstudy._typing", "eventstudy.exceptions", "eventstudy.symbols",
                    "eventstudy.datasets", "eventstudy.paths"}, used  # fmt: skip
