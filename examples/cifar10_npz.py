"""Write CIFAR-10 (Keras's copy, downloaded by `keras.datasets.cifar10`) as the `.npz` file a
config's `data.dataset: {npz: PATH, sha256: ...}` reads: x_train (50000, 32, 32, 3) and
x_test (10000, 32, 32, 3) uint8, y_train and y_test one integer label 0-9 per image
(README, "Adding a network or a data set"). Usage: python examples/cifar10_npz.py PATH
"""

import sys

import keras
import numpy as np

(x_train, y_train), (x_test, y_test) = keras.datasets.cifar10.load_data()
# Keras gives labels of shape (n, 1); the pipeline takes one label per image, shape (n,).
np.savez(
    sys.argv[1], x_train=x_train, y_train=y_train.ravel(), x_test=x_test, y_test=y_test.ravel()
)
