"""Han & Kamber's Example 9.1 recomputed in plain floats; delta = dE/dnet (the book's Err is -delta)."""
import pathlib, sys
sys.path.insert(0, str(pathlib.Path(__file__).resolve().parents[1]))
from refkit import sig, show

x1, x2, x3, T, eta = 1, 0, 1, 1, 0.9
w14, w15, w24, w25, w34, w35, w46, w56 = 0.2, -0.3, 0.4, 0.1, -0.5, 0.2, -0.3, -0.2
w04, w05, w06 = -0.4, 0.2, 0.1
n4 = w14 * x1 + w24 * x2 + w34 * x3 + w04
n5 = w15 * x1 + w25 * x2 + w35 * x3 + w05
o4, o5 = sig(n4), sig(n5)
n6 = w46 * o4 + w56 * o5 + w06
o6 = sig(n6)
d6 = (o6 - T) * o6 * (1 - o6)
d4 = d6 * w46 * o4 * (1 - o4)
d5 = d6 * w56 * o5 * (1 - o5)
show("net_4", n4, "-0.7"); show("out_4", o4, "0.332")
show("net_5", n5, "0.1"); show("out_5", o5, "0.525")
show("net_6", n6, "-0.105"); show("out_6", o6, "0.474")
e6 = 0.474 * (1 - 0.474) * (1 - 0.474)
show("delta_6", d6, "0.1311", f"Err_6 = -delta_6 = {-d6:.6f}; from the book's 0.474: {e6:.6f}")
show("delta_5", d5, "-0.0065", f"Err_5 = {-d5:.6f}; from Err_6 = 0.1311: {0.525 * 0.475 * 0.1311 * -0.2:.6f}")
show("delta_4", d4, "-0.0087", f"Err_4 = {-d4:.6f}; from Err_6 = 0.1311: {0.332 * 0.668 * 0.1311 * -0.3:.6f}")
for name, w, d, o, text in (("w46", w46, d6, o4, "-0.261"), ("w56", w56, d6, o5, "-0.138"),
                            ("w14", w14, d4, x1, "0.192"), ("w15", w15, d5, x1, "-0.306"),
                            ("w24", w24, d4, x2, "0.4"), ("w25", w25, d5, x2, "0.1"),
                            ("w34", w34, d4, x3, "-0.508"), ("w35", w35, d5, x3, "0.194"),
                            ("w06", w06, d6, 1, "0.218"), ("w05", w05, d5, 1, "0.194"),
                            ("w04", w04, d4, 1, "-0.408")):
    show(name + "_new", w - eta * d * o, text)
