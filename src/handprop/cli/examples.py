"""``handprop examples``: the built-in problems."""
from __future__ import annotations

import argparse


def add_arguments(parser: argparse.ArgumentParser) -> None:
    return None


def run(args) -> int:
    from ..problem import builtin_descriptions
    for name, description in builtin_descriptions().items():
        print(f"{name:<8} {description}")
    return 0
