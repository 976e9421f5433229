"""The notes' network recomputed in plain floats, and each written number from the notes' own ones."""
import math, pathlib, sys
sys.path.insert(0, str(pathlib.Path(__file__).resolve().parents[1]))
from refkit import sig, show

x1, x2, t1, t2 = 0.05, 0.10, 0.01, 0.99
w1, w2, w3, w4, w5, w6, w7, w8 = .15, .20, .25, .30, .40, .45, .50, .55   # w5 H1->Y1, w6 H1->Y2
b1, b2 = 0.35, 0.60
nh1, nh2 = w1 * x1 + w2 * x2 + b1, w3 * x1 + w4 * x2 + b1
h1, h2 = sig(nh1), sig(nh2)
ny1, ny2 = w5 * h1 + w7 * h2 + b2, w6 * h1 + w8 * h2 + b2
y1, y2 = sig(ny1), sig(ny2)
d1, d2 = (y1 - t1) * y1 * (1 - y1), (y2 - t2) * y2 * (1 - y2)
g5 = d1 * h1
g1 = (d1 * w5 + d2 * w6) * h1 * (1 - h1) * x1
show("net_H1", nh1, "0.3825", f"working 0.0075+0.020+0.35 = {0.0075 + 0.020 + 0.35}")
show("net_H2", nh2, "0.3900", f"working 0.0125+0.030+0.35 = {0.0125 + 0.030 + 0.35}")
show("out_H1", h1, "0.5944", f"from the notes' net 0.3825: {sig(0.3825):.6f}")
show("out_H2", h2, "0.5963", f"from the notes' net 0.3900: {sig(0.39):.6f}")
show("net_Y1", ny1, "0.5359", f"notes' outs without b2: {0.4 * 0.5944 + 0.5 * 0.5963:.6f}")
show("net_Y2", ny2, "0.5955", f"notes' outs without b2: {0.45 * 0.5944 + 0.55 * 0.5963:.6f}")
show("E_Y1", 0.5 * (t1 - y1) ** 2, "0.279")
show("E_Y2", 0.5 * (t2 - y2) ** 2, "0.025")
show("y1", y1, "0.757", f"sigma of the notes' net 0.5359 would be {sig(0.5359):.4f}")
show("y2", y2, "0.768")
show("E_total", 0.5 * (t1 - y1) ** 2 + 0.5 * (t2 - y2) ** 2, "0.304")
show("dE/dout_Y1", y1 - t1, "0.747")
show("dout_Y1/dnet_Y1", y1 * (1 - y1), "0.1840")
show("dE/dw5", g5, "0.081", f"from the notes' numbers 0.747*0.1840*0.5944 = {0.747 * 0.1840 * 0.5944:.6f}")
show("w5_new", w5 - 0.5 * g5, "0.3595", f"from the notes' 0.081: {0.40 - 0.5 * 0.081}")
show("yhat1 (refined)", y1, "0.75137", "Mazur's out_o1 is 0.751365 (his w6, w7 are the notes' w7, w6)")
show("dE/dy1", y1 - t1, "0.74137", f"from the notes' 0.75137: {0.75137 - 0.01:.5f}")
show("dy1/dnet_Y1", y1 * (1 - y1), "0.18676", f"0.75137*0.24863 = {0.75137 * 0.24863:.6f}")
show("dE/dw1", g1, "0.0277",
     f"no sigma'(H1), no path via Y2: 0.74137*0.18676*0.40*0.05 = {0.74137 * 0.18676 * 0.40 * 0.05:.7f} (x10 = 0.0277)")
show("w1_new", w1 - 0.5 * g1, "0.13615", f"from the notes' 0.0277: {0.15 - 0.5 * 0.0277:.5f}")
show("sigma'(net_Y1)", y1 * (1 - y1), "0.184")
