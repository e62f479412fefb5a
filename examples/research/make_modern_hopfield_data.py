#!/usr/bin/python3
"""Writes the inputs of modern_hopfield.hebb (run with /usr/bin/python3).

modern_hopfield_patterns.npy: 20 random +-1 patterns of 64 units (float32,
one row each), stored one per `store` phase. modern_hopfield_cues.npy: for
each pattern its cue with 25% of the units flipped.
"""
import os

import numpy as np

P, D, FLIP = 20, 64, 0.25
here = os.path.dirname(os.path.abspath(__file__))
rng = np.random.default_rng(7)
xi = rng.choice([-1.0, 1.0], size=(P, D)).astype(np.float32)
cues = xi.copy()
for k in range(P):
    cues[k, rng.choice(D, int(FLIP * D), replace=False)] *= -1
np.save(os.path.join(here, "modern_hopfield_patterns.npy"), xi)
np.save(os.path.join(here, "modern_hopfield_cues.npy"), cues)
