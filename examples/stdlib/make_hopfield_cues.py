#!/usr/bin/python3
"""Writes the inputs of hopfield.hebb: random patterns, then corrupted cues.

hopfield_P.npy (uint8, 0 -> -1, 1 -> +1, N = 200 columns): P random patterns
(one row each, stored one per step), then for each of the first `trials`
patterns its cue with 20% of the units flipped, repeated for the 6 steps of
a recall trial. Run with /usr/bin/python3 (Debian's numpy).
"""
import os

import numpy as np

N, FLIP, TRIAL_STEPS = 200, 0.2, 6
here = os.path.dirname(os.path.abspath(__file__))
for patterns, trials, seed in [(10, 10, 1), (60, 20, 2)]:
    rng = np.random.default_rng(seed)
    xi = rng.integers(0, 2, size=(patterns, N), dtype=np.uint8)
    rows = [xi]
    for k in range(trials):
        cue = xi[k].copy()
        flip = rng.choice(N, int(FLIP * N), replace=False)
        cue[flip] ^= 1
        rows.append(np.repeat(cue[None, :], TRIAL_STEPS, axis=0))
    np.save(os.path.join(here, "hopfield_%d.npy" % patterns),
            np.concatenate(rows))
