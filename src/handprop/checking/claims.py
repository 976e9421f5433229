"""Claims files, and the names people write for the quantities of a network.

A claims file holds one claim a line, ``NAME = VALUE`` (``:`` or ``≈`` also
separate them; ``NAME = 0.0075 + 0.020 + 0.35 = 0.3825`` claims the last
number), ``#`` starts a comment, ``problem: SPEC`` names the problem (a path,
relative to the claims file, or a built-in name), and a line ``[title]``
starts a new part: within a part each quantity is claimed once; a later part may
claim it again (the notes use a "refined" y1 in their w1 part).

NAME is a quantity id (docs/quantities.md) (``net:H1``, ``grad:w5``) or one of the ways
people write it: ``out_H1``, ``net H1``, ``y1``/``ŷ1`` (the first output),
``E_total``, ``Etotal``, ``E_Y1``, ``dE/dw5``, ``∂E/∂w5``, ``∂E_total/∂w5``,
``w5_new``, ``w5+``, ``w5'``, ``new_w5``, ``dout_Y1/dnet_Y1``, ``σ'(net_Y1)``,
``delta_Y1``, ``δY1``, ``dE/dnet_Y1``, textbook names (``z_H1`` for the net input, ``a_H1``
and ``H1_{out}`` for the output, ``H1_{in}``, ``L`` and ``∂L/∂w5`` for the loss; a weight by
layer, row and column, ``W1[1,2]``, ``W^{(1)}_{12}``, a bias ``b^{(2)}_1``; Han & Kamber's
``O_6``, ``I_6``, ``Err_6``, ``w46``, ``θ6`` and units named by number), the checker's own
quantities (``Δw5``, ``change in w5``: ``change:w5``; ``out_Y1_new``, ``y1 after the
update``, ``E_new[2]``: the forward pass after the update), ``dw5`` for the gradient as code
writes it, with Unicode subscripts (``w₅``) and in any
case; ``[k]`` after a name picks sample k.  :class:`Names` resolves them
against one problem; a name it cannot resolve gets the closest suggestions,
never a guess.
"""
from __future__ import annotations

import difflib
import re
import unicodedata
from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation
from pathlib import Path

from ..errors import ClaimsError
from ..visible import hidden_in, one_line
from ..problem import Problem, builtins, read_text
from ..quantities import UPDATE_KINDS, FORWARD_KINDS, after_of, checker_ids, plain, pretty, qid, split_id
from ..quantities import parse as parse_id
from ..quantities import qid as make_id

PACKAGED = Path(__file__).resolve().parents[1] / "problem" / "examples"

OPTIMIZER_STEPS = tuple(k for k in UPDATE_KINDS if k != "new")
"""The optimizer's quantities of a parameter before its update (m, v, m̂ …): combined over the
samples, as the gradient they are worked from."""


@dataclass(frozen=True)
class Claim:
    line: int           # 1-based line number in the file
    name: str           # the name as written
    text: str           # the number as written
    value: Decimal
    part: str = ""      # the [title] of the part it is in ("" before any title)
    working: str = ""   # the last piece of arithmetic written before the number, if any


@dataclass(frozen=True)
class ClaimsFile:
    source: str                     # the path as given (for messages)
    claims: tuple[Claim, ...]
    problem: str | None = None      # ``problem:`` line, resolved against the file's folder
    problem_line: int | None = None
    convention: str | None = None   # ``convention:`` line: "t - y" or "y - t" (CONVENTION_NAMES)
    unread: tuple[tuple[str, str], ...] = ()
    """Lines that could not be read, when the file was read to be checked (:func:`read`): the
    checker reports them together with every claim made twice, in one error."""


# ---------------------------------------------------------------- reading

_SEPARATORS = re.compile(r"=|≈|:(?=[ \t]{0,20}[-+−.\d])")   # pieces are stripped: no \s* to backtrack over
MAX_LINE = 2_000
"""The longest line of a claims file (a claim with its working)."""
MAX_WORKING = 400
"""The longest working (arithmetic before the number) that is read as arithmetic."""
MAX_EXPONENT = 40
"""A claimed number is written with a power of ten within ±MAX_EXPONENT."""
MAX_FIGURES = 30
"""A claimed number has at most this many significant figures (the exact solution is known
to 40)."""
_NUMBER = re.compile(r"^[+-]?(?:\d+(?:\.\d*)?|\.\d+)(?:[eE][+-]?\d+)?$")
_TIMES_TEN = re.compile(r"^(?P<m>[^×x*·]+?)\s*[×x*·]\s*10\s*\^?\s*(?P<e>[-+]?\d+)$")
_PROBLEM = re.compile(r"^problem\s*[:=]\s*(?P<spec>.*)$", re.IGNORECASE)
_CONVENTION = re.compile(r"^convention\s*[:=]\s*(?P<spec>.*)$", re.IGNORECASE)
CONVENTION_NAMES = {"t-y": "t - y", "error=t-y": "t - y", "y-t": "y - t", "error=y-t": "y - t"}
"""How a ``convention:`` line may name the sign convention of the error (spaces and the
Unicode minus ignored): error = t − y with the update added, or the problem's own y − t."""
_HEADING = re.compile(r"^\[(?P<title>[^\[\]]*)\]$")
_SUPERSCRIPTS = str.maketrans("⁰¹²³⁴⁵⁶⁷⁸⁹⁻⁺", "0123456789-+")


def resolve_path(path: str) -> str:
    """``path`` itself, or the packaged claims file of that name (``examples/notes-claims.txt``)."""
    if path == "-" or Path(path).exists():
        return path
    name = Path(path).name
    for candidate in (name, name + ".txt"):
        packaged = PACKAGED / candidate
        if packaged.is_file() and not candidate.endswith((".yaml", ".yml")):
            return str(packaged)
    return path


def read(path: str) -> ClaimsFile:
    """Parse a claims file (``-`` for stdin); bad lines raise :class:`ClaimsError`."""
    real = resolve_path(path)
    if real != "-" and not Path(real).exists() and not Path(real).is_symlink():
        raise ClaimsError("no such file", source=path)
    text = read_text(real, "claims")
    base = None if real == "-" else Path(real).parent
    return parse(text, source="<stdin>" if path == "-" else path, folder=base, keep_going=True)


def parse(text: str, source: str = "<claims>", folder: Path | None = None, keep_going: bool = False
          ) -> ClaimsFile:
    """The claims of ``text``.  Unreadable lines are an error (all of them, in one); with
    ``keep_going`` a file that has claims too is returned with them in ``unread``, for the
    checker to report with the claims made twice (which only the problem's names show)."""
    claims: list[Claim] = []
    problem = problem_line = None
    convention = convention_line = None
    part = ""
    errors: list[tuple[str, str]] = []     # every unreadable line, reported together
    for number, raw in enumerate(text.split("\n"), start=1):   # only \n ends a line (not NEL)
        where = f"line {number}"
        if len(raw) > MAX_LINE:
            errors.append((where, f"is {len(raw):,} characters long; a claim fits on a line of at most "
                                  f"{MAX_LINE:,}"))
            continue
        line = raw.split("#", 1)[0].strip()
        if not line:
            continue
        if m := _HEADING.match(line):
            part = one_line(m["title"].strip()) or f"part at line {number}"
            continue
        if m := _PROBLEM.match(line):
            if problem is not None:
                errors.append((where, f"the problem is already named on line {problem_line}"))
                continue
            spec = m["spec"].strip()
            if not spec:
                errors.append((where, "'problem:' needs a file or a built-in name after it"))
                continue
            if folder is not None and spec not in builtins() and not Path(spec).is_absolute() \
                    and (folder / spec).exists():
                spec = str(folder / spec)
            problem, problem_line = spec, number
            continue
        if m := _CONVENTION.match(line):
            said = m["spec"].replace("−", "-").replace(" ", "").casefold()
            if said not in CONVENTION_NAMES:
                errors.append((where, f"the convention {_shown(m['spec'].strip())} is not known: write "
                                      "'convention: t - y' (error = t − y, the update added) or 'convention: y - t'"))
            elif convention is not None:
                errors.append((where, f"the convention is already named on line {convention_line}"))
            else:
                convention, convention_line = CONVENTION_NAMES[said], number
            continue
        pieces = _SEPARATORS.split(line)
        if len(pieces) < 2:
            errors.append((where, f"expected NAME = NUMBER, got {_shown(line)}"))
            continue
        name, written = pieces[0].strip(), pieces[-1].strip()
        if not name:
            errors.append((where, f"no name before the number in {_shown(line)}"))
            continue
        hidden = hidden_in(name)
        if hidden:
            errors.append((where, f"the name {_shown(name)} holds {hidden}, which does not show; write "
                                  "the name as the problem does"))
            continue
        if not written:
            errors.append((where, f"no number after the name in {_shown(line)}"))
            continue
        value = number_of(written)
        if value is None:
            hint = " (use a point for decimals)" if re.fullmatch(r"[-+−]?\d+,\d+", written) else ""
            errors.append((where, f"{_shown(written)} {_not_a_claim(written)}{hint}"))
            continue
        working = next((w for w in reversed(pieces[1:-1]) if arithmetic(w) is not None), "")
        claims.append(Claim(number, name, written, value, part, working.strip()))
    if errors and (not keep_going or not claims):
        raise unreadable(errors, source)
    if not claims:
        raise ClaimsError("has no claims: write one NAME = NUMBER a line (e.g. out_H1 = 0.5933)",
                          "", source)
    return ClaimsFile(source, tuple(claims), problem, problem_line, convention, tuple(errors))


SHOWN_ERRORS = 10
"""Unreadable lines named in the one line of a claims error; the rest are counted."""


def unreadable(errors: list[tuple[str, str]], source: str) -> ClaimsError:
    """One error naming every unreadable line (the first ``SHOWN_ERRORS`` of them, then how
    many more), so that a claimant mends them all at once."""
    (where, message), rest = errors[0], errors[1:SHOWN_ERRORS]
    text = message + "".join(f"; {w}: {m}" for w, m in rest)
    if len(errors) > SHOWN_ERRORS:
        text += f"; and {len(errors) - SHOWN_ERRORS} more unreadable lines"
    return ClaimsError(text, where, source)


def _decimal_of(written: str) -> Decimal | None:
    """The decimal written in ``written`` (``0.3825``, ``−0.5``, ``3.5e-05``, ``3.5 × 10⁻⁵``),
    whatever its size, or None."""
    text = written.strip().replace("−", "-").replace("\u2009", "").replace(" ", "")
    if m := _TIMES_TEN.match(text.translate(_SUPERSCRIPTS)):
        text = f"{m['m']}e{m['e']}"
    if not _NUMBER.match(text):
        return None
    try:
        value = Decimal(text)
    except InvalidOperation:
        return None
    return value if value.is_finite() else None


def _beyond(value: Decimal) -> str | None:
    """What puts a written decimal beyond a claim's limits, or None."""
    if len(value.as_tuple().digits) > MAX_FIGURES:
        return f"has more than {MAX_FIGURES} significant figures"
    if abs(value.as_tuple().exponent) > MAX_EXPONENT:
        return f"has a power of ten beyond ±{MAX_EXPONENT}"
    if value.copy_abs() > Decimal("1e30"):
        return "is larger than 1e30 in magnitude"
    return None


def number_of(written: str) -> Decimal | None:
    """The number claimed in ``written``, or None (not a number, or beyond the limits)."""
    value = _decimal_of(written)
    return value if value is not None and _beyond(value) is None else None


def _not_a_claim(written: str) -> str:
    """Why ``written``, which :func:`number_of` refused, is no claim."""
    value = _decimal_of(written)
    return "is not a number" if value is None else _beyond(value) or "is not a number"


def arithmetic(text: str) -> tuple[float, int] | None:
    """The value of a line of plain arithmetic (``0.0075 + 0.020 + 0.35``, ``(0.15)(0.05)``,
    ``½ × 0.5580``) and how many numbers it holds; None for anything else."""
    import ast
    if len(text) > MAX_WORKING:
        return None
    text = text.strip().replace("²", "**2").replace("³", "**3").translate(_SUPERSCRIPTS)
    for a, b in (("×", "*"), ("·", "*"), ("⋅", "*"), ("÷", "/"), ("−", "-"), ("½", "0.5")):
        text = text.replace(a, b)
    text = re.sub(r"(?<=[\d.)])\s*\(", "*(", text)
    text = re.sub(r"\)\s*(?=[\d.(])", ")*", text)
    if not text or not re.fullmatch(r"[\d.\s+\-*/()eE]+", text):
        return None
    try:
        tree = ast.parse(text, mode="eval")
    except (SyntaxError, RecursionError, MemoryError, ValueError):
        return None
    count = 0

    def value(node) -> float:
        nonlocal count
        if isinstance(node, ast.Constant) and isinstance(node.value, (int, float)):
            count += 1
            return float(node.value)
        if isinstance(node, ast.UnaryOp) and isinstance(node.op, (ast.UAdd, ast.USub)):
            v = value(node.operand)
            return -v if isinstance(node.op, ast.USub) else v
        if isinstance(node, ast.BinOp):
            if isinstance(node.op, ast.Pow):
                if not (isinstance(node.right, ast.Constant) and node.right.value in (2, 3)):
                    raise ValueError("power")
                return value(node.left) ** node.right.value
            a, b = value(node.left), value(node.right)
            ops = {ast.Add: lambda: a + b, ast.Sub: lambda: a - b, ast.Mult: lambda: a * b,
                   ast.Div: lambda: a / b}
            if type(node.op) not in ops:
                raise ValueError("operator")
            return ops[type(node.op)]()
        raise ValueError("not arithmetic")
    try:
        result = value(tree.body)
    except (ValueError, ZeroDivisionError, OverflowError, RecursionError):
        return None
    if result != result or result in (float("inf"), float("-inf")):
        return None            # 1e200 * 1e200: not a number a working can come to
    return result, max(count, 1)


def _shown(text: str) -> str:
    return repr(text if len(text) <= 40 else text[:39] + "…")


# ---------------------------------------------------------------- names


def _norm(text: str) -> str:
    """Casefolded, without spaces, underscores, braces, backslashes or carets."""
    text = unicodedata.normalize("NFKC", text).translate(_SUPERSCRIPTS)
    text = text.replace("\\partial", "∂").replace("−", "-")
    for prime in ("’", "′", "ʹ", "‘", "`"):
        text = text.replace(prime, "'")
    text = text.casefold()
    text = text.replace("∂", "d").replace("ŷ", "yhat").replace("δ", "delta").replace("σ", "sigma")
    text = text.replace("∇", "grad").replace("\\delta", "delta").replace("\\sigma", "sigma")
    text = text.replace("∆", "delta").replace("θ", "theta").replace("\\theta", "theta")
    text = text.replace("\u0302", "hat")          # m̂ (m and a combining circumflex): mhat
    return re.sub(r"[\s_{}\\^]", "", text)


_E = r"(?:e|etotal|etot|loss|error|totalerror|l|ltotal|cost)"
_NEW = r"(?:new|\+|'|\(new\)|updated|after)"
_AFTER = r"(?:new|\+|\(new\)|updated|\(updated\)|after|afterupdate|aftertheupdate|afterupdating)"
"""How a forward quantity after the update is marked (``out_Y1_new``, ``y1 after the update``):
as for a parameter but without the prime, which on a unit's name reads as a derivative."""
_UNIT_NAMES = ((r"net(?P<u>.+)", "net"), (r"out(?P<u>.+)", "out"), (r"z(?P<u>.+)", "net"),
               (r"a(?P<u>.+)", "out"), (r"(?P<u>.+?)out", "out"), (r"(?P<u>.+?)(?:in|net)", "net"),
               (r"o(?P<u>.+)", "out"), (r"i(?P<u>.+)", "net"))
"""How a unit's net input and output are named, as (pattern of the normalised name, kind); the
last two are Han & Kamber's O_j and I_j."""
_STATE_NAMES = ((r"(?:mhat|hatm)(?P<p>.+)", ("mhat",)), (r"(?:vhat|hatv|shat)(?P<p>.+)", ("vhat",)),
                (r"(?:velocity|vel|buffer|buf|b)(?P<p>.+)", ("velocity",)),
                (r"(?:firstmoment|momentum|mean|m)(?P<p>.+)", ("m", "velocity")),
                (r"(?:secondmoment|squareavg|sqavg|v|s)(?P<p>.+)", ("v", "velocity")),
                (r"(?:decayedgrad|decayed|gradwd|gwd|g)(?P<p>.+)", ("decayed",)),
                (r"(?:shrunk|ptilde|tildep)(?P<p>.+)|(?P<q>.+?)shrunk", ("shrunk",)))
r"""How the optimizer's numbers of a parameter are named, as (pattern of the normalised name, the
kinds it may be, in order): ``m_w5``, ``m̂_w5``, ``mhat w5``, ``\hat{m}_{w5}``, ``v_w5`` (the
second moment, or momentum's velocity where there is no second moment), ``velocity_w5``,
``b_w5`` (torch's buffer), ``s_w5`` (RMSprop's mean square), ``g_w5`` (the gradient with weight
decay).  The parameter must be named after the letter: ``m5`` is not guessed."""
_LAYER = r"(?:\((?P<l>\d+)\)|\[(?P<lb>\d+)\])"           # ^{(l)}, ^{[l]}: the layer, normalised
_MATRIX_WEIGHT = (re.compile(rf"w{_LAYER}(?:(?P<j>\d+),(?P<i>\d+)|(?P<j1>\d)(?P<i1>\d))"),
                  re.compile(r"w(?P<l>\d+)\[(?P<j>\d+),(?P<i>\d+)\]"),
                  re.compile(r"w(?P<l>\d)(?P<j1>\d)(?P<i1>\d)"))
"""A weight by layer, row and column: W^{(1)}_{12}, W^{(1)}_{1,2}, W1[1,2], W1_12 (one digit each)."""
_VECTOR_BIAS = (re.compile(rf"b{_LAYER}(?P<j>\d+)"), re.compile(r"b(?P<l>\d+)\[(?P<j>\d+)\]"))
"""A bias by layer and unit: b^{(2)}_1, b2[1]."""


@dataclass
class Resolution:
    qid: str | None                 # the quantity id, or None when unknown
    reason: str = ""                # why it is unknown
    suggestions: tuple[str, ...] = ()


@dataclass
class Names:
    """Resolves written names to the quantity ids of one problem."""

    problem: Problem
    ids: tuple[str, ...]            # every quantity id of the problem's trace
    _units: dict[str, list[str]] = field(default_factory=dict)
    _params: dict[str, list[str]] = field(default_factory=dict)

    def __post_init__(self):
        self.ids = tuple(self.ids) + checker_ids(self.ids)     # change:P, new:out:Y1 …
        self.known = set(self.ids)
        self._ci = {q.casefold(): q for q in self.ids}
        for layer in self.problem.layers:
            for u in layer.units:
                self._units.setdefault(_norm(u), []).append(u)
        for p in self.problem.params:
            self._params.setdefault(_norm(p), []).append(p)
        self._inputs = {_norm(x): x for x in self.problem.inputs}
        self._textbook()

    def _textbook(self):
        """The names textbooks give the parameters: a weight by layer, row and column (the row
        is the unit it feeds, the column the unit or input it comes from, both from 1, as the
        matrix shorthand's ``W[j][i]`` and torch's ``weight[j, i]``); a bias by layer and unit;
        Han & Kamber's ``w46`` (from unit 4 to unit 6) and ``θ6`` (the bias of unit 6)."""
        p = self.problem
        self._matrix: dict[tuple[int, int, int], str] = {}
        self._vector: dict[tuple[int, int], str] = {}
        self._pair: dict[tuple[str, str], str] = {}
        self._theta: dict[str, str] = {}
        for li, layer in enumerate(p.layers):
            sources = p.inputs if li == 0 else p.layers[li - 1].units
            column = {x: i for i, x in enumerate(sources, start=1)}
            for j, u in enumerate(layer.units, start=1):
                for w in p.incoming[u]:
                    if w.src in column:
                        self._matrix[(li + 1, j, column[w.src])] = w.name
                bias = p.bias_of[u]
                if bias is not None:
                    self._vector[(li + 1, j)] = bias.name
                    self._theta[_norm(u)] = bias.name
        for w in p.weights:
            self._pair[(_norm(w.src), _norm(w.dst))] = w.name

    # -- tokens

    def unit(self, token: str) -> str | None:
        found = self._units.get(token)
        if found and len(found) == 1:
            return found[0]
        if m := re.fullmatch(r"(?:yhat|y)(\d+)", token):     # ŷk, yk: the k-th output
            k = int(m[1])
            if 1 <= k <= len(self.problem.outputs):
                return self.problem.outputs[k - 1]
        return None

    def out_unit(self, token: str) -> str | None:
        """A unit from ``out_U``, ``U`` or ``ŷk``."""
        if token.startswith("out") and (u := self.unit(token[3:])):
            return u
        return self.unit(token)

    def param(self, token: str) -> str | None:
        """A parameter from its name, or from a textbook's name for it (:meth:`_textbook`) when
        that reads one way only."""
        found = self._params.get(token)
        if found:
            return found[0] if len(found) == 1 else None
        readings = set()
        for pattern in _MATRIX_WEIGHT:
            if m := pattern.fullmatch(token):
                d = m.groupdict()
                l, j, i = d.get("l") or d.get("lb"), d.get("j") or d.get("j1"), d.get("i") or d.get("i1")
                if (w := self._matrix.get((int(l), int(j), int(i)))) is not None:
                    readings.add(w)
        for pattern in _VECTOR_BIAS:
            if m := pattern.fullmatch(token):
                d = m.groupdict()
                if (b := self._vector.get((int(d.get("l") or d.get("lb")), int(d["j"])))) is not None:
                    readings.add(b)
        if m := re.fullmatch(r"theta(?P<u>.+)", token):
            if (b := self._theta.get(m["u"])) is not None:
                readings.add(b)
        if m := re.fullmatch(r"w(?P<a>[^,]+?),?(?P<b>[^,]+)", token):     # w46, w_{4,6}
            pair = m["a"] + m["b"]
            comma = "," in token
            splits = [(m["a"], m["b"])] if comma else [(pair[:k], pair[k:]) for k in range(1, len(pair))]
            for a, b in splits:
                if (w := self._pair.get((a, b))) is not None:
                    readings.add(w)
        return readings.pop() if len(readings) == 1 else None

    def e_unit(self, token: str) -> tuple[bool, str | None]:
        """(is the total loss or a part of it, the output unit of the part)."""
        if re.fullmatch(_E, token):
            return True, None
        if token.startswith("e") and (u := self.unit(token[1:])) and u in self.problem.outputs:
            return True, u
        return False, None

    # -- whole names

    def resolve(self, written: str) -> Resolution:
        raw = written.strip()
        if raw in self.known:
            return Resolution(raw)
        if raw.casefold() in self._ci:
            return Resolution(self._ci[raw.casefold()])
        sample = ""
        whole = raw
        if m := re.search(r"\[\s*(\d+)\s*\]\s*$", raw):
            sample, raw = m[1], raw[:m.start()]
        found = self._parse(_norm(raw))
        if sample and not self.problem.multi:       # one sample: b2[1] may be a textbook's bias
            textbook = self._parse(_norm(whole))
            if isinstance(textbook, str) and textbook in self.known:
                if isinstance(found, str) and found != textbook and (sample == "1"):
                    return Resolution(None, f"{whole!r} reads two ways: {plain(found)} (sample {sample}) or "
                                            f"{plain(textbook)} (the textbook's layer and unit); write "
                                            f"{plain(textbook)} or {plain(found)}", (plain(textbook), plain(found)))
                return Resolution(textbook)
        if isinstance(found, Resolution):
            return found if found.qid is None else self._with_sample(found.qid, sample, written)
        if found is None:
            return Resolution(None, f"no quantity of this problem is called {written.strip()!r}",
                              self.suggest(written))
        return self._with_sample(found, sample, written)

    def _with_sample(self, qid: str, sample: str, written: str) -> Resolution:
        multi = self.problem.multi
        n = len(self.problem.samples)
        s = parse_id(qid)
        combined = qid in ("E:total", "new:E:total") or s.kind in ("grad", "change", *OPTIMIZER_STEPS) or \
            (s.kind == "new" and ":" not in s.name)
        if sample:
            k = int(sample)
            if not 1 <= k <= n:
                return Resolution(None, f"there {'is' if n == 1 else 'are'} {n} sample{'s' if n > 1 else ''}, "
                                        f"not sample {k}")
            if multi:
                s = parse_id(qid)
                qid = make_id(s.kind, s.name, k)
        elif multi and not combined:
            return Resolution(None, f"which sample? this problem has {n}: write {written.strip()}[1] "
                                    f"… {written.strip()}[{n}]", ())
        if qid in self.known:
            return Resolution(qid)
        kind, name, _ = split_id(qid)
        if kind in ("new", "change") and name in self.problem.bias and not self.problem.update_biases:
            return Resolution(None, f"{name} is not updated in this problem (update_biases: false)")
        return Resolution(None, f"{pretty(qid)} is not a quantity of this problem", self.suggest(written))

    def _parse(self, s: str, after: bool = True):
        """A quantity id (before the sample suffix), a Resolution for a known non-quantity, or None
        (``after`` False: not a quantity after the update, whose name holds the one before it)."""
        if re.fullmatch(rf"(?:new{_E}|{_E}{_NEW}|{_E}\(updated\))", s):
            return "new:E:total"
        if re.fullmatch(_E, s):
            return "E:total"
        if m := re.fullmatch(r"d(?P<num>[^/]+)/d(?P<den>.+)", s):
            return self._derivative(m["num"], m["den"])
        if m := re.fullmatch(r"(?:sigma|f|g|act|a)'(?:\((?P<arg>.+)\))?(?P<u>.*)", s):
            arg = m["arg"] or m["u"]
            arg = arg[3:] if arg.startswith("net") else arg
            u = self.unit(arg)
            return qid("dout/dnet", u) if u else None
        if m := re.fullmatch(r"(?:delta|err)(?P<u>.+)", s):       # δ_H1; Han & Kamber's Err_6
            if u := self.unit(m["u"]):
                return qid("delta", u)
            if s.startswith("delta") and (p := self.param(m["u"])):  # Δw5: the change in the update
                return qid("change", p)
        if m := re.fullmatch(r"change(?:in|of)?(?P<p>.+)|(?P<q>.+?)change", s):
            if p := self.param(m["p"] or m["q"]):
                return qid("change", p)
        if m := re.fullmatch(r"grad(?:ient)?(?:of)?(?P<p>.+)", s):
            p = self.param(m["p"])
            return qid("grad", p) if p else None
        if not self._params.get(s) and (found := self._state(s)) is not None:
            return found
        if m := re.fullmatch(rf"new(?P<p>.+)|(?P<q>.+?){_NEW}", s):
            p = self.param(m["p"] or m["q"])
            if p:
                return qid("new", p)
        if after and (m := re.fullmatch(rf"new(?P<p>.+)|(?P<q>.+?){_AFTER}", s)):  # out_Y1_new
            before = self._parse(m["p"] or m["q"], after=False)
            if isinstance(before, str) and parse_id(before).kind in FORWARD_KINDS:
                return after_of(before)
        if s.startswith("d") and not self._params.get(s) and (p := self.param(s[1:])):
            return qid("grad", p)                       # dw5, dW1[1,2]: the gradient, as ML code names it
        # net_H1, out_H1; textbooks' z_H1 and a_H1; H1_{out}, H1_{in}
        for pattern, kind in _UNIT_NAMES:
            if (m := re.fullmatch(pattern, s)) and (u := self.unit(m["u"])):
                return qid(kind, u)
        is_e, u = self.e_unit(s)
        if is_e and u:
            return qid("E", u)
        if u := self.unit(s):
            return qid("out", u)
        if p := self.param(s):
            return Resolution(None, f"{p} is a parameter the problem gives ({self.problem.params[p]:g}); "
                                    f"a claim about it is its gradient (dE/d{p}) or its update ({p}_new)",
                              (f"dE/d{p}", f"{p}_new"))
        if s in self._inputs:
            return Resolution(None, f"{self._inputs[s]} is an input the problem gives, not a computed quantity")
        return None

    def _state(self, s: str) -> str | Resolution | None:
        """An optimizer's number of a parameter (:data:`_STATE_NAMES`), or None; the state before
        the step (``m_w5,t−1``) is a given number, answered as such."""
        before = re.fullmatch(r"(?P<n>.+?)(?:,?t-1|\(t-1\)|before|old|prev(?:ious)?)", s)
        for pattern, kinds in _STATE_NAMES:
            m = re.fullmatch(pattern, before["n"] if before else s)
            if not m:
                continue
            p = self.param(m["p"] or m.groupdict().get("q") or "")
            if p is None:
                continue
            for kind in kinds:
                if qid(kind, p) in self.known:
                    if before:
                        return Resolution(None, f"{plain(qid(kind, p))} before the step is a number the "
                                                f"step starts from (state:{qid(kind, p)}); claim the one "
                                                f"after it ({plain(qid(kind, p))})", (plain(qid(kind, p)),))
                    return qid(kind, p)
        return None

    def _derivative(self, num: str, den: str):
        is_e, part = self.e_unit(num)
        if is_e:
            if den.startswith("net") and (u := self.unit(den[3:])):
                target = qid("delta", u)
                unit = u
            elif (u := self.out_unit(den)) is not None:
                target = qid("dE/dout", u)
                unit = u
            elif (p := self.param(den)) is not None:
                target = qid("grad", p)
                unit = None
            else:
                return None
            if part is not None and part != unit:
                return Resolution(None, f"∂E_{part}/∂… is only the part of the derivative that flows "
                                        f"through {part}; claim the whole derivative (∂E/∂…) instead")
            return target
        u = self.out_unit(num)
        if u is not None and den.startswith("net") and self.unit(den[3:]) == u:
            return qid("dout/dnet", u)
        return None

    def suggest(self, written: str) -> tuple[str, ...]:
        """The closest ways of writing a quantity of this problem (at most three)."""
        forms: dict[str, str] = {}
        for q in self.ids:
            for form in (plain(q), q, pretty(q)):
                forms.setdefault(form.casefold(), plain(q))
        close = difflib.get_close_matches(written.strip().casefold(), list(forms), n=6, cutoff=0.6)
        return tuple(dict.fromkeys(forms[c] for c in close))[:3]
