#!/usr/bin/python3
"""Writes the digits split the examples use: the first 1500 images for
training and the last 297 for testing (../shared/data/README.md), each row
the 64 pixels in [0, 1] followed by the one-hot label (10 values). For
continual learning, the training rows are also split into two tasks:
digits 0-4 and digits 5-9."""
import os
import numpy as np

here = os.path.dirname(os.path.abspath(__file__))
shared = os.path.join(here, "..", "..", "..", "shared", "data")
x = np.load(os.path.join(shared, "digits_x.npy")).astype(np.float32)
y = np.load(os.path.join(shared, "digits_y.npy")).astype(np.int64)
rows = np.concatenate([x, np.eye(10, dtype=np.float32)[y]], axis=1)
np.save(os.path.join(here, "digits_train.npy"), rows[:1500])
np.save(os.path.join(here, "digits_test.npy"), rows[1500:])
np.save(os.path.join(here, "digits_test_labels.npy"), y[1500:].astype(np.int32))
train = rows[:1500]
np.save(os.path.join(here, "digits_train_0to4.npy"), train[y[:1500] < 5])
np.save(os.path.join(here, "digits_train_5to9.npy"), train[y[:1500] >= 5])
