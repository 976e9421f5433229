"""The loss curve of a training run, drawn with matplotlib (imported here only).

A log scale is used when the loss spans more than two decades, since that is
where a curve on a linear scale is a wall followed by a flat line.
"""
from __future__ import annotations

from pathlib import Path

from ..errors import MissingDependency, UsageError
from .history import History

PLOT_SUFFIXES = (".png", ".svg")


def check_path(path: str) -> str:
    """The plot format ``path`` names (``png`` or ``svg``), before any work: a
    :class:`~handprop.errors.UsageError` for another suffix, and
    :class:`~handprop.errors.MissingDependency` when matplotlib is not installed.  Whether
    the file can be written is the writer's to check (``handprop.cli.output``)."""
    import importlib.util
    if importlib.util.find_spec("matplotlib") is None:
        raise MissingDependency("needs matplotlib (pip install 'handprop[plot]')", field="--plot",
                                source=path)
    suffix = Path(path).suffix.lower()
    if suffix not in PLOT_SUFFIXES:
        raise UsageError(f"unknown plot format {suffix or '(no suffix)'!r}; use a .png or .svg "
                         "file", field="--plot", source=path)
    return suffix[1:]


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
    ax.set_title(f"{name}: {history.steps:,} steps of {history.optimizer.title}, learning rate "
                 f"{history.problem.learning_rate:g}{variant}")
    ax.grid(True, which="both", alpha=0.3)
    fig.tight_layout()
    return fig


COLOURS = ("#1f6feb", "#d1242f", "#1a7f37", "#8250df", "#bc4c00", "#0598bc", "#bf3989")
"""One colour per compared run, in order (distinct in print and for common colour blindness)."""
DASHES = ("-", "--", "-.", ":", (0, (5, 1, 1, 1)), (0, (3, 1)), (0, (1, 1)))


def compare_figure(histories):
    """The loss curves of several runs of one problem (one per optimizer), overlaid."""
    import matplotlib
    matplotlib.use("Agg")
    from matplotlib.figure import Figure

    fig = Figure(figsize=(7, 4.2), dpi=120)
    ax = fig.add_subplot()
    few = max(len(h.loss) for h in histories) <= 40
    for i, h in enumerate(histories):
        ax.plot(h.recorded_steps, h.loss, color=COLOURS[i % len(COLOURS)],
                linestyle=DASHES[i % len(DASHES)], linewidth=1.8, marker="o" if few else None,
                markersize=3, label=f"{h.optimizer_words}: {h.loss[-1]:.4g}")
    if spans_decades([v for h in histories for v in h.loss]):
        ax.set_yscale("log")
    first = histories[0]
    ax.set_xlabel("step")
    ax.set_ylabel(f"loss ({first.problem.loss})")
    ax.set_title(f"{first.problem.name or 'training'}: {first.steps:,} steps, learning rate "
                 f"{first.problem.learning_rate:g}")
    ax.grid(True, which="both", alpha=0.3)
    ax.legend(fontsize="small", title="optimizer: final loss", title_fontsize="small")
    fig.tight_layout()
    return fig


def plot_bytes(history, kind: str) -> bytes:
    """The loss curve as a ``png`` or ``svg`` file's bytes (``history``: one run, or a list of
    runs to overlay)."""
    import io
    buffer = io.BytesIO()
    fig = compare_figure(history) if isinstance(history, (list, tuple)) else figure(history)
    fig.savefig(buffer, format=kind)
    return buffer.getvalue()
