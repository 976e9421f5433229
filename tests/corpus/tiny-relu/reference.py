"""The demo recomputed exactly (fractions): its printed 2.0999999999999996 and 2.204999999999999
are float64 renderings of 2.1 and 2.205."""
import pathlib, sys
from fractions import Fraction as F
sys.path.insert(0, str(pathlib.Path(__file__).resolve().parents[1]))
from refkit import show

x, y = F(2), F(3)
a1, a2 = 1 * x + F(1, 2), -1 * x - F(1, 2)
h1, h2 = max(a1, 0), max(a2, 0)
f = 2 * h1 - 1 * h2 + F(1, 10)
L = F(1, 2) * (f - y) ** 2
df = f - y
dh1, dh2 = 2 * df, -1 * df
r1, r2 = (1 if a1 > 0 else 0), (1 if a2 > 0 else 0)
d1, d2 = dh1 * r1, dh2 * r2
for name, v, text in (("a1[0]", a1, "2.5"), ("a1[1]", a2, "-2.5"), ("h1[0]", h1, "2.5"), ("h1[1]", h2, "0"),
                      ("f", f, "5.1"), ("L", L, "2.204999999999999"), ("dL/df", df, "2.0999999999999996"),
                      ("dL/dW2[0]", df * h1, "5.25"), ("dL/dW2[1]", df * h2, "0"), ("dL/db2", df, "2.0999999999999996"),
                      ("dL/dh1[0]", dh1, "4.2"), ("dL/dh1[1]", dh2, "-2.1"), ("ReLU'(a1)[0]", r1, "1"),
                      ("ReLU'(a1)[1]", r2, "0"), ("dL/da1[0]", d1, "4.2"), ("dL/da1[1]", d2, "-0"),
                      ("dL/dW1[0]", d1 * x, "8.4"), ("dL/dW1[1]", d2 * x, "-0"), ("dL/db1[0]", d1, "4.2"),
                      ("dL/db1[1]", d2, "-0")):
    show(name, float(v), text, f"exactly {v}")
print("float64: 2*2.5 - 0 + 0.1 - 3 =", repr(2 * 2.5 - 0 + 0.1 - 3), "; 0.5*that**2 =", repr(0.5 * (2 * 2.5 + 0.1 - 3) ** 2))
