"""The one way the tests run the ``handprop`` command in a subprocess (``python -m handprop.cli``,
exactly what the installed script runs), so every such test starts the same way."""
from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path


def run_cli(*args: str, stdin: bytes | str | None = None, cwd: str | Path | None = None,
            env: dict[str, str] | None = None, text: bool = False, timeout: float = 120
            ) -> subprocess.CompletedProcess:
    """``handprop ARGS...`` in a fresh interpreter; ``env`` adds to (or overrides) the environment."""
    full = dict(os.environ, **(env or {}))
    if isinstance(stdin, str) and not text:
        stdin = stdin.encode("utf-8")
    return subprocess.run([sys.executable, "-m", "handprop.cli", *args], input=stdin,
                          capture_output=True, cwd=cwd, env=full, text=text, timeout=timeout)
