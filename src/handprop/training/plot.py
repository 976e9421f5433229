"""The loss curve of a training run, drawn with matplotlib (imported here only).

A log scale is used when the loss spans more than two decades, since that is
where a curve on a linear scale is a wall followed by a flat line.
"""
from __future__ import annotations

import os
from pathlib import Path

from ..errors import MissingDependency, UsageError
from .history import History

PLOT_SUFFIXES = (".png", ".svg")


def check_path(path: str) -> None:
    """Raise a :class:`~handprop.errors.UsageError` unless a plot can be written to ``path`` (nothing is written);
    :class:`~handprop.errors.MissingDependency` when matplotlib is not installed."""
    import importlib.util
    target = Path(path)
    if importlib.util.find_spec("matplotlib") is None:
        raise MissingDependency("needs matplotlib (pip install 'handprop[plot]')", field="--plot",
                                source=path)
    if target.suffix.lower() not in PLOT_SUFFIXES:
        raise UsageError(f"unknown plot format {target.suffix or '(no suffix)'!r}; use a .png or .svg "
                        "file", field="--plot", source=path)
    if target.is_dir():
        raise UsageError("is a directory", field="--plot", source=path)
    folder = target.parent
    if not folder.is_dir():
        raise UsageError(f"cannot write: folder {str(folder)!r} does not exist", field="--plot",
                        source=path)
    if not os.access(folder, os.W_OK) or (target.exists() and not os.access(target, os.W_OK)):
        raise UsageError("cannot write: permission denied", field="--plot", source=path)


def spans_decades(losses, decades: float = 2.0) -> bool:
    positive = [v for v in losses if v > 0]
    return len(positive) == len(losses) and max(positive) / min(positive) > 10 ** decades


def figure(history: History):
    """The loss curve as a matplotlib Figure (no pyplot, no display)."""
    import matplotlib
    matplotlib.use("Agg")
    from matplotlib.figure import Figure

    fig = Figure(figsize=(7, 4.2), dpi=120)
    ax = fig.add_subplot()
    ax.plot(history.recorded_steps, history.loss, color="#1f6feb", linewidth=1.8,
            marker="o" if len(history.loss) <= 40 else None, markersize=3)
    if spans_decades(history.loss):
        ax.set_yscale("log")
    ax.set_xlabel("step")
    ax.set_ylabel(f"loss ({history.problem.loss})")
    name = history.problem.name or "training"
    variant = "" if history.hidden_deltas == "original" else ", hidden deltas updated"
    ax.set_title(f"{name}: {history.steps:,} steps, learning rate {history.problem.learning_rate:g}"
                 f"{variant}")
    ax.grid(True, which="both", alpha=0.3)
    fig.tight_layout()
    return fig


def plot(history: History, path: str) -> None:
    """Write the loss curve to ``path`` (.png or .svg): all or nothing."""
    check_path(path)
    fig = figure(history)
    target = Path(path)
    tmp = target.with_name(f".{target.stem}.tmp{os.getpid()}{target.suffix}")
    try:
        fig.savefig(tmp, format=target.suffix.lower()[1:])
        os.replace(tmp, target)
    except OSError as err:
        tmp.unlink(missing_ok=True)
        raise UsageError(f"cannot write: {err.strerror or err}", "--plot", path) from None
