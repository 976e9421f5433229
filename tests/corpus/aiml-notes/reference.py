"""The page's forward pass recomputed in plain floats."""
import pathlib, sys
sys.path.insert(0, str(pathlib.Path(__file__).resolve().parents[1]))
from refkit import relu, sig, show

x1, x2, t = 0.5, 0.8, 1.0
z1 = x1 * 0.1 + x2 * 0.2 + 0.1
z2 = x1 * 0.3 + x2 * 0.4 + 0.1
h1, h2 = relu(z1), relu(z2)
zo = h1 * 0.5 + h2 * 0.6 + 0.1
o = sig(zo)
L = 0.5 * (t - o) ** 2
show("z_hidden[0]", z1, "0.31"); show("z_hidden[1]", z2, "0.57")
show("h[0]", h1, "0.31"); show("h[1]", h2, "0.57")
show("z_out", zo, "0.597"); show("output", o, "0.6449")
r = round((1 - 0.6449) ** 2, 4)
show("loss", L, "0.0631", f"from 0.6449: {0.5 * (1 - 0.6449) ** 2:.6f}; squares rounded to 4 places: 0.5*{r} = {0.5 * r:.5f}")
