"""The layout's rules, checked on the source: imports go one way, and none hides in a function.

The apps, from the plumbing up (README, "Layout"): an app may import the ones before it,
never one after. `config` wires them all together and sits on top.
"""

import ast
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
ORDER = [
    *("core", "accounts", "ratings", "search", "sources", "wiki", "claims", "merging"),
    *("interchange", "feeds", "about", "api"),
    "config",
]
RANK = {app: rank for rank, app in enumerate(ORDER)}


def _modules():
    for app in ORDER:
        for path in sorted((ROOT / app).rglob("*.py")):
            yield app, path


def _imported(path: Path, node: ast.AST) -> list[str]:
    """Top-level packages an import statement names (relative imports resolved)."""
    if isinstance(node, ast.Import):
        return [alias.name.split(".")[0] for alias in node.names]
    if isinstance(node, ast.ImportFrom):
        if node.level:
            package = path.relative_to(ROOT).parts[: -node.level]
            return [package[0]] if package else []
        return [node.module.split(".")[0]] if node.module else []
    return []


def _function_imports(tree: ast.AST):
    """Import statements inside a function body, but not inside `AppConfig.ready()`, where
    Django wants them (models are loaded by then)."""
    for func in ast.walk(tree):
        if isinstance(func, ast.FunctionDef | ast.AsyncFunctionDef) and func.name != "ready":
            for node in ast.walk(func):
                if isinstance(node, ast.Import | ast.ImportFrom):
                    yield node


def _upward_imports():
    for app, path in _modules():
        tree = ast.parse(path.read_text(), filename=str(path))
        for node in ast.walk(tree):
            for target in _imported(path, node):
                if target in RANK and RANK[target] > RANK[app]:
                    yield f"{path.relative_to(ROOT)}:{node.lineno} ({app}) imports {target}"


def test_no_module_imports_an_app_above_its_own():
    assert list(_upward_imports()) == []


def test_no_import_of_the_project_hides_inside_a_function():
    hidden = []
    for _app, path in _modules():
        if "migrations" in path.parts:
            continue  # a migration reads the code of its time, by design
        tree = ast.parse(path.read_text(), filename=str(path))
        for node in _function_imports(tree):
            targets = [t for t in _imported(path, node) if t in RANK]
            if targets:
                hidden.append(f"{path.relative_to(ROOT)}:{node.lineno} imports {targets}")
    assert hidden == []
