"""A training run for a terminal: the loss before and after, the outputs against
their targets, the parameters that moved most.

``render`` gives plain text at a pinned width; ``print_to`` prints the same
through a rich console (colour on a terminal).  A pure function of the
:class:`~handprop.training.history.History`.
"""
from __future__ import annotations

from typing import TYPE_CHECKING

from ..expr.numbers import fmt_number
from ..quantities import suffix
from .history import UPDATED_NOTE, History

if TYPE_CHECKING:
    from rich.console import Console, RenderableType

MOVED_SHOWN = 8      # parameters listed under "moved most"
LOSS_ROWS = 6        # recorded steps shown in the loss table

def settings(history: History) -> str:
    p = history.problem
    biases = ("biases updated" if p.update_biases else "biases fixed") if p.biases else "no biases"
    batch = f", batch {p.batch} over {len(p.samples)} samples" if p.multi else ""
    return (f"optimizer {history.optimizer_words}, learning rate {fmt_number(p.learning_rate)}, "
            f"loss {p.loss}{batch}, {biases}, hidden deltas {history.hidden_deltas}, "
            f"engine {history.engine}")


def ratio(before: float, after: float) -> str:
    if after > 0 and before > after:
        return f"{before / after:,.4g} times lower"
    if after > before:
        return "higher"
    return "unchanged" if after == before else "lower"


def loss_rows(history: History) -> list[int]:
    """Indices of up to LOSS_ROWS recorded steps, spread evenly, first and last included."""
    n = len(history.recorded_steps)
    if n <= LOSS_ROWS:
        return list(range(n))
    return sorted({round(i * (n - 1) / (LOSS_ROWS - 1)) for i in range(LOSS_ROWS)})


def output_rows(history: History) -> list[tuple[str, float, float, float]]:
    """(output id, target, before, after) for every output of every sample."""
    p = history.problem
    rows = []
    for k, sample in enumerate(p.samples):
        sfx = suffix(p.sample_of(k))
        for j, u in enumerate(p.outputs):
            rows.append((f"{u}{sfx}", sample.targets[j], history.initial_outputs[k][j],
                         history.outputs[k][j]))
    return rows


def renderables(history: History, digits: int = 9) -> list["RenderableType"]:
    from rich import box
    from rich.table import Table
    from rich.text import Text

    f = lambda v: fmt_number(v, digits)   # noqa: E731
    name = history.problem.name or "the problem"
    out: list = [
        Text(f"Training {name}: {history.steps_words} of {history.method}", style="bold"),
        Text(settings(history), style="dim"),
        Text(""),
        Text.assemble("Loss ", (f(history.loss[0]), "bold"), " at step 0 → ",
                      (f(history.loss[-1]), "bold green"), f" after {history.steps_words} (",
                      ratio(history.loss[0], history.loss[-1]), ")"),
    ]
    losses = Table(box=box.SIMPLE_HEAD, pad_edge=False)
    losses.add_column("step", justify="right")
    losses.add_column("loss", justify="right")
    for i in loss_rows(history):
        losses.add_row(f"{history.recorded_steps[i]:,}", f(history.loss[i]))
    out.append(losses)
    outputs = Table(title="Outputs against their targets", title_justify="left", box=box.SIMPLE_HEAD,
                    pad_edge=False)
    for head in ("output", "target", "at step 0", f"after {history.steps_words}", "|target − out|"):
        outputs.add_column(head, justify="left" if head == "output" else "right")
    for unit, t, before, after in output_rows(history):
        outputs.add_row(unit, f(t), f(before), f(after), f(abs(t - after)))
    out.append(outputs)
    moved = history.moved()
    shown = moved[:MOVED_SHOWN]
    title = ("Parameters that moved most" if len(moved) > MOVED_SHOWN else "Parameters") + \
        (f" ({len(shown)} of {len(moved)})" if len(moved) > MOVED_SHOWN else "")
    params = Table(title=title, title_justify="left", box=box.SIMPLE_HEAD, pad_edge=False)
    for head in ("parameter", "at step 0", f"after {history.steps_words}", "change"):
        params.add_column(head, justify="left" if head == "parameter" else "right")
    for pname, start, end in shown:
        change = end - start
        style = "green" if change > 0 else "red" if change < 0 else ""
        params.add_row(pname, f(start), f(end), Text(("+" if change > 0 else "") + f(change), style))
    out.append(params)
    if history.hidden_deltas == "updated":
        out.append(Text("Note: " + UPDATED_NOTE, style="yellow"))
    return out


def print_to(console: "Console", history: History, digits: int = 9) -> None:
    for item in renderables(history, digits):
        console.print(item)


def render(history: History, digits: int | None = None, width: int = 80) -> str:
    """The summary as plain text, ``width`` columns wide."""
    import io

    from rich.console import Console
    buffer = io.StringIO()
    console = Console(file=buffer, width=width, color_system=None, force_terminal=False,
                      highlight=False, emoji=False)
    print_to(console, history, digits or 9)
    return "\n".join(line.rstrip() for line in buffer.getvalue().splitlines()) + "\n"
