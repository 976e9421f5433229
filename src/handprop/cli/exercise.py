"""``handprop exercise new|key``: sets of exercises with nice numbers, their sheets and keys.

- ``exercise new [--architecture 2-2-2 | --like PROBLEM] [--activation A[,A…]] [--loss L]
  [--count N] [--seed S] [--decimals 1|2] [--ask forward,loss,w5,…] [--rounding 4|full] -o DIR``
- ``exercise key CODE [--set DIR]``: a variant's key written again from its problem file.
- ``exercise export [--set DIR] --format moodle|moodle-cloze|gift|qti [-o FILE]``: the set for an LMS.

The work is in :mod:`handprop.exercises`; docs/exercises.md has the set's files.
"""
from __future__ import annotations

import argparse
import sys

from .io import whole_option


def add_arguments(parser: argparse.ArgumentParser) -> None:
    sub = parser.add_subparsers(dest="action", metavar="ACTION", parser_class=type(parser))
    sub.required = True
    new = sub.add_parser("new", help="a set of variants with their worksheets and keys")
    shape = new.add_mutually_exclusive_group()
    shape.add_argument("--architecture", default=None, metavar="SIZES",
                       help="inputs, then each layer's units: 2-2-2 (the default), 3-4-1, 2-3-3-2")
    shape.add_argument("--like", default=None, metavar="PROBLEM",
                       help="vary the numbers of this problem's network (a file or a built-in name)")
    new.add_argument("--activation", default=None, metavar="A[,A...]",
                     help="one activation for every layer, or one per layer (default sigmoid)")
    new.add_argument("--loss", default=None, help="the loss (default half_sse; cross_entropy after softmax)")
    new.add_argument("--count", type=whole_option("--count", 1, 500), default=1, metavar="N",
                     help="how many variants (default 1)")
    new.add_argument("--seed", type=whole_option("--seed", 0, 2**63 - 1), default=0, metavar="S",
                     help="the same seed gives the same files, byte for byte (default 0)")
    new.add_argument("--decimals", type=whole_option("--decimals", 1, 2), default=2, metavar="D",
                     help="decimal places of the given numbers: 1 or 2 (default 2)")
    new.add_argument("--ask", default=None, metavar="NAMES",
                     help="what to compute: forward, hidden, loss, deltas, gradients, updates, after, "
                          "a parameter (its gradient) or a quantity id (default forward,loss and two gradients)")
    new.add_argument("--rounding", default="4", metavar="4|full",
                     help="round intermediates to N decimals (2 to 6; default 4) or keep full precision")
    new.add_argument("-o", "--output", required=True, metavar="DIR", help="a new folder for the set")
    key = sub.add_parser("key", help="write a variant's answer key again from its code")
    key.add_argument("code", help="the variant's code, as printed on its worksheet")
    key.add_argument("--set", default=".", metavar="DIR", dest="set_dir",
                     help="the folder of the set (default: the current folder)")
    export = sub.add_parser("export", help="the set for an LMS: Moodle XML, Cloze, GIFT, Canvas QTI")
    export.add_argument("--set", default=".", metavar="DIR", dest="set_dir",
                        help="the folder of the set (default: the current folder)")
    export.add_argument("--format", required=True, metavar="FORMAT",
                        help="moodle, moodle-cloze, gift or qti (Canvas)")
    export.add_argument("-o", "--output", default=None, metavar="FILE",
                        help="where to write it (default: in the set's folder, moodle.xml, "
                             "moodle-cloze.xml, gift.txt or canvas-qti.zip)")


def run(args) -> int:
    if args.action == "export":
        return _export(args)
    return _new(args) if args.action == "new" else _key(args)


def _new(args) -> int:
    from ..errors import UsageError
    from ..exercises.build import check_target, write_set
    from ..exercises.generate import Recipe, parse_architecture
    from ..exercises.asking import names
    from ..exercises.policy import Policy
    from .output import is_stream
    if args.output.startswith("/dev/") or is_stream(args.output):
        raise UsageError("is not a folder a set can be written to", args.output)
    try:
        policy = Policy.parse(args.rounding)
    except ValueError as err:
        raise UsageError(str(err), "--rounding") from None
    recipe = Recipe(architecture=None if args.like else parse_architecture(args.architecture or "2-2-2"),
                    like=args.like,
                    activations=tuple(a.strip() for a in args.activation.split(",")) if args.activation else (),
                    loss=args.loss, count=args.count, seed=args.seed, decimals=args.decimals,
                    ask=names(args.ask) if args.ask is not None else (), rounding=policy)
    check_target(args.output)
    ex = write_set(recipe, args.output)
    codes = " ".join(v.code for v in ex.variants[:12]) + (" …" if len(ex.variants) > 12 else "")
    print(f"wrote {len(ex.variants)} variant{'s' if len(ex.variants) != 1 else ''} to {args.output}: "
          f"{codes}")
    print("  set.json, worksheets.pdf, keys.pdf; per variant CODE/problem.yaml, worksheet.*, key.*, solve.html")
    print("  for an LMS: moodle.xml, moodle-cloze.xml, gift.txt, canvas-qti.zip")
    print(f"  asked: {', '.join(ex.ids)}; rounding: {policy.text}")
    return 0


def _key(args) -> int:
    from pathlib import Path

    from ..exercises.build import key_files
    from ..exercises.generate import model_of
    from ..exercises.policy import written
    from ..exercises.setfile import read_set
    from .output import write_output
    stored = read_set(args.set_dir)
    variant = stored.variant(args.code)
    policy = stored.policy
    now = policy.answers(model_of(variant.problem), stored.ids)
    changed = [k for k in stored.ids if written(now[k]) != written(variant.answers[k])]
    if changed:
        print(f"handprop: {variant.code}: the problem file gives other answers than set.json for "
              f"{', '.join(changed)}: the key follows the problem file", file=sys.stderr)
    from dataclasses import replace
    variant = replace(variant, answers=now)
    folder = Path(args.set_dir) / variant.code
    for name, data in key_files(variant, stored.ids, policy).items():
        write_output(str(folder / name), data)
        print(folder / name)
    return 0


def _export(args) -> int:
    from pathlib import Path

    from ..errors import UsageError
    from ..exercises.lms import EXPORTS, from_folder
    from ..exercises.setfile import SET_FILE, read_set
    from .output import check_output, is_stdout, is_stream, refuse_own_input, write_output
    chosen = EXPORTS.get(args.format)
    if chosen is None:
        raise UsageError(f"unknown format {args.format!r} (formats: {', '.join(EXPORTS)})", "--format")
    read_set(args.set_dir)                  # a folder that holds no set is named first
    output = args.output or str(Path(args.set_dir) / chosen.file)
    if not is_stdout(output) and (output.startswith("/dev/") or is_stream(output)):
        raise UsageError("is not a file an export can be written to", "-o", output)
    check_output(output)
    refuse_own_input(output, set=str(Path(args.set_dir) / SET_FILE))
    quiz = from_folder(args.set_dir)
    if quiz.changed:
        print(f"handprop: the problem files give other answers than set.json for "
              f"{', '.join(f'{code} {k}' for code, k in quiz.changed)}: the export follows the problem files",
              file=sys.stderr)
    data = chosen.write(quiz)
    write_output(output, data)
    if not is_stdout(output):
        print(f"wrote {output}: {chosen.description}, {len(quiz.items)} variant"
              f"{'s' if len(quiz.items) != 1 else ''}")
    return 0
