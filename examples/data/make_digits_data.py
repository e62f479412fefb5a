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

# Test-time adaptation: the training digits (in a fixed shuffled order, no
# labels) drifting right by a growing fraction of a pixel, 0 to 1 over the
# first 1200 rows and 1 after; and the test digits, first as they are, then
# shifted right by one pixel (labels kept).
def shift_right(images, s):
    """Shifts 8x8 images right by s pixels (0 <= s <= 1), interpolating."""
    img = images.reshape(-1, 8, 8)
    moved = np.zeros_like(img)
    moved[:, :, 1:] = img[:, :, :-1]
    return ((1 - s) * img + s * moved).reshape(-1, 64)


order = np.random.default_rng(0).permutation(1500)
amount = np.minimum(1.0, np.arange(1500) / 1200.0)[:, None]
drift = shift_right(x[:1500][order], 0.0) * (1 - amount) + \
    shift_right(x[:1500][order], 1.0) * amount
np.save(os.path.join(here, "digits_drift.npy"), drift.astype(np.float32))
test = rows[1500:]
shifted = test.copy()
shifted[:, :64] = shift_right(test[:, :64], 1.0)
np.save(os.path.join(here, "digits_test_and_shifted.npy"),
        np.concatenate([test, shifted]).astype(np.float32))
