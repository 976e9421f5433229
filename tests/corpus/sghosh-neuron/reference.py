"""The one-neuron example recomputed in plain floats."""
import pathlib, sys
sys.path.insert(0, str(pathlib.Path(__file__).resolve().parents[1]))
from refkit import sig, show

x1, x2, w11, w12, b, y, eta = 1.0, 2.0, 0.5, -0.4, 0.1, 1.0, 0.1
z = w11 * x1 + w12 * x2 + b
p = sig(z)
d = (p - y) * p * (1 - p)
show("z", z, "-0.2"); show("y_pred", p, "0.4502")
show("Loss", 0.5 * (y - p) ** 2, "0.1511", f"from 0.4502: {0.5 * (1 - 0.4502) ** 2:.6f}")
show("dL/dy_pred", p - y, "-0.5498")
show("dy_pred/dz", p * (1 - p), "0.2475", f"from 0.4502: {0.4502 * 0.5498:.6f}")
show("dL/dz", d, "-0.1360", f"from -0.5498*0.2475: {-0.5498 * 0.2475:.6f}")
show("dL/dw11", d * x1, "-0.1360")
show("dL/dw12", d * x2, "-0.2720", f"from -0.1360: {-0.1360 * 2:.4f}")
show("dL/db", d, "-0.1360")
show("w11_new", w11 - eta * d * x1, "0.5136")
show("w12_new", w12 - eta * d * x2, "-0.3728")
show("b_new", b - eta * d, "0.1136")
