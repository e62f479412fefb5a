#!/usr/bin/python3
"""Accuracy and Jacobian asymmetry, epoch by epoch, of a run of
eqprop_asymmetric.hebb: python3 eqprop_asymmetry.py RUN_DIR.

At a free fixed point, units at 0 or 1 (where rho = clip(s, 0, 1) is flat)
do not move, and the Jacobian of the dynamics restricted to the units
that do (h and y strictly inside (0, 1), masks D_h and D_y) has the
off-diagonal blocks D_y W2 D_h and D_h B D_y, so that
||J - J^T|| = sqrt(2) ||D_y (W2 - B^T) D_h||. Printed per epoch: test
accuracy, the mean over the test digits of ||J - J^T|| and of the relative
asymmetry ||D_y (W2 - B^T) D_h|| / ||D_y (W2 + B^T) D_h|| (0 for
symmetric couplings, about 1 for independent ones; digits with no moving
output unit left out), and the weights' own ||W2 - B^T|| / ||W2||."""
import os
import sys
import numpy as np

run = sys.argv[1]
here = os.path.dirname(os.path.abspath(__file__))
labels = np.load(os.path.join(here, "..", "data", "digits_test.npy"))[:, 64:]
labels = labels.argmax(1)
y = np.load(os.path.join(run, "y_r_at_end_test.npy"))
h = np.load(os.path.join(run, "h_r_at_end_test.npy"))
w2 = np.load(os.path.join(run, "w2_w_at_end_snapshot.npy"))
asym = np.load(os.path.join(run, "asymmetry_w_at_end_snapshot.npy"))
print("epoch  accuracy  rel. asymmetry of J  ||J - J^T||  ||W2 - B^T||/||W2||")
for e in range(len(w2)):
    W = w2[e].reshape(10, 100)        # post-major: W2[y, h]
    # B = W2^T + A, A[h, y] post-major; B^T = W2 + A^T
    Bt = W + asym[e].reshape(100, 10).T
    rows = slice(e * 297, (e + 1) * 297)
    acc = (y[rows].argmax(1) == labels).mean()
    rel, absolute = [], []
    for hs, ys in zip(h[rows], y[rows]):
        dh = ((hs > 0) & (hs < 1)).astype(float)
        dy = ((ys > 0) & (ys < 1)).astype(float)
        diff = dy[:, None] * (W - Bt) * dh[None, :]
        both = dy[:, None] * (W + Bt) * dh[None, :]
        absolute.append(np.sqrt(2) * np.linalg.norm(diff))
        if np.linalg.norm(both) > 0:
            rel.append(np.linalg.norm(diff) / np.linalg.norm(both))
    print("%5d  %8.3f  %19.3f  %11.3f  %19.3f" %
          (e + 1, acc, np.mean(rel), np.mean(absolute),
           np.linalg.norm(W - Bt) / np.linalg.norm(W)))
