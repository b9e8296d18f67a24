"""Data sets that ship inside installed packages: nothing is downloaded.

Every loader returns a :class:`Dataset` with a seeded train/test split and,
by default, features standardised with the training set's mean and standard
deviation (so the test set leaks nothing into the scaling).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np


@dataclass(frozen=True)
class Dataset:
    """Features and targets split into a training and a test part."""

    name: str
    X_train: np.ndarray
    y_train: np.ndarray
    X_test: np.ndarray
    y_test: np.ndarray
    feature_names: tuple[str, ...]

    @property
    def n_features(self) -> int:
        return self.X_train.shape[1]


def split_and_standardize(
    name: str,
    X: np.ndarray,
    y: np.ndarray,
    feature_names: tuple[str, ...],
    test_fraction: float = 0.25,
    seed: int = 0,
    standardize: bool = True,
) -> Dataset:
    """Shuffle with ``seed``, hold out ``test_fraction`` and standardise on the training part."""
    if not 0 < test_fraction < 1:
        raise ValueError(f"test_fraction must be in (0, 1), got {test_fraction!r}")
    X = np.asarray(X, dtype=np.float64)
    y = np.asarray(y)
    if X.ndim != 2 or y.shape != (X.shape[0],):
        raise ValueError(f"X must be (n, d) and y (n,), got X {X.shape} and y {y.shape}")
    order = np.random.default_rng(seed).permutation(X.shape[0])
    n_test = int(round(test_fraction * X.shape[0]))
    test, train = order[:n_test], order[n_test:]
    X_train, X_test = X[train], X[test]
    if standardize:
        mean = X_train.mean(axis=0)
        std = X_train.std(axis=0)
        std[std == 0] = 1.0
        X_train = (X_train - mean) / std
        X_test = (X_test - mean) / std
    return Dataset(name, X_train, y[train], X_test, y[test], tuple(feature_names))


def breast_cancer(test_fraction: float = 0.25, seed: int = 0, standardize: bool = True) -> Dataset:
    """The Wisconsin breast cancer data bundled with scikit-learn (569 × 30, binary).

    Targets are 0 (malignant) and 1 (benign), as in scikit-learn.
    """
    from sklearn.datasets import load_breast_cancer

    raw = load_breast_cancer()
    return split_and_standardize(
        "breast cancer", raw.data, raw.target.astype(np.float64), tuple(raw.feature_names),
        test_fraction, seed, standardize,
    )
