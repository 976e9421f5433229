"""The expression tree every step is written in: nodes, functions, printers, evaluation."""
from .functions import EXP, LN, SIGMOID, SQRT, TANH, Function, Notation
from .nodes import (ADD, ATOM, DIV, HALF, MUL, ONE, POW, TWO, Add, Cases, Div, Expr, Fn, Frac,
                    Max, Mul, Neg, Num, Partial, Pow, Stable, Sym, Words, Apply, Written, add, mul, num,
                    sub)
from .numbers import fmt_number, latex_number, text_number, typst_number
from .printers import PRINTERS, LatexPrinter, Printer, TextPrinter, TypstPrinter, tex_escape, tex_name

__all__ = ["EXP", "LN", "SIGMOID", "SQRT", "TANH", "Function", "Notation", "ADD", "ATOM", "DIV",
           "HALF", "MUL", "ONE", "POW", "TWO", "Add", "Cases", "Div", "Expr", "Fn", "Frac", "Max", "Stable", "Mul",
           "Neg", "Num", "Partial", "Pow", "Sym", "Words", "Apply", "Written", "add", "mul", "num", "sub", "fmt_number",
           "latex_number", "text_number", "typst_number", "PRINTERS", "LatexPrinter", "Printer",
           "TextPrinter", "TypstPrinter", "tex_escape", "tex_name"]
