r"""The linear counterexample of Wilson et al. (2017), section 3.3 (chapter 17).

:cite:`wilson2017marginal` construct a binary classification problem, solved by
least squares :math:`f(w) = \frac{1}{2n}\lVert Xw - y\rVert^2` with more
features than examples, on which gradient descent from :math:`w_0 = 0` finds
the minimum-norm solution, which classifies every new point correctly, while
AdaGrad, RMSprop and Adam from :math:`w_0 = 0` find a solution proportional to
:math:`\operatorname{sign}(X^\top y)`, which labels *every* new point
positive: its test error is the fraction of negatives, close to 1/2 when the
classes are nearly balanced.

The data (:func:`wilson_data`): labels :math:`y_i = +1` with probability
:math:`p > 1/2`, else :math:`-1`; the feature vector of example :math:`i`
(1-based indices) has

.. math::

    x_{ij} = \begin{cases}
      y_i & j = 1,\\
      1 & j = 2, 3,\\
      1 & j = 4 + 5(i-1), \dots, 4 + 5(i-1) + 2(1 - y_i),\\
      0 & \text{otherwise,}
    \end{cases}

so a positive example has one feature of its own and a negative example five.
Only feature 1 carries the label; features 2 and 3 are always 1. A new point
(:func:`wilson_test_data`) has features of its own that no training example
shares, so a solution trained on ``X`` sees only its first three coordinates.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

import numpy as np

from .run import make_optimizer

__all__ = [
    "LeastSquares",
    "classification_error",
    "least_squares_sgd",
    "minimum_norm_solution",
    "sign_solution",
    "wilson_data",
    "wilson_features",
    "wilson_test_data",
]


def _check_n(n: object, name: str) -> int:
    if isinstance(n, bool) or not isinstance(n, int | np.integer) or n < 1:
        raise ValueError(f"{name} must be an integer >= 1, got {n!r}")
    return int(n)


def _check_p(p: object) -> float:
    if isinstance(p, bool) or not isinstance(p, int | float) or not 0.5 < p < 1:
        raise ValueError(f"p must be a number in (1/2, 1), got {p!r}")
    return float(p)


def _check_seed(seed: object) -> int:
    if isinstance(seed, bool) or not isinstance(seed, int | np.integer) or seed < 0:
        raise ValueError(f"seed must be an integer >= 0, got {seed!r}")
    return int(seed)


def wilson_data(n: int, p: float = 0.55, seed: int = 0) -> tuple[np.ndarray, np.ndarray]:
    r"""``(X, y)``: ``n`` examples of the construction, :math:`X \in \mathbb R^{n \times (3 + 5n)}`.

    The labels are drawn with ``np.random.default_rng(seed)``. The lemma behind
    the adaptive methods' solution needs more positive than negative labels
    (:math:`\sum_i y_i > 0`, likely when :math:`p > 1/2`); a draw without it
    raises ``ValueError`` naming the seed.
    """
    n, p, seed = _check_n(n, "n"), _check_p(p), _check_seed(seed)
    rng = np.random.default_rng(seed)
    y = np.where(rng.random(n) < p, 1.0, -1.0)
    if y.sum() <= 0:
        raise ValueError(
            f"seed={seed} drew {int((y > 0).sum())} positive and {int((y < 0).sum())} negative "
            "labels; the construction needs more positives: choose another seed"
        )
    return wilson_features(y), y


def wilson_features(y: np.ndarray) -> np.ndarray:
    r"""The feature matrix of the construction for given labels :math:`y_i \in \{-1, +1\}`.

    No check on the balance of the labels: with more negatives than positives
    the lemma's hypothesis fails (see :func:`sign_solution`).
    """
    y = np.asarray(y, dtype=float)
    if y.ndim != 1 or y.size == 0 or not np.all(np.abs(y) == 1):
        raise ValueError(f"y must be a non-empty 1-D array of -1 and +1, got {y!r}")
    n = len(y)
    X = np.zeros((n, 3 + 5 * n))
    X[:, 0] = y
    X[:, 1:3] = 1.0
    for i in range(n):  # 0-based i: columns 3 + 5i, ..., 3 + 5i + 2(1 - y_i)
        k = 1 if y[i] > 0 else 5
        X[i, 3 + 5 * i: 3 + 5 * i + k] = 1.0
    return X


def wilson_test_data(m: int, dim: int, p: float = 0.55, seed: int = 1
                     ) -> tuple[np.ndarray, np.ndarray]:
    """``m`` new points in the coordinates of a training set of dimension ``dim``.

    Their own features lie outside the training coordinates, so only the first
    three are non-zero: :math:`(y, 1, 1, 0, \\dots, 0)`.
    """
    m, dim, p, seed = _check_n(m, "m"), _check_n(dim, "dim"), _check_p(p), _check_seed(seed)
    if dim < 3:
        raise ValueError(f"dim must be >= 3, got {dim}")
    y = np.where(np.random.default_rng(seed).random(m) < p, 1.0, -1.0)
    X = np.zeros((m, dim))
    X[:, 0] = y
    X[:, 1:3] = 1.0
    return X, y


@dataclass(frozen=True, eq=False)
class LeastSquares:
    r"""Least squares :math:`f(w) = \frac{1}{2n}\lVert Xw - y\rVert^2`.

    Its gradient is :math:`\nabla f(w) = \frac1n X^\top(Xw - y)`.

    An objective for :func:`optbook.run.run` (``value``, ``grad``, ``start`` = 0).
    """

    X: np.ndarray
    y: np.ndarray
    name: str = "least squares"
    min_value: float | None = 0.0
    _n: int = field(init=False, repr=False)

    def __post_init__(self) -> None:
        X = np.asarray(self.X, dtype=float)
        y = np.asarray(self.y, dtype=float)
        if X.ndim != 2 or y.shape != (X.shape[0],):
            raise ValueError(f"X must be (n, d) and y (n,), got {X.shape} and {y.shape}")
        object.__setattr__(self, "X", X)
        object.__setattr__(self, "y", y)
        object.__setattr__(self, "_n", X.shape[0])

    @property
    def dim(self) -> int:
        """The number of features d."""
        return self.X.shape[1]

    @property
    def start(self) -> np.ndarray:
        """:math:`w_0 = 0`, as in the paper."""
        return np.zeros(self.dim)

    def value(self, w: np.ndarray) -> float:
        """The loss."""
        r = self.X @ w - self.y
        return float(r @ r) / (2 * self._n)

    def __call__(self, w: np.ndarray) -> float:
        return self.value(w)

    def grad(self, w: np.ndarray) -> np.ndarray:
        """The gradient."""
        return self.X.T @ (self.X @ w - self.y) / self._n

    def smoothness(self) -> float:
        r""":math:`\lambda_{\max}(X^\top X)/n`, the Lipschitz constant of the gradient."""
        return float(np.linalg.eigvalsh(self.X @ self.X.T).max()) / self._n


def minimum_norm_solution(X: np.ndarray, y: np.ndarray) -> np.ndarray:
    r""":math:`X^\top (XX^\top)^{-1} y`, the solution of :math:`Xw = y` of least Euclidean norm."""
    X = np.asarray(X, dtype=float)
    return X.T @ np.linalg.solve(X @ X.T, np.asarray(y, dtype=float))


def sign_solution(X: np.ndarray, y: np.ndarray) -> tuple[np.ndarray, float]:
    r"""``(u / c, c)`` with :math:`u = \operatorname{sign}(X^\top y)` and :math:`Xu = c\,y`.

    Raises ``ValueError`` if :math:`Xu` is not a multiple :math:`c > 0` of ``y``
    (the hypothesis of Wilson et al.'s Lemma 3.1).
    """
    X = np.asarray(X, dtype=float)
    y = np.asarray(y, dtype=float)
    u = np.sign(X.T @ y)
    Xu = X @ u
    c = float(Xu @ y) / float(y @ y)
    if c <= 0 or not np.allclose(Xu, c * y, rtol=1e-12, atol=1e-12):
        raise ValueError(
            "X sign(X^T y) is not a positive multiple c y of y: the lemma does not apply"
        )
    return u / c, c


def classification_error(w: np.ndarray, X: np.ndarray, y: np.ndarray) -> float:
    r"""The fraction of points with :math:`\operatorname{sign}(x^\top w) \ne y`.

    A score of exactly zero counts as wrong.
    """
    return float(np.mean(np.sign(np.asarray(X) @ np.asarray(w)) != np.asarray(y)))


def least_squares_sgd(
    X: np.ndarray,
    y: np.ndarray,
    optimizer: Any,
    epochs: int,
    batch_size: int = 1,
    seed: int = 0,
    callback: Callable[[np.ndarray], None] | None = None,
) -> np.ndarray:
    r"""Mini-batch training on :math:`\frac{1}{2B}\lVert X_B w - y_B\rVert^2` from :math:`w_0 = 0`.

    Each epoch visits the rows in a fresh order from ``np.random.default_rng(seed)``.
    ``callback(w)`` is called after every update. Returns the final :math:`w`.
    """
    X = np.asarray(X, dtype=float)
    y = np.asarray(y, dtype=float)
    epochs, batch_size, seed = _check_n(epochs, "epochs"), _check_n(batch_size, "batch_size"), \
        _check_seed(seed)
    opt = make_optimizer(optimizer)
    rng = np.random.default_rng(seed)
    w = np.zeros(X.shape[1])
    for _ in range(epochs):
        order = rng.permutation(len(X))
        for k in range(0, len(X), batch_size):
            rows = order[k:k + batch_size]
            Xb = X[rows]
            opt.step(w, Xb.T @ (Xb @ w - y[rows]) / len(rows))
            if callback is not None:
                callback(w)
    return w
