#!/usr/bin/python3
"""Writes the data of examples/contrastive_hebbian.hebb: 400 inputs x
(4-dimensional, standard normal, seed 1), targets y = A x for a fixed 2x4
matrix A, and A itself. Run with /usr/bin/python3 (Debian's numpy)."""
import os

import numpy as np

here = os.path.dirname(os.path.abspath(__file__))
rng = np.random.default_rng(1)
a = np.array([[0.5, -0.3, 0.8, 0.0], [-0.2, 0.6, 0.1, -0.7]])
x = rng.standard_normal((400, 4))
np.save(os.path.join(here, "chl_x.npy"), x.astype(np.float32))
np.save(os.path.join(here, "chl_y.npy"), (x @ a.T).astype(np.float32))
np.save(os.path.join(here, "chl_a.npy"), a)
