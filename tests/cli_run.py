"""The one way the tests run the ``handprop`` command in a subprocess (``python -m handprop.cli``,
exactly what the installed script runs), so every such test starts the same way."""
from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path


def run_cli(*args: str, stdin: bytes | str | None = None, cwd: str | Path | None = None,
            env: dict[str, str] | None = None, text: bool = False, timeout: float = 120,
            whole_env: dict[str, str] | None = None) -> subprocess.CompletedProcess:
    """``handprop ARGS...`` in a fresh interpreter; ``env`` adds to (or overrides) the environment,
    ``whole_env`` is the whole of it."""
    full = dict(whole_env if whole_env is not None else os.environ, **(env or {}))
    if isinstance(stdin, str) and not text:
        stdin = stdin.encode("utf-8")
    return subprocess.run([sys.executable, "-m", "handprop.cli", *args], input=stdin,
                          capture_output=True, cwd=cwd, env=full, text=text, timeout=timeout)


def cli_error_of(path: Path) -> str:
    """What ``handprop explain FILE`` says of a file it refuses (exit 2), without the
    ``handprop: FILE: `` before it: ``field: message``."""
    out = run_cli("explain", str(path), "--format", "json", "-o", "-")
    stderr = out.stderr.decode("utf-8")
    assert out.returncode == 2, (out.stdout.decode("utf-8", "replace") + stderr)[:300]
    line = stderr.strip().splitlines()[-1]
    prefix = f"handprop: {path}: "
    assert line.startswith(prefix), line
    return line[len(prefix):]


TERMINAL_VARIABLES = ("COLUMNS", "LINES", "NO_COLOR", "FORCE_COLOR", "TERM", "TTY_COMPATIBLE")


def terminal_env(**extra: str) -> dict[str, str]:
    """The environment without whatever would tell rich how to colour or how wide to be, as a
    plain xterm would have it (plus ``extra``)."""
    env = {k: v for k, v in os.environ.items() if k not in TERMINAL_VARIABLES}
    return dict(env, TERM="xterm-256color", **extra)


def run_cli_on_terminal(*args: str, columns: int = 80, timeout: float = 60) -> tuple[int, str]:
    """``handprop ARGS...`` with its output on a pseudo-terminal ``columns`` wide: (exit status,
    everything it wrote, stdout and stderr together)."""
    import pty
    leader, follower = pty.openpty()
    proc = subprocess.Popen([sys.executable, "-m", "handprop.cli", *args], stdout=follower,
                            stderr=follower, stdin=subprocess.DEVNULL,
                            env=terminal_env(COLUMNS=str(columns)))
    os.close(follower)
    chunks = []
    while True:
        try:
            chunk = os.read(leader, 65536)
        except OSError:          # the terminal closes when the program ends
            break
        if not chunk:
            break
        chunks.append(chunk)
    os.close(leader)
    return proc.wait(timeout=timeout), b"".join(chunks).decode()
