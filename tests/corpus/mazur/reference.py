"""Mazur's step, recomputed in plain floats (run: python tests/corpus/mazur/reference.py)."""
import pathlib, sys
sys.path.insert(0, str(pathlib.Path(__file__).resolve().parents[1]))
from refkit import sig, show

i1, i2, t1, t2, eta = 0.05, 0.10, 0.01, 0.99, 0.5
w = dict(w1=.15, w2=.20, w3=.25, w4=.30, w5=.40, w6=.45, w7=.50, w8=.55)
b1, b2 = 0.35, 0.60


def forward(w):
    nh1 = w["w1"] * i1 + w["w2"] * i2 + b1
    nh2 = w["w3"] * i1 + w["w4"] * i2 + b1
    h1, h2 = sig(nh1), sig(nh2)
    no1 = w["w5"] * h1 + w["w6"] * h2 + b2
    no2 = w["w7"] * h1 + w["w8"] * h2 + b2
    return nh1, nh2, h1, h2, no1, no2, sig(no1), sig(no2)


def backward(w, w_hidden):
    """Gradients; the hidden deltas use the weights w_hidden (w itself when done right)."""
    nh1, nh2, h1, h2, no1, no2, o1, o2 = forward(w)
    d1 = (o1 - t1) * o1 * (1 - o1)
    d2 = (o2 - t2) * o2 * (1 - o2)
    g = dict(w5=d1 * h1, w6=d1 * h2, w7=d2 * h1, w8=d2 * h2)
    eh1 = d1 * w_hidden["w5"] + d2 * w_hidden["w7"]
    eh2 = d1 * w_hidden["w6"] + d2 * w_hidden["w8"]
    dh1, dh2 = eh1 * h1 * (1 - h1), eh2 * h2 * (1 - h2)
    g.update(w1=dh1 * i1, w2=dh1 * i2, w3=dh2 * i1, w4=dh2 * i2)
    return g, d1, eh1, h1 * (1 - h1)


def loss(w):
    *_, o1, o2 = forward(w)
    return 0.5 * (t1 - o1) ** 2 + 0.5 * (t2 - o2) ** 2


nh1, nh2, h1, h2, no1, no2, o1, o2 = forward(w)
g, d1, eh1, sh1 = backward(w, w)
new = {k: w[k] - eta * g[k] for k in w}
show("net_h1", nh1, "0.3775")
show("out_h1", h1, "0.593269992")
show("out_h2", h2, "0.596884378")
show("net_o1", no1, "1.105905967")
show("out_o1", o1, "0.75136507")
show("out_o2", o2, "0.772928465")
show("E_o1", 0.5 * (t1 - o1) ** 2, "0.274811083")
show("E_o2", 0.5 * (t2 - o2) ** 2, "0.023560026")
show("E_total", loss(w), "0.298371109")
show("dE/dout_o1", o1 - t1, "0.74136507")
show("dout_o1/dnet_o1", o1 * (1 - o1), "0.186815602")
show("dE/dw5", g["w5"], "0.082167041")
for k, text in (("w5", "0.35891648"), ("w6", "0.408666186"), ("w7", "0.511301270"), ("w8", "0.561370121")):
    show(k + "+", new[k], text)
show("delta_o1", d1, "0.138498562")
show("dE/dout_h1", eh1, "0.036350306")
show("dout_h1/dnet_h1", sh1, "0.241300709")
show("dE/dw1", g["w1"], "0.000438568")
for k, text in (("w1", "0.149780716"), ("w2", "0.19956143"), ("w3", "0.24975114"), ("w4", "0.29950229")):
    show(k + "+", new[k], text)
show("E_total(updated)", loss(new), "0.291027924", "the algorithm as described")
# The older code: the hidden deltas computed with the already-updated w5..w8.
g_old, *_ = backward(w, new)
old = {k: w[k] - eta * (g[k] if k in ("w5", "w6", "w7", "w8") else g_old[k]) for k in w}
show("E_total(updated), old code", loss(old), "0.291027924", "hidden deltas with w5+..w8+")
