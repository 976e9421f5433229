"""The page's forward pass recomputed in plain floats, with its own working."""
import math, pathlib, sys
sys.path.insert(0, str(pathlib.Path(__file__).resolve().parents[1]))
from refkit import sig, show

x1, x2 = 0.35, 0.7
z1 = 0.2 * x1 + 0.2 * x2
z2 = 0.3 * x1 + 0.3 * x2
a1, a2 = sig(z1), sig(z2)
z3 = 0.3 * a1 + 0.9 * a2
y = sig(z3)
show("z_h1", z1, "0.2100"); show("a_h1", a1, "0.5523", f"e^-0.21 = {math.exp(-0.21):.5f}, 1/1.8106 = {1 / 1.8106:.6f}")
show("z_h2", z2, "0.3150"); show("a_h2", a2, "0.5781", f"e^-0.315 = {math.exp(-0.315):.5f}, 1/1.7298 = {1 / 1.7298:.6f}")
show("z_o3", z3, "0.6860", f"from 0.5523, 0.5781: {0.3 * 0.5523 + 0.9 * 0.5781:.5f}")
show("yhat", y, "0.6651", f"e^-0.6860 = {math.exp(-0.686):.5f} (the page writes 0.5037); 1/1.5037 = {1 / 1.5037:.6f}")
show("L", 0.5 * (y - 1) ** 2, "0.0561", f"from 0.6651: {0.5 * 0.3349 ** 2:.6f}")
