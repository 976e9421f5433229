"""dO/dw1 of the question's network in plain floats: right, and with the asker's formula."""
import math, pathlib, sys
sys.path.insert(0, str(pathlib.Path(__file__).resolve().parents[1]))
from refkit import sig, show

d = lambda x: sig(x) * (1 - sig(x))     # the question's d(x), at the net x
w1 = w2 = w3 = w4 = w5 = 0.5
I = 1
a = I * w1 + 1
b1 = sig(a) * w2 + 1
b2 = sig(a) * w3 + 1
c = sig(b1) * w4 + sig(b2) * w5 + 1
right = d(c) * (w4 * d(b1) * w2 * d(a) * I + w5 * d(b2) * w3 * d(a) * I)
asker = d(c) * (d(b1) * d(a) * I + d(b2) * d(a) * I)       # w4 w2 and w5 w3 left out of the paths
print("O =", repr(sig(c)), " target O - 1 =", repr(sig(c) - 1))
show("dO/dw1 (desmos)", right, "0.0014291881022")
show("dO/dw1 (asker)", right, "0.00571675240882", f"the asker's formula gives {asker!r} = 4 x right")
