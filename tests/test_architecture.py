"""The house rules of `extract/`, checked on the source: no import cycles anywhere.

Every `import` counts, at module level or inside a function, under
`TYPE_CHECKING` or not: a cycle hidden in a function is still a knot a reader
has to untie.
"""

from __future__ import annotations

import ast
from pathlib import Path

PACKAGE = Path(__file__).resolve().parent.parent / "extract"


def module_names() -> dict[str, Path]:
    """Dotted name -> file, for every module of the package (packages by their __init__)."""
    names = {}
    for path in sorted(PACKAGE.rglob("*.py")):
        parts = path.relative_to(PACKAGE.parent).with_suffix("").parts
        if parts[-1] == "__init__":
            parts = parts[:-1]
        names[".".join(parts)] = path
    return names


def import_graph() -> dict[str, set[str]]:
    """Module -> the modules of `extract` it imports."""
    modules = module_names()
    graph: dict[str, set[str]] = {name: set() for name in modules}
    for name, path in modules.items():
        for node in ast.walk(ast.parse(path.read_text(), str(path))):
            targets: list[str] = []
            if isinstance(node, ast.Import):
                targets = [alias.name for alias in node.names]
            elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
                # `from extract.a import b` imports the module extract.a.b when there is one
                targets = [
                    f"{node.module}.{a.name}"
                    if f"{node.module}.{a.name}" in modules
                    else node.module
                    for a in node.names
                ]
            graph[name].update(t for t in targets if t in modules and t != name)
    return graph


def find_cycle(graph: dict[str, set[str]]) -> list[str] | None:
    """One import cycle as a list of modules (first repeated at the end), or None."""
    state: dict[str, int] = {}  # 1 on the current path, 2 done
    path: list[str] = []

    def visit(node: str) -> list[str] | None:
        state[node] = 1
        path.append(node)
        for nxt in sorted(graph[node]):
            if state.get(nxt) == 1:
                return [*path[path.index(nxt) :], nxt]
            if nxt not in state and (cycle := visit(nxt)):
                return cycle
        path.pop()
        state[node] = 2
        return None

    for start in sorted(graph):
        if start not in state and (cycle := visit(start)):
            return cycle
    return None


def test_the_package_has_no_import_cycle():
    cycle = find_cycle(import_graph())
    assert cycle is None, "import cycle: " + " -> ".join(cycle or [])


def test_the_cycle_check_finds_a_cycle():
    graph = {"a": {"b"}, "b": {"c"}, "c": {"a"}, "d": {"a"}}
    assert find_cycle(graph) == ["a", "b", "c", "a"]
    assert find_cycle({"a": {"b"}, "b": set()}) is None


def test_the_graph_sees_imports_inside_functions():
    graph = import_graph()
    assert "extract.run.estimate" in graph["extract.cli"]  # imported inside dry_run()


WINGS = ("ingest", "llm", "evidence", "output")  # what happens to a document, stage by stage
SHARED = {"extract.config", "extract.errors"}  # the settings and error types every wing uses


def layer(module: str) -> str:
    """'wing', 'run', 'shared' or 'top' (api, cli, demo, the schema registry, evaluation)."""
    parts = module.split(".")
    if module in SHARED:
        return "shared"
    if len(parts) > 1 and parts[1] in WINGS:
        return "wing"
    if len(parts) > 1 and parts[1] == "run":
        return "run"
    return "top"


ALLOWED = {
    "shared": {"shared", "wing"},
    "wing": {"shared", "wing"},
    "run": {"shared", "wing", "run"},
    "top": {"shared", "wing", "run", "top"},
}


def test_imports_point_one_way():
    """Top level -> run -> wings: no wing reaches up into the pool, the API or the CLI."""
    upward = [
        f"{source} -> {target}"
        for source, targets in import_graph().items()
        for target in sorted(targets)
        if layer(target) not in ALLOWED[layer(source)]
    ]
    assert upward == []


def test_the_top_level_stays_small():
    top = [p for p in PACKAGE.glob("*.py")]
    assert len(top) <= 12, sorted(p.name for p in top)
    too_long = {
        str(p.relative_to(PACKAGE)): n
        for p in PACKAGE.rglob("*.py")
        if (n := len(p.read_text().splitlines())) > 350
    }
    assert too_long == {}
