"""``handprop verify [PROBLEM] [--no-torch]``: every gradient against finite differences and PyTorch."""
from __future__ import annotations

import argparse


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("problem", nargs="?", default="notes")
    parser.add_argument("--no-torch", action="store_true", help="skip the PyTorch comparison")


def run(args) -> int:
    from ..problem import load
    from ..verify import report
    ok, text = report(load(args.problem), torch=not args.no_torch)
    print(text)
    return 0 if ok else 1
