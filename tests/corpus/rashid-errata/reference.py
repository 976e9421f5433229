"""Rashid's worked weight update recomputed in plain floats."""
import pathlib, sys
sys.path.insert(0, str(pathlib.Path(__file__).resolve().parents[1]))
from refkit import sig, show

o1, o2, w11, w21, e1, eta = 0.4, 0.5, 2.0, 3.0, 1.5, 0.1
net = w11 * o1 + w21 * o2
o = sig(net)
g = -e1 * o * (1 - o) * o1          # dE/dw11 = -(t - o) sigmoid'(net) o_j
show("net_k1", net, "2.3"); show("out_k1", o, "0.909")
show("dout/dnet", o * (1 - o), "0.083")
show("dE/dw11", g, "-0.04969")
show("w11_new (version 1)", w11 - eta * g, "1.995", f"w + eta*g (the update added) = {w11 + eta * g:.6f}")
show("w11_new (version 2)", w11 - eta * g, "2.005")
