"""The pipeline runs one way: the engine imports nothing above it, and the CLI starts light."""
from __future__ import annotations

import ast
import subprocess
import sys
from pathlib import Path

SRC = Path(__file__).resolve().parents[1] / "src" / "handprop"
BELOW_ENGINE = {"problem", "functions", "engine", "expr"}


def _imports(path: Path) -> set[str]:
    tree = ast.parse(path.read_text(encoding="utf-8"))
    found = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.ImportFrom) and node.level >= 1:
            found.add((node.module or "").split(".")[0])
        elif isinstance(node, ast.ImportFrom) and (node.module or "").startswith("handprop"):
            found.add(node.module.split(".")[1] if "." in node.module else "")
    return found


def test_engine_imports_nothing_above_it():
    for name in ("engine", "functions", "expr"):
        used = _imports(SRC / f"{name}.py") - {""}
        assert used <= BELOW_ENGINE, f"{name}.py imports {used - BELOW_ENGINE}"
    used = _imports(SRC / "problem.py") - {""}
    assert not used & {"derive", "trace", "render", "cli", "check", "train", "server"}, used


def test_cli_start_does_not_import_heavy_modules():
    code = ("import sys, runpy; sys.argv=['handprop','explain','notes'];"
            "import handprop.cli.main as c; import io, contextlib;"
            "buf=io.StringIO();\n"
            "with contextlib.redirect_stdout(buf): c.main(['explain','notes','--format','text','-o','-'])\n"
            "heavy=[m for m in ('torch','numpy','matplotlib','jinja2','playwright','fastapi','pydantic') if m in sys.modules];"
            "print('HEAVY:' + ','.join(heavy))")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip().splitlines()[-1] == "HEAVY:", f"heavy imports on the CLI path: {out.stdout}"
