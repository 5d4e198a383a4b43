"""The shape of the code: the layers hold (import-linter), no module imports itself back
through others (counting imports inside functions), an import inside a function says why,
and no module outside migrations and benchmark commands grows past 700 lines."""

from __future__ import annotations

import ast
import subprocess
import sys
from pathlib import Path

import grimp
import pytest

from peersupport.people.notifications import notify
from peersupport.people.services import audit_record

ROOT = Path(__file__).resolve().parent.parent
PACKAGES = ("peersupport", "matching", "sessions", "ethics")
MAX_LINES = 700


def _project_modules() -> list[Path]:
    files = []
    for package in PACKAGES:
        for path in sorted((ROOT / package).rglob("*.py")):
            if "migrations" in path.parts:
                continue
            files.append(path)
    return files


def _cycles(graph) -> list[list[str]]:
    """Strongly connected groups of more than one module (Tarjan, iterative)."""
    modules = sorted(m for m in graph.modules if ".migrations" not in m)
    inside = set(modules)
    edges = {m: sorted(graph.find_modules_directly_imported_by(m) & inside) for m in modules}
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    on_stack: set[str] = set()
    groups: list[list[str]] = []
    counter = 0
    for root in modules:
        if root in index:
            continue
        work = [(root, iter(edges[root]))]
        index[root] = low[root] = counter
        counter += 1
        stack.append(root)
        on_stack.add(root)
        while work:
            node, children = work[-1]
            child = next(children, None)
            if child is not None:
                if child not in index:
                    index[child] = low[child] = counter
                    counter += 1
                    stack.append(child)
                    on_stack.add(child)
                    work.append((child, iter(edges[child])))
                elif child in on_stack:
                    low[node] = min(low[node], index[child])
                continue
            work.pop()
            if work:
                parent = work[-1][0]
                low[parent] = min(low[parent], low[node])
            if low[node] == index[node]:
                group = []
                while True:
                    member = stack.pop()
                    on_stack.discard(member)
                    group.append(member)
                    if member == node:
                        break
                if len(group) > 1:
                    groups.append(sorted(group))
    return groups


def test_no_module_imports_itself_back_through_others():
    sys.path.insert(0, str(ROOT))
    graph = grimp.build_graph(*PACKAGES, cache_dir=None)
    assert _cycles(graph) == []


def test_the_cycle_finder_finds_a_cycle():
    graph = grimp.ImportGraph()
    for name in ("a", "a.one", "a.two", "a.three"):
        graph.add_module(name)
    graph.add_import(importer="a.one", imported="a.two")
    graph.add_import(importer="a.two", imported="a.one")
    graph.add_import(importer="a.three", imported="a.one")
    assert _cycles(graph) == [["a.one", "a.two"]]


def test_the_layers_contract_holds():
    result = subprocess.run(
        [str(Path(sys.executable).parent / "lint-imports"), "--no-cache"],
        cwd=ROOT,
        capture_output=True,
        text=True,
        env={"PYTHONPATH": str(ROOT), "PATH": "/usr/bin:/bin"},
        check=False,
    )
    assert result.returncode == 0, result.stdout[-3000:] + result.stderr[-2000:]
    assert "Contracts: 1 kept, 0 broken." in result.stdout


def test_an_import_inside_a_function_says_why():
    unexplained = []
    for path in _project_modules():
        source = path.read_text()
        lines = source.splitlines()
        for node in ast.walk(ast.parse(source)):
            if not isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef):
                continue
            for inner in ast.walk(node):
                if not isinstance(inner, ast.Import | ast.ImportFrom):
                    continue
                # A comment on the line, or among the comment lines just above the import
                # (or above the block of imports it belongs to).
                row = inner.lineno - 1
                explained = "#" in lines[row]
                above = row - 1
                while not explained and above >= 0:
                    text = lines[above].strip()
                    if text.startswith("#"):
                        explained = True
                    elif text.startswith(("import ", "from ")) or text == "":
                        above -= 1
                        continue
                    break
                if not explained:
                    unexplained.append(f"{path.relative_to(ROOT)}:{inner.lineno}")
    assert unexplained == []


@pytest.mark.parametrize(
    "path",
    [p for p in _project_modules() if not p.name.startswith("bench_")],  # benchmarks may be long
    ids=lambda p: str(p.relative_to(ROOT)),
)
def test_no_module_is_over_700_lines(path):
    assert len(path.read_text().splitlines()) <= MAX_LINES


def test_audit_actions_and_notification_kinds_are_named_by_their_enums():
    """audit_record(action=...) and notify(kind=...) take AuditAction / NotificationKind
    members, never a bare string written at the call."""
    bare = []
    for path in _project_modules():
        for node in ast.walk(ast.parse(path.read_text())):
            if not isinstance(node, ast.Call):
                continue
            func = node.func
            name = func.id if isinstance(func, ast.Name) else getattr(func, "attr", None)
            wanted = {"audit_record": "action", "notify": "kind", "notify_coordinators": "kind"}
            for keyword in node.keywords:
                if wanted.get(name) == keyword.arg and isinstance(keyword.value, ast.Constant):
                    bare.append(f"{path.relative_to(ROOT)}:{node.lineno}")
    assert bare == []


@pytest.mark.django_db
def test_an_unknown_audit_action_or_notification_kind_is_refused(survivor):
    with pytest.raises(ValueError):
        audit_record(actor=survivor, action="pairing.made_up")
    with pytest.raises(ValueError):
        notify(user=survivor, kind="made.up", text="x")
