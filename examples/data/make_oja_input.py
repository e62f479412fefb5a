#!/usr/bin/python3
"""Writes the input of examples/oja_pca.hebb and its known eigenvectors.

20000 samples x = Q diag(sqrt(lambda)) z of a zero-mean Gaussian whose
covariance Q diag(lambda) Q^T has eigenvalues 5, 2, 1.5, 1, 0.8, 0.6, 0.5,
0.4, 0.3, 0.2 and a random orthonormal Q (seed 0). The top eigenvector of the
covariance is Q[:, 0]. Run with /usr/bin/python3 (Debian's numpy).
"""
import os

import numpy as np

here = os.path.dirname(os.path.abspath(__file__))
rng = np.random.default_rng(0)
eigenvalues = np.array([5, 2, 1.5, 1, 0.8, 0.6, 0.5, 0.4, 0.3, 0.2])
q, _ = np.linalg.qr(rng.standard_normal((10, 10)))
z = rng.standard_normal((20000, 10))
x = (z * np.sqrt(eigenvalues)) @ q.T
np.save(os.path.join(here, "oja_input.npy"), x.astype(np.float32))
np.save(os.path.join(here, "oja_top_eigenvector.npy"), q[:, 0].astype(np.float64))
# Row k: the eigenvector of the k-th largest eigenvalue (for Sanger's rule).
np.save(os.path.join(here, "oja_eigenvectors.npy"),
        np.ascontiguousarray(q.T, dtype=np.float64))
print("sample covariance top eigenvalue:",
      np.linalg.eigvalsh(np.cov(x.T))[-1])
