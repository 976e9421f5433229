"""Z1 = X . W1 + b1 of the page's example, exactly (fractions)."""
import pathlib, sys
from fractions import Fraction as F
sys.path.insert(0, str(pathlib.Path(__file__).resolve().parents[1]))
from refkit import show

W1 = [[F("0.35"), F("-0.21"), F("0.48")], [F("-0.15"), F("0.67"), F("0.12")],
      [F("0.44"), F("-0.39"), F("0.55")], [F("-0.28"), F("0.19"), F("-0.41")]]
X = [[F("0.2"), F("0.5"), F("0.1"), F("0.8")], [F("0.3"), F("0.7"), F("0.4"), F("0.6")]]
written = [["-0.185", "0.321", "0.156"], ["-0.095", "0.487", "0.203"]]
for i, x in enumerate(X):
    for j in range(3):
        z = sum(x[k] * W1[k][j] for k in range(4))
        show(f"Z1[{i},{j}]", float(z), written[i][j], f"exactly {z}")
