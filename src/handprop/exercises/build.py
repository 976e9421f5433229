"""A whole set written to a folder: every variant's problem, sheets and key, the class PDFs.

Everything is made in memory first and written into a fresh folder beside the target, which
is renamed into place at the end: a set is written whole or not at all (bad input, or an
impossible set, writes nothing).  The files and their names: :mod:`.setfile`; the LMS exports
beside them (``moodle.xml``, ``moodle-cloze.xml``, ``gift.txt``, ``canvas-qti.zip``): :mod:`.lms`.
"""
from __future__ import annotations

import os
import shutil
import tempfile
import threading
from concurrent.futures import Future, ThreadPoolExecutor
from pathlib import Path

from ..errors import MissingDependency, UsageError
from . import key as keys
from . import sheet as sheets
from . import solvepage
from .lms import export_files, from_set
from .drawing import svg
from .generate import ExerciseSet, Recipe, Variant, plan, variants
from .policy import Policy
from .setfile import CLASS_FILES, FILES, SET_FILE, problem_yaml, set_json


def check_target(folder: str) -> None:
    """The folder a set goes to must not exist yet, or be empty (checked before any work)."""
    path = Path(folder)
    if path.exists() and (not path.is_dir() or any(path.iterdir())):
        raise UsageError("exists and is not an empty folder: give a new folder for the set", folder)
    parent = path.resolve().parent
    if not parent.is_dir() or not os.access(parent, os.W_OK):
        raise UsageError(f"cannot be made: {parent} is not a folder that can be written to", folder)


_LOCAL = threading.local()
WORKERS = 2
"""Typst documents compiled at once (the compiler releases the GIL)."""


def compile_typst(source: str) -> bytes:
    """Typst source to PDF bytes, by a compiler kept per thread (its fonts loaded once), as
    ``handprop.render.pdf`` compiles but untagged (a sheet is for print; tagging the structure
    takes most of the time of a long key)."""
    compiler = getattr(_LOCAL, "compiler", None)
    if compiler is None:
        try:
            import typst
        except ImportError:
            raise MissingDependency("PDF output needs the typst package (pip install typst)",
                                    "exercise") from None
        compiler = _LOCAL.compiler = typst.Compiler(ignore_system_fonts=True)
        _LOCAL.error = typst.TypstError
    try:
        return compiler.compile(source.encode("utf-8"), format="pdf", pdf_tags=False)
    except _LOCAL.error as err:     # our own source: a bug, but say it in one line
        raise UsageError(f"the Typst compiler refused a sheet: {' '.join(str(err).split())[:200]}",
                         "exercise") from None


def variant_files(v: Variant, ids, policy: Policy) -> tuple[dict[str, bytes | str], list[str], list[str]]:
    """(the files of a variant's folder by name -- the PDFs as their Typst source, to compile --,
    its worksheet's Typst body, its key's)."""
    s = sheets.sheet(v, ids, policy)
    k = keys.key(v, ids, policy)
    files = {
        FILES["problem"]: problem_yaml(v.data, v.code).encode(),
        FILES["drawing"]: svg(s.problem).encode(),
        "worksheet.md": sheets.markdown(s, FILES["drawing"]).encode(),
        "worksheet.html": sheets.html(s).encode(),
        "worksheet.tex": sheets.latex(s).encode(),
        "worksheet.pdf": sheets.typst(s),
        "key.md": keys.markdown(k).encode(),
        "key.html": keys.html(k).encode(),
        "key.tex": keys.latex(k).encode(),
        "key.pdf": keys.typst(k),
        FILES["solve"]: solvepage.html(s, k, v.exact, policy.places_shown).encode(),
    }
    return files, sheets.typst_body(s), keys.typst_body(k)


def key_files(v: Variant, ids, policy: Policy) -> dict[str, bytes]:
    """The key of one variant in every format (``exercise key``)."""
    k = keys.key(v, ids, policy)
    return {"key.md": keys.markdown(k).encode(), "key.html": keys.html(k).encode(),
            "key.tex": keys.latex(k).encode(), "key.pdf": compile_typst(keys.typst(k))}


def make(recipe: Recipe) -> tuple[ExerciseSet, dict[str, bytes]]:
    """The set of ``recipe`` and every file of it by its path in the folder.  A variant's PDFs
    are compiled (WORKERS at a time, the compiler releasing the GIL) while the next variant is
    drawn."""
    base, names, ids = plan(recipe)
    policy = recipe.rounding
    out: dict[str, bytes] = {}
    pending: dict[str, Future] = {}
    found: list[Variant] = []
    sheet_bodies, key_bodies = [], []
    with ThreadPoolExecutor(max_workers=WORKERS) as pool:
        try:
            for v in variants(recipe, base, ids):
                found.append(v)
                files, sheet_body, key_body = variant_files(v, ids, policy)
                for name, data in files.items():
                    if isinstance(data, str):
                        pending[f"{v.code}/{name}"] = pool.submit(compile_typst, data)
                    else:
                        out[f"{v.code}/{name}"] = data
                sheet_bodies.append(sheet_body)
                key_bodies.append(key_body)
            pending[CLASS_FILES["worksheets"]] = pool.submit(
                compile_typst, sheets.typst_document(sheet_bodies, "Worksheets"))
            pending[CLASS_FILES["keys"]] = pool.submit(
                compile_typst, sheets.typst_document(key_bodies, "Answer keys"))
            out.update({name: f.result() for name, f in pending.items()})
        except BaseException:
            for f in pending.values():
                f.cancel()
            raise
    ex = ExerciseSet(recipe, names, ids, tuple(found))
    out[SET_FILE] = set_json(ex).encode()
    out.update(export_files(from_set(ex)))
    return ex, {name: out[name] for name in sorted(out)}


def files_of(ex: ExerciseSet) -> dict[str, bytes]:
    """Every file of an already generated set by its path in the folder."""
    policy = ex.recipe.rounding
    out: dict[str, bytes] = {SET_FILE: set_json(ex).encode()}
    sheet_bodies, key_bodies = [], []
    for v in ex.variants:
        files, sheet_body, key_body = variant_files(v, ex.ids, policy)
        out.update({f"{v.code}/{name}": compile_typst(data) if isinstance(data, str) else data
                    for name, data in files.items()})
        sheet_bodies.append(sheet_body)
        key_bodies.append(key_body)
    out[CLASS_FILES["worksheets"]] = compile_typst(sheets.typst_document(sheet_bodies, "Worksheets"))
    out[CLASS_FILES["keys"]] = compile_typst(sheets.typst_document(key_bodies, "Answer keys"))
    out.update(export_files(from_set(ex)))
    return {name: out[name] for name in sorted(out)}


def write_files(folder: str, files: dict[str, bytes]) -> None:
    """``files`` into the new folder ``folder``, whole or not at all."""
    target = Path(folder)
    parent = target.resolve().parent
    tmp = Path(tempfile.mkdtemp(prefix=f".{target.name}.", dir=parent))
    try:
        for name, data in files.items():
            path = tmp / name
            path.parent.mkdir(parents=True, exist_ok=True)
            path.write_bytes(data)
        if target.exists():
            target.rmdir()          # empty (check_target)
        os.replace(tmp, target)
    except BaseException:
        shutil.rmtree(tmp, ignore_errors=True)
        raise


def write_set(recipe: Recipe, folder: str) -> ExerciseSet:
    """The set of ``recipe`` made and written to the new folder ``folder``."""
    check_target(folder)
    ex, files = make(recipe)
    write_files(folder, files)
    return ex
