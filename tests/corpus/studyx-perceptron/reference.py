"""The answer's step recomputed in plain floats (delta = dE/dnet), and from the answer's numbers."""
import pathlib, sys
sys.path.insert(0, str(pathlib.Path(__file__).resolve().parents[1]))
from refkit import sig, show

x1, x2, d, a = 1, 3, 0.9, 0.1
W10, W11, W12, W20, W21, W22, u10, u11, u12 = 3, -1, 2, 1, 2, 0, -3, 1, -2
z1 = W10 + W11 * x1 + W12 * x2
z2 = W20 + W21 * x1 + W22 * x2
h1, h2 = sig(z1), sig(z2)
zo = u10 + u11 * h1 + u12 * h2
y = sig(zo)
do = (y - d) * y * (1 - y)
d1 = do * u11 * h1 * (1 - h1)
d2 = do * u12 * h2 * (1 - h2)
show("z1", z1, "8"); show("h1", h1, "0.9997"); show("z2", z2, "3"); show("h2", h2, "0.9526")
show("z_out", zo, "-5.905", f"the answer's working -3 + 0.9997 - 2*0.9526 = {-3 + 0.9997 - 2 * 0.9526:.4f}")
show("y", y, "0.002", f"from its z_out -5.905: {sig(-5.905):.6f}")
show("dE/dy", y - d, "0.898", f"the answer's error_out = d - y = {0.9 - 0.002:.3f} (= -dE/dy)")
show("delta_out", do, "0.00179", f"its delta_out = y(1-y)(d-y) from its numbers: {0.002 * 0.998 * 0.898:.6f}")
show("delta_h1", d1, "0.000000537", f"from its numbers: {0.9997 * (1 - 0.9997) * 0.001791:.4e}")
show("delta_h2", d2, "-0.00016", f"from its numbers: {0.9526 * (1 - 0.9526) * 0.00179 * -2:.6f}")
for name, w, g, text, own in (("u10", u10, do, "-2.9998", -3 + 0.1 * 0.00179), ("u11", u11, do * h1, "1.0002", 1 + 0.1 * 0.00179 * 0.9997),
                              ("u12", u12, do * h2, "-1.9998", -2 + 0.1 * 0.00179 * 0.9526),
                              ("W10", W10, d1, "3.0000", 3 + 0.1 * 0.000000537), ("W11", W11, d1 * x1, "-0.99999", -1 + 0.1 * 0.000000537),
                              ("W12", W12, d1 * x2, "2.0000", 2 + 0.1 * 0.000000537 * 3),
                              ("W20", W20, d2, "0.9998", 1 + 0.1 * -0.00016), ("W21", W21, d2 * x1, "1.9998", 2 + 0.1 * -0.00016)):
    show(name + "_new", w - a * g, text, f"the answer's rule w + alpha*delta*input on its numbers: {own:.8f}")
