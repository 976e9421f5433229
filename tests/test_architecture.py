"""The pipeline runs one way: every import of the package, anywhere in a file (a function's
import too), goes down the layers of docs/architecture.md; no two modules import each
other, even through others; the oracles never reach the solver; the CLI starts light."""
from __future__ import annotations

import ast
import subprocess
import sys
from pathlib import Path

SRC = Path(__file__).resolve().parents[1] / "src" / "handprop"

LAYERS = [
    {"visible", "runtime", "cache"},
    {"errors", "quantities"},
    {"expr"},
    {"nn"},
    {"problem"},
    {"schema", "oracles"},
    {"trace"},
    {"solve"},
    {"render"},
    {"checking", "training", "interop"},
    {"verify", "notebook"},
    {"exercises", "server"},
    {"cli"},
]
"""Lowest first: a package imports only packages of lower layers (and its own modules)."""
LEVEL = {name: i for i, layer in enumerate(LAYERS) for name in layer}


def module_name(path: Path) -> str:
    parts = list(path.relative_to(SRC.parent).with_suffix("").parts)
    if parts[-1] == "__init__":
        parts.pop()
    return ".".join(parts)


def imports(path: Path) -> set[str]:
    """Every handprop module ``path`` imports, anywhere in the file (absolute dotted names)."""
    return imports_in(path.read_text(encoding="utf-8"), module_name(path), path.name == "__init__.py")


def imports_in(text: str, me: str, is_package: bool = False) -> set[str]:
    """Every handprop module the source ``text`` of module ``me`` imports."""
    package = me if is_package else me.rsplit(".", 1)[0]
    found = set()
    for node in ast.walk(ast.parse(text)):
        if isinstance(node, ast.ImportFrom):
            if node.level:
                base = package.split(".")
                base = base[:len(base) - (node.level - 1)]
                target = ".".join(base + ([node.module] if node.module else []))
            else:
                target = node.module or ""
            if target.split(".")[0] != "handprop":
                continue
            for alias in node.names:    # `from . import x` may name a module
                found.add(f"{target}.{alias.name}" if _exists(f"{target}.{alias.name}") else target)
        elif isinstance(node, ast.Import):
            found |= {a.name for a in node.names if a.name.split(".")[0] == "handprop"}
    return {m for m in found if m != me}


def _exists(dotted: str) -> bool:
    path = SRC.parent.joinpath(*dotted.split("."))
    return path.with_suffix(".py").is_file() or (path / "__init__.py").is_file()


def graph() -> dict[str, set[str]]:
    return {module_name(p): imports(p) for p in SRC.rglob("*.py")}


def top(module: str) -> str:
    parts = module.split(".")
    return parts[1] if len(parts) > 1 else ""


def closure(g: dict[str, set[str]], start: str) -> set[str]:
    seen: set[str] = set()
    stack = list(g.get(start, ()))
    while stack:
        m = stack.pop()
        if m in seen:
            continue
        seen.add(m)
        stack.extend(g.get(m, ()))
    return seen


def test_every_package_has_a_layer():
    packages = {top(m) for m in graph()} - {""}
    assert packages <= set(LEVEL), f"packages without a layer: {packages - set(LEVEL)}"


def test_imports_only_go_down():
    g = graph()
    wrong = []
    for module in g:
        if module == "handprop":         # the public API: lazy, above everything
            continue
        for other in closure(g, module):
            a, b = top(module), top(other)
            if a != b and b and LEVEL[b] >= LEVEL[a]:
                wrong.append(f"{module} reaches {other}")
    assert not wrong, "imports that do not go down the layers:\n" + "\n".join(sorted(wrong))


def test_no_module_reaches_itself():
    g = graph()
    cycles = [m for m in g if m in closure(g, m)]
    assert not cycles, f"import cycles through: {sorted(cycles)}"


def test_the_oracles_never_reach_the_solver():
    g = graph()
    for module in g:
        if top(module) == "oracles":
            reached = {m for m in closure(g, module) if top(m) == "solve"}
            assert not reached, f"{module} reaches {reached}"


def test_a_problem_never_reaches_torch():
    for path in (SRC / "problem").rglob("*.py"):
        text = path.read_text(encoding="utf-8")
        assert "torch" not in {n.split(".")[0] for n in _all_names(text)}, path
    g = graph()
    for module in g:
        if top(module) == "problem":
            assert not {m for m in closure(g, module) if top(m) in ("interop", "oracles", "training")}


def _all_names(text: str) -> set[str]:
    names = set()
    for node in ast.walk(ast.parse(text)):
        if isinstance(node, ast.Import):
            names |= {a.name for a in node.names}
        elif isinstance(node, ast.ImportFrom) and not node.level and node.module:
            names.add(node.module)
    return names


def test_the_walk_sees_function_level_imports():
    """The check is not vacuous: a late import of an upper layer is caught."""
    text = "def f():\n    from ..render import text\n"
    assert "handprop.render.text" in imports_in(text, "handprop.solve._probe")


def test_cli_start_does_not_import_heavy_modules():
    code = ("import sys, io, contextlib\n"
            "import handprop.cli.main as c\n"
            "buf = io.StringIO()\n"
            "with contextlib.redirect_stdout(buf): c.main(['explain','notes','--format','text','-o','-'])\n"
            "heavy=[m for m in ('torch','numpy','matplotlib','jinja2','playwright','fastapi','pydantic',"
            "'typst') if m in sys.modules]\n"
            "print('HEAVY:' + ','.join(heavy))")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip().splitlines()[-1] == "HEAVY:", f"heavy imports on the CLI path: {out.stdout}"


def test_the_version_is_written_once():
    """The package's __version__ is the version pyproject.toml publishes."""
    import tomllib

    import handprop
    project = tomllib.loads((SRC.parents[1] / "pyproject.toml").read_text(encoding="utf-8"))
    assert project["project"]["version"] == handprop.__version__
