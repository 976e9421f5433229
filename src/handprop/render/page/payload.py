"""What the player reads: a trace and its document model as plain JSON (the *payload*).

::

    {"trace":    {"schema", "name", "problem", "values", "warnings", "digits",
                  ["hand_values", "rounding"],
                  "steps": [{"id", "phase", "subject": {"kind", "name", "sample"}, "title",
                             "chain": {"latex": [...], "text": [...], "numbers": i},
                             "value", "uses", "focus": {"nodes", "edges"}, "note",
                             "terms": [{"label", "latex", "text", "value", "ref", "question"}],
                             "forms": [{"kind", "title", "chain", "value"}],
                             "sample", "layer"}]},
     "digits":   significant figures of the numbers the page formats itself,
     "sections": [{"key", "title", "start", "end"}]  steps grouped as on paper (end exclusive),
     "doc":      {"given": [[label, listing]], "tables": [table...], "updates": table,
                  "state": table or null (the optimizer's state before and after the update),
                  "after": str, "questions_title": str, "questions": [{"question", "latex", "text", "answer"}],
                  "rounding": str, "summary": str, "settings": str, "matrix": the matrix view or null,
                  "compact": bool  (the lecture-notes form: forward table, one line per delta,
                                    the table of every gradient and update; options.compact),
                  "compact_lines": [{"id", "section", "latex": [...], "text": [...]}] (each
                                    delta's line of the compact document), "compact_updates": table},
     "extras":   {...}}

A table is ``{"kind", "title", "headers": [str], "rows": [{"cells": [str], "style", "link"}],
"aligns", "more"}``, its cells already written (in text notation) by the document model,
so the page's tables are the other writers' tables.  A step's chain is a list of
members, never a string to split, and its subject is data: the page never parses an id.
"""
from __future__ import annotations

from dataclasses import replace
from typing import Any

from ...trace import Trace
from ..document import Document, Table, document, given_items
from ..matrix_write import page_json as matrix_json
from ..text import cell_text

__all__ = ["payload"]


def _chain(trace: Trace, item, digits: int) -> dict[str, Any]:
    lists, at = trace.members(item, ("latex", "text"), digits)
    return {"latex": lists["latex"], "text": lists["text"], "numbers": at}


def _step(trace: Trace, s, digits: int, memo: dict) -> dict[str, Any]:
    return {
        "id": s.id, "phase": s.phase, "subject": s.subject.to_json(), "title": s.title,
        "chain": _chain(trace, s, digits), "value": s.value, "uses": list(s.uses),
        "focus": {"nodes": list(s.focus.nodes), "edges": list(s.focus.edges)}, "note": s.note,
        "terms": [memo.get(id(t)) or trace.term_json(t, digits, memo) for t in s.terms],
        "forms": [{"kind": f.kind, "title": f.title, "chain": _chain(trace, f, digits), "value": f.value}
                  for f in s.forms],
        "sample": s.sample, "layer": s.layer,
    }


def _table(doc: Document, t: Table) -> dict[str, Any]:
    return {"kind": t.kind, "title": t.title, "headers": [cell_text(doc, c) for c in t.headers],
            "rows": [{"cells": [cell_text(doc, c) for c in row],
                      "style": t.styles[i] if t.styles else "",
                      "link": t.links[i] if t.links else None} for i, row in enumerate(t.rows)],
            "aligns": t.aligns, "more": t.more}


def payload(trace: Trace, digits: int | None = None, extras: dict[str, Any] | None = None,
            options=None) -> dict[str, Any]:
    """What ``boot`` reads: the trace, the sections, the document's tables and texts, the extras.
    The player steps through every step, so its sections and tables are those of the full
    form; ``compact`` only says how the page prints."""
    compact = bool(options is not None and options.compact)
    lines: list[dict[str, Any]] = []
    compact_updates = None
    if compact:
        notes = document(trace, digits, replace(options, view=options.view or "steps"))
        lines = [{"id": b.step_id, "section": s.title, "latex": notes.line(b.step, "latex"),
                  "text": notes.line(b.step, "text")}
                 for s in notes.sections if s.lines for b in s.blocks if b.step_id.startswith("delta:")]
        compact_updates = _table(notes, notes.updates)
        options = replace(options, compact=False, view=options.view or "steps")
    doc = document(trace, digits, options, blocks=False)     # the page lays out each step itself
    d = doc.digits
    secs, start = [], 0
    for section in doc.sections:
        secs.append({"key": section.key, "title": section.title, "start": start,
                     "end": start + len(section.steps)})
        start += len(section.steps)
    memo: dict = {}                     # terms are shared by many steps: each written once
    body = trace._document([_step(trace, s, d, memo) for s in trace.steps])
    return {
        "trace": body, "digits": d, "sections": secs,
        "doc": {
            "given": [[row.label, ", ".join(given_items(row))] for row in doc.given]
            + ([["…", f"and {doc.more_samples} more samples"]] if doc.more_samples else []),
            "tables": [_table(doc, s.table) for s in doc.sections if s.table is not None],
            "updates": _table(doc, doc.updates), "after": doc.after,
            "state": _table(doc, doc.state) if doc.state is not None else None,
            "questions_title": doc.questions_title,
            "questions": [{"question": q.question, "latex": doc.write(q.symbol, "latex"),
                           "text": doc.write(q.symbol, "text"), "answer": q.answer} for q in doc.questions],
            "rounding": doc.rounding_note.replace("`", ""),
            "summary": doc.summary, "settings": doc.settings,
            "matrix": matrix_json(doc),     # the matrix view (render/matrix_write.py), else None
            "compact": compact,
            "compact_lines": lines,            # compact: each delta as lecture notes write it
            "compact_updates": compact_updates,  # compact: every gradient (as δ × input) and update
        },
        "extras": extras or {},
    }
