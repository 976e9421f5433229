"""The notebook's example recomputed in plain floats, with its own rounded numbers alongside."""
import math, pathlib, sys
sys.path.insert(0, str(pathlib.Path(__file__).resolve().parents[1]))
from refkit import sig, show

x1, x2, y, eta = 1, 0, 1, 0.1
z1 = 0.5 * x1 - 0.5 * x2 + 0
a1 = sig(z1)
z2 = 1 * a1 + 0
p = sig(z2)
L = -(y * math.log(p) + (1 - y) * math.log(1 - p))
dp = -y / p + (1 - y) / (1 - p)
d2 = p - y
da1 = d2 * 1
d1 = da1 * a1 * (1 - a1)
show("z_1", z1, "0.5"); show("a_1", a1, "0.622"); show("z_2", z2, "0.622", f"from 0.622: 0.622")
show("y-hat", p, "0.650", f"from z_2 = 0.622: {sig(0.622):.5f}"); show("y-hat", p, "0.65")
show("Loss", L, "0.431", f"-ln(0.65) = {-math.log(0.65):.5f}")
show("dL/dy-hat", dp, "-1.538", f"-1/0.65 = {-1 / 0.65:.5f}")
show("dy-hat/dz_2", p * (1 - p), "0.2275", f"0.65 x 0.35 = {0.65 * 0.35:.4f}")
show("dL/dz_2", d2, "-0.35", f"-1.538 x 0.2275 = {-1.538 * 0.2275:.5f}")
show("dL/dW_2", d2 * a1, "-0.218", f"-0.35 x 0.622 = {-0.35 * 0.622:.5f}")
show("dL/db_2", d2, "-0.35")
show("dL/da_1", da1, "-0.35")
show("da_1/dz_1", a1 * (1 - a1), "0.235", f"0.622 x 0.378 = {0.622 * 0.378:.5f}")
show("dL/dz_1", d1, "-0.082", f"-0.35 x 0.235 = {-0.35 * 0.235:.5f}")
show("dL/dW_1[1]", d1 * x1, "-0.082"); show("dL/dW_1[2]", d1 * x2, "0"); show("dL/db_1", d1, "-0.082")
show("W_2 new", 1 - eta * d2 * a1, "1.022"); show("b_2 new", 0 - eta * d2, "0.035")
show("W_1[1] new", 0.5 - eta * d1 * x1, "0.5082"); show("W_1[2] new", -0.5 - eta * d1 * x2, "-0.5")
show("b_1 new", 0 - eta * d1, "0.0082")
