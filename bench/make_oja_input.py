#!/usr/bin/python3
"""Writes bench/data/oja784.npy, the input of bench/oja784x100.hebb, and its
known top eigenvector bench/data/oja784_u1.npy.

Same distribution as /work/shared/bench/rate_hebb_torch.py's check: x ~ N(0, C),
C = I + (l1-1) u1 u1^T + (l2-1) u2 u2^T, l1 = 1 + 784/4, l2 = 1 + 784/16,
u1 _|_ u2 random unit vectors, so u1 is the top eigenvector.  4096 rows of
float32 (12.8 MB, generated at run time, not committed); the stream repeats them.
The Oja learning rate of the .hebb file is eta = 0.03 / trace(C) as in the
torch script.  Run with /usr/bin/python3.
"""
import os
import numpy as np

N_PRE, ROWS = 784, 4096
here = os.path.join(os.path.dirname(os.path.abspath(__file__)), "data")


def main():
    os.makedirs(here, exist_ok=True)
    out = os.path.join(here, "oja784.npy")
    if os.path.exists(out) and os.path.exists(os.path.join(here, "oja784_u1.npy")):
        return
    rng = np.random.default_rng(0)
    q, _ = np.linalg.qr(rng.standard_normal((N_PRE, 2)))
    u1, u2 = q[:, 0], q[:, 1]
    l1, l2 = 1 + N_PRE / 4, 1 + N_PRE / 16
    z = rng.standard_normal((ROWS, N_PRE))
    a1, a2 = np.sqrt(l1) - 1, np.sqrt(l2) - 1
    x = z + np.outer(z @ u1 * a1, u1) + np.outer(z @ u2 * a2, u2)
    np.save(out, x.astype(np.float32))
    np.save(os.path.join(here, "oja784_u1.npy"), u1)


if __name__ == "__main__":
    main()
