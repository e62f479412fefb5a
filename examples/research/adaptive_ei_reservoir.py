#!/usr/bin/python3
"""Memory capacity of the reservoir of adaptive_ei_reservoir.hebb with
per-neuron adaptive inhibitory gains, against the same reservoir with one
global gain swept over a grid: python3 adaptive_ei_reservoir.py [HEBB]
[--set k=v ...] (HEBB: the hebb binary, default build/bin/hebb).

Memory capacity: the sum over delays k = 0..60 of the squared correlation
between u(t - k) and its ridge reconstruction (lambda 1e-6, with a bias)
from the state x(t), fitted on the first half of the 4000 recorded steps
(after 60) and measured on the second."""
import os
import subprocess
import sys
import tempfile
import numpy as np

here = os.path.dirname(os.path.abspath(__file__))
args = sys.argv[1:]
hebb = os.path.join(here, "..", "..", "build", "bin", "hebb")
if args and not args[0].startswith("--"):
    hebb, args = args[0], args[1:]
source = os.path.join(here, "adaptive_ei_reservoir.hebb")


def memory_capacity(run, delays=60, lam=1e-6):
    x = np.load(os.path.join(run, "res_x_at_end_measure.npy"))
    u = np.load(os.path.join(run, "inp_r_at_end_measure.npy")).ravel()
    n, half = len(x), len(x) // 2
    states = np.hstack([x, np.ones((n, 1))])
    fit, test = states[delays:half], states[half:]
    solve = np.linalg.solve(fit.T @ fit + lam * np.eye(fit.shape[1]), fit.T)
    total = 0.0
    for k in range(delays + 1):
        target = u[delays - k:n - k]
        w = solve @ target[:half - delays]
        c = np.corrcoef(test @ w, target[half - delays:])[0, 1]
        total += c * c
    return total


def run(extra):
    with tempfile.TemporaryDirectory() as out:
        subprocess.run([hebb, "run", source, "--out", out, "--quiet"] + args +
                       extra, check=True, stdout=subprocess.DEVNULL)
        return memory_capacity(out)


best = (0.0, None)
print("global gain g   memory capacity")
for g in np.arange(0.5, 8.01, 0.5):
    m = run(["--set", "adapt=0", "--set", "g0=%g" % g])
    print("%13.1f   %15.2f" % (g, m))
    best = max(best, (m, g))
adaptive = run([])
print("best global: %.2f (g = %.1f); adaptive, heterogeneous targets: %.2f"
      % (best[0], best[1], adaptive))
