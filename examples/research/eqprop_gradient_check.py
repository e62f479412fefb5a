#!/usr/bin/python3
"""Runs examples/research/eqprop_gradient.hebb for several beta and prints
the cosine between the equilibrium-propagation update and minus the
gradient of the loss C = |y - T|^2 / 2 at the free equilibrium, computed
by implicit differentiation: at the equilibrium every unit strictly
inside (0, 1) satisfies z = A z + c (A the symmetric coupling of h and y,
c = (W1 x, 0)); units at 0 or 1 do not move (D = 0)."""
import os
import subprocess
import sys
import tempfile

import numpy as np

here = os.path.dirname(os.path.abspath(__file__))
hebb = sys.argv[1] if len(sys.argv) > 1 else os.path.join(
    here, "..", "..", "build", "bin", "hebb")


def gradient(x, h, y, t, w1, w2):
    """dC/dW1 (64 x 100) and dC/dW2 (100 x 10), weights as [pre, post]."""
    nh, ny = len(h), len(y)
    a = np.zeros((nh + ny, nh + ny))
    a[:nh, nh:] = w2          # h_j gets sum_k W2[j, k] y_k
    a[nh:, :nh] = w2.T        # y_k gets sum_j W2[j, k] h_j
    z = np.concatenate([h, y])
    d = ((z > 0) & (z < 1)).astype(float)
    g = np.concatenate([np.zeros(nh), y - t])
    lam = np.linalg.solve(np.eye(nh + ny) - a * d[None, :], g)
    mu = d * lam               # dC/dc
    mh, my = mu[:nh], mu[nh:]
    return np.outer(x, mh), np.outer(h, my) + np.outer(mh, y)


def cosine(a, b):
    return float(a.ravel() @ b.ravel() / np.linalg.norm(a) / np.linalg.norm(b))


def check(beta):
    out = tempfile.mkdtemp()
    subprocess.run([hebb, "run", os.path.join(here, "eqprop_gradient.hebb"),
                    "--out", out, "--quiet", "--precision", "f64",
                    "--set", f"beta_nudged={beta}"], check=True,
                   stdout=subprocess.DEVNULL)
    load = lambda name: np.load(os.path.join(out, name + ".npy")).astype(float)
    row = np.load(os.path.join(here, "..", "data", "digits_test.npy"))[0]
    x, t = row[:64].astype(float), row[64:].astype(float)
    h, y = load("h_r_at_end_free")[0], load("y_r_at_end_free")[0]
    w1, w2 = load("w1_w_at_end_free")[0], load("w2_w_at_end_free")[0]
    # Synapses are stored post-major: w1[post * 64 + pre].
    dw1 = (load("w1_w_at_end_nudged")[0] - w1).reshape(100, 64).T
    dw2 = (load("w2_w_at_end_nudged")[0] - w2).reshape(10, 100).T
    g1, g2 = gradient(x, h, y, t, w1.reshape(100, 64).T, w2.reshape(10, 100).T)
    return (cosine(dw1, -g1), cosine(dw2, -g2),
            cosine(np.concatenate([dw1.ravel(), dw2.ravel()]),
                   -np.concatenate([g1.ravel(), g2.ravel()])))


if __name__ == "__main__":
    print("beta      cos W1    cos W2    cos all")
    for beta in [1, 0.5, 0.1, 0.01, 0.001]:
        print("%-8g  %.6f  %.6f  %.6f" % ((beta,) + check(beta)))
