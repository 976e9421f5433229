"""The page's steps 1-5 recomputed in plain floats, and from the page's own numbers."""
import math, pathlib, sys
sys.path.insert(0, str(pathlib.Path(__file__).resolve().parents[1]))
from refkit import sig, show

x1, x2, x3 = 1, 2, -1
z1 = 0.2 * x1 - 0.3 * x2 + 0.4 * x3 + 0.5
z2 = -0.5 * x1 + 0.1 * x2 + 0.2 * x3 + 0.5
a1, a2 = sig(z1), sig(z2)
z3 = 0.3 * a1 + 0.4 * a2 + 0.1
z4 = -0.1 * a1 + 0.2 * a2 + 0.1
e3, e4 = math.exp(z3), math.exp(z4)
p1, p2 = e3 / (e3 + e4), e4 / (e3 + e4)
show("z(1)", z1, "-0.3"); show("z(2)", z2, "0"); show("a(1)", a1, "0.426"); show("a(2)", a2, "0.5")
show("z(3)", z3, "0.428", f"from 0.426: {0.3 * 0.426 + 0.4 * 0.5 + 0.1:.4f}")
show("z(4)", z4, "0.185", f"the page's working: -0.1*0.426 + 0.2*0.5 + 0.1 = {-0.1 * 0.426 + 0.2 * 0.5 + 0.1:.4f}")
own = math.exp(0.428) / (math.exp(0.428) + math.exp(0.185))
show("y-hat 1", p1, "0.561", f"from the page's z(3) = 0.428, z(4) = 0.185: {own:.6f} (4 places 0.5605, then 0.561)")
show("y-hat 2", p2, "0.439", f"1 - 0.561 = {1 - 0.561:.3f}; from the page's nets {1 - own:.6f}")
show("L", -math.log(p1), "0.579", f"-ln(0.561) = {-math.log(0.561):.6f}; -ln(0.5605) = {-math.log(0.5605):.6f}")
